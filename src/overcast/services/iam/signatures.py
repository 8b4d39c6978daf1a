"""SigV4 verification (`--verify-signatures`, `OVERCAST_VERIFY_SIGNATURES=1`; docs/iam.md).

A request's signature is recomputed with botocore's own signer (`botocore.auth.SigV4Auth`, and
`S3SigV4Auth`, which does not normalise the path) from the request as received: the signed headers
it names, its raw path and query, and its payload hash (`X-Amz-Content-SHA256`, else the body's
SHA-256). The secret comes from the key's issuer: IAM's access keys and STS's sessions carry real
secrets; the default keys (`test`, or a twelve-digit account id, with the secret `test`) keep
working. AWS's refusals ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html)):
an unknown key is `InvalidClientTokenId` (S3: `InvalidAccessKeyId`), a wrong secret
`SignatureDoesNotMatch`, expired temporary credentials `ExpiredToken`, a request dated more than
15 minutes from the platform's clock `Signature expired` (S3: `RequestTimeTooSkewed`). Presigned
URLs expire on the platform clock (the gateway's check). S3's legacy SigV2 (`AWS key:signature`,
`?AWSAccessKeyId=...&Signature=...`) is recomputed with botocore's `HmacV1Auth`. SigV4a
(`AWS4-ECDSA-P256-SHA256`) is verified with the public half of the key derived from the secret
(`sigv4a.py`).
"""

from __future__ import annotations

import calendar
import hmac
import re
import time
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from botocore.auth import HmacV1Auth, S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from botocore.model import ServiceModel

from overcast.edge.messages import Request
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.iam import sigv4a
from overcast.services.iam.inbox import key_owner
from overcast.services.sts.inbox import expired, session

#: the secret of the keys nobody issued (`test`, account ids), as every SDK's local examples use it
DEFAULT_SECRET = "test"
#: AWS's allowed difference between a request's date and the server's clock
SKEW = 15 * 60

_AUTH = re.compile(r"(AWS4-HMAC-SHA256|AWS4-ECDSA-P256-SHA256)\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),"
                   r"\s*Signature=([0-9a-f]+)")
_UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}


class SignatureError(ServiceError):
    status = 403
    sender_fault = True


def _refusal(model: ServiceModel, kind: str, message: str | None = None) -> SignatureError:
    """AWS's error for `kind` (unknown-key, signature, expired, skew, missing) in the service's dialect."""
    s3 = model.service_name == "s3"
    # JSON services name them their own way; SQS (query-compatible) keeps the query protocol's names
    json_like = model.protocol in ("json", "rest-json", "smithy-rpc-v2-cbor") and not model.is_query_compatible
    status = 400 if json_like and model.protocol != "rest-json" else 403
    if kind == "unknown-key":
        if s3:
            return SignatureError("The AWS Access Key Id you provided does not exist in our records.",
                                  code="InvalidAccessKeyId")
        return SignatureError("The security token included in the request is invalid.", status=status,
                              code="UnrecognizedClientException" if json_like else "InvalidClientTokenId")
    if kind == "expired":
        if s3:
            return SignatureError("The provided token has expired.", code="ExpiredToken", status=400)
        return SignatureError("The security token included in the request is expired", status=status,
                              code="ExpiredTokenException" if json_like else "ExpiredToken")
    if kind == "skew" and s3:
        return SignatureError("The difference between the request time and the current time is too large.",
                              code="RequestTimeTooSkewed")
    if kind == "missing":
        if s3:
            return SignatureError("Access Denied", code="AccessDenied")
        return SignatureError("Missing Authentication Token", status=status,
                              code="MissingAuthenticationTokenException" if json_like else "MissingAuthenticationToken")
    if message is None:
        message = ("The request signature we calculated does not match the signature you provided. Check your "
                   + ("key and signing method." if s3 else
                      "AWS Secret Access Key and signing method. Consult the service documentation for details."))
    return SignatureError(message, status=status,
                          code="InvalidSignatureException" if json_like and not s3 else "SignatureDoesNotMatch")


