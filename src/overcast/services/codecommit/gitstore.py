"""The git side of a CodeCommit repository: a bare repository (dulwich) and the object work the
API's file and commit operations do — reading paths at a commit, writing trees, comparing trees.

CodeCommit's file modes are names (`NORMAL`, `EXECUTABLE`, `SYMLINK`) for git's octal modes.
"""

from __future__ import annotations

import errno
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

from overcast.services.codecommit.errors import commit_missing, error

MODES = {"NORMAL": 0o100644, "EXECUTABLE": 0o100755, "SYMLINK": 0o120000}
NAMES = {mode: name for name, mode in MODES.items()}
HEADS = b"refs/heads/"


def open_repo(path: Path) -> Repo:
    """The bare repository at `path`, created empty the first time."""
    if not (path / "HEAD").exists():
        path.mkdir(parents=True, exist_ok=True)
        return Repo.init_bare(str(path))
    return Repo(str(path))


def branches(repo: Repo) -> dict[str, str]:
    """Branch name → commit id."""
    return {ref[len(HEADS):].decode(): sha.decode() for ref, sha in repo.get_refs().items()
            if ref.startswith(HEADS)}


def resolve(repo: Repo, spec: str | None, default_branch: str | None) -> Commit:
    """A commit from a commit specifier: a branch name, a full commit id, or (none) the default
    branch's head, as CodeCommit resolves `commitSpecifier`."""
    spec = spec or default_branch or ""
    heads = branches(repo)
    sha = heads.get(spec, spec)
    try:
        obj = repo[sha.encode()] if len(sha) == 40 else None
    except (KeyError, ValueError):
        obj = None
    if not isinstance(obj, Commit):
        raise commit_missing(spec)
    return obj


def normalize(path: str) -> str:
    """A path as CodeCommit keeps it: no leading or trailing slash."""
    return path.strip("/")


def lookup(repo: Repo, tree_id: bytes, path: str) -> tuple[int, bytes] | None:
    """(mode, sha) of `path` inside a tree, or None."""
    mode, sha = stat.S_IFDIR, tree_id
    for part in [p for p in normalize(path).split("/") if p]:
        if not stat.S_ISDIR(mode):
            return None
        tree = repo[sha]
        assert isinstance(tree, Tree)
        try:
            mode, sha = tree[part.encode()]
        except KeyError:
            return None
    return mode, sha


@dataclass
class Change:
    """One file a commit puts (content and mode) or deletes (content None)."""

    path: str
    content: bytes | None
    mode: int = MODES["NORMAL"]


def write_tree(repo: Repo, base: bytes | None, changes: list[Change]) -> bytes:
    """A new tree: `base` (a tree id, or None for an empty one) with `changes` applied. Folders
    left empty disappear, as git keeps no empty folders."""
    store = repo.object_store
    tree = Tree()
    if base is not None:
        existing = repo[base]
        assert isinstance(existing, Tree)
        for item in existing.items():
            tree.add(item.path, item.mode, item.sha)
    here: dict[str, list[Change]] = {}
    for change in changes:
        head, _, rest = normalize(change.path).partition("/")
        if rest:
            here.setdefault(head, []).append(Change(rest, change.content, change.mode))
            continue
        name = head.encode()
        if change.content is None:
            if name in tree:
                del tree[name]
            continue
        if name in tree and stat.S_ISDIR(tree[name][0]):
            raise error("FileNameConflictsWithDirectoryNameException",
                        f"A file cannot be added to the repository because its name conflicts with a directory "
                        f"name: {change.path}")
        blob = Blob.from_string(change.content)
        store.add_object(blob)
        tree.add(name, change.mode, blob.id)
    for folder, inner in here.items():
        name = folder.encode()
        sub = None
        if name in tree:
            mode, sha = tree[name]
            if not stat.S_ISDIR(mode):
                raise error("DirectoryNameConflictsWithFileNameException",
                            f"A directory cannot be created because its name conflicts with a file name: {folder}")
            sub = sha
        new = write_tree(repo, sub, inner)
        if new == EMPTY_TREE_ID:
            if name in tree:
                del tree[name]
        else:
            tree.add(name, stat.S_IFDIR, new)  # type: ignore[arg-type]
    store.add_object(tree)
    return tree.id


EMPTY_TREE_ID = Tree().id


def files(repo: Repo, tree_id: bytes, prefix: str = "") -> dict[str, tuple[int, bytes]]:
    """Every file below a tree: path → (mode, blob id)."""
    out: dict[str, tuple[int, bytes]] = {}
    tree = repo[tree_id]
    assert isinstance(tree, Tree)
    for item in tree.items():
        path = f"{prefix}{item.path.decode()}"
        if stat.S_ISDIR(item.mode):
            out.update(files(repo, item.sha, path + "/"))
        else:
            out[path] = (item.mode, item.sha)
    return out


def commit(repo: Repo, tree_id: bytes, parent: str | None, *, message: str, name: str, email: str,
           when: int) -> Commit:
    """Write a commit object (not yet on any branch)."""
    c = Commit()
    c.tree = tree_id
    c.parents = [parent.encode()] if parent else []  # type: ignore[list-item]
    c.author = c.committer = f"{name} <{email}>".encode()
    c.author_time = c.commit_time = when
    c.author_timezone = c.commit_timezone = 0
    c.message = message.encode()
    repo.object_store.add_object(c)
    return c


def mode_name(mode: int) -> str:
    return NAMES.get(mode, "NORMAL")


def person(raw: bytes, when: int, tz: int) -> dict[str, str]:
    """CodeCommit's `UserInfo`: name, email and `date` as git writes it (`<epoch> <+hhmm>`)."""
    text = raw.decode(errors="replace")
    name, _, email = text.partition(" <")
    sign = "-" if tz < 0 else "+"
    minutes = abs(tz) // 60
    return {"name": name, "email": email.rstrip(">"), "date": f"{when} {sign}{minutes // 60:02d}{minutes % 60:02d}"}


def describe(c: Commit) -> dict[str, object]:
    """CodeCommit's `Commit` shape."""
    return {
        "commitId": c.id.decode(), "treeId": c.tree.decode(), "parents": [p.decode() for p in c.parents],
        "message": c.message.decode(errors="replace"),
        "author": person(c.author, c.author_time, c.author_timezone),
        "committer": person(c.committer, c.commit_time, c.commit_timezone), "additionalData": "",
    }


def set_ref(repo: Repo, ref: str, sha: str | None) -> None:
    """Point `ref` at a commit, or delete it (`sha` None).

    A ref is a file of the bare repository: a branch name too long for the file system (CodeCommit
    takes 256 characters; a file name holds 255 bytes, less the `.lock` git writes first) is
    refused as an invalid branch name rather than failing the request."""
    refs: Any = repo.refs
    try:
        if sha is None:
            refs.remove_if_equals(ref.encode(), None)
        else:
            refs[ref.encode()] = sha.encode()
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        raise error("InvalidBranchNameException", "The specified reference name is not valid.") from None


def set_head(repo: Repo, ref: str) -> None:
    """The bare repository's HEAD, what `git clone` checks out: the default branch."""
    refs: Any = repo.refs
    refs.set_symbolic_ref(b"HEAD", ref.encode())
