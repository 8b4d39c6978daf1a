"""SNS topic policy operations: AddPermission/RemovePermission (statements in the topic's Policy) and
data protection policies."""

from __future__ import annotations

import json
from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.sns.checks import check_arn, check_topic_policy
from overcast.services.sns.store import SnsStore, Topic, invalid

#: actions AddPermission accepts (AWS: the topic actions a policy can grant)
ACTIONS = ("AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes",
           "ListSubscriptionsByTopic", "ListTagsForResource", "Publish", "PutDataProtectionPolicy",
           "RemovePermission", "SetTopicAttributes", "Subscribe")


class PolicyOperations:
    platform: Platform

    def _put_attribute(self, topic: Topic, name: str, value: str) -> None:
        store = self.platform.component(SnsStore)
        store.put_topic(Topic(topic.arn, topic.account, topic.region, topic.name, topic.fifo,
                              {**topic.attributes, name: value}, topic.tags))

    def add_permission(self, ctx: RequestContext, topic_arn: str, label: str, aws_account_id: list[str],
                       action_name: list[str]) -> dict[str, Any]:
        topic = self.platform.component(SnsStore).topic(check_arn(ctx, topic_arn))
        for action in action_name:
            if action not in ACTIONS:
                raise invalid("Policy statement action out of service scope!")
        policy = json.loads(topic.attributes.get("Policy") or '{"Version":"2008-10-17","Statement":[]}')
        statements = policy.get("Statement")
        if not isinstance(statements, list):  # a single statement may be written as an object
            statements = policy["Statement"] = [statements] if isinstance(statements, dict) else []
        if any(s.get("Sid") == label for s in statements):
            raise invalid("Statement already exists")
        principals = [f"arn:aws:iam::{account}:root" for account in aws_account_id]
        actions = [f"SNS:{a}" for a in action_name]
        statements.append({
            "Sid": label, "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": actions[0] if len(actions) == 1 else actions, "Resource": topic.arn,
        })
        check_topic_policy(json.dumps(policy))  # the grown policy is held to the topic policy's quotas
        self._put_attribute(topic, "Policy", json.dumps(policy))
        return {}

    def remove_permission(self, ctx: RequestContext, topic_arn: str, label: str) -> dict[str, Any]:
        topic = self.platform.component(SnsStore).topic(check_arn(ctx, topic_arn))
        policy = json.loads(topic.attributes.get("Policy") or '{"Statement":[]}')
        kept = [s for s in policy.get("Statement", []) if s.get("Sid") != label]
        policy["Statement"] = kept
        self._put_attribute(topic, "Policy", json.dumps(policy))  # AWS: an unknown label changes nothing
        return {}

    def put_data_protection_policy(self, ctx: RequestContext, resource_arn: str,
                                   data_protection_policy: str) -> dict[str, Any]:
        topic = self.platform.component(SnsStore).topic(check_arn(ctx, resource_arn, "ResourceArn"))
        try:
            document = documents.loads(data_protection_policy)
        except ValueError:
            raise invalid("DataProtectionPolicy Reason: failed to parse JSON.") from None
        if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
            raise invalid("DataProtectionPolicy Reason: the policy must have a Statement list")
        self._put_attribute(topic, "DataProtectionPolicy", data_protection_policy)
        return {}

    def get_data_protection_policy(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        topic = self.platform.component(SnsStore).topic(check_arn(ctx, resource_arn, "ResourceArn"))
        policy = topic.attributes.get("DataProtectionPolicy")
        return {"DataProtectionPolicy": policy} if policy else {}
