"""CloudFront Functions (create, describe, get, update, publish, test, delete, list) with their two
stages: DEVELOPMENT (what Update changes, with its own ETag) and LIVE (what Publish copies there,
what distributions run); and KeyValueStores (create, describe, list, delete; data imported from
S3 at creation)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudfront.api_base import ApiBase, items, listing, location, page
from overcast.services.cloudfront.cf_functions import FunctionFailed, kvs_data, run_code
from overcast.services.cloudfront.errors import check_if_match, error, invalid_argument, no_such
from overcast.services.cloudfront.models import new_etag

#: CloudFront Functions' code size limit.
MAX_CODE = 10 * 1024


def _arn(account: str, name: str) -> str:
    return f"arn:aws:cloudfront::{account}:function/{name}"

#: The paging members of the lists that have no Marker or IsTruncated.
_SHORT = ("MaxItems", "Quantity", "NextMarker")


class FunctionOperations(ApiBase):
    def _function(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.docs.get(ctx.account, "us-east-1", "function", name)
        if doc is None:
            raise no_such("FunctionExists")
        return doc

    def _stage(self, doc: dict[str, Any], stage: str | None) -> dict[str, Any]:
        if (stage or "DEVELOPMENT") == "LIVE":
            if doc.get("_live") is None:
                raise no_such("FunctionExists")
            return doc["_live"]
        return doc["_dev"]

    def _in_use(self, ctx: RequestContext, arn: str) -> bool:
        for dist in self.store.list(ctx.account, "distribution"):
            config = dist["DistributionConfig"]
            for behaviour in [config["DefaultCacheBehavior"], *items(config.get("CacheBehaviors"))]:
                if any(a["FunctionARN"] == arn for a in items(behaviour.get("FunctionAssociations"))):
                    return True
        return False

    def _summary(self, ctx: RequestContext, doc: dict[str, Any], stage: str | None) -> dict[str, Any]:
        version = self._stage(doc, stage)
        arn = _arn(ctx.account, doc["Name"])
        status = "UNPUBLISHED" if doc.get("_live") is None else "DEPLOYED" if self._in_use(ctx, arn) \
            else "UNASSOCIATED"
        return {"Name": doc["Name"], "Status": status, "FunctionConfig": version["config"],
                "FunctionMetadata": {"FunctionARN": arn, "Stage": stage or "DEVELOPMENT",
                                     "CreatedTime": doc["created"], "LastModifiedTime": version["modified"]}}

    @staticmethod
    def _check(config: dict[str, Any], code: bytes) -> None:
        if len(code) > MAX_CODE:
            raise error("FunctionSizeLimitExceeded", f"The function is too large. Maximum size is {MAX_CODE} bytes.",
                        413)
        if config.get("Runtime") not in ("cloudfront-js-1.0", "cloudfront-js-2.0"):
            raise invalid_argument(f"Runtime {config.get('Runtime')} is not valid.")

    def create_function(self, ctx: RequestContext, name: str, function_config: dict[str, Any],
                        function_code: bytes, tags: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.store.docs.get(ctx.account, "us-east-1", "function", name) is not None:
            raise error("FunctionAlreadyExists", f"A function with the same name already exists: {name}", 409)
        self._check(function_config, function_code)
        now = self.platform.clock.now()
        doc: dict[str, Any] = {"Name": name, "created": now, "_live": None, "_tags": items(tags),
               "_dev": {"config": function_config, "code": function_code.decode("utf-8", "replace"),
                        "etag": new_etag(), "modified": now}}
        self.store.put(ctx.account, "function", name, doc)
        return {"FunctionSummary": self._summary(ctx, doc, None), "ETag": doc["_dev"]["etag"],
                "Location": location(ctx, f"function/{_arn(ctx.account, name)}")}

    def describe_function(self, ctx: RequestContext, name: str, stage: str | None = None) -> dict[str, Any]:
        doc = self._function(ctx, name)
        return {"FunctionSummary": self._summary(ctx, doc, stage), "ETag": self._stage(doc, stage)["etag"]}

    def get_function(self, ctx: RequestContext, name: str, stage: str | None = None) -> dict[str, Any]:
        version = self._stage(self._function(ctx, name), stage)
        return {"FunctionCode": version["code"].encode(), "ETag": version["etag"],
                "ContentType": "application/octet-stream"}

    def update_function(self, ctx: RequestContext, name: str, function_config: dict[str, Any],
                        function_code: bytes, if_match: str | None = None) -> dict[str, Any]:
        doc = self._function(ctx, name)
        check_if_match(if_match, doc["_dev"]["etag"])
        self._check(function_config, function_code)
        doc["_dev"] = {"config": function_config, "code": function_code.decode("utf-8", "replace"),
                       "etag": new_etag(), "modified": self.platform.clock.now()}
        self.store.put(ctx.account, "function", name, doc)
        return {"FunctionSummary": self._summary(ctx, doc, None), "ETag": doc["_dev"]["etag"]}

    def publish_function(self, ctx: RequestContext, name: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self._function(ctx, name)
        check_if_match(if_match, doc["_dev"]["etag"])
        doc["_live"] = {**doc["_dev"], "etag": new_etag(), "modified": self.platform.clock.now()}
        self.store.put(ctx.account, "function", name, doc)
        return {"FunctionSummary": self._summary(ctx, doc, "LIVE")}

    def delete_function(self, ctx: RequestContext, name: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self._function(ctx, name)
        check_if_match(if_match, doc["_dev"]["etag"])
        if self._in_use(ctx, _arn(ctx.account, name)):
            raise error("FunctionInUse", "Cannot delete a function that's associated with a cache behavior.", 409)
        self.store.delete(ctx.account, "function", name)
        return {}

    def list_functions(self, ctx: RequestContext, marker: str | None = None, max_items: str | None = None,
                       stage: str | None = None) -> dict[str, Any]:
        docs = [d for d in self.store.list(ctx.account, "function") if stage != "LIVE" or d.get("_live")]
        chunk, meta = page(docs, marker, max_items)
        summaries = [self._summary(ctx, d, stage) for d in chunk]
        return {"FunctionList": listing(meta, summaries, _SHORT)}

    async def test_function(self, ctx: RequestContext, name: str, event_object: bytes, if_match: str | None = None,
                            stage: str | None = None) -> dict[str, Any]:
        doc = self._function(ctx, name)
        version = self._stage(doc, stage)
        check_if_match(if_match, version["etag"])
        try:
            event = json.loads(event_object)
        except ValueError:
            raise invalid_argument("The event object is not valid JSON.") from None
        result: dict[str, Any] = {"FunctionSummary": self._summary(ctx, doc, stage), "ComputeUtilization": "1"}
        try:
            output, logs = await run_code(version["code"], event, kvs_data(self.platform, ctx.account,
                                                                            version["config"]))
            kind = "response" if isinstance(output, dict) and "statusCode" in output else "request"
            result.update(FunctionExecutionLogs=logs, FunctionErrorMessage="",
                          FunctionOutput=json.dumps({kind: output}))
        except FunctionFailed as exc:
            result.update(FunctionExecutionLogs=exc.logs, FunctionErrorMessage=str(exc), FunctionOutput="")
        return {"TestResult": result}

    # -- key value stores ----------------------------------------------------------------------------

    def _kvs_by_name(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = next((d for d in self.store.list(ctx.account, "kvs") if d["Name"] == name), None)
        if doc is None:
            raise error("EntityNotFound", "The key value store entity was not found.", 404)
        return doc

    @staticmethod
    def _kvs_view(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: doc[k] for k in ("Name", "Id", "Comment", "ARN", "Status", "LastModifiedTime")}

    def create_key_value_store(self, ctx: RequestContext, name: str, comment: str | None = None,
                               import_source: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        if any(d["Name"] == name for d in self.store.list(ctx.account, "kvs")):
            raise error("EntityAlreadyExists", "The key value store entity already exists.", 409)
        data = self._import(import_source) if import_source else {}
        kvs_id = str(uuid.uuid4())
        doc = {"Name": name, "Id": kvs_id, "Comment": comment or "", "Status": "READY",
               "ARN": f"arn:aws:cloudfront::{ctx.account}:key-value-store/{kvs_id}",
               "LastModifiedTime": self.platform.clock.now(), "_etag": new_etag(), "_data": data}
        self.store.put(ctx.account, "kvs", kvs_id, doc)
        return {"KeyValueStore": self._kvs_view(doc), "ETag": doc["_etag"],
                "Location": location(ctx, f"key-value-store/{name}")}

    def _import(self, source: dict[str, Any]) -> dict[str, str]:
        """`{"data": [{"key": ..., "value": ...}]}` from an S3 object (`arn:aws:s3:::bucket/key`)."""
        from overcast.services.s3.inbox import read_object

        bucket, _, key = source["SourceARN"].split(":::", 1)[-1].partition("/")
        try:
            parsed = json.loads(read_object(self.platform, bucket, key))
            return {str(e["key"]): str(e["value"]) for e in parsed["data"]}
        except (ValueError, KeyError, TypeError):
            raise invalid_argument("The import source is not a valid key value store JSON file.") from None

    def describe_key_value_store(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._kvs_by_name(ctx, name)
        return {"KeyValueStore": self._kvs_view(doc), "ETag": doc["_etag"]}

    def list_key_value_stores(self, ctx: RequestContext, marker: str | None = None, max_items: str | None = None,
                              status: str | None = None) -> dict[str, Any]:
        chunk, meta = page(self.store.list(ctx.account, "kvs"), marker, max_items)
        return {"KeyValueStoreList": listing(meta, [self._kvs_view(d) for d in chunk], _SHORT)}

    def update_key_value_store(self, ctx: RequestContext, name: str, comment: str,
                               if_match: str | None = None) -> dict[str, Any]:
        """The store's comment (its keys change through the KeyValueStore data API)."""
        doc = self._kvs_by_name(ctx, name)
        check_if_match(if_match, doc["_etag"])
        doc.update(Comment=comment, _etag=new_etag(), LastModifiedTime=self.platform.clock.now())
        self.store.put(ctx.account, "kvs", doc["Id"], doc)
        return {"KeyValueStore": self._kvs_view(doc), "ETag": doc["_etag"]}

    def delete_key_value_store(self, ctx: RequestContext, name: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self._kvs_by_name(ctx, name)
        check_if_match(if_match, doc["_etag"])
        self.store.delete(ctx.account, "kvs", doc["Id"])
        return {}
