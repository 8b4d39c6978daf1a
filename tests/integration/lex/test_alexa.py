"""Local Alexa skills: a Lambda function answering Alexa's request envelopes through
`/_overcast/alexa/{skillId}` and `overcast alexa`, refused unless its resource policy allows
`alexa-appkit.amazon.com` with the skill id as EventSourceToken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import httpx

from overcast.testing.lambdas import create_function

SKILL = '''
def handler(event, context):
    request = event["request"]
    attributes = event["session"].get("attributes") or {}
    turns = attributes.get("turns", 0) + 1
    if request["type"] == "LaunchRequest":
        text, end = "Welcome to the hotel skill. Where to?", False
    elif request["type"] == "IntentRequest":
        slots = request["intent"].get("slots") or {}
        city = (slots.get("City") or {}).get("value")
        text = f"{request['intent']['name']} for {city}, new={event['session']['new']}, turns={turns}"
        end = request["intent"]["name"] != "BookHotel"
    else:
        return {"version": "1.0", "response": {}}
    return {"version": "1.0", "sessionAttributes": {"turns": turns},
            "response": {"outputSpeech": {"type": "PlainText", "text": text}, "shouldEndSession": end}}
'''

MODEL = {"interactionModel": {"languageModel": {"invocationName": "hotel finder", "intents": [
    {"name": "BookHotel", "slots": [{"name": "City", "type": "AMAZON.US_CITY"}],
     "samples": ["book a hotel in {City}", "find me a room in {City}"]},
    {"name": "AMAZON.StopIntent", "samples": []}], "types": []}}}


def _skill(clients, overcast_server, allow: bool = True, token: str | None = None) -> tuple[str, str]:
    awslambda = clients["lambda"]
    name = create_function(awslambda, SKILL, Timeout=60)
    skill_id = f"amzn1.ask.skill.{uuid.uuid4()}"
    if allow:
        awslambda.add_permission(FunctionName=name, StatementId="alexa", Action="lambda:InvokeFunction",
                                 Principal="alexa-appkit.amazon.com", EventSourceToken=token or skill_id)
        statement = json.loads(awslambda.get_policy(FunctionName=name)["Policy"])["Statement"][0]
        assert statement["Principal"] == {"Service": "alexa-appkit.amazon.com"}  # as AWS writes it
    registered = httpx.post(f"{overcast_server.url}/_overcast/alexa/skills",
                            json={"skillId": skill_id, "function": name, "model": MODEL})
    assert registered.status_code == 200, registered.text
    return name, skill_id


def test_launch_then_intent_carries_session_attributes(clients, overcast_server):
    _, skill_id = _skill(clients, overcast_server)
    url = f"{overcast_server.url}/_overcast/alexa/{skill_id}"
    launch = httpx.post(url, json={}, timeout=60).json()
    assert launch["speech"] == "Welcome to the hotel skill. Where to?"
    sent = launch["request"]
    assert sent["request"]["type"] == "LaunchRequest" and sent["session"]["new"] is True
    assert sent["context"]["System"]["application"]["applicationId"] == skill_id
    assert launch["sessionEnded"] is False
    turn = httpx.post(url, json={"sessionId": launch["sessionId"], "utterance": "Find me a room in Seattle."},
                      timeout=60).json()
    assert turn["request"]["request"]["intent"]["slots"]["City"]["value"] == "Seattle"
    assert turn["speech"] == "BookHotel for Seattle, new=False, turns=2"
    end = httpx.post(url, json={"sessionId": launch["sessionId"], "end": True}, timeout=60).json()
    assert end["request"]["request"]["type"] == "SessionEndedRequest" and end["sessionEnded"] is True


def test_refused_without_permission_or_with_another_skills_token(clients, overcast_server):
    for allow, token in ((False, None), (True, "amzn1.ask.skill.someone-else")):
        _, skill_id = _skill(clients, overcast_server, allow=allow, token=token)
        refused = httpx.post(f"{overcast_server.url}/_overcast/alexa/{skill_id}", json={}, timeout=60)
        assert refused.status_code == 403
        assert "alexa-appkit.amazon.com" in refused.json()["message"]


def test_cli_sends_an_intent_and_prints_the_speech(clients, overcast_server):
    name, skill_id = _skill(clients, overcast_server)
    run = subprocess.run([sys.executable, "-m", "overcast", "alexa", name, skill_id, "--intent", "BookHotel",
                          "--slot", "City=Oslo", "--endpoint-url", overcast_server.url],
                         capture_output=True, text=True, timeout=120, env={**os.environ})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "BookHotel for Oslo, new=True, turns=1"
    run = subprocess.run([sys.executable, "-m", "overcast", "alexa", name, skill_id, "book a hotel in Rome",
                          "--json", "--endpoint-url", overcast_server.url],
                         capture_output=True, text=True, timeout=120)
    assert json.loads(run.stdout)["speech"] == "BookHotel for Rome, new=True, turns=1"
