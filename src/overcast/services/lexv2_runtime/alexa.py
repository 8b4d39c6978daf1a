"""Local Alexa skills: no AWS API creates skills, so overcast plays the Alexa service's part. A skill
is registered with its Lambda function and, optionally, its interaction model (the ask-cli JSON:
`interactionModel.languageModel` with intents, their samples and slots, and custom types); a user
turn — launch, an utterance, an intent with slots, the end of the session — is sent to the function
as Alexa's request envelope (LaunchRequest, IntentRequest, SessionEndedRequest), session attributes
carried between turns, only when the function's resource policy lets `alexa-appkit.amazon.com`
invoke it with the skill id as `lambda:EventSourceToken`.
https://developer.amazon.com/en-US/docs/alexa/custom-skills/request-and-response-json-reference.html
https://docs.aws.amazon.com/lambda/latest/dg/services-alexa.html
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.invocation.permissions import service_may_invoke
from overcast.platform import Platform
from overcast.services.lexv2_models.inbox import LexStore, matcher
from overcast.services.lexv2_runtime.alexa_dialog import (
    answer_pending,
    dialog_directive,
    next_step,
    pending_after,
)

PRINCIPAL = "alexa-appkit.amazon.com"
#: Alexa waits 8 seconds for a skill's answer (real seconds)
SKILL_TIMEOUT = 8.0
USER_ID = "amzn1.ask.account.OVERCAST"
DEVICE_ID = "amzn1.ask.device.OVERCAST"


class AlexaError(Exception):
    """A turn Alexa cannot deliver: `status` is the HTTP status of the local route's answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _language_model(model: dict[str, Any] | None) -> dict[str, Any]:
    return ((model or {}).get("interactionModel") or {}).get("languageModel") or {}


