"""The Lex V2 runtime through boto3: the deterministic matcher, slot elicitation over turns,
fallback, sessions, and the alias's Lambda function as fulfillment and dialog code hook (V2 event,
dialogAction honoured), refused without `lexv2.amazonaws.com` in its resource policy."""

from __future__ import annotations

import base64
import gzip
import json
import uuid

import botocore.exceptions
import pytest

from overcast.testing.lambdas import create_function
from tests.integration.lex.helpers import build, hotel_bot, prompt

FULFIL = '''
def handler(event, context):
    intent = event["sessionState"]["intent"]
    city = intent["slots"]["City"]["value"]["interpretedValue"]
    room = intent["slots"]["RoomType"]["value"]["interpretedValue"]
    count = int(event["sessionState"].get("sessionAttributes", {}).get("count", "0")) + 1
    intent["state"] = "Fulfilled"
    return {"sessionState": {"dialogAction": {"type": "Close"}, "intent": intent,
                             "sessionAttributes": {"count": str(count), "source": event["invocationSource"]}},
            "messages": [{"contentType": "PlainText", "content": f"Booked a {room} room in {city}."}]}
'''

DIALOG = '''
def handler(event, context):
    intent = event["sessionState"]["intent"]
    if event["invocationSource"] == "DialogCodeHook" and intent["slots"].get("City") is None:
        return {"sessionState": {"dialogAction": {"type": "ElicitSlot", "slotToElicit": "City"}, "intent": intent},
                "messages": [{"contentType": "PlainText", "content": "Where to, from the hook?"}]}
    return {"sessionState": {"dialogAction": {"type": "Delegate"}, "intent": intent}}
'''


def _runtime(clients):
    return clients["lexv2-models"], clients["lexv2-runtime"]


def _with_function(clients, lex, bot, source: str, allow: bool = True) -> str:
    awslambda = clients["lambda"]
    name = create_function(awslambda, source, Timeout=60)
    arn = awslambda.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    if allow:
        awslambda.add_permission(FunctionName=name, StatementId="lex", Action="lambda:InvokeFunction",
                                 Principal="lexv2.amazonaws.com",
                                 SourceArn=f"arn:aws:lex:us-east-1:000000000000:bot-alias/{bot['botId']}/*")
    lex.update_bot_alias(botId=bot["botId"], botAliasId="TSTALIASID", botAliasName="TestBotAlias",
                         botVersion="DRAFT", botAliasLocaleSettings={"en_US": {
                             "enabled": True, "codeHookSpecification": {"lambdaCodeHook": {
                                 "lambdaARN": arn, "codeHookInterfaceVersion": "1.0"}}}})
    return name


def _say(runtime, bot, session: str, text: str) -> dict:
    return runtime.recognize_text(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US",
                                  sessionId=session, text=text)


