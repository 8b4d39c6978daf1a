"""Lex V2 dialog features through the runtime: multi-value slots, input and output contexts, and
the fallback intent once a slot prompt's maxRetries are spent."""

from __future__ import annotations

import uuid

from tests.integration.lex.helpers import build, make_bot, prompt

WHERE = {"botVersion": "DRAFT", "localeId": "en_US"}


def _say(runtime, bot_id: str, session: str, text: str) -> dict:
    return runtime.recognize_text(botId=bot_id, botAliasId="TSTALIASID", localeId="en_US", sessionId=session,
                                  text=text)


def _pizza_bot(lex) -> str:
    """OrderPizza ("order a pizza") with a multi-value Toppings slot (max 1 retry), fulfilled with an
    output context `ordered`; ConfirmDelivery ("deliver it") needs `ordered`."""
    bot_id = make_bot(lex)
    where = {"botId": bot_id, **WHERE}
    toppings = lex.create_slot_type(slotTypeName="Topping", **where, valueSelectionSetting={
        "resolutionStrategy": "TopResolution"}, slotTypeValues=[
        {"sampleValue": {"value": v}} for v in ("ham", "olives", "pineapple")])["slotTypeId"]
    order = lex.create_intent(intentName="OrderPizza", **where, sampleUtterances=[{"utterance": "order a pizza"}],
                              outputContexts=[{"name": "ordered", "timeToLiveInSeconds": 600, "turnsToLive": 2}])
    slot = lex.create_slot(slotName="Toppings", slotTypeId=toppings, intentId=order["intentId"], **where,
                           multipleValuesSetting={"allowMultipleValues": True},
                           valueElicitationSetting={"slotConstraint": "Required", "promptSpecification": {
                               **prompt("Which toppings?"), "maxRetries": 1}})["slotId"]
    lex.update_intent(intentId=order["intentId"], intentName="OrderPizza", **where,
                      sampleUtterances=[{"utterance": "order a pizza"}],
                      slotPriorities=[{"priority": 1, "slotId": slot}],
                      outputContexts=[{"name": "ordered", "timeToLiveInSeconds": 600, "turnsToLive": 2}])
    lex.create_intent(intentName="ConfirmDelivery", **where, sampleUtterances=[{"utterance": "deliver it"}],
                      inputContexts=[{"name": "ordered"}])
    build(lex, bot_id)
    return bot_id


def test_multi_value_slot_and_contexts(clients):
    lex, runtime = clients["lexv2-models"], clients["lexv2-runtime"]
    bot_id = _pizza_bot(lex)
    session = uuid.uuid4().hex
    assert _say(runtime, bot_id, session, "deliver it")["sessionState"]["intent"]["name"] == "FallbackIntent"
    asked = _say(runtime, bot_id, session, "order a pizza")
    assert asked["messages"][0]["content"] == "Which toppings?"
    done = _say(runtime, bot_id, session, "ham, olives and pineapple")
    slot = done["sessionState"]["intent"]["slots"]["Toppings"]
    assert slot["shape"] == "List"
    assert [v["value"]["interpretedValue"] for v in slot["values"]] == ["ham", "olives", "pineapple"]
    assert done["sessionState"]["intent"]["state"] == "Fulfilled"
    assert done["sessionState"]["activeContexts"] == [{"name": "ordered", "contextAttributes": {},
                                                     "timeToLive": {"timeToLiveInSeconds": 600, "turnsToLive": 2}}]
    delivered = _say(runtime, bot_id, session, "deliver it")
    assert delivered["sessionState"]["intent"]["name"] == "ConfirmDelivery"
    assert delivered["sessionState"]["activeContexts"][0]["timeToLive"]["turnsToLive"] == 1
    _say(runtime, bot_id, session, "hello there")
    # the context's two turns are spent: the intent that needs it is no longer recognized
    assert _say(runtime, bot_id, session, "deliver it")["sessionState"]["intent"]["name"] == "FallbackIntent"


