"""The local Alexa routes (docs/alexa.md):

    POST /_overcast/alexa/skills       {"skillId", "function", "region"?, "model"?}   register a skill
    GET  /_overcast/alexa/skills                                                    the registered skills
    POST /_overcast/alexa/{skillId}    {"utterance"} | {"intent", "slots"} | {"launch": true} | {"end": true},
                                       with "sessionId" to continue a session, "locale" (default en-US)

A turn answers `{sessionId, sessionEnded, speech, request, response}`: the envelope sent and the
function's answer. Errors are `{"message": ...}` with 400, 403 (the function's policy refuses the
skill), 404 (no such skill or session) or 502 (the function failed).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from overcast.edge.messages import Request, Response, json_response
from overcast.platform import Platform
from overcast.services.lexv2_runtime.alexa import AlexaError, Skills

PREFIX = "/_overcast/alexa/"


def _answer(status: int, value: Any) -> Response:
    return json_response(status, json.dumps(value))


async def handle(platform: Platform, req: Request) -> Response:
    skills = platform.component(Skills)
    name = unquote(req.raw_path[len(PREFIX):]).strip("/") if req.raw_path.startswith(PREFIX) else ""
    try:
        body = json.loads(req.body or b"{}") if req.method == "POST" else {}
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except ValueError:
        return _answer(400, {"message": "The request body must be a JSON object."})
    try:
        if name == "skills" and req.method == "GET":
            return _answer(200, {"skills": skills.all()})
        if name == "skills" and req.method == "POST":
            region = body.get("region") or platform.config.default_region
            return _answer(200, skills.register(str(body.get("skillId") or ""), str(body.get("function") or ""),
                                                region, body.get("model")))
        if name and req.method == "POST":
            return _answer(200, await skills.turn(name, body))
    except AlexaError as exc:
        return _answer(exc.status, {"message": exc.message})
    return _answer(404, {"message": f"No Alexa route {req.method} {req.raw_path}."})
