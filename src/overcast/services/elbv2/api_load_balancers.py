"""Load balancers, their attributes, and tags on every ELB resource."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.elbv2.api_base import ApiBase, attributes, page, public
from overcast.services.elbv2.errors import elb_error, not_found, validation
from overcast.services.elbv2.models import arn, hex_id

ELB_PATH = "/_aws/elb/"
LB_ATTRIBUTES = {
    "access_logs.s3.enabled": "false", "deletion_protection.enabled": "false", "idle_timeout.timeout_seconds": "60",
    "routing.http2.enabled": "true", "routing.http.drop_invalid_header_fields.enabled": "false",
}


def dns_name(ctx: RequestContext, name: str) -> str:
    """What DNSName holds: overcast's own host and port with the load balancer in the path, so that
    `http://{DNSName}/...` works from every client with no DNS set-up (docs/http-front-doors.md)."""
    return f"{ctx.endpoint.split('://', 1)[-1]}{ELB_PATH}{name}"


class LoadBalancerOperations(ApiBase):
    def _lb_view(self, ctx: RequestContext, doc: dict[str, Any]) -> dict[str, Any]:
        return {**public(doc), "DNSName": dns_name(ctx, doc["LoadBalancerName"])}

    def create_load_balancer(self, ctx: RequestContext, name: str, subnets: list[str] | None = None,
                             subnet_mappings: list[dict[str, Any]] | None = None,
                             security_groups: list[str] | None = None, scheme: str | None = None,
                             tags: list[dict[str, str]] | None = None, type: str | None = None,
                             ip_address_type: str | None = None, **_: Any) -> dict[str, Any]:
        kind = type or "application"
        if kind != "application":
            raise elb_error("InvalidConfigurationRequest", f"overcast runs Application Load Balancers; type '{kind}' "
                                                           "is not supported")
        if not name or len(name) > 32 or not name.replace("-", "").isalnum() or name.startswith(("-", "internal-")) \
                or name.endswith("-"):
            raise validation(f"Load balancer name '{name}' must be 1 to 32 alphanumeric characters or hyphens, and "
                             "must not begin or end with a hyphen")
        for existing in self._all(ctx, "lb"):
            if existing["LoadBalancerName"] == name:
                raise elb_error("DuplicateLoadBalancerName", "A load balancer with the same name already exists")
        lb_id = hex_id()
        subnet_ids = subnets or [m["SubnetId"] for m in subnet_mappings or [] if m.get("SubnetId")]
        doc: dict[str, Any] = {
            "LoadBalancerArn": arn(ctx.region, ctx.account, f"loadbalancer/app/{name}/{lb_id}"),
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K", "CreatedTime": self.platform.clock.now(),
            "LoadBalancerName": name, "Scheme": scheme or "internet-facing", "VpcId": "vpc-overcast",
            "State": {"Code": "active"}, "Type": kind,
            "AvailabilityZones": [{"ZoneName": f"{ctx.region}{chr(97 + i)}", "SubnetId": s}
                                  for i, s in enumerate(subnet_ids)],
            "SecurityGroups": security_groups or [], "IpAddressType": ip_address_type or "ipv4",
            "_tags": tags or [], "_attributes": dict(LB_ATTRIBUTES),
        }
        self.store.put(ctx.account, ctx.region, "lb", doc, doc["LoadBalancerArn"])
        return {"LoadBalancers": [self._lb_view(ctx, doc)]}

    def describe_load_balancers(self, ctx: RequestContext, load_balancer_arns: list[str] | None = None,
                                names: list[str] | None = None, marker: str | None = None,
                                page_size: int | None = None) -> dict[str, Any]:
        found = self._all(ctx, "lb")
        if load_balancer_arns:
            found = [d for d in found if d["LoadBalancerArn"] in load_balancer_arns]
            if len(found) != len(set(load_balancer_arns)):
                raise not_found("LoadBalancer")
        if names:
            found = [d for d in found if d["LoadBalancerName"] in names]
            if len(found) != len(set(names)):
                raise elb_error("LoadBalancerNotFound", f"Load balancers '{names}' not found")
        return page([self._lb_view(ctx, d) for d in found], marker, page_size, "LoadBalancers")

    def delete_load_balancer(self, ctx: RequestContext, load_balancer_arn: str) -> dict[str, Any]:
        doc = self.store.docs.get(ctx.account, ctx.region, "lb", load_balancer_arn)
        if doc is None:
            return {}  # deleting a load balancer that is gone succeeds (AWS)
        if doc["_attributes"].get("deletion_protection.enabled") == "true":
            raise elb_error("OperationNotPermitted", f"Load balancer '{load_balancer_arn}' cannot be deleted because "
                                                     "deletion protection is enabled")
        with self.platform.db.tx():
            for listener in self._all(ctx, "listener", load_balancer_arn):
                self.store.docs.delete_under(ctx.account, ctx.region, listener["ListenerArn"])
            self.store.docs.delete_under(ctx.account, ctx.region, load_balancer_arn)
            self.store.docs.delete(ctx.account, ctx.region, "lb", load_balancer_arn)
        self.store.changed()
        return {}

    def describe_load_balancer_attributes(self, ctx: RequestContext, load_balancer_arn: str) -> dict[str, Any]:
        doc = self.store.get(ctx.account, ctx.region, "lb", load_balancer_arn)
        return {"Attributes": attributes(doc["_attributes"])}

    def modify_load_balancer_attributes(self, ctx: RequestContext, load_balancer_arn: str,
                                        attributes: list[dict[str, str]]) -> dict[str, Any]:
        doc = self.store.get(ctx.account, ctx.region, "lb", load_balancer_arn)
        doc["_attributes"].update({a["Key"]: a.get("Value", "") for a in attributes})
        self.store.put(ctx.account, ctx.region, "lb", doc, load_balancer_arn)
        return self.describe_load_balancer_attributes(ctx, load_balancer_arn)

    # -- tags ----------------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, resource_arn: str) -> tuple[str, str, dict[str, Any]]:
        from overcast.services.elbv2.models import listener_arn_of, load_balancer_arn_of

        kind, parent = "lb", ""
        if ":targetgroup/" in resource_arn:
            kind = "tg"
        elif ":listener-rule/" in resource_arn:
            kind, parent = "rule", listener_arn_of(resource_arn)
        elif ":listener/" in resource_arn:
            kind, parent = "listener", load_balancer_arn_of(resource_arn)
        return kind, parent, self.store.get(ctx.account, ctx.region, kind, resource_arn, parent)

    def add_tags(self, ctx: RequestContext, resource_arns: list[str], tags: list[dict[str, str]]) -> dict[str, Any]:
        for resource_arn in resource_arns:
            kind, parent, doc = self._tagged(ctx, resource_arn)
            merged = {t["Key"]: t.get("Value", "") for t in doc.get("_tags", [])}
            merged.update({t["Key"]: t.get("Value", "") for t in tags})
            doc["_tags"] = [{"Key": k, "Value": v} for k, v in merged.items()]
            self.store.put(ctx.account, ctx.region, kind, doc, resource_arn, parent)
        return {}

    def remove_tags(self, ctx: RequestContext, resource_arns: list[str], tag_keys: list[str]) -> dict[str, Any]:
        for resource_arn in resource_arns:
            kind, parent, doc = self._tagged(ctx, resource_arn)
            doc["_tags"] = [t for t in doc.get("_tags", []) if t["Key"] not in tag_keys]
            self.store.put(ctx.account, ctx.region, kind, doc, resource_arn, parent)
        return {}

    def describe_tags(self, ctx: RequestContext, resource_arns: list[str]) -> dict[str, Any]:
        return {"TagDescriptions": [{"ResourceArn": a, "Tags": self._tagged(ctx, a)[2].get("_tags", [])}
                                    for a in resource_arns]}
