"""Repository triggers (Put/Get/TestRepositoryTriggers) and tags (Tag/UntagResource, ListTagsForResource)."""

from __future__ import annotations

import uuid
from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.services.codecommit.api_base import ApiBase
from overcast.services.codecommit.errors import error
from overcast.services.codecommit.gitstore import branches
from overcast.services.codecommit.triggers import lambda_event, send, sender, validate


class TriggerOperations(ApiBase):
    def put_repository_triggers(self, ctx: RequestContext, repository_name: str,
                                triggers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        doc["triggers"] = validate(triggers, ctx.region)
        doc["configurationId"] = str(uuid.uuid4())
        self.store.save(doc)
        return {"configurationId": doc["configurationId"]}

    def get_repository_triggers(self, ctx: RequestContext, repository_name: str) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        return {"configurationId": doc.get("configurationId") or "", "triggers": doc.get("triggers") or []}

    def test_repository_triggers(self, ctx: RequestContext, repository_name: str,
                                 triggers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Sends each trigger a `TriggerEventTest` event naming the default branch's head (AWS sends
        test data to the destination)."""
        doc = self._repo(ctx, repository_name)
        checked = validate(triggers, ctx.region)
        heads = branches(self.store.repo(doc))
        branch = doc.get("defaultBranch") or "main"
        references = [{"commit": heads.get(branch, "0" * 40), "ref": f"refs/heads/{branch}"}]
        ok: list[str] = []
        failed: list[dict[str, str]] = []
        with self.platform.db.tx():
            for trigger in checked:
                problem = self._unreachable(ctx, trigger["destinationArn"], doc)
                if problem:
                    failed.append({"trigger": trigger["name"], "failureMessage": problem})
                    continue
                send(self.platform, doc, trigger, lambda_event(doc, trigger, references, event_name="TriggerEventTest",
                                                               user_arn=ctx.caller_arn,
                                                               now=self.platform.clock.now()))
                ok.append(trigger["name"])
        return {"successfulExecutions": ok, "failedExecutions": failed}

    def _unreachable(self, ctx: RequestContext, arn: str, doc: dict[str, Any]) -> str | None:
        """Why a trigger's destination cannot take the test event (it does not exist), or None; asked
        through the destination service's own operations."""
        gateway = self.platform.gateway
        service = arns.parse(arn).service
        if gateway is None or service not in gateway.specs:
            return f"The {service} service is not running."
        try:
            if service == "lambda":
                gateway.api("lambda").get_function(ctx.internal("lambda", "GetFunction"), function_name=arn)
            else:
                gateway.api("sns").get_topic_attributes(ctx.internal("sns", "GetTopicAttributes"), topic_arn=arn)
        except ServiceError as failure:
            return f"{failure.code}: {failure.message}"
        auth = sender(self.platform, doc, arn)  # may CodeCommit deliver there (`--iam enforce`)?
        return self.platform.iam.delivery_refusal(arn, auth) if auth and self.platform.iam is not None else None


class TagOperations(ApiBase):
    """Tags of a repository, by its ARN (TagResource, UntagResource, ListTagsForResource)."""

    def _by_arn(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        try:
            name = arns.parse(resource_arn).resource
        except ValueError:
            name = ""
        if not name or not resource_arn.startswith(f"arn:aws:codecommit:{ctx.region}:{ctx.account}:"):
            raise error("InvalidResourceArnException", f"The value for the resource ARN is not valid: {resource_arn}")
        return self._repo(ctx, name)

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str]) -> dict[str, Any]:
        doc = self._by_arn(ctx, resource_arn)
        doc["tags"] = {**(doc.get("tags") or {}), **tags}
        self.store.save(doc)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        doc = self._by_arn(ctx, resource_arn)
        doc["tags"] = {k: v for k, v in (doc.get("tags") or {}).items() if k not in tag_keys}
        self.store.save(doc)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str,
                               next_token: str | None = None) -> dict[str, Any]:
        return {"tags": self._by_arn(ctx, resource_arn).get("tags") or {}}
