"""Elastic Load Balancing v2 (Application Load Balancers): one method per operation."""

from __future__ import annotations

from overcast.services.elbv2.lb_api import LoadBalancerOperations
from overcast.services.elbv2.listener_api import ListenerOperations
from overcast.services.elbv2.tg_api import TargetGroupOperations


class ElbApi(LoadBalancerOperations, TargetGroupOperations, ListenerOperations):
    """Load balancers, target groups (Lambda targets), listeners, rules, attributes and tags."""
