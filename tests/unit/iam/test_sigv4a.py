"""SigV4a's key derivation and verification against the AWS Common Runtime's own signer."""

from __future__ import annotations

import re

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from overcast.services.iam import sigv4a

pytest.importorskip("awscrt")

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def _signed() -> tuple[AWSRequest, str, str, str]:
    from botocore.crt.auth import CrtSigV4AsymAuth

    request = AWSRequest(method="POST", url="https://example.com/a/b?x=1&y=2",
                         headers={"Content-Type": "application/json"}, data=b'{"a":1}')
    CrtSigV4AsymAuth(Credentials(KEY, SECRET), "cloudfront-keyvaluestore", "*").add_auth(request)
    match = re.match(r"AWS4-ECDSA-P256-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=(\w+)",
                     request.headers["Authorization"])
    assert match is not None
    credential, signed, signature = match.groups()
    stamp = request.headers["X-Amz-Date"]
    names = signed.split(";")

    class Signed(SigV4Auth):
        def headers_to_sign(self, req):  # type: ignore[no-untyped-def]
            found = super().headers_to_sign(req)
            for name in list(found.keys()):
                if name not in names:
                    del found[name]
            return found

    request.context["timestamp"] = stamp
    canonical = Signed(Credentials(KEY, SECRET), "cloudfront-keyvaluestore", "").canonical_request(request)
    _, date, service, _ = credential.split("/")
    return request, sigv4a.string_to_sign(stamp, date, service, canonical), signature, stamp


def test_the_derived_key_verifies_what_the_crt_signed():
    _, text, signature, stamp = _signed()
    assert text.startswith(f"AWS4-ECDSA-P256-SHA256\n{stamp}\n{stamp[:8]}/cloudfront-keyvaluestore/aws4_request\n")
    assert sigv4a.verify(KEY, SECRET, text, signature)


def test_a_wrong_secret_key_or_text_does_not_verify():
    _, text, signature, _ = _signed()
    assert not sigv4a.verify(KEY, SECRET[:-1] + "X", text, signature)
    assert not sigv4a.verify("AKIDOTHER", SECRET, text, signature)
    assert not sigv4a.verify(KEY, SECRET, text + "x", signature)
    assert not sigv4a.verify(KEY, SECRET, text, "zz")
