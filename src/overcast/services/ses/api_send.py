"""SES v1 sending and templates."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses import templates
from overcast.services.ses.api_base import ApiBase
from overcast.services.ses.errors import invalid
from overcast.services.ses.mail import build, parse_raw
from overcast.services.ses.sending import check_sender, destination_of, send


def _tags(tags: list[dict[str, str]] | None) -> dict[str, list[str]]:
    return {t["Name"]: [t["Value"]] for t in tags or []}


def _destination(destination: dict[str, Any] | None) -> dict[str, list[str]]:
    destination = destination or {}
    return {key: list(destination.get(key) or []) for key in ("ToAddresses", "CcAddresses", "BccAddresses")}


class SendOperations(ApiBase):
    def send_email(self, ctx: RequestContext, source: str, destination: dict[str, Any], message: dict[str, Any],
                   reply_to_addresses: list[str] | None = None, tags: list[dict[str, str]] | None = None,
                   configuration_set_name: str | None = None, **_: Any) -> dict[str, Any]:
        body = message.get("Body") or {}
        raw = build(source, _destination(destination), (message.get("Subject") or {}).get("Data"),
                    (body.get("Text") or {}).get("Data"), (body.get("Html") or {}).get("Data"), reply_to_addresses)
        message_id = send(self.platform, ctx.account, ctx.region, source=source, destination=_destination(destination),
                          raw=raw, operation="SendEmail", config_set_name=configuration_set_name, tags=_tags(tags))
        return {"MessageId": message_id}

    def send_raw_email(self, ctx: RequestContext, raw_message: dict[str, Any], source: str | None = None,
                       destinations: list[str] | None = None, tags: list[dict[str, str]] | None = None,
                       configuration_set_name: str | None = None, **_: Any) -> dict[str, Any]:
        data = raw_message.get("Data") or b""
        parsed = parse_raw(data)
        source = source or str(parsed.get("From") or "")
        if not source:
            raise invalid("Missing required header 'From'.")
        message_id = send(self.platform, ctx.account, ctx.region, source=source,
                          destination=destination_of(parsed, destinations), raw=data.decode("utf-8", "replace"),
                          operation="SendRawEmail", config_set_name=configuration_set_name or
                          parsed.get("X-SES-CONFIGURATION-SET"), tags=_tags(tags))
        return {"MessageId": message_id}

    def send_templated_email(self, ctx: RequestContext, source: str, destination: dict[str, Any], template: str,
                             template_data: str, reply_to_addresses: list[str] | None = None,
                             tags: list[dict[str, str]] | None = None, configuration_set_name: str | None = None,
                             **_: Any) -> dict[str, Any]:
        check_sender(self.store, ctx.account, ctx.region, source)  # before the template, as SES checks
        found = templates.get(self.platform, ctx.account, ctx.region, template)
        data = templates.data_of(template_data)
        destination = _destination(destination)
        raw = templates.render_message(found, data, source, destination, reply_to=reply_to_addresses)
        message_id = send(self.platform, ctx.account, ctx.region, source=source, destination=destination, raw=raw,
                          operation="SendTemplatedEmail", config_set_name=configuration_set_name,
                          template={"name": template, "data": data}, tags=_tags(tags))
        return {"MessageId": message_id}

    def send_bulk_templated_email(self, ctx: RequestContext, source: str, template: str,
                                  destinations: list[dict[str, Any]], default_template_data: str | None = None,
                                  default_tags: list[dict[str, str]] | None = None,
                                  reply_to_addresses: list[str] | None = None, configuration_set_name: str | None = None,
                                  **_: Any) -> dict[str, Any]:
        check_sender(self.store, ctx.account, ctx.region, source)
        found = templates.get(self.platform, ctx.account, ctx.region, template)
        defaults = templates.data_of(default_template_data)
        status = []
        for entry in destinations:
            data = {**defaults, **templates.data_of(entry.get("ReplacementTemplateData"))}
            destination = _destination(entry.get("Destination"))
            raw = templates.render_message(found, data, source, destination, reply_to=reply_to_addresses)
            tags = {**_tags(default_tags), **_tags(entry.get("ReplacementTags"))}
            message_id = send(self.platform, ctx.account, ctx.region, source=source, destination=destination,
                              raw=raw, operation="SendBulkTemplatedEmail", config_set_name=configuration_set_name,
                              template={"name": template, "data": data}, tags=tags)
            status.append({"Status": "Success", "MessageId": message_id})
        return {"Status": status}

    # -- templates ------------------------------------------------------------------------------

    def create_template(self, ctx: RequestContext, template: dict[str, Any]) -> dict[str, Any]:
        templates.put(self.platform, ctx.account, ctx.region, template, create=True)
        return {}

    def update_template(self, ctx: RequestContext, template: dict[str, Any]) -> dict[str, Any]:
        templates.put(self.platform, ctx.account, ctx.region, template, create=False)
        return {}

    def get_template(self, ctx: RequestContext, template_name: str) -> dict[str, Any]:
        doc = templates.get(self.platform, ctx.account, ctx.region, template_name)
        return {"Template": {k: v for k, v in doc.items() if k != "CreatedTimestamp"}}

    def delete_template(self, ctx: RequestContext, template_name: str) -> dict[str, Any]:
        templates.delete(self.platform, ctx.account, ctx.region, template_name)
        return {}

    def list_templates(self, ctx: RequestContext, next_token: str | None = None,
                       max_items: int | None = None) -> dict[str, Any]:
        from overcast.services.ses.identities import page

        docs = templates.listed(self.platform, ctx.account, ctx.region)
        chunk, token = page(docs, next_token, max_items, default=10)
        return {"TemplatesMetadata": [{"Name": d["TemplateName"], "CreatedTimestamp": d["CreatedTimestamp"]}
                                      for d in chunk], **({"NextToken": token} if token else {})}

    def test_render_template(self, ctx: RequestContext, template_name: str, template_data: str) -> dict[str, Any]:
        template = templates.get(self.platform, ctx.account, ctx.region, template_name)
        data = templates.data_of(template_data)
        parts = templates.rendered_parts(template, data, strict=True)
        raw = build("", {}, parts["subject"], parts["text"], parts["html"])
        return {"RenderedTemplate": raw}
