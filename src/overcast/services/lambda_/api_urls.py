"""Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs (served by `url_dataplane.py`).

A config is kept per qualifier ($LATEST or an alias) as a `url` setting of the function. The URL
handed out is `http://localhost:4566/_aws/lambda-url/{url-id}/` (the host form
`http://{url-id}.lambda-url.{region}.localhost:4566/` works too where `*.localhost` resolves):
see docs/http-front-doors.md.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.errors import ResourceNotFound
from overcast.services.lambda_.models import LATEST
from overcast.services.lambda_.names import FunctionRef

URL_PATH = "/_aws/lambda-url/"
FUNCTION_MISSING = "url_function_missing"
RESOURCE_MISSING = "url_resource_missing"
AUTH_TYPES = ("NONE", "AWS_IAM")
INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")


def url_id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(32))


def function_url(endpoint: str, identifier: str) -> str:
    return f"{endpoint}{URL_PATH}{identifier}/"


class FunctionUrlOperations(ApiBase):
    def _time(self) -> str:
        moment = dt.datetime.fromtimestamp(self.platform.clock.now(), dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def _url_qualifier(self, ref: FunctionRef, missing: str = FUNCTION_MISSING) -> str:
        """Function URLs attach to $LATEST or an alias, never a version. A function (or alias) that
        is missing is the catalogue's `missing` error: AWS names the function for Create/Update/List
        (`url_function_missing`) and the resource for Get/Delete (`url_resource_missing`)."""
        try:
            self.functions.latest(ref)
        except ResourceNotFound:
            raise error(missing) from None
        qualifier = ref.qualifier or LATEST
        if qualifier != LATEST:
            if qualifier.isdigit():
                raise error("url_on_version")
            try:
                self.functions.alias(ref, qualifier)
            except ResourceNotFound:
                raise error(missing) from None
        return qualifier

    @staticmethod
    def _check(auth_type: str | None, cors: dict[str, Any] | None, invoke_mode: str | None) -> None:
        if auth_type is not None and auth_type not in AUTH_TYPES:
            raise error("url_auth_type", value=auth_type)
        if invoke_mode is not None and invoke_mode not in INVOKE_MODES:
            raise error("url_invalid_invoke_mode", mode=invoke_mode)
        if cors and cors.get("AllowCredentials") and "*" in (cors.get("AllowOrigins") or []):
            raise error("url_cors_credentials")

    def _url_view(self, ctx: RequestContext, config: dict[str, Any], listing: bool = False) -> dict[str, Any]:
        view = {k: v for k, v in config.items() if not k.startswith("_")}
        view["FunctionUrl"] = function_url(ctx.endpoint, config["_id"])
        return view

    def create_function_url_config(self, ctx: RequestContext, function_name: str, auth_type: str,
                                   qualifier: str | None = None, cors: dict[str, Any] | None = None,
                                   invoke_mode: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        qualifier = self._url_qualifier(ref)
        self._check(auth_type, cors, invoke_mode)
        arn = ref.qualified_arn(None if qualifier == LATEST else qualifier)
        if self.functions.setting(ref, "url", qualifier) is not None:
            raise error("url_exists", arn=arn)
        now = self._time()
        config: dict[str, Any] = {"_id": url_id(), "FunctionArn": arn, "AuthType": auth_type,
                                  "CreationTime": now, "LastModifiedTime": now}
        if invoke_mode is not None:  # AWS reports InvokeMode only once it was given (BUFFERED applies)
            config["InvokeMode"] = invoke_mode
        if cors:
            config["Cors"] = cors
        self.functions.put_setting(ref, "url", qualifier, config)
        view = self._url_view(ctx, config)
        view.pop("LastModifiedTime")
        return view

    def _url_config(self, ref: FunctionRef, missing: str = RESOURCE_MISSING) -> tuple[str, dict[str, Any]]:
        qualifier = self._url_qualifier(ref, missing)
        config = self.functions.setting(ref, "url", qualifier)
        if config is None:
            raise error(RESOURCE_MISSING)
        return qualifier, config

    def get_function_url_config(self, ctx: RequestContext, function_name: str,
                                qualifier: str | None = None) -> dict[str, Any]:
        return self._url_view(ctx, self._url_config(self._ref(ctx, function_name, qualifier))[1])

    def update_function_url_config(self, ctx: RequestContext, function_name: str, qualifier: str | None = None,
                                   auth_type: str | None = None, cors: dict[str, Any] | None = None,
                                   invoke_mode: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        key, config = self._url_config(ref, FUNCTION_MISSING)
        self._check(auth_type, cors, invoke_mode)
        if auth_type is not None:
            config["AuthType"] = auth_type
        if cors is not None:
            config["Cors"] = cors
        if invoke_mode is not None:
            config["InvokeMode"] = invoke_mode
        config["LastModifiedTime"] = self._time()
        self.functions.put_setting(ref, "url", key, config)
        return self._url_view(ctx, config)

    def delete_function_url_config(self, ctx: RequestContext, function_name: str,
                                   qualifier: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        key, _ = self._url_config(ref)
        self.functions.put_setting(ref, "url", key, None)
        return {}

    def list_function_url_configs(self, ctx: RequestContext, function_name: str, marker: str | None = None,
                                  max_items: int | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self._url_qualifier(ref)
        configs = [self._url_view(ctx, c) for _, c in self.functions.settings(ref, "url")]
        chunk, nxt = page(configs, marker, max_items)
        return {"FunctionUrlConfigs": chunk, "NextMarker": nxt}
