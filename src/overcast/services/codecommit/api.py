"""CodeCommit's operations (json protocol), grouped in mixins."""

from __future__ import annotations

from overcast.services.codecommit.api_approvals import ApprovalOperations
from overcast.services.codecommit.api_files import FileOperations
from overcast.services.codecommit.api_read import ReadOperations
from overcast.services.codecommit.api_repos import BranchOperations, RepositoryOperations
from overcast.services.codecommit.api_triggers import TagOperations, TriggerOperations


class CodeCommitApi(RepositoryOperations, BranchOperations, FileOperations, ReadOperations, TriggerOperations,
                    TagOperations, ApprovalOperations):
    """Repositories, branches, files and commits, triggers, tags, merges, pull requests and their
    approval rules."""
