"""The expression languages without a server: grammar precedence, keywords, update semantics."""

from __future__ import annotations

import pytest

from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.binder import Binder
from overcast.services.dynamodb.expressions.parser import ExpressionError, parse
from overcast.services.dynamodb.expressions.update import apply_update


def test_precedence_not_and_or():
    tree = parse("a = :a OR NOT b = :b AND c = :c", "condition")
    assert isinstance(tree, nodes.Or)
    assert isinstance(tree.right, nodes.And) and isinstance(tree.right.left, nodes.Not)


def test_keywords_are_case_insensitive_and_whole_words():
    tree = parse("Android = :a and orbit BeTwEeN :b AnD :c", "condition")
    assert isinstance(tree, nodes.And)
    assert tree.left.left == nodes.Path(("Android",))
    assert isinstance(tree.right, nodes.Between) and tree.right.subject == nodes.Path(("orbit",))


def test_paths_with_placeholders_and_indexes():
    (path,) = parse("#a.b[2][10].#c", "projection")
    assert path.elements == ("#a", "b", 2, 10, "#c")


@pytest.mark.parametrize(("text", "start", "message"), [
    ("a = :a AND", "condition", 'Syntax error; token: "<EOF>", near: "AND"'),
    ("SET a = :a REMOVE b SET c = :c", "update", 'The "SET" section can only be used once in an update expression;'),
    ("a, ", "projection", 'Syntax error; token: "<EOF>", near: ", "'),
    ("   ", "update", "The expression can not be empty;"),
])
def test_syntax_errors(text, start, message):
    with pytest.raises(ExpressionError) as info:
        parse(text, start)
    assert info.value.detail == message


def _update(item, text, values=None):
    binder = Binder(None, values)
    return apply_update(item, binder.update(text))


def test_remove_list_indexes_refer_to_the_original_list():
    item = {"l": {"L": [{"N": str(i)} for i in range(5)]}}
    assert _update(item, "REMOVE l[1], l[3]")["l"]["L"] == [{"N": "0"}, {"N": "2"}, {"N": "4"}]
    assert len(item["l"]["L"]) == 5


def test_set_operands_read_the_item_before_the_update():
    item = {"a": {"N": "1"}, "b": {"N": "2"}}
    assert _update(item, "SET a = b, b = a") == {"a": {"N": "2"}, "b": {"N": "1"}}


def test_nested_updates_leave_the_original_untouched():
    item = {"m": {"M": {"x": {"L": [{"S": "a"}]}}}}
    new = _update(item, "SET m.x[1] = :v, m.y = :v", {":v": {"S": "b"}})
    assert new["m"]["M"] == {"x": {"L": [{"S": "a"}, {"S": "b"}]}, "y": {"S": "b"}}
    assert item == {"m": {"M": {"x": {"L": [{"S": "a"}]}}}}


def test_arithmetic_keeps_38_digits():
    item = {"n": {"N": "9" * 38}}
    assert _update(item, "SET n = n + :one", {":one": {"N": "1"}})["n"] == {"N": "1" + "0" * 38}
    with pytest.raises(DynamoValidation) as info:
        _update(item, "SET n = n + :v", {":v": {"N": "0.1"}})
    assert "38 significant digits" in info.value.message
    assert _update({"n": {"N": "0.1"}}, "SET n = n + :v", {":v": {"N": "0.2"}})["n"] == {"N": "0.3"}
