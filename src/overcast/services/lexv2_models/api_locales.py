"""Bot locales (and their builds), intents, slots and custom slot types."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.lexv2_models.api_base import LOCALES, ApiBase, page
from overcast.services.lexv2_models.errors import PreconditionFailed, Validation, not_found
from overcast.services.lexv2_models.matcher import BUILT_IN_SLOT_TYPES
from overcast.services.lexv2_models.models import (
    BUILD_SECONDS,
    CREATE_SECONDS,
    DRAFT,
    new_id,
    parent_of,
    public,
)

_INTENT_FIELDS = {
    "description": "description", "intent_display_name": "intentDisplayName",
    "parent_intent_signature": "parentIntentSignature", "sample_utterances": "sampleUtterances",
    "dialog_code_hook": "dialogCodeHook", "fulfillment_code_hook": "fulfillmentCodeHook",
    "intent_confirmation_setting": "intentConfirmationSetting", "intent_closing_setting": "intentClosingSetting",
    "input_contexts": "inputContexts", "output_contexts": "outputContexts",
    "kendra_configuration": "kendraConfiguration", "initial_response_setting": "initialResponseSetting",
    "slot_priorities": "slotPriorities",
}
_SLOT_FIELDS = {"description": "description", "slot_type_id": "slotTypeId",
                "value_elicitation_setting": "valueElicitationSetting", "obfuscation_setting": "obfuscationSetting",
                "multiple_values_setting": "multipleValuesSetting", "sub_slot_setting": "subSlotSetting"}
_SLOT_TYPE_FIELDS = {"description": "description", "slot_type_values": "slotTypeValues",
                     "value_selection_setting": "valueSelectionSetting",
                     "parent_slot_type_signature": "parentSlotTypeSignature",
                     "external_source_setting": "externalSourceSetting",
                     "composite_slot_type_setting": "compositeSlotTypeSetting"}


def _fields(mapping: dict[str, str], given: dict[str, Any]) -> dict[str, Any]:
    return {wire: given.get(arg) for arg, wire in mapping.items()}


class LocaleOperations(ApiBase):
    # -- locales ------------------------------------------------------------------------------

    def create_bot_locale(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str,
                          nlu_intent_confidence_threshold: float, description: str | None = None,
                          voice_settings: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        if locale_id not in LOCALES:
            raise Validation(f"The locale {locale_id} is not supported.")
        parent = parent_of(bot_id, bot_version)
        if self.store.get(ctx.account, ctx.region, "locale", locale_id, parent) is not None:
            raise PreconditionFailed(f"The bot locale {locale_id} already exists for bot {bot_id}.")
        now = self._now()
        doc: dict[str, Any] = {"botId": bot_id, "botVersion": bot_version, "localeId": locale_id,
                               "localeName": LOCALES[locale_id], "description": description,
                               "nluIntentConfidenceThreshold": nlu_intent_confidence_threshold,
                               "voiceSettings": voice_settings, "creationDateTime": now, "lastUpdatedDateTime": now}
        self.store.later(doc, "botLocaleStatus", "Creating", "NotBuilt", CREATE_SECONDS)
        fallback: dict[str, Any] = {"intentId": "FALLBCKINT", "intentName": "FallbackIntent", "botId": bot_id,
                    "botVersion": bot_version, "localeId": locale_id, "description": "Default intent when no "
                    "other intent matches", "parentIntentSignature": "AMAZON.FallbackIntent",
                    "creationDateTime": now, "lastUpdatedDateTime": now}
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "locale", locale_id, doc, parent)
            # AWS gives every locale the built-in fallback intent, FallbackIntent
            self.store.put(ctx.account, ctx.region, "intent", "FALLBCKINT", fallback,
                           parent_of(bot_id, bot_version, locale_id))
        return public(doc)

    def describe_bot_locale(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str
                            ) -> dict[str, Any]:
        doc = self._locale(ctx, bot_id, bot_version, locale_id)
        under = parent_of(bot_id, bot_version, locale_id)
        return {**public(doc), "intentsCount": len(self.store.children(ctx.account, ctx.region, "intent", under)),
                "slotTypesCount": len(self.store.children(ctx.account, ctx.region, "slottype", under))}

    def update_bot_locale(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str,
                          nlu_intent_confidence_threshold: float, description: str | None = None,
                          voice_settings: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        self._draft_only(bot_version)
        doc = self._locale(ctx, bot_id, bot_version, locale_id)
        doc.update(nluIntentConfidenceThreshold=nlu_intent_confidence_threshold, description=description,
                   voiceSettings=voice_settings, lastUpdatedDateTime=self._now())
        self.store.put(ctx.account, ctx.region, "locale", locale_id, doc, parent_of(bot_id, bot_version))
        return public(doc)

    def list_bot_locales(self, ctx: RequestContext, bot_id: str, bot_version: str, max_results: int | None = None,
                         next_token: str | None = None, **_: Any) -> dict[str, Any]:
        self._version(ctx, bot_id, bot_version)
        locales = self.store.children(ctx.account, ctx.region, "locale", parent_of(bot_id, bot_version))
        summaries = [{k: d.get(k) for k in ("localeId", "localeName", "description", "botLocaleStatus",
                                              "lastUpdatedDateTime", "lastBuildSubmittedDateTime")} for d in locales]
        items, token = page(summaries, max_results, next_token)
        return {"botId": bot_id, "botVersion": bot_version, "botLocaleSummaries": items, "nextToken": token}

    def delete_bot_locale(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str
                          ) -> dict[str, Any]:
        self._locale(ctx, bot_id, bot_version, locale_id)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, "locale", locale_id, parent_of(bot_id, bot_version))
            self.store.delete_subtree(ctx.account, ctx.region, parent_of(bot_id, bot_version, locale_id))
        return {"botId": bot_id, "botVersion": bot_version, "localeId": locale_id, "botLocaleStatus": "Deleting"}

    def build_bot_locale(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str
                         ) -> dict[str, Any]:
        self._draft_only(bot_version)
        doc = self._locale(ctx, bot_id, bot_version, locale_id)
        if doc["botLocaleStatus"] in ("Creating", "Building"):
            raise PreconditionFailed(f"The bot locale {locale_id} is {doc['botLocaleStatus']}; try again later.")
        self._check_buildable(ctx, bot_id, locale_id)
        now = self._now()
        doc["lastBuildSubmittedDateTime"] = now
        self.store.later(doc, "botLocaleStatus", "Building", "Built", BUILD_SECONDS)  # NotBuilt → Building → Built
        self.store.put(ctx.account, ctx.region, "locale", locale_id, doc, parent_of(bot_id, bot_version))
        return {"botId": bot_id, "botVersion": bot_version, "localeId": locale_id,
                "botLocaleStatus": doc["botLocaleStatus"], "lastBuildSubmittedDateTime": now}

    def _check_buildable(self, ctx: RequestContext, bot_id: str, locale_id: str) -> None:
        """AWS's build fails a locale with no intent of its own (the fallback intent does not count)."""
        intents = self.store.intents(ctx.account, ctx.region, bot_id, DRAFT, locale_id)
        if not any(i.get("parentIntentSignature") != "AMAZON.FallbackIntent" for i in intents):
            raise PreconditionFailed("Failed to build the bot locale: it must contain at least one intent besides "
                                     "the fallback intent.")

    # -- intents ------------------------------------------------------------------------------

    def create_intent(self, ctx: RequestContext, intent_name: str, bot_id: str, bot_version: str, locale_id: str,
                      **given: Any) -> dict[str, Any]:
        self._draft_only(bot_version)
        self._locale(ctx, bot_id, bot_version, locale_id)
        parent = parent_of(bot_id, bot_version, locale_id)
        self._unique(self.store.children(ctx.account, ctx.region, "intent", parent), "intentName", intent_name, "intent")
        now = self._now()
        doc = {"intentId": new_id(), "intentName": intent_name, "botId": bot_id, "botVersion": bot_version,
               "localeId": locale_id, "creationDateTime": now, "lastUpdatedDateTime": now,
               **_fields(_INTENT_FIELDS, given)}
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "intent", doc["intentId"], doc, parent)
            self._draft_changed(ctx, bot_id, locale_id)
        return public(doc)

    def _intent(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str, intent_id: str
                ) -> dict[str, Any]:
        self._locale(ctx, bot_id, bot_version, locale_id)
        return self.store.need(ctx.account, ctx.region, "intent", intent_id, parent_of(bot_id, bot_version, locale_id))

    def describe_intent(self, ctx: RequestContext, intent_id: str, bot_id: str, bot_version: str, locale_id: str
                        ) -> dict[str, Any]:
        doc = self._intent(ctx, bot_id, bot_version, locale_id, intent_id)
        slots = self.store.slots(ctx.account, ctx.region, bot_id, bot_version, locale_id, intent_id)
        priorities = doc.get("slotPriorities") or [{"priority": n + 1, "slotId": s["slotId"]}
                                                    for n, s in enumerate(slots)]
        return {**public(doc), "slotPriorities": priorities}

    def update_intent(self, ctx: RequestContext, intent_id: str, intent_name: str, bot_id: str, bot_version: str,
                      locale_id: str, **given: Any) -> dict[str, Any]:
        self._draft_only(bot_version)
        doc = self._intent(ctx, bot_id, bot_version, locale_id, intent_id)
        parent = parent_of(bot_id, bot_version, locale_id)
        self._unique(self.store.children(ctx.account, ctx.region, "intent", parent), "intentName", intent_name, "intent",
                     ("intentId", intent_id))
        slot_ids = {s["slotId"] for s in self.store.slots(ctx.account, ctx.region, bot_id, bot_version, locale_id,
                                                          intent_id)}
        for priority in given.get("slot_priorities") or []:
            if priority.get("slotId") not in slot_ids:
                raise PreconditionFailed(f"The slot {priority.get('slotId')} in slotPriorities does not exist.")
        doc.update(intentName=intent_name, lastUpdatedDateTime=self._now(), **_fields(_INTENT_FIELDS, given))
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "intent", intent_id, doc, parent)
            self._draft_changed(ctx, bot_id, locale_id)
        return self.describe_intent(ctx, intent_id, bot_id, bot_version, locale_id)

    def list_intents(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str,
                     max_results: int | None = None, next_token: str | None = None, **_: Any) -> dict[str, Any]:
        self._locale(ctx, bot_id, bot_version, locale_id)
        intents = self.store.intents(ctx.account, ctx.region, bot_id, bot_version, locale_id)
        summaries = [{k: d.get(k) for k in ("intentId", "intentName", "intentDisplayName", "description",
                                              "parentIntentSignature", "inputContexts", "outputContexts",
                                              "lastUpdatedDateTime")} for d in intents]
        items, token = page(summaries, max_results, next_token)
        return {"botId": bot_id, "botVersion": bot_version, "localeId": locale_id, "intentSummaries": items,
                "nextToken": token}

    def delete_intent(self, ctx: RequestContext, intent_id: str, bot_id: str, bot_version: str, locale_id: str
                      ) -> dict[str, Any]:
        self._draft_only(bot_version)
        self._intent(ctx, bot_id, bot_version, locale_id, intent_id)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, "intent", intent_id, parent_of(bot_id, bot_version, locale_id))
            self.store.delete_subtree(ctx.account, ctx.region, parent_of(bot_id, bot_version, locale_id, intent_id))
            self._draft_changed(ctx, bot_id, locale_id)
        return {}

    # -- slots --------------------------------------------------------------------------------

    def _check_slot_type(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str,
                         slot_type_id: str | None) -> None:
        if slot_type_id and slot_type_id not in BUILT_IN_SLOT_TYPES and self.store.get(
                ctx.account, ctx.region, "slottype", slot_type_id, parent_of(bot_id, bot_version, locale_id)) is None:
            raise PreconditionFailed(f"The slot type {slot_type_id} does not exist.")

    def create_slot(self, ctx: RequestContext, slot_name: str, bot_id: str, bot_version: str, locale_id: str,
                    intent_id: str, **given: Any) -> dict[str, Any]:
        self._draft_only(bot_version)
        self._intent(ctx, bot_id, bot_version, locale_id, intent_id)
        self._check_slot_type(ctx, bot_id, bot_version, locale_id, given.get("slot_type_id"))
        parent = parent_of(bot_id, bot_version, locale_id, intent_id)
        self._unique(self.store.children(ctx.account, ctx.region, "slot", parent), "slotName", slot_name, "slot")
        now = self._now()
        doc = {"slotId": new_id(), "slotName": slot_name, "botId": bot_id, "botVersion": bot_version,
               "localeId": locale_id, "intentId": intent_id, "creationDateTime": now, "lastUpdatedDateTime": now,
               **_fields(_SLOT_FIELDS, given)}
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "slot", doc["slotId"], doc, parent)
            self._draft_changed(ctx, bot_id, locale_id)
        return public(doc)

    def _slot(self, ctx: RequestContext, slot_id: str, bot_id: str, bot_version: str, locale_id: str,
              intent_id: str) -> dict[str, Any]:
        self._intent(ctx, bot_id, bot_version, locale_id, intent_id)
        return self.store.need(ctx.account, ctx.region, "slot", slot_id,
                               parent_of(bot_id, bot_version, locale_id, intent_id))

    def describe_slot(self, ctx: RequestContext, slot_id: str, bot_id: str, bot_version: str, locale_id: str,
                      intent_id: str) -> dict[str, Any]:
        return public(self._slot(ctx, slot_id, bot_id, bot_version, locale_id, intent_id))

    def update_slot(self, ctx: RequestContext, slot_id: str, slot_name: str, bot_id: str, bot_version: str,
                    locale_id: str, intent_id: str, **given: Any) -> dict[str, Any]:
        self._draft_only(bot_version)
        doc = self._slot(ctx, slot_id, bot_id, bot_version, locale_id, intent_id)
        self._check_slot_type(ctx, bot_id, bot_version, locale_id, given.get("slot_type_id"))
        parent = parent_of(bot_id, bot_version, locale_id, intent_id)
        self._unique(self.store.children(ctx.account, ctx.region, "slot", parent), "slotName", slot_name, "slot",
                     ("slotId", slot_id))
        doc.update(slotName=slot_name, lastUpdatedDateTime=self._now(), **_fields(_SLOT_FIELDS, given))
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "slot", slot_id, doc, parent)
            self._draft_changed(ctx, bot_id, locale_id)
        return public(doc)

    def list_slots(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str, intent_id: str,
                   max_results: int | None = None, next_token: str | None = None, **_: Any) -> dict[str, Any]:
        self._intent(ctx, bot_id, bot_version, locale_id, intent_id)
        slots = self.store.slots(ctx.account, ctx.region, bot_id, bot_version, locale_id, intent_id)
        summaries = [{"slotId": s["slotId"], "slotName": s["slotName"], "description": s.get("description"),
                      "slotConstraint": (s.get("valueElicitationSetting") or {}).get("slotConstraint"),
                      "slotTypeId": s.get("slotTypeId"), "lastUpdatedDateTime": s["lastUpdatedDateTime"],
                      "valueElicitationPromptSpecification":
                          (s.get("valueElicitationSetting") or {}).get("promptSpecification")} for s in slots]
        items, token = page(summaries, max_results, next_token)
        return {"botId": bot_id, "botVersion": bot_version, "localeId": locale_id, "intentId": intent_id,
                "slotSummaries": items, "nextToken": token}

    def delete_slot(self, ctx: RequestContext, slot_id: str, bot_id: str, bot_version: str, locale_id: str,
                    intent_id: str) -> dict[str, Any]:
        self._draft_only(bot_version)
        self._slot(ctx, slot_id, bot_id, bot_version, locale_id, intent_id)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, "slot", slot_id,
                              parent_of(bot_id, bot_version, locale_id, intent_id))
            self._draft_changed(ctx, bot_id, locale_id)
        return {}

    # -- slot types ---------------------------------------------------------------------------

    def create_slot_type(self, ctx: RequestContext, slot_type_name: str, bot_id: str, bot_version: str,
                         locale_id: str, **given: Any) -> dict[str, Any]:
        self._draft_only(bot_version)
        self._locale(ctx, bot_id, bot_version, locale_id)
        parent = parent_of(bot_id, bot_version, locale_id)
        self._unique(self.store.children(ctx.account, ctx.region, "slottype", parent), "slotTypeName", slot_type_name,
                     "slot type")
        now = self._now()
        doc = {"slotTypeId": new_id(), "slotTypeName": slot_type_name, "botId": bot_id, "botVersion": bot_version,
               "localeId": locale_id, "creationDateTime": now, "lastUpdatedDateTime": now,
               **_fields(_SLOT_TYPE_FIELDS, given)}
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "slottype", doc["slotTypeId"], doc, parent)
            self._draft_changed(ctx, bot_id, locale_id)
        return public(doc)

    def _slot_type(self, ctx: RequestContext, slot_type_id: str, bot_id: str, bot_version: str, locale_id: str
                   ) -> dict[str, Any]:
        self._locale(ctx, bot_id, bot_version, locale_id)
        return self.store.need(ctx.account, ctx.region, "slottype", slot_type_id,
                               parent_of(bot_id, bot_version, locale_id))

    def describe_slot_type(self, ctx: RequestContext, slot_type_id: str, bot_id: str, bot_version: str,
                           locale_id: str) -> dict[str, Any]:
        return public(self._slot_type(ctx, slot_type_id, bot_id, bot_version, locale_id))

    def update_slot_type(self, ctx: RequestContext, slot_type_id: str, slot_type_name: str, bot_id: str,
                         bot_version: str, locale_id: str, **given: Any) -> dict[str, Any]:
        self._draft_only(bot_version)
        doc = self._slot_type(ctx, slot_type_id, bot_id, bot_version, locale_id)
        doc.update(slotTypeName=slot_type_name, lastUpdatedDateTime=self._now(), **_fields(_SLOT_TYPE_FIELDS, given))
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "slottype", slot_type_id, doc,
                           parent_of(bot_id, bot_version, locale_id))
            self._draft_changed(ctx, bot_id, locale_id)
        return public(doc)

    def list_slot_types(self, ctx: RequestContext, bot_id: str, bot_version: str, locale_id: str,
                        max_results: int | None = None, next_token: str | None = None, **_: Any) -> dict[str, Any]:
        self._locale(ctx, bot_id, bot_version, locale_id)
        types = self.store.slot_types(ctx.account, ctx.region, bot_id, bot_version, locale_id)
        summaries = [{k: d.get(k) for k in ("slotTypeId", "slotTypeName", "description", "parentSlotTypeSignature",
                                              "lastUpdatedDateTime")} | {"slotTypeCategory": "Custom"}
                     for d in types]
        items, token = page(summaries, max_results, next_token)
        return {"botId": bot_id, "botVersion": bot_version, "localeId": locale_id, "slotTypeSummaries": items,
                "nextToken": token}

    def delete_slot_type(self, ctx: RequestContext, slot_type_id: str, bot_id: str, bot_version: str,
                         locale_id: str, skip_resource_in_use_check: bool = False) -> dict[str, Any]:
        self._draft_only(bot_version)
        self._slot_type(ctx, slot_type_id, bot_id, bot_version, locale_id)
        in_use = [s for _, _, _, s in self.store.subtree(ctx.account, ctx.region,
                                                         parent_of(bot_id, bot_version, locale_id))
                  if s.get("slotTypeId") == slot_type_id and "slotId" in s]
        if in_use and not skip_resource_in_use_check:
            raise PreconditionFailed(f"The slot type {slot_type_id} is used by slot {in_use[0]['slotName']}.")
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, "slottype", slot_type_id,
                              parent_of(bot_id, bot_version, locale_id))
            self._draft_changed(ctx, bot_id, locale_id)
        return {}


__all__ = ["LocaleOperations", "not_found"]
