"""The import graph of `src/overcast` points downward only and has no cycles.

Run it alone with ``pytest tests/unit/test_layers.py -q`` (or point it at another source tree with
``OVERCAST_LAYERS_SRC=/path/to/src pytest tests/unit/test_layers.py -q``). Every ``import`` and
``from ... import`` in every module counts, including imports inside functions; imports under
``if TYPE_CHECKING:`` do not (they never run). The layers, lowest first, are described in
docs/architecture.md ("Layers").
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(os.environ.get("OVERCAST_LAYERS_SRC") or Path(__file__).resolve().parents[2] / "src")
ROOT = SRC / "overcast"

#: rank of each layer; a module may import modules of its own rank or lower
FOUNDATION, STORAGE, PLATFORM, EXECUTION, PROTOCOL, DELIVERY, STATE, ENGINE, FRONT, GATEWAY, TOP = range(11)
NAMES = ["foundation", "storage", "platform", "execution", "protocol", "delivery", "service state", "engine",
         "service api", "gateway", "entry point"]

PREFIXES: list[tuple[str, int]] = [
    ("overcast.storage", STORAGE),
    ("overcast.platform", PLATFORM),
    ("overcast.execution", EXECUTION),
    ("overcast.protocol", PROTOCOL),
    ("overcast.delivery", DELIVERY),
    ("overcast.invocation", ENGINE),
    ("overcast.gateway", GATEWAY),
    ("overcast.console", GATEWAY),
    ("overcast.server", GATEWAY),
    ("overcast.status", GATEWAY),
    ("overcast.cli", TOP),
    ("overcast.cli_logs", TOP),
    ("overcast.cli_runtimes", TOP),
    ("overcast.cli_invoke", TOP),
    ("overcast.cli_events", TOP),
    ("overcast.cli_status", TOP),
    ("overcast.cli_client", TOP),
    ("overcast.cli_dev", TOP),
    ("overcast.cli_alexa", TOP),
    ("overcast.commands", TOP),
    ("overcast.demo", TOP),
    ("overcast.cli_console", TOP),
    ("overcast.deploy", TOP),
    ("overcast.testing", TOP),
    ("overcast.__main__", TOP),
]

#: an API module of a service: the operations the gateway calls, and the package's SPEC
API_NAME = re.compile(r"^(__init__|api|api_\w+)$")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child):
            yield from (n for stmt in child.orelse for n in [stmt, *_walk(stmt)])
            continue
        yield child
        yield from _walk(child)


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The overcast modules `name` imports (a `from package import module` names the module)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports(name, path, known) for name, path in mods.items()}


def _service_module(name: str) -> bool:
    return name.startswith("overcast.services.") and name.count(".") >= 3


def _is_api(name: str) -> bool:
    return API_NAME.match(name.rsplit(".", 1)[-1]) is not None or name.count(".") == 2


def state_modules(edges: dict[str, set[str]]) -> set[str]:
    """Service modules holding state and rules: every `models.py`, and whatever a models module,
    the delivery contract or the engine imports from a service (except API modules)."""
    roots = [m for m in edges if m.endswith(".models") or m.startswith(("overcast.invocation", "overcast.delivery"))]
    state: set[str] = set()
    todo = list(roots)
    while todo:
        for target in edges[todo.pop()]:
            if _service_module(target) and not _is_api(target) and target not in state:
                state.add(target)
                todo.append(target)
    return state | {m for m in roots if _service_module(m)}


def layer_of(name: str, state: set[str]) -> int:
    if name == "overcast.services":
        return FRONT
    if name.startswith("overcast.services."):
        return STATE if name in state else FRONT
    for prefix, rank in PREFIXES:
        if name == prefix or name.startswith(prefix + "."):
            return rank
    return FOUNDATION


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    state = state_modules(edges)
    problems = []
    for source, targets in sorted(edges.items()):
        low = layer_of(source, state)
        for target in sorted(targets):
            high = layer_of(target, state)
            if high > low:
                problems.append(f"{source} ({NAMES[low]}) imports {target} ({NAMES[high]})")
            elif low == ENGINE and high == PROTOCOL:
                problems.append(f"{source} (engine) imports {target}: the engine speaks no AWS wire protocol")
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def service_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Cycles between service packages (one service's modules importing another's and back)."""
    def package(name: str) -> str:
        return ".".join(name.split(".")[:3])

    services: dict[str, set[str]] = {}
    for source, targets in edges.items():
        if _service_module(source) or (source.count(".") == 2 and source.startswith("overcast.services.")):
            services.setdefault(package(source), set()).update(
                package(t) for t in targets if t.startswith("overcast.services.") and package(t) != package(source))
    for targets in list(services.values()):
        for target in targets:
            services.setdefault(target, set())
    return cycles(services)


