"""One turn of a Lex V2 conversation: understand the input (the deterministic matcher, or the
answer to the slot or confirmation Lex asked for), then manage the dialog as Lex does — elicit the
missing required slots in priority order with their prompts, ask the intent's confirmation prompt,
fulfil — calling the alias's Lambda function as the dialog and fulfillment code hooks and honouring
its `sessionState.dialogAction` (Delegate, ElicitSlot, ElicitIntent, ConfirmIntent, Close) and
`messages`.
https://docs.aws.amazon.com/lexv2/latest/dg/lambda-input-format.html
https://docs.aws.amazon.com/lexv2/latest/dg/lambda-response-format.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.invocation.permissions import service_may_invoke
from overcast.platform import Platform
from overcast.services.lexv2_models.inbox import errors, matcher
from overcast.services.lexv2_runtime import composite, contexts
from overcast.services.lexv2_runtime.conversation import Conversation, messages_of, slot_value

PRINCIPAL = "lexv2.amazonaws.com"
ACTIONS = ("Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot")
#: Lex waits this long for a code hook (real seconds; AWS's limit is 30 s per hook call)
HOOK_TIMEOUT = 30.0


@dataclass
class Turn:
    """What a turn produces: the session state after it, the messages, the interpretations."""

    state: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    interpretations: list[dict[str, Any]] = field(default_factory=list)


class Dialog:
    def __init__(self, platform: Platform, conv: Conversation, session_id: str, text: str,
                 request_attributes: dict[str, str]) -> None:
        self.platform = platform
        self.conv = conv
        self.session_id = session_id
        self.text = text
        self.request_attributes = request_attributes
        self.active: set[str] = set()                               # the names of the active contexts
        self.hook_contexts: list[dict[str, Any]] | None = None     # activeContexts a code hook set

    # -- understanding ------------------------------------------------------------------------

    async def turn(self, state: dict[str, Any]) -> Turn:
        """Answer `self.text` in a session whose state before the turn is `state`; the active
        contexts age by the turn, and a fulfilled intent's output contexts become active."""
        active = contexts.live(state, self.conv.now)
        self.active = contexts.names(active)
        self.hook_contexts = None
        result = await self._turn(state)
        remaining = contexts.after_turn(active)
        intent = result.state.get("intent") or {}
        if intent.get("state") == "Fulfilled" and (result.state.get("dialogAction") or {}).get("type") == "Close":
            remaining = contexts.activate(remaining, self.conv.intent(intent["name"]), self.conv.now)
        result.state["activeContexts"] = self.hook_contexts if self.hook_contexts is not None else remaining
        return result

    async def _turn(self, state: dict[str, Any]) -> Turn:
        state = {"sessionAttributes": {}, **state}
        retries = int(state.pop("_retries", 0) or 0)
        intent = state.get("intent")
        action = state.get("dialogAction") or {}
        if intent and intent.get("state") == "InProgress" and action.get("type") == "ElicitSlot" \
                and action.get("subSlotToElicit"):
            name, sub = action.get("slotToElicit", ""), action["subSlotToElicit"].get("name", "")
            slot = self.conv.slot(intent["name"], name) or {}
            part = self.conv.resolve_typed(composite.sub_type(slot, sub), self.text)
            if part is not None:
                intent["slots"][name] = composite.with_sub_slot(intent["slots"].get(name), sub, slot_value(part))
                return await self._advance(state, intent, [self._interpretation(intent, 1.0)])
        elif intent and intent.get("state") == "InProgress" and action.get("type") == "ElicitSlot":
            value = self.conv.slot_from_text(intent["name"], action.get("slotToElicit", ""), self.text)
            if value is not None:
                intent["slots"][action["slotToElicit"]] = value
                return await self._advance(state, intent, [self._interpretation(intent, 1.0)])
        if intent and intent.get("state") == "InProgress" and action.get("type") == "ConfirmIntent":
            answer = matcher.confirmation(self.text)
            if answer is not None:
                intent["confirmationState"] = answer
                return await self._advance(state, intent, [self._interpretation(intent, 1.0)])
        found = matcher.match(self.conv.matcher_intents(self.active), self.text, self.conv.today())
        if found.intent is None and intent and intent.get("state") == "InProgress" and action.get("type") in (
                "ElicitSlot", "ConfirmIntent"):
            if retries < self._max_retries(intent, action):
                state["_retries"] = retries + 1
                return self._reprompt(state, intent, action)  # Lex asks again for what it could not understand
            # past the prompt's maxRetries Lex gives up on the intent: the fallback intent takes over
            fallback = self.conv.new_intent(self.conv.fallback_name(), {})
            return await self._advance(state, fallback, [self._interpretation(fallback, None)])
        name = found.intent or self.conv.fallback_name()
        intent = self.conv.new_intent(name, found.slots)
        interpretations = [self._interpretation(intent, found.score)]
        if found.intent is not None:
            interpretations.append(self._interpretation(self.conv.new_intent(self.conv.fallback_name(), {}), None))
        return await self._advance(state, intent, interpretations)

    def _interpretation(self, intent: dict[str, Any], score: float | None) -> dict[str, Any]:
        out: dict[str, Any] = {"intent": intent, "interpretationSource": "Lex"}
        if score is not None:
            out["nluConfidence"] = {"score": score}
        return out

    def _max_retries(self, intent: dict[str, Any], action: dict[str, Any]) -> int:
        """The prompt's `maxRetries`: how many times Lex asks again before it gives up (AWS's
        default is 2 when a prompt does not say)."""
        if action.get("type") == "ElicitSlot" and action.get("subSlotToElicit"):
            slot = self.conv.slot(intent["name"], action.get("slotToElicit", "")) or {}
            spec = composite.prompt_of(slot, action["subSlotToElicit"].get("name", "")) or {}
        elif action.get("type") == "ElicitSlot":
            slot = self.conv.slot(intent["name"], action.get("slotToElicit", "")) or {}
            spec = (slot.get("valueElicitationSetting") or {}).get("promptSpecification") or {}
        else:
            spec = (self.conv.intent(intent["name"]).get("intentConfirmationSetting") or {}).get(
                "promptSpecification") or {}
        return int(spec.get("maxRetries", 2))

    def _reprompt(self, state: dict[str, Any], intent: dict[str, Any], action: dict[str, Any]) -> Turn:
        if action.get("type") == "ElicitSlot" and action.get("subSlotToElicit"):
            slot = self.conv.slot(intent["name"], action.get("slotToElicit", "")) or {}
            messages = messages_of(composite.prompt_of(slot, action["subSlotToElicit"].get("name", "")))
        elif action.get("type") == "ElicitSlot":
            slot = self.conv.slot(intent["name"], action.get("slotToElicit", "")) or {}
            messages = messages_of((slot.get("valueElicitationSetting") or {}).get("promptSpecification"))
        else:
            setting = self.conv.intent(intent["name"]).get("intentConfirmationSetting") or {}
            messages = messages_of(setting.get("promptSpecification"))
        return Turn(state, messages, [self._interpretation(intent, None)])

    # -- dialog management --------------------------------------------------------------------

    async def _advance(self, state: dict[str, Any], intent: dict[str, Any],
                       interpretations: list[dict[str, Any]]) -> Turn:
        state["intent"] = intent
        definition = self.conv.intent(intent["name"])
        fallback = definition.get("parentIntentSignature") == "AMAZON.FallbackIntent"
        if (definition.get("dialogCodeHook") or {}).get("enabled") and not fallback:
            answered = await self._hook("DialogCodeHook", state, interpretations)
            if answered is not None:
                return answered
            intent = state["intent"]  # Delegate: Lex carries on with what the function left
        return await self._delegate(state, intent, definition, interpretations, fallback)

    async def _delegate(self, state: dict[str, Any], intent: dict[str, Any], definition: dict[str, Any],
                        interpretations: list[dict[str, Any]], fallback: bool) -> Turn:
        for slot in self.conv.slots.get(intent["name"], []):
            setting = slot.get("valueElicitationSetting") or {}
            if composite.is_composite(slot) and setting.get("slotConstraint") == "Required":
                sub = composite.missing_sub_slot(slot, (intent.get("slots") or {}).get(slot["slotName"]))
                if sub is not None:
                    state["dialogAction"] = {"type": "ElicitSlot", "slotToElicit": slot["slotName"],
                                             "subSlotToElicit": {"name": sub}}
                    intent["state"] = "InProgress"
                    return Turn(state, messages_of(composite.prompt_of(slot, sub)), interpretations)
                continue
            if setting.get("slotConstraint") == "Required" and not (intent.get("slots") or {}).get(slot["slotName"]):
                state["dialogAction"] = {"type": "ElicitSlot", "slotToElicit": slot["slotName"]}
                intent["state"] = "InProgress"
                return Turn(state, messages_of(setting.get("promptSpecification")), interpretations)
        confirm = definition.get("intentConfirmationSetting") or {}
        if confirm.get("promptSpecification") and confirm.get("active", True):
            if intent.get("confirmationState", "None") == "None":
                state["dialogAction"] = {"type": "ConfirmIntent"}
                return Turn(state, messages_of(confirm["promptSpecification"]), interpretations)
            if intent["confirmationState"] == "Denied":
                intent["state"] = "Failed"
                state["dialogAction"] = {"type": "Close"}
                return Turn(state, messages_of(confirm.get("declinationResponse")), interpretations)
        intent["state"] = "ReadyForFulfillment"
        if (definition.get("fulfillmentCodeHook") or {}).get("enabled"):
            answered = await self._hook("FulfillmentCodeHook", state, interpretations)
            if answered is not None:
                return answered
        intent["state"] = "Fulfilled" if not fallback or intent["state"] == "ReadyForFulfillment" else intent["state"]
        state["dialogAction"] = {"type": "Close"}
        closing = definition.get("intentClosingSetting") or {}
        messages = messages_of(closing.get("closingResponse")) if closing.get("active", True) else []
        return Turn(state, messages, interpretations)

    # -- code hooks ---------------------------------------------------------------------------

    def _event(self, source: str, state: dict[str, Any], interpretations: list[dict[str, Any]]) -> dict[str, Any]:
        return {"messageVersion": "1.0", "invocationSource": source, "inputMode": "Text",
                "responseContentType": "text/plain; charset=utf-8", "sessionId": self.session_id,
                "inputTranscript": self.text, "bot": self.conv.bot_info(),
                "interpretations": interpretations, "requestAttributes": self.request_attributes,
                "sessionState": state, "transcriptions": [
                    {"transcription": self.text, "transcriptionConfidence": 1.0,
                     "resolvedContext": {"intent": state["intent"]["name"]}}]}

    async def _hook(self, source: str, state: dict[str, Any], interpretations: list[dict[str, Any]]) -> Turn | None:
        """Call the alias's function; None when it delegates back to Lex."""
        arn = self.conv.code_hook_arn()
        if not arn:
            return None  # no function on the alias: Lex goes on without the hook, as AWS does
        ctx = self.conv.ctx
        if not service_may_invoke(self.platform, arn, ctx.account, ctx.region, PRINCIPAL, {
                "AWS:SourceArn": self.conv.source_arn(), "AWS:SourceAccount": ctx.account}):
            raise errors.DependencyFailed(
                f"Invalid Bot Configuration: Lex is unable to access the Lambda function {arn} in the context of "
                f"{self.conv.source_arn()}. The function's resource-based policy must allow the principal "
                f"{PRINCIPAL} to call lambda:InvokeFunction.")
        try:
            result = await self.platform.component(FrontDoorCalls).invoke(
                arn, self._event(source, state, interpretations), account=ctx.account, region=ctx.region,
                timeout=HOOK_TIMEOUT)
        except IntegrationFailure as exc:
            raise errors.DependencyFailed(f"Invalid Lambda Response: Received error response from Lambda: "
                                          f"{exc.detail or exc.kind}") from None
        return self._apply(state, result.payload, interpretations)

    def _apply(self, state: dict[str, Any], payload: bytes, interpretations: list[dict[str, Any]]) -> Turn | None:
        try:
            answer = json.loads(payload)
            new_state = answer.get("sessionState") or {}
            action = new_state.get("dialogAction") or {}
        except (ValueError, AttributeError):
            raise errors.DependencyFailed("Invalid Lambda Response: Received invalid response from Lambda: "
                                          "the response is not a JSON object") from None
        if action.get("type") not in ACTIONS:
            raise errors.DependencyFailed("Invalid Lambda Response: Received invalid response from Lambda: "
                                          "sessionState.dialogAction.type must be one of " + ", ".join(ACTIONS))
        if "sessionAttributes" in new_state:
            state["sessionAttributes"] = new_state["sessionAttributes"] or {}
        if "activeContexts" in new_state:
            self.hook_contexts = list(new_state["activeContexts"] or [])
        if new_state.get("intent"):
            previous = state.get("intent") or {}
            state["intent"] = {"confirmationState": "None", "slots": {}, **new_state["intent"]}
            if previous.get("name") != state["intent"]["name"]:
                self.conv.intent(state["intent"]["name"])  # a function may switch to another intent of the bot
        if action["type"] == "Delegate":
            return None
        state["dialogAction"] = action
        intent = state.get("intent") or {}
        messages = answer.get("messages") or []
        if action["type"] == "Close":
            intent["state"] = intent.get("state") if intent.get("state") in ("Fulfilled", "Failed") else "Fulfilled"
        elif action["type"] == "ElicitSlot" and not messages:
            slot = self.conv.slot(intent.get("name", ""), action.get("slotToElicit", "")) or {}
            messages = messages_of((slot.get("valueElicitationSetting") or {}).get("promptSpecification"))
        elif action["type"] == "ConfirmIntent" and not messages:
            setting = self.conv.intent(intent["name"]).get("intentConfirmationSetting") or {}
            messages = messages_of(setting.get("promptSpecification"))
        if action["type"] in ("ElicitSlot", "ConfirmIntent") and intent:
            intent["state"] = "InProgress"
        return Turn(state, messages, interpretations)
