"""Email messages: building the MIME message SES sends for a Simple content, reading a raw one, and
rendering templates: SES templates are Handlebars
(https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-advanced.html), rendered with pybars3."""

from __future__ import annotations

import email.policy
import re
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, getaddresses, parseaddr
from typing import Any

from overcast.services.ses.errors import MissingRenderingAttribute, SesError, invalid

_VAR = re.compile(r"{{{?\s*([^{}#/^!>\s]+)\s*}}}?")


def new_message_id() -> str:
    """An SES message id: `<hex>-<uuid>-000000`, as SES answers."""
    return f"{uuid.uuid4().hex[:16]}-{uuid.uuid4()}-000000"


def build(source: str, destination: dict[str, list[str]], subject: str | None, text: str | None,
          html: str | None, reply_to: list[str] | None = None, headers: list[dict[str, str]] | None = None) -> str:
    """The MIME message for a Simple content (multipart/alternative when both bodies are given)."""
    msg = EmailMessage()
    if source:
        msg["From"] = source
    for header, key in (("To", "ToAddresses"), ("Cc", "CcAddresses")):
        if destination.get(key):
            msg[header] = ", ".join(destination[key])
    if reply_to:
        msg["Reply-To"] = ", ".join(reply_to)
    msg["Subject"] = subject or ""
    msg["Date"] = formatdate(usegmt=True)
    for extra in headers or []:
        msg[extra["Name"]] = extra["Value"]
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    return msg.as_string()


def parse_raw(data: bytes) -> EmailMessage:
    """A raw MIME message (SendRawEmail's Data, a received message)."""
    try:
        return BytesParser(policy=email.policy.default).parsebytes(data)  # type: ignore[return-value]
    except Exception:
        raise invalid("Could not parse the raw message.") from None


def bodies(msg: EmailMessage) -> dict[str, str | None]:
    """The text and HTML bodies of a message."""
    out: dict[str, str | None] = {"text": None, "html": None}
    for kind in ("plain", "html"):
        try:
            part = msg.get_body(preferencelist=(kind,))
        except (KeyError, LookupError):
            part = None
        if part is not None and part.get_content_type() == f"text/{kind}":
            out["text" if kind == "plain" else "html"] = part.get_content()
    return out


def addresses(values: list[str] | None) -> list[str]:
    """Bare addresses of header values ("Name <a@b>" → "a@b")."""
    return [addr for _, addr in getaddresses(values or []) if addr]


def bare(value: str) -> str:
    return parseaddr(value)[1] or value


def render(text: str | None, data: dict[str, Any], strict: bool = True) -> str | None:
    """Render a template part with Handlebars (as SES does: `{{var}}` HTML-escaped, `{{{var}}}` raw,
    `{{#each}}`, `{{#if}}`...). With `strict` (TestRenderTemplate), a plain `{{var}}` of a template
    without blocks that the data lacks is AWS's MissingRenderingAttribute; a send renders it empty
    (AWS accepts it and reports a Rendering Failure event)."""
    if text is None:
        return None
    if strict and "{{#" not in text and "{{^" not in text:
        for match in _VAR.finditer(text):
            _lookup(match.group(1), data)
    from pybars import Compiler, PybarsError

    try:
        return str(Compiler().compile(text)(data))
    except PybarsError as error:
        raise SesError(f"Template could not be rendered: {error}", code="InvalidTemplate") from None


def _lookup(name: str, data: dict[str, Any]) -> Any:
    current: Any = data
    for part in name.split("."):
        if not isinstance(current, dict) or part not in current:
            raise MissingRenderingAttribute(f"Attribute '{name}' is not present in the rendering data.")
        current = current[part]
    return current
