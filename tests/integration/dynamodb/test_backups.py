"""On-demand backups and restores, point-in-time recovery, resource policies and contributor
insights with boto3, against AWS's documented shapes and errors."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from overcast.testing import wait_until
from tests.integration.dynamodb.helpers import error_of, unique

KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}


@pytest.fixture
def table(make_table, ddb):
    name = make_table(extra_attributes={"g": "S"}, GlobalSecondaryIndexes=[{
        "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    ddb.put_item(TableName=name, Item={**KEY, "g": {"S": "x"}, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"S": "1"}, "g": {"S": "x"}})
    return name


@pytest.fixture
def cleanup(ddb):
    names: list[str] = []
    yield names
    for name in names:
        try:
            ddb.delete_table(TableName=name)
        except ddb.exceptions.ResourceNotFoundException:
            pass


def test_backup_and_restore(ddb, table, cleanup):
    details = ddb.create_backup(TableName=table, BackupName="nightly")["BackupDetails"]
    arn = details["BackupArn"]
    assert re.fullmatch(rf"arn:aws:dynamodb:us-east-1:\d{{12}}:table/{table}/backup/\d{{13}}-[0-9a-f]{{8}}", arn)
    assert (details["BackupName"], details["BackupType"], details["BackupStatus"]) == ("nightly", "USER", "CREATING")
    ddb.put_item(TableName=table, Item={**KEY, "v": {"N": "2"}})  # after the backup: not restored
    described = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["SourceTableDetails"]["TableName"] == table
    assert described["SourceTableDetails"]["ItemCount"] == 2
    assert described["SourceTableFeatureDetails"]["GlobalSecondaryIndexes"][0]["IndexName"] == "by-g"
    summaries = ddb.list_backups(TableName=table)["BackupSummaries"]
    assert [s["BackupArn"] for s in summaries] == [arn]

    target = unique("restored")
    cleanup.append(target)
    restored = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert restored["TableName"] == target and restored["TableStatus"] == "CREATING"
    assert restored["RestoreSummary"]["SourceBackupArn"] == arn
    assert restored["RestoreSummary"]["RestoreInProgress"] is True
    assert ddb.get_item(TableName=target, Key=KEY)["Item"]["v"] == {"N": "1"}
    index = ddb.query(TableName=target, IndexName="by-g", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "x"}})
    assert index["Count"] == 2
    assert error_of(ddb.restore_table_from_backup, TargetTableName=target, BackupArn=arn) == (
        "TableAlreadyExistsException", f"Table already exists: {target}")

    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    assert error_of(ddb.describe_backup, BackupArn=arn) == ("BackupNotFoundException", f"Backup not found for arn: {arn}")
    assert error_of(ddb.create_backup, TableName="no-such-table", BackupName="bak")[0] == "ResourceNotFoundException"


def test_point_in_time_recovery(ddb, table, cleanup):
    off = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert off == {"ContinuousBackupsStatus": "ENABLED",
                   "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    assert error_of(ddb.describe_continuous_backups, TableName="no-such-table") == (
        "TableNotFoundException", "Table not found: no-such-table")
    target = unique("pitr")
    cleanup.append(target)
    assert error_of(ddb.restore_table_to_point_in_time, SourceTableName=table, TargetTableName=target,
                    UseLatestRestorableTime=True) == (
        "PointInTimeRecoveryUnavailableException", f"Point in time recovery is not enabled for table '{table}'")
    on = ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert on["PointInTimeRecoveryStatus"] == "ENABLED" and on["RecoveryPeriodInDays"] == 35
    assert on["EarliestRestorableDateTime"] <= on["LatestRestorableDateTime"]
    restored = ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=target,
                                                  UseLatestRestorableTime=True)["TableDescription"]
    assert restored["RestoreSummary"]["SourceTableArn"].endswith(f":table/{table}")
    assert ddb.scan(TableName=target)["Count"] == 2


def test_resource_policies(ddb, table):
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    assert error_of(ddb.get_resource_policy, ResourceArn=arn) == (
        "PolicyNotFoundException", f"Resource-based policy not found for the provided ResourceArn: {arn}")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "dynamodb:GetItem",
        "Resource": arn}]})
    revision = ddb.put_resource_policy(ResourceArn=arn, Policy=policy)["RevisionId"]
    assert revision.isdigit()
    got = ddb.get_resource_policy(ResourceArn=arn)
    assert (got["Policy"], got["RevisionId"]) == (policy, revision)
    assert error_of(ddb.put_resource_policy, ResourceArn=arn, Policy=policy, ExpectedRevisionId="1")[0] == \
        "PolicyNotFoundException"
    ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=revision)
    assert error_of(ddb.get_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"


def test_contributor_insights(ddb, table):
    assert ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"] == "DISABLED"
    updated = ddb.update_contributor_insights(TableName=table, ContributorInsightsAction="ENABLE")
    assert updated["ContributorInsightsStatus"] == "ENABLING"
    assert ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"] == "ENABLED"
    assert error_of(ddb.describe_contributor_insights, TableName="no-such-table")[0] == "ResourceNotFoundException"


def test_export_to_s3(overcast_server, ddb, table):
    import gzip

    from overcast.testing import wait_until

    s3 = overcast_server.client("s3")
    bucket = unique("exports")
    s3.create_bucket(Bucket=bucket)
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    assert error_of(ddb.export_table_to_point_in_time, TableArn=arn, S3Bucket=bucket)[0] == \
        "PointInTimeRecoveryUnavailableException"
    ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3Prefix="exp")["ExportDescription"]
    assert started["ExportStatus"] == "IN_PROGRESS" and started["ExportFormat"] == "DYNAMODB_JSON"
    export_arn = started["ExportArn"]
    assert re.fullmatch(rf"{re.escape(arn)}/export/\d{{14}}-[0-9a-f]{{8}}", export_arn)
    described = ddb.describe_export(ExportArn=export_arn)["ExportDescription"]
    assert described["ExportStatus"] == "COMPLETED" and described["ItemCount"] == 2
    manifest = described["ExportManifest"]
    wait_until(lambda: any(o["Key"] == manifest for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])),
               timeout=30)
    summary = json.loads(s3.get_object(Bucket=bucket, Key=manifest)["Body"].read())
    assert summary["exportArn"] == export_arn and summary["itemCount"] == 2
    files = json.loads(s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"].read())
    data = gzip.decompress(s3.get_object(Bucket=bucket, Key=files["dataFileS3Key"])["Body"].read()).decode()
    items = [json.loads(line)["Item"] for line in data.splitlines()]
    assert sorted(i["pk"]["S"] for i in items) == ["a", "b"]
    assert ddb.list_exports(TableArn=arn)["ExportSummaries"] == [
        {"ExportArn": export_arn, "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"}]
    assert error_of(ddb.describe_export, ExportArn=export_arn + "x")[0] == "ExportNotFoundException"


def test_import_from_s3(overcast_server, ddb, cleanup):
    import gzip

    s3 = overcast_server.client("s3")
    bucket = unique("imports")
    s3.create_bucket(Bucket=bucket)
    lines = [json.dumps({"Item": {"pk": {"S": f"k{i}"}, "n": {"N": str(i)}}}) for i in range(3)] + ["not json"]
    s3.put_object(Bucket=bucket, Key="in/part-1.json.gz", Body=gzip.compress("\n".join(lines).encode()))
    s3.put_object(Bucket=bucket, Key="in/part-2.json.gz", Body=gzip.compress(lines[0].encode()))
    s3.put_object(Bucket=bucket, Key="elsewhere.json.gz", Body=gzip.compress(lines[1].encode()))
    target = unique("imported")
    cleanup.append(target)
    started = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"}, InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP", TableCreationParameters={
            "TableName": target, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})["ImportTableDescription"]
    assert started["ImportStatus"] == "IN_PROGRESS" and started["TableArn"].endswith(f":table/{target}")
    assert re.fullmatch(rf"{re.escape(started['TableArn'])}/import/\d{{14}}-[0-9a-f]{{8}}", started["ImportArn"])
    described = ddb.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"]
    assert (described["ImportStatus"], described["ImportedItemCount"], described["ErrorCount"]) == ("COMPLETED", 3, 1)
    assert ddb.get_item(TableName=target, Key={"pk": {"S": "k2"}})["Item"]["n"] == {"N": "2"}
    assert ddb.scan(TableName=target)["Count"] == 3
    listed = ddb.list_imports(TableArn=started["TableArn"])["ImportSummaryList"]
    assert [i["ImportArn"] for i in listed] == [started["ImportArn"]]

    csv_table = unique("csv")
    cleanup.append(csv_table)
    s3.put_object(Bucket=bucket, Key="csv/a.csv", Body=b"id,name,score\n1,ann,7\n2,bob,9\n")
    ddb.import_table(S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "csv/"}, InputFormat="CSV",
                     TableCreationParameters={
                         "TableName": csv_table, "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
                         "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]})
    assert ddb.get_item(TableName=csv_table, Key={"id": {"N": "2"}})["Item"] == {
        "id": {"N": "2"}, "name": {"S": "bob"}, "score": {"S": "9"}}


def _latest(ddb, table: str):
    return ddb.describe_continuous_backups(TableName=table)[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"]


def _items(ddb, table: str) -> dict[str, dict]:
    return {i["pk"]["S"]: i for i in ddb.scan(TableName=table)["Items"]}


def test_point_in_time_restore_sees_the_table_as_it_was(ddb, table, cleanup):
    on = ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    earliest = on["EarliestRestorableDateTime"]
    before = _items(ddb, table)
    wait_until(lambda: _latest(ddb, table) > earliest, 10, "the platform clock to move")
    then = _latest(ddb, table)
    wait_until(lambda: _latest(ddb, table) > then, 10, "the platform clock to move")
    ddb.update_item(TableName=table, Key=KEY, UpdateExpression="SET v = :v", ExpressionAttributeValues={
        ":v": {"N": "2"}})
    ddb.delete_item(TableName=table, Key={"pk": {"S": "b"}, "sk": {"S": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "c"}, "sk": {"S": "1"}, "g": {"S": "y"}})
    ddb.update_item(TableName=table, Key=KEY, UpdateExpression="SET v = :v", ExpressionAttributeValues={
        ":v": {"N": "3"}})
    old, latest = unique("pitr-old"), unique("pitr-new")
    cleanup.extend([old, latest])
    restored = ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=old,
                                                  RestoreDateTime=then)["TableDescription"]
    assert restored["RestoreSummary"]["RestoreDateTime"] == then
    assert _items(ddb, old) == before
    assert ddb.query(TableName=old, IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "x"}})["Count"] == 2
    ddb.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=latest, UseLatestRestorableTime=True)
    now = _items(ddb, latest)
    assert sorted(now) == ["a", "c"] and now["a"]["v"] == {"N": "3"}
    code, message = error_of(ddb.restore_table_to_point_in_time, SourceTableName=table, TargetTableName=unique("x"),
                             RestoreDateTime=earliest - dt.timedelta(hours=1))
    assert code == "InvalidRestoreTimeException"
    assert "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime" in message
    # disabling PITR drops the history; enabling again starts it afresh
    ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})
    again = ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert again["EarliestRestorableDateTime"] > then


def test_export_at_an_earlier_export_time(overcast_server, ddb, table):
    import gzip

    s3 = overcast_server.client("s3")
    bucket = unique("exports")
    s3.create_bucket(Bucket=bucket)
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    on = ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    wait_until(lambda: _latest(ddb, table) > on["EarliestRestorableDateTime"], 10, "the platform clock to move")
    then = _latest(ddb, table)
    wait_until(lambda: _latest(ddb, table) > then, 10, "the platform clock to move")
    ddb.delete_item(TableName=table, Key={"pk": {"S": "b"}, "sk": {"S": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "z"}, "sk": {"S": "1"}})
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ExportTime=then)["ExportDescription"]
    assert started["ExportTime"] == then
    described = ddb.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
    assert described["ItemCount"] == 2
    manifest = described["ExportManifest"]
    wait_until(lambda: any(o["Key"] == manifest for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])),
               timeout=30)
    files = json.loads(s3.get_object(Bucket=bucket, Key=json.loads(s3.get_object(
        Bucket=bucket, Key=manifest)["Body"].read())["manifestFilesS3Key"])["Body"].read())
    data = gzip.decompress(s3.get_object(Bucket=bucket, Key=files["dataFileS3Key"])["Body"].read()).decode()
    assert sorted(json.loads(line)["Item"]["pk"]["S"] for line in data.splitlines()) == ["a", "b"]
    code, _ = error_of(ddb.export_table_to_point_in_time, TableArn=arn, S3Bucket=bucket,
                       ExportTime=on["EarliestRestorableDateTime"] - dt.timedelta(days=1))
    assert code == "InvalidExportTimeException"
