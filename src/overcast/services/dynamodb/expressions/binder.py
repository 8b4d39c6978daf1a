"""Bind parsed expressions to one request's ExpressionAttributeNames and ExpressionAttributeValues.

Binding resolves `#name` and `:value` placeholders, refuses reserved words, undefined placeholders
and functions used where DynamoDB does not allow them, and records which placeholders were used so
that unused ones can be refused once every expression of the request is bound — all with DynamoDB's
messages (`Invalid UpdateExpression: ...`, `Value provided in ExpressionAttributeValues unused in
expressions: keys: {:x}`).
"""

from __future__ import annotations

from typing import Any

from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.parser import ExpressionError, parse
from overcast.services.dynamodb.expressions.reserved import RESERVED_WORDS
from overcast.services.dynamodb.types import TYPES, check_value, compare, kind_of

CONDITION_FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
                       "begins_with": 2, "contains": 2}
OPERAND_FUNCTIONS = {"size": 1}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
MAX_IN_OPERANDS = 100

#: names DynamoDB uses for types in ADD/DELETE operand errors
LONG_TYPE_NAMES = {"S": "STRING", "N": "NUMBER", "B": "BINARY", "SS": "STRING_SET", "NS": "NUMBER_SET",
                   "BS": "BINARY_SET", "M": "MAP", "L": "LIST", "NULL": "NULL", "BOOL": "BOOLEAN"}


def _placeholder_key_ok(key: Any, sigil: str) -> bool:
    return isinstance(key, str) and len(key) > 1 and key[0] == sigil and all(c.isalnum() or c == "_" for c in key[1:])


