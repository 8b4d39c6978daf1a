"""SES v2 email identities and the account."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses.inbox import exists, identities, not_found, quota
from overcast.services.sesv2.api_base import ApiBase, v2_errors


def _kind(doc: dict[str, Any]) -> str:
    return "DOMAIN" if doc["Type"] == "Domain" else "EMAIL_ADDRESS"


def _dkim(doc: dict[str, Any]) -> dict[str, Any]:
    return {"SigningEnabled": doc["DkimEnabled"], "Status": "SUCCESS" if doc["DkimEnabled"] else "NOT_STARTED",
            "Tokens": doc["DkimTokens"], "SigningAttributesOrigin": "AWS_SES",
            "NextSigningKeyLength": "RSA_2048_BIT", "CurrentSigningKeyLength": "RSA_2048_BIT"}


@v2_errors
class IdentityOperations(ApiBase):
    def _identity(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.identity(ctx.account, ctx.region, name)
        if doc is None:
            raise not_found("NotFoundException", f"Email identity <{name}> does not exist.")
        return doc

    def create_email_identity(self, ctx: RequestContext, email_identity: str, tags: list[dict[str, str]] | None = None,
                              configuration_set_name: str | None = None, **_: Any) -> dict[str, Any]:
        if self.store.identity(ctx.account, ctx.region, email_identity) is not None:
            raise exists("AlreadyExistsException", f"Email identity <{email_identity}> already exists.")
        doc = identities.create(self.platform, ctx.account, ctx.region, email_identity, Tags=tags or [],
                                ConfigurationSetName=configuration_set_name)
        return {"IdentityType": _kind(doc), "VerifiedForSendingStatus": True, "DkimAttributes": _dkim(doc)}

    def get_email_identity(self, ctx: RequestContext, email_identity: str) -> dict[str, Any]:
        doc = self._identity(ctx, email_identity)
        mail_from = {"BehaviorOnMxFailure": "USE_DEFAULT_VALUE" if doc["BehaviorOnMxFailure"] == "UseDefaultValue"
                     else "REJECT_MESSAGE"}
        if doc["MailFromDomain"]:
            mail_from.update(MailFromDomain=doc["MailFromDomain"], MailFromDomainStatus="SUCCESS")
        out = {"IdentityType": _kind(doc), "FeedbackForwardingStatus": doc["ForwardingEnabled"],
               "VerifiedForSendingStatus": True, "DkimAttributes": _dkim(doc), "MailFromAttributes": mail_from,
               "Policies": doc.get("Policies") or {}, "Tags": doc.get("Tags") or [], "VerificationStatus": "SUCCESS"}
        if doc.get("ConfigurationSetName"):
            out["ConfigurationSetName"] = doc["ConfigurationSetName"]
        return out

    def list_email_identities(self, ctx: RequestContext, next_token: str | None = None,
                              page_size: int | None = None) -> dict[str, Any]:
        docs = identities.listed(self.platform, ctx.account, ctx.region)
        chunk, token = identities.page(docs, next_token, page_size)
        items = [{"IdentityType": _kind(d), "IdentityName": d["Identity"], "SendingEnabled": True,
                  "VerificationStatus": "SUCCESS"} for d in chunk]
        return {"EmailIdentities": items, **({"NextToken": token} if token else {})}

    def delete_email_identity(self, ctx: RequestContext, email_identity: str) -> dict[str, Any]:
        self._identity(ctx, email_identity)
        identities.delete(self.platform, ctx.account, ctx.region, email_identity)
        return {}

    def _update(self, ctx: RequestContext, name: str, **changes: Any) -> dict[str, Any]:
        doc = self._identity(ctx, name)
        doc.update(changes)
        identities.put(self.platform, ctx.account, ctx.region, doc)
        return {}

    # -- sending authorization policies -----------------------------------------------------
    def create_email_identity_policy(self, ctx: RequestContext, email_identity: str, policy_name: str,
                                     policy: str) -> dict[str, Any]:
        doc = self._identity(ctx, email_identity)
        if policy_name in (doc.get("Policies") or {}):
            raise exists("AlreadyExistsException", f"Policy {policy_name} already exists.")
        identities.put_policy(self.platform, ctx.account, ctx.region, doc, policy_name, policy, "BadRequestException")
        return {}

    def update_email_identity_policy(self, ctx: RequestContext, email_identity: str, policy_name: str,
                                     policy: str) -> dict[str, Any]:
        doc = self._identity(ctx, email_identity)
        identities.put_policy(self.platform, ctx.account, ctx.region, doc, policy_name, policy, "BadRequestException")
        return {}

    def delete_email_identity_policy(self, ctx: RequestContext, email_identity: str, policy_name: str) -> dict[str, Any]:
        identities.drop_policy(self.platform, ctx.account, ctx.region, self._identity(ctx, email_identity), policy_name)
        return {}

    def get_email_identity_policies(self, ctx: RequestContext, email_identity: str) -> dict[str, Any]:
        return {"Policies": self._identity(ctx, email_identity).get("Policies") or {}}

    def put_email_identity_dkim_attributes(self, ctx: RequestContext, email_identity: str,
                                           signing_enabled: bool = False) -> dict[str, Any]:
        return self._update(ctx, email_identity, DkimEnabled=signing_enabled)

    def put_email_identity_feedback_attributes(self, ctx: RequestContext, email_identity: str,
                                               email_forwarding_enabled: bool = False) -> dict[str, Any]:
        return self._update(ctx, email_identity, ForwardingEnabled=email_forwarding_enabled)

    def put_email_identity_mail_from_attributes(self, ctx: RequestContext, email_identity: str,
                                                mail_from_domain: str | None = None,
                                                behavior_on_mx_failure: str | None = None) -> dict[str, Any]:
        behaviour = "RejectMessage" if behavior_on_mx_failure == "REJECT_MESSAGE" else "UseDefaultValue"
        return self._update(ctx, email_identity, MailFromDomain=mail_from_domain, BehaviorOnMxFailure=behaviour)

    def put_email_identity_configuration_set_attributes(self, ctx: RequestContext, email_identity: str,
                                                        configuration_set_name: str | None = None) -> dict[str, Any]:
        return self._update(ctx, email_identity, ConfigurationSetName=configuration_set_name)

    def get_account(self, ctx: RequestContext) -> dict[str, Any]:
        settings = self.store.settings(ctx.account, ctx.region)
        return {"DedicatedIpAutoWarmupEnabled": False, "EnforcementStatus": "HEALTHY",
                "ProductionAccessEnabled": False, "SendQuota": quota(self.platform, ctx.account, ctx.region),
                "SendingEnabled": settings.get("SendingEnabled", True),
                "SuppressionAttributes": {"SuppressedReasons": []}}

    def put_account_sending_attributes(self, ctx: RequestContext, sending_enabled: bool = False) -> dict[str, Any]:
        settings = self.store.settings(ctx.account, ctx.region)
        settings["SendingEnabled"] = sending_enabled
        self.store.put_settings(ctx.account, ctx.region, settings)
        return {}
