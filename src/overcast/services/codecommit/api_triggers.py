"""Repository triggers: Put/Get/TestRepositoryTriggers."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.codecommit.api_base import ApiBase
from overcast.services.codecommit.gitstore import branches
from overcast.services.codecommit.triggers import lambda_event, send, validate


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
        with self.platform.db.tx():
            for trigger in checked:
                send(self.platform, doc, trigger, lambda_event(doc, trigger, references, event_name="TriggerEventTest",
                                                               user_arn=ctx.caller_arn,
                                                               now=self.platform.clock.now()))
        return {"successfulExecutions": [t["name"] for t in checked], "failedExecutions": []}