class _Signer:
    """botocore's SigV4 signer over a received request: only the headers the client signed."""

    def __init__(self, base: type[SigV4Auth], signed: list[str], payload: str | None) -> None:
        self.base, self.signed, self.payload_hash = base, signed, payload

    def _auth(self, secret: str, region: str, service: str) -> SigV4Auth:
        """botocore's signer, limited to the headers the client signed, with its payload hash."""
        signed, payload_hash = self.signed, self.payload_hash

        class Received(self.base):  # type: ignore[name-defined,misc]
            def headers_to_sign(self, req: AWSRequest) -> Any:
                found = super().headers_to_sign(req)
                for name in list(found.keys()):
                    if name not in signed:
                        del found[name]
                return found

            def payload(self, req: AWSRequest) -> str:
                return payload_hash if payload_hash is not None else super().payload(req)

        return Received(Credentials("-", secret), service, region)  # type: ignore[no-any-return]

    def signature(self, request: AWSRequest, secret: str, region: str, service: str, stamp: str) -> str:
        auth = self._auth(secret, region, service)
        request.context["timestamp"] = stamp
        canonical = auth.canonical_request(request)
        return str(auth.signature(auth.string_to_sign(request, canonical), request))

    def verify_v4a(self, request: AWSRequest, key: str, secret: str, scope: tuple[str, str], stamp: str,
                   given: str) -> bool:
        """SigV4a: SigV4's canonical request, verified with the ECDSA key derived from the secret."""
        request.context["timestamp"] = stamp
        canonical = self._auth(secret, "", scope[1]).canonical_request(request)
        return sigv4a.verify(key, secret, sigv4a.string_to_sign(stamp, scope[0], scope[1], canonical), given)


def _query(raw: str, drop: str | None = None) -> str:
    """The query string in canonical encoding (each name and value percent-encoded as SigV4 says)."""
    pairs = []
    for pair in raw.split("&") if raw else []:
        name, _, value = pair.partition("=")
        if unquote(name) == drop:
            continue
        pairs.append(f"{quote(unquote(name), safe='-_.~')}={quote(unquote(value), safe='-_.~')}")
    return "&".join(pairs)


