"""The text of the messages Cognito would send with a code: the pool's own templates
(VerificationMessageTemplate, AdminCreateUserConfig.InviteMessageTemplate, the MFA messages), else
AWS's defaults ([message customizations](https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-message-customizations.html)).
A CustomMessage trigger's answer takes precedence (api_base)."""

from __future__ import annotations

from typing import Any

VERIFY = "Your verification code is {####}. "
VERIFY_SUBJECT = "Your verification code"
INVITE = "Your username is {username} and temporary password is {####}. "
INVITE_SUBJECT = "Your temporary password"
AUTHENTICATE = "Your authentication code is {####}. "
AUTHENTICATE_SUBJECT = "Your authentication code"


def default(pool: dict[str, Any], purpose: str, email: bool) -> tuple[str | None, str]:
    """(subject for an email, text) of the message carrying a `purpose` code."""
    if purpose == "TemporaryPassword":
        template = (pool.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
        if email:
            return template.get("EmailSubject") or INVITE_SUBJECT, template.get("EmailMessage") or INVITE
        return None, template.get("SMSMessage") or INVITE
    if purpose == "MFA:SMS_MFA":
        sms = (pool.get("_mfa") or {}).get("SmsMfaConfiguration") or {}
        return None, sms.get("SmsAuthenticationMessage") or pool.get("SmsAuthenticationMessage") or AUTHENTICATE
    if purpose == "MFA:EMAIL_OTP":
        mail = (pool.get("_mfa") or {}).get("EmailMfaConfiguration") or {}
        return mail.get("Subject") or AUTHENTICATE_SUBJECT, mail.get("Message") or AUTHENTICATE
    template = pool.get("VerificationMessageTemplate") or {}
    if email:
        return template.get("EmailSubject") or VERIFY_SUBJECT, template.get("EmailMessage") or VERIFY
    return None, template.get("SmsMessage") or VERIFY
