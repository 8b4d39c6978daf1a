"""AWS::CodeCommit::Repository: the repository, its initial code from an S3 zip, its triggers, and
what Ref and Fn::GetAtt give."""

from __future__ import annotations

import uuid

from overcast.testing import wait_until, zip_files
from tests.integration.cloudformation.helpers import check, create, outputs


def test_repository_with_code_and_triggers(overcast_server):
    cf, s3, cc, sns = (overcast_server.client(s) for s in ("cloudformation", "s3", "codecommit", "sns"))
    bucket, name = f"cc-{uuid.uuid4().hex[:10]}", f"repo-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="code.zip", Body=zip_files({"README.md": "# hi\n", "src/run.sh": "echo\n"},
                                                                 executables=("src/run.sh",)))
    topic = sns.create_topic(Name=f"cc-{uuid.uuid4().hex[:8]}")["TopicArn"]
    stack = check(cf, create(cf, {
        "Resources": {"Repo": {"Type": "AWS::CodeCommit::Repository", "Properties": {
            "RepositoryName": name, "RepositoryDescription": "from a stack",
            "Code": {"S3": {"Bucket": bucket, "Key": "code.zip"}, "BranchName": "trunk"},
            "Triggers": [{"Name": "all", "DestinationArn": topic, "Events": ["all"], "Branches": []}]}}},
        "Outputs": {"Id": {"Value": {"Ref": "Repo"}}, "Arn": {"Value": {"Fn::GetAtt": ["Repo", "Arn"]}},
                    "Url": {"Value": {"Fn::GetAtt": ["Repo", "CloneUrlHttp"]}}},
    }))
    meta = cc.get_repository(repositoryName=name)["repositoryMetadata"]
    assert outputs(stack) == {"Id": meta["repositoryId"], "Arn": meta["Arn"], "Url": meta["cloneUrlHttp"]}
    assert meta["defaultBranch"] == "trunk" and meta["repositoryDescription"] == "from a stack"
    assert cc.get_file(repositoryName=name, filePath="README.md")["fileContent"] == b"# hi\n"
    assert cc.get_file(repositoryName=name, filePath="src/run.sh")["fileMode"] == "EXECUTABLE"
    [trigger] = cc.get_repository_triggers(repositoryName=name)["triggers"]
    assert trigger["destinationArn"] == topic and trigger["events"] == ["all"]
    cf.delete_stack(StackName=stack["StackId"])
    wait_until(lambda: name not in [r["repositoryName"] for r in cc.list_repositories()["repositories"]], 60,
               "the repository deleted with its stack")
