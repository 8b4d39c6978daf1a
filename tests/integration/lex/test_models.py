"""Lex V2 model building through boto3: bots, locales, intents, slots, slot types, build, versions
and aliases, with AWS's errors."""

from __future__ import annotations

import uuid

import botocore.exceptions
import pytest

from tests.integration.lex.helpers import ROLE, build, hotel_bot, make_bot


def _code(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_bot_lifecycle_and_test_alias(clients):
    lex = clients["lexv2-models"]
    bot_id = make_bot(lex)
    described = lex.describe_bot(botId=bot_id)
    assert described["roleArn"] == ROLE and described["idleSessionTTLInSeconds"] == 300
    assert bot_id in [b["botId"] for b in lex.list_bots()["botSummaries"]]
    aliases = lex.list_bot_aliases(botId=bot_id)["botAliasSummaries"]
    assert [(a["botAliasId"], a["botAliasName"], a["botVersion"]) for a in aliases] == [
        ("TSTALIASID", "TestBotAlias", "DRAFT")]
    locale = lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId="en_US")
    assert locale["localeName"] == "English (US)" and locale["intentsCount"] == 1  # the fallback intent
    intents = lex.list_intents(botId=bot_id, botVersion="DRAFT", localeId="en_US")["intentSummaries"]
    assert [i["parentIntentSignature"] for i in intents] == ["AMAZON.FallbackIntent"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        build(lex, bot_id)  # nothing but the fallback intent
    assert _code(info) == ("PreconditionFailedException", 412)
    assert lex.delete_bot(botId=bot_id)["botStatus"] == "Deleting"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lex.describe_bot(botId=bot_id)
    assert _code(info) == ("ResourceNotFoundException", 404)


def test_intents_slots_build_version_alias(clients):
    lex = clients["lexv2-models"]
    bot = hotel_bot(lex)
    where = {"botId": bot["botId"], "botVersion": "DRAFT", "localeId": "en_US"}
    intent = lex.describe_intent(intentId=bot["intentId"], **where)
    assert intent["intentName"] == "BookHotel" and len(intent["slotPriorities"]) == 2
    slots = lex.list_slots(intentId=bot["intentId"], **where)["slotSummaries"]
    assert sorted(s["slotName"] for s in slots) == ["City", "RoomType"]
    slot_type = lex.describe_slot_type(slotTypeId=bot["slotTypeId"], **where)
    assert [v["sampleValue"]["value"] for v in slot_type["slotTypeValues"]] == ["king", "queen"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lex.create_intent(intentName="BookHotel", **where)
    assert _code(info)[0] == "PreconditionFailedException"
    version = lex.create_bot_version(botId=bot["botId"], botVersionLocaleSpecification={
        "en_US": {"sourceBotVersion": "DRAFT"}})
    assert version["botVersion"] == "1"
    assert lex.list_intents(botId=bot["botId"], botVersion="1", localeId="en_US")["intentSummaries"]
    alias = lex.create_bot_alias(botId=bot["botId"], botAliasName="live", botVersion="1")
    got = lex.describe_bot_alias(botId=bot["botId"], botAliasId=alias["botAliasId"])
    assert got["botVersion"] == "1" and got["botAliasName"] == "live"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lex.describe_intent(intentId="NOSUCHINTT", **where)
    assert _code(info) == ("ResourceNotFoundException", 404)


def test_tags_of_bots_and_aliases(clients):
    lex = clients["lexv2-models"]
    bot = lex.create_bot(botName=f"tagged{uuid.uuid4().hex[:8]}", roleArn=ROLE,
                         dataPrivacy={"childDirected": False}, idleSessionTTLInSeconds=300,
                         botTags={"team": "a"})
    arn = f"arn:aws:lex:us-east-1:000000000000:bot/{bot['botId']}"
    assert lex.list_tags_for_resource(resourceARN=arn)["tags"] == {"team": "a"}
    lex.tag_resource(resourceARN=arn, tags={"env": "dev"})
    assert lex.list_tags_for_resource(resourceARN=arn)["tags"] == {"team": "a", "env": "dev"}
    lex.untag_resource(resourceARN=arn, tagKeys=["team"])
    assert lex.list_tags_for_resource(resourceARN=arn)["tags"] == {"env": "dev"}
    alias_arn = f"arn:aws:lex:us-east-1:000000000000:bot-alias/{bot['botId']}/TSTALIASID"
    lex.tag_resource(resourceARN=alias_arn, tags={"k": "v"})
    assert lex.list_tags_for_resource(resourceARN=alias_arn)["tags"] == {"k": "v"}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        lex.list_tags_for_resource(resourceARN="arn:aws:lex:us-east-1:000000000000:bot/NOSUCHBOT1")
    assert _code(info) == ("ResourceNotFoundException", 404)
