"""SES v1 identities, their attributes, and the account's quotas and statistics."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses import identities as registry
from overcast.services.ses.api_base import ApiBase
from overcast.services.ses.sending import quota


class IdentityOperations(ApiBase):
    def verify_email_identity(self, ctx: RequestContext, email_address: str) -> dict[str, Any]:
        registry.create(self.platform, ctx.account, ctx.region, email_address)
        return {}

    def verify_email_address(self, ctx: RequestContext, email_address: str) -> dict[str, Any]:
        return self.verify_email_identity(ctx, email_address)

    def verify_domain_identity(self, ctx: RequestContext, domain: str) -> dict[str, Any]:
        doc = registry.create(self.platform, ctx.account, ctx.region, domain)
        return {"VerificationToken": doc["VerificationToken"]}

    def verify_domain_dkim(self, ctx: RequestContext, domain: str) -> dict[str, Any]:
        doc = registry.create(self.platform, ctx.account, ctx.region, domain)
        return {"DkimTokens": doc["DkimTokens"]}

    def list_identities(self, ctx: RequestContext, identity_type: str | None = None, next_token: str | None = None,
                        max_items: int | None = None) -> dict[str, Any]:
        docs = registry.listed(self.platform, ctx.account, ctx.region, identity_type)
        chunk, token = registry.page([d["Identity"] for d in docs], next_token, max_items)
        return {"Identities": chunk, **({"NextToken": token} if token else {})}

    def list_verified_email_addresses(self, ctx: RequestContext) -> dict[str, Any]:
        docs = registry.listed(self.platform, ctx.account, ctx.region, "EmailAddress")
        return {"VerifiedEmailAddresses": [d["Identity"] for d in docs]}

    def delete_identity(self, ctx: RequestContext, identity: str) -> dict[str, Any]:
        registry.delete(self.platform, ctx.account, ctx.region, identity)  # AWS answers success either way
        return {}

    def delete_verified_email_address(self, ctx: RequestContext, email_address: str) -> dict[str, Any]:
        return self.delete_identity(ctx, email_address)

    def _found(self, ctx: RequestContext, names: list[str]) -> list[dict[str, Any]]:
        docs = [self.store.identity(ctx.account, ctx.region, name) for name in names]
        return [d for d in docs if d is not None]

    def get_identity_verification_attributes(self, ctx: RequestContext, identities: list[str]) -> dict[str, Any]:
        out = {}
        for doc in self._found(ctx, identities):
            attrs = {"VerificationStatus": "Success"}
            if doc["VerificationToken"]:
                attrs["VerificationToken"] = doc["VerificationToken"]
            out[doc["Identity"]] = attrs
        return {"VerificationAttributes": out}

    def get_identity_dkim_attributes(self, ctx: RequestContext, identities: list[str]) -> dict[str, Any]:
        out = {}
        for doc in self._found(ctx, identities):
            if registry.is_domain(doc["Identity"]):
                out[doc["Identity"]] = {"DkimEnabled": doc["DkimEnabled"], "DkimVerificationStatus": "Success",
                                        "DkimTokens": doc["DkimTokens"]}
                continue
            # AWS: an address is signed with its domain's Easy DKIM when the domain has it
            domain = self._domain_of(ctx, doc["Identity"])
            signed = bool(doc["DkimEnabled"] or (domain is not None and domain["DkimEnabled"]))
            out[doc["Identity"]] = {"DkimEnabled": signed,
                                    "DkimVerificationStatus": "Success" if signed else "NotStarted"}
        return {"DkimAttributes": out}

    def set_identity_dkim_enabled(self, ctx: RequestContext, identity: str, dkim_enabled: bool) -> dict[str, Any]:
        return self._update(ctx, identity, DkimEnabled=dkim_enabled)

    def _update(self, ctx: RequestContext, identity: str, notifications: bool = False,
                **changes: Any) -> dict[str, Any]:
        """Change an identity's settings. AWS words an unknown identity per operation: the
        notification settings say it must be verified, the others that it does not exist."""
        from overcast.services.ses.errors import invalid

        doc = self.store.identity(ctx.account, ctx.region, identity)
        if doc is None and self._domain_of(ctx, identity) is not None:
            # an address of a verified domain is a verified identity too; it gets its own settings
            doc = registry.create(self.platform, ctx.account, ctx.region, identity)
        if doc is None and notifications:
            raise invalid(f"Identity {identity} is invalid. Must be a verified email address or domain.")
        if doc is None:
            raise invalid(f"Identity '{identity}' does not exist.")
        doc.update(changes)
        registry.put(self.platform, ctx.account, ctx.region, doc)
        return {}

    def _domain_of(self, ctx: RequestContext, identity: str) -> dict[str, Any] | None:
        """The verified domain identity an email address belongs to."""
        if "@" not in identity:
            return None
        return self.store.identity(ctx.account, ctx.region, identity.rpartition("@")[2].lower())

    # -- sending authorization policies (kept, not enforced) ----------------------------------
    def _policy_identity(self, ctx: RequestContext, identity: str) -> dict[str, Any]:
        from overcast.services.ses.errors import invalid

        doc = self.store.identity(ctx.account, ctx.region, identity)
        if doc is None:
            raise invalid(f"Identity '{identity}' does not exist.")
        return doc

    def put_identity_policy(self, ctx: RequestContext, identity: str, policy_name: str, policy: str) -> dict[str, Any]:
        registry.put_policy(self.platform, ctx.account, ctx.region, self._policy_identity(ctx, identity),
                            policy_name, policy)
        return {}

    def delete_identity_policy(self, ctx: RequestContext, identity: str, policy_name: str) -> dict[str, Any]:
        registry.drop_policy(self.platform, ctx.account, ctx.region, self._policy_identity(ctx, identity), policy_name)
        return {}

    def get_identity_policies(self, ctx: RequestContext, identity: str, policy_names: list[str]) -> dict[str, Any]:
        held = self._policy_identity(ctx, identity).get("Policies") or {}
        return {"Policies": {n: held[n] for n in policy_names if n in held}}

    def list_identity_policies(self, ctx: RequestContext, identity: str) -> dict[str, Any]:
        return {"PolicyNames": sorted(self._policy_identity(ctx, identity).get("Policies") or {})}

    def get_identity_notification_attributes(self, ctx: RequestContext, identities: list[str]) -> dict[str, Any]:
        out = {}
        for name in identities:
            # AWS: an address of a verified domain that has no settings of its own has the domain's
            doc = self.store.identity(ctx.account, ctx.region, name) or self._domain_of(ctx, name)
            if doc is None:
                continue
            topics, headers = doc["NotificationTopics"], doc["HeadersInNotifications"]
            attrs: dict[str, Any] = {"ForwardingEnabled": doc["ForwardingEnabled"]}
            for kind in ("Bounce", "Complaint", "Delivery"):
                if topics.get(kind):
                    attrs[f"{kind}Topic"] = topics[kind]
                attrs[f"HeadersIn{kind}NotificationsEnabled"] = bool(headers.get(kind))
            out[name] = attrs
        return {"NotificationAttributes": out}

    def set_identity_notification_topic(self, ctx: RequestContext, identity: str, notification_type: str,
                                        sns_topic: str | None = None) -> dict[str, Any]:
        doc = self.store.identity(ctx.account, ctx.region, identity) or {}
        topics = dict(doc.get("NotificationTopics") or {})
        topics[notification_type] = sns_topic
        return self._update(ctx, identity, True, NotificationTopics=topics)

    def set_identity_headers_in_notifications_enabled(self, ctx: RequestContext, identity: str, notification_type: str,
                                                      enabled: bool) -> dict[str, Any]:
        doc = self.store.identity(ctx.account, ctx.region, identity) or {}
        headers = dict(doc.get("HeadersInNotifications") or {})
        headers[notification_type] = enabled
        return self._update(ctx, identity, True, HeadersInNotifications=headers)

    def set_identity_feedback_forwarding_enabled(self, ctx: RequestContext, identity: str,
                                                 forwarding_enabled: bool) -> dict[str, Any]:
        return self._update(ctx, identity, True, ForwardingEnabled=forwarding_enabled)

    def set_identity_mail_from_domain(self, ctx: RequestContext, identity: str, mail_from_domain: str | None = None,
                                      behavior_on_mx_failure: str | None = None) -> dict[str, Any]:
        from overcast.services.ses.errors import invalid

        if behavior_on_mx_failure not in (None, "RejectMessage", "UseDefaultValue"):
            # SES words this constraint itself (as moto's tests record it), without a space before "failed"
            raise invalid(f"1 validation error detected: Value '{behavior_on_mx_failure}' at 'behaviorOnMXFailure'"
                          "failed to satisfy constraint: Member must satisfy enum value set: "
                          "[RejectMessage, UseDefaultValue]", code="ValidationError")
        domain = identity.rpartition("@")[2].lower()
        if self.store.identity(ctx.account, ctx.region, identity) is not None and mail_from_domain \
                and not mail_from_domain.lower().endswith(f".{domain}"):
            # the MAIL FROM domain must be a subdomain of the identity's domain
            raise invalid(f"Provided MAIL-FROM domain '{mail_from_domain}' is not subdomain of the domain of the "
                          f"identity '{identity}'.")
        return self._update(ctx, identity, MailFromDomain=mail_from_domain,
                            BehaviorOnMxFailure=behavior_on_mx_failure or "UseDefaultValue")

    def get_identity_mail_from_domain_attributes(self, ctx: RequestContext, identities: list[str]) -> dict[str, Any]:
        out = {}
        for doc in self._found(ctx, identities):
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

    def update_account_sending_enabled(self, ctx: RequestContext, enabled: bool = False) -> dict[str, Any]:
        settings = self.store.settings(ctx.account, ctx.region)
        settings["SendingEnabled"] = enabled
        self.store.put_settings(ctx.account, ctx.region, settings)
        return {}
