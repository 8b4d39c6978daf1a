"""AWS Lambda (rest-json): the control plane, and Invoke with all three invocation types."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec

CODE_PREFIX = "/_overcast/lambda-code/"
URL_PREFIX = "/_aws/lambda-url/"
DEBUG_PREFIX = "/_overcast/lambda-debug"


def _api(platform: Any) -> Any:
    from overcast.services.lambda_.api import LambdaApi

    return LambdaApi(platform)


def _loops(platform: Any) -> list[Any]:
    from overcast.invocation.async_ import async_loops
    from overcast.invocation.durable import durable_loops
    from overcast.invocation.esm.manager import esm_loops
    from overcast.invocation.sync import environments_loop

    return [environments_loop(platform), *async_loops(platform), *esm_loops(platform), *durable_loops(platform)]


def _deliver(platform: Any, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    """A delivery to a function is an asynchronous invocation, which the engine runs."""
    from overcast.invocation.async_ import deliver

    deliver(platform, target_arn, payload, options)


async def _serve_debug(platform: Any, req: Any) -> Any:
    """The debug switch of functions (`overcast debug`; docs/debugging.md)."""
    from overcast.services.lambda_.debug_route import serve

    return await serve(platform, req)


async def _serve_code(platform: Any, req: Any) -> Any:
    """GetFunction's Code.Location: the function's zip archive."""
    from overcast.edge.messages import Response
    from overcast.services.lambda_.code import CodeStore

    sha = req.raw_path[len(CODE_PREFIX):].split("?", 1)[0].removesuffix(".zip")
    archive = CodeStore(platform.files_dir).archive(sha) if sha.isalnum() else None
    if archive is None:
        return Response(404, [("Content-Type", "application/xml")],
                        b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
    return Response(200, [("Content-Type", "application/zip")], archive)


def _url_matches(req: Any) -> bool:
    """Function URLs: the path form, or a host `{url-id}.lambda-url.*`."""
    return req.raw_path.startswith(URL_PREFIX) or ".lambda-url." in req.host


async def _serve_url(platform: Any, req: Any) -> Any:
    from overcast.services.lambda_.url_dataplane import serve

    return await serve(platform, req)


#: enum value sets as AWS lists them in its messages, by shape (botocore's models sort some differently)
ENUM_ORDER = {
    "RecursiveLoop": ("Terminate", "Allow"),
    "InvokeMode": ("RESPONSE_STREAM", "BUFFERED"),
    "EventSourcePosition": ("LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"),
}


def _reword(text: str) -> str:
    from overcast.services.lambda_.catalogue import reword

    return reword(text)


SPEC = ServiceSpec(
    name="lambda",
    model="lambda",
    api=_api,
    # A runtime outside the enum is CreateFunction's to refuse (with AWS's InvalidParameterValueException)
    options=ProtocolOptions(validation="full", error_type_field=True, stream_uploads=False,
                            raw_shapes=frozenset({"Runtime"}), reword=_reword,
                            validation_enum_order=ENUM_ORDER),
    routes=(HttpRoute("lambda-code", lambda req: req.raw_path.startswith(CODE_PREFIX), _serve_code),
            HttpRoute("function-urls", _url_matches, _serve_url),
            HttpRoute("lambda-debug", lambda req: req.raw_path.startswith(DEBUG_PREFIX), _serve_debug)),
    loops=_loops,
    deliver=_deliver,
)
