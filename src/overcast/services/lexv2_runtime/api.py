"""Lex V2 runtime operations: RecognizeText, RecognizeUtterance (text/plain input), PutSession,
GetSession, DeleteSession. Sessions are documents committed before each answer; one expires after
the bot's idle session timeout (`idleSessionTTLInSeconds`, on the platform clock)."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.lexv2_models.inbox import LexStore, errors, parent_of
from overcast.services.lexv2_runtime.conversation import Conversation
from overcast.services.lexv2_runtime.dialog import Dialog, Turn


def _pack(value: Any) -> str:
    """A RecognizeUtterance/PutSession header value: JSON, gzip-compressed, base64-encoded."""
    return base64.b64encode(gzip.compress(json.dumps(value).encode())).decode()


def _unpack(value: str | None, field: str) -> Any:
    """A request header Lex takes gzip-compressed and base64-encoded (plain base64 is accepted too)."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value)
        try:
            raw = gzip.decompress(raw)
        except OSError:
            pass
        return json.loads(raw)
    except ValueError:
        raise errors.Validation(f"Invalid {field}: it must be JSON, gzip-compressed and base64-encoded.") from None


def _clean(state: dict[str, Any]) -> dict[str, Any]:
    """The session state as the API answers it: unfilled slots left out."""
    out = json.loads(json.dumps(state))
    for key in [k for k in out if k.startswith("_")]:
        del out[key]
    for context in out.get("activeContexts") or []:
        context.pop("_expiresAt", None)
    intent = out.get("intent")
    if intent and intent.get("slots") is not None:
        intent["slots"] = {k: v for k, v in intent["slots"].items() if v is not None}
    for interpretation in out.get("interpretations", []):
        slots = interpretation["intent"].get("slots") or {}
        interpretation["intent"]["slots"] = {k: v for k, v in slots.items() if v is not None}
    return out


class LexRuntimeApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(LexStore)

    # -- sessions -----------------------------------------------------------------------------

    def _session(self, ctx: RequestContext, bot_id: str, alias_id: str, locale_id: str, session_id: str
                 ) -> dict[str, Any] | None:
        doc = self.store.get(ctx.account, ctx.region, "session", session_id, parent_of(bot_id, alias_id, locale_id))
        if doc is not None and self.platform.clock.now() >= doc["_expires"]:
            return None  # idle longer than the bot's session timeout: a new session starts
        return doc

    def _save(self, ctx: RequestContext, conv: Conversation, session_id: str, turn: Turn,
              request_attributes: dict[str, str] | None) -> None:
        doc = {"sessionId": session_id, "sessionState": turn.state, "messages": turn.messages,
               "interpretations": turn.interpretations, "requestAttributes": request_attributes or {},
               "_expires": self.platform.clock.later(float(conv.bot.get("idleSessionTTLInSeconds") or 300))}
        self.store.put(ctx.account, ctx.region, "session", session_id, doc,
                       parent_of(conv.bot["botId"], conv.alias["botAliasId"], conv.locale_id))

    def _conversation(self, ctx: RequestContext, bot_id: str, alias_id: str, locale_id: str) -> Conversation:
        return Conversation.load(self.store, ctx, bot_id, alias_id, locale_id, self.platform.clock.now())

    async def _recognize(self, ctx: RequestContext, bot_id: str, bot_alias_id: str, locale_id: str,
                         session_id: str, text: str, session_state: dict[str, Any] | None,
                         request_attributes: dict[str, str] | None) -> tuple[Conversation, Turn]:
        conv = self._conversation(ctx, bot_id, bot_alias_id, locale_id)
        session = self._session(ctx, bot_id, bot_alias_id, locale_id, session_id)
        state = session_state if session_state is not None else (session or {}).get("sessionState") or {}
        dialog = Dialog(self.platform, conv, session_id, text, request_attributes or {})
        turn = await dialog.turn(json.loads(json.dumps(state)))
        turn.state["originatingRequestId"] = ctx.request_id
        self._save(ctx, conv, session_id, turn, request_attributes)
        return conv, turn

    async def recognize_text(self, ctx: RequestContext, bot_id: str, bot_alias_id: str, locale_id: str,
                             session_id: str, text: str, session_state: dict[str, Any] | None = None,
                             request_attributes: dict[str, str] | None = None) -> dict[str, Any]:
        _, turn = await self._recognize(ctx, bot_id, bot_alias_id, locale_id, session_id, text, session_state,
                                        request_attributes)
        return {"messages": turn.messages, "sessionState": _clean(turn.state),
                "interpretations": _clean({"interpretations": turn.interpretations})["interpretations"],
                "requestAttributes": request_attributes or None, "sessionId": session_id}

    async def recognize_utterance(self, ctx: RequestContext, bot_id: str, bot_alias_id: str, locale_id: str,
                                  session_id: str, request_content_type: str, input_stream: Any = None,
                                  session_state: str | None = None, request_attributes: str | None = None,
                                  response_content_type: str | None = None) -> dict[str, Any]:
        if not request_content_type.lower().startswith("text/plain"):
            # overcast understands text, not speech
            raise errors.Validation(f"Unsupported requestContentType {request_content_type}: overcast's Lex "
                                    "runtime takes text input only (text/plain; charset=utf-8).")
        body = input_stream if isinstance(input_stream, bytes) else await input_stream.read() if input_stream else b""
        text = body.decode("utf-8", "replace").strip()
        attributes = _unpack(request_attributes, "requestAttributes")
        _, turn = await self._recognize(ctx, bot_id, bot_alias_id, locale_id, session_id, text,
                                        _unpack(session_state, "sessionState"), attributes)
        return {"inputMode": "Text", "contentType": response_content_type or "text/plain; charset=utf-8",
                "messages": _pack(turn.messages), "sessionState": _pack(_clean(turn.state)),
                "interpretations": _pack(_clean({"interpretations": turn.interpretations})["interpretations"]),
                "requestAttributes": _pack(attributes) if attributes else None, "sessionId": session_id,
                "inputTranscript": _pack(text), "audioStream": b""}

    def put_session(self, ctx: RequestContext, bot_id: str, bot_alias_id: str, locale_id: str, session_id: str,
                    session_state: dict[str, Any], messages: list[dict[str, Any]] | None = None,
                    request_attributes: dict[str, str] | None = None,
                    response_content_type: str | None = None) -> dict[str, Any]:
        conv = self._conversation(ctx, bot_id, bot_alias_id, locale_id)
        intent = session_state.get("intent")
        if intent:
            conv.intent(intent["name"])
            intent.setdefault("state", "InProgress")
            intent.setdefault("confirmationState", "None")
            intent.setdefault("slots", {})
        turn = Turn(session_state, messages or [], [])
        self._save(ctx, conv, session_id, turn, request_attributes)
        return {"contentType": response_content_type or "text/plain; charset=utf-8",
                "messages": _pack(turn.messages) if turn.messages else None, "sessionState": _pack(session_state),
                "requestAttributes": _pack(request_attributes) if request_attributes else None,
                "sessionId": session_id, "audioStream": b""}

    def get_session(self, ctx: RequestContext, bot_id: str, bot_alias_id: str, locale_id: str, session_id: str
                    ) -> dict[str, Any]:
        self._conversation(ctx, bot_id, bot_alias_id, locale_id)
        doc = self._session(ctx, bot_id, bot_alias_id, locale_id, session_id)
        if doc is None:
            raise errors.not_found()
        return {"sessionId": session_id, "messages": doc["messages"],
                "interpretations": _clean({"interpretations": doc["interpretations"]})["interpretations"],
                "sessionState": _clean(doc["sessionState"])}

    def delete_session(self, ctx: RequestContext, bot_id: str, bot_alias_id: str, locale_id: str, session_id: str
                       ) -> dict[str, Any]:
        self._conversation(ctx, bot_id, bot_alias_id, locale_id)
        if self._session(ctx, bot_id, bot_alias_id, locale_id, session_id) is None:
            raise errors.not_found()
        self.store.delete(ctx.account, ctx.region, "session", session_id,
                          parent_of(bot_id, bot_alias_id, locale_id))
        return {"botId": bot_id, "botAliasId": bot_alias_id, "localeId": locale_id, "sessionId": session_id}
