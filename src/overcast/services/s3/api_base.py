"""What S3's operation groups share: the store, receiving request bodies, describing objects."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from overcast.context import RequestContext
from overcast.edge.messages import Headers
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.protocol.chunked import ChunkedStream
from overcast.protocol.values import snake
from overcast.services.s3 import encryption, object_lock
from overcast.services.s3 import errors as e
from overcast.services.s3.blobs import Written
from overcast.services.s3.checksums import ALGORITHMS, member
from overcast.services.s3.models import CONTENT_MEMBERS, Bucket, ObjectVersion, S3Store
from overcast.services.s3.notifications import Notifier, owner_id
from overcast.services.s3.storage_classes import restore_header


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(S3Store)

    # -- helpers ----------------------------------------------------------------------------------

    def notifier(self, ctx: RequestContext) -> Notifier:
        client = ctx.request.client if ctx.request is not None else "127.0.0.1"
        return Notifier(self.platform, request_id=ctx.request_id, source_ip=client,
                        principal=f"AWS:{ctx.access_key}", host_id=ctx.extras.get("host_id", ""),
                        trace=ctx.trace_header)

    def owner(self, account: str) -> dict[str, str]:
        return {"DisplayName": "webfile", "ID": owner_id(account)}

    @staticmethod
    def headers(ctx: RequestContext) -> Headers:
        return ctx.request.headers if ctx.request is not None else Headers()

    # -- request bodies ---------------------------------------------------------------------------

    async def receive(self, ctx: RequestContext, body: Any, params: dict[str, Any], limit: int) -> tuple[Written, dict[str, str]]:
        """`params` are the operation's other arguments (snake_case, as the gateway passes them).
        Store a PutObject/UploadPart body (decoding aws-chunked framing) and check its Content-MD5 and
        checksums. Returns the file and the checksums to keep ({algorithm: base64 value})."""
        headers = self.headers(ctx)
        declared = headers.get("x-amz-decoded-content-length") or headers.get("content-length") or ""
        if declared.isdigit() and int(declared) > limit:
            raise e.entity_too_large(int(declared), limit)
        source: Any = b"" if body is None else body
        decoder: Any = None
        if isinstance(source, ChunkedStream):  # the protocol layer undoes aws-chunked framing
            decoder = source
        given = {alg: params[snake(member(alg))] for alg in ALGORITHMS if params.get(snake(member(alg)))}
        wanted = set(given)
        trailer = (headers.get("x-amz-trailer") or "").strip().lower()
        if trailer.startswith("x-amz-checksum-"):
            wanted.add(trailer.removeprefix("x-amz-checksum-").upper())
        if params.get("checksum_algorithm"):
            wanted.add(str(params["checksum_algorithm"]).upper())
        written = await self.store.blobs.write(source, wanted, limit)
        try:
            if decoder is not None:
                self._check_decoded(headers, written, decoder, given)
            self._check_md5(params.get("content_md5"), written)
            for alg, value in given.items():
                computed = written.checksums.get(alg)
                if computed is not None and computed != value:
                    raise e.bad_digest(alg.lower() if alg.startswith("X") else alg, value, computed)
        except ServiceError:
            self.store.blobs.remove([written.name])
            raise
        kept = {alg: given.get(alg) or written.checksums[alg] for alg in wanted
                if given.get(alg) or alg in written.checksums}
        return written, kept

    @staticmethod
    def _check_decoded(headers: Headers, written: Written, decoder: Any, given: dict[str, str]) -> None:
        declared = headers.get("x-amz-decoded-content-length")
        if declared is not None and declared.isdigit() and int(declared) != written.size:
            raise e.s3_error("IncompleteBody", "You did not provide the number of bytes specified by the "
                             "Content-Length HTTP header")
        for name, value in decoder.trailers.items():
            if name.startswith("x-amz-checksum-"):
                given[name.removeprefix("x-amz-checksum-").upper()] = value

    @staticmethod
    def _check_md5(content_md5: str | None, written: Written) -> None:
        if not content_md5:
            return
        try:
            digest = base64.b64decode(content_md5, validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != 16:
            raise ServiceError("The Content-MD5 you specified is not valid.", code="InvalidDigest", status=400,
                               sender_fault=True, fields={"Content-MD5": content_md5})
        if digest.hex() != written.md5:
            raise e.bad_digest("Content-MD5", content_md5, base64.b64encode(bytes.fromhex(written.md5)).decode())

    # -- describing objects -----------------------------------------------------------------------

    def describe(self, bucket: Bucket, obj: ObjectVersion, checksum_mode: str | None = None) -> dict[str, Any]:
        """The headers GetObject/HeadObject answer for an object version."""
        meta = obj.meta
        out: dict[str, Any] = {
            "ETag": obj.quoted_etag, "LastModified": obj.last_modified, "ContentLength": obj.size,
            "AcceptRanges": "bytes", **encryption.members(meta),
        }
        for name in CONTENT_MEMBERS:
            if meta.get(name) is not None and not (name == "StorageClass" and meta[name] == "STANDARD"):
                out[name] = meta[name]
        if meta.get("Metadata"):
            out["Metadata"] = meta["Metadata"]
        if meta.get("Tags"):
            out["TagCount"] = len(meta["Tags"])
        out.update(object_lock.headers(meta))
        if meta.get("ReplicationStatus"):
            out["ReplicationStatus"] = meta["ReplicationStatus"]
        restore = restore_header(obj, self.platform.clock.now())
        if restore:
            out["Restore"] = restore
        if bucket.versioning is not None:
            out["VersionId"] = obj.version_id
        if (checksum_mode or "").upper() == "ENABLED":
            for alg, value in (meta.get("Checksums") or {}).items():
                out[member(alg)] = value
            if meta.get("Checksums"):
                out["ChecksumType"] = meta.get("ChecksumType", "FULL_OBJECT")
        return out

    @staticmethod
    def checksum_members(checksums: dict[str, str]) -> dict[str, str]:
        return {member(alg): value for alg, value in checksums.items()}
