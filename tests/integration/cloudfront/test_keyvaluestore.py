"""The KeyValueStore data API (cloudfront-keyvaluestore, signed with SigV4A through awscrt) over a
store the control plane created, and a CloudFront Function reading what it wrote."""

from __future__ import annotations

import uuid

import httpx
import pytest
from botocore.exceptions import ClientError

from .helpers import behaviour, config, s3_origin, url

READER = """
import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
    const colour = await kvs.get('colour');
    return {statusCode: 200, statusDescription: 'OK', headers: {'x-colour': {value: colour}}};
}
"""


def kvs_client(server):
    """A cloudfront-keyvaluestore client: its endpoint rules put the account in front of the host
    (`{account}.127.0.0.1`), which does not resolve locally, so requests go to the server itself."""
    client = server.client("cloudfront-keyvaluestore")

    def to_server(request, **_):
        path = request.url.split("://", 1)[1].partition("/")[2]
        request.url = f"{server.url}/{path}"

    client.meta.events.register("before-send.cloudfront-keyvaluestore", to_server)
    return client


def test_keys_put_get_list_delete_and_read_by_a_function(overcast_server):
    pytest.importorskip("awscrt")
    cf = overcast_server.client("cloudfront")
    kvs_api = kvs_client(overcast_server)
    store = cf.create_key_value_store(Name=f"kvs{uuid.uuid4().hex[:8]}")["KeyValueStore"]
    arn = store["ARN"]
    etag = cf.describe_key_value_store(Name=store["Name"])["ETag"]
    renamed = cf.update_key_value_store(Name=store["Name"], Comment="colours", IfMatch=etag)
    assert renamed["KeyValueStore"]["Comment"] == "colours" and renamed["ETag"] != etag
    described = kvs_api.describe_key_value_store(KvsARN=arn)
    assert described["ItemCount"] == 0 and described["Status"] == "READY"
    with pytest.raises(ClientError) as excinfo:
        kvs_api.put_key(KvsARN=arn, Key="colour", Value="blue", IfMatch="ESTALE00000000")
    assert excinfo.value.response["Error"]["Code"] == "ConflictException"
    put = kvs_api.put_key(KvsARN=arn, Key="colour", Value="blue", IfMatch=described["ETag"])
    assert put["ItemCount"] == 1 and put["TotalSizeInBytes"] == len("colour") + len("blue")
    updated = kvs_api.update_keys(KvsARN=arn, IfMatch=put["ETag"], Puts=[{"Key": "size", "Value": "xl"}])
    assert kvs_api.get_key(KvsARN=arn, Key="colour")["Value"] == "blue"
    assert [i["Key"] for i in kvs_api.list_keys(KvsARN=arn)["Items"]] == ["colour", "size"]

    function = cf.create_function(Name=f"fn{uuid.uuid4().hex[:8]}", FunctionCode=READER.encode(), FunctionConfig={
        "Comment": "", "Runtime": "cloudfront-js-2.0", "KeyValueStoreAssociations": {
            "Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]}})
    cf.publish_function(Name=function["FunctionSummary"]["Name"], IfMatch=function["ETag"])
    fn_arn = function["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
    dist = cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour(
        "s3", functions=[{"FunctionARN": fn_arn, "EventType": "viewer-request"}])))["Distribution"]
    assert httpx.get(url(overcast_server, dist["Id"], "/"), timeout=60).headers["x-colour"] == "blue"

    deleted = kvs_api.delete_key(KvsARN=arn, Key="colour", IfMatch=updated["ETag"])
    assert deleted["ItemCount"] == 1
    with pytest.raises(ClientError) as excinfo:
        kvs_api.get_key(KvsARN=arn, Key="colour")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
