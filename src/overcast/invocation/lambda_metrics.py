"""Lambda's own metrics (namespace `AWS/Lambda`), recorded by the invocation paths.

AWS publishes each function metric under four dimension sets: none (all functions of the account
and region), `FunctionName`, `FunctionName`+`Resource` (the function, or `name:qualifier` when a
version or alias was invoked) and, for qualified invocations, `FunctionName`+`Resource`+
`ExecutedVersion` (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
The table of metrics is in docs/cloudwatch-metrics.md.
"""

from __future__ import annotations

from overcast.metrics import Dims, MetricsRecorder
from overcast.services.lambda_.models import Resolved
from overcast.services.lambda_.names import FunctionRef

NAMESPACE = "AWS/Lambda"


def dim_sets(resolved: Resolved) -> list[Dims]:
    """The dimension sets AWS publishes an invocation metric under."""
    sets = _function_sets(resolved.ref)
    if resolved.ref.qualifier:
        sets.append((("ExecutedVersion", resolved.executed_version), *sets[2]))
    return sets


def _function_sets(ref: FunctionRef) -> list[Dims]:
    """None, `FunctionName`, and `FunctionName`+`Resource`."""
    resource = f"{ref.name}:{ref.qualifier}" if ref.qualifier else ref.name
    return [(), (("FunctionName", ref.name),), (("FunctionName", ref.name), ("Resource", resource))]


def record(metrics: MetricsRecorder, resolved: Resolved, points: list[tuple[str, float, str]]) -> None:
    """Record `points` (name, value, unit) for one invocation of `resolved`."""
    if metrics.enabled:
        metrics.record_sets(resolved.ref.account, resolved.ref.region, NAMESPACE, dim_sets(resolved), points)


def invoked(metrics: MetricsRecorder, resolved: Resolved, duration_ms: float, function_error: bool) -> None:
    """An invocation ran: `Invocations` counts it (errors included, throttles not), `Errors` counts
    function errors (timeouts and crashes included), `Duration` is its run time in milliseconds."""
    if metrics.enabled:
        record(metrics, resolved, [("Invocations", 1.0, "Count"), ("Errors", 1.0 if function_error else 0.0, "Count"),
                                   ("Duration", round(duration_ms, 2), "Milliseconds")])


def throttled(metrics: MetricsRecorder, resolved: Resolved) -> None:
    """An invocation request was throttled (not counted in `Invocations`)."""
    if metrics.enabled:
        record(metrics, resolved, [("Throttles", 1.0, "Count")])


def concurrency(metrics: MetricsRecorder, resolved: Resolved, in_flight: int, unreserved: int | None) -> None:
    """`ConcurrentExecutions` as the number of running invocations when one starts (AWS reports the
    Maximum per period); `UnreservedConcurrentExecutions` for the account's unreserved pool."""
    if not metrics.enabled:
        return
    account, region, name = resolved.ref.account, resolved.ref.region, resolved.ref.name
    metrics.record(account, region, NAMESPACE, "ConcurrentExecutions", (("FunctionName", name),), float(in_flight))
    if unreserved is not None:
        metrics.record(account, region, NAMESPACE, "UnreservedConcurrentExecutions", (), float(unreserved))


def iterator_age(metrics: MetricsRecorder, ref: FunctionRef, age_ms: float) -> None:
    """`IteratorAge` of a stream event source mapping: how old the batch's last record is when Lambda
    invokes the function with it (milliseconds)."""
    if metrics.enabled:
        metrics.record_sets(ref.account, ref.region, NAMESPACE, _function_sets(ref),
                            [("IteratorAge", round(age_ms), "Milliseconds")])
