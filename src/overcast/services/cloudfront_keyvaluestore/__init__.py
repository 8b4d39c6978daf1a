"""CloudFront KeyValueStore's data API (`cloudfront-keyvaluestore`, rest-json, signed with SigV4A):
DescribeKeyValueStore, GetKey, ListKeys, PutKey, DeleteKey, UpdateKeys over the key value stores
CloudFront's control plane creates, which CloudFront Functions read (docs/cloudfront.md)."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.cloudfront_keyvaluestore.api import KeyValueStoreApi

    return KeyValueStoreApi(platform)


SPEC = ServiceSpec(name="cloudfront-keyvaluestore", api=_api, options=ProtocolOptions(validation="full"))
