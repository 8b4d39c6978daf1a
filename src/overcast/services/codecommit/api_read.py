"""Reading a repository's contents: GetFile, GetFolder, GetBlob, GetCommit, GetDifferences."""

from __future__ import annotations

import stat
from typing import Any

from dulwich.objects import Blob, Tree

from overcast.context import RequestContext
from overcast.services.codecommit.api_base import ApiBase
from overcast.services.codecommit.errors import error, page
from overcast.services.codecommit.gitstore import describe, files, lookup, mode_name, normalize, resolve


class ReadOperations(ApiBase):
    def _at(self, ctx: RequestContext, repository_name: str, spec: str | None) -> tuple[Any, Any]:
        doc = self._repo(ctx, repository_name)
        repo = self.store.repo(doc)
        return repo, resolve(repo, spec, doc.get("defaultBranch"))

    def get_file(self, ctx: RequestContext, repository_name: str, file_path: str,
                 commit_specifier: str | None = None) -> dict[str, Any]:
        repo, c = self._at(ctx, repository_name, commit_specifier)
        path = normalize(file_path or "")
        if not path:
            raise error("PathRequiredException", "The filePath for a location cannot be empty or null.")
        found = lookup(repo, c.tree, path)
        if found is None or stat.S_ISDIR(found[0]):
            raise error("FileDoesNotExistException", f"The specified file {path} does not exist.")
        blob = repo[found[1]]
        assert isinstance(blob, Blob)
        content = blob.as_raw_string()
        return {"commitId": c.id.decode(), "blobId": found[1].decode(), "filePath": path,
                "fileMode": mode_name(found[0]), "fileSize": len(content), "fileContent": content}

    def get_folder(self, ctx: RequestContext, repository_name: str, folder_path: str,
                   commit_specifier: str | None = None) -> dict[str, Any]:
        repo, c = self._at(ctx, repository_name, commit_specifier)
        path = normalize(folder_path or "")
        found = lookup(repo, c.tree, path)
        if found is None or not stat.S_ISDIR(found[0]):
            raise error("FolderDoesNotExistException", f"The specified folder {path} does not exist.")
        tree = repo[found[1]]
        assert isinstance(tree, Tree)
        out: dict[str, list[dict[str, Any]]] = {"subFolders": [], "files": [], "symbolicLinks": [], "subModules": []}
        for item in tree.items():
            rel = item.path.decode()
            absolute = f"{path}/{rel}" if path else rel
            if stat.S_ISDIR(item.mode):
                out["subFolders"].append({"treeId": item.sha.decode(), "absolutePath": absolute, "relativePath": rel})
            elif item.mode == 0o160000:
                out["subModules"].append({"commitId": item.sha.decode(), "absolutePath": absolute,
                                          "relativePath": rel})
            else:
                key = "symbolicLinks" if stat.S_ISLNK(item.mode) else "files"
                out[key].append({"blobId": item.sha.decode(), "absolutePath": absolute, "relativePath": rel,
                                 "fileMode": mode_name(item.mode)})
        return {"commitId": c.id.decode(), "folderPath": path or "/", "treeId": found[1].decode(), **out}

    def get_blob(self, ctx: RequestContext, repository_name: str, blob_id: str) -> dict[str, Any]:
        repo = self.store.repo(self._repo(ctx, repository_name))
        try:
            blob = repo[blob_id.encode()]
        except (KeyError, ValueError):
            blob = None
        if not isinstance(blob, Blob):
            raise error("BlobIdDoesNotExistException", f"Could not find blob with id: {blob_id}")
        return {"content": blob.as_raw_string()}

    def get_commit(self, ctx: RequestContext, repository_name: str, commit_id: str) -> dict[str, Any]:
        if not commit_id:
            raise error("CommitIdRequiredException", "A commit ID is required.")
        repo = self.store.repo(self._repo(ctx, repository_name))
        try:
            c = resolve(repo, commit_id, None)
        except Exception:
            raise error("CommitIdDoesNotExistException", f"Could not find commit with id: {commit_id}") from None
        return {"commit": describe(c)}

    def get_differences(self, ctx: RequestContext, repository_name: str, after_commit_specifier: str,
                        before_commit_specifier: str | None = None, before_path: str | None = None,
                        after_path: str | None = None, max_results: int | None = None,
                        next_token: str | None = None) -> dict[str, Any]:
        """The files that differ between two commits (all of `after` when there is no `before`),
        as A(dded), M(odified) or D(eleted); paths restrict both sides to a folder or file."""
        if not after_commit_specifier:
            raise error("CommitRequiredException", "A commit is required.")
        doc = self._repo(ctx, repository_name)
        repo = self.store.repo(doc)
        after = files(repo, resolve(repo, after_commit_specifier, None).tree)
        before = files(repo, resolve(repo, before_commit_specifier, None).tree) if before_commit_specifier else {}
        for path, side in ((before_path, before), (after_path, after)):
            if path:
                prefix = normalize(path)
                kept = {p: v for p, v in side.items() if p == prefix or p.startswith(prefix + "/")}
                if not kept:
                    raise error("PathDoesNotExistException", f"The specified path {prefix} does not exist.")
                side.clear()
                side.update(kept)
        blob = lambda p, m, s: {"blobId": s.decode(), "path": p, "mode": f"{m:06o}"}  # noqa: E731
        differences: list[dict[str, Any]] = []
        for path in sorted(set(before) | set(after)):
            old, new = before.get(path), after.get(path)
            if old == new:
                continue
            item: dict[str, Any] = {"changeType": "A" if old is None else "D" if new is None else "M"}
            if old is not None:
                item["beforeBlob"] = blob(path, *old)
            if new is not None:
                item["afterBlob"] = blob(path, *new)
            differences.append(item)
        if max_results is not None and max_results < 1:
            raise error("InvalidMaxResultsException", "The specified number of maximum results is not valid.")
        shown, token = page(differences, next_token, max_results or 100)
        return {"differences": shown, **({"NextToken": token} if token else {})}
