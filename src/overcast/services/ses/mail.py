"""Email messages: building the MIME message SES sends for a Simple content, reading a raw one, and
rendering templates with `{{name}}` replacements (SES templates are Handlebars; overcast renders the
`{{name}}` / `{{a.b}}` substitutions, the form AWS's template docs use:
https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-api.html)."""

from __future__ import annotations

import email.policy
import re
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, getaddresses, parseaddr
from typing import Any

from overcast.services.ses.errors import MissingRenderingAttribute, invalid

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
    """Replace `{{var}}` (and dotted paths) with the data's values; a missing one is AWS's
    MissingRenderingAttribute (`strict`, TestRenderTemplate) or empty (a send: AWS accepts it and
    reports a Rendering Failure event)."""
    if text is None:
        return None

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        current: Any = data
        for part in name.split("."):
            if not isinstance(current, dict) or part not in current:
                if not strict:
                    return ""
                raise MissingRenderingAttribute(f"Attribute '{name}' is not present in the rendering data.")
            current = current[part]
        return str(current)

    return _VAR.sub(value, text)
