"""Dashboard bodies: AWS's checks of a PutDashboard body
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).

The body is a JSON object with a `widgets` array; each widget an object with a known `type`, a
`properties` object (metric widgets need `metrics` or annotations; text widgets `markdown`), and
optional `x` (0–23), `y`, `width` (1–24) and `height` (1–1000) integers. Each problem becomes one
DashboardValidationMessage (`dataPath`, `message`); a body with any is refused.
"""

from __future__ import annotations

import json
from typing import Any

from overcast import documents

WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")
_RANGES = {"x": (0, 23), "y": (0, None), "width": (1, 24), "height": (1, 1000)}


def invalid_body_message(problems: list[dict[str, str]]) -> str:
    """AWS's message for a refused body: a count, then the problems as indented JSON."""
    listed = json.dumps([{"dataPath": p["DataPath"], "message": p["Message"]} for p in problems], indent=2)
    return f"The dashboard body is invalid, there are {len(problems)} validation errors:\n{listed}"


def body_problems(body: str) -> list[dict[str, str]]:
    """The validation messages of a dashboard body (empty when it is valid)."""
    try:
        doc = documents.loads(body)
    except ValueError:
        return [{"DataPath": "", "Message": "The field DashboardBody must be a valid JSON object"}]
    if not isinstance(doc, dict):
        return [{"DataPath": "", "Message": "Should be object"}]
    widgets = doc.get("widgets")
    if not isinstance(widgets, list):
        return [{"DataPath": "", "Message": "Should have required property 'widgets'"}]
    problems: list[dict[str, str]] = []
    for index, widget in enumerate(widgets):
        problems += _widget_problems(f"/widgets/{index}", widget)
    return problems


def _widget_problems(path: str, widget: Any) -> list[dict[str, str]]:
    if not isinstance(widget, dict):
        return [{"DataPath": path, "Message": "Should be object"}]
    problems: list[dict[str, str]] = []
    kind = widget.get("type")
    if kind is None:
        problems.append({"DataPath": path, "Message": "Should have required property 'type'"})
    elif kind not in WIDGET_TYPES:
        problems.append({"DataPath": f"{path}/type",
                         "Message": f"Should be equal to one of the allowed values {list(WIDGET_TYPES)}"})
    for key, (lo, hi) in _RANGES.items():
        value = widget.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append({"DataPath": f"{path}/{key}", "Message": "Should be integer"})
        elif value < lo:
            problems.append({"DataPath": f"{path}/{key}", "Message": f"Should be >= {lo}"})
        elif hi is not None and value > hi:
            problems.append({"DataPath": f"{path}/{key}", "Message": f"Should be <= {hi}"})
    props = widget.get("properties")
    if not isinstance(props, dict):
        if kind in ("metric", "text", "log", "alarm"):
            problems.append({"DataPath": path, "Message": "Should have required property 'properties'"})
        return problems
    if kind == "text" and not isinstance(props.get("markdown"), str):
        problems.append({"DataPath": f"{path}/properties", "Message": "Should have required property 'markdown'"})
    elif kind == "metric" and not any(k in props for k in ("metrics", "annotations")):
        where = f"{path}/properties"
        problems += [{"DataPath": where, "Message": "Should have required property 'metrics'"},
                     {"DataPath": where, "Message": "The metric widget should have specified a region and a data "
                                                   "source or an alarm annotation"},
                     {"DataPath": where, "Message": "Should have required property 'annotations'"}]
    elif kind == "metric" and "metrics" in props and not isinstance(props["metrics"], list):
        problems.append({"DataPath": f"{path}/properties/metrics", "Message": "Should be array"})
    return problems
