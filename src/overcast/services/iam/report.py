"""`GET /_overcast/iam/report`: the denials IAM evaluation recorded (`--iam report` or `enforce`),
the most recently repeated last, each once with its `count` and the statement that would grant it;
`DELETE` clears them."""

from __future__ import annotations

import json

from overcast.edge.messages import Request, Response, json_response
from overcast.platform import Platform
from overcast.services.iam.enforcement import Enforcer


def answer(platform: Platform, req: Request) -> Response:
    mode = platform.config.iam
    if mode == "off":
        return json_response(200, json.dumps({"mode": mode, "denials": []}))
    enforcer = platform.component(Enforcer)
    if req.method == "DELETE":
        enforcer.clear()
        return json_response(200, json.dumps({"mode": mode, "denials": []}))
    if req.method != "GET":
        return json_response(405, json.dumps({"message": "use GET (or DELETE to clear)"}))
    return json_response(200, json.dumps({"mode": mode, "denials": enforcer.denials()}))
