"""SES's pure rules: receipt rules' recipient matching, Handlebars rendering with AWS's
MissingRenderingAttribute, a RequestResponse function's disposition, event type names between APIs."""

from __future__ import annotations

import pytest

from overcast.services.ses import config_sets
from overcast.services.ses.errors import MissingRenderingAttribute
from overcast.services.ses.mail import render
from overcast.services.ses.receiving import _disposition
from overcast.services.ses.rules import recipient_matches


@pytest.mark.parametrize(("patterns", "recipient", "matches"), [
    ([], "anyone@anywhere.example", True),
    (["user@example.com"], "USER@example.com", True),
    (["user@example.com"], "other@example.com", False),
    (["example.com"], "x@example.com", True),
    (["example.com"], "x@sub.example.com", False),
    ([".example.com"], "x@sub.example.com", True),
    ([".example.com"], "x@example.com", False),
])
def test_recipient_matching(patterns, recipient, matches):
    assert recipient_matches(patterns, recipient) is matches


def test_render_handlebars_and_missing_attributes():
    assert render("Hi {{name}} & {{{raw}}}", {"name": "<b>", "raw": "<i>"}) == "Hi &lt;b&gt; & <i>"
    assert render("{{a.b}}", {"a": {"b": 3}}) == "3"
    assert render("{{#if x}}yes{{else}}no{{/if}}", {}) == "no"
    with pytest.raises(MissingRenderingAttribute, match=r"Attribute 'name' is not present in the rendering data\."):
        render("Hi {{name}}", {})
    assert render("Hi {{name}}", {}, strict=False) == "Hi "
    assert render(None, {}) is None


@pytest.mark.parametrize(("payload", "disposition"), [
    (b'{"disposition": "STOP_RULE"}', "STOP_RULE"),
    (b'{"disposition": "STOP_RULE_SET"}', "STOP_RULE_SET"),
    (b'{"disposition": "whatever"}', "CONTINUE"),
    (b"null", "CONTINUE"),
    (b"not json", "CONTINUE"),
    (b'"STOP_RULE"', "CONTINUE"),
])
def test_disposition(payload, disposition):
    assert _disposition(payload) == disposition


def test_event_destinations_read_in_either_api_shape():
    v1 = {"Name": "d", "Enabled": True, "MatchingEventTypes": ["send", "renderingFailure"],
          "SNSDestination": {"TopicARN": "arn:aws:sns:us-east-1:000000000000:t"}}
    kept = config_sets.from_v1(v1)
    assert kept["MatchingEventTypes"] == ["send", "renderingfailure"]
    assert config_sets.to_v1(kept) == v1
    assert config_sets.to_v2(kept) == {"Name": "d", "Enabled": True, "MatchingEventTypes": ["SEND", "RENDERING_FAILURE"],
                                       "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t"}}
    v2 = config_sets.from_v2("e", {"Enabled": True, "MatchingEventTypes": ["DELIVERY_DELAY"],
                                   "EventBridgeDestination": {"EventBusArn": "arn:bus"}})
    assert config_sets.to_v2(v2)["MatchingEventTypes"] == ["DELIVERY_DELAY"]
    assert config_sets.to_v2(v2)["EventBridgeDestination"] == {"EventBusArn": "arn:bus"}
