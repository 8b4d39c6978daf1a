"""SES v1 sending and templates."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses import templates
from overcast.services.ses.api_base import ApiBase
from overcast.services.ses.errors import invalid
from overcast.services.ses.mail import build, parse_raw
from overcast.services.ses.sending import destination_of, send


def _tags(tags: list[dict[str, str]] | None) -> dict[str, list[str]]:
    return {t["Name"]: [t["Value"]] for t in tags or []}


def _destination(destination: dict[str, Any] | None) -> dict[str, list[str]]:
    destination = destination or {}
    return {key: list(destination.get(key) or []) for key in ("ToAddresses", "CcAddresses", "BccAddresses")}


class SendOperations(ApiBase):
    def send_email(self, ctx: RequestContext, Source: str, Destination: dict[str, Any], Message: dict[str, Any],
                   ReplyToAddresses: list[str] | None = None, Tags: list[dict[str, str]] | None = None,
                   ConfigurationSetName: str | None = None, **_: Any) -> dict[str, Any]:
        body = Message.get("Body") or {}
        raw = build(Source, _destination(Destination), (Message.get("Subject") or {}).get("Data"),
                    (body.get("Text") or {}).get("Data"), (body.get("Html") or {}).get("Data"), ReplyToAddresses)
        message_id = send(self.platform, ctx.account, ctx.region, source=Source, destination=_destination(Destination),
                          raw=raw, operation="SendEmail", config_set_name=ConfigurationSetName, tags=_tags(Tags))
        return {"MessageId": message_id}

    def send_raw_email(self, ctx: RequestContext, RawMessage: dict[str, Any], Source: str | None = None,
                       Destinations: list[str] | None = None, Tags: list[dict[str, str]] | None = None,
                       ConfigurationSetName: str | None = None, **_: Any) -> dict[str, Any]:
        data = RawMessage.get("Data") or b""
        parsed = parse_raw(data)
        source = Source or str(parsed.get("From") or "")
        if not source:
            raise invalid("Missing required header 'From'.")
        message_id = send(self.platform, ctx.account, ctx.region, source=source,
                          destination=destination_of(parsed, Destinations), raw=data.decode("utf-8", "replace"),
                          operation="SendRawEmail", config_set_name=ConfigurationSetName or
                          parsed.get("X-SES-CONFIGURATION-SET"), tags=_tags(Tags))
        return {"MessageId": message_id}

    def send_templated_email(self, ctx: RequestContext, Source: str, Destination: dict[str, Any], Template: str,
                             TemplateData: str, ReplyToAddresses: list[str] | None = None,
                             Tags: list[dict[str, str]] | None = None, ConfigurationSetName: str | None = None,
                             **_: Any) -> dict[str, Any]:
        template = templates.get(self.platform, ctx.account, ctx.region, Template)
        data = templates.data_of(TemplateData)
        destination = _destination(Destination)
        raw = templates.render_message(template, data, Source, destination, reply_to=ReplyToAddresses)
        message_id = send(self.platform, ctx.account, ctx.region, source=Source, destination=destination, raw=raw,
                          operation="SendTemplatedEmail", config_set_name=ConfigurationSetName,
                          template={"name": Template, "data": data}, tags=_tags(Tags))
        return {"MessageId": message_id}

    def send_bulk_templated_email(self, ctx: RequestContext, Source: str, Template: str,
                                  Destinations: list[dict[str, Any]], DefaultTemplateData: str | None = None,
                                  DefaultTags: list[dict[str, str]] | None = None,
                                  ReplyToAddresses: list[str] | None = None, ConfigurationSetName: str | None = None,
                                  **_: Any) -> dict[str, Any]:
        template = templates.get(self.platform, ctx.account, ctx.region, Template)
        defaults = templates.data_of(DefaultTemplateData)
        status = []
        for entry in Destinations:
            data = {**defaults, **templates.data_of(entry.get("ReplacementTemplateData"))}
            destination = _destination(entry.get("Destination"))
            raw = templates.render_message(template, data, Source, destination, reply_to=ReplyToAddresses)
            tags = {**_tags(DefaultTags), **_tags(entry.get("ReplacementTags"))}
            message_id = send(self.platform, ctx.account, ctx.region, source=Source, destination=destination,
                              raw=raw, operation="SendBulkTemplatedEmail", config_set_name=ConfigurationSetName,
                              template={"name": Template, "data": data}, tags=tags)
            status.append({"Status": "Success", "MessageId": message_id})
        return {"Status": status}

    # -- templates ------------------------------------------------------------------------------

    def create_template(self, ctx: RequestContext, Template: dict[str, Any]) -> dict[str, Any]:
        templates.put(self.platform, ctx.account, ctx.region, Template, create=True)
        return {}

    def update_template(self, ctx: RequestContext, Template: dict[str, Any]) -> dict[str, Any]:
        templates.put(self.platform, ctx.account, ctx.region, Template, create=False)
        return {}

    def get_template(self, ctx: RequestContext, TemplateName: str) -> dict[str, Any]:
        doc = templates.get(self.platform, ctx.account, ctx.region, TemplateName)
        return {"Template": {k: v for k, v in doc.items() if k != "CreatedTimestamp"}}

    def delete_template(self, ctx: RequestContext, TemplateName: str) -> dict[str, Any]:
        templates.delete(self.platform, ctx.account, ctx.region, TemplateName)
        return {}

    def list_templates(self, ctx: RequestContext, NextToken: str | None = None,
                       MaxItems: int | None = None) -> dict[str, Any]:
        from overcast.services.ses.identities import page

        docs = templates.listed(self.platform, ctx.account, ctx.region)
        chunk, token = page(docs, NextToken, MaxItems, default=10)
        return {"TemplatesMetadata": [{"Name": d["TemplateName"], "CreatedTimestamp": d["CreatedTimestamp"]}
                                      for d in chunk], **({"NextToken": token} if token else {})}

    def test_render_template(self, ctx: RequestContext, TemplateName: str, TemplateData: str) -> dict[str, Any]:
        template = templates.get(self.platform, ctx.account, ctx.region, TemplateName)
        data = templates.data_of(TemplateData)
        parts = templates.rendered_parts(template, data, strict=True)
        raw = build("", {}, parts["subject"], parts["text"], parts["html"])
        return {"RenderedTemplate": raw}
