"""Email templates, shared by both APIs (v1 `Template`: SubjectPart/TextPart/HtmlPart; v2
`TemplateContent`: Subject/Text/Html), and rendering a templated message."""

from __future__ import annotations

from typing import Any

from overcast import documents
from overcast.platform import Platform
from overcast.services.ses.errors import SesError, exists, template_missing
from overcast.services.ses.mail import build, render
from overcast.services.ses.store import TEMPLATE, SesStore


def get(platform: Platform, account: str, region: str, name: str) -> dict[str, Any]:
    doc = platform.component(SesStore).docs.get(account, region, TEMPLATE, name)
    if doc is None:
        raise template_missing(name)
    return doc


def put(platform: Platform, account: str, region: str, template: dict[str, Any], *, create: bool) -> None:
    """Create (refusing a duplicate name) or update (refusing a missing one) a v1-shaped template."""
    docs = platform.component(SesStore).docs
    name = template.get("TemplateName") or ""
    if not name:
        raise SesError("The template name must be specified.", code="InvalidTemplate")
    current = docs.get(account, region, TEMPLATE, name)
    if create and current is not None:
        raise exists("AlreadyExists", f"Template {name} already exists for account id {account}")
    if not create and current is None:
        raise template_missing(name)
    created = current["CreatedTimestamp"] if current else platform.clock.now()
    docs.put(account, region, TEMPLATE, name, {**template, "CreatedTimestamp": created})


def delete(platform: Platform, account: str, region: str, name: str) -> None:
    platform.component(SesStore).docs.delete(account, region, TEMPLATE, name)


def listed(platform: Platform, account: str, region: str) -> list[dict[str, Any]]:
    return platform.component(SesStore).docs.list(account, region, TEMPLATE)


def data_of(text: str | None) -> dict[str, Any]:
    """TemplateData: a JSON object, else AWS's InvalidRenderingParameter."""
    try:
        data = documents.loads(text or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SesError("Template data must be a valid JSON object.", code="InvalidRenderingParameter")
    return data


def rendered_parts(template: dict[str, Any], data: dict[str, Any], strict: bool) -> dict[str, str | None]:
    return {"subject": render(template.get("SubjectPart"), data, strict),
            "text": render(template.get("TextPart"), data, strict),
            "html": render(template.get("HtmlPart"), data, strict)}


def render_message(template: dict[str, Any], data: dict[str, Any], source: str, destination: dict[str, list[str]],
                   strict: bool = False, reply_to: list[str] | None = None) -> str:
    """The MIME message a templated send produces."""
    parts = rendered_parts(template, data, strict)
    return build(source, destination, parts["subject"], parts["text"], parts["html"], reply_to)
