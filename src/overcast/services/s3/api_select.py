"""S3 Select: SelectObjectContent over CSV and JSON objects (`select/`). Parquet input is not
supported (no light, well-kept Parquet reader is a dependency of overcast)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.s3 import errors as e
from overcast.services.s3.api_base import ApiBase
from overcast.services.s3.select.engine import run
from overcast.services.s3.select.query import SelectError
from overcast.services.s3.storage_classes import check_restored


class SelectOperations(ApiBase):
    def select_object_content(self, ctx: RequestContext, bucket: str, key: str, expression: str,
                              expression_type: str, input_serialization: dict[str, Any],
                              output_serialization: dict[str, Any], **_: Any) -> dict[str, Any]:
        if (expression_type or "").upper() != "SQL":
            raise e.invalid_argument("The expression type is not valid. Only SQL expressions are supported.",
                                     "ExpressionType", expression_type)
        if "Parquet" in (input_serialization or {}):
            raise e.s3_error("UnsupportedFormat", "Parquet input is not supported by overcast's S3 Select.")
        target = self.store.bucket(bucket)
        obj = self.store.readable(target, key, None, "POST")
        check_restored(obj, self.platform.clock.now())
        assert obj.blob is not None
        data = self.store.blobs.read(obj.blob)
        try:
            return {"Payload": run(expression, data, input_serialization or {}, output_serialization or {})}
        except SelectError as error:
            raise e.s3_error(error.code, error.message) from None
