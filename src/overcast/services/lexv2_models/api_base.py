"""What every group of Lex V2 model-building operations shares: the store, ids, pages."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.lexv2_models.errors import PreconditionFailed, not_found
from overcast.services.lexv2_models.models import DRAFT, LexStore, parent_of

#: Lex V2's locales and the names DescribeBotLocale gives them
LOCALES = {
    "ar_AE": "Gulf Arabic (UAE)", "ca_ES": "Catalan (Spain)", "de_AT": "German (Austria)", "de_DE": "German (Germany)",
    "en_AU": "English (Australia)", "en_GB": "English (UK)", "en_IE": "English (Ireland)", "en_IN": "English (India)",
    "en_NZ": "English (New Zealand)", "en_US": "English (US)", "en_ZA": "English (South Africa)",
    "es_419": "Spanish (Latin America)", "es_ES": "Spanish (Spain)", "es_US": "Spanish (US)",
    "fi_FI": "Finnish (Finland)", "fr_CA": "French (Canada)", "fr_FR": "French (France)", "hi_IN": "Hindi (India)",
    "it_IT": "Italian (Italy)", "ja_JP": "Japanese (Japan)", "ko_KR": "Korean (Korea)", "nl_NL": "Dutch (Netherlands)",
    "no_NO": "Norwegian (Norway)", "pl_PL": "Polish (Poland)", "pt_BR": "Portuguese (Brazil)",
    "pt_PT": "Portuguese (Portugal)", "sv_SE": "Swedish (Sweden)", "zh_CN": "Mandarin (PRC)",
    "yue_HK": "Cantonese (Hong Kong)", "cy_GB": "Welsh (UK)", "da_DK": "Danish (Denmark)",
}


def page(items: list[dict[str, Any]], max_results: int | None, next_token: str | None) -> tuple[list[Any], str | None]:
    """One page of `items` and the token of the next (the index it starts at)."""
    start = int(next_token) if next_token and next_token.isdigit() else 0
    size = max_results or 1000
    rest = items[start:start + size]
    return rest, (str(start + size) if start + size < len(items) else None)


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(LexStore)

    def _now(self) -> float:
        return self.platform.clock.now()

    def _bot(self, ctx: RequestContext, bot_id: str) -> dict[str, Any]:
        return self.store.need(ctx.account, ctx.region, "bot", bot_id)

    def _version(self, ctx: RequestContext, bot_id: str, version: str) -> None:
        """The bot and its version must exist."""
        self._bot(ctx, bot_id)
        if version != DRAFT and self.store.get(ctx.account, ctx.region, "version", version, bot_id) is None:
            raise not_found()

    def _locale(self, ctx: RequestContext, bot_id: str, version: str, locale_id: str) -> dict[str, Any]:
        self._version(ctx, bot_id, version)
        return self.store.need(ctx.account, ctx.region, "locale", locale_id, parent_of(bot_id, version))

    def _draft_changed(self, ctx: RequestContext, bot_id: str, locale_id: str) -> None:
        """A change to a draft locale's intents or slot types leaves it NotBuilt, as on AWS."""
        parent = parent_of(bot_id, DRAFT)
        locale = self.store.need(ctx.account, ctx.region, "locale", locale_id, parent)
        locale.pop("_pending", None)
        locale["botLocaleStatus"] = "NotBuilt"
        locale["lastUpdatedDateTime"] = self._now()
        self.store.put(ctx.account, ctx.region, "locale", locale_id, locale, parent)

    @staticmethod
    def _draft_only(version: str) -> None:
        if version != DRAFT:
            raise PreconditionFailed("Only the DRAFT version of a bot can be changed.")

    @staticmethod
    def _unique(docs: list[dict[str, Any]], field: str, name: str, what: str, except_id: tuple[str, str] | None = None
                ) -> None:
        for doc in docs:
            if doc.get(field) == name and (except_id is None or doc.get(except_id[0]) != except_id[1]):
                # AWS answers a duplicate name with PreconditionFailedException
                raise PreconditionFailed(f"A {what} with the name {name} already exists. Choose a different name "
                                         "and try again.")
