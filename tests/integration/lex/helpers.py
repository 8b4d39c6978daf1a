"""Building Lex V2 bots for the tests: a bot with one locale, intents with slots, built."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.testing import wait_until

ROLE = "arn:aws:iam::000000000000:role/lex"


def prompt(text: str) -> dict[str, Any]:
    return {"messageGroups": [{"message": {"plainTextMessage": {"value": text}}}], "maxRetries": 2}


def make_bot(lex: Any, name: str | None = None) -> str:
    bot = lex.create_bot(botName=name or f"bot{uuid.uuid4().hex[:8]}", roleArn=ROLE,
                         dataPrivacy={"childDirected": False}, idleSessionTTLInSeconds=300)
    assert bot["botStatus"] == "Creating"
    wait_until(lambda: lex.describe_bot(botId=bot["botId"])["botStatus"] == "Available", timeout=30)
    lex.create_bot_locale(botId=bot["botId"], botVersion="DRAFT", localeId="en_US", nluIntentConfidenceThreshold=0.4)
    wait_until(lambda: lex.describe_bot_locale(botId=bot["botId"], botVersion="DRAFT", localeId="en_US")
               ["botLocaleStatus"] == "NotBuilt", timeout=30)
    return str(bot["botId"])


def build(lex: Any, bot_id: str) -> None:
    lex.build_bot_locale(botId=bot_id, botVersion="DRAFT", localeId="en_US")
    wait_until(lambda: lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId="en_US")
               ["botLocaleStatus"] == "Built", timeout=30)


def hotel_bot(lex: Any, *, fulfillment_hook: bool = False, dialog_hook: bool = False) -> dict[str, str]:
    """A bot with an intent BookHotel ("book a {RoomType} room in {City}", "book a hotel") whose
    slots City (AMAZON.City) and RoomType (custom: king, queen with synonyms) are required."""
    bot_id = make_bot(lex)
    where = {"botId": bot_id, "botVersion": "DRAFT", "localeId": "en_US"}
    room = lex.create_slot_type(slotTypeName="RoomType", **where, valueSelectionSetting={
        "resolutionStrategy": "TopResolution"}, slotTypeValues=[
        {"sampleValue": {"value": "king"}, "synonyms": [{"value": "big"}, {"value": "large"}]},
        {"sampleValue": {"value": "queen"}, "synonyms": [{"value": "medium"}]}])
    intent = lex.create_intent(intentName="BookHotel", **where, sampleUtterances=[
        {"utterance": "book a {RoomType} room in {City}"}, {"utterance": "book a hotel"},
        {"utterance": "I want a room in {City}"}],
        fulfillmentCodeHook={"enabled": fulfillment_hook}, dialogCodeHook={"enabled": dialog_hook})
    slots = {}
    for name, type_id, text in (("City", "AMAZON.City", "Which city?"),
                                ("RoomType", room["slotTypeId"], "What type of room?")):
        slots[name] = lex.create_slot(slotName=name, slotTypeId=type_id, intentId=intent["intentId"], **where,
                                      valueElicitationSetting={"slotConstraint": "Required",
                                                               "promptSpecification": prompt(text)})["slotId"]
    lex.update_intent(intentId=intent["intentId"], intentName="BookHotel", **where, sampleUtterances=[
        {"utterance": "book a {RoomType} room in {City}"}, {"utterance": "book a hotel"},
        {"utterance": "I want a room in {City}"}],
        fulfillmentCodeHook={"enabled": fulfillment_hook}, dialogCodeHook={"enabled": dialog_hook},
        slotPriorities=[{"priority": 1, "slotId": slots["City"]}, {"priority": 2, "slotId": slots["RoomType"]}],
        intentClosingSetting={"closingResponse": {"messageGroups": [
            {"message": {"plainTextMessage": {"value": "Your room is booked."}}}]}, "active": True})
    build(lex, bot_id)
    return {"botId": bot_id, "intentId": intent["intentId"], "slotTypeId": room["slotTypeId"]}
