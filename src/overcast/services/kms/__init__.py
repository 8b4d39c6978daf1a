"""AWS Key Management Service: symmetric, asymmetric (RSA, ECC) and HMAC keys with real cryptography
(`cryptography`), aliases, grants, key policies, rotation, scheduled deletion and multi-Region keys.
Other services encrypt through `inbox.py`. See docs/kms.md."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.kms.api import KmsApi

    return KmsApi(platform)


def _reword(message: str) -> str:
    """KMS never echoes a sensitive blob in a constraint message: "Value at 'plaintext' failed..."."""
    return message.replace("Value 'java.nio.HeapByteBuffer' at ", "Value at ")


SPEC = ServiceSpec(name="kms", api=_api, options=ProtocolOptions(validation="full", reword=_reword))
