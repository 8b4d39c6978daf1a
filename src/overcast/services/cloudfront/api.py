"""Amazon CloudFront: one method per operation."""

from __future__ import annotations

from overcast.services.cloudfront.api_distributions import DistributionOperations
from overcast.services.cloudfront.api_functions import FunctionOperations
from overcast.services.cloudfront.api_keys import KeyOperations
from overcast.services.cloudfront.api_lookups import LookupOperations


class CloudFrontApi(DistributionOperations, LookupOperations, FunctionOperations, KeyOperations):
    """Distributions, policies, origin access controls, invalidations, functions, key value stores,
    public keys and key groups, origin access identities."""
