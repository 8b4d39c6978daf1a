"""Each Config test works in an account of its own; its recorder is stopped and its rules deleted when the test ends, so
that the session's server does not go on scanning accounts no test looks at."""

from __future__ import annotations

import pytest

from tests.integration.config.helpers import clients, new_account


@pytest.fixture
def account(overcast_server):
    number = new_account()
    yield number
    config = clients(overcast_server, number, "config")[0]
    for recorder in config.describe_configuration_recorders()["ConfigurationRecorders"]:
        config.stop_configuration_recorder(ConfigurationRecorderName=recorder["name"])
    for rule in config.describe_config_rules()["ConfigRules"]:  # periodic rules would go on invoking
        config.delete_config_rule(ConfigRuleName=rule["ConfigRuleName"])
