"""Metric math (placeholder until the expression engine lands)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from overcast.services.cloudwatch.errors import validation
from overcast.services.cloudwatch.series import Value

if TYPE_CHECKING:
    from overcast.services.cloudwatch.metric_data import Evaluation


def evaluate(expression: str, evaluation: Evaluation, query: Mapping[str, Any]) -> Value:
    raise validation(f"Error in expression {query['Id']}: metric math is not supported yet")
