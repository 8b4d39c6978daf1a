"""Receiving: a message delivered to overcast (the admin route `POST /_overcast/ses/inbound`, or SMTP)
runs the active receipt rule set, as SES does
(https://docs.aws.amazon.com/ses/latest/dg/receiving-email-concepts.html): receipt filters first
(a blocked IP drops the message), then each enabled rule whose Recipients match, in order, its
actions in order. Lambda actions get AWS's SES event
(https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html); a RequestResponse
function's `{"disposition": "STOP_RULE" | "STOP_RULE_SET" | "CONTINUE"}` is honoured. The message is
kept before its actions run; Event invocations and SNS notifications go through the outbox."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from overcast import delivery
from overcast.platform import Platform
from overcast.protocol.values import format_timestamp
from overcast.services.ses import rule_targets, rules
from overcast.services.ses.mail import addresses, bare, bodies, parse_raw
from overcast.services.ses.store import SesStore, log

#: SES waits 30 seconds for a RequestResponse function
LAMBDA_TIMEOUT = 30.0
#: SNS notifications carry the content of messages up to 150 KB
SNS_CONTENT_LIMIT = 150 * 1024


def _iso(epoch: float) -> str:
    return format_timestamp(epoch, "iso8601")


def _mail(message_id: str, msg: Any, sender: str, recipients: list[str], now: float) -> dict[str, Any]:
    common: dict[str, Any] = {"returnPath": sender, "from": [str(v) for v in msg.get_all("From") or []],
                              "date": str(msg.get("Date") or ""), "to": [str(v) for v in msg.get_all("To") or []],
                              "messageId": str(msg.get("Message-ID") or ""), "subject": str(msg.get("Subject") or "")}
    if msg.get("Cc"):
        common["cc"] = [str(v) for v in msg.get_all("Cc")]
    return {"timestamp": _iso(now), "source": sender, "messageId": message_id, "destination": recipients,
            "headersTruncated": False, "headers": [{"name": n, "value": str(v)} for n, v in msg.items()],
            "commonHeaders": common}


def _receipt(recipients: list[str], now: float, action: dict[str, Any]) -> dict[str, Any]:
    passed = {"status": "PASS"}
    return {"timestamp": _iso(now), "processingTimeMillis": 0, "recipients": recipients, "spamVerdict": passed,
            "virusVerdict": passed, "spfVerdict": passed, "dkimVerdict": passed, "dmarcVerdict": passed,
            "action": action}


class Receiver:
    """Runs one received message through the active rule set."""

    def __init__(self, platform: Platform, account: str, region: str) -> None:
        self.platform = platform
        self.account = account
        self.region = region
        self._auth: dict[str, str] | None = None

    async def receive(self, raw: bytes, recipients: list[str] | None = None, sender: str | None = None,
                      source_ip: str = "127.0.0.1") -> dict[str, Any]:
        """Receive `raw` for `recipients` (default: its To/Cc); what happened, as the admin route answers."""
        msg = parse_raw(raw)
        recipients = recipients or addresses(msg.get_all("To")) + addresses(msg.get_all("Cc"))
        sender = sender or bare(str(msg.get("From") or ""))
        message_id = secrets.token_hex(20)
        now = self.platform.clock.now()
        result: dict[str, Any] = {"MessageId": message_id, "Recipients": recipients, "Rules": [], "Actions": []}
        store = self.platform.component(SesStore)
        record = {"Id": message_id, "Direction": "received", "Source": sender,
                  "Destination": {"ToAddresses": recipients}, "Subject": msg.get("Subject"), "Body": bodies(msg),
                  "RawData": raw.decode("utf-8", "replace"), "Timestamp": now, "Outcome": result}
        store.keep(self.account, self.region, record)
        if rules.blocked(self.platform, self.account, self.region, source_ip):
            result["Dropped"] = f"receipt filter blocks {source_ip}"
        else:
            await self._run(msg, raw, message_id, sender, recipients, now, result)
        store.set_outcome(message_id, result)
        log.info("ses: received %s from %s for %s: rules %s", message_id, sender, ", ".join(recipients),
                 ", ".join(result["Rules"]) or "none")
        return result

    async def _run(self, msg: Any, raw: bytes, message_id: str, sender: str, recipients: list[str], now: float,
                   result: dict[str, Any]) -> None:
        rule_set = rules.active(self.platform, self.account, self.region)
        if rule_set is None:
            return
        for rule in rule_set["Rules"]:
            matched = [r for r in recipients if rules.recipient_matches(rule.get("Recipients") or [], r)]
            if not rule["Enabled"] or not matched:
                continue
            result["Rules"].append(rule["Name"])
            # SES acts as ses.amazonaws.com for this rule (docs/iam.md)
            self._auth = rule_targets.ses_auth(self.platform, self.account, self.region, str(rule_set.get("Name", "")),
                                               rule["Name"])
            stop = None
            for action in rule.get("Actions") or []:
                kind, config = next(iter(action.items()))
                mail = _mail(message_id, msg, sender, matched, now)
                outcome = await self._action(kind, config, mail, matched, raw, msg, now)
                raw = outcome.pop("raw", raw)
                result["Actions"].append({"Rule": rule["Name"], "Action": kind, **outcome})
                stop = outcome.get("Stop")
                if stop:
                    break
            if stop == "STOP_RULE_SET":
                return

    async def _action(self, kind: str, config: dict[str, Any], mail: dict[str, Any], matched: list[str],
                      raw: bytes, msg: Any, now: float) -> dict[str, Any]:
        if kind == "LambdaAction":
            return await self._lambda(config, mail, matched, now)
        if kind == "S3Action":
            return await self._s3(config, mail, matched, raw, now)
        if kind == "SNSAction":
            encoding = config.get("Encoding") or "UTF-8"
            action = {"type": "SNS", "topicArn": config["TopicArn"], "encoding": encoding.replace("-", "")}
            self._notify(config["TopicArn"], mail, matched, now, action, raw, encoding)
            return {"TopicArn": config["TopicArn"]}
        if kind == "StopAction":
            self._notify(config.get("TopicArn"), mail, matched, now, {"type": "Stop", "topicArn": config.get("TopicArn")})
            return {"Stop": "STOP_RULE_SET"}
        if kind == "AddHeaderAction":
            # the header is added for the rule's later actions (and later rules), ahead of the others
            header = f"{config['HeaderName']}: {config['HeaderValue']}\r\n".encode()
            msg[config["HeaderName"]] = config["HeaderValue"]
            return {"Header": config["HeaderName"], "raw": header + raw}
        if kind == "BounceAction":
            self._notify(config.get("TopicArn"), mail, matched, now, {"type": "Bounce", "topicArn": config.get("TopicArn"),
                         "smtpReplyCode": config.get("SmtpReplyCode"), "statusCode": config.get("StatusCode"),
                         "message": config.get("Message"), "sender": config.get("Sender")})
            return {"Bounced": matched}
        return {"Skipped": f"{kind} is recorded but not performed by overcast"}

    async def _lambda(self, config: dict[str, Any], mail: dict[str, Any], matched: list[str],
                      now: float) -> dict[str, Any]:
        from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure

        function = config["FunctionArn"]
        invocation = config.get("InvocationType") or "Event"
        action = {"type": "Lambda", "functionArn": function, "invocationType": invocation}
        event = {"Records": [{"eventSource": "aws:ses", "eventVersion": "1.0",
                              "ses": {"mail": mail, "receipt": _receipt(matched, now, action)}}]}
        self._notify(config.get("TopicArn"), mail, matched, now, action)
        if invocation == "Event":
            delivery.record(self.platform, function, json.dumps(event), on_behalf=self._auth)
            return {"FunctionArn": function, "InvocationType": invocation}
        try:
            call = await self.platform.component(FrontDoorCalls).invoke(
                function, event, account=self.account, region=self.region, timeout=LAMBDA_TIMEOUT,
                on_behalf=self._auth)
        except IntegrationFailure as failure:
            # SES goes on with the rule's next action when a function fails or times out
            log.warning("ses: receipt rule function %s failed: %s", function, failure)
            return {"FunctionArn": function, "InvocationType": invocation, "Error": failure.kind}
        disposition = _disposition(call.payload)
        out: dict[str, Any] = {"FunctionArn": function, "InvocationType": invocation, "Disposition": disposition}
        if disposition in ("STOP_RULE", "STOP_RULE_SET"):
            out["Stop"] = disposition
        return out

    async def _s3(self, config: dict[str, Any], mail: dict[str, Any], matched: list[str], raw: bytes,
                  now: float) -> dict[str, Any]:
        from overcast.delivery import DeliveryError
        from overcast.services.s3.inbox import deliver as s3_write

        bucket = config["BucketName"]
        key = (config.get("ObjectKeyPrefix") or "") + mail["messageId"]
        if rule_targets.refused(self.platform, f"arn:aws:s3:::{bucket}/{key}", self._auth):
            log.warning("ses: receipt rule may not write s3://%s/%s (IAM)", bucket, key)
            return {"Bucket": bucket, "Key": key, "Error": "AccessDenied"}
        try:
            await s3_write(self.platform, f"arn:aws:s3:::{bucket}", raw, {"key": key, "content_type": "application/octet-stream"})
        except DeliveryError as error:
            log.warning("ses: receipt rule could not write s3://%s/%s: %s", bucket, key, error.message)
            return {"Bucket": bucket, "Key": key, "Error": error.code}
        action = {"type": "S3", "topicArn": config.get("TopicArn"), "bucketName": bucket,
                  "objectKeyPrefix": config.get("ObjectKeyPrefix") or "", "objectKey": key}
        self._notify(config.get("TopicArn"), mail, matched, now, action)
        return {"Bucket": bucket, "Key": key}

    def _notify(self, topic: str | None, mail: dict[str, Any], matched: list[str], now: float, action: dict[str, Any],
                raw: bytes | None = None, encoding: str = "UTF-8") -> None:
        """An action's SNS notification (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html)."""
        if not topic:
            return
        note: dict[str, Any] = {"notificationType": "Received", "mail": mail,
                                "receipt": _receipt(matched, now, {k: v for k, v in action.items() if v is not None})}
        if raw is not None and len(raw) <= SNS_CONTENT_LIMIT:
            note["content"] = base64.b64encode(raw).decode() if encoding == "Base64" else raw.decode("utf-8", "replace")
        delivery.record(self.platform, topic, json.dumps(note),
                        options={"Subject": "Amazon SES Email Receipt Notification"}, on_behalf=self._auth)


def _disposition(payload: bytes) -> str:
    try:
        value = json.loads(payload or b"null")
    except ValueError:
        return "CONTINUE"
    disposition = value.get("disposition") if isinstance(value, dict) else None
    return disposition if disposition in ("STOP_RULE", "STOP_RULE_SET", "CONTINUE") else "CONTINUE"
