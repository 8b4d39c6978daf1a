"""CodeCommit through boto3: repositories, branches, files and commits, differences, and AWS's
errors for each."""

from __future__ import annotations

import uuid

import botocore.exceptions
import pytest


def _name() -> str:
    return f"repo-{uuid.uuid4().hex[:10]}"


def _code(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def test_repository_lifecycle(overcast_server):
    cc = overcast_server.client("codecommit")
    name = _name()
    meta = cc.create_repository(repositoryName=name, repositoryDescription="demo")["repositoryMetadata"]
    assert meta["repositoryName"] == name and meta["repositoryDescription"] == "demo"
    assert meta["Arn"] == f"arn:aws:codecommit:us-east-1:000000000000:{name}"
    assert meta["cloneUrlHttp"].endswith(f"/_aws/codecommit/us-east-1/v1/repos/{name}")
    assert "defaultBranch" not in meta  # an empty repository has no default branch
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.create_repository(repositoryName=name)
    assert _code(info) == "RepositoryNameExistsException"
    listed = cc.get_paginator("list_repositories").paginate(sortBy="repositoryName").build_full_result()
    assert name in [r["repositoryName"] for r in listed["repositories"]]
    cc.tag_resource(resourceArn=meta["Arn"], tags={"team": "a", "env": "dev"})
    cc.untag_resource(resourceArn=meta["Arn"], tagKeys=["env"])
    assert cc.list_tags_for_resource(resourceArn=meta["Arn"])["tags"] == {"team": "a"}
    cc.update_repository_description(repositoryName=name, repositoryDescription="changed")
    assert cc.get_repository(repositoryName=name)["repositoryMetadata"]["repositoryDescription"] == "changed"
    renamed = _name()
    cc.update_repository_name(oldName=name, newName=renamed)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.get_repository(repositoryName=name)
    assert _code(info) == "RepositoryDoesNotExistException"
    assert cc.delete_repository(repositoryName=renamed)["repositoryId"] == meta["repositoryId"]
    assert "repositoryId" not in cc.delete_repository(repositoryName=renamed)  # AWS: empty for a missing one
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.create_repository(repositoryName="bad name!")
    assert _code(info) == "InvalidRepositoryNameException"


def test_files_commits_branches_and_differences(overcast_server):
    cc = overcast_server.client("codecommit")
    name = _name()
    cc.create_repository(repositoryName=name)
    first = cc.put_file(repositoryName=name, branchName="main", fileContent=b"hello\n", filePath="README.md",
                        commitMessage="first", name="Ann", email="ann@example.com")
    assert cc.get_repository(repositoryName=name)["repositoryMetadata"]["defaultBranch"] == "main"
    assert cc.get_branch(repositoryName=name, branchName="main")["branch"]["commitId"] == first["commitId"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.put_file(repositoryName=name, branchName="main", fileContent=b"x", filePath="a.txt")
    assert _code(info) == "ParentCommitIdRequiredException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.put_file(repositoryName=name, branchName="main", fileContent=b"hello\n", filePath="README.md",
                    parentCommitId=first["commitId"])
    assert _code(info) == "SameFileContentException"
    for path, content, code in (("../up.txt", b"x", "InvalidPathException"), (".git/config", b"x", "InvalidPathException"),
                                ("empty.txt", b"", "FileContentRequiredException")):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            cc.put_file(repositoryName=name, branchName="main", fileContent=content, filePath=path,
                        parentCommitId=first["commitId"])
        assert _code(info) == code
    second = cc.create_commit(repositoryName=name, branchName="main", parentCommitId=first["commitId"],
                              authorName="Ann", email="ann@example.com", commitMessage="second",
                              putFiles=[{"filePath": "src/app.py", "fileContent": b"print(1)\n",
                                         "fileMode": "EXECUTABLE"},
                                        {"filePath": "README.md", "fileContent": b"hello again\n"}])
    assert [f["absolutePath"] for f in second["filesAdded"]] == ["src/app.py"]
    assert [f["absolutePath"] for f in second["filesUpdated"]] == ["README.md"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.put_file(repositoryName=name, branchName="main", fileContent=b"y", filePath="b.txt",
                    parentCommitId=first["commitId"])
    assert _code(info) == "ParentCommitIdOutdatedException"

    got = cc.get_file(repositoryName=name, filePath="src/app.py")
    assert got["fileContent"] == b"print(1)\n" and got["fileMode"] == "EXECUTABLE"
    assert got["commitId"] == second["commitId"]
    old = cc.get_file(repositoryName=name, filePath="README.md", commitSpecifier=first["commitId"])
    assert old["fileContent"] == b"hello\n"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.get_file(repositoryName=name, filePath="nope.txt")
    assert _code(info) == "FileDoesNotExistException"
    folder = cc.get_folder(repositoryName=name, folderPath="/")
    assert [f["relativePath"] for f in folder["files"]] == ["README.md"]
    assert [f["absolutePath"] for f in folder["subFolders"]] == ["src"]

    diff = cc.get_differences(repositoryName=name, beforeCommitSpecifier=first["commitId"],
                              afterCommitSpecifier=second["commitId"])["differences"]
    assert sorted((d["changeType"], (d.get("afterBlob") or d["beforeBlob"])["path"]) for d in diff) == [
        ("A", "src/app.py"), ("M", "README.md")]
    first_page = cc.get_differences(repositoryName=name, beforeCommitSpecifier=first["commitId"],
                                    afterCommitSpecifier=second["commitId"], MaxResults=1)
    rest = cc.get_differences(repositoryName=name, beforeCommitSpecifier=first["commitId"],
                              afterCommitSpecifier=second["commitId"], NextToken=first_page["NextToken"])
    assert len(first_page["differences"]) == len(rest["differences"]) == 1 and "NextToken" not in rest
    assert first_page["differences"] + rest["differences"] == diff
    everything = cc.get_differences(repositoryName=name, afterCommitSpecifier=first["commitId"])["differences"]
    assert [(d["changeType"], d["afterBlob"]["path"], d["afterBlob"]["mode"]) for d in everything] == [
        ("A", "README.md", "100644")]
    commit = cc.get_commit(repositoryName=name, commitId=second["commitId"])["commit"]
    assert commit["parents"] == [first["commitId"]] and commit["message"] == "second"
    assert commit["author"]["name"] == "Ann" and commit["author"]["email"] == "ann@example.com"

    cc.create_branch(repositoryName=name, branchName="feature", commitId=first["commitId"])
    assert sorted(cc.list_branches(repositoryName=name)["branches"]) == ["feature", "main"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.create_branch(repositoryName=name, branchName="feature", commitId=first["commitId"])
    assert _code(info) == "BranchNameExistsException"
    deleted = cc.delete_branch(repositoryName=name, branchName="feature")["deletedBranch"]
    assert deleted == {"branchName": "feature", "commitId": first["commitId"]}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.get_branch(repositoryName=name, branchName="feature")
    assert _code(info) == "BranchDoesNotExistException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.get_file(repositoryName=_name(), filePath="README.md")
    assert _code(info) == "RepositoryDoesNotExistException"


def test_names_and_regions(overcast_server):
    """Repositories are per region; a name CodeCommit cannot take is refused on every operation with
    AWS's message."""
    name = _name()
    eu = overcast_server.client("codecommit", region_name="eu-central-1")
    meta = eu.create_repository(repositoryName=name)["repositoryMetadata"]
    assert meta["Arn"] == f"arn:aws:codecommit:eu-central-1:000000000000:{name}"
    assert meta["cloneUrlSsh"] == f"ssh://git-codecommit.eu-central-1.amazonaws.com/v1/repos/{name}"
    assert "repositoryDescription" not in meta
    us = overcast_server.client("codecommit")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        us.get_repository(repositoryName=name)
    assert _code(info) == "RepositoryDoesNotExistException"
    assert info.value.response["Error"]["Message"] == f"{name} does not exist"
    for call in (lambda: us.get_repository(repositoryName="bad-@#"), lambda: us.delete_repository(
            repositoryName="_rep@ository")):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call()
        assert _code(info) == "InvalidRepositoryNameException"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert info.value.response["Error"]["Message"].startswith("The repository name is not valid.")


def test_fast_forward_merge(overcast_server):
    cc = overcast_server.client("codecommit")
    name = _name()
    cc.create_repository(repositoryName=name)
    base = cc.put_file(repositoryName=name, branchName="main", fileContent=b"1", filePath="f")["commitId"]
    cc.create_branch(repositoryName=name, branchName="feature", commitId=base)
    ahead = cc.put_file(repositoryName=name, branchName="feature", fileContent=b"2", filePath="f",
                        parentCommitId=base)["commitId"]
    merged = cc.merge_branches_by_fast_forward(repositoryName=name, sourceCommitSpecifier="feature",
                                               destinationCommitSpecifier="main")
    assert merged["commitId"] == ahead
    assert cc.get_branch(repositoryName=name, branchName="main")["branch"]["commitId"] == ahead
    # main moves on; feature is now behind and diverged: no fast-forward is possible
    cc.put_file(repositoryName=name, branchName="main", fileContent=b"3", filePath="g", parentCommitId=ahead)
    cc.put_file(repositoryName=name, branchName="feature", fileContent=b"4", filePath="h", parentCommitId=ahead)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cc.merge_branches_by_fast_forward(repositoryName=name, sourceCommitSpecifier="feature",
                                          destinationCommitSpecifier="main")
    assert _code(info) == "ManualMergeRequiredException"
