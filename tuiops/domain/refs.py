"""Object identity used everywhere: in the repo model, the cluster view and as table row keys."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """A Kubernetes object named by kind, namespace and name."""

    kind: str
    """Kind without group, e.g. `Kustomization` or `HelmRelease`."""
    namespace: str
    """Namespace; empty for cluster-scoped objects or when the repo leaves it unknown."""
    name: str

    def __str__(self) -> str:
        return (
            f"{self.kind}/{self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind}/{self.name}"
        )

    @property
    def namespaced_name(self) -> str:
        """`namespace/name`, the form `flux` and `kubectl` print."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """Where a document starts in the repo: POSIX path relative to the repo root, 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"
