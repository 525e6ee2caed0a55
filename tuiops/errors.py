"""The errors tuiops reports to people: each one prints as a single clear line."""

from __future__ import annotations


class TuiopsError(Exception):
    """Base of every error that is the user's environment or input, never a bug."""


class RepoLayoutError(TuiopsError):
    """The repository cannot be found or holds no GitOps layout tuiops understands."""


class UsageError(TuiopsError):
    """The command line asks for something that does not exist (e.g. an unknown cluster)."""
