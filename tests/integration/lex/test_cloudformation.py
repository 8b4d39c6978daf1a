"""AWS::Lex::Bot with inline locales, intents, slots and slot types (auto-built), AWS::Lex::BotVersion
and AWS::Lex::BotAlias in one stack, then a conversation through the stack's alias."""

from __future__ import annotations

import uuid

from tests.integration.cloudformation.helpers import check, create, outputs

PROMPT = {"MessageGroupsList": [{"Message": {"PlainTextMessage": {"Value": "How many nights?"}}}], "MaxRetries": 2}

TEMPLATE = {
    "Resources": {
        "Bot": {"Type": "AWS::Lex::Bot", "Properties": {
            "Name": f"cfnbot{uuid.uuid4().hex[:8]}", "RoleArn": "arn:aws:iam::000000000000:role/lex",
            "DataPrivacy": {"ChildDirected": False}, "IdleSessionTTLInSeconds": 300, "AutoBuildBotLocales": True,
            "BotLocales": [{
                "LocaleId": "en_US", "NluConfidenceThreshold": 0.4,
                "SlotTypes": [{"Name": "Size", "ValueSelectionSetting": {"ResolutionStrategy": "TopResolution"},
                               "SlotTypeValues": [{"SampleValue": {"Value": "small"},
                                                   "Synonyms": [{"Value": "tiny"}]},
                                                  {"SampleValue": {"Value": "large"}}]}],
                "Intents": [
                    {"Name": "OrderPizza", "SampleUtterances": [{"Utterance": "order a {Size} pizza for {Nights}"},
                                                                {"Utterance": "order a {Size} pizza"}],
                     "IntentClosingSetting": {"ClosingResponse": {"MessageGroupsList": [
                         {"Message": {"PlainTextMessage": {"Value": "Pizza ordered."}}}]}},
                     "Slots": [{"Name": "Size", "SlotTypeName": "Size", "ValueElicitationSetting": {
                                   "SlotConstraint": "Required", "PromptSpecification": PROMPT}},
                               {"Name": "Nights", "SlotTypeName": "AMAZON.Number", "ValueElicitationSetting": {
                                   "SlotConstraint": "Required", "PromptSpecification": PROMPT}}],
                     "SlotPriorities": [{"Priority": 1, "SlotName": "Size"}, {"Priority": 2, "SlotName": "Nights"}]},
                    {"Name": "FallbackIntent", "ParentIntentSignature": "AMAZON.FallbackIntent"}]}]}},
        "Version": {"Type": "AWS::Lex::BotVersion", "Properties": {
            "BotId": {"Ref": "Bot"}, "BotVersionLocaleSpecification": [
                {"LocaleId": "en_US", "BotVersionLocaleDetails": {"SourceBotVersion": "DRAFT"}}]}},
        "Alias": {"Type": "AWS::Lex::BotAlias", "Properties": {
            "BotId": {"Ref": "Bot"}, "BotAliasName": "live",
            "BotVersion": {"Fn::GetAtt": ["Version", "BotVersion"]}}},
    },
    "Outputs": {"BotId": {"Value": {"Ref": "Bot"}}, "BotArn": {"Value": {"Fn::GetAtt": ["Bot", "Arn"]}},
                "AliasId": {"Value": {"Fn::GetAtt": ["Alias", "BotAliasId"]}},
                "Version": {"Value": {"Ref": "Version"}}},
}


def test_stack_with_a_bot_version_and_alias(overcast_server, clients):
    cf = overcast_server.client("cloudformation")
    stack = check(cf, create(cf, TEMPLATE))
    out = outputs(stack)
    assert out["Version"] == "1"
    assert out["BotArn"] == f"arn:aws:lex:us-east-1:000000000000:bot/{out['BotId']}"
    lex, runtime = clients["lexv2-models"], clients["lexv2-runtime"]
    intents = lex.list_intents(botId=out["BotId"], botVersion="1", localeId="en_US")["intentSummaries"]
    assert sorted(i["intentName"] for i in intents) == ["FallbackIntent", "OrderPizza"]
    answer = runtime.recognize_text(botId=out["BotId"], botAliasId=out["AliasId"], localeId="en_US",
                                    sessionId=uuid.uuid4().hex, text="Order a tiny pizza for three")
    intent = answer["sessionState"]["intent"]
    assert intent["slots"]["Size"]["value"]["interpretedValue"] == "small"
    assert intent["slots"]["Nights"]["value"]["interpretedValue"] == "3"
    assert intent["state"] == "Fulfilled" and answer["messages"][0]["content"] == "Pizza ordered."
    cf.delete_stack(StackName=stack["StackId"])