def _types(model: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    return {t["name"]: t.get("values") or [] for t in _language_model(model).get("types") or []}


def matcher_intents(model: dict[str, Any] | None) -> list[matcher.Intent]:
    """The interaction model's intents for the matcher (custom types: ORIGINAL_VALUE, as Alexa
    passes a value outside the type's list through as said)."""
    types = _types(model)
    out = []
    for intent in _language_model(model).get("intents") or []:
        slots: dict[str, tuple[str | None, matcher.SlotType | None]] = {}
        for slot in intent.get("slots") or []:
            values = types.get(slot.get("type", ""))
            custom = matcher.SlotType([(v["name"]["value"], v["name"].get("synonyms") or []) for v in values]) \
                if values is not None else None
            slots[slot["name"]] = (slot.get("type"), custom)
        out.append(matcher.Intent(intent["name"], list(intent.get("samples") or []), slots))
    return out


class Skills:
    """Registered skills and their open sessions, in Lex's document store (kind `skill` and
    `alexa-session`), for one account and region each."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(LexStore)
        self.account = platform.config.default_account

    def register(self, skill_id: str, function: str, region: str, model: dict[str, Any] | None) -> dict[str, Any]:
        if not skill_id or not function:
            raise AlexaError(400, "A skill needs a skill id and a function.")
        if model is not None and not isinstance(_language_model(model).get("intents"), list):
            raise AlexaError(400, "The interaction model must be ask-cli JSON: "
                                  "{\"interactionModel\": {\"languageModel\": {\"intents\": [...]}}}")
        doc = {"skillId": skill_id, "function": function, "region": region, "model": model}
        self.store.put(self.account, "global", "skill", skill_id, doc)
        return doc

    def get(self, skill_id: str) -> dict[str, Any]:
        doc = self.store.get(self.account, "global", "skill", skill_id)
        if doc is None:
            raise AlexaError(404, f"No skill {skill_id} is registered: register it with `overcast alexa register "
                                  f"{skill_id} --function F` or POST /_overcast/alexa/skills.")
        return doc

    def all(self) -> list[dict[str, Any]]:
        return self.store.children(self.account, "global", "skill")

    async def turn(self, skill_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Send one user turn to the skill's function; the envelope sent and the answer back. A
        dialog directive in the answer is carried out as Alexa does (`alexa_dialog.py`)."""
        skill = self.get(skill_id)
        session_id = body.get("sessionId") or ""
        session = self.store.get(self.account, "global", "alexa-session", session_id, skill_id) if session_id \
            else None
        if session_id and session is None and body.get("end"):
            raise AlexaError(404, f"No open session {session_id} for skill {skill_id}.")
        new = session is None
        session_id = session_id or f"amzn1.echo-api.session.{uuid.uuid4()}"
        attributes = (session or {}).get("attributes") or {}
        pending = (session or {}).get("dialog")
        if pending and (body.get("utterance") or "").strip() and not (body.get("end") or body.get("intent")
                                                                     or body.get("launch")):
            intent = answer_pending(pending, body["utterance"].strip(),
                                    lambda name, words: self._said(skill, pending["intent"]["name"], name, words))
            request = self._intent_request(body, intent, "IN_PROGRESS")
        else:
            request = self._request(skill, body)
        envelope = self._envelope(skill_id, session_id, new, attributes, request)
        answer = await self._invoke(skill, envelope)
        answer, dialog, envelope = await self._dialog(skill, session_id, body, envelope, answer)
        response = answer.get("response") or {}
        ended = request["type"] == "SessionEndedRequest" or (
            dialog is None and response.get("shouldEndSession", True) is not False)
        if ended:
            self.store.delete(self.account, "global", "alexa-session", session_id, skill_id)
        else:
            self.store.put(self.account, "global", "alexa-session", session_id,
                           {"attributes": answer.get("sessionAttributes") or {}, "dialog": dialog}, skill_id)
        speech = response.get("outputSpeech") or {}
        return {"sessionId": session_id, "sessionEnded": ended, "request": envelope, "response": answer,
                "speech": speech.get("text") or speech.get("ssml")}

    async def _dialog(self, skill: dict[str, Any], session_id: str, body: dict[str, Any], envelope: dict[str, Any],
                      answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]:
        """Carry out the answer's dialog directive: (the answer the user hears, the dialog step the
        next utterance answers if any, the last envelope sent)."""
        request = envelope["request"]
        for _ in range(3):  # a Delegate with nothing missing sends the COMPLETED intent back to the skill
            directive = dialog_directive(answer)
            if directive is None or request["type"] != "IntentRequest":
                return answer, None, envelope
            if directive["type"] != "Dialog.Delegate":
                return answer, pending_after(directive, request["intent"]), envelope
            intent = directive.get("updatedIntent") or request["intent"]
            step, slot, prompt = next_step(skill.get("model"), intent)
            if step != "complete":
                spoken = {"outputSpeech": {"type": "PlainText", "text": prompt or ""}, "shouldEndSession": False}
                pending = {"intent": intent, "elicit": slot} if step == "elicit" else {"intent": intent,
                                                                                        "confirmIntent": True}
                return {**answer, "response": {**(answer.get("response") or {}), **spoken}}, pending, envelope
            request = self._intent_request(body, intent, "COMPLETED")
            envelope = self._envelope(skill["skillId"], session_id, False, answer.get("sessionAttributes") or {},
                                      request)
            answer = await self._invoke(skill, envelope)
        return answer, None, envelope

    def _intent_request(self, body: dict[str, Any], intent: dict[str, Any], state: str) -> dict[str, Any]:
        now = dt.datetime.fromtimestamp(self.platform.clock.now(), dt.UTC)
        return {"type": "IntentRequest", "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "locale": body.get("locale") or "en-US",
                "dialogState": state, "intent": {"confirmationStatus": "NONE", **intent}}

    def _said(self, skill: dict[str, Any], intent_name: str, slot_name: str, words: str) -> dict[str, Any]:
        """A slot's request entry for what the user said when Alexa asked for it."""
        declared: dict[str, Any] = next((i for i in _language_model(skill.get("model")).get("intents") or []
                                         if i["name"] == intent_name), {})
        type_name = next((s.get("type") for s in declared.get("slots") or [] if s["name"] == slot_name), None)
        values = _types(skill.get("model")).get(type_name or "")
        custom = matcher.SlotType([(v["name"]["value"], v["name"].get("synonyms") or []) for v in values]) \
            if values is not None else None
        today = dt.datetime.fromtimestamp(self.platform.clock.now(), dt.UTC).date()
        found = matcher.resolve(type_name, custom, matcher.normalize(words), today)
        if found is None or found.interpreted == matcher.normalize(words):
            said = words.strip(" .!?")  # free-form words come through as said
            found = matcher.Resolution(said, said, found.resolved if found else [])
        return self._slot(skill, declared, slot_name, found)

    # -- envelopes ----------------------------------------------------------------------------

    def _request(self, skill: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        now = dt.datetime.fromtimestamp(self.platform.clock.now(), dt.UTC)
        base = {"requestId": f"amzn1.echo-api.request.{uuid.uuid4()}", "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "locale": body.get("locale") or "en-US"}
        if body.get("end"):
            return {"type": "SessionEndedRequest", **base, "reason": "USER_INITIATED"}
        if body.get("intent"):
            slots = {k: {"name": k, "value": str(v), "confirmationStatus": "NONE", "source": "USER"}
                     for k, v in (body.get("slots") or {}).items()}
            return {"type": "IntentRequest", **base, "dialogState": "STARTED",
                    "intent": {"name": body["intent"], "confirmationStatus": "NONE", "slots": slots}}
        utterance = (body.get("utterance") or "").strip()
        if not utterance or body.get("launch"):
            return {"type": "LaunchRequest", **base}
        found = matcher.match(matcher_intents(skill.get("model")), utterance, now.date())
        intent = found.intent or "AMAZON.FallbackIntent"
        declared: dict[str, Any] = next((i for i in _language_model(skill.get("model")).get("intents") or []
                         if i["name"] == intent), {})
        slots = {s["name"]: {"name": s["name"], "confirmationStatus": "NONE"} for s in declared.get("slots") or []}
        for name, value in found.slots.items():
            slots[name] = self._slot(skill, declared, name, value)
        return {"type": "IntentRequest", **base, "dialogState": "STARTED",
                "intent": {"name": intent, "confirmationStatus": "NONE", "slots": slots}}

    @staticmethod
    def _slot(skill: dict[str, Any], declared: dict[str, Any], name: str, value: matcher.Resolution
              ) -> dict[str, Any]:
        slot: dict[str, Any] = {"name": name, "value": value.original, "confirmationStatus": "NONE",
                                "source": "USER"}
        type_name = next((s.get("type") for s in declared.get("slots") or [] if s["name"] == name), "")
        if type_name in _types(skill.get("model")):  # entity resolution of a custom type
            authority = f"amzn1.er-authority.echo-sdk.{skill['skillId']}.{type_name}"
            if value.resolved:
                slot["resolutions"] = {"resolutionsPerAuthority": [{
                    "authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": value.resolved[0], "id": value.resolved[0]}}]}]}
            else:
                slot["resolutions"] = {"resolutionsPerAuthority": [{
                    "authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]}
        else:
            slot["value"] = value.interpreted
        return slot

    def _envelope(self, skill_id: str, session_id: str, new: bool, attributes: dict[str, Any],
                  request: dict[str, Any]) -> dict[str, Any]:
        application = {"applicationId": skill_id}
        user = {"userId": USER_ID}
        return {"version": "1.0",
                "session": {"new": new, "sessionId": session_id, "application": application,
                            "attributes": attributes, "user": user},
                "context": {"System": {"application": application, "user": user,
                                       "device": {"deviceId": DEVICE_ID, "supportedInterfaces": {}},
                                       "apiEndpoint": "https://api.amazonalexa.com",
                                       "apiAccessToken": f"overcast.{uuid.uuid4().hex}"}},
                "request": request}

    async def _invoke(self, skill: dict[str, Any], envelope: dict[str, Any]) -> dict[str, Any]:
        function, region = skill["function"], skill["region"]
        if not service_may_invoke(self.platform, function, self.account, region, PRINCIPAL,
                                  {"lambda:EventSourceToken": skill["skillId"]}):
            raise AlexaError(403, f"The function {function} cannot be invoked by the skill {skill['skillId']}: its "
                                  f"resource-based policy must allow the principal {PRINCIPAL} to call "
                                  "lambda:InvokeFunction with the skill id as EventSourceToken (aws lambda "
                                  f"add-permission --principal {PRINCIPAL} --event-source-token {skill['skillId']}).")
        try:
            result = await self.platform.component(FrontDoorCalls).invoke(
                function, envelope, account=self.account, region=region, timeout=SKILL_TIMEOUT)
        except IntegrationFailure as exc:
            raise AlexaError(502, f"The skill's function failed ({exc.kind}): {exc.detail}") from None
        try:
            answer = json.loads(result.payload)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise AlexaError(502, "The skill's function answered something that is not an Alexa response object.")
        return answer
