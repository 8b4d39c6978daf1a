"""AWS::ElasticLoadBalancingV2::* for Lambda targets: LoadBalancer, TargetGroup, Listener,
ListenerRule."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_list


class LoadBalancerProvider(Provider):
    """Ref is the ARN; GetAtt DNSName, LoadBalancerArn, LoadBalancerName, LoadBalancerFullName,
    CanonicalHostedZoneID, SecurityGroups."""

    types = ("AWS::ElasticLoadBalancingV2::LoadBalancer",)
    replace = frozenset({"Name", "Scheme", "Type"})
    name_property = "Name"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("Name", 32)
        result = await d.call("elbv2", "CreateLoadBalancer", {
            "Name": name, "Tags": tags_list(props.get("Tags")) or None,
            **pick(props, "Subnets", "SubnetMappings", "SecurityGroups", "Scheme", "Type", "IpAddressType")})
        return self._outcome(result["LoadBalancers"][0])

    @staticmethod
    def _outcome(lb: dict[str, Any]) -> Outcome:
        arn = lb["LoadBalancerArn"]
        return Outcome(arn, {
            "LoadBalancerArn": arn, "DNSName": lb.get("DNSName", ""), "LoadBalancerName": lb.get("LoadBalancerName"),
            "LoadBalancerFullName": arn.split(":loadbalancer/", 1)[-1],
            "CanonicalHostedZoneID": lb.get("CanonicalHostedZoneId", ""), "SecurityGroups": lb.get("SecurityGroups", [])})

    async def update(self, d: Deployment) -> Outcome:
        result = await d.call("elbv2", "DescribeLoadBalancers", {"LoadBalancerArns": [d.physical_id]})
        return self._outcome(result["LoadBalancers"][0])

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("elbv2", "DeleteLoadBalancer", {"LoadBalancerArn": d.physical_id})


class TargetGroupProvider(Provider):
    """Ref is the ARN; GetAtt TargetGroupArn, TargetGroupName, TargetGroupFullName, LoadBalancerArns."""

    types = ("AWS::ElasticLoadBalancingV2::TargetGroup",)
    replace = frozenset({"Name", "TargetType", "Protocol", "Port", "VpcId"})
    name_property = "Name"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("Name", 32)
        result = await d.call("elbv2", "CreateTargetGroup", {
            "Name": name, "TargetType": props.get("TargetType"), "Tags": tags_list(props.get("Tags")) or None,
            **pick(props, "Protocol", "Port", "VpcId", "HealthCheckEnabled", "HealthCheckPath", "Matcher")})
        group = result["TargetGroups"][0]
        await self._attributes(d, group["TargetGroupArn"], props.get("TargetGroupAttributes"))
        await self._targets(d, group["TargetGroupArn"], props.get("Targets") or [], [])
        return self._outcome(group)

    @staticmethod
    def _outcome(group: dict[str, Any]) -> Outcome:
        arn = group["TargetGroupArn"]
        return Outcome(arn, {"TargetGroupArn": arn, "TargetGroupName": group.get("TargetGroupName"),
                             "TargetGroupFullName": arn.split(":", 5)[-1],
                             "LoadBalancerArns": group.get("LoadBalancerArns", [])})

    async def _attributes(self, d: Deployment, arn: str, attributes: Any) -> None:
        if attributes:
            await d.call("elbv2", "ModifyTargetGroupAttributes", {
                "TargetGroupArn": arn, "Attributes": [{"Key": a["Key"], "Value": str(a["Value"])} for a in attributes]})

    async def _targets(self, d: Deployment, arn: str, new: list[dict[str, Any]], old: list[dict[str, Any]]) -> None:
        gone = [t for t in old if t not in new]
        added = [t for t in new if t not in old]
        if gone:
            await d.call("elbv2", "DeregisterTargets", {"TargetGroupArn": arn, "Targets": gone})
        if added:
            await d.call("elbv2", "RegisterTargets", {"TargetGroupArn": arn, "Targets": added})

    async def update(self, d: Deployment) -> Outcome:
        arn = d.physical_id or ""
        if d.properties.get("TargetGroupAttributes") != d.old_properties.get("TargetGroupAttributes"):
            await self._attributes(d, arn, d.properties.get("TargetGroupAttributes"))
        await self._targets(d, arn, d.properties.get("Targets") or [], d.old_properties.get("Targets") or [])
        result = await d.call("elbv2", "DescribeTargetGroups", {"TargetGroupArns": [arn]})
        return self._outcome(result["TargetGroups"][0])

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("elbv2", "DeleteTargetGroup", {"TargetGroupArn": d.physical_id})


class ListenerProvider(Provider):
    """Ref is the ARN; GetAtt ListenerArn."""

    types = ("AWS::ElasticLoadBalancingV2::Listener",)
    replace = frozenset({"LoadBalancerArn"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("elbv2", "CreateListener", {
            "LoadBalancerArn": props.get("LoadBalancerArn"),
            **pick(props, "Protocol", "Port", "DefaultActions", "Certificates", "SslPolicy")})
        arn = result["Listeners"][0]["ListenerArn"]
        return Outcome(arn, {"ListenerArn": arn})

    async def update(self, d: Deployment) -> Outcome:
        await d.call("elbv2", "ModifyListener", {"ListenerArn": d.physical_id,
                                                 **pick(d.properties, "Protocol", "Port", "DefaultActions")})
        return Outcome(d.physical_id or "", {"ListenerArn": d.physical_id})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("elbv2", "DeleteListener", {"ListenerArn": d.physical_id})


class ListenerRuleProvider(Provider):
    """Ref is the ARN; GetAtt RuleArn, IsDefault."""

    types = ("AWS::ElasticLoadBalancingV2::ListenerRule",)
    replace = frozenset({"ListenerArn"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("elbv2", "CreateRule", {"ListenerArn": props.get("ListenerArn"),
                                                      **pick(props, "Priority", "Conditions", "Actions")})
        arn = result["Rules"][0]["RuleArn"]
        return Outcome(arn, {"RuleArn": arn, "IsDefault": False})

    async def update(self, d: Deployment) -> Outcome:
        await d.call("elbv2", "ModifyRule", {"RuleArn": d.physical_id, **pick(d.properties, "Conditions", "Actions")})
        if d.properties.get("Priority") != d.old_properties.get("Priority"):
            await d.call("elbv2", "SetRulePriorities", {"RulePriorities": [
                {"RuleArn": d.physical_id, "Priority": d.properties.get("Priority")}]})
        return Outcome(d.physical_id or "", {"RuleArn": d.physical_id, "IsDefault": False})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("elbv2", "DeleteRule", {"RuleArn": d.physical_id})


PROVIDERS = [LoadBalancerProvider(), TargetGroupProvider(), ListenerProvider(), ListenerRuleProvider()]
