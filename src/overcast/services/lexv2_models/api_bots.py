"""Bots, bot versions and bot aliases."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.lexv2_models.api_base import ApiBase, page
from overcast.services.lexv2_models.errors import PreconditionFailed, Validation, not_found
from overcast.services.lexv2_models.models import (
    CREATE_SECONDS,
    DRAFT,
    TEST_ALIAS,
    TEST_ALIAS_NAME,
    new_id,
    parent_of,
    public,
)

_BOT_FIELDS = ("botName", "description", "roleArn", "dataPrivacy", "idleSessionTTLInSeconds", "botType",
               "botMembers", "errorLogSettings")


class BotOperations(ApiBase):
    def create_bot(self, ctx: RequestContext, bot_name: str, role_arn: str, data_privacy: dict[str, Any],
                   idle_session_ttl_in_seconds: int, description: str | None = None,
                   bot_tags: dict[str, str] | None = None, test_bot_alias_tags: dict[str, str] | None = None,
                   bot_type: str | None = None, **extra: Any) -> dict[str, Any]:
        self._unique(self.store.children(ctx.account, ctx.region, "bot"), "botName", bot_name, "bot")
        bot_id, now = new_id(), self._now()
        doc: dict[str, Any] = {"botId": bot_id, "botName": bot_name, "description": description, "roleArn": role_arn,
                               "dataPrivacy": data_privacy, "idleSessionTTLInSeconds": idle_session_ttl_in_seconds,
                               "botType": bot_type or "Bot", "creationDateTime": now, "lastUpdatedDateTime": now,
                               "botTags": bot_tags or {}, "testBotAliasTags": test_bot_alias_tags or {},
                               "botMembers": extra.get("bot_members"), "errorLogSettings": extra.get("error_log_settings")}
        self.store.later(doc, "botStatus", "Creating", "Available", CREATE_SECONDS)  # on AWS's clock
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, "bot", bot_id, doc)
            # Every bot has the test alias TSTALIASID on its DRAFT version (AWS creates it with the bot).
            self.store.put(ctx.account, ctx.region, "alias", TEST_ALIAS, {
                "botAliasId": TEST_ALIAS, "botAliasName": TEST_ALIAS_NAME, "botId": bot_id, "botVersion": DRAFT,
                "description": "test bot alias", "botAliasStatus": "Available", "creationDateTime": now,
                "lastUpdatedDateTime": now, "tags": test_bot_alias_tags or {}, "sentimentAnalysisSettings":
                {"detectSentiment": False}}, bot_id)
        return public(doc)

    def describe_bot(self, ctx: RequestContext, bot_id: str) -> dict[str, Any]:
        return public(self._bot(ctx, bot_id))

    def update_bot(self, ctx: RequestContext, bot_id: str, bot_name: str, role_arn: str,
                   data_privacy: dict[str, Any], idle_session_ttl_in_seconds: int, **extra: Any) -> dict[str, Any]:
        doc = self._bot(ctx, bot_id)
        self._unique(self.store.children(ctx.account, ctx.region, "bot"), "botName", bot_name, "bot", ("botId", bot_id))
        doc.update(botName=bot_name, roleArn=role_arn, dataPrivacy=data_privacy,
                   idleSessionTTLInSeconds=idle_session_ttl_in_seconds, description=extra.get("description"),
                   lastUpdatedDateTime=self._now())
        self.store.put(ctx.account, ctx.region, "bot", bot_id, doc)
        return public(doc)

    def list_bots(self, ctx: RequestContext, max_results: int | None = None, next_token: str | None = None,
                  filters: list[dict[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
        bots = self.store.children(ctx.account, ctx.region, "bot")
        for f in filters or []:
            values = f.get("values") or []
            if f.get("operator") == "EQ":
                bots = [b for b in bots if b["botName"] in values]
            else:
                bots = [b for b in bots if any(v in b["botName"] for v in values)]
        bots.sort(key=lambda b: b["botName"])
        items, token = page(bots, max_results, next_token)
        summaries = [{"botId": b["botId"], "botName": b["botName"], "description": b.get("description"),
                      "botStatus": b["botStatus"], "latestBotVersion": self._latest_version(ctx, b["botId"]),
                      "lastUpdatedDateTime": b["lastUpdatedDateTime"], "botType": b.get("botType", "Bot")}
                     for b in items]
        return {"botSummaries": summaries, "nextToken": token}

    def delete_bot(self, ctx: RequestContext, bot_id: str, skip_resource_in_use_check: bool = False
                   ) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, "bot", bot_id)
            self.store.delete_subtree(ctx.account, ctx.region, bot_id)
        return {"botId": bot_id, "botStatus": "Deleting"}

    def _latest_version(self, ctx: RequestContext, bot_id: str) -> str:
        numbers = [int(v["botVersion"]) for v in self.store.children(ctx.account, ctx.region, "version", bot_id)]
        return str(max(numbers)) if numbers else DRAFT

    # -- versions -----------------------------------------------------------------------------

    def create_bot_version(self, ctx: RequestContext, bot_id: str,
                           bot_version_locale_specification: dict[str, dict[str, str]],
                           description: str | None = None) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        for locale_id, spec in bot_version_locale_specification.items():
            source = spec.get("sourceBotVersion", DRAFT)
            locale = self.store.get(ctx.account, ctx.region, "locale", locale_id, parent_of(bot_id, source))
            if locale is None:
                raise not_found()
            if locale.get("botLocaleStatus") != "Built":  # AWS versions built locales only
                raise PreconditionFailed(f"Failed to create a version: the bot locale {locale_id} of version "
                                         f"{source} is not built. Build the locale and try again.")
        version = str(int(self._latest_version(ctx, bot_id).replace(DRAFT, "0")) + 1)
        doc: dict[str, Any] = {"botId": bot_id, "botVersion": version, "description": description,
                               "botVersionLocaleSpecification": bot_version_locale_specification,
                               "creationDateTime": self._now()}
        self.store.later(doc, "botStatus", "Versioning", "Available", CREATE_SECONDS)
        with self.platform.db.tx():
            for locale_id, spec in bot_version_locale_specification.items():
                self.store.copy_version(ctx.account, ctx.region, bot_id, spec.get("sourceBotVersion", DRAFT),
                                        version, {locale_id})
            self.store.put(ctx.account, ctx.region, "version", version, doc, bot_id)
        return public(doc)

    def describe_bot_version(self, ctx: RequestContext, bot_id: str, bot_version: str) -> dict[str, Any]:
        bot = self._bot(ctx, bot_id)
        doc = self.store.need(ctx.account, ctx.region, "version", bot_version, bot_id)
        return {**public(doc), **{k: bot.get(k) for k in _BOT_FIELDS}}

    def list_bot_versions(self, ctx: RequestContext, bot_id: str, max_results: int | None = None,
                          next_token: str | None = None, **_: Any) -> dict[str, Any]:
        bot = self._bot(ctx, bot_id)
        versions = self.store.children(ctx.account, ctx.region, "version", bot_id)
        summaries = [{"botName": bot["botName"], "botVersion": v["botVersion"], "description": v.get("description"),
                      "botStatus": v["botStatus"], "creationDateTime": v["creationDateTime"]} for v in versions]
        summaries.append({"botName": bot["botName"], "botVersion": DRAFT, "botStatus": bot["botStatus"],
                          "creationDateTime": bot["creationDateTime"]})
        items, token = page(summaries, max_results, next_token)
        return {"botId": bot_id, "botVersionSummaries": items, "nextToken": token}

    def delete_bot_version(self, ctx: RequestContext, bot_id: str, bot_version: str,
                           skip_resource_in_use_check: bool = False) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        self.store.need(ctx.account, ctx.region, "version", bot_version, bot_id)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, "version", bot_version, bot_id)
            self.store.delete_subtree(ctx.account, ctx.region, parent_of(bot_id, bot_version))
        return {"botId": bot_id, "botVersion": bot_version, "botStatus": "Deleting"}

    # -- aliases ------------------------------------------------------------------------------

    def create_bot_alias(self, ctx: RequestContext, bot_id: str, bot_alias_name: str,
                         bot_version: str | None = None, tags: dict[str, str] | None = None,
                         **extra: Any) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        self._unique(self.store.children(ctx.account, ctx.region, "alias", bot_id), "botAliasName", bot_alias_name,
                     "bot alias")
        if bot_version and bot_version != DRAFT:
            self.store.need(ctx.account, ctx.region, "version", bot_version, bot_id)
        alias_id, now = new_id(), self._now()
        doc = {"botAliasId": alias_id, "botAliasName": bot_alias_name, "botId": bot_id,
               "botVersion": bot_version or DRAFT, "creationDateTime": now, "lastUpdatedDateTime": now,
               "tags": tags or {}, **self._alias_settings(extra)}
        self.store.later(doc, "botAliasStatus", "Creating", "Available", CREATE_SECONDS)
        self.store.put(ctx.account, ctx.region, "alias", alias_id, doc, bot_id)
        return public(doc)

    @staticmethod
    def _alias_settings(extra: dict[str, Any]) -> dict[str, Any]:
        settings = {k: extra.get(xform) for k, xform in (
            ("description", "description"), ("botAliasLocaleSettings", "bot_alias_locale_settings"),
            ("conversationLogSettings", "conversation_log_settings"),
            ("sentimentAnalysisSettings", "sentiment_analysis_settings"))}
        for locale, value in (settings["botAliasLocaleSettings"] or {}).items():
            arn = (((value.get("codeHookSpecification") or {}).get("lambdaCodeHook")) or {}).get("lambdaARN", "")
            if value.get("codeHookSpecification") and not arn.startswith("arn:"):
                raise Validation(f"Invalid Lambda ARN for locale {locale}: {arn}")
        return settings

    def describe_bot_alias(self, ctx: RequestContext, bot_id: str, bot_alias_id: str) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        return public(self.store.need(ctx.account, ctx.region, "alias", bot_alias_id, bot_id))

    def update_bot_alias(self, ctx: RequestContext, bot_id: str, bot_alias_id: str, bot_alias_name: str,
                         bot_version: str | None = None, **extra: Any) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        doc = self.store.need(ctx.account, ctx.region, "alias", bot_alias_id, bot_id)
        self._unique(self.store.children(ctx.account, ctx.region, "alias", bot_id), "botAliasName", bot_alias_name,
                     "bot alias", ("botAliasId", bot_alias_id))
        if bot_version and bot_version != DRAFT:
            self.store.need(ctx.account, ctx.region, "version", bot_version, bot_id)
        doc.update(botAliasName=bot_alias_name, botVersion=bot_version or doc.get("botVersion", DRAFT),
                   lastUpdatedDateTime=self._now(), **self._alias_settings(extra))
        self.store.put(ctx.account, ctx.region, "alias", bot_alias_id, doc, bot_id)
        return public(doc)

    def list_bot_aliases(self, ctx: RequestContext, bot_id: str, max_results: int | None = None,
                         next_token: str | None = None) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        aliases = self.store.children(ctx.account, ctx.region, "alias", bot_id)
        summaries = [{k: a.get(k) for k in ("botAliasId", "botAliasName", "description", "botVersion",
                                              "botAliasStatus", "creationDateTime", "lastUpdatedDateTime")}
                     for a in aliases]
        items, token = page(summaries, max_results, next_token)
        return {"botId": bot_id, "botAliasSummaries": items, "nextToken": token}

    def delete_bot_alias(self, ctx: RequestContext, bot_id: str, bot_alias_id: str,
                         skip_resource_in_use_check: bool = False) -> dict[str, Any]:
        self._bot(ctx, bot_id)
        self.store.need(ctx.account, ctx.region, "alias", bot_alias_id, bot_id)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, "alias", bot_alias_id, bot_id)
            self.store.delete_subtree(ctx.account, ctx.region, parent_of(bot_id, bot_alias_id))
        return {"botAliasId": bot_alias_id, "botId": bot_id, "botAliasStatus": "Deleting"}