class Binder:
    """Placeholders of one request, shared by all its expressions."""

    def __init__(self, names: dict[str, str] | None, values: dict[str, Any] | None) -> None:
        self.names = self._check_names(names)
        self.values = self._check_values(values)
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    # -- the maps -----------------------------------------------------------------------------

    @staticmethod
    def _check_names(names: dict[str, str] | None) -> dict[str, str]:
        if names is None:
            return {}
        if not names:
            raise DynamoValidation("ExpressionAttributeNames must not be empty")
        for key in names:
            if not _placeholder_key_ok(key, "#"):
                raise DynamoValidation(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
            if not names[key]:
                raise DynamoValidation("ExpressionAttributeNames contains invalid value: Empty attribute name "
                                       f"for key {key}")
        return names

    @staticmethod
    def _check_values(values: dict[str, Any] | None) -> dict[str, Any]:
        if values is None:
            return {}
        if not isinstance(values, dict):
            raise DynamoValidation("ExpressionAttributeValues must be a map")
        if not values:
            raise DynamoValidation("ExpressionAttributeValues must not be empty")
        out: dict[str, Any] = {}
        for key, value in values.items():
            if not _placeholder_key_ok(key, ":"):
                raise DynamoValidation(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
            try:
                out[key] = check_value(value)
            except DynamoValidation as err:
                raise DynamoValidation(f"ExpressionAttributeValues contains invalid value: {err.message} "
                                       f"for key {key}") from None
        return out

    def check_unused(self) -> None:
        """Refuse placeholders no expression of the request used."""
        unused_names = [k for k in self.names if k not in self.used_names]
        if unused_names:
            raise DynamoValidation("Value provided in ExpressionAttributeNames unused in expressions: "
                                   f"keys: {{{', '.join(unused_names)}}}")
        unused_values = [k for k in self.values if k not in self.used_values]
        if unused_values:
            raise DynamoValidation("Value provided in ExpressionAttributeValues unused in expressions: "
                                   f"keys: {{{', '.join(unused_values)}}}")

    # -- entry points -------------------------------------------------------------------------

    def condition(self, text: str, kind: str = "ConditionExpression") -> Any:
        try:
            return self._condition(parse(text, "condition"))
        except ExpressionError as err:
            raise err.within(kind) from None

    def update(self, text: str) -> nodes.Update:
        try:
            template: nodes.Update = parse(text, "update")
            actions = tuple(self._action(a) for a in template.actions)
            _check_overlaps([a.path for a in actions])
            return nodes.Update(actions)
        except ExpressionError as err:
            raise err.within("UpdateExpression") from None

    def projection(self, text: str) -> tuple[nodes.Path, ...]:
        try:
            paths = tuple(self.path(p) for p in parse(text, "projection"))
            _check_overlaps(list(paths))
            return paths
        except ExpressionError as err:
            raise err.within("ProjectionExpression") from None

    # -- pieces -------------------------------------------------------------------------------

    def path(self, template: nodes.Path) -> nodes.Path:
        elements: list[nodes.PathElement] = []
        for element in template.elements:
            if isinstance(element, str):
                element = self._name(element)
            elements.append(element)
        return nodes.Path(tuple(elements))

    def _name(self, element: str) -> str:
        if element.startswith("#"):
            if element not in self.names:
                raise ExpressionError("An expression attribute name used in the document path is not defined; "
                                      f"attribute name: {element}")
            self.used_names.add(element)
            return self.names[element]
        if element.upper() in RESERVED_WORDS:
            raise ExpressionError(f"Attribute name is a reserved keyword; reserved keyword: {element}")
        return element

    def value(self, template: nodes.Value) -> nodes.Value:
        if template.ref not in self.values:
            raise ExpressionError("An expression attribute value used in expression is not defined; "
                                  f"attribute value: {template.ref}")
        self.used_values.add(template.ref)
        return nodes.Value(template.ref, self.values[template.ref])

    def _condition(self, node: Any) -> Any:
        if isinstance(node, nodes.And):
            return nodes.And(self._condition(node.left), self._condition(node.right))
        if isinstance(node, nodes.Or):
            return nodes.Or(self._condition(node.left), self._condition(node.right))
        if isinstance(node, nodes.Not):
            return nodes.Not(self._condition(node.operand))
        if isinstance(node, nodes.Compare):
            return nodes.Compare(node.op, self._operand(node.left), self._operand(node.right))
        if isinstance(node, nodes.Between):
            return self._between(node)
        if isinstance(node, nodes.In):
            if len(node.options) > MAX_IN_OPERANDS:
                raise ExpressionError("The IN operator is provided with too many operands; "
                                      f"number of operands: {len(node.options)}")
            return nodes.In(self._operand(node.subject), tuple(self._operand(o) for o in node.options))
        return self._condition_function(node)

    def _between(self, node: nodes.Between) -> nodes.Between:
        bound = nodes.Between(self._operand(node.subject), self._operand(node.low), self._operand(node.high))
        low, high = bound.low, bound.high
        for bound_value in (low, high):  # DynamoDB refuses a NULL bound
            if isinstance(bound_value, nodes.Value) and kind_of(bound_value.av) == "NULL":
                raise ExpressionError("Incorrect operand type for operator or function; operator or function: "
                                      f"BETWEEN, operand type: {kind_of(bound_value.av)}")
        if isinstance(low, nodes.Value) and isinstance(high, nodes.Value):
            order = compare(low.av, high.av)
            if order is not None and order > 0:
                raise ExpressionError(
                    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                    f"lower bound operand: AttributeValue: {_show(low.av)}, upper bound operand: "
                    f"AttributeValue: {_show(high.av)}")
        return bound

    def _condition_function(self, node: nodes.Function) -> nodes.Function:
        name = node.name
        if name in OPERAND_FUNCTIONS:
            raise ExpressionError(f"The function is not allowed to be used this way in an expression; function: {name}")
        if name in UPDATE_FUNCTIONS:
            raise ExpressionError(f"The function is not allowed in a condition expression; function: {name}")
        if name not in CONDITION_FUNCTIONS:
            raise ExpressionError(f"Invalid function name; function: {name}")
        _arity(node, CONDITION_FUNCTIONS[name])
        args = [self._operand(a) for a in node.args]
        if not isinstance(args[0], nodes.Path):
            raise ExpressionError(f"Operator or function requires a document path; operator or function: {name}")
        if name == "attribute_type":
            _check_type_name(args[1])
        if name == "begins_with" and isinstance(args[1], nodes.Value) and kind_of(args[1].av) not in ("S", "B"):
            raise ExpressionError("Incorrect operand type for operator or function; operator or function: "
                                  f"begins_with, operand type: {kind_of(args[1].av)}")
        return nodes.Function(name, tuple(args))

    def _operand(self, node: Any) -> Any:
        if isinstance(node, nodes.Path):
            return self.path(node)
        if isinstance(node, nodes.Value):
            return self.value(node)
        name = node.name
        if name in CONDITION_FUNCTIONS:
            raise ExpressionError(f"The function is not allowed to be used this way in an expression; function: {name}")
        if name in UPDATE_FUNCTIONS:
            raise ExpressionError(f"The function is not allowed in a condition expression; function: {name}")
        if name not in OPERAND_FUNCTIONS:
            raise ExpressionError(f"Invalid function name; function: {name}")
        _arity(node, 1)
        arg = self._operand(node.args[0])
        if not isinstance(arg, nodes.Path):
            raise ExpressionError(f"Operator or function requires a document path; operator or function: {name}")
        return nodes.Function(name, (arg,))

    # -- update -------------------------------------------------------------------------------

    def _action(self, action: nodes.UpdateAction) -> nodes.UpdateAction:
        path = self.path(action.path)
        if action.kind == "REMOVE":
            return nodes.UpdateAction("REMOVE", path)
        if action.kind == "SET":
            return nodes.UpdateAction("SET", path, self._set_value(action.value))
        value = self.value(action.value)
        kind = kind_of(value.av)
        allowed = ("N", "SS", "NS", "BS") if action.kind == "ADD" else ("SS", "NS", "BS")
        if kind not in allowed:
            raise ExpressionError(
                f"Incorrect operand type for operator or function; operator: {action.kind}, operand type: "
                f"{LONG_TYPE_NAMES[kind]}, typeSet: ALLOWED_FOR_{action.kind}_OPERAND")
        return nodes.UpdateAction(action.kind, path, value)

    def _set_value(self, node: Any) -> Any:
        if isinstance(node, nodes.Arithmetic):
            left, right = self._set_value(node.left), self._set_value(node.right)
            for side in (left, right):
                if isinstance(side, nodes.Value) and kind_of(side.av) != "N":
                    raise ExpressionError("Incorrect operand type for operator or function; operator or function: "
                                          f"{node.op}, operand type: {kind_of(side.av)}")
            return nodes.Arithmetic(node.op, left, right)
        if isinstance(node, nodes.Path):
            return self.path(node)
        if isinstance(node, nodes.Value):
            return self.value(node)
        name = node.name
        if name not in UPDATE_FUNCTIONS:
            if name in CONDITION_FUNCTIONS or name in OPERAND_FUNCTIONS:
                raise ExpressionError(f"The function is not allowed in an update expression; function: {name}")
            raise ExpressionError(f"Invalid function name; function: {name}")
        _arity(node, 2)
        args = tuple(self._set_value(a) for a in node.args)
        if name == "if_not_exists" and not isinstance(args[0], nodes.Path):
            raise ExpressionError("Operator or function requires a document path; operator or function: if_not_exists")
        if name == "list_append":
            for arg in args:
                if isinstance(arg, nodes.Value) and kind_of(arg.av) != "L":
                    raise ExpressionError("Incorrect operand type for operator or function; operator or function: "
                                          f"list_append, operand type: {kind_of(arg.av)}")
        return nodes.Function(name, args)


def _arity(node: nodes.Function, expected: int) -> None:
    if len(node.args) != expected:
        raise ExpressionError("Incorrect number of operands for operator or function; operator or function: "
                              f"{node.name}, number of operands: {len(node.args)}")


def _check_type_name(arg: Any) -> None:
    valid = "{ B, NULL, SS, BOOL, L, BS, N, NS, S, M }"
    if not isinstance(arg, nodes.Value) or kind_of(arg.av) != "S":
        shown = kind_of(arg.av) if isinstance(arg, nodes.Value) else "path"
        raise ExpressionError("Incorrect operand type for operator or function; operator or function: "
                              f"attribute_type, operand type: {shown}")
    if arg.av["S"] not in TYPES:
        raise ExpressionError(f"Invalid attribute type name found; type: {arg.av['S']}, valid types: {valid}")


def _show(av: dict[str, Any]) -> str:
    ((kind, value),) = av.items()
    return f"{{{kind}:{value}}}"


def _check_overlaps(paths: list[nodes.Path]) -> None:
    """DynamoDB refuses two paths where one contains the other, or that disagree on a container's
    type (`a[0]` and `a.b`)."""
    for i, one in enumerate(paths):
        for two in paths[i + 1 :]:
            common = min(len(one.elements), len(two.elements))
            for position in range(common):
                x, y = one.elements[position], two.elements[position]
                if x == y and type(x) is type(y):
                    continue
                if position > 0 and isinstance(x, int) != isinstance(y, int):
                    raise ExpressionError("Two document paths conflict with each other; must remove or rewrite "
                                          f"one of these paths; path one: {one.render()}, path two: {two.render()}")
                break
            else:
                raise ExpressionError("Two document paths overlap with each other; must remove or rewrite one of "
                                      f"these paths; path one: {one.render()}, path two: {two.render()}")
