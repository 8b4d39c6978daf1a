"""RotateSecret and CancelRotateSecret (rotation itself runs in rotation.py).

https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.invocation.permissions import service_may_invoke
from overcast.services.secretsmanager import rotation
from overcast.services.secretsmanager.api_base import ApiBase
from overcast.services.secretsmanager.errors import AccessDeniedException, InvalidRequestException

NO_FUNCTION = ("You tried to enable rotation on a secret that doesn't already have a Lambda function ARN "
               "configured and you didn't include such an ARN as a parameter in this call.")
PRINCIPAL = "secretsmanager.amazonaws.com"


class RotationOperations(ApiBase):
    async def rotate_secret(self, ctx: RequestContext, secret_id: str, client_request_token: str | None = None,
                      rotation_lambda_arn: str | None = None, rotation_rules: dict[str, Any] | None = None,
                      rotate_immediately: bool | None = None, **_: Any) -> dict[str, Any]:
        doc = self._live(ctx, secret_id)
        function = rotation_lambda_arn or doc.get("RotationLambdaARN")
        if not function:
            raise InvalidRequestException(NO_FUNCTION)
        if rotation_rules:
            rotation.check_rules(rotation_rules)
        # Secrets Manager calls the function as its service principal: the function's resource
        # policy must allow it (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html)
        facts = {"AWS:SourceArn": doc["ARN"], "AWS:SourceAccount": ctx.account}
        if not service_may_invoke(self.platform, function, ctx.account, ctx.region, PRINCIPAL, facts):
            raise AccessDeniedException("Secrets Manager cannot invoke the specified Lambda function. Ensure that "
                                        "the function policy grants access to the principal "
                                        "secretsmanager.amazonaws.com.")
        token = self._token(client_request_token)
        pending = rotation.incomplete(self.platform, doc)
        if pending is not None and pending != token:
            # as AWS says, the rotation left incomplete runs again (after the attempt under way, if any)
            with self.platform.db.tx():
                if doc.get("_rotation"):
                    doc["_reattempt"] = True
                else:
                    rotation.start(self.platform, doc, pending)
                self.store.put(doc)
            self.platform.signals.notify(rotation.SIGNAL)
            raise InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.")
        doc["RotationEnabled"] = True
        doc["RotationLambdaARN"] = function
        if rotation_rules:
            rules = dict(rotation_rules)
            if rules.get("ScheduleExpression", "").startswith("rate(") and rules["ScheduleExpression"].endswith(
                    "days)"):
                rules["AutomaticallyAfterDays"] = int(rules["ScheduleExpression"][5:].split()[0])
            doc["RotationRules"] = rules
        with self.platform.db.tx():
            if rotate_immediately is not False:
                rotation.start(self.platform, doc, token)
            self.store.put(doc)
        if rotate_immediately is False:
            # the configuration test runs before RotateSecret answers; the schedule starts after it,
            # so a short schedule (or a scaled clock) cannot start a rotation while it runs
            await rotation.test_configuration(self.platform, doc, token)
            fresh = self.store.find(doc["_account"], doc["_region"], doc["ARN"]) or doc
            with self.platform.db.tx():
                rotation.schedule_next(self.platform, fresh, fresh.get("LastRotatedDate") or self.platform.clock.now())
                self.store.put(fresh)
        self.platform.signals.notify(rotation.SIGNAL)
        return {"ARN": doc["ARN"], "Name": doc["Name"], "VersionId": token}

    def cancel_rotate_secret(self, ctx: RequestContext, secret_id: str) -> dict[str, Any]:
        doc = self._live(ctx, secret_id)
        if not doc.get("RotationLambdaARN"):
            raise InvalidRequestException(NO_FUNCTION)
        doc["RotationEnabled"] = False
        doc["NextRotationDate"] = None
        doc["_rotate_at"] = None
        result = {"ARN": doc["ARN"], "Name": doc["Name"]}
        pending = (doc.get("_rotation") or {}).get("token")
        doc["_rotation"] = None
        self.store.put(doc)
        if pending:
            result["VersionId"] = pending
        return result
