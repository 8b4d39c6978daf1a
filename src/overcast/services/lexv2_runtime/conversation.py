"""What one turn of a Lex V2 conversation works on: the bot as its alias's version defines it (the
locale's intents, their slots and slot types, the alias's code hook), and Lex's messages and
prompts.

Shapes are Lex V2's runtime shapes: an intent is `{name, slots, state, confirmationState}`, a slot
`{"shape": "Scalar", "value": {originalValue, interpretedValue, resolvedValues}}`.
https://docs.aws.amazon.com/lexv2/latest/APIReference/API_runtime_Intent.html
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from overcast.context import RequestContext
from overcast.services.lexv2_models.inbox import LexStore, errors, matcher

FALLBACK_SIGNATURE = "AMAZON.FallbackIntent"


def messages_of(spec: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The messages of a prompt or response specification (the first message of each group,
    which is what Lex sends when it does not pick variations)."""
    out: list[dict[str, Any]] = []
    for group in (spec or {}).get("messageGroups") or []:
        message = group.get("message") or {}
        if message.get("plainTextMessage"):
            out.append({"content": message["plainTextMessage"]["value"], "contentType": "PlainText"})
        elif message.get("ssmlMessage"):
            out.append({"content": message["ssmlMessage"]["value"], "contentType": "SSML"})
        elif message.get("customPayload"):
            out.append({"content": message["customPayload"]["value"], "contentType": "CustomPayload"})
        elif message.get("imageResponseCard"):
            out.append({"contentType": "ImageResponseCard", "imageResponseCard": message["imageResponseCard"]})
    return out


def slot_value(resolution: matcher.Resolution) -> dict[str, Any]:
    return {"shape": "Scalar", "value": {"originalValue": resolution.original,
                                         "interpretedValue": resolution.interpreted,
                                         "resolvedValues": resolution.resolved}}


#: How a viewer lists several values for a multi-value slot ("ham, olives and pineapple").
_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", re.IGNORECASE)


def list_value(said: str, values: list[matcher.Resolution]) -> dict[str, Any]:
    """A multi-value slot (`multipleValuesSetting.allowMultipleValues`): Lex V2's `List` shape, the
    whole answer as `value` and each part in `values`
    (https://docs.aws.amazon.com/lexv2/latest/dg/multi-valued-slots.html)."""
    return {"shape": "List", "value": {"originalValue": said, "interpretedValue": said, "resolvedValues": []},
            "values": [slot_value(v) for v in values]}


