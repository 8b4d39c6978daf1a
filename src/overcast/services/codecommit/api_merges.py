"""Merging branches beyond fast-forward: MergeBranchesBySquash, MergeBranchesByThreeWay,
CreateUnreferencedMergeCommit, GetMergeOptions, GetMergeConflicts, GetMergeCommit. A squash merge
is one commit on the destination with the merged tree; a three-way merge a commit whose parents
are the destination and the source. Conflicts stop the merge (`ManualMergeRequiredException`)
unless a `conflictResolutionStrategy` settles them."""

from __future__ import annotations

from typing import Any

from dulwich.objects import Commit
from dulwich.repo import Repo

from overcast.context import RequestContext
from overcast.services.codecommit.api_base import ApiBase
from overcast.services.codecommit.errors import branch_missing, error
from overcast.services.codecommit.gitstore import branches, resolve
from overcast.services.codecommit.merging import fast_forwardable, merge, merge_base, options, write_commit
from overcast.services.codecommit.triggers import RefChange

_MANUAL = ("The pull request cannot be merged automatically into the destination branch. You must manually merge "
           "the branches and resolve any conflicts.")


def _option(value: str) -> str:
    if value not in ("FAST_FORWARD_MERGE", "SQUASH_MERGE", "THREE_WAY_MERGE"):
        raise error("InvalidMergeOptionException", "The specified merge option is not valid for this operation. "
                    "Not all merge strategies are supported for all operations.")
    return value