def test_elicit_slot_over_two_turns_then_close(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex)
    session = uuid.uuid4().hex
    first = _say(runtime, bot, session, "I want a room in Paris!")
    assert first["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "RoomType"}
    assert first["messages"] == [{"content": "What type of room?", "contentType": "PlainText"}]
    intent = first["sessionState"]["intent"]
    assert (intent["name"], intent["state"]) == ("BookHotel", "InProgress")
    assert intent["slots"]["City"]["value"]["interpretedValue"] == "Paris"
    second = _say(runtime, bot, session, "large")  # a synonym of king (TopResolution)
    assert second["sessionState"]["intent"]["state"] == "Fulfilled"
    assert second["sessionState"]["intent"]["slots"]["RoomType"]["value"]["interpretedValue"] == "king"
    assert second["sessionState"]["dialogAction"]["type"] == "Close"
    assert second["messages"][0]["content"] == "Your room is booked."
    got = runtime.get_session(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US", sessionId=session)
    assert got["sessionState"]["intent"]["state"] == "Fulfilled"


def test_fallback_and_sessions(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex)
    session = uuid.uuid4().hex
    answer = _say(runtime, bot, session, "what is the weather like")
    assert answer["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert answer["interpretations"][0]["intent"]["name"] == "FallbackIntent"
    matched = _say(runtime, bot, session, "Book a QUEEN room in Rome.")
    assert matched["interpretations"][0]["nluConfidence"]["score"] == 1.0
    assert matched["sessionState"]["intent"]["state"] == "Fulfilled"
    runtime.put_session(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US", sessionId=session,
                        sessionState={"sessionAttributes": {"k": "v"}})
    got = runtime.get_session(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US", sessionId=session)
    assert got["sessionState"]["sessionAttributes"] == {"k": "v"}
    runtime.delete_session(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US", sessionId=session)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        runtime.get_session(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US", sessionId=session)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_recognize_utterance_text(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex)
    answer = runtime.recognize_utterance(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US",
                                         sessionId=uuid.uuid4().hex, requestContentType="text/plain; charset=utf-8",
                                         inputStream=b"book a hotel")
    state = json.loads(gzip.decompress(base64.b64decode(answer["sessionState"])))
    assert state["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "City"}
    messages = json.loads(gzip.decompress(base64.b64decode(answer["messages"])))
    assert messages[0]["content"] == "Which city?"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        runtime.recognize_utterance(botId=bot["botId"], botAliasId="TSTALIASID", localeId="en_US",
                                    sessionId=uuid.uuid4().hex, requestContentType="audio/l16; rate=16000",
                                    inputStream=b"\x00\x01")
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_fulfillment_hook_closes_with_its_message(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex, fulfillment_hook=True)
    _with_function(clients, lex, bot, FULFIL)
    session = uuid.uuid4().hex
    answer = _say(runtime, bot, session, "book a big room in Lisbon")
    assert answer["messages"] == [{"content": "Booked a king room in Lisbon.", "contentType": "PlainText"}]
    assert answer["sessionState"]["intent"]["state"] == "Fulfilled"
    assert answer["sessionState"]["sessionAttributes"] == {"count": "1", "source": "FulfillmentCodeHook"}
    again = _say(runtime, bot, session, "book a queen room in Oslo")
    assert again["sessionState"]["sessionAttributes"]["count"] == "2"  # attributes kept across turns


def test_dialog_hook_elicits_and_delegates(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex, dialog_hook=True)
    _with_function(clients, lex, bot, DIALOG)
    session = uuid.uuid4().hex
    first = _say(runtime, bot, session, "book a hotel")
    assert first["messages"][0]["content"] == "Where to, from the hook?"
    assert first["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "City"}
    second = _say(runtime, bot, session, "Madrid")  # the hook delegates: Lex asks for the room type
    assert second["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "RoomType"}
    assert second["messages"][0]["content"] == "What type of room?"


def test_hook_refused_without_permission(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex, fulfillment_hook=True)
    _with_function(clients, lex, bot, FULFIL, allow=False)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        _say(runtime, bot, uuid.uuid4().hex, "book a king room in Berlin")
    assert info.value.response["Error"]["Code"] == "DependencyFailedException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 424


def test_confirmation_prompt_denied_fails_the_intent(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex)
    where = {"botId": bot["botId"], "botVersion": "DRAFT", "localeId": "en_US"}
    intent = lex.describe_intent(intentId=bot["intentId"], **where)
    lex.update_intent(intentId=bot["intentId"], intentName="BookHotel", **where,
                      sampleUtterances=intent["sampleUtterances"], slotPriorities=intent["slotPriorities"],
                      intentConfirmationSetting={
                          "promptSpecification": prompt("Shall I book it?"),
                          "declinationResponse": {"messageGroups": [
                              {"message": {"plainTextMessage": {"value": "Okay, I won't."}}}]}})
    build(lex, bot["botId"])
    session = uuid.uuid4().hex
    asked = _say(runtime, bot, session, "book a king room in Vienna")
    assert asked["sessionState"]["dialogAction"]["type"] == "ConfirmIntent"
    assert asked["messages"][0]["content"] == "Shall I book it?"
    unclear = _say(runtime, bot, session, "purple")  # neither yes nor no: asked again
    assert unclear["sessionState"]["dialogAction"]["type"] == "ConfirmIntent"
    denied = _say(runtime, bot, session, "No.")
    intent_state = denied["sessionState"]["intent"]
    assert (intent_state["confirmationState"], intent_state["state"]) == ("Denied", "Failed")
    assert denied["messages"][0]["content"] == "Okay, I won't."


def test_unknown_alias_is_not_found(clients):
    lex, runtime = _runtime(clients)
    bot = hotel_bot(lex)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        runtime.recognize_text(botId=bot["botId"], botAliasId="NOSUCHALIA", localeId="en_US",
                               sessionId="s1", text="hello")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
