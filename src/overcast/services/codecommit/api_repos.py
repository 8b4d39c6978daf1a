"""Repositories and branches: Create/Get/List/Delete/UpdateRepositoryName/Description,
Create/Get/List/DeleteBranch, UpdateDefaultBranch, MergeBranchesByFastForward."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.codecommit.api_base import ApiBase
from overcast.services.codecommit.errors import branch_missing, error, page, repository_missing
from overcast.services.codecommit.gitstore import branches, resolve, set_head
from overcast.services.codecommit.models import Repositories, check_name, clone_url
from overcast.services.codecommit.triggers import RefChange


def _check_branch(name: str | None) -> str:
    if not name:
        raise error("BranchNameRequiredException", "A branch name is required.")
    return name


class RepositoryOperations(ApiBase):
    def create_repository(self, ctx: RequestContext, repository_name: str,
                          repository_description: str | None = None, tags: dict[str, str] | None = None,
                          kms_key_id: str | None = None) -> dict[str, Any]:
        if repository_description is not None and len(repository_description) > 1000:
            raise error("InvalidRepositoryDescriptionException", "The specified repository description is not "
                        "valid. Valid repository descriptions can be between 0 and 1000 characters.")
        doc = self.store.create(ctx.account, ctx.region, repository_name, repository_description, ctx.endpoint,
                                tags, kms_key_id)
        return {"repositoryMetadata": Repositories.metadata(doc)}

    def get_repository(self, ctx: RequestContext, repository_name: str) -> dict[str, Any]:
        return {"repositoryMetadata": Repositories.metadata(self._repo(ctx, repository_name))}

    def batch_get_repositories(self, ctx: RequestContext, repository_names: list[str]) -> dict[str, Any]:
        found, missing = [], []
        for name in repository_names:
            try:
                found.append(Repositories.metadata(self._repo(ctx, name)))
            except Exception:
                missing.append(name)
        return {"repositories": found, "repositoriesNotFound": missing, "errors": []}

    def list_repositories(self, ctx: RequestContext, sort_by: str | None = None, order: str | None = None,
                          next_token: str | None = None) -> dict[str, Any]:
        """Up to 1,000 repositories a page, by name (or last modification), as AWS pages them."""
        docs = self.store.list(ctx.account, ctx.region)
        if sort_by == "lastModifiedDate":
            docs.sort(key=lambda d: d["lastModifiedDate"])
        else:
            docs.sort(key=lambda d: d["repositoryName"])
        if order == "descending":
            docs.reverse()
        docs, token = page(docs, next_token, 1000)
        return {"repositories": [{"repositoryName": d["repositoryName"], "repositoryId": d["repositoryId"]}
                                 for d in docs], **({"nextToken": token} if token else {})}

    def delete_repository(self, ctx: RequestContext, repository_name: str) -> dict[str, Any]:
        """AWS answers an empty result (no id) for a repository that does not exist."""
        check_name(repository_name)
        try:
            doc = self._repo(ctx, repository_name)
        except Exception:
            return {}
        self.store.delete(doc)
        return {"repositoryId": doc["repositoryId"]}

    def update_repository_description(self, ctx: RequestContext, repository_name: str,
                                      repository_description: str | None = None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        doc["repositoryDescription"] = repository_description or ""
        doc["lastModifiedDate"] = self.platform.clock.now()
        self.store.save(doc)
        return {}

    def update_repository_name(self, ctx: RequestContext, old_name: str, new_name: str) -> dict[str, Any]:
        doc = self._repo(ctx, old_name)
        check_name(new_name)
        if new_name != old_name and any(d["repositoryName"] == new_name
                                        for d in self.store.list(ctx.account, ctx.region)):
            raise error("RepositoryNameExistsException", f"Repository named {new_name} already exists")
        doc["repositoryName"] = new_name
        doc["cloneUrlHttp"] = clone_url(doc["cloneUrlHttp"].split("/_aws/", 1)[0], ctx.region, new_name)
        doc["cloneUrlSsh"] = f"ssh://git-codecommit.{ctx.region}.amazonaws.com/v1/repos/{new_name}"
        doc["Arn"] = doc["Arn"].rsplit(":", 1)[0] + ":" + new_name
        doc["lastModifiedDate"] = self.platform.clock.now()
        self.store.save(doc)
        return {}


class BranchOperations(ApiBase):
    def create_branch(self, ctx: RequestContext, repository_name: str, branch_name: str,
                      commit_id: str) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        _check_branch(branch_name)
        if not commit_id:
            raise error("CommitIdRequiredException", "A commit ID is required.")
        with self.store.lock(doc["repositoryId"]):
            repo = self.store.repo(doc)
            if branch_name in branches(repo):
                raise error("BranchNameExistsException", f"Branch with name {branch_name} already exists")
            target = resolve(repo, commit_id, None)
            self._move(ctx, doc, [RefChange(f"refs/heads/{branch_name}", None, target.id.decode())])
        return {}

    def get_branch(self, ctx: RequestContext, repository_name: str | None = None,
                   branch_name: str | None = None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        name = _check_branch(branch_name)
        head = branches(self.store.repo(doc)).get(name)
        if head is None:
            raise branch_missing(name)
        return {"branch": {"branchName": name, "commitId": head}}

    def list_branches(self, ctx: RequestContext, repository_name: str,
                      next_token: str | None = None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        names, token = page(sorted(branches(self.store.repo(doc))), next_token, 100)
        return {"branches": names, **({"nextToken": token} if token else {})}

    def delete_branch(self, ctx: RequestContext, repository_name: str, branch_name: str) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        _check_branch(branch_name)
        if branch_name == doc.get("defaultBranch"):
            raise error("DefaultBranchCannotBeDeletedException", "The default branch cannot be deleted.")
        with self.store.lock(doc["repositoryId"]):
            head = branches(self.store.repo(doc)).get(branch_name)
            if head is None:  # AWS answers an empty result for a branch that does not exist
                return {}
            self._move(ctx, doc, [RefChange(f"refs/heads/{branch_name}", head, None)])
        return {"deletedBranch": {"branchName": branch_name, "commitId": head}}

    def update_default_branch(self, ctx: RequestContext, repository_name: str,
                              default_branch_name: str) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        repo = self.store.repo(doc)
        if default_branch_name not in branches(repo):
            raise branch_missing(default_branch_name)
        doc["defaultBranch"] = default_branch_name
        set_head(repo, f"refs/heads/{default_branch_name}")
        self.store.save(doc)
        return {}


__all__ = ["BranchOperations", "RepositoryOperations", "repository_missing"]
