"""SES v2 contact lists and their contacts (list management), and dedicated IP pools (kept as
configuration: overcast sends from no IP)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses.inbox import exists, identities, not_found
from overcast.services.sesv2.api_base import ApiBase, v2_errors

CONTACT_LIST, CONTACT, IP_POOL = "contact-list", "contact", "ip-pool"


@v2_errors
class ContactOperations(ApiBase):
    def _list(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.docs.get(ctx.account, ctx.region, CONTACT_LIST, name)
        if doc is None:
            raise not_found("NotFoundException", f"List with name: {name} doesn't exist.")
        return doc

    def create_contact_list(self, ctx: RequestContext, contact_list_name: str, topics: list[dict[str, Any]] | None = None,
                            description: str | None = None, tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        if self.store.docs.get(ctx.account, ctx.region, CONTACT_LIST, contact_list_name) is not None:
            raise exists("AlreadyExistsException", f"List with name: {contact_list_name} already exists.")
        now = self.platform.clock.now()
        self.store.docs.put(ctx.account, ctx.region, CONTACT_LIST, contact_list_name, {
            "ContactListName": contact_list_name, "Topics": topics or [], "Description": description,
            "Tags": tags or [], "CreatedTimestamp": now, "LastUpdatedTimestamp": now})
        return {}

    def get_contact_list(self, ctx: RequestContext, contact_list_name: str) -> dict[str, Any]:
        doc = self._list(ctx, contact_list_name)
        return {k: v for k, v in doc.items() if v is not None}

    def update_contact_list(self, ctx: RequestContext, contact_list_name: str,
                            topics: list[dict[str, Any]] | None = None, description: str | None = None) -> dict[str, Any]:
        doc = self._list(ctx, contact_list_name)
        doc.update(Topics=topics or [], Description=description, LastUpdatedTimestamp=self.platform.clock.now())
        self.store.docs.put(ctx.account, ctx.region, CONTACT_LIST, contact_list_name, doc)
        return {}

    def list_contact_lists(self, ctx: RequestContext, page_size: int | None = None,
                           next_token: str | None = None) -> dict[str, Any]:
        docs = self.store.docs.list(ctx.account, ctx.region, CONTACT_LIST)
        chunk, token = identities.page(docs, next_token, page_size)
        return {"ContactLists": [{"ContactListName": d["ContactListName"],
                                  "LastUpdatedTimestamp": d["LastUpdatedTimestamp"]} for d in chunk],
                **({"NextToken": token} if token else {})}

    def delete_contact_list(self, ctx: RequestContext, contact_list_name: str) -> dict[str, Any]:
        self._list(ctx, contact_list_name)
        self.store.docs.delete(ctx.account, ctx.region, CONTACT_LIST, contact_list_name)
        self.store.docs.delete_under(ctx.account, ctx.region, contact_list_name)
        return {}

    def _contact(self, ctx: RequestContext, list_name: str, email: str) -> dict[str, Any]:
        self._list(ctx, list_name)
        doc = self.store.docs.get(ctx.account, ctx.region, CONTACT, email, parent=list_name)
        if doc is None:
            raise not_found("NotFoundException", f"{email} doesn't exist in List.")
        return doc

    def create_contact(self, ctx: RequestContext, contact_list_name: str, email_address: str,
                       topic_preferences: list[dict[str, Any]] | None = None, unsubscribe_all: bool = False,
                       attributes_data: str | None = None) -> dict[str, Any]:
        self._list(ctx, contact_list_name)
        if self.store.docs.get(ctx.account, ctx.region, CONTACT, email_address, parent=contact_list_name):
            raise exists("AlreadyExistsException", f"{email_address} already exists in List.")
        now = self.platform.clock.now()
        self.store.docs.put(ctx.account, ctx.region, CONTACT, email_address, {
            "ContactListName": contact_list_name, "EmailAddress": email_address,
            "TopicPreferences": topic_preferences or [], "UnsubscribeAll": unsubscribe_all,
            "AttributesData": attributes_data, "CreatedTimestamp": now, "LastUpdatedTimestamp": now},
            parent=contact_list_name)
        return {}

    def get_contact(self, ctx: RequestContext, contact_list_name: str, email_address: str) -> dict[str, Any]:
        doc = self._contact(ctx, contact_list_name, email_address)
        return {k: v for k, v in doc.items() if v is not None}

    def update_contact(self, ctx: RequestContext, contact_list_name: str, email_address: str,
                       topic_preferences: list[dict[str, Any]] | None = None, unsubscribe_all: bool = False,
                       attributes_data: str | None = None) -> dict[str, Any]:
        doc = self._contact(ctx, contact_list_name, email_address)
        doc.update(TopicPreferences=topic_preferences or [], UnsubscribeAll=unsubscribe_all,
                   AttributesData=attributes_data, LastUpdatedTimestamp=self.platform.clock.now())
        self.store.docs.put(ctx.account, ctx.region, CONTACT, email_address, doc, parent=contact_list_name)
        return {}

    def list_contacts(self, ctx: RequestContext, contact_list_name: str, page_size: int | None = None,
                      next_token: str | None = None, **_: Any) -> dict[str, Any]:
        self._list(ctx, contact_list_name)
        docs = self.store.docs.list(ctx.account, ctx.region, CONTACT, parent=contact_list_name)
        chunk, token = identities.page(docs, next_token, page_size)
        return {"Contacts": [{"EmailAddress": d["EmailAddress"], "TopicPreferences": d["TopicPreferences"],
                              "UnsubscribeAll": d["UnsubscribeAll"], "LastUpdatedTimestamp": d["LastUpdatedTimestamp"]}
                             for d in chunk], **({"NextToken": token} if token else {})}

    def delete_contact(self, ctx: RequestContext, contact_list_name: str, email_address: str) -> dict[str, Any]:
        self._contact(ctx, contact_list_name, email_address)
        self.store.docs.delete(ctx.account, ctx.region, CONTACT, email_address, parent=contact_list_name)
        return {}

    # -- dedicated IP pools ------------------------------------------------------------------------

    def create_dedicated_ip_pool(self, ctx: RequestContext, pool_name: str, tags: list[dict[str, str]] | None = None,
                                 scaling_mode: str | None = None) -> dict[str, Any]:
        if self.store.docs.get(ctx.account, ctx.region, IP_POOL, pool_name) is not None:
            raise exists("AlreadyExistsException", f"Pool {pool_name} already exists.")
        self.store.docs.put(ctx.account, ctx.region, IP_POOL, pool_name,
                            {"PoolName": pool_name, "ScalingMode": scaling_mode or "STANDARD", "Tags": tags or []})
        return {}

    def get_dedicated_ip_pool(self, ctx: RequestContext, pool_name: str) -> dict[str, Any]:
        doc = self.store.docs.get(ctx.account, ctx.region, IP_POOL, pool_name)
        if doc is None:
            raise not_found("NotFoundException", f"Pool {pool_name} does not exist.")
        return {"DedicatedIpPool": {"PoolName": doc["PoolName"], "ScalingMode": doc["ScalingMode"]}}

    def list_dedicated_ip_pools(self, ctx: RequestContext, next_token: str | None = None,
                                page_size: int | None = None) -> dict[str, Any]:
        docs = self.store.docs.list(ctx.account, ctx.region, IP_POOL)
        chunk, token = identities.page(docs, next_token, page_size)
        return {"DedicatedIpPools": [d["PoolName"] for d in chunk], **({"NextToken": token} if token else {})}

    def delete_dedicated_ip_pool(self, ctx: RequestContext, pool_name: str) -> dict[str, Any]:
        self.get_dedicated_ip_pool(ctx, pool_name)
        self.store.docs.delete(ctx.account, ctx.region, IP_POOL, pool_name)
        return {}
