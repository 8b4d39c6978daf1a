"""Listeners (with their default actions) and rules (conditions, priorities, actions)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.elbv2.api_base import ApiBase, page, public
from overcast.services.elbv2.errors import elb_error, validation
from overcast.services.elbv2.models import hex_id, listener_arn_of
from overcast.services.elbv2.rules import check_conditions

ACTION_TYPES = ("forward", "fixed-response", "redirect")


class ListenerOperations(ApiBase):
    def _check_actions(self, ctx: RequestContext, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from overcast.services.elbv2.api_target_groups import forwarded_groups

        if not actions:
            raise validation("At least one action must be specified")
        out = []
        for index, action in enumerate(actions):
            if action.get("Type") not in ACTION_TYPES:
                raise elb_error("InvalidLoadBalancerAction", f"Action type '{action.get('Type')}' is not supported")
            for group in forwarded_groups(action):
                self.store.get(ctx.account, ctx.region, "tg", group)
            if action["Type"] == "fixed-response" and not (action.get("FixedResponseConfig") or {}).get("StatusCode"):
                raise validation("A fixed-response action needs FixedResponseConfig.StatusCode")
            if action["Type"] == "redirect" and not (action.get("RedirectConfig") or {}).get("StatusCode"):
                raise validation("A redirect action needs RedirectConfig.StatusCode")
            out.append({**action, "Order": action.get("Order", index + 1)})
        return out

    # -- listeners -----------------------------------------------------------------------------

    def create_listener(self, ctx: RequestContext, load_balancer_arn: str, default_actions: list[dict[str, Any]],
                        protocol: str | None = None, port: int | None = None,
                        certificates: list[dict[str, Any]] | None = None, ssl_policy: str | None = None,
                        tags: list[dict[str, str]] | None = None, **_: Any) -> dict[str, Any]:
        lb = self.store.get(ctx.account, ctx.region, "lb", load_balancer_arn)
        protocol = protocol or "HTTP"
        if protocol not in ("HTTP", "HTTPS"):
            raise elb_error("UnsupportedProtocol", f"Protocol '{protocol}' is not supported by Application Load "
                                                   "Balancers")
        port = port or (443 if protocol == "HTTPS" else 80)
        if any(listener["Port"] == port for listener in self._all(ctx, "listener", load_balancer_arn)):
            raise elb_error("DuplicateListener", "A listener already exists on this port for this load balancer")
        suffix = load_balancer_arn.split(":loadbalancer/", 1)[1]
        prefix = load_balancer_arn.split(":loadbalancer/", 1)[0]
        doc: dict[str, Any] = {"ListenerArn": f"{prefix}:listener/{suffix}/{hex_id()}", "LoadBalancerArn": lb[
            "LoadBalancerArn"], "Port": port, "Protocol": protocol,
            "DefaultActions": self._check_actions(ctx, default_actions), "_tags": tags or []}
        if certificates:
            doc["Certificates"] = certificates
        if protocol == "HTTPS":
            doc["SslPolicy"] = ssl_policy or "ELBSecurityPolicy-2016-08"
        self.store.put(ctx.account, ctx.region, "listener", doc, doc["ListenerArn"], load_balancer_arn)
        return {"Listeners": [public(doc)]}

    def describe_listeners(self, ctx: RequestContext, load_balancer_arn: str | None = None,
                           listener_arns: list[str] | None = None, marker: str | None = None,
                           page_size: int | None = None) -> dict[str, Any]:
        if load_balancer_arn:
            self.store.get(ctx.account, ctx.region, "lb", load_balancer_arn)
            found = self._all(ctx, "listener", load_balancer_arn)
        elif listener_arns:
            found = [self.store.listener_of(ctx.account, ctx.region, a) for a in listener_arns]
        else:
            raise validation("A load balancer ARN or listener ARNs must be specified")
        return page([public(d) for d in found], marker, page_size, "Listeners")

    def modify_listener(self, ctx: RequestContext, listener_arn: str, port: int | None = None,
                        protocol: str | None = None, default_actions: list[dict[str, Any]] | None = None,
                        certificates: list[dict[str, Any]] | None = None, ssl_policy: str | None = None,
                        **_: Any) -> dict[str, Any]:
        doc = self.store.listener_of(ctx.account, ctx.region, listener_arn)
        if port is not None and port != doc["Port"]:
            if any(li["Port"] == port for li in self._all(ctx, "listener", doc["LoadBalancerArn"])):
                raise elb_error("DuplicateListener", "A listener already exists on this port for this load balancer")
            doc["Port"] = port
        if protocol is not None:
            doc["Protocol"] = protocol
        if default_actions is not None:
            doc["DefaultActions"] = self._check_actions(ctx, default_actions)
        if certificates is not None:
            doc["Certificates"] = certificates
        if ssl_policy is not None:
            doc["SslPolicy"] = ssl_policy
        self.store.put(ctx.account, ctx.region, "listener", doc, listener_arn, doc["LoadBalancerArn"])
        return {"Listeners": [public(doc)]}

    def delete_listener(self, ctx: RequestContext, listener_arn: str) -> dict[str, Any]:
        doc = self.store.listener_of(ctx.account, ctx.region, listener_arn)
        with self.platform.db.tx():
            self.store.docs.delete_under(ctx.account, ctx.region, listener_arn)
            self.store.docs.delete(ctx.account, ctx.region, "listener", listener_arn, parent=doc["LoadBalancerArn"])
        self.store.changed()
        return {}

    # -- rules ---------------------------------------------------------------------------------

    def _default_rule(self, listener: dict[str, Any]) -> dict[str, Any]:
        rule_arn = listener["ListenerArn"].replace(":listener/", ":listener-rule/", 1) + "/default"
        return {"RuleArn": rule_arn, "Priority": "default", "Conditions": [], "Actions": listener["DefaultActions"],
                "IsDefault": True}

    def _check_priority(self, ctx: RequestContext, listener_arn: str, priority: int, rule_arn: str = "") -> None:
        if not 1 <= priority <= 50000:
            raise validation("Priority must be between 1 and 50000")
        for rule in self._all(ctx, "rule", listener_arn):
            if rule["Priority"] == str(priority) and rule["RuleArn"] != rule_arn:
                raise elb_error("PriorityInUse", f"Priority '{priority}' is currently in use")

    def create_rule(self, ctx: RequestContext, listener_arn: str, conditions: list[dict[str, Any]], priority: int,
                    actions: list[dict[str, Any]], tags: list[dict[str, str]] | None = None,
                    **_: Any) -> dict[str, Any]:
        self.store.listener_of(ctx.account, ctx.region, listener_arn)
        self._check_priority(ctx, listener_arn, priority)
        rule_arn = f"{listener_arn.replace(':listener/', ':listener-rule/', 1)}/{hex_id()}"
        doc = {"RuleArn": rule_arn, "Priority": str(priority), "Conditions": check_conditions(conditions),
               "Actions": self._check_actions(ctx, actions), "IsDefault": False, "_tags": tags or []}
        self.store.put(ctx.account, ctx.region, "rule", doc, rule_arn, listener_arn)
        return {"Rules": [public(doc)]}

    def describe_rules(self, ctx: RequestContext, listener_arn: str | None = None, rule_arns: list[str] | None = None,
                       marker: str | None = None, page_size: int | None = None) -> dict[str, Any]:
        if listener_arn:
            listener = self.store.listener_of(ctx.account, ctx.region, listener_arn)
            rules = sorted(self._all(ctx, "rule", listener_arn), key=lambda r: int(r["Priority"]))
            views = [public(r) for r in rules] + [self._default_rule(listener)]
        elif rule_arns:
            views = [public(self._rule(ctx, a)) for a in rule_arns]
        else:
            raise validation("A listener ARN or rule ARNs must be specified")
        return page(views, marker, page_size, "Rules")

    def _rule(self, ctx: RequestContext, rule_arn: str) -> dict[str, Any]:
        if rule_arn.endswith("/default"):
            return self._default_rule(self.store.listener_of(ctx.account, ctx.region, listener_arn_of(rule_arn)))
        return self.store.rule_of(ctx.account, ctx.region, rule_arn)

    def modify_rule(self, ctx: RequestContext, rule_arn: str, conditions: list[dict[str, Any]] | None = None,
                    actions: list[dict[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
        doc = self.store.rule_of(ctx.account, ctx.region, rule_arn)
        if conditions is not None:
            doc["Conditions"] = check_conditions(conditions)
        if actions is not None:
            doc["Actions"] = self._check_actions(ctx, actions)
        self.store.put(ctx.account, ctx.region, "rule", doc, rule_arn, listener_arn_of(rule_arn))
        return {"Rules": [public(doc)]}

    def set_rule_priorities(self, ctx: RequestContext, rule_priorities: list[dict[str, Any]]) -> dict[str, Any]:
        changed = []
        for item in rule_priorities:
            # the model leaves both members of a pair optional; elbv2 needs both
            if not isinstance(item, dict) or item.get("RuleArn") is None:
                raise validation("A rule ARN must be specified")
            if item.get("Priority") is None:
                raise validation("A rule priority must be specified")
            doc = self.store.rule_of(ctx.account, ctx.region, item["RuleArn"])
            self._check_priority(ctx, listener_arn_of(item["RuleArn"]), item["Priority"], item["RuleArn"])
            doc["Priority"] = str(item["Priority"])
            self.store.put(ctx.account, ctx.region, "rule", doc, item["RuleArn"], listener_arn_of(item["RuleArn"]))
            changed.append(public(doc))
        return {"Rules": changed}

    def delete_rule(self, ctx: RequestContext, rule_arn: str) -> dict[str, Any]:
        if rule_arn.endswith("/default"):
            raise elb_error("OperationNotPermitted", "Default rule cannot be deleted")
        self.store.rule_of(ctx.account, ctx.region, rule_arn)
        self.store.docs.delete(ctx.account, ctx.region, "rule", rule_arn, parent=listener_arn_of(rule_arn))
        self.store.changed()
        return {}

