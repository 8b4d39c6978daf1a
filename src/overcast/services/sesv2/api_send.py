"""SES v2 sending (Simple, Raw and Template content; bulk) and email templates."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses.inbox import build, destination_of, identities, invalid, parse_raw, send, templates
from overcast.services.sesv2.api_base import ApiBase, v2_errors


def _destination(destination: dict[str, Any] | None) -> dict[str, list[str]]:
    destination = destination or {}
    return {key: list(destination.get(key) or []) for key in ("ToAddresses", "CcAddresses", "BccAddresses")}


def _tags(tags: list[dict[str, str]] | None) -> dict[str, list[str]]:
    return {t["Name"]: [t["Value"]] for t in tags or []}


def _v1_template(name: str, content: dict[str, Any] | None) -> dict[str, Any]:
    content = content or {}
    return {"TemplateName": name, "SubjectPart": content.get("Subject"), "TextPart": content.get("Text"),
            "HtmlPart": content.get("Html")}


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    parts = {"Subject": doc.get("SubjectPart"), "Text": doc.get("TextPart"), "Html": doc.get("HtmlPart")}
    return {k: v for k, v in parts.items() if v is not None}


@v2_errors
class SendOperations(ApiBase):
    def _template(self, ctx: RequestContext, spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if spec.get("TemplateContent"):
            return "inline", _v1_template("inline", spec["TemplateContent"])
        name = spec.get("TemplateName") or (spec.get("TemplateArn") or "").rpartition("/")[2]
        if not name:
            raise invalid("Template name or content is required.", code="BadRequestException")
        return name, templates.get(self.platform, ctx.account, ctx.region, name)

    def send_email(self, ctx: RequestContext, content: dict[str, Any], from_email_address: str | None = None,
                   destination: dict[str, Any] | None = None, reply_to_addresses: list[str] | None = None,
                   email_tags: list[dict[str, str]] | None = None, configuration_set_name: str | None = None,
                   **_: Any) -> dict[str, Any]:
        destination = _destination(destination)
        common: dict[str, Any] = {"config_set_name": configuration_set_name, "tags": _tags(email_tags)}
        if content.get("Raw"):
            data = content["Raw"].get("Data") or b""
            parsed = parse_raw(data)
            source = from_email_address or str(parsed.get("From") or "")
            given = [a for values in destination.values() for a in values]
            message_id = send(self.platform, ctx.account, ctx.region, source=source,
                              destination=destination_of(parsed, given), raw=data.decode("utf-8", "replace"),
                              operation="SendEmail", **common)
            return {"MessageId": message_id}
        source = from_email_address or ""
        if content.get("Template"):
            spec = content["Template"]
            name, template = self._template(ctx, spec)
            data = templates.data_of(spec.get("TemplateData"))
            raw = templates.render_message(template, data, source, destination, reply_to=reply_to_addresses)
            message_id = send(self.platform, ctx.account, ctx.region, source=source, destination=destination, raw=raw,
                              operation="SendEmail", template={"name": name, "data": data}, **common)
            return {"MessageId": message_id}
        simple = content.get("Simple") or {}
        body = simple.get("Body") or {}
        raw = build(source, destination, (simple.get("Subject") or {}).get("Data"), (body.get("Text") or {}).get("Data"),
                    (body.get("Html") or {}).get("Data"), reply_to_addresses, simple.get("Headers"))
        return {"MessageId": send(self.platform, ctx.account, ctx.region, source=source, destination=destination,
                                  raw=raw, operation="SendEmail", **common)}

    def send_bulk_email(self, ctx: RequestContext, default_content: dict[str, Any], bulk_email_entries: list[dict[str, Any]],
                        from_email_address: str | None = None, reply_to_addresses: list[str] | None = None,
                        default_email_tags: list[dict[str, str]] | None = None, configuration_set_name: str | None = None,
                        **_: Any) -> dict[str, Any]:
        spec = default_content.get("Template") or {}
        name, template = self._template(ctx, spec)
        defaults = templates.data_of(spec.get("TemplateData"))
        results = []
        for entry in bulk_email_entries:
            replacement = ((entry.get("ReplacementEmailContent") or {}).get("ReplacementTemplate") or {})
            data = {**defaults, **templates.data_of(replacement.get("ReplacementTemplateData"))}
            destination = _destination(entry.get("Destination"))
            raw = templates.render_message(template, data, from_email_address or "", destination, reply_to=reply_to_addresses)
            message_id = send(self.platform, ctx.account, ctx.region, source=from_email_address or "",
                              destination=destination, raw=raw, operation="SendBulkEmail",
                              config_set_name=configuration_set_name, template={"name": name, "data": data},
                              tags={**_tags(default_email_tags), **_tags(entry.get("ReplacementTags"))})
            results.append({"Status": "SUCCESS", "MessageId": message_id})
        return {"BulkEmailEntryResults": results}

    # -- templates ------------------------------------------------------------------------------

    def create_email_template(self, ctx: RequestContext, template_name: str,
                              template_content: dict[str, Any]) -> dict[str, Any]:
        templates.put(self.platform, ctx.account, ctx.region, _v1_template(template_name, template_content), create=True)
        return {}

    def update_email_template(self, ctx: RequestContext, template_name: str,
                              template_content: dict[str, Any]) -> dict[str, Any]:
        templates.put(self.platform, ctx.account, ctx.region, _v1_template(template_name, template_content), create=False)
        return {}

    def get_email_template(self, ctx: RequestContext, template_name: str) -> dict[str, Any]:
        doc = templates.get(self.platform, ctx.account, ctx.region, template_name)
        return {"TemplateName": template_name, "TemplateContent": _content(doc)}

    def delete_email_template(self, ctx: RequestContext, template_name: str) -> dict[str, Any]:
        templates.get(self.platform, ctx.account, ctx.region, template_name)
        templates.delete(self.platform, ctx.account, ctx.region, template_name)
        return {}

    def list_email_templates(self, ctx: RequestContext, next_token: str | None = None,
                             page_size: int | None = None) -> dict[str, Any]:
        docs = templates.listed(self.platform, ctx.account, ctx.region)
        chunk, token = identities.page(docs, next_token, page_size, default=10)
        return {"TemplatesMetadata": [{"TemplateName": d["TemplateName"], "CreatedTimestamp": d["CreatedTimestamp"]}
                                      for d in chunk], **({"NextToken": token} if token else {})}

    def test_render_email_template(self, ctx: RequestContext, template_name: str, template_data: str) -> dict[str, Any]:
        template = templates.get(self.platform, ctx.account, ctx.region, template_name)
        parts = templates.rendered_parts(template, templates.data_of(template_data), strict=True)
        return {"RenderedTemplate": build("", {}, parts["subject"], parts["text"], parts["html"])}
