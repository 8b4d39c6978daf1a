"""Composite slots (https://docs.aws.amazon.com/lexv2/latest/dg/composite-slot-types.html): a slot
whose `subSlotSetting` lists sub-slots (`slotSpecifications`, each with its slot type and
elicitation prompt) and an `expression` naming the ones needed (`A AND B`, `A OR B`; names joined
by AND are all needed, an OR group needs one). Lex elicits the missing sub-slots one at a time
(`dialogAction.subSlotToElicit`), and the slot's value is Lex's `Composite` shape with `subSlots`."""

from __future__ import annotations

import re
from typing import Any

_NAME = re.compile(r"[A-Za-z_][\w]*")


def is_composite(slot: dict[str, Any] | None) -> bool:
    return bool(((slot or {}).get("subSlotSetting") or {}).get("slotSpecifications"))


def needed(slot: dict[str, Any]) -> list[list[str]]:
    """The sub-slots the expression needs: a list of OR groups, each satisfied by any one name."""
    setting = slot.get("subSlotSetting") or {}
    expression = setting.get("expression") or " AND ".join(setting.get("slotSpecifications") or {})
    groups = []
    for part in re.split(r"\bAND\b", expression, flags=re.IGNORECASE):
        names = [n for n in _NAME.findall(part) if n.upper() not in ("AND", "OR")]
        if names:
            groups.append(names)
    return groups


def missing_sub_slot(slot: dict[str, Any], value: dict[str, Any] | None) -> str | None:
    """The first sub-slot to elicit (the first of the first unsatisfied group), or None."""
    have = set(((value or {}).get("subSlots") or {}).keys())
    for group in needed(slot):
        if not have & set(group):
            return group[0]
    return None


def prompt_of(slot: dict[str, Any], sub: str) -> dict[str, Any] | None:
    spec = ((slot.get("subSlotSetting") or {}).get("slotSpecifications") or {}).get(sub) or {}
    return (spec.get("valueElicitationSetting") or {}).get("promptSpecification")


def sub_type(slot: dict[str, Any], sub: str) -> str | None:
    spec = ((slot.get("subSlotSetting") or {}).get("slotSpecifications") or {}).get(sub) or {}
    return spec.get("slotTypeId")


def with_sub_slot(value: dict[str, Any] | None, sub: str, sub_value: dict[str, Any]) -> dict[str, Any]:
    """The composite value with one more sub-slot; its own value joins the sub-slots' values."""
    subs = {**((value or {}).get("subSlots") or {}), sub: sub_value}
    said = " ".join(v["value"]["originalValue"] for v in subs.values())
    return {"shape": "Composite", "value": {"originalValue": said, "interpretedValue": said, "resolvedValues": []},
            "subSlots": subs}
