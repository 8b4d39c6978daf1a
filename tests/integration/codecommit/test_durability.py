"""What a push or an API commit wrote survives SIGKILL of the server: branches, files, and a clone."""

from __future__ import annotations

import shutil

import pytest

from overcast.testing import OvercastServer
from tests.integration.codecommit.test_git_triggers import _git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the git binary is not installed")


def test_pushed_and_api_commits_survive_sigkill(tmp_path):
    with OvercastServer(tmp_path / "data", time_scale=0.01) as server:
        cc = server.client("codecommit")
        url = cc.create_repository(repositoryName="durable")["repositoryMetadata"]["cloneUrlHttp"]
        work = tmp_path / "work"
        work.mkdir()
        _git(work, "init", "-b", "main", "repo")
        repo = work / "repo"
        (repo / "a.txt").write_text("pushed\n")
        _git(repo, "add", "a.txt")
        _git(repo, "commit", "-m", "pushed")
        _git(repo, "push", url, "main")
        pushed = _git(repo, "rev-parse", "HEAD").strip()
        api = cc.put_file(repositoryName="durable", branchName="main", fileContent=b"api\n", filePath="b.txt",
                          parentCommitId=pushed)["commitId"]
        server.restart(crash=True)
        cc = server.client("codecommit")
        assert cc.get_branch(repositoryName="durable", branchName="main")["branch"]["commitId"] == api
        assert cc.get_file(repositoryName="durable", filePath="a.txt")["fileContent"] == b"pushed\n"
        _git(work, "clone", url, "again")
        log = _git(work / "again", "log", "--format=%H")
        assert log.split() == [api, pushed]