class Verifier:
    """Checks each API request's signature (built only with `--verify-signatures`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    def secret(self, model: ServiceModel, access_key: str, token: str | None = None, *,
               check_token: bool = False) -> str:
        """The secret of `access_key`, or AWS's refusal of the key (with `check_token`, temporary
        credentials must come with their session token)."""
        if access_key == "test" or (len(access_key) == 12 and access_key.isdigit()):
            return DEFAULT_SECRET
        live = session(self.platform, access_key)
        if live is not None and live.secret:
            if check_token and not live.token_matches(token):
                raise _refusal(model, "unknown-key")
            return live.secret
        if expired(self.platform, access_key):
            raise _refusal(model, "expired")
        owner = key_owner(self.platform, access_key)
        if owner is not None and owner.active:
            return owner.secret
        raise _refusal(model, "unknown-key")

    def check(self, model: ServiceModel, req: Request, body: bytes, unsigned_ok: bool = False) -> None:
        """Raise AWS's refusal unless the request is signed with its key's secret (`unsigned_ok`: the
        operation takes unsigned calls, as Cognito's InitiateAuth and STS's AssumeRoleWithWebIdentity)."""
        header = req.headers.get("authorization")
        if header and header.startswith(("AWS4-HMAC-SHA256", sigv4a.ALGORITHM)):
            self._header(model, req, header, body)
        elif req.query_has("X-Amz-Signature"):
            self._presigned(model, req)
        elif header and header.startswith("AWS "):  # S3's SigV2
            key, _, given = header[4:].partition(":")
            self._v2(model, req, key, given, None)
        elif req.query_has("AWSAccessKeyId"):  # an S3 SigV2 presigned URL
            self._v2(model, req, req.query_get("AWSAccessKeyId") or "", req.query_get("Signature") or "",
                     req.query_get("Expires") or "")
        elif not unsigned_ok and form_action(req) not in _UNSIGNED_ACTIONS:
            raise _refusal(model, "missing")

    def _header(self, model: ServiceModel, req: Request, header: str, body: bytes) -> None:
        match = _AUTH.match(header)
        if match is None:
            raise _refusal(model, "signature", "Authorization header requires 'Credential', 'SignedHeaders' "
                                               "and 'Signature' parameters.")
        algorithm, credential, signed, given = match.groups()
        key, _, scope = credential.partition("/")
        secret = self.secret(model, key, req.headers.get("x-amz-security-token"), check_token=True)
        stamp = req.headers.get("x-amz-date") or ""
        self._skew(model, stamp)
        parts = [*scope.split("/"), "", "", ""]
        # SigV4's scope is date/region/service/aws4_request; SigV4a's date/service/aws4_request
        date, region, service = (parts[0], "", parts[1]) if algorithm == sigv4a.ALGORITHM else parts[:3]
        if not stamp.startswith(date):
            raise _refusal(model, "signature", f"Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                                               f"version of date from HTTP: '{date}' != '{stamp[:8]}', from '{stamp}'.")
        request = AWSRequest(method=req.method, url=_url(req, _query(req.query_string)),
                             headers=dict(_headers(req)), data=body)
        base = S3SigV4Auth if model.service_name == "s3" else SigV4Auth
        signer = _Signer(base, signed.split(";"), req.headers.get("x-amz-content-sha256"))
        if algorithm == sigv4a.ALGORITHM:
            if not signer.verify_v4a(request, key, secret, (date, service), stamp, given):
                raise _refusal(model, "signature")
            return
        expected = signer.signature(request, secret, region, service, stamp)
        if not hmac.compare_digest(expected, given):
            raise _refusal(model, "signature")

    def _presigned(self, model: ServiceModel, req: Request) -> None:
        credential = req.query_get("X-Amz-Credential") or ""
        key, _, scope = credential.partition("/")
        secret = self.secret(model, key, req.query_get("X-Amz-Security-Token"), check_token=True)
        stamp = req.query_get("X-Amz-Date") or ""
        parts = [*scope.split("/"), "", "", ""]
        signed = (req.query_get("X-Amz-SignedHeaders") or "host").split(";")
        request = AWSRequest(method=req.method, url=_url(req, _query(req.query_string, drop="X-Amz-Signature")),
                             headers=dict(_headers(req)))
        base = S3SigV4Auth if model.service_name == "s3" else SigV4Auth
        payload = "UNSIGNED-PAYLOAD" if model.service_name == "s3" else None
        given = req.query_get("X-Amz-Signature") or ""
        if req.query_get("X-Amz-Algorithm") == sigv4a.ALGORITHM:  # scope: date/service/aws4_request
            if not _Signer(base, signed, payload).verify_v4a(request, key, secret, (parts[0], parts[1]), stamp, given):
                raise _refusal(model, "signature")
            return
        expected = _Signer(base, signed, payload).signature(request, secret, parts[1], parts[2], stamp)
        if not hmac.compare_digest(expected, given):
            raise _refusal(model, "signature")

    def _v2(self, model: ServiceModel, req: Request, key: str, given: str, expires: str | None) -> None:
        """S3's legacy signature (HMAC-SHA1 over the method, standard headers, `x-amz-*` headers and
        resource), recomputed with botocore's `HmacV1Auth`; a presigned URL signs `Expires` for `Date`."""
        secret = self.secret(model, key)
        dated = expires if expires is not None else (req.headers.get("date") or "")

        class Received(HmacV1Auth):
            def _get_date(self) -> str:
                return dated

        headers = HTTPHeaders()
        for name, value in _headers(req):
            headers[name] = value
        split = urlsplit(_url(req, req.query_string))
        # a path-style bucket's resource is `/bucket/` (AWS: the bucket's sub-resource ends in a slash)
        path = req.raw_path
        auth_path = path + "/" if path.count("/") == 1 and len(path) > 1 else None
        expected = Received(Credentials(key, secret)).get_signature(req.method, split, headers, auth_path=auth_path)
        if not hmac.compare_digest(expected, given):
            raise _refusal(model, "signature")

    def _skew(self, model: ServiceModel, stamp: str) -> None:
        try:
            when = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise _refusal(model, "signature", "Authorization header requires existence of either a 'X-Amz-Date' "
                                               "or a 'Date' header.") from None
        now = self.platform.clock.now()
        if abs(now - when) > SKEW:
            if model.service_name == "s3":
                raise _refusal(model, "skew")
            fmt = "%Y%m%dT%H%M%SZ"
            limit = now - SKEW if when < now else now + SKEW
            word, sign = ("earlier", "-") if when < now else ("later", "+")
            raise _refusal(model, "signature", f"Signature {'expired' if when < now else 'not yet current'}: "
                                               f"{stamp} is now {word} than {time.strftime(fmt, time.gmtime(limit))} "
                                               f"({time.strftime(fmt, time.gmtime(now))} {sign} 15 min.)")


def _headers(req: Request) -> list[tuple[str, str]]:
    joined: dict[str, list[str]] = {}
    for name, value in req.headers.items():
        joined.setdefault(name.lower(), []).append(value)
    return [(name, ",".join(values)) for name, values in joined.items()]


def _url(req: Request, query: str) -> str:
    return f"{req.scheme}://{req.host}{req.raw_path}" + (f"?{query}" if query else "")


def form_action(req: Request) -> str | None:
    """The `Action` of an unsigned query call (STS's web-identity and SAML calls need no signature)."""
    from overcast.protocol.query import form_action as action

    return action(req)
