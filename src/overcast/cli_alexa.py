"""`overcast alexa`: talk to a Lambda-backed Alexa skill on a running overcast (docs/alexa.md).

    overcast alexa register <skill-id> --function F [--model interaction-model.json]
    overcast alexa <function> <skill-id> "<utterance>"       (registers the skill with F if needed)
    overcast alexa <function> <skill-id> --intent Name --slot City=Paris
    overcast alexa <function> <skill-id> --launch | --end --session ID

Prints the response's outputSpeech and the session id to continue with (`--session`); the function
must allow `alexa-appkit.amazon.com` with the skill id as EventSourceToken, as Lambda requires.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from overcast import cli_client


def add_alexa_command(sub: Any) -> None:
    parser = sub.add_parser("alexa", help="send an utterance or intent to a Lambda-backed Alexa skill")
    parser.add_argument("words", nargs="+", metavar="ARG",
                        help='register <skill-id> --function F | <function> <skill-id> ["utterance"]')
    parser.add_argument("--function", default=None, help="(register) the skill's function name or ARN")
    parser.add_argument("--model", default=None, help="(register) an ask-cli interaction model JSON file")
    parser.add_argument("--intent", default=None, help="send this intent instead of an utterance")
    parser.add_argument("--slot", action="append", default=[], metavar="NAME=VALUE", help="a slot of --intent")
    parser.add_argument("--session", default=None, help="continue this session")
    parser.add_argument("--launch", action="store_true", help="send a LaunchRequest")
    parser.add_argument("--end", action="store_true", help="send a SessionEndedRequest (needs --session)")
    parser.add_argument("--json", action="store_true", help="print the whole exchange as JSON")
    cli_client.add_endpoint_options(parser)
    parser.set_defaults(func=cmd_alexa)


def _post(args: argparse.Namespace, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"{cli_client.endpoint(args)}/_overcast/alexa/{path}",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _register(args: argparse.Namespace, skill_id: str, function: str, model_file: str | None) -> int:
    model = json.loads(Path(model_file).read_text()) if model_file else None
    status, answer = _post(args, "skills", {"skillId": skill_id, "function": function,
                                            "region": cli_client.region(args), "model": model})
    if status != 200:
        print(f"overcast alexa: {answer.get('message')}", file=sys.stderr)
        return 1
    return 0


def _turn(args: argparse.Namespace, skill_id: str, utterance: str) -> dict[str, Any]:
    body: dict[str, Any] = {"sessionId": args.session} if args.session else {}
    if args.end:
        body["end"] = True
    elif args.intent:
        body.update(intent=args.intent, slots=dict(s.split("=", 1) for s in args.slot if "=" in s))
    elif args.launch or not utterance:
        body["launch"] = True
    else:
        body["utterance"] = utterance
    return body


def cmd_alexa(args: argparse.Namespace) -> int:
    words = list(args.words)
    try:
        if words[0] == "register":
            if len(words) != 2 or not args.function:
                print("usage: overcast alexa register <skill-id> --function F [--model FILE]", file=sys.stderr)
                return 2
            code = _register(args, words[1], args.function, args.model)
            if code == 0:
                print(f"registered skill {words[1]} with function {args.function}")
            return code
        if len(words) < 2:
            print('usage: overcast alexa <function> <skill-id> ["utterance"]', file=sys.stderr)
            return 2
        function, skill_id, utterance = words[0], words[1], " ".join(words[2:])
        status, answer = _post(args, skill_id, _turn(args, skill_id, utterance))
        if status == 404 and "register" in str(answer.get("message")):
            if _register(args, skill_id, function, args.model) != 0:
                return 1
            status, answer = _post(args, skill_id, _turn(args, skill_id, utterance))
    except urllib.error.URLError:
        return cli_client.unreachable(cli_client.endpoint(args))
    if status != 200:
        print(f"overcast alexa: {answer.get('message')}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    print(answer.get("speech") or "(no outputSpeech)")
    if not answer.get("sessionEnded"):
        print(f"(session open: --session {answer['sessionId']})", file=sys.stderr)
    return 0
