"""SNS message signatures, verifiable as AWS documents
(https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).

The string to sign is the message's fields, each name and value on its own line, in a fixed order:
Notifications `Message, MessageId, Subject (if any), Timestamp, TopicArn, Type`; subscription and
unsubscribe confirmations `Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type`. The
signature is RSA PKCS#1 v1.5 over it with SHA1 (SignatureVersion 1) or SHA256 (SignatureVersion 2),
base64-encoded. The key is made once per data directory, with a self-signed certificate served at the
message's SigningCertURL.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from overcast.platform import Platform

CERT_PATH = "/_overcast/sns/SimpleNotificationService-overcast.pem"
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


def string_to_sign(fields: dict[str, Any]) -> str:
    """AWS's canonical string of a message's fields."""
    names = NOTIFICATION_FIELDS if fields.get("Type") == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{name}\n{fields[name]}\n" for name in names if fields.get(name) is not None)


class Signer:
    """The platform's signing key and certificate (made on first use, kept in SQLite)."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self._key: rsa.RSAPrivateKey | None = None
        self._cert_pem = b""

    def _load(self) -> rsa.RSAPrivateKey:
        if self._key is None:
            row = self.db.query_one("SELECT key_pem, cert_pem FROM sns_signing WHERE id = 1")
            if row is None:
                key_pem, cert_pem = _new_key_and_cert()
                self.db.execute("INSERT OR IGNORE INTO sns_signing(id, key_pem, cert_pem) VALUES (1, ?, ?)",
                                (key_pem.decode(), cert_pem.decode()))
                row = self.db.query_one("SELECT key_pem, cert_pem FROM sns_signing WHERE id = 1")
            assert row is not None
            key = serialization.load_pem_private_key(row["key_pem"].encode(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            self._key, self._cert_pem = key, row["cert_pem"].encode()
        return self._key

    def certificate(self) -> bytes:
        """The PEM certificate SigningCertURL serves."""
        self._load()
        return self._cert_pem

    def sign(self, fields: dict[str, Any], version: str = "1") -> str:
        digest = hashes.SHA256() if version == "2" else hashes.SHA1()
        signature = self._load().sign(string_to_sign(fields).encode(), padding.PKCS1v15(), digest)
        return base64.b64encode(signature).decode()


def _new_key_and_cert() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)
