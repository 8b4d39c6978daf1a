"""S3 listings: prefix, delimiter and CommonPrefixes, pagination (continuation tokens, markers,
StartAfter), EncodingType=url, as boto3 and S3 define them."""

from __future__ import annotations

import pytest

KEYS = ["a.txt", "photos/2023/jan.jpg", "photos/2023/feb.jpg", "photos/2024/mar.jpg", "photos/cover.jpg",
        "videos/clip.mp4", "z"]


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_list_all_in_binary_order(s3, filled):
    out = s3.list_objects_v2(Bucket=filled)
    assert [o["Key"] for o in out["Contents"]] == sorted(KEYS)
    assert out["KeyCount"] == len(KEYS)
    assert out["IsTruncated"] is False
    assert out["Contents"][0]["Size"] == len(sorted(KEYS)[0])
    assert out["Contents"][0]["StorageClass"] == "STANDARD"


def test_prefix_and_delimiter(s3, filled):
    top = s3.list_objects_v2(Bucket=filled, Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["a.txt", "z"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["photos/", "videos/"]
    assert top["KeyCount"] == 4
    photos = s3.list_objects_v2(Bucket=filled, Prefix="photos/", Delimiter="/")
    assert [o["Key"] for o in photos["Contents"]] == ["photos/cover.jpg"]
    assert [p["Prefix"] for p in photos["CommonPrefixes"]] == ["photos/2023/", "photos/2024/"]
    v1 = s3.list_objects(Bucket=filled, Prefix="photos/2023/")
    assert [o["Key"] for o in v1["Contents"]] == ["photos/2023/feb.jpg", "photos/2023/jan.jpg"]
    assert "Owner" in v1["Contents"][0]
    assert s3.list_objects_v2(Bucket=filled, Prefix="nothing")["KeyCount"] == 0


def test_v2_pagination_with_continuation_tokens(s3, filled):
    keys, prefixes, pages = [], [], 0
    kwargs = {"Bucket": filled, "MaxKeys": 2, "Delimiter": "/"}
    while True:
        out = s3.list_objects_v2(**kwargs)
        pages += 1
        assert out["KeyCount"] <= 2
        keys += [o["Key"] for o in out.get("Contents", [])]
        prefixes += [p["Prefix"] for p in out.get("CommonPrefixes", [])]
        if not out["IsTruncated"]:
            break
        kwargs["ContinuationToken"] = out["NextContinuationToken"]
    assert keys == ["a.txt", "z"]
    assert prefixes == ["photos/", "videos/"]
    assert pages == 2


def test_paginators_v1_and_v2(s3, filled):
    v2 = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=filled, PaginationConfig={"PageSize": 3}) for o in page.get("Contents", [])]
    v1 = [o["Key"] for page in s3.get_paginator("list_objects").paginate(
        Bucket=filled, PaginationConfig={"PageSize": 3}) for o in page.get("Contents", [])]
    assert v2 == sorted(KEYS)
    assert v1 == sorted(KEYS)


def test_v1_markers(s3, filled):
    first = s3.list_objects(Bucket=filled, MaxKeys=2)
    assert first["IsTruncated"] is True
    assert [o["Key"] for o in first["Contents"]] == ["a.txt", "photos/2023/feb.jpg"]
    nxt = s3.list_objects(Bucket=filled, Marker="photos/2023/feb.jpg", MaxKeys=2)
    assert [o["Key"] for o in nxt["Contents"]] == ["photos/2023/jan.jpg", "photos/2024/mar.jpg"]
    rolled = s3.list_objects(Bucket=filled, Delimiter="/", MaxKeys=2)
    assert rolled["NextMarker"] == "photos/"
    rest = s3.list_objects(Bucket=filled, Delimiter="/", Marker=rolled["NextMarker"])
    assert [o["Key"] for o in rest["Contents"]] == ["z"]
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["videos/"]


def test_start_after(s3, filled):
    out = s3.list_objects_v2(Bucket=filled, StartAfter="photos/cover.jpg")
    assert [o["Key"] for o in out["Contents"]] == ["videos/clip.mp4", "z"]
    assert out["StartAfter"] == "photos/cover.jpg"


def test_encoding_type_url(overcast_server, s3, bucket):
    import httpx

    s3.put_object(Bucket=bucket, Key="with space+plus/é", Body=b"x")
    # boto3 asks for url encoding and decodes it back
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["with space+plus/é"]
    raw = httpx.get(f"{overcast_server.url}/{bucket}?list-type=2&encoding-type=url").text
    assert "<Key>with%20space%2Bplus/%C3%A9</Key>" in raw
    assert "<EncodingType>url</EncodingType>" in raw
    assert raw.startswith('<?xml version="1.0" encoding="UTF-8"?>\n'
                          '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">')
    plain = httpx.get(f"{overcast_server.url}/{bucket}?list-type=2").text
    assert "<Key>with space+plus/é</Key>" in plain
    bad = httpx.get(f"{overcast_server.url}/{bucket}?list-type=2&encoding-type=base64")
    assert bad.status_code == 400
    assert "<Code>InvalidArgument</Code>" in bad.text


def test_many_keys_paginate_past_a_thousand(s3, bucket):
    from concurrent.futures import ThreadPoolExecutor

    keys = [f"k{i:05d}" for i in range(1105)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=b""), keys))
    first = s3.list_objects_v2(Bucket=bucket)
    assert first["KeyCount"] == 1000
    assert first["IsTruncated"] is True
    second = s3.list_objects_v2(Bucket=bucket, ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in first["Contents"] + second["Contents"]] == keys
    assert second["IsTruncated"] is False
