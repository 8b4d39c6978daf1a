"""Mobile push: platform applications and endpoints as rows, with AWS's validation per platform.

Nothing reaches a phone from one machine: what is published to an endpoint is kept in `sns_sent`
and readable through `/_overcast/sns/push-messages` (see docs/sqs-sns.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from overcast import arns
from overcast.errors import client_error
from overcast.platform import Platform
from overcast.services.sns.store import invalid

PLATFORMS = ("ADM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "GCM", "MPNS", "WNS")
APNS = ("APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX")
APP_ATTRIBUTES = (
    "PlatformCredential", "PlatformPrincipal", "EventEndpointCreated", "EventEndpointDeleted",
    "EventEndpointUpdated", "EventDeliveryFailure", "SuccessFeedbackRoleArn", "FailureFeedbackRoleArn",
    "SuccessFeedbackSampleRate", "ApplePlatformTeamID", "ApplePlatformBundleID", "AuthenticationMethod",
)
#: never returned by GetPlatformApplicationAttributes (AWS keeps credentials write-only)
SECRET = ("PlatformCredential", "PlatformPrincipal")
ENDPOINT_ATTRIBUTES = ("CustomUserData", "Enabled", "Token")
_APP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")


@dataclass(frozen=True)
class App:
    arn: str
    account: str
    region: str
    platform: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class Endpoint:
    arn: str
    app_arn: str
    token: str
    attributes: dict[str, str]

    @property
    def enabled(self) -> bool:
        return self.attributes.get("Enabled", "true") == "true"

    @property
    def platform(self) -> str:
        """Its application's platform (GCM, APNS...), from `...:app/<platform>/<name>`."""
        return arns.parse(self.app_arn).resource.split("/")[1]


def check_app(name: str, platform: str, attributes: dict[str, str], *, creating: bool) -> None:
    """AWS's checks of CreatePlatformApplication / SetPlatformApplicationAttributes."""
    if creating:
        if not _APP_NAME.match(name or ""):
            raise invalid("Invalid platform application name")
        if platform not in PLATFORMS:
            raise invalid(f"Platform Reason: {platform} is not supported")
    for key, value in attributes.items():
        if key not in APP_ATTRIBUTES:
            raise invalid(f"Attributes Reason: Invalid attribute name: {key}")
        if key == "SuccessFeedbackSampleRate" and not (value.isdigit() and 0 <= int(value) <= 100):
            raise invalid("Attributes Reason: Invalid value for attribute: SuccessFeedbackSampleRate: must be "
                          "between 0 and 100")
    if not creating:
        return
    if not attributes.get("PlatformCredential"):
        raise invalid("Attributes Reason: Invalid value for attribute: PlatformCredential: cannot be empty")
    if platform in APNS and not attributes.get("PlatformPrincipal"):
        raise invalid("Attributes Reason: Invalid value for attribute: PlatformPrincipal: cannot be empty")
    if platform in ("ADM", "BAIDU") and not attributes.get("PlatformPrincipal"):
        raise invalid("Attributes Reason: Invalid value for attribute: PlatformPrincipal: cannot be empty")


def check_endpoint_attributes(attributes: dict[str, str]) -> None:
    for key, value in attributes.items():
        if key not in ENDPOINT_ATTRIBUTES:
            raise invalid(f"Attributes Reason: Invalid attribute name: {key}")
        if key == "Enabled" and value.lower() not in ("true", "false"):
            raise invalid("Attributes Reason: Invalid value for attribute: Enabled: must be true or false")
        if key == "Token" and not value:
            raise invalid("Attributes Reason: Invalid value for attribute: Token: cannot be empty")


class MobileStore:
    """Platform applications and endpoints."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db

    def app(self, arn: str) -> App:
        found = self.find_app(arn)
        if found is None:
            raise client_error("NotFound", "PlatformApplication does not exist", status=404)
        return found

    def find_app(self, arn: str) -> App | None:
        row = self.db.query_one("SELECT * FROM sns_platform_apps WHERE arn = ?", (arn,))
        return _app(row) if row is not None else None

    def apps(self, account: str, region: str) -> list[App]:
        rows = self.db.query("SELECT * FROM sns_platform_apps WHERE account = ? AND region = ? ORDER BY arn",
                             (account, region))
        return [_app(r) for r in rows]

    def put_app(self, app: App) -> None:
        self.db.execute("INSERT OR REPLACE INTO sns_platform_apps(arn, account, region, platform, attributes)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (app.arn, app.account, app.region, app.platform, json.dumps(app.attributes)))

    def delete_app(self, arn: str) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM sns_platform_apps WHERE arn = ?", (arn,))
            self.db.execute("DELETE FROM sns_endpoints WHERE app_arn = ?", (arn,))

    def endpoint(self, arn: str) -> Endpoint:
        found = self.find_endpoint(arn)
        if found is None:
            raise client_error("NotFound", "Endpoint does not exist", status=404)
        return found

    def find_endpoint(self, arn: str) -> Endpoint | None:
        row = self.db.query_one("SELECT * FROM sns_endpoints WHERE arn = ?", (arn,))
        return _endpoint(row) if row is not None else None

    def by_token(self, app_arn: str, token: str) -> Endpoint | None:
        row = self.db.query_one("SELECT * FROM sns_endpoints WHERE app_arn = ? AND token = ?", (app_arn, token))
        return _endpoint(row) if row is not None else None

    def endpoints(self, app_arn: str) -> list[Endpoint]:
        rows = self.db.query("SELECT * FROM sns_endpoints WHERE app_arn = ? ORDER BY created_at, arn", (app_arn,))
        return [_endpoint(r) for r in rows]

    def put_endpoint(self, endpoint: Endpoint, now: float) -> None:
        self.db.execute(
            "INSERT INTO sns_endpoints(arn, app_arn, token, attributes, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(arn) DO UPDATE SET token = excluded.token, attributes = excluded.attributes",
            (endpoint.arn, endpoint.app_arn, endpoint.token, json.dumps(endpoint.attributes), now))

    def delete_endpoint(self, arn: str) -> None:
        self.db.execute("DELETE FROM sns_endpoints WHERE arn = ?", (arn,))


def _app(row: Any) -> App:
    return App(row["arn"], row["account"], row["region"], row["platform"], json.loads(row["attributes"]))


def _endpoint(row: Any) -> Endpoint:
    return Endpoint(row["arn"], row["app_arn"], row["token"], json.loads(row["attributes"]))
