"""Files and commits through the API: PutFile, DeleteFile, CreateCommit, GetFile, GetFolder, GetBlob,
GetCommit, GetDifferences. A commit goes on a branch only if the caller names the branch's current
head as its parent (`ParentCommitIdOutdatedException` otherwise); the first commit of an empty
repository needs no parent and makes its branch the default one."""

from __future__ import annotations

import stat
from typing import Any

from dulwich.objects import Blob, Commit
from dulwich.repo import Repo

from overcast.context import RequestContext
from overcast.services.codecommit.api_base import ApiBase
from overcast.services.codecommit.errors import branch_missing, error
from overcast.services.codecommit.gitstore import (
    MODES,
    Change,
    branches,
    commit,
    files,
    lookup,
    mode_name,
    normalize,
    resolve,
    write_tree,
)
from overcast.services.codecommit.triggers import RefChange


def _path(path: str | None) -> str:
    """A file path of a commit: required, and no `.`, `..` or `.git` parts (AWS's InvalidPathException)."""
    if not path or not normalize(path):
        raise error("PathRequiredException", "The filePath for a location cannot be empty or null.")
    if any(part in (".", "..", ".git") for part in normalize(path).split("/")):
        raise error("InvalidPathException", f"The specified path is not valid: {path}")
    return normalize(path)


def _mode(name: str | None) -> int:
    if name is None:
        return MODES["NORMAL"]
    if name not in MODES:
        raise error("InvalidFileModeException", "The specified file mode permission is not valid. For a list "
                    "of valid file mode permissions, see PutFile.")
    return MODES[name]


