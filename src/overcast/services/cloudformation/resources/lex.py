"""AWS::Lex::Bot (with its inline BotLocales, Intents, Slots and SlotTypes, built when
AutoBuildBotLocales is true, and its TestBotAliasSettings), AWS::Lex::BotVersion and
AWS::Lex::BotAlias.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lex-bot.html

CloudFormation writes Lex's API members in PascalCase and calls a few of them differently
(`MessageGroupsList` for `messageGroups`, `LambdaArn` for `lambdaARN`, slot types and slot
priorities by name rather than id); `_api` translates.
"""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider

_RENAMED = {"MessageGroupsList": "messageGroups", "LambdaArn": "lambdaARN", "IsActive": "active",
            "NluConfidenceThreshold": "nluIntentConfidenceThreshold"}
#: AWS seconds between polls of a bot's, locale's or version's status
_POLL = 1.0


def _api(value: Any) -> Any:
    """A CloudFormation property value as the Lex V2 API writes it."""
    if isinstance(value, list):
        return [_api(v) for v in value]
    if isinstance(value, dict):
        return {_RENAMED.get(k, k[:1].lower() + k[1:]): _api(v) for k, v in value.items()}
    return value


def _locale_map(items: list[dict[str, Any]] | None, key: str) -> dict[str, Any] | None:
    """CloudFormation's `[{LocaleId, <key>: {...}}]` as the API's map keyed by locale."""
    return {i["LocaleId"]: _api(i.get(key) or {}) for i in items or []} or None


async def _wait(d: Deployment, operation: str, params: dict[str, Any], field: str, done: str) -> None:
    for _ in range(600):
        status = (await d.call("lexv2-models", operation, params)).get(field)
        if status == done:
            return
        if status == "Failed":
            raise RuntimeError(f"{operation} reports {field} Failed")
        await d.platform.clock.sleep(_POLL)


