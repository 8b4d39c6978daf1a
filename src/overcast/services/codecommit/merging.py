"""Merging two commits as CodeCommit does
(https://docs.aws.amazon.com/codecommit/latest/userguide/how-to-merge-pull-request.html): the merge
base, the merge options that apply, and a three-way merge of the trees (dulwich's, with `merge3`
merging text line by line). A file both sides changed in overlapping lines is a conflict; the
`conflictResolutionStrategy` `ACCEPT_SOURCE` / `ACCEPT_DESTINATION` settles every conflicted file
with that side's version, `NONE` (the default) leaves it to the caller (ManualMergeRequired)."""

from __future__ import annotations

from dataclasses import dataclass

from dulwich.graph import can_fast_forward, find_merge_base
from dulwich.merge import three_way_merge
from dulwich.objects import Commit, ObjectID, Tree
from dulwich.repo import Repo

from overcast.services.codecommit.errors import error
from overcast.services.codecommit.gitstore import Change, files, write_tree

MERGE_OPTIONS = ("FAST_FORWARD_MERGE", "SQUASH_MERGE", "THREE_WAY_MERGE")
STRATEGIES = ("NONE", "ACCEPT_SOURCE", "ACCEPT_DESTINATION", "AUTOMERGE")


@dataclass
class Merged:
    """The outcome of merging a source commit into a destination commit."""

    base: Commit | None
    tree_id: bytes
    conflicts: list[str]


def merge_base(repo: Repo, source: Commit, destination: Commit) -> Commit | None:
    found = find_merge_base(repo, [source.id, destination.id])
    if not found:
        return None
    base = repo[found[0]]
    return base if isinstance(base, Commit) else None


def fast_forwardable(repo: Repo, source: Commit, destination: Commit) -> bool:
    """Whether the destination is an ancestor of the source (a fast-forward reaches it)."""
    return bool(can_fast_forward(repo, destination.id, source.id))


def merge(repo: Repo, source: Commit, destination: Commit, strategy: str | None) -> Merged:
    """The merged tree of `source` into `destination`, conflicts settled by `strategy` when it says
    how (else listed in `conflicts`)."""
    strategy = strategy or "NONE"
    if strategy not in STRATEGIES:
        raise error("InvalidConflictResolutionStrategyException", "The specified conflict resolution strategy is "
                    "not valid.")
    base = merge_base(repo, source, destination)
    tree, conflicted = three_way_merge(repo.object_store, base, destination, source)
    repo.object_store.add_object(tree)
    conflicts = sorted(path.decode() for path in conflicted)
    if not conflicts or strategy not in ("ACCEPT_SOURCE", "ACCEPT_DESTINATION"):
        return Merged(base, tree.id, conflicts)
    winner = source if strategy == "ACCEPT_SOURCE" else destination
    chosen = files(repo, winner.tree)
    changes = []
    for path in conflicts:
        if path in chosen:
            mode, sha = chosen[path]
            blob = repo[sha]
            changes.append(Change(path, blob.as_raw_string(), mode))
        else:
            changes.append(Change(path, None))
    return Merged(base, write_tree(repo, tree.id, changes), [])


def options(repo: Repo, source: Commit, destination: Commit) -> list[str]:
    """The merge options that apply: all three when a fast-forward is possible, else squash and
    three-way (conflicts or not: they are resolved or reported when merging)."""
    if fast_forwardable(repo, source, destination):
        return list(MERGE_OPTIONS)
    return ["SQUASH_MERGE", "THREE_WAY_MERGE"]


def tree_of(repo: Repo, tree_id: bytes) -> Tree:
    tree = repo[tree_id]
    assert isinstance(tree, Tree)
    return tree


def write_commit(repo: Repo, tree_id: bytes, parents: list[ObjectID], *, message: str, name: str, email: str,
                 when: int) -> Commit:
    """A commit with any number of parents (a three-way merge has the destination, then the source)."""
    c = Commit()
    c.tree = ObjectID(tree_id)
    c.parents = parents
    c.author = c.committer = f"{name} <{email}>".encode()
    c.author_time = c.commit_time = when
    c.author_timezone = c.commit_timezone = 0
    c.message = message.encode()
    repo.object_store.add_object(c)
    return c
