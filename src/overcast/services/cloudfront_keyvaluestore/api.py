"""The KeyValueStore data API
(https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Operations_Amazon_CloudFront_KeyValueStore.html).
Keys live in the key value store's document (`_data`, what CloudFront Functions read); writes need
`If-Match` with the store's current data ETag (a stale one: ConflictException) and answer the new
ETag with the item count and total size. AWS's limits: keys up to 512 bytes, values up to 1 KB,
5 MB per store."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.errors import ClientError
from overcast.platform import Platform
from overcast.services.cloudfront.inbox import CloudFrontStore, new_etag

MAX_KEY, MAX_VALUE, MAX_TOTAL = 512, 1024, 5 * 1024 * 1024


def _error(code: str, message: str, status: int) -> ClientError:
    return ClientError(message, code=code, status=status)


def _size(data: dict[str, str]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in data.items())


class KeyValueStoreApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(CloudFrontStore)

    def _kvs(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        kvs_id = arn.rsplit("/", 1)[-1]
        doc = self.store.docs.get(ctx.account, "us-east-1", "kvs", kvs_id)
        if doc is None or doc.get("ARN") != arn:
            raise _error("ResourceNotFoundException", f"Key value store {arn} does not exist.", 404)
        doc.setdefault("_data_etag", new_etag())
        return doc

    def _sizes(self, doc: dict[str, Any]) -> dict[str, Any]:
        data = doc.get("_data") or {}
        return {"ItemCount": len(data), "TotalSizeInBytes": _size(data)}

    def _write(self, ctx: RequestContext, doc: dict[str, Any], if_match: str | None,
               puts: list[dict[str, str]], deletes: list[str]) -> dict[str, Any]:
        if if_match != doc["_data_etag"]:
            raise _error("ConflictException", "The ETag that you provided doesn't match the key value store's "
                         "current ETag. Get the current ETag with DescribeKeyValueStore.", 409)
        data = dict(doc.get("_data") or {})
        for key in deletes:
            data.pop(key, None)
        for item in puts:
            if len(item["Key"].encode()) > MAX_KEY or len(item["Value"].encode()) > MAX_VALUE:
                raise _error("ValidationException", f"Keys are limited to {MAX_KEY} bytes and values to "
                             f"{MAX_VALUE} bytes.", 400)
            data[item["Key"]] = item["Value"]
        if _size(data) > MAX_TOTAL:
            raise _error("ServiceQuotaExceededException", "The key value store would exceed its maximum size of "
                         "5 MB.", 402)
        doc.update(_data=data, _data_etag=new_etag(), LastModifiedTime=self.platform.clock.now())
        self.store.put(ctx.account, "kvs", doc["Id"], doc)
        return {**self._sizes(doc), "ETag": doc["_data_etag"]}

    def describe_key_value_store(self, ctx: RequestContext, kvs_arn: str) -> dict[str, Any]:
        doc = self._kvs(ctx, kvs_arn)
        self.store.put(ctx.account, "kvs", doc["Id"], doc)  # keeps the data ETag it was given
        return {**self._sizes(doc), "KvsARN": kvs_arn, "Created": doc.get("_created", doc["LastModifiedTime"]),
                "ETag": doc["_data_etag"], "LastModified": doc["LastModifiedTime"], "Status": "READY"}

    def get_key(self, ctx: RequestContext, kvs_arn: str, key: str) -> dict[str, Any]:
        doc = self._kvs(ctx, kvs_arn)
        data = doc.get("_data") or {}
        if key not in data:
            raise _error("ResourceNotFoundException", f"Key {key} does not exist.", 404)
        return {"Key": key, "Value": data[key], **self._sizes(doc)}

    def list_keys(self, ctx: RequestContext, kvs_arn: str, next_token: str | None = None,
                  max_results: int | None = None) -> dict[str, Any]:
        items = sorted((self._kvs(ctx, kvs_arn).get("_data") or {}).items())
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = max_results or 50
        out: dict[str, Any] = {"Items": [{"Key": k, "Value": v} for k, v in items[start:start + size]]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    def put_key(self, ctx: RequestContext, key: str, kvs_arn: str, value: str, if_match: str) -> dict[str, Any]:
        doc = self._kvs(ctx, kvs_arn)
        return self._write(ctx, doc, if_match, [{"Key": key, "Value": value}], [])

    def delete_key(self, ctx: RequestContext, kvs_arn: str, key: str, if_match: str) -> dict[str, Any]:
        doc = self._kvs(ctx, kvs_arn)
        if key not in (doc.get("_data") or {}):
            raise _error("ResourceNotFoundException", f"Key {key} does not exist.", 404)
        return self._write(ctx, doc, if_match, [], [key])

    def update_keys(self, ctx: RequestContext, kvs_arn: str, if_match: str, puts: list[dict[str, str]] | None = None,
                    deletes: list[dict[str, str]] | None = None) -> dict[str, Any]:
        doc = self._kvs(ctx, kvs_arn)
        return self._write(ctx, doc, if_match, puts or [], [d["Key"] for d in deletes or []])
