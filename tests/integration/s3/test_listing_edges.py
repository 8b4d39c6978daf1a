"""S3 listing edge cases as AWS records them: ListObjectsV2 (StartAfter with a continuation token,
CommonPrefixes paging, MaxKeys=0, FetchOwner, EncodingType=url), ListParts and ListMultipartUploads
paging, and GET/HEAD of one part (`partNumber`)."""

from __future__ import annotations

import botocore.exceptions
import httpx
import pytest

KEYS = [f"test_{i}" for i in range(12)]


def _error(info: pytest.ExceptionInfo) -> dict:
    return {**info.value.response["Error"], "status": info.value.response["ResponseMetadata"]["HTTPStatusCode"]}


@pytest.fixture
def twelve(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=b"content 123")
    return bucket


def test_continuation_token_wins_over_start_after(s3, twelve):
    first = s3.list_objects_v2(Bucket=twelve, MaxKeys=5)
    assert [o["Key"] for o in first["Contents"]] == sorted(KEYS)[:5]
    assert first["IsTruncated"] is True and first["KeyCount"] == 5
    both = s3.list_objects_v2(Bucket=twelve, StartAfter="test_7", ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in both["Contents"]] == sorted(KEYS)[5:]
    assert both["ContinuationToken"] == first["NextContinuationToken"]
    assert "StartAfter" not in both
    assert both["KeyCount"] == 7 and both["IsTruncated"] is False
    after = s3.list_objects_v2(Bucket=twelve, StartAfter="test_7", MaxKeys=2)
    assert [o["Key"] for o in after["Contents"]] == ["test_8", "test_9"]
    assert after["StartAfter"] == "test_7"
    assert after["IsTruncated"] is False and "NextContinuationToken" not in after


def test_empty_continuation_token_is_refused(s3, twelve):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.list_objects_v2(Bucket=twelve, ContinuationToken="")
    error = _error(info)
    assert error["Code"] == "InvalidArgument" and error["status"] == 400
    assert error["Message"] == "The continuation token provided is incorrect"
    assert error["ArgumentName"] == "continuation-token"


def test_max_keys_zero_is_an_empty_complete_page(s3, twelve):
    out = s3.list_objects_v2(Bucket=twelve, MaxKeys=0)
    assert out["KeyCount"] == 0 and out["MaxKeys"] == 0
    assert out["IsTruncated"] is False
    assert "Contents" not in out and "NextContinuationToken" not in out
    v1 = s3.list_objects(Bucket=twelve, MaxKeys=0, Delimiter="/")
    assert v1["IsTruncated"] is False and "NextMarker" not in v1


