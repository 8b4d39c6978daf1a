"""The JSONata query language (`"QueryLanguage": "JSONata"`)
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)): a string
`"{% expr %}"` anywhere in `Arguments`, `Output`, `Assign`, a Choice's `Condition`, a Wait's
`Seconds`/`Timestamp`, a Map's `Items`/`ItemSelector` or a Fail's `Error`/`Cause` is a JSONata
expression over `$states` (`input`, `result`, `errorOutput`, `context`) and the execution's
variables. `Assign` sets variables after the state; its expressions, like `Output`'s, see the
values from before it. Expressions are evaluated by jsonata-python; a failure is
`States.QueryEvaluationError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jsonata

from overcast.services.stepfunctions.journal import Thread
from overcast.services.stepfunctions.paths import StatesError

if TYPE_CHECKING:
    from overcast.services.stepfunctions.interpreter import Run

_UNSET = object()


def evaluate(value: Any, binding: dict[str, Any]) -> Any:
    """`value` with every `{% %}` string replaced by its expression's value."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{%") and text.endswith("%}"):
            return _expression(text[2:-2].strip(), binding)
        return value
    if isinstance(value, dict):
        return {key: evaluate(item, binding) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate(item, binding) for item in value]
    return value


def _expression(text: str, binding: dict[str, Any]) -> Any:
    try:
        expression = jsonata.Jsonata(text)
        for name, bound in binding.items():
            expression.assign(name, bound)
        return expression.evaluate(None)
    except Exception as exc:  # jsonata-python raises JException (a RuntimeError) and others
        raise StatesError("States.QueryEvaluationError", f"An error occurred while evaluating the expression "
                                                         f"'{text}': {exc}") from None


def binding(data: Any, ctx: dict[str, Any], thread: Thread, result: Any = _UNSET,
            error: Any = _UNSET) -> dict[str, Any]:
    states: dict[str, Any] = {"input": data, "context": ctx}
    if result is not _UNSET:
        states["result"] = result
    if error is not _UNSET:
        states["errorOutput"] = error
    return {**thread.variables, "states": states}


def finish(fields: dict[str, Any], bound: dict[str, Any], thread: Thread, default: Any) -> Any:
    """The state's (or rule's, or catcher's) `Output` (else `default`); then its `Assign`."""
    output = evaluate(fields["Output"], bound) if "Output" in fields else default
    assigned = evaluate(fields.get("Assign") or {}, bound)
    thread.assign(assigned)
    return output


async def once(run: Run, state: dict[str, Any], kind: str, data: Any, thread: Thread, ctx: dict[str, Any],
               resume: dict[str, Any] | None) -> Any:
    """One attempt of a Pass, Task, Parallel or Map state in JSONata mode."""
    from overcast.services.stepfunctions.fanout import run_map, run_parallel
    from overcast.services.stepfunctions.tasks import run_task

    bound = binding(data, ctx, thread)
    if kind == "Pass":
        return finish(state, bound, thread, data)
    args = evaluate(state["Arguments"], bound) if "Arguments" in state else data
    if kind == "Task":
        result = await run_task(run, state, args, thread, ctx, resume)
    elif kind == "Parallel":
        result = await run_parallel(run, {"Branches": state["Branches"]}, args, thread, resume, ctx["State"]["Name"])
    else:
        from overcast.services.stepfunctions.distributed import is_distributed, run_distributed

        selector = state.get("ItemSelector")

        def select(index: int, item: Any) -> Any:
            item_ctx = {**ctx, "Map": {"Item": {"Index": index, "Value": item}}}
            return item if selector is None else evaluate(selector, binding(data, item_ctx, thread))

        if is_distributed(state):  # ItemReader/ResultWriter `Arguments` are JSONata too
            shaped = {k: v for k, v in state.items() if k not in ("Items", "ItemSelector")}
            for field in ("ItemReader", "ResultWriter"):
                if "Arguments" in state.get(field, {}):
                    shaped[field] = {**state[field], "Parameters": evaluate(state[field]["Arguments"], bound)}
                    shaped[field].pop("Arguments")
            if "ItemReader" not in state:
                shaped["ItemsPath"] = "$"
            items = evaluate(state["Items"], bound) if "Items" in state else args
            result = await run_distributed(run, shaped, items, thread, ctx, resume, select=select)
        else:
            items = evaluate(state["Items"], bound) if "Items" in state else args
            result = await run_map(run, {**state, "ItemsPath": "$", "ItemSelector": None}, items, thread, ctx,
                                   select=select, resume=resume)
    return finish(state, binding(data, ctx, thread, result=result), thread, result)


def condition(rule: dict[str, Any], bound: dict[str, Any]) -> bool:
    value = evaluate(rule["Condition"], bound)
    if not isinstance(value, bool):
        raise StatesError("States.QueryEvaluationError", f"The Condition '{rule['Condition']}' returned "
                                                         f"{value!r}, not a boolean")
    return value
