"""Serving Application Load Balancers: pick the listener, evaluate its rules by priority (then the
default actions), run the action: forward to a Lambda target group (the ALB event; the response
mapped back, 502 when malformed), fixed-response or redirect.

- `http://localhost:4566/_aws/elb/{name}/...` (the listener with the lowest port), or
  `/_aws/elb/{name}:{port}/...` for a given listener;
- `http://{name}.elb.localhost:4566/...` (any host `{name}.elb.localhost`, lowest-port listener);
- `http://127.0.0.1:{listener port}/...` when that port was free (see `ports.py`).
"""

from __future__ import annotations

from typing import Any

from overcast.delivery import as_service
from overcast.edge.messages import Request, Response
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.invocation.http.events import alb_event
from overcast.invocation.http.request import HttpCall
from overcast.invocation.http.responses import MalformedResponse, alb_response, elb_error
from overcast.platform import Platform
from overcast.services.elbv2.api_target_groups import forwarded_groups
from overcast.services.elbv2.models import ElbStore
from overcast.services.elbv2.rules import rule_matches

ELB_PATH = "/_aws/elb/"
#: Lambda targets: request and response bodies of at most 1 MB.
MAX_BODY = 1024 * 1024


def _split(req: Request) -> tuple[str, int | None, str]:
    """(load balancer name, listener port or None, path)."""
    path = req.raw_path.split("?", 1)[0]
    if path.startswith(ELB_PATH):
        head, _, rest = path[len(ELB_PATH):].partition("/")
        name, _, port = head.partition(":")
        return name, int(port) if port.isdigit() else None, f"/{rest}"
    return req.hostname.split(".", 1)[0], None, path or "/"


async def handle(platform: Platform, req: Request) -> Response:
    name, port, path = _split(req)
    return await serve(platform, req, name, port, path)


async def serve(platform: Platform, req: Request, name: str, port: int | None, path: str) -> Response:
    store = platform.component(ElbStore)
    found = store.by_name(name)
    if found is None:
        return elb_error(503)
    account, region, lb = found
    listeners = store.docs.list(account, region, "listener", parent=lb["LoadBalancerArn"])
    listeners = [li for li in listeners if port is None or li["Port"] == port]
    if not listeners:
        return elb_error(503)
    listener = min(listeners, key=lambda li: li["Port"])
    call = HttpCall.from_request(req, path, platform.clock.now())
    host = req.host
    rules = sorted(store.docs.list(account, region, "rule", parent=listener["ListenerArn"]),
                   key=lambda r: int(r["Priority"]))
    actions = next((r["Actions"] for r in rules if rule_matches(r, call, host)), listener["DefaultActions"])
    action = min(actions, key=lambda a: a.get("Order", 1))
    return await _run(platform, store, account, region, action, call, host, listener)


async def _run(platform: Platform, store: ElbStore, account: str, region: str, action: dict[str, Any],
               call: HttpCall, host: str, listener: dict[str, Any]) -> Response:
    kind = action["Type"]
    if kind == "fixed-response":
        config = action["FixedResponseConfig"]
        return Response(int(config["StatusCode"]), [("Content-Type", config.get("ContentType") or "text/plain")],
                        (config.get("MessageBody") or "").encode())
    if kind == "redirect":
        return _redirect(action["RedirectConfig"], call, host, listener)
    groups = forwarded_groups(action)
    group = store.docs.get(account, region, "tg", groups[0]) if groups else None
    if group is None or not group["_targets"]:
        return elb_error(503)
    if group["TargetType"] != "lambda":
        return elb_error(502)  # overcast forwards to Lambda targets only
    return await _invoke(platform, account, region, group, call)


async def _invoke(platform: Platform, account: str, region: str, group: dict[str, Any], call: HttpCall) -> Response:
    if len(call.body) > MAX_BODY:
        return elb_error(413)
    multi = group["_attributes"].get("lambda.multi_value_headers.enabled") == "true"
    event = alb_event(call, target_group_arn=group["TargetGroupArn"], multi_value=multi)
    try:
        # the function's policy must still allow the load balancer for this target group (docs/iam.md)
        on_behalf = None if platform.config.iam == "off" else \
            as_service("elasticloadbalancing.amazonaws.com", group["TargetGroupArn"], account)
        result = await platform.component(FrontDoorCalls).invoke(group["_targets"][0]["Id"], event, account=account,
                                                                  region=region, timeout=None, on_behalf=on_behalf)
    except IntegrationFailure as failure:
        return elb_error(503 if failure.kind == "throttled" else 502)
    if len(result.payload) > MAX_BODY:
        return elb_error(502)
    try:
        return alb_response(result.payload, multi_value=multi)
    except MalformedResponse:
        return elb_error(502)


def _redirect(config: dict[str, Any], call: HttpCall, host: str, listener: dict[str, Any]) -> Response:
    """RedirectConfig with the `#{host}`, `#{port}`, `#{path}`, `#{query}`, `#{protocol}` keys."""
    values = {"#{protocol}": listener["Protocol"].lower(), "#{host}": host.rsplit(":", 1)[0],
              "#{port}": str(listener["Port"]), "#{path}": call.path.lstrip("/"), "#{query}": call.query_string}

    def expand(text: str) -> str:
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    protocol = expand(config.get("Protocol") or "#{protocol}").lower()
    location = (f"{protocol}://{expand(config.get('Host') or '#{host}')}:{expand(config.get('Port') or '#{port}')}"
                f"/{expand(config.get('Path') or '/#{path}').lstrip('/')}")
    query = expand(config.get("Query") or "#{query}")
    if query:
        location += f"?{query}"
    status = 301 if config["StatusCode"] == "HTTP_301" else 302
    return Response(status, [("Location", location), ("Content-Type", "text/html")], b"")