class BotProvider(Provider):
    """Ref is the bot id; GetAtt Arn, Id. Every change replaces the bot's draft (overcast rebuilds
    the bot rather than diffing its locales)."""

    types = ("AWS::Lex::Bot",)
    name_property = "Name"
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        bot = await d.call("lexv2-models", "CreateBot", {
            "botName": d.name("Name", 100), "description": props.get("Description"), "roleArn": props.get("RoleArn"),
            "dataPrivacy": _api(props.get("DataPrivacy") or {"ChildDirected": False}),
            "idleSessionTTLInSeconds": int(props.get("IdleSessionTTLInSeconds", 300)),
            "botTags": {t["Key"]: t["Value"] for t in props.get("BotTags") or []} or None,
            "testBotAliasTags": {t["Key"]: t["Value"] for t in props.get("TestBotAliasTags") or []} or None})
        bot_id = bot["botId"]
        await _wait(d, "DescribeBot", {"botId": bot_id}, "botStatus", "Available")
        for locale in props.get("BotLocales") or []:
            await self._locale(d, bot_id, locale)
        if str(props.get("AutoBuildBotLocales", False)).lower() == "true":
            for locale in props.get("BotLocales") or []:
                where = {"botId": bot_id, "botVersion": "DRAFT", "localeId": locale["LocaleId"]}
                await d.call("lexv2-models", "BuildBotLocale", where)
                await _wait(d, "DescribeBotLocale", where, "botLocaleStatus", "Built")
        settings = props.get("TestBotAliasSettings") or {}
        if settings:
            await d.call("lexv2-models", "UpdateBotAlias", {
                "botId": bot_id, "botAliasId": "TSTALIASID", "botAliasName": "TestBotAlias", "botVersion": "DRAFT",
                "description": settings.get("Description"),
                "botAliasLocaleSettings": _locale_map(settings.get("BotAliasLocaleSettings"), "BotAliasLocaleSetting"),
                "sentimentAnalysisSettings": _api(settings.get("SentimentAnalysisSettings"))})
        return Outcome(bot_id, {"Arn": d.arn("lex", f"bot/{bot_id}"), "Id": bot_id})

    async def _locale(self, d: Deployment, bot_id: str, locale: dict[str, Any]) -> None:
        where = {"botId": bot_id, "botVersion": "DRAFT", "localeId": locale["LocaleId"]}
        await d.call("lexv2-models", "CreateBotLocale", {
            **where, "description": locale.get("Description"),
            "nluIntentConfidenceThreshold": float(locale.get("NluConfidenceThreshold", 0.4)),
            "voiceSettings": _api(locale.get("VoiceSettings"))})
        await _wait(d, "DescribeBotLocale", where, "botLocaleStatus", "NotBuilt")
        type_ids: dict[str, str] = {}
        for slot_type in locale.get("SlotTypes") or []:
            created = await d.call("lexv2-models", "CreateSlotType", {
                **where, "slotTypeName": slot_type["Name"], "description": slot_type.get("Description"),
                "slotTypeValues": _api(slot_type.get("SlotTypeValues")),
                "valueSelectionSetting": _api(slot_type.get("ValueSelectionSetting")),
                "parentSlotTypeSignature": slot_type.get("ParentSlotTypeSignature")})
            type_ids[slot_type["Name"]] = created["slotTypeId"]
        for intent in locale.get("Intents") or []:
            if intent.get("ParentIntentSignature") == "AMAZON.FallbackIntent":
                continue  # every locale has its fallback intent already
            await self._intent(d, where, intent, type_ids)

    async def _intent(self, d: Deployment, where: dict[str, Any], intent: dict[str, Any],
                      type_ids: dict[str, str]) -> None:
        fields = {k[:1].lower() + k[1:]: _api(intent.get(k)) for k in (
            "Description", "ParentIntentSignature", "SampleUtterances", "DialogCodeHook", "FulfillmentCodeHook",
            "IntentConfirmationSetting", "IntentClosingSetting", "InputContexts", "OutputContexts")}
        created = await d.call("lexv2-models", "CreateIntent", {**where, "intentName": intent["Name"], **fields})
        slot_ids: dict[str, str] = {}
        for slot in intent.get("Slots") or []:
            type_name = slot.get("SlotTypeName", "")
            made = await d.call("lexv2-models", "CreateSlot", {
                **where, "intentId": created["intentId"], "slotName": slot["Name"],
                "description": slot.get("Description"), "slotTypeId": type_ids.get(type_name, type_name),
                "valueElicitationSetting": _api(slot.get("ValueElicitationSetting"))})
            slot_ids[slot["Name"]] = made["slotId"]
        if intent.get("SlotPriorities"):
            await d.call("lexv2-models", "UpdateIntent", {
                **where, "intentId": created["intentId"], "intentName": intent["Name"], **fields,
                "slotPriorities": [{"priority": int(p["Priority"]), "slotId": slot_ids[p["SlotName"]]}
                                   for p in intent["SlotPriorities"]]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("lexv2-models", "DeleteBot", {"botId": d.physical_id,
                                                               "skipResourceInUseCheck": True})


class BotVersionProvider(Provider):
    """Ref is the version number; GetAtt BotVersion. Versions are immutable."""

    types = ("AWS::Lex::BotVersion",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        bot_id = d.properties["BotId"]
        spec = {i["LocaleId"]: _api(i.get("BotVersionLocaleDetails") or {"SourceBotVersion": "DRAFT"})
                for i in d.properties.get("BotVersionLocaleSpecification") or []}
        made = await d.call("lexv2-models", "CreateBotVersion", {
            "botId": bot_id, "description": d.properties.get("Description"), "botVersionLocaleSpecification": spec})
        version = made["botVersion"]
        await _wait(d, "DescribeBotVersion", {"botId": bot_id, "botVersion": version}, "botStatus", "Available")
        return Outcome(f"{bot_id}|{version}", {"BotVersion": version}, ref=version)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id and "|" in d.physical_id:
            bot_id, version = d.physical_id.split("|", 1)
            await d.call_quietly("lexv2-models", "DeleteBotVersion", {"botId": bot_id, "botVersion": version,
                                                                      "skipResourceInUseCheck": True})


class BotAliasProvider(Provider):
    """Ref is `botAliasId|botId`; GetAtt Arn, BotAliasId."""

    types = ("AWS::Lex::BotAlias",)
    replace = frozenset({"BotId"})

    def _params(self, d: Deployment) -> dict[str, Any]:
        props = d.properties
        return {"botId": props["BotId"], "botAliasName": props["BotAliasName"], "botVersion": props.get("BotVersion"),
                "description": props.get("Description"),
                "botAliasLocaleSettings": _locale_map(props.get("BotAliasLocaleSettings"), "BotAliasLocaleSetting"),
                "sentimentAnalysisSettings": _api(props.get("SentimentAnalysisSettings")),
                "conversationLogSettings": _api(props.get("ConversationLogSettings"))}

    def _outcome(self, d: Deployment, alias_id: str) -> Outcome:
        bot_id = d.properties["BotId"]
        return Outcome(f"{alias_id}|{bot_id}", {"Arn": d.arn("lex", f"bot-alias/{bot_id}/{alias_id}"),
                                                "BotAliasId": alias_id})

    async def create(self, d: Deployment) -> Outcome:
        tags = {t["Key"]: t["Value"] for t in d.properties.get("BotAliasTags") or []} or None
        made = await d.call("lexv2-models", "CreateBotAlias", {**self._params(d), "tags": tags})
        return self._outcome(d, made["botAliasId"])

    async def update(self, d: Deployment) -> Outcome:
        alias_id = (d.physical_id or "").split("|", 1)[0]
        await d.call("lexv2-models", "UpdateBotAlias", {**self._params(d), "botAliasId": alias_id})
        return self._outcome(d, alias_id)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id and "|" in d.physical_id:
            alias_id, bot_id = d.physical_id.split("|", 1)
            await d.call_quietly("lexv2-models", "DeleteBotAlias", {"botId": bot_id, "botAliasId": alias_id,
                                                                    "skipResourceInUseCheck": True})


PROVIDERS = [BotProvider(), BotVersionProvider(), BotAliasProvider()]
