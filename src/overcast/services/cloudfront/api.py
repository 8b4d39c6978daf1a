"""Amazon CloudFront: one method per operation."""

from __future__ import annotations

from overcast.services.cloudfront.api_distributions import DistributionOperations
from overcast.services.cloudfront.api_functions import FunctionOperations
from overcast.services.cloudfront.api_policies import PolicyOperations


class CloudFrontApi(DistributionOperations, PolicyOperations, FunctionOperations):
    """Distributions, policies, origin access controls, invalidations, functions, key value stores."""
