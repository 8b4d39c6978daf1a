"""SNS mobile push operations: platform applications, endpoints, and publishing to an endpoint."""

from __future__ import annotations

import uuid
from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.sns.checks import check_arn, json_structure, page
from overcast.services.sns.mobile import (
    SECRET,
    App,
    Endpoint,
    MobileStore,
    check_app,
    check_endpoint_attributes,
)
from overcast.services.sns.sent import record_sent
from overcast.services.sns.store import invalid


class MobileOperations:
    platform: Platform

    @property
    def mobile(self) -> MobileStore:
        return self.platform.component(MobileStore)

    # -- platform applications ------------------------------------------------------------------

    def create_platform_application(self, ctx: RequestContext, name: str, platform: str,
                                    attributes: dict[str, str]) -> dict[str, Any]:
        attributes = dict(attributes or {})
        check_app(name, platform, attributes, creating=True)
        arn = arns.build("sns", ctx.region, ctx.account, f"app/{platform}/{name}")
        self.mobile.put_app(App(arn, ctx.account, ctx.region, platform, attributes))
        return {"PlatformApplicationArn": arn}

    def get_platform_application_attributes(self, ctx: RequestContext, platform_application_arn: str) -> dict[str, Any]:
        app = self.mobile.app(check_arn(ctx, platform_application_arn, "PlatformApplicationArn"))
        return {"Attributes": _app_attributes(app)}

    def set_platform_application_attributes(self, ctx: RequestContext, platform_application_arn: str,
                                            attributes: dict[str, str]) -> dict[str, Any]:
        app = self.mobile.app(check_arn(ctx, platform_application_arn, "PlatformApplicationArn"))
        check_app("", app.platform, attributes or {}, creating=False)
        self.mobile.put_app(App(app.arn, app.account, app.region, app.platform, {**app.attributes, **attributes}))
        return {}

    def list_platform_applications(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        chunk, nxt = page(self.mobile.apps(ctx.account, ctx.region), next_token)
        out: dict[str, Any] = {"PlatformApplications": [
            {"PlatformApplicationArn": a.arn, "Attributes": _app_attributes(a)} for a in chunk]}
        if nxt:
            out["NextToken"] = nxt
        return out

    def delete_platform_application(self, ctx: RequestContext, platform_application_arn: str) -> dict[str, Any]:
        self.mobile.delete_app(check_arn(ctx, platform_application_arn, "PlatformApplicationArn"))
        return {}  # AWS: deleting an unknown application succeeds

    # -- endpoints ------------------------------------------------------------------------------

    def create_platform_endpoint(self, ctx: RequestContext, platform_application_arn: str, token: str,
                                 custom_user_data: str | None = None,
                                 attributes: dict[str, str] | None = None) -> dict[str, Any]:
        app = self.mobile.app(check_arn(ctx, platform_application_arn, "PlatformApplicationArn"))
        if not token:
            raise invalid("Token Reason: cannot be empty")
        wanted = {k: v for k, v in (attributes or {}).items() if k != "Token"}
        check_endpoint_attributes(wanted)
        if custom_user_data is not None:
            wanted["CustomUserData"] = custom_user_data
        existing = self.mobile.by_token(app.arn, token)
        if existing is not None:  # AWS: one endpoint per device token; same attributes → the same ARN
            if any(existing.attributes.get(k) != v for k, v in wanted.items()):
                raise invalid(f"Token Reason: Endpoint {existing.arn} already exists with the same Token, "
                              "but different attributes.")
            return {"EndpointArn": existing.arn}
        _, platform, name = arns.parse(app.arn).resource.split("/", 2)
        arn = arns.build("sns", ctx.region, ctx.account, f"endpoint/{platform}/{name}/{uuid.uuid4()}")
        values = {"Enabled": "true", **wanted, "Token": token}
        self.mobile.put_endpoint(Endpoint(arn, app.arn, token, values), self.platform.clock.now())
        return {"EndpointArn": arn}

    def get_endpoint_attributes(self, ctx: RequestContext, endpoint_arn: str) -> dict[str, Any]:
        return {"Attributes": dict(self.mobile.endpoint(check_arn(ctx, endpoint_arn, "EndpointArn")).attributes)}

    def set_endpoint_attributes(self, ctx: RequestContext, endpoint_arn: str,
                                attributes: dict[str, str]) -> dict[str, Any]:
        endpoint = self.mobile.endpoint(check_arn(ctx, endpoint_arn, "EndpointArn"))
        check_endpoint_attributes(attributes or {})
        values = {**endpoint.attributes, **{k: (v.lower() if k == "Enabled" else v) for k, v in attributes.items()}}
        token = values.get("Token", endpoint.token)
        self.mobile.put_endpoint(Endpoint(endpoint.arn, endpoint.app_arn, token, values), self.platform.clock.now())
        return {}

    def delete_endpoint(self, ctx: RequestContext, endpoint_arn: str) -> dict[str, Any]:
        self.mobile.delete_endpoint(check_arn(ctx, endpoint_arn, "EndpointArn"))
        return {}  # AWS: deleting an unknown endpoint succeeds

    def list_endpoints_by_platform_application(self, ctx: RequestContext, platform_application_arn: str,
                                               next_token: str | None = None) -> dict[str, Any]:
        app = self.mobile.app(check_arn(ctx, platform_application_arn, "PlatformApplicationArn"))
        chunk, nxt = page(self.mobile.endpoints(app.arn), next_token)
        out: dict[str, Any] = {"Endpoints": [{"EndpointArn": e.arn, "Attributes": dict(e.attributes)} for e in chunk]}
        if nxt:
            out["NextToken"] = nxt
        return out

    def publish_to_endpoint(self, ctx: RequestContext, endpoint_arn: str, message: str, subject: str | None,
                            structure: str | None, attributes: dict[str, Any] | None) -> dict[str, Any]:
        """Publish with a TargetArn naming a mobile endpoint: kept for /_overcast/sns/push-messages."""
        endpoint = self.mobile.find_endpoint(endpoint_arn)
        if endpoint is None:
            raise invalid("TargetArn Reason: No endpoint found for the target arn specified")
        if not endpoint.enabled:
            from overcast.errors import client_error

            raise client_error("EndpointDisabled", "Endpoint is disabled")
        if not message:
            raise invalid("Empty message")
        text = message
        if structure == "json":
            parsed = json_structure(message)
            own = parsed.get(endpoint.platform)
            text = own if isinstance(own, str) else str(parsed["default"])
        message_id = str(uuid.uuid4())
        record_sent(self.platform, "push", ctx.account, ctx.region, endpoint.arn, message_id, text, subject,
                    attributes)
        return {"MessageId": message_id}


def _app_attributes(app: App) -> dict[str, str]:
    values = {k: v for k, v in app.attributes.items() if k not in SECRET}
    values.setdefault("Enabled", "true")
    return values
