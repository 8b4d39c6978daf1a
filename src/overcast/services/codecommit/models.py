"""CodeCommit's state: repositories' metadata and triggers in SQLite, their objects in a bare git
repository each under the data dir (`files/codecommit/<repositoryId>`). A repository lock serialises
writes to one repository's refs (API commits and `git push`)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overcast import arns
from overcast.services.codecommit.errors import error, repository_missing

if TYPE_CHECKING:
    from dulwich.repo import Repo

    from overcast.platform import Platform

#: AWS: letters, digits, `.`, `_`, `-`; 1-100 characters; not ending in `.git`.
NAME = re.compile(r"^[\w.-]{1,100}$")
GIT_PREFIX = "/_aws/codecommit/"


def clone_url(endpoint: str, region: str, name: str) -> str:
    """The repository's HTTP clone URL on overcast (AWS's is
    `https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>`)."""
    return f"{endpoint.rstrip('/')}{GIT_PREFIX}{region}/v1/repos/{name}"


def check_name(name: str | None) -> str:
    if not name:
        raise error("RepositoryNameRequiredException", "A repository name is required.")
    if not NAME.match(name) or name.endswith(".git"):
        raise error("InvalidRepositoryNameException",
                    "The repository name is not valid. Repository names can be any valid combination of letters, "
                    "numbers, periods, underscores, and dashes between 1 and 100 characters in length. Names are case "
                    "sensitive. For more information, see Limits in the AWS CodeCommit User Guide. ")
    return name


class Repositories:
    """The repositories of every account and region (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.root = Path(platform.files_dir) / "codecommit"
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, repository_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(repository_id, threading.Lock())

    def get(self, account: str, region: str, name: str | None) -> dict[str, Any]:
        check_name(name)
        row = self.db.query_one("SELECT doc FROM codecommit_repositories WHERE account=? AND region=? AND name=?",
                                (account, region, name))
        if row is None:
            raise repository_missing(str(name))
        return dict(json.loads(row["doc"]))

    def find(self, region: str | None, name: str) -> dict[str, Any] | None:
        """A repository by name, in `region` (None: any) and any account (the git route carries no
        account)."""
        row = self.db.query_one("SELECT doc FROM codecommit_repositories WHERE (region=? OR ? IS NULL) AND name=? "
                                "ORDER BY account, region LIMIT 1", (region, region, name))
        return dict(json.loads(row["doc"])) if row else None

    def refresh(self, doc: dict[str, Any]) -> dict[str, Any]:
        """`doc` updated in place to what is stored now (another request may have changed its triggers)."""
        row = self.db.query_one("SELECT doc FROM codecommit_repositories WHERE id=?", (doc["repositoryId"],))
        if row is not None:
            doc.update(json.loads(row["doc"]))
        return doc

    def create(self, account: str, region: str, name: str, description: str | None, endpoint: str,
               tags: dict[str, str] | None, kms_key_id: str | None) -> dict[str, Any]:
        check_name(name)
        if self.db.query_one("SELECT 1 FROM codecommit_repositories WHERE account=? AND region=? AND name=?",
                             (account, region, name)):
            raise error("RepositoryNameExistsException", f"Repository named {name} already exists")
        now = self.platform.clock.now()
        doc: dict[str, Any] = {
            "accountId": account, "repositoryId": str(uuid.uuid4()), "repositoryName": name,
            "lastModifiedDate": now, "creationDate": now,
            "cloneUrlHttp": clone_url(endpoint, region, name),
            "cloneUrlSsh": f"ssh://git-codecommit.{region}.amazonaws.com/v1/repos/{name}",
            "Arn": arns.build("codecommit", region, account, name),
            "kmsKeyId": kms_key_id or f"arn:aws:kms:{region}:{account}:alias/aws/codecommit",
            "region": region, "tags": tags or {}, "triggers": [], "configurationId": "",
        }
        if description:
            doc["repositoryDescription"] = description
        self.repo(doc)
        self.db.execute("INSERT INTO codecommit_repositories(account, region, name, id, doc) VALUES (?, ?, ?, ?, ?)",
                        (account, region, name, doc["repositoryId"], json.dumps(doc)))
        return doc

    def save(self, doc: dict[str, Any]) -> None:
        """Write a repository's document back (its name may have changed; its id does not)."""
        self.db.execute("UPDATE codecommit_repositories SET name=?, doc=? WHERE id=?",
                        (doc["repositoryName"], json.dumps(doc), doc["repositoryId"]))

    def delete(self, doc: dict[str, Any]) -> None:
        import shutil

        self.db.execute("DELETE FROM codecommit_repositories WHERE id=?", (doc["repositoryId"],))
        shutil.rmtree(self.root / doc["repositoryId"], ignore_errors=True)

    def list(self, account: str, region: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM codecommit_repositories WHERE account=? AND region=?",
                             (account, region))
        return [json.loads(r["doc"]) for r in rows]

    def repo(self, doc: dict[str, Any]) -> Repo:
        from overcast.services.codecommit.gitstore import open_repo

        return open_repo(self.root / doc["repositoryId"])

    @staticmethod
    def metadata(doc: dict[str, Any]) -> dict[str, Any]:
        """CodeCommit's `RepositoryMetadata`."""
        keys = ("accountId", "repositoryId", "repositoryName", "repositoryDescription", "defaultBranch",
                "lastModifiedDate", "creationDate", "cloneUrlHttp", "cloneUrlSsh", "Arn", "kmsKeyId")
        return {k: doc[k] for k in keys if k in doc}