def test_fallback_after_max_retries(clients):
    lex, runtime = clients["lexv2-models"], clients["lexv2-runtime"]
    bot_id = _pizza_bot(lex)
    session = uuid.uuid4().hex
    _say(runtime, bot_id, session, "order a pizza")
    again = _say(runtime, bot_id, session, "anchovies")  # not a topping: asked once more (maxRetries 1)
    assert again["messages"][0]["content"] == "Which toppings?"
    assert again["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "Toppings"}
    gave_up = _say(runtime, bot_id, session, "sardines")
    assert gave_up["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert "_retries" not in gave_up["sessionState"]


def test_resource_policy_on_a_bot(clients):
    import json

    import botocore.exceptions
    import pytest

    lex = clients["lexv2-models"]
    bot_id = make_bot(lex)
    arn = f"arn:aws:lex:us-east-1:000000000000:bot/{bot_id}"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "all", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "lex:RecognizeText", "Resource": arn}]})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lex.create_resource_policy(resourceArn=arn, policy="test_resource_policy")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    created = lex.create_resource_policy(resourceArn=arn, policy=policy)
    described = lex.describe_resource_policy(resourceArn=arn)
    assert described["revisionId"] == created["revisionId"] and json.loads(described["policy"])["Statement"]
    added = lex.create_resource_policy_statement(
        resourceArn=arn, statementId="alexa", effect="Allow", principal=[{"service": "lexv2.amazonaws.com"}],
        action=["lex:RecognizeText"], expectedRevisionId=created["revisionId"])
    statements = json.loads(lex.describe_resource_policy(resourceArn=arn)["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["all", "alexa"]
    assert statements[1]["Principal"] == {"Service": ["lexv2.amazonaws.com"]}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lex.delete_resource_policy(resourceArn=arn, expectedRevisionId=created["revisionId"])
    assert info.value.response["Error"]["Code"] == "PreconditionFailedException"
    lex.delete_resource_policy(resourceArn=arn, expectedRevisionId=added["revisionId"])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lex.create_resource_policy(resourceArn="arn:aws:lex:us-east-1:000000000000:bot/NOSUCHBOT1", policy=policy)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_composite_slot_elicits_its_sub_slots(clients):
    lex, runtime = clients["lexv2-models"], clients["lexv2-runtime"]
    bot_id = make_bot(lex)
    where = {"botId": bot_id, **WHERE}
    trip = lex.create_slot_type(slotTypeName="Trip", **where, compositeSlotTypeSetting={"subSlots": [
        {"name": "City", "slotTypeId": "AMAZON.City"}, {"name": "Nights", "slotTypeId": "AMAZON.Number"}]})
    intent = lex.create_intent(intentName="PlanTrip", **where, sampleUtterances=[{"utterance": "plan a trip"}])
    lex.create_slot(slotName="Trip", slotTypeId=trip["slotTypeId"], intentId=intent["intentId"], **where,
                    valueElicitationSetting={"slotConstraint": "Required", "promptSpecification": prompt("Trip?")},
                    subSlotSetting={"expression": "City AND Nights", "slotSpecifications": {
                        "City": {"slotTypeId": "AMAZON.City", "valueElicitationSetting": {
                            "promptSpecification": prompt("Which city?")}},
                        "Nights": {"slotTypeId": "AMAZON.Number", "valueElicitationSetting": {
                            "promptSpecification": prompt("How many nights?")}}}})
    build(lex, bot_id)
    session = uuid.uuid4().hex
    first = _say(runtime, bot_id, session, "plan a trip")
    assert first["messages"][0]["content"] == "Which city?"
    assert first["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "Trip",
                                                     "subSlotToElicit": {"name": "City"}}
    second = _say(runtime, bot_id, session, "Lisbon")
    assert second["messages"][0]["content"] == "How many nights?"
    done = _say(runtime, bot_id, session, "three")
    slot = done["sessionState"]["intent"]["slots"]["Trip"]
    assert slot["shape"] == "Composite"
    assert slot["subSlots"]["City"]["value"]["originalValue"] == "lisbon"
    assert slot["subSlots"]["Nights"]["value"]["interpretedValue"] == "3"
    assert done["sessionState"]["intent"]["state"] == "Fulfilled"
