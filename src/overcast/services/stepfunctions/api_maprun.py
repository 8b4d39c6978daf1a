"""Map Runs of Distributed Map states: DescribeMapRun, ListMapRuns, UpdateMapRun
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html))."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.stepfunctions.errors import InvalidArn, ResourceNotFound, Validation
from overcast.services.stepfunctions.maprun import MapRuns
from overcast.services.stepfunctions.models import Execution
from overcast.services.stepfunctions.paging import page


class MapRunOperations:
    """Mixed into `StepFunctionsApi`."""

    platform: Any

    def execution(self, arn: str) -> Execution:
        raise NotImplementedError

    def map_run(self, arn: str) -> dict[str, Any]:
        if not arn.startswith("arn:") or ":mapRun:" not in arn:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        found = self.platform.component(MapRuns).find(arn)
        if found is None:
            raise ResourceNotFound(f"Map Run Does Not Exist: '{arn}'")
        return found  # type: ignore[no-any-return]

    def describe_map_run(self, ctx: RequestContext, map_run_arn: str) -> dict[str, Any]:
        doc = dict(self.map_run(map_run_arn))
        doc.pop("stateMachineArn", None)
        doc.setdefault("toleratedFailurePercentage", 0.0)
        doc.setdefault("toleratedFailureCount", 0)
        return doc

    def list_map_runs(self, ctx: RequestContext, execution_arn: str, max_results: int | None = None,
                      next_token: str | None = None) -> dict[str, Any]:
        self.execution(execution_arn)
        items = [{k: run[k] for k in ("executionArn", "mapRunArn", "stateMachineArn", "startDate", "stopDate")
                  if k in run} for run in self.platform.component(MapRuns).of_execution(execution_arn)]
        return page(items, "mapRuns", max_results, next_token)

    def update_map_run(self, ctx: RequestContext, map_run_arn: str, max_concurrency: int | None = None,
                       tolerated_failure_percentage: float | None = None,
                       tolerated_failure_count: int | None = None) -> dict[str, Any]:
        """AWS: at least one setting; a percentage from 0 to 100."""
        doc = self.map_run(map_run_arn)
        if max_concurrency is None and tolerated_failure_percentage is None and tolerated_failure_count is None:
            raise Validation("At least one of the parameters maxConcurrency, toleratedFailurePercentage or "
                             "toleratedFailureCount must be specified")
        if tolerated_failure_percentage is not None and not 0 <= tolerated_failure_percentage <= 100:
            raise Validation("toleratedFailurePercentage must be between 0 and 100")
        if max_concurrency is not None:
            doc["maxConcurrency"] = max_concurrency
        if tolerated_failure_percentage is not None:
            doc["toleratedFailurePercentage"] = float(tolerated_failure_percentage)
        if tolerated_failure_count is not None:
            doc["toleratedFailureCount"] = tolerated_failure_count
        self.platform.component(MapRuns).save(doc)
        return {}
