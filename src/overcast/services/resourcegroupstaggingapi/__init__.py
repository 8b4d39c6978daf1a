"""AWS Resource Groups Tagging API: GetResources, GetTagKeys, GetTagValues, TagResources and
UntagResources across every hosted service's taggable resources, through each service's own
operations as the tagging contract (`overcast.services.tagging`) declares them. See docs/tagging.md."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.resourcegroupstaggingapi.api import ResourcegroupstaggingapiApi

    return ResourcegroupstaggingapiApi(platform)


SPEC = ServiceSpec(name="resourcegroupstaggingapi", api=_api, options=ProtocolOptions(validation="full"))