class MergeOperations(ApiBase):
    def merged_commit(self, repo: Repo, source: Commit, destination: Commit, option: str, strategy: str | None,
                      message: str | None, name: str | None, email: str | None) -> Commit:
        """The commit a merge makes (not yet on a branch); a fast-forward is the source itself."""
        if option == "FAST_FORWARD_MERGE":
            if not fast_forwardable(repo, source, destination):
                raise error("ManualMergeRequiredException", _MANUAL)
            return source
        result = merge(repo, source, destination, strategy)
        if result.conflicts:
            raise error("ManualMergeRequiredException", _MANUAL)
        parents = [destination.id] if option == "SQUASH_MERGE" else [destination.id, source.id]
        default = (f"Merged {source.id.decode()[:7]} into {destination.id.decode()[:7]}" if option != "SQUASH_MERGE"
                   else f"Squashed {source.id.decode()[:7]} into {destination.id.decode()[:7]}")
        return write_commit(repo, result.tree_id, parents, message=message or default, name=name or "overcast",
                            email=email or "", when=int(self.platform.clock.now()))

    def _merge_branches(self, ctx: RequestContext, option: str, repository_name: str, source_commit_specifier: str,
                        destination_commit_specifier: str, target_branch: str | None, strategy: str | None,
                        message: str | None, name: str | None, email: str | None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        with self.store.lock(doc["repositoryId"]):
            repo = self.store.repo(doc)
            source = resolve(repo, source_commit_specifier, None)
            destination = resolve(repo, destination_commit_specifier, None)
            branch = target_branch or destination_commit_specifier
            heads = branches(repo)
            if branch not in heads:
                raise branch_missing(branch)
            new = self.merged_commit(repo, source, destination, option, strategy, message, name, email)
            if heads[branch] != new.id.decode():
                self._move(ctx, doc, [RefChange(f"refs/heads/{branch}", heads[branch], new.id.decode())])
        return {"commitId": new.id.decode(), "treeId": new.tree.decode()}

    def merge_branches_by_fast_forward(self, ctx: RequestContext, repository_name: str,
                                       source_commit_specifier: str, destination_commit_specifier: str,
                                       target_branch: str | None = None) -> dict[str, Any]:
        """A fast-forward of the target (default: the destination) branch to the source commit."""
        return self._merge_branches(ctx, "FAST_FORWARD_MERGE", repository_name, source_commit_specifier,
                                    destination_commit_specifier, target_branch, None, None, None, None)

    def merge_branches_by_squash(self, ctx: RequestContext, repository_name: str, source_commit_specifier: str,
                                 destination_commit_specifier: str, target_branch: str | None = None,
                                 conflict_resolution_strategy: str | None = None, author_name: str | None = None,
                                 email: str | None = None, commit_message: str | None = None,
                                 **_: Any) -> dict[str, Any]:
        return self._merge_branches(ctx, "SQUASH_MERGE", repository_name, source_commit_specifier,
                                    destination_commit_specifier, target_branch, conflict_resolution_strategy,
                                    commit_message, author_name, email)

    def merge_branches_by_three_way(self, ctx: RequestContext, repository_name: str, source_commit_specifier: str,
                                    destination_commit_specifier: str, target_branch: str | None = None,
                                    conflict_resolution_strategy: str | None = None, author_name: str | None = None,
                                    email: str | None = None, commit_message: str | None = None,
                                    **_: Any) -> dict[str, Any]:
        return self._merge_branches(ctx, "THREE_WAY_MERGE", repository_name, source_commit_specifier,
                                    destination_commit_specifier, target_branch, conflict_resolution_strategy,
                                    commit_message, author_name, email)

    def create_unreferenced_merge_commit(self, ctx: RequestContext, repository_name: str,
                                         source_commit_specifier: str, destination_commit_specifier: str,
                                         merge_option: str, conflict_resolution_strategy: str | None = None,
                                         author_name: str | None = None, email: str | None = None,
                                         commit_message: str | None = None, **_: Any) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        with self.store.lock(doc["repositoryId"]):
            repo = self.store.repo(doc)
            source = resolve(repo, source_commit_specifier, None)
            destination = resolve(repo, destination_commit_specifier, None)
            new = self.merged_commit(repo, source, destination, _option(merge_option), conflict_resolution_strategy,
                                     commit_message, author_name, email)
        return {"commitId": new.id.decode(), "treeId": new.tree.decode()}

    def _pair(self, ctx: RequestContext, repository_name: str, source_spec: str,
              destination_spec: str) -> tuple[Repo, Commit, Commit]:
        doc = self._repo(ctx, repository_name)
        repo = self.store.repo(doc)
        return repo, resolve(repo, source_spec, None), resolve(repo, destination_spec, None)

    def get_merge_options(self, ctx: RequestContext, repository_name: str, source_commit_specifier: str,
                          destination_commit_specifier: str, **_: Any) -> dict[str, Any]:
        repo, source, destination = self._pair(ctx, repository_name, source_commit_specifier,
                                               destination_commit_specifier)
        base = merge_base(repo, source, destination)
        return {"mergeOptions": options(repo, source, destination), "sourceCommitId": source.id.decode(),
                "destinationCommitId": destination.id.decode(),
                "baseCommitId": base.id.decode() if base else ""}

    def get_merge_conflicts(self, ctx: RequestContext, repository_name: str, destination_commit_specifier: str,
                            source_commit_specifier: str, merge_option: str,
                            conflict_resolution_strategy: str | None = None, **_: Any) -> dict[str, Any]:
        repo, source, destination = self._pair(ctx, repository_name, source_commit_specifier,
                                               destination_commit_specifier)
        option = _option(merge_option)
        base = merge_base(repo, source, destination)
        if option == "FAST_FORWARD_MERGE":
            conflicts: list[str] = []
            mergeable = fast_forwardable(repo, source, destination)
        else:
            conflicts = merge(repo, source, destination, conflict_resolution_strategy).conflicts
            mergeable = not conflicts
        return {"mergeable": mergeable, "destinationCommitId": destination.id.decode(),
                "sourceCommitId": source.id.decode(), "baseCommitId": base.id.decode() if base else "",
                "conflictMetadataList": [{"filePath": path, "contentConflict": True, "fileModeConflict": False,
                                          "objectTypeConflict": False, "isBinaryFile": {}, "numberOfConflicts": 1,
                                          "mergeOperations": {"source": "M", "destination": "M"}}
                                         for path in conflicts]}

    def get_merge_commit(self, ctx: RequestContext, repository_name: str, source_commit_specifier: str,
                         destination_commit_specifier: str, conflict_resolution_strategy: str | None = None,
                         **_: Any) -> dict[str, Any]:
        repo, source, destination = self._pair(ctx, repository_name, source_commit_specifier,
                                               destination_commit_specifier)
        base = merge_base(repo, source, destination)
        out = {"sourceCommitId": source.id.decode(), "destinationCommitId": destination.id.decode(),
               "baseCommitId": base.id.decode() if base else ""}
        result = merge(repo, source, destination, conflict_resolution_strategy)
        if not result.conflicts:
            out["mergedCommitId"] = result.tree_id.decode()
        return out
