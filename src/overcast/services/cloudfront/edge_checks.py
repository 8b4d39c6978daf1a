"""What CloudFront checks of a Lambda@Edge function version when a distribution is created or
updated (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html):
the version exists, runs on Node.js or Python, and has no environment variables. Lambda is
asked through its own operations, as any client would."""

from __future__ import annotations

import dataclasses
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.services.cloudfront.api_base import items
from overcast.services.cloudfront.errors import error
from overcast.services.cloudfront.validation import behaviours


def check_edge_functions(platform: Any, ctx: RequestContext, config: dict[str, Any]) -> None:
    gateway = platform.gateway
    if gateway is None or "lambda" not in gateway.specs:
        return
    lam = gateway.api("lambda")
    lambda_ctx = dataclasses.replace(ctx.internal("lambda", "GetFunctionConfiguration"), region="us-east-1")
    for behaviour in behaviours(config):
        for association in items(behaviour.get("LambdaFunctionAssociations")):
            arn = association["LambdaFunctionARN"]
            name, _, version = arn.rpartition(":")
            try:
                function = lam.get_function_configuration(lambda_ctx, function_name=name, qualifier=version)
            except ServiceError:
                raise error("InvalidLambdaFunctionAssociation", f"The function ARN must reference an existing "
                            f"function version. ARN: {arn}") from None
            runtime = str(function.get("Runtime") or "")
            if not runtime.startswith(("nodejs", "python")):
                raise error("InvalidLambdaFunctionAssociation", f"The function has an invalid runtime for "
                            f"Lambda@Edge: {runtime or 'none'}. Function: {arn}")
            if (function.get("Environment") or {}).get("Variables"):
                raise error("InvalidLambdaFunctionAssociation", f"The function cannot have environment "
                            f"variables. Function: {arn}")