def test_common_prefixes_page_across_max_keys(s3, bucket):
    for key in ["folder/aSubfolder/subFile1", "folder/aSubfolder/subFile2", "folder/file1", "folder/file2"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    kwargs = {"Bucket": bucket, "Prefix": "folder/", "Delimiter": "/", "MaxKeys": 1}
    start = s3.list_objects_v2(**kwargs)
    assert [p["Prefix"] for p in start["CommonPrefixes"]] == ["folder/aSubfolder/"]
    assert "Contents" not in start and start["KeyCount"] == 1 and start["IsTruncated"] is True
    nxt = s3.list_objects_v2(**kwargs, ContinuationToken=start["NextContinuationToken"])
    assert [o["Key"] for o in nxt["Contents"]] == ["folder/file1"] and "CommonPrefixes" not in nxt
    assert nxt["IsTruncated"] is True
    end = s3.list_objects_v2(**kwargs, ContinuationToken=nxt["NextContinuationToken"])
    assert [o["Key"] for o in end["Contents"]] == ["folder/file2"]
    assert end["IsTruncated"] is False and "NextContinuationToken" not in end
    # v1: NextMarker is the last entry, a common prefix included; a marker inside a prefix resumes after it
    v1 = s3.list_objects(**{k: v for k, v in kwargs.items()})
    assert v1["NextMarker"] == "folder/aSubfolder/"
    manual = s3.list_objects(**kwargs, Marker="folder/aSubfolder/subFile1")
    assert [o["Key"] for o in manual["Contents"]] == ["folder/file1"] and "CommonPrefixes" not in manual
    assert manual["NextMarker"] == "folder/file1"


def test_fetch_owner_and_key_count(s3, twelve):
    plain = s3.list_objects_v2(Bucket=twelve, MaxKeys=3)
    assert all("Owner" not in o for o in plain["Contents"])
    owned = s3.list_objects_v2(Bucket=twelve, MaxKeys=3, FetchOwner=True)
    assert all(set(o["Owner"]) >= {"ID"} for o in owned["Contents"])
    assert owned["KeyCount"] == 3


def test_encoding_type_url_covers_prefix_delimiter_start_after(overcast_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a+b/é/x", Body=b"x")
    s3.put_object(Bucket=bucket, Key="a+b/é/y", Body=b"x")
    raw = httpx.get(f"{overcast_server.url}/{bucket}", params={
        "list-type": "2", "encoding-type": "url", "prefix": "a+b/", "delimiter": "é", "start-after": "a+b/"}).text
    assert "<Prefix>a%2Bb/</Prefix>" in raw
    assert "<Delimiter>%C3%A9</Delimiter>" in raw
    assert "<StartAfter>a%2Bb/</StartAfter>" in raw
    assert "<CommonPrefixes><Prefix>a%2Bb/%C3%A9</Prefix></CommonPrefixes>" in raw
    # boto3 asks for url encoding itself and decodes every one of those members
    out = s3.list_objects_v2(Bucket=bucket, Prefix="a+b/", Delimiter="é", StartAfter="a+b/")
    assert out["Prefix"] == "a+b/" and out["Delimiter"] == "é" and out["StartAfter"] == "a+b/"
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["a+b/é"]


# -- ListParts ---------------------------------------------------------------------------------------


@pytest.fixture
def upload(s3, bucket):
    made = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    return made["UploadId"]


def test_list_parts_paging(s3, bucket, upload):
    empty = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)
    assert empty["NextPartNumberMarker"] == 0 and empty["PartNumberMarker"] == 0
    assert empty["IsTruncated"] is False and empty["MaxParts"] == 1000 and "Parts" not in empty
    for number in (1, 2):
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=number, Body=b"data")
    first = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload, MaxParts=1)
    assert [p["PartNumber"] for p in first["Parts"]] == [1]
    assert first["IsTruncated"] is True and first["NextPartNumberMarker"] == 1 and first["MaxParts"] == 1
    rest = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload, MaxParts=1, PartNumberMarker=1)
    assert [p["PartNumber"] for p in rest["Parts"]] == [2]
    assert rest["IsTruncated"] is False and rest["NextPartNumberMarker"] == 2 and rest["PartNumberMarker"] == 1
    beyond = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload, MaxParts=1, PartNumberMarker=10)
    assert "Parts" not in beyond and beyond["NextPartNumberMarker"] == 0 and beyond["IsTruncated"] is False
    assert rest["Parts"][0]["ETag"] == '"8d777f385d3dfec8815d20f7496026dc"' and rest["Parts"][0]["Size"] == 4


def test_list_parts_empty_arguments_are_defaults(overcast_server, s3, bucket, upload):
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"data")
    raw = httpx.get(f"{overcast_server.url}/{bucket}/mp?uploadId={upload}&part-number-marker=&max-parts=")
    assert raw.status_code == 200
    assert "<PartNumberMarker>0</PartNumberMarker>" in raw.text
    assert "<NextPartNumberMarker>1</NextPartNumberMarker>" in raw.text
    assert "<MaxParts>1000</MaxParts>" in raw.text


def test_list_parts_bad_arguments_and_unknown_upload(s3, bucket, upload):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload, MaxParts=-1)
    error = _error(info)
    assert (error["Code"], error["status"]) == ("InvalidArgument", 400)
    assert error["Message"] == "Argument max-parts must be an integer between 0 and 2147483647"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.list_parts(Bucket=bucket, Key="mp", UploadId="not-an-upload")
    error = _error(info)
    assert (error["Code"], error["status"]) == ("NoSuchUpload", 404)
    assert error["UploadId"] == "not-an-upload"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.list_parts(Bucket=bucket, Key="other-key", UploadId=upload)
    assert _error(info)["Code"] == "NoSuchUpload"


def test_list_parts_checksums(s3, bucket):
    made = s3.create_multipart_upload(Bucket=bucket, Key="ck", ChecksumAlgorithm="SHA256")
    s3.upload_part(Bucket=bucket, Key="ck", UploadId=made["UploadId"], PartNumber=1, Body=b"data",
                   ChecksumAlgorithm="SHA256")
    out = s3.list_parts(Bucket=bucket, Key="ck", UploadId=made["UploadId"])
    assert out["ChecksumAlgorithm"] == "SHA256" and out["ChecksumType"] == "COMPOSITE"
    # base64(sha256(b"data"))
    assert out["Parts"][0]["ChecksumSHA256"] == "Om6weQ85rIfJTzhWst0sXREOaBFgImGpqSPTuyOtyLc="


# -- ListMultipartUploads --------------------------------------------------------------------------