@dataclass
class Conversation:
    """A bot alias's locale, loaded for one turn."""

    ctx: RequestContext
    bot: dict[str, Any]
    alias: dict[str, Any]
    locale_id: str
    intents: list[dict[str, Any]]
    slots: dict[str, list[dict[str, Any]]]        # intent name → its slots, by priority
    slot_types: dict[str, matcher.SlotType]       # custom slot type id → type
    now: float = 0.0                              # the platform clock's time of the turn

    @classmethod
    def load(cls, store: LexStore, ctx: RequestContext, bot_id: str, alias_id: str, locale_id: str,
             now: float) -> Conversation:
        bot = store.bot(ctx.account, ctx.region, bot_id)
        alias = store.alias(ctx.account, ctx.region, bot_id, alias_id)
        version = alias.get("botVersion") or "DRAFT"
        store.locale(ctx.account, ctx.region, bot_id, version, locale_id)
        intents = store.intents(ctx.account, ctx.region, bot_id, version, locale_id)
        slot_types = {t["slotTypeId"]: matcher.SlotType.from_lex(t)
                      for t in store.slot_types(ctx.account, ctx.region, bot_id, version, locale_id)}
        slots = {}
        for intent in intents:
            found = store.slots(ctx.account, ctx.region, bot_id, version, locale_id, intent["intentId"])
            order = {p["slotId"]: p["priority"] for p in intent.get("slotPriorities") or []}
            slots[intent["intentName"]] = sorted(found, key=lambda s: order.get(s["slotId"], 1000))
        return cls(ctx, bot, alias, locale_id, intents, slots, slot_types, now)

    # -- the bot ------------------------------------------------------------------------------

    def intent(self, name: str) -> dict[str, Any]:
        for intent in self.intents:
            if intent["intentName"] == name:
                return intent
        raise errors.Validation(f"The intent {name} does not exist in the bot locale {self.locale_id}.")

    def fallback_name(self) -> str:
        for intent in self.intents:
            if intent.get("parentIntentSignature") == FALLBACK_SIGNATURE:
                return str(intent["intentName"])
        return "FallbackIntent"

    def slot(self, intent: str, name: str) -> dict[str, Any] | None:
        return next((s for s in self.slots.get(intent, []) if s["slotName"] == name), None)

    def matcher_intents(self, active: set[str] | None = None) -> list[matcher.Intent]:
        """The intents the matcher may recognize: not the fallback, and only those whose input
        contexts are all in `active`."""
        return [matcher.Intent(i["intentName"], [u["utterance"] for u in i.get("sampleUtterances") or []],
                               {s["slotName"]: (s.get("slotTypeId"), self.slot_types.get(s.get("slotTypeId", "")))
                                for s in self.slots.get(i["intentName"], [])})
                for i in self.intents if i.get("parentIntentSignature") != FALLBACK_SIGNATURE
                and all(c.get("name") in (active or set()) for c in i.get("inputContexts") or [])]

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.now, dt.UTC).date()

    def resolve_slot(self, intent: str, name: str, text: str) -> matcher.Resolution | None:
        slot = self.slot(intent, name)
        if slot is None:
            return None
        type_id = slot.get("slotTypeId")
        return matcher.resolve(type_id, self.slot_types.get(type_id or ""), matcher.normalize(text), self.today())

    def slot_from_text(self, intent: str, name: str, text: str) -> dict[str, Any] | None:
        """The slot's value for what was said (a `List` for a multi-value slot), or None when the
        slot's type refuses it."""
        slot = self.slot(intent, name)
        if slot is None:
            return None
        if not (slot.get("multipleValuesSetting") or {}).get("allowMultipleValues"):
            found = self.resolve_slot(intent, name, text)
            return slot_value(found) if found is not None else None
        parts = [matcher.normalize(p) for p in _SEPARATORS.split(text.strip()) if matcher.normalize(p)]
        values = [self.resolve_slot(intent, name, part) for part in parts]
        if not values or any(v is None for v in values):
            return None
        return list_value(matcher.normalize(text), [v for v in values if v is not None])

    def resolve_typed(self, type_id: str | None, text: str) -> matcher.Resolution | None:
        """What `text` is for a slot type (a sub-slot's), or None when the type refuses it."""
        return matcher.resolve(type_id, self.slot_types.get(type_id or ""), matcher.normalize(text), self.today())

    def code_hook_arn(self) -> str | None:
        """The Lambda function the alias's locale settings name for code hooks, if enabled."""
        settings = (self.alias.get("botAliasLocaleSettings") or {}).get(self.locale_id) or {}
        if not settings.get("enabled", False):
            return None
        hook = ((settings.get("codeHookSpecification") or {}).get("lambdaCodeHook")) or {}
        return hook.get("lambdaARN")

    def source_arn(self) -> str:
        return (f"arn:aws:lex:{self.ctx.region}:{self.ctx.account}:bot-alias/{self.bot['botId']}/"
                f"{self.alias['botAliasId']}")

    def bot_info(self) -> dict[str, Any]:
        return {"id": self.bot["botId"], "name": self.bot["botName"], "aliasId": self.alias["botAliasId"],
                "aliasName": self.alias["botAliasName"], "localeId": self.locale_id,
                "version": self.alias.get("botVersion") or "DRAFT"}

    def new_intent(self, name: str, found: dict[str, matcher.Resolution]) -> dict[str, Any]:
        slots: dict[str, Any] = {s["slotName"]: None for s in self.slots.get(name, [])}
        for key, value in found.items():
            slots[key] = (self.slot_from_text(name, key, value.original) or slot_value(value)
                          if (self.slot(name, key) or {}).get("multipleValuesSetting") else slot_value(value))
        return {"name": name, "slots": slots, "state": "InProgress", "confirmationState": "None"}
