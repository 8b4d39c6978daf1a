"""The changedProperties of a configuration item diff, in AWS Config's form."""

from __future__ import annotations

from overcast.services.config.changes import changed_properties


def _item(configuration, supplementary=None, tags=None):
    return {"configuration": configuration, "supplementaryConfiguration": supplementary or {}, "tags": tags or {}}


def test_an_update_names_each_changed_leaf():
    before = _item({"versioning": {"status": "Off"}, "layers": ["a", "b"], "same": 1},
                   {"BucketVersioningConfiguration": {"status": "Off"}}, {"team": "a"})
    after = _item({"versioning": {"status": "Enabled"}, "layers": ["a"], "same": 1},
                  {"BucketVersioningConfiguration": {"status": "Enabled"}}, {"team": "a", "env": "prod"})
    assert changed_properties(before, after, "UPDATE") == {
        "Configuration.versioning.status": {"previousValue": "Off", "updatedValue": "Enabled",
                                            "changeType": "UPDATE"},
        "Configuration.layers.1": {"previousValue": "b", "updatedValue": None, "changeType": "DELETE"},
        "SupplementaryConfiguration.BucketVersioningConfiguration": {
            "previousValue": {"status": "Off"}, "updatedValue": {"status": "Enabled"}, "changeType": "UPDATE"},
        "Tags.env": {"previousValue": None, "updatedValue": "prod", "changeType": "CREATE"},
    }


def test_create_and_delete_carry_the_whole_configuration():
    item = _item({"name": "q"})
    assert changed_properties(None, item, "CREATE") == {
        "Configuration": {"previousValue": None, "updatedValue": {"name": "q"}, "changeType": "CREATE"}}
    assert changed_properties(item, _item(None), "DELETE") == {
        "Configuration": {"previousValue": {"name": "q"}, "updatedValue": None, "changeType": "DELETE"}}
