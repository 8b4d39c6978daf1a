"""AWS Systems Manager Parameter Store's operations (the API of docs/ssm.md)."""

from __future__ import annotations

from overcast.services.ssm.api_parameters import ParameterOperations
from overcast.services.ssm.api_queries import QueryOperations
from overcast.services.ssm.api_tags import TagOperations
from overcast.services.ssm.api_versions import VersionOperations


class SsmApi(ParameterOperations, VersionOperations, QueryOperations, TagOperations):
    """PutParameter, GetParameter(s), GetParametersByPath, DescribeParameters, GetParameterHistory,
    Label/UnlabelParameterVersion, DeleteParameter(s) and the parameters' tags."""
