"""A function's KMS key for its environment variables (`KMSKeyArn`): Lambda decrypts the variables
with it when it starts an execution environment, and an invocation fails with Lambda's KMS errors
(502 `KMSDisabledException`, `KMSInvalidStateException`, `KMSNotFoundException`,
`KMSAccessDeniedException`) when the key cannot be used
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html).

overcast checks the key on each invocation of a function that has environment variables (synchronous,
asynchronous, and by event source mappings: the invoker checks it before it runs the function); the
variables themselves stay in overcast's database as they are.
"""

from __future__ import annotations

from typing import Any

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import inbox as kms
from overcast.services.lambda_.errors import LambdaError

#: KMS's error code → (Lambda's code, the reason in AWS's message)
CODES = {"DisabledException": ("KMSDisabledException", "the KMS key used is disabled"),
         "KMSInvalidStateException": ("KMSInvalidStateException", "the KMS key used is in an invalid state"),
         "NotFoundException": ("KMSNotFoundException", "the KMS key used is not found"),
         "InvalidKeyUsageException": ("KMSAccessDeniedException", "KMS access was denied"),
         "AccessDeniedException": ("KMSAccessDeniedException", "KMS access was denied")}


def check_key(platform: Platform, account: str, region: str, config: dict[str, Any]) -> None:
    """Raise Lambda's KMS error unless the function's environment variables can be decrypted."""
    key = config.get("KMSKeyArn")
    if not key or not (config.get("Environment") or {}).get("Variables"):
        return
    kms.check_usable_as(platform, account, region, key, CODES, _lambda_error)


def _lambda_error(code_reason: tuple[str, str], exc: ServiceError) -> LambdaError:
    code, reason = code_reason
    return LambdaError(f"Lambda was unable to decrypt the environment variables because {reason}. Please check "
                       f"the function's KMS key settings. KMS Exception: {exc.code} KMS Message: {exc.message}",
                       code=code, status=502)
