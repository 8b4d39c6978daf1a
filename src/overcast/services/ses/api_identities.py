"""SES v1 identities, their attributes, and the account's quotas and statistics."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses import identities
from overcast.services.ses.api_base import ApiBase
from overcast.services.ses.sending import quota


class IdentityOperations(ApiBase):
    def verify_email_identity(self, ctx: RequestContext, EmailAddress: str) -> dict[str, Any]:
        identities.create(self.platform, ctx.account, ctx.region, EmailAddress)
        return {}

    def verify_email_address(self, ctx: RequestContext, EmailAddress: str) -> dict[str, Any]:
        return self.verify_email_identity(ctx, EmailAddress)

    def verify_domain_identity(self, ctx: RequestContext, Domain: str) -> dict[str, Any]:
        doc = identities.create(self.platform, ctx.account, ctx.region, Domain)
        return {"VerificationToken": doc["VerificationToken"]}

    def verify_domain_dkim(self, ctx: RequestContext, Domain: str) -> dict[str, Any]:
        doc = identities.create(self.platform, ctx.account, ctx.region, Domain)
        return {"DkimTokens": doc["DkimTokens"]}

    def list_identities(self, ctx: RequestContext, IdentityType: str | None = None, NextToken: str | None = None,
                        MaxItems: int | None = None) -> dict[str, Any]:
        docs = identities.listed(self.platform, ctx.account, ctx.region, IdentityType)
        chunk, token = identities.page([d["Identity"] for d in docs], NextToken, MaxItems)
        return {"Identities": chunk, **({"NextToken": token} if token else {})}

    def list_verified_email_addresses(self, ctx: RequestContext) -> dict[str, Any]:
        docs = identities.listed(self.platform, ctx.account, ctx.region, "EmailAddress")
        return {"VerifiedEmailAddresses": [d["Identity"] for d in docs]}

    def delete_identity(self, ctx: RequestContext, Identity: str) -> dict[str, Any]:
        identities.delete(self.platform, ctx.account, ctx.region, Identity)  # AWS answers success either way
        return {}

    def delete_verified_email_address(self, ctx: RequestContext, EmailAddress: str) -> dict[str, Any]:
        return self.delete_identity(ctx, EmailAddress)

    def _found(self, ctx: RequestContext, names: list[str]) -> list[dict[str, Any]]:
        docs = [self.store.identity(ctx.account, ctx.region, name) for name in names]
        return [d for d in docs if d is not None]

    def get_identity_verification_attributes(self, ctx: RequestContext, Identities: list[str]) -> dict[str, Any]:
        out = {}
        for doc in self._found(ctx, Identities):
            attrs = {"VerificationStatus": "Success"}
            if doc["VerificationToken"]:
                attrs["VerificationToken"] = doc["VerificationToken"]
            out[doc["Identity"]] = attrs
        return {"VerificationAttributes": out}

    def get_identity_dkim_attributes(self, ctx: RequestContext, Identities: list[str]) -> dict[str, Any]:
        out = {doc["Identity"]: {"DkimEnabled": doc["DkimEnabled"], "DkimVerificationStatus": "Success",
                                 **({"DkimTokens": doc["DkimTokens"]} if identities.is_domain(doc["Identity"]) else {})}
               for doc in self._found(ctx, Identities)}
        return {"DkimAttributes": out}

    def set_identity_dkim_enabled(self, ctx: RequestContext, Identity: str, DkimEnabled: bool) -> dict[str, Any]:
        return self._update(ctx, Identity, DkimEnabled=DkimEnabled)

    def _update(self, ctx: RequestContext, identity: str, **changes: Any) -> dict[str, Any]:
        from overcast.services.ses.errors import invalid

        doc = self.store.identity(ctx.account, ctx.region, identity)
        if doc is None:
            raise invalid(f"Identity <{identity}> does not exist.")
        doc.update(changes)
        identities.put(self.platform, ctx.account, ctx.region, doc)
        return {}

    def get_identity_notification_attributes(self, ctx: RequestContext, Identities: list[str]) -> dict[str, Any]:
        out = {}
        for doc in self._found(ctx, Identities):
            topics, headers = doc["NotificationTopics"], doc["HeadersInNotifications"]
            attrs: dict[str, Any] = {"ForwardingEnabled": doc["ForwardingEnabled"]}
            for kind in ("Bounce", "Complaint", "Delivery"):
                if topics.get(kind):
                    attrs[f"{kind}Topic"] = topics[kind]
                attrs[f"HeadersIn{kind}NotificationsEnabled"] = bool(headers.get(kind))
            out[doc["Identity"]] = attrs
        return {"NotificationAttributes": out}

    def set_identity_notification_topic(self, ctx: RequestContext, Identity: str, NotificationType: str,
                                        SnsTopic: str | None = None) -> dict[str, Any]:
        doc = self.store.identity(ctx.account, ctx.region, Identity) or {}
        topics = dict(doc.get("NotificationTopics") or {})
        topics[NotificationType] = SnsTopic
        return self._update(ctx, Identity, NotificationTopics=topics)

    def set_identity_headers_in_notifications_enabled(self, ctx: RequestContext, Identity: str, NotificationType: str,
                                                      Enabled: bool) -> dict[str, Any]:
        doc = self.store.identity(ctx.account, ctx.region, Identity) or {}
        headers = dict(doc.get("HeadersInNotifications") or {})
        headers[NotificationType] = Enabled
        return self._update(ctx, Identity, HeadersInNotifications=headers)

    def set_identity_feedback_forwarding_enabled(self, ctx: RequestContext, Identity: str,
                                                 ForwardingEnabled: bool) -> dict[str, Any]:
        return self._update(ctx, Identity, ForwardingEnabled=ForwardingEnabled)

    def set_identity_mail_from_domain(self, ctx: RequestContext, Identity: str, MailFromDomain: str | None = None,
                                      BehaviorOnMXFailure: str | None = None) -> dict[str, Any]:
        return self._update(ctx, Identity, MailFromDomain=MailFromDomain,
                            BehaviorOnMxFailure=BehaviorOnMXFailure or "UseDefaultValue")

    def get_identity_mail_from_domain_attributes(self, ctx: RequestContext, Identities: list[str]) -> dict[str, Any]:
        out = {}
        for doc in self._found(ctx, Identities):
            attrs = {"BehaviorOnMXFailure": doc["BehaviorOnMxFailure"]}
            if doc["MailFromDomain"]:
                attrs.update(MailFromDomain=doc["MailFromDomain"], MailFromDomainStatus="Success")
            out[doc["Identity"]] = attrs
        return {"MailFromDomainAttributes": out}

    def get_send_quota(self, ctx: RequestContext) -> dict[str, Any]:
        return quota(self.platform, ctx.account, ctx.region)

    def get_send_statistics(self, ctx: RequestContext) -> dict[str, Any]:
        """Data points of the last two weeks, one per 15-minute interval that sent anything."""
        sent = self.store.sent_since(ctx.account, ctx.region, self.platform.clock.now() - 14 * 86_400)
        points: dict[int, dict[str, Any]] = {}
        for message in sent:
            slot = int(message["Timestamp"] // 900 * 900)
            point = points.setdefault(slot, {"Timestamp": float(slot), "DeliveryAttempts": 0, "Bounces": 0,
                                             "Complaints": 0, "Rejects": 0})
            outcome = message["Outcome"]
            point["DeliveryAttempts"] += len(outcome.get("delivered", [])) + len(outcome.get("bounced", []))
            point["Bounces"] += len(outcome.get("bounced", []))
            point["Complaints"] += len(outcome.get("complained", []))
        return {"SendDataPoints": [points[k] for k in sorted(points)]}

    def get_account_sending_enabled(self, ctx: RequestContext) -> dict[str, Any]:
        return {"Enabled": self.store.settings(ctx.account, ctx.region).get("SendingEnabled", True)}

    def update_account_sending_enabled(self, ctx: RequestContext, Enabled: bool = False) -> dict[str, Any]:
        settings = self.store.settings(ctx.account, ctx.region)
        settings["SendingEnabled"] = Enabled
        self.store.put_settings(ctx.account, ctx.region, settings)
        return {}