class FileOperations(ApiBase):
    def _parent(self, repo: Repo, branch: str | None, parent_commit_id: str | None) -> Commit | None:
        """The commit a new commit on `branch` must build on, checked as CodeCommit does."""
        if not branch:
            raise error("BranchNameRequiredException", "A branch name is required.")
        heads = branches(repo)
        if branch not in heads:
            if heads:
                raise branch_missing(branch)
            return None  # the repository's first commit
        if not parent_commit_id:
            raise error("ParentCommitIdRequiredException", "A parent commit ID is required. To view the full "
                        "commit ID of a branch in a repository, use GetBranch or a Git command (for example, git "
                        "pull or git log).")
        if parent_commit_id != heads[branch]:
            try:
                resolve(repo, parent_commit_id, None)
            except Exception:
                raise error("ParentCommitDoesNotExistException", "The parent commit ID is not valid because it "
                            "does not exist. The specified parent commit ID does not exist in the specified branch "
                            "of the repository.") from None
            raise error("ParentCommitIdOutdatedException", "The file could not be added because the provided "
                        "parent commit ID is not the current tip of the specified branch. To view the full commit "
                        "ID of the current head of the branch, use GetBranch.")
        return resolve(repo, heads[branch], None)

    def _commit(self, ctx: RequestContext, doc: dict[str, Any], repo: Repo, branch: str, parent: Commit | None,
                tree_id: bytes, message: str | None, name: str | None, email: str | None) -> Commit:
        new = commit(repo, tree_id, parent.id.decode() if parent else None, message=message or "",
                     name=name or "overcast", email=email or "", when=int(self.platform.clock.now()))
        self._move(ctx, doc, [RefChange(f"refs/heads/{branch}", parent.id.decode() if parent else None,
                                        new.id.decode())])
        return new

    def put_file(self, ctx: RequestContext, repository_name: str, branch_name: str, file_content: bytes,
                 file_path: str, file_mode: str | None = None, parent_commit_id: str | None = None,
                 commit_message: str | None = None, name: str | None = None,
                 email: str | None = None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        path, mode = _path(file_path), _mode(file_mode)
        if not file_content:
            raise error("FileContentRequiredException", "The file cannot be added because it is empty. Empty files "
                        "cannot be added to the repository with this API.")
        with self.store.lock(doc["repositoryId"]):
            repo = self.store.repo(doc)
            parent = self._parent(repo, branch_name, parent_commit_id)
            blob = Blob.from_string(file_content)
            if parent is not None and lookup(repo, parent.tree, path) == (mode, blob.id):
                raise error("SameFileContentException", "The file could not be added because the provided file "
                            "content is identical to the file content already in the repository.")
            tree = write_tree(repo, parent.tree if parent else None, [Change(path, file_content, mode)])
            new = self._commit(ctx, doc, repo, branch_name, parent, tree, commit_message, name, email)
        return {"commitId": new.id.decode(), "blobId": blob.id.decode(), "treeId": tree.decode()}

    def delete_file(self, ctx: RequestContext, repository_name: str, branch_name: str, file_path: str,
                    parent_commit_id: str, keep_empty_folders: bool = False, commit_message: str | None = None,
                    name: str | None = None, email: str | None = None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        path = _path(file_path)
        with self.store.lock(doc["repositoryId"]):
            repo = self.store.repo(doc)
            parent = self._parent(repo, branch_name, parent_commit_id)
            found = lookup(repo, parent.tree, path) if parent else None
            if parent is None or found is None or stat.S_ISDIR(found[0]):
                raise error("FileDoesNotExistException", f"The specified file {path} does not exist.")
            tree = write_tree(repo, parent.tree, [Change(path, None)])
            new = self._commit(ctx, doc, repo, branch_name, parent, tree, commit_message, name, email)
        return {"commitId": new.id.decode(), "blobId": found[1].decode(), "treeId": tree.decode(), "filePath": path}

    def create_commit(self, ctx: RequestContext, repository_name: str, branch_name: str,
                      parent_commit_id: str | None = None, author_name: str | None = None,
                      email: str | None = None, commit_message: str | None = None, keep_empty_folders: bool = False,
                      put_files: list[dict[str, Any]] | None = None, delete_files: list[dict[str, Any]] | None = None,
                      set_file_modes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._repo(ctx, repository_name)
        with self.store.lock(doc["repositoryId"]):
            repo = self.store.repo(doc)
            parent = self._parent(repo, branch_name, parent_commit_id)
            before = files(repo, parent.tree) if parent else {}
            changes = self._changes(repo, before, parent, put_files or [], delete_files or [], set_file_modes or [])
            if not changes:
                raise error("FileEntryRequiredException", "The commit cannot be created because no files have "
                            "been specified as added, updated, or changed (PutFile or DeleteFile) for the commit.")
            tree = write_tree(repo, parent.tree if parent else None, changes)
            if parent is not None and tree == parent.tree:
                raise error("NoChangeException", "The commit cannot be created because no changes will be made to "
                            "the repository as a result of this commit. A commit must contain at least one change.")
            new = self._commit(ctx, doc, repo, branch_name, parent, tree, commit_message, author_name, email)
            after = files(repo, tree)
        entry = lambda p, m, s: {"absolutePath": p, "blobId": s.decode(), "fileMode": mode_name(m)}  # noqa: E731
        return {
            "commitId": new.id.decode(), "treeId": tree.decode(),
            "filesAdded": [entry(p, *after[p]) for p in sorted(after) if p not in before],
            "filesUpdated": [entry(p, *after[p]) for p in sorted(after) if p in before and before[p] != after[p]],
            "filesDeleted": [entry(p, *before[p]) for p in sorted(before) if p not in after],
        }

    @staticmethod
    def _changes(repo: Repo, before: dict[str, tuple[int, bytes]], parent: Commit | None,
                 put: list[dict[str, Any]], delete: list[dict[str, Any]], modes: list[dict[str, Any]]) -> list[Change]:
        changes: list[Change] = []
        seen: set[str] = set()
        for item in [*put, *delete, *modes]:
            path = _path(item.get("filePath"))
            if path in seen:
                raise error("SamePathRequestException", "The commit cannot be created because one or more changes "
                            f"in this commit duplicate actions in the same file path. For example, you cannot make "
                            f"the same delete request to the same file in the same file path twice, or make a delete "
                            f"request and a move request to the same file as part of the same commit. {path}")
            seen.add(path)
        for item in put:
            path = normalize(item["filePath"])
            if "fileContent" in item and "sourceFile" in item:
                raise error("FileContentAndSourceFileSpecifiedException", "The commit cannot be created because "
                            "both a source file and file content have been specified for the same file. You cannot "
                            "provide both. Either specify a source file or provide the file content directly.")
            if "sourceFile" in item:
                source = normalize(item["sourceFile"].get("filePath", ""))
                if source not in before:
                    raise error("FileDoesNotExistException", f"The specified file {source} does not exist.")
                blob = repo[before[source][1]]
                content = blob.as_raw_string()
                if item["sourceFile"].get("isMove"):
                    changes.append(Change(source, None))
            elif "fileContent" in item:
                content = item["fileContent"]
            else:
                raise error("SourceFileOrContentRequiredException", "The commit cannot be created because no source "
                            "files or file content have been specified for the commit.")
            changes.append(Change(path, content, _mode(item.get("fileMode"))))
        for item in delete:
            path = normalize(item["filePath"])
            if path not in before:
                raise error("FileDoesNotExistException", f"The specified file {path} does not exist.")
            changes.append(Change(path, None))
        for item in modes:
            path = normalize(item["filePath"])
            if path not in before:
                raise error("FileDoesNotExistException", f"The specified file {path} does not exist.")
            changes.append(Change(path, repo[before[path][1]].as_raw_string(), _mode(item.get("fileMode"))))
        return changes
