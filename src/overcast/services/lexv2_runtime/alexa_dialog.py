"""Alexa's dialog management for a skill's answers
(https://developer.amazon.com/en-US/docs/alexa/custom-skills/dialog-interface-reference.html):
`Dialog.Delegate` hands the turn back to Alexa, which asks for the next required slot with the
interaction model's elicitation prompt (`interactionModel.dialog` and `prompts`) or, when none is
missing, sends the intent again with `dialogState: COMPLETED`; `Dialog.ElicitSlot`,
`Dialog.ConfirmSlot` and `Dialog.ConfirmIntent` speak the skill's own output and make the user's
next utterance the slot's value or the yes/no answer, sent as an `IN_PROGRESS` IntentRequest."""

from __future__ import annotations

from typing import Any

from overcast.services.lexv2_models.inbox import matcher

DIRECTIVES = ("Dialog.Delegate", "Dialog.ElicitSlot", "Dialog.ConfirmSlot", "Dialog.ConfirmIntent")


def dialog_directive(answer: dict[str, Any]) -> dict[str, Any] | None:
    """The answer's dialog directive, if it has one."""
    for directive in (answer.get("response") or {}).get("directives") or []:
        if isinstance(directive, dict) and directive.get("type") in DIRECTIVES:
            return directive
    return None


def _dialog_intent(model: dict[str, Any] | None, name: str) -> dict[str, Any]:
    dialog = ((model or {}).get("interactionModel") or {}).get("dialog") or {}
    return next((i for i in dialog.get("intents") or [] if i.get("name") == name), {})


def _prompt(model: dict[str, Any] | None, prompt_id: str | None) -> str | None:
    for prompt in ((model or {}).get("interactionModel") or {}).get("prompts") or []:
        if prompt.get("id") == prompt_id:
            variations = prompt.get("variations") or []
            return str(variations[0].get("value")) if variations else None
    return None


def next_step(model: dict[str, Any] | None, intent: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """What Alexa does after a Delegate: ("elicit", slot, prompt) for the first required slot
    without a value (in the dialog model's order), ("confirm", None, prompt) when the intent needs
    a confirmation not given yet, else ("complete", None, None)."""
    declared = _dialog_intent(model, intent.get("name", ""))
    slots = intent.get("slots") or {}
    for slot in declared.get("slots") or []:
        if slot.get("elicitationRequired") and not (slots.get(slot["name"]) or {}).get("value"):
            return "elicit", slot["name"], _prompt(model, (slot.get("prompts") or {}).get("elicitation"))
    if declared.get("confirmationRequired") and intent.get("confirmationStatus", "NONE") == "NONE":
        return "confirm", None, _prompt(model, (declared.get("prompts") or {}).get("confirmation"))
    return "complete", None, None


def pending_after(directive: dict[str, Any], intent: dict[str, Any]) -> dict[str, Any]:
    """What the user's next utterance answers, after a directive other than Delegate."""
    updated = directive.get("updatedIntent") or intent
    kind = directive["type"]
    if kind == "Dialog.ElicitSlot":
        return {"intent": updated, "elicit": directive.get("slotToElicit")}
    if kind == "Dialog.ConfirmSlot":
        return {"intent": updated, "confirmSlot": directive.get("slotToConfirm")}
    return {"intent": updated, "confirmIntent": True}


def answer_pending(pending: dict[str, Any], utterance: str, resolve: Any) -> dict[str, Any]:
    """The intent of a pending dialog step once the user answered with `utterance`: the slot filled
    (by `resolve(slot_name, words)`), or the confirmation status set."""
    intent = {"confirmationStatus": "NONE", "slots": {}, **pending["intent"]}
    slots = dict(intent.get("slots") or {})
    if pending.get("elicit"):
        name = pending["elicit"]
        slots[name] = {**(slots.get(name) or {}), **resolve(name, utterance), "name": name}
    else:
        said = matcher.confirmation(utterance)
        status = "CONFIRMED" if said == "Confirmed" else "DENIED" if said == "Denied" else "NONE"
        if pending.get("confirmSlot"):
            name = pending["confirmSlot"]
            slots[name] = {**(slots.get(name) or {"name": name}), "confirmationStatus": status}
        else:
            intent["confirmationStatus"] = status
    intent["slots"] = slots
    return intent
