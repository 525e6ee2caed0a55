"""The errors tuiops reports to people: each one prints as a single clear line."""

from __future__ import annotations


class TuiopsError(Exception):
    """Base of every error that is the user's environment or input, never a bug."""


class RepoLayoutError(TuiopsError):
    """The repository cannot be found or holds no GitOps layout tuiops understands."""


class UsageError(TuiopsError):
    """The command line asks for something that does not exist (e.g. an unknown cluster)."""


class ClusterError(TuiopsError):
    """The cluster could not answer what was asked."""


class ClusterUnreachable(ClusterError):
    """No API server answers at the kube context's address (or it stopped mid-request)."""


class ClusterNotAnswering(ClusterUnreachable):
    """A connection was made but the server did not answer, or not completely, in time.

    Told apart from a refused or reset connection because it looks different to the user:
    the server (or something in front of it) is there but stuck, stopped or overloaded.
    """


class NoKubeconfig(ClusterError):
    """The kubeconfig is missing, unreadable, or names no usable context; tuiops works
    offline then. The message names the file and what is wrong in one line."""


class CredentialsFailed(ClusterError):
    """The kubeconfig's credential plugin (`exec`) failed, timed out or printed no credential.

    Raised instead of sending the request without credentials, which is what the kubernetes
    client does after logging the failure.
    """


class ApiError(ClusterError):
    """The API server answered with a Status error; the message is the server's own."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


class Forbidden(ApiError):
    """RBAC denied the request (403): shown as "forbidden", never as an empty list."""


class NotFound(ApiError):
    """The object (or the resource type) does not exist (404)."""


class Expired(ApiError):
    """A watch position or continue token is older than the server keeps (410)."""