def test_list_multipart_uploads_markers(s3, bucket):
    empty = s3.list_multipart_uploads(Bucket=bucket)
    assert empty["NextKeyMarker"] == "" and empty["NextUploadIdMarker"] == "" and empty["IsTruncated"] is False
    ids: dict[str, list[str]] = {}
    for key in ["test_c", "test_b", "test_a", "test_a", "test_a"]:
        ids.setdefault(key, []).append(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    listed = s3.list_multipart_uploads(Bucket=bucket)
    # sorted by key, then by initiation
    assert [u["UploadId"] for u in listed["Uploads"]] == ids["test_a"] + ids["test_b"] + ids["test_c"]
    assert (listed["NextKeyMarker"], listed["NextUploadIdMarker"]) == ("test_c", ids["test_c"][0])
    assert listed["IsTruncated"] is False
    both = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1, KeyMarker="test_a",
                                     UploadIdMarker=ids["test_a"][0])
    assert [u["UploadId"] for u in both["Uploads"]] == [ids["test_a"][1]]
    assert both["IsTruncated"] is True and both["NextUploadIdMarker"] == ids["test_a"][1]
    only_id = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1, UploadIdMarker=ids["test_a"][0])
    assert [u["UploadId"] for u in only_id["Uploads"]] == [ids["test_a"][0]]  # ignored without KeyMarker
    last = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1, KeyMarker="test_c")
    assert "Uploads" not in last and last["NextKeyMarker"] == "" and last["IsTruncated"] is False
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.list_multipart_uploads(Bucket=bucket, KeyMarker="test_a", UploadIdMarker=ids["test_b"][0])
    error = _error(info)
    assert (error["Code"], error["Message"], error["status"]) == ("InvalidArgument", "Invalid uploadId marker", 400)
    assert error["ArgumentName"] == "upload-id-marker"


def test_list_multipart_uploads_common_prefix_page(s3, bucket):
    for key in ["folder/aSubfolder/subFile1", "folder/file1", "folder/file2"]:
        s3.create_multipart_upload(Bucket=bucket, Key=key)
    start = s3.list_multipart_uploads(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1)
    assert [p["Prefix"] for p in start["CommonPrefixes"]] == ["folder/aSubfolder/"]
    assert start["IsTruncated"] is True and start["NextKeyMarker"] == ""
    after = s3.list_multipart_uploads(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1,
                                      KeyMarker="folder/aSubfolder/")
    assert [u["Key"] for u in after["Uploads"]] == ["folder/file1"] and "CommonPrefixes" not in after
    assert after["NextKeyMarker"] == "folder/file1" and after["IsTruncated"] is True


# -- GET/HEAD partNumber ---------------------------------------------------------------------------


def test_part_number_of_an_object_uploaded_in_one_piece(s3, bucket):
    s3.put_object(Bucket=bucket, Key="one", Body=b"123456789")
    got = s3.get_object(Bucket=bucket, Key="one", PartNumber=1)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == "bytes 0-8/9" and got["ContentLength"] == 9
    assert "PartsCount" not in got
    assert got["Body"].read() == b"123456789"
    head = s3.head_object(Bucket=bucket, Key="one", PartNumber=1)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206 and "PartsCount" not in head
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="one", PartNumber=2)
    error = _error(info)
    assert (error["Code"], error["status"]) == ("InvalidPartNumber", 416)
    assert error["Message"] == "The requested partnumber is not satisfiable"


def test_part_number_of_a_multipart_object(s3, bucket):
    made = s3.create_multipart_upload(Bucket=bucket, Key="mp1")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp1", UploadId=made, PartNumber=1, Body=b"abc")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp1", UploadId=made,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    got = s3.get_object(Bucket=bucket, Key="mp1", PartNumber=1)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["PartsCount"] == 1 and got["ContentRange"] == "bytes 0-2/3"
    assert s3.head_object(Bucket=bucket, Key="mp1")["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_version_id_marker_needs_a_key_marker(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker=version)
    error = _error(info)
    assert (error["Code"], error["status"]) == ("InvalidArgument", 400)
    assert error["Message"] == "A version-id marker cannot be specified without a key marker."
    assert error["ArgumentName"] == "version-id-marker"
    start = s3.list_object_versions(Bucket=bucket, Prefix="", Delimiter="/", MaxKeys=0)
    assert start["IsTruncated"] is False


def test_empty_delimiter_is_not_echoed_and_url_encoding_of_keys(overcast_server, s3, bucket):
    for key in ["foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b", "test_file(3).png"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    for query in ("delimiter=", "list-type=2&delimiter=", "versions&delimiter=", "uploads&delimiter="):
        raw = httpx.get(f"{overcast_server.url}/{bucket}?{query}").text
        assert "<Delimiter>" not in raw and "<CommonPrefixes>" not in raw, query
    # as s3-tests records real S3: path-style percent-encoding, "/" kept, "+" and " " encoded
    raw = httpx.get(f"{overcast_server.url}/{bucket}?list-type=2&delimiter=/&encoding-type=url").text
    assert "<Key>asdf%2Bb</Key>" in raw and "<Key>test_file%283%29.png</Key>" in raw
    assert "<Delimiter>/</Delimiter>" in raw
    for prefix in ("foo%2B1/", "foo/", "quux%20ab/"):
        assert f"<CommonPrefixes><Prefix>{prefix}</Prefix></CommonPrefixes>" in raw