#: services that are one AWS product's two halves and share its modules (HTTP APIs reuse the REST
#: APIs' authorizers, errors and data plane; DynamoDB Streams' API reads DynamoDB's stream state)
FAMILIES = {("apigatewayv2", "apigateway"), ("dynamodbstreams", "dynamodb")}


def cross_service_imports(edges: dict[str, set[str]]) -> list[str]:
    """Imports of another service's modules other than its `inbox` (its interface for the rest of
    overcast) or its package (the SPEC)."""
    found = []
    for source, targets in sorted(edges.items()):
        if not source.startswith("overcast.services."):
            continue
        mine = source.split(".")[2] if source.count(".") >= 2 else ""
        for target in sorted(targets):
            parts = target.split(".")
            if len(parts) < 4 or parts[1] != "services" or parts[2] == mine or (mine, parts[2]) in FAMILIES:
                continue
            if parts[3] != "inbox":
                found.append(f"{source} imports {target}")
    return found


def string_imports() -> list[str]:
    """Modules loaded by a name computed at run time: only package discovery may do that."""
    allowed = {"overcast.services", "overcast.services.cloudformation.resources", "overcast.storage.db",
               "overcast.execution.zygote"}
    found = []
    for name, path in modules().items():
        if name not in allowed and "import_module(" in path.read_text():
            found.append(name)
    return found


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    return graph()


def test_the_graph_is_read(edges: dict[str, set[str]]) -> None:
    assert "overcast.platform" in edges["overcast.gateway"]
    assert "overcast.storage" in edges["overcast.platform"] or "overcast.storage.db" in edges["overcast.platform"]


def test_no_upward_imports(edges: dict[str, set[str]]) -> None:
    problems = upward_imports(edges)
    assert not problems, "upward imports:\n  " + "\n  ".join(problems)


def test_no_import_cycles(edges: dict[str, set[str]]) -> None:
    found = cycles(edges)
    assert not found, "import cycles:\n  " + "\n  ".join(" <-> ".join(c) for c in found)


def test_no_cycles_between_services(edges: dict[str, set[str]]) -> None:
    found = service_cycles(edges)
    assert not found, "services importing each other:\n  " + "\n  ".join(" <-> ".join(c) for c in found)


def test_services_use_each_other_through_their_inbox(edges: dict[str, set[str]]) -> None:
    found = cross_service_imports(edges)
    assert not found, "reaching into another service's state:\n  " + "\n  ".join(found)


def test_no_modules_loaded_by_string() -> None:
    found = string_imports()
    assert not found, f"modules imported by a string name (declare them on a ServiceSpec instead): {found}"


def test_api_modules_are_named_api_star() -> None:
    """One naming scheme: a service's operations live in `api.py` and `api_*.py`."""
    found = [name for name in modules() if name.startswith("overcast.services.") and name.endswith("_api")]
    assert not found, f"API modules named *_api.py (name them api_*.py): {found}"


def test_the_checks_can_fail() -> None:
    edges = {"overcast.invocation.x": {"overcast.services.sqs.api"}, "overcast.services.sqs.api": {"overcast.invocation.x"},
             "overcast.services.sqs.models": {"overcast.invocation.x"}}
    assert cycles(edges) == [["overcast.invocation.x", "overcast.services.sqs.api"]]
    assert "overcast.services.sqs.models (service state) imports overcast.invocation.x (engine)" in upward_imports(edges)
    reach = {"overcast.services.lambda_.api": {"overcast.services.s3.models", "overcast.services.s3.inbox"}}
    assert cross_service_imports(reach) == ["overcast.services.lambda_.api imports overcast.services.s3.models"]
