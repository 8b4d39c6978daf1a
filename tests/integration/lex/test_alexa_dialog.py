"""Alexa's dialog directives carried out locally: Dialog.Delegate (Alexa asks for the required
slots with the dialog model's prompts, then sends the intent COMPLETED) and Dialog.ElicitSlot /
Dialog.ConfirmIntent (the next utterance answers, sent IN_PROGRESS)."""

from __future__ import annotations

import uuid

import httpx

from overcast.testing.lambdas import create_function

SKILL = '''
def handler(event, context):
    request = event["request"]
    if request["type"] != "IntentRequest":
        return {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "Hi"},
                                               "shouldEndSession": False}}
    intent, state = request["intent"], request["dialogState"]
    slots = {k: v.get("value") for k, v in (intent.get("slots") or {}).items()}
    if intent["name"] == "BookHotel":
        if state != "COMPLETED":
            return {"version": "1.0", "response": {"directives": [{"type": "Dialog.Delegate"}],
                                                   "shouldEndSession": False}}
        text = f"Booked {slots.get('Nights')} nights in {slots.get('City')}"
        return {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": text},
                                               "shouldEndSession": True}}
    # Cancel: ask which booking, then confirm
    if not slots.get("Booking"):
        return {"version": "1.0", "response": {
            "outputSpeech": {"type": "PlainText", "text": "Which booking?"}, "shouldEndSession": False,
            "directives": [{"type": "Dialog.ElicitSlot", "slotToElicit": "Booking", "updatedIntent": intent}]}}
    if intent["confirmationStatus"] == "NONE":
        return {"version": "1.0", "response": {
            "outputSpeech": {"type": "PlainText", "text": "Cancel " + slots["Booking"] + "?"},
            "shouldEndSession": False, "directives": [{"type": "Dialog.ConfirmIntent", "updatedIntent": intent}]}}
    text = ("Cancelled " if intent["confirmationStatus"] == "CONFIRMED" else "Kept ") + slots["Booking"]
    return {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": text},
                                           "shouldEndSession": True}}
'''

MODEL = {"interactionModel": {
    "languageModel": {"invocationName": "hotel", "intents": [
        {"name": "BookHotel", "samples": ["book a hotel"],
         "slots": [{"name": "City", "type": "AMAZON.US_CITY"}, {"name": "Nights", "type": "AMAZON.NUMBER"}]},
        {"name": "CancelBooking", "samples": ["cancel a booking"],
         "slots": [{"name": "Booking", "type": "AMAZON.SearchQuery"}]}], "types": []},
    "dialog": {"intents": [{"name": "BookHotel", "delegationStrategy": "SKILL_RESPONSE", "slots": [
        {"name": "City", "type": "AMAZON.US_CITY", "elicitationRequired": True,
         "prompts": {"elicitation": "Elicit.City"}},
        {"name": "Nights", "type": "AMAZON.NUMBER", "elicitationRequired": True,
         "prompts": {"elicitation": "Elicit.Nights"}}]}]},
    "prompts": [{"id": "Elicit.City", "variations": [{"type": "PlainText", "value": "Which city?"}]},
                {"id": "Elicit.Nights", "variations": [{"type": "PlainText", "value": "How many nights?"}]}]}}


def _skill(clients, overcast_server) -> str:
    awslambda = clients["lambda"]
    name = create_function(awslambda, SKILL, Timeout=60)
    skill_id = f"amzn1.ask.skill.{uuid.uuid4()}"
    awslambda.add_permission(FunctionName=name, StatementId="alexa", Action="lambda:InvokeFunction",
                             Principal="alexa-appkit.amazon.com", EventSourceToken=skill_id)
    httpx.post(f"{overcast_server.url}/_overcast/alexa/skills",
               json={"skillId": skill_id, "function": name, "model": MODEL}).raise_for_status()
    return f"{overcast_server.url}/_overcast/alexa/{skill_id}"


def test_delegate_elicits_required_slots_then_completes(clients, overcast_server):
    url = _skill(clients, overcast_server)
    first = httpx.post(url, json={"utterance": "book a hotel"}, timeout=60).json()
    assert first["speech"] == "Which city?" and first["sessionEnded"] is False
    session = first["sessionId"]
    second = httpx.post(url, json={"sessionId": session, "utterance": "Seattle"}, timeout=60).json()
    assert second["request"]["request"]["dialogState"] == "IN_PROGRESS"
    assert second["request"]["request"]["intent"]["slots"]["City"]["value"] == "Seattle"
    assert second["speech"] == "How many nights?"
    third = httpx.post(url, json={"sessionId": session, "utterance": "three"}, timeout=60).json()
    assert third["request"]["request"]["dialogState"] == "COMPLETED"
    assert third["speech"] == "Booked 3 nights in Seattle" and third["sessionEnded"] is True


def test_elicit_slot_and_confirm_intent(clients, overcast_server):
    url = _skill(clients, overcast_server)
    asked = httpx.post(url, json={"utterance": "cancel a booking"}, timeout=60).json()
    assert asked["speech"] == "Which booking?"
    session = asked["sessionId"]
    confirm = httpx.post(url, json={"sessionId": session, "utterance": "the Paris trip"}, timeout=60).json()
    assert confirm["speech"] == "Cancel the Paris trip?"
    done = httpx.post(url, json={"sessionId": session, "utterance": "yes"}, timeout=60).json()
    assert done["request"]["request"]["intent"]["confirmationStatus"] == "CONFIRMED"
    assert done["speech"] == "Cancelled the Paris trip" and done["sessionEnded"] is True
