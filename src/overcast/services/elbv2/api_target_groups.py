"""Target groups (TargetType lambda runs functions; other types are stored), their targets and
attributes (`lambda.multi_value_headers.enabled`)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.delivery import as_service
from overcast.services.elbv2.api_base import ApiBase, attributes, page, public
from overcast.services.elbv2.errors import ElbError, elb_error, not_found, validation
from overcast.services.elbv2.models import arn, hex_id

TG_ATTRIBUTES = {
    "lambda": {"lambda.multi_value_headers.enabled": "false"},
    "other": {"deregistration_delay.timeout_seconds": "300", "stickiness.enabled": "false",
              "stickiness.type": "lb_cookie", "load_balancing.algorithm.type": "round_robin",
              "slow_start.duration_seconds": "0"},
}


class TargetGroupOperations(ApiBase):
    def _tg(self, ctx: RequestContext, target_group_arn: str) -> dict[str, Any]:
        return self.store.get(ctx.account, ctx.region, "tg", target_group_arn)

    def _tg_view(self, ctx: RequestContext, doc: dict[str, Any]) -> dict[str, Any]:
        """LoadBalancerArns: the load balancers whose listeners or rules forward to the group."""
        users: list[str] = []
        for listener in self._all(ctx, "listener", None):
            actions = list(listener.get("DefaultActions", []))
            for rule in self._all(ctx, "rule", listener["ListenerArn"]):
                actions += rule.get("Actions", [])
            if any(doc["TargetGroupArn"] in forwarded_groups(a) for a in actions) and \
                    listener["LoadBalancerArn"] not in users:
                users.append(listener["LoadBalancerArn"])
        return {**public(doc), "LoadBalancerArns": users}

    def create_target_group(self, ctx: RequestContext, name: str, protocol: str | None = None,
                            port: int | None = None, vpc_id: str | None = None, target_type: str | None = None,
                            health_check_enabled: bool | None = None, tags: list[dict[str, str]] | None = None,
                            matcher: dict[str, str] | None = None, **health: Any) -> dict[str, Any]:
        kind = target_type or "instance"
        if not name or len(name) > 32 or not name.replace("-", "").isalnum():
            raise validation(f"Target group name '{name}' must be 1 to 32 alphanumeric characters or hyphens")
        if kind == "lambda" and (protocol or port or vpc_id):
            raise validation("Protocol, port and VPC ID cannot be specified for target groups with target type "
                             "'lambda'")
        if kind != "lambda" and not (protocol and port and vpc_id):
            raise validation("A protocol, port and VPC ID must be specified for a target group")
        for existing in self._all(ctx, "tg"):
            if existing["TargetGroupName"] == name:
                raise elb_error("DuplicateTargetGroupName", "A target group with the same name already exists")
        doc: dict[str, Any] = {
            "TargetGroupArn": arn(ctx.region, ctx.account, f"targetgroup/{name}/{hex_id()}"),
            "TargetGroupName": name, "TargetType": kind,
            "HealthCheckEnabled": bool(health_check_enabled) if kind == "lambda" else health_check_enabled is not False,
            "HealthCheckIntervalSeconds": health.get("health_check_interval_seconds") or (35 if kind == "lambda" else 30),
            "HealthCheckTimeoutSeconds": health.get("health_check_timeout_seconds") or (30 if kind == "lambda" else 5),
            "HealthyThresholdCount": health.get("healthy_threshold_count") or 5,
            "UnhealthyThresholdCount": health.get("unhealthy_threshold_count") or 2,
            "HealthCheckPath": health.get("health_check_path") or "/",
            "Matcher": matcher or {"HttpCode": "200"},
            "_tags": tags or [], "_targets": [],
            "_attributes": dict(TG_ATTRIBUTES["lambda" if kind == "lambda" else "other"]),
        }
        if kind != "lambda":
            doc.update({"Protocol": protocol, "Port": port, "VpcId": vpc_id, "ProtocolVersion": "HTTP1",
                        "HealthCheckProtocol": health.get("health_check_protocol") or protocol,
                        "HealthCheckPort": health.get("health_check_port") or "traffic-port"})
        self.store.put(ctx.account, ctx.region, "tg", doc, doc["TargetGroupArn"])
        return {"TargetGroups": [self._tg_view(ctx, doc)]}

    def describe_target_groups(self, ctx: RequestContext, load_balancer_arn: str | None = None,
                               target_group_arns: list[str] | None = None, names: list[str] | None = None,
                               marker: str | None = None, page_size: int | None = None) -> dict[str, Any]:
        views = [self._tg_view(ctx, d) for d in self._all(ctx, "tg")]
        if target_group_arns:
            views = [v for v in views if v["TargetGroupArn"] in target_group_arns]
            if len(views) != len(set(target_group_arns)):
                raise not_found("TargetGroup")
        if names:
            views = [v for v in views if v["TargetGroupName"] in names]
            if len(views) != len(set(names)):
                raise elb_error("TargetGroupNotFound", f"Target groups '{names}' not found")
        if load_balancer_arn:
            self.store.get(ctx.account, ctx.region, "lb", load_balancer_arn)
            views = [v for v in views if load_balancer_arn in v["LoadBalancerArns"]]
        return page(views, marker, page_size, "TargetGroups")

    def modify_target_group(self, ctx: RequestContext, target_group_arn: str, **changes: Any) -> dict[str, Any]:
        doc = self._tg(ctx, target_group_arn)
        names = {"health_check_enabled": "HealthCheckEnabled", "health_check_path": "HealthCheckPath",
                 "health_check_interval_seconds": "HealthCheckIntervalSeconds", "matcher": "Matcher",
                 "health_check_timeout_seconds": "HealthCheckTimeoutSeconds",
                 "healthy_threshold_count": "HealthyThresholdCount",
                 "unhealthy_threshold_count": "UnhealthyThresholdCount"}
        doc.update({names[k]: v for k, v in changes.items() if k in names and v is not None})
        self.store.put(ctx.account, ctx.region, "tg", doc, target_group_arn)
        return {"TargetGroups": [self._tg_view(ctx, doc)]}

    def delete_target_group(self, ctx: RequestContext, target_group_arn: str) -> dict[str, Any]:
        doc = self.store.docs.get(ctx.account, ctx.region, "tg", target_group_arn)
        if doc is None:
            return {}
        if self._tg_view(ctx, doc)["LoadBalancerArns"]:
            raise elb_error("ResourceInUse", f"Target group '{target_group_arn}' is currently in use by a listener "
                                             "or a rule")
        self.store.docs.delete(ctx.account, ctx.region, "tg", target_group_arn)
        self.store.changed()
        return {}

    # -- targets -------------------------------------------------------------------------------

    def register_targets(self, ctx: RequestContext, target_group_arn: str,
                         targets: list[dict[str, Any]]) -> dict[str, Any]:
        doc = self._tg(ctx, target_group_arn)
        if doc["TargetType"] == "lambda":
            if len(targets) != 1 or len({t["Id"] for t in doc["_targets"]} | {targets[0]["Id"]}) > 1:
                raise elb_error("TooManyTargets", "You can register only one Lambda function per target group")
            if ":function:" not in targets[0]["Id"]:
                raise elb_error("InvalidTarget", f"The target '{targets[0]['Id']}' is not a Lambda function ARN")
            self._may_invoke(ctx, targets[0]["Id"], target_group_arn)
        known = {(t["Id"], t.get("Port")) for t in doc["_targets"]}
        doc["_targets"] += [{k: v for k, v in t.items() if v is not None} for t in targets
                            if (t["Id"], t.get("Port")) not in known]
        self.store.put(ctx.account, ctx.region, "tg", doc, target_group_arn)
        return {}

    def _may_invoke(self, ctx: RequestContext, function: str, target_group_arn: str) -> None:
        """AWS checks at registration that the function's policy lets `elasticloadbalancing.amazonaws.com`
        invoke it for this target group (`--iam enforce`, docs/iam.md)."""
        if self.platform.iam is None:
            return
        auth = as_service("elasticloadbalancing.amazonaws.com", target_group_arn, ctx.account)
        if self.platform.iam.delivery_refusal(function, auth) is not None:
            raise ElbError(f"elasticloadbalancing principal does not have permission to invoke {function} from "
                           f"target group {target_group_arn}", code="AccessDenied", status=403)

    def deregister_targets(self, ctx: RequestContext, target_group_arn: str,
                           targets: list[dict[str, Any]]) -> dict[str, Any]:
        doc = self._tg(ctx, target_group_arn)
        registered = {t["Id"] for t in doc["_targets"]}
        for target in targets:
            if target["Id"] not in registered:
                raise elb_error("InvalidTarget", f"The target '{target['Id']}' is not registered with the target "
                                                 "group")
        gone = {t["Id"] for t in targets}
        doc["_targets"] = [t for t in doc["_targets"] if t["Id"] not in gone]
        self.store.put(ctx.account, ctx.region, "tg", doc, target_group_arn)
        return {}

    def describe_target_health(self, ctx: RequestContext, target_group_arn: str,
                               targets: list[dict[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
        doc = self._tg(ctx, target_group_arn)
        in_use = bool(self._tg_view(ctx, doc)["LoadBalancerArns"])
        descriptions = []
        for target in targets or doc["_targets"]:
            if not in_use:
                health = {"State": "unused", "Reason": "Target.NotInUse",
                          "Description": "Target group is not configured to receive traffic from the load balancer"}
            elif doc["TargetType"] == "lambda" and not doc["HealthCheckEnabled"]:
                health = {"State": "unavailable", "Reason": "Target.HealthCheckDisabled",
                          "Description": "Health checks are disabled"}
            else:
                health = {"State": "healthy"}
            descriptions.append({"Target": target, "TargetHealth": health})
        return {"TargetHealthDescriptions": descriptions}

    # -- attributes ----------------------------------------------------------------------------

    def describe_target_group_attributes(self, ctx: RequestContext, target_group_arn: str) -> dict[str, Any]:
        return {"Attributes": attributes(self._tg(ctx, target_group_arn)["_attributes"])}

    def modify_target_group_attributes(self, ctx: RequestContext, target_group_arn: str,
                                       attributes: list[dict[str, str]]) -> dict[str, Any]:
        doc = self._tg(ctx, target_group_arn)
        for item in attributes:
            if item["Key"] not in doc["_attributes"]:
                raise elb_error("InvalidConfigurationRequest", f"The attribute '{item['Key']}' is not supported by "
                                                              f"target groups of type '{doc['TargetType']}'")
            doc["_attributes"][item["Key"]] = item.get("Value", "")
        self.store.put(ctx.account, ctx.region, "tg", doc, target_group_arn)
        return self.describe_target_group_attributes(ctx, target_group_arn)


def forwarded_groups(action: dict[str, Any]) -> list[str]:
    """Target group ARNs an action forwards to (`TargetGroupArn` or `ForwardConfig`)."""
    if action.get("Type") != "forward":
        return []
    groups = [g["TargetGroupArn"] for g in (action.get("ForwardConfig") or {}).get("TargetGroups", [])]
    if action.get("TargetGroupArn"):
        groups.append(action["TargetGroupArn"])
    return groups
