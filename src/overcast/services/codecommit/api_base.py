"""What CodeCommit's operation groups share: the store, the repository lookup, and moving a branch
(with its triggers and events, in one transaction)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.codecommit.gitstore import HEADS, set_head, set_ref
from overcast.services.codecommit.models import Repositories
from overcast.services.codecommit.triggers import RefChange, fire


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(Repositories)

    def caller(self, ctx: RequestContext) -> str:
        """The caller's ARN as STS names it: an assumed role's session
        (`arn:aws:sts::{account}:assumed-role/{role}/{session}`), else the account's root."""
        gateway = self.platform.gateway
        if gateway is not None and "sts" in gateway.specs:
            try:
                return str(gateway.api("sts").get_caller_identity(ctx)["Arn"])
            except ServiceError:  # an identity STS cannot tell is the account's
                pass
        return ctx.caller_arn

    def _repo(self, ctx: RequestContext, name: str | None) -> dict[str, Any]:
        return self.store.get(ctx.account, ctx.region, name)

    def _move(self, ctx: RequestContext, doc: dict[str, Any], changes: list[RefChange]) -> None:
        """Set the refs of `changes` (already checked by the caller, under the repository's lock)
        and record what follows (`settle`)."""
        repo = self.store.repo(doc)
        with self.platform.db.tx():
            for change in changes:
                set_ref(repo, change.ref, change.new)
            settle(self.platform, doc, changes, ctx.caller_arn)


def settle(platform: Platform, doc: dict[str, Any], changes: list[RefChange], user_arn: str) -> None:
    """After refs moved (by the API or a `git push`): the first branch becomes the default one (and
    the bare repository's HEAD, what `git clone` checks out), and the triggers' deliveries and
    EventBridge events are recorded — in the caller's transaction."""
    store = platform.component(Repositories)
    with platform.db.tx():
        store.refresh(doc)
        first = next((c for c in changes if c.new is not None and c.ref.startswith(HEADS.decode())), None)
        if first is not None and not doc.get("defaultBranch"):
            doc["defaultBranch"] = first.branch
            set_head(store.repo(doc), first.ref)
        doc["lastModifiedDate"] = platform.clock.now()
        store.save(doc)
        fire(platform, doc, changes, user_arn)
