"""SNS SMS operations: account SMS settings, opt-outs, publishing to a phone number (kept and readable
through `/_overcast/sns/sms-messages`), and the SMS sandbox as an account already out of it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.sns.sent import record_sent
from overcast.services.sns.store import invalid

#: SetSMSAttributes names (AWS's list) and the values AWS checks
SMS_ATTRIBUTES = ("MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate",
                  "DefaultSenderID", "DefaultSMSType", "UsageReportS3Bucket")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def is_phone_number(value: str) -> bool:
    """An E.164 number: `+`, a country code and subscriber number, at most 15 digits."""
    return bool(E164.match(value or ""))


class SmsOperations:
    platform: Platform

    def set_sms_attributes(self, ctx: RequestContext, attributes: dict[str, str]) -> dict[str, Any]:
        for name, value in (attributes or {}).items():
            if name not in SMS_ATTRIBUTES:
                raise invalid(f"{name} Reason: is not a valid attribute")
            if name == "DefaultSMSType" and value not in ("Promotional", "Transactional"):
                raise invalid(f"DefaultSMSType Reason: {value} is not a valid SMS type")
            if name in ("MonthlySpendLimit", "DeliveryStatusSuccessSamplingRate") and not value.isdigit():
                raise invalid(f"{name} Reason: must be a non-negative integer")
        with self.platform.db.tx():
            for name, value in (attributes or {}).items():
                self.platform.db.execute(
                    "INSERT OR REPLACE INTO sns_sms_settings(account, region, name, value) VALUES (?, ?, ?, ?)",
                    (ctx.account, ctx.region, name, value))
        return {}

    def get_sms_attributes(self, ctx: RequestContext, attributes: list[str] | None = None) -> dict[str, Any]:
        rows = self.platform.db.query("SELECT name, value FROM sns_sms_settings WHERE account = ? AND region = ?",
                                      (ctx.account, ctx.region))
        values = {r["name"]: r["value"] for r in rows}
        if attributes:
            values = {k: v for k, v in values.items() if k in attributes}
        return {"attributes": values}

    def check_if_phone_number_is_opted_out(self, ctx: RequestContext, phone_number: str) -> dict[str, Any]:
        if not is_phone_number(phone_number):
            raise invalid("PhoneNumber Reason: input incorrectly formatted")
        return {"isOptedOut": self._opted_out(ctx, phone_number)}

    def list_phone_numbers_opted_out(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        rows = self.platform.db.query("SELECT phone FROM sns_opted_out WHERE account = ? AND region = ? ORDER BY phone",
                                      (ctx.account, ctx.region))
        start = int(next_token) if next_token and next_token.isdigit() else 0
        numbers = [r["phone"] for r in rows]
        out: dict[str, Any] = {"phoneNumbers": numbers[start : start + 100]}
        if start + 100 < len(numbers):
            out["nextToken"] = str(start + 100)
        return out

    def opt_in_phone_number(self, ctx: RequestContext, phone_number: str) -> dict[str, Any]:
        if not is_phone_number(phone_number):
            raise invalid("PhoneNumber Reason: input incorrectly formatted")
        self.platform.db.execute("DELETE FROM sns_opted_out WHERE account = ? AND region = ? AND phone = ?",
                                 (ctx.account, ctx.region, phone_number))
        return {}

    def get_sms_sandbox_account_status(self, ctx: RequestContext) -> dict[str, Any]:
        return {"IsInSandbox": False}  # overcast sends to any number (it keeps them all)

    def list_sms_sandbox_phone_numbers(self, ctx: RequestContext, next_token: str | None = None,
                                       max_results: int | None = None) -> dict[str, Any]:
        return {"PhoneNumbers": []}

    def list_origination_numbers(self, ctx: RequestContext, next_token: str | None = None,
                                 max_results: int | None = None) -> dict[str, Any]:
        return {"PhoneNumbers": []}

    def publish_to_phone(self, ctx: RequestContext, phone_number: str, message: str, subject: str | None,
                         attributes: dict[str, Any] | None) -> dict[str, Any]:
        """Publish with PhoneNumber: checked as AWS does, kept for /_overcast/sns/sms-messages (a number
        that opted out gets nothing)."""
        if not is_phone_number(phone_number):
            raise invalid(f"PhoneNumber Reason: {phone_number} is not valid to publish to")
        if not message:
            raise invalid("Empty message")
        message_id = str(uuid.uuid4())
        if not self._opted_out(ctx, phone_number):
            record_sent(self.platform, "sms", ctx.account, ctx.region, phone_number, message_id, message, subject,
                        attributes)
        return {"MessageId": message_id}

    def _opted_out(self, ctx: RequestContext, phone: str) -> bool:
        return self.platform.db.query_one(
            "SELECT 1 FROM sns_opted_out WHERE account = ? AND region = ? AND phone = ?",
            (ctx.account, ctx.region, phone)) is not None


def opt_out(platform: Platform, account: str, region: str, phone: str) -> None:
    """A number replying STOP (the admin route `POST /_overcast/sns/opt-out?phoneNumber=...`)."""
    platform.db.execute("INSERT OR IGNORE INTO sns_opted_out(account, region, phone) VALUES (?, ?, ?)",
                        (account, region, phone))
