"""Sending, for both APIs: the sandbox's check of the sender, keeping the message (durably, before the
send answers), the server log line, and the configuration set's events. Nothing leaves the machine;
AWS's mailbox simulator addresses (https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator)
produce their bounce and complaint events."""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.ses import events
from overcast.services.ses.errors import MessageRejected, config_set_missing, invalid
from overcast.services.ses.mail import addresses, bare, bodies, new_message_id, parse_raw
from overcast.services.ses.store import CONFIG_SET, SesStore, log

BOUNCE = "bounce@simulator.amazonses.com"
COMPLAINT = "complaint@simulator.amazonses.com"
#: sandbox quotas (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas.html)
MAX_24_HOUR_SEND = 200.0
MAX_SEND_RATE = 1.0
#: a message has at most 50 recipients (To, Cc and Bcc together)
MAX_RECIPIENTS = 50


def check_sender(store: SesStore, account: str, region: str, source: str) -> dict[str, Any]:
    """The identity `source` sends as (its address, else its domain); unverified senders are
    refused, in AWS's words."""
    identity = _sending_identity(store, account, region, source)
    if identity is None:
        raise MessageRejected("Email address is not verified. The following identities failed the check in region "
                              f"{region.upper()}: {bare(source)}")
    return identity


def config_set(store: SesStore, account: str, region: str, name: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    config = store.docs.get(account, region, CONFIG_SET, name)
    if config is None:
        raise config_set_missing(name)
    return config


def send(platform: Platform, account: str, region: str, *, source: str, destination: dict[str, list[str]],
         raw: str, operation: str, config_set_name: str | None = None, template: dict[str, Any] | None = None,
         tags: dict[str, list[str]] | None = None) -> str:
    """Accept one message: check it, keep it, publish its events; its message id."""
    store = platform.component(SesStore)
    identity = check_sender(store, account, region, source)
    config = config_set(store, account, region, config_set_name)
    recipients = [a for values in destination.values() for a in addresses(values)]
    if not recipients:
        raise invalid("Missing required header 'To'.")
    if any("@" not in r for r in recipients):
        raise invalid("Missing domain")
    if len(recipients) > MAX_RECIPIENTS:
        raise MessageRejected("Too many recipients.")
    parsed = parse_raw(raw.encode())
    now = platform.clock.now()
    message = {"Id": new_message_id(), "Direction": "sent", "Source": source, "Destination": destination,
               "Subject": parsed.get("Subject"), "Body": bodies(parsed), "RawData": raw, "Template": template,
               "Timestamp": now, "Operation": operation}
    bounced = [r for r in recipients if r.lower() == BOUNCE]
    complained = [r for r in recipients if r.lower() == COMPLAINT]
    delivered = [r for r in recipients if r not in bounced]
    message["Outcome"] = {"delivered": delivered, "bounced": bounced, "complained": complained}
    mail = events.mail_object(account, region, message, config_set_name, list(parsed.items()), tags)
    with platform.db.tx():
        store.keep(account, region, message)
        notify_identity(platform, identity, mail, message, delivered, bounced, complained, now)
        events.publish(platform, account, region, config, "send", mail, {})
        if delivered:
            events.publish(platform, account, region, config, "delivery", mail,
                           events.details("delivery", message, delivered, now))
        if bounced:
            events.publish(platform, account, region, config, "bounce", mail,
                           events.details("bounce", message, bounced, now))
        if complained:
            events.publish(platform, account, region, config, "complaint", mail,
                           events.details("complaint", message, complained, now))
    log.info("ses: %s from %s to %s: %r (message %s)", operation, source, ", ".join(recipients),
             message["Subject"], message["Id"])
    return str(message["Id"])


def destination_of(raw_msg: Any, given: list[str] | None) -> dict[str, list[str]]:
    """SendRawEmail's recipients: the Destinations given, else the To/Cc/Bcc headers."""
    if given:
        return {"ToAddresses": list(given)}
    return {"ToAddresses": addresses(raw_msg.get_all("To")), "CcAddresses": addresses(raw_msg.get_all("Cc")),
            "BccAddresses": addresses(raw_msg.get_all("Bcc"))}


def quota(platform: Platform, account: str, region: str) -> dict[str, float]:
    """GetSendQuota: the sandbox's quotas and what was sent in the last 24 hours."""
    since = platform.clock.now() - 86_400
    sent = platform.component(SesStore).sent_since(account, region, since)
    return {"Max24HourSend": MAX_24_HOUR_SEND, "MaxSendRate": MAX_SEND_RATE,
            "SentLast24Hours": float(sum(len(m["Outcome"].get("delivered", [])) + len(m["Outcome"].get("bounced", []))
                                         for m in sent))}


def _sending_identity(store: SesStore, account: str, region: str, source: str) -> dict[str, Any] | None:
    address = bare(source).lower()
    return store.identity(account, region, address) or store.identity(account, region, address.rpartition("@")[2])


def notify_identity(platform: Platform, identity: dict[str, Any] | None, mail: dict[str, Any], message: dict[str, Any],
                    delivered: list[str], bounced: list[str], complained: list[str], now: float) -> None:
    """The sending identity's feedback notifications (SetIdentityNotificationTopic), in AWS's shape
    (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html): `notificationType`
    Bounce, Complaint or Delivery, the `mail` object (headers only when the identity asks for them)
    and the event's own object."""
    if identity is None:
        return
    topics = identity.get("NotificationTopics") or {}
    with_headers = identity.get("HeadersInNotifications") or {}
    for kind, recipients in (("Delivery", delivered), ("Bounce", bounced), ("Complaint", complained)):
        topic = topics.get(kind)
        if not topic or not recipients:
            continue
        note_mail = dict(mail)
        if not with_headers.get(kind):
            for key in ("headers", "commonHeaders", "tags"):
                note_mail.pop(key, None)
            note_mail["headersTruncated"] = False
        note = {"notificationType": kind, "mail": note_mail,
                kind.lower(): events.details(kind.lower(), message, recipients, now)}
        events.record_notification(platform, topic, note)
