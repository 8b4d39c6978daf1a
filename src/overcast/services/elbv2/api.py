"""Elastic Load Balancing v2 (Application Load Balancers): one method per operation."""

from __future__ import annotations

from overcast.services.elbv2.api_listeners import ListenerOperations
from overcast.services.elbv2.api_load_balancers import LoadBalancerOperations
from overcast.services.elbv2.api_target_groups import TargetGroupOperations


class ElbApi(LoadBalancerOperations, TargetGroupOperations, ListenerOperations):
    """Load balancers, target groups (Lambda targets), listeners, rules, attributes and tags."""
