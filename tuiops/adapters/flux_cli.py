"""The `flux` binary, for what has no API equivalent: `flux diff kustomization` (a server-side
dry run of a local path), `flux trace` and `flux check`.

Everything goes through `process.run`: argv only, a timeout, kubeconfig and context passed as
flags (paths and names, never credentials). A missing binary is a `ToolNotFound` that says
which feature needs the flux CLI; the rest of tuiops works without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuiops.adapters import process
from tuiops.domain.kinds import FLUX_APPLIERS, FLUX_SOURCES, ApiKind, api_kind

KNOWN_KINDS = frozenset(kind.kind for kind in (*FLUX_APPLIERS, *FLUX_SOURCES))
"""Kinds traced as `--kind/--api-version`; others go to flux as `trace <kind> <name>`."""


@dataclass(frozen=True, slots=True)
class FluxDiff:
    """`flux diff kustomization`: whether the cluster would change, and flux's diff text."""

    changed: bool
    output: str


@dataclass(frozen=True, slots=True)
class FluxCheck:
    """`flux check`: whether every check passed, and flux's report (stdout then stderr)."""

    passed: bool
    output: str


class FluxCli:
    """The `flux` binary, for diff, trace and check (no API equivalent).

    Args:
        binary: Program name or path.
        kubeconfig: `--kubeconfig` path; None lets flux use `$KUBECONFIG` or its default.
        context: `--context`; None uses the kubeconfig's current context.
        timeout: flux's own `--timeout` in seconds; the process is killed 5 s later.
    """

    def __init__(
        self,
        binary: str = "flux",
        kubeconfig: str | None = None,
        context: str | None = None,
        timeout: float = 60,
    ) -> None:
        self._binary = binary
        self._kubeconfig = kubeconfig
        self._context = context
        self._timeout = timeout

    def diff_kustomization(self, name: str, namespace: str, path: str) -> FluxDiff:
        """`flux diff kustomization NAME --path PATH`: a server-side dry run of a local folder.

        Args:
            name: The Kustomization.
            namespace: Its namespace.
            path: Local folder matching its `spec.path` (flux exits 2 if it is not one).

        Returns:
            The diff; flux's exit 1 means "changes found", not failure.

        Raises:
            ToolNotFound: no flux binary.
            CommandFailed: flux could not build or diff (exit 2), or timed out.
        """
        argv = ["diff", "kustomization", name, "--path", path, "--progress-bar=false"]
        done = self._run(argv, namespace, "diffing a Kustomization", ok_codes=(0, 1))
        return FluxDiff(changed=done.returncode == 1, output=done.stdout)

    def trace(self, kind: ApiKind | str, name: str, namespace: str) -> str:
        """`flux trace NAME --kind K --api-version G/V`: which Flux objects applied it.

        Args:
            kind: The object's kind. Flux kinds go as `--kind/--api-version`; any other Kind
                name (`Deployment`, `ConfigMap`) as `flux trace <kind> <name>` for flux to
                resolve.
            name: The object's name.
            namespace: Its namespace (empty for cluster-scoped objects).

        Raises:
            ToolNotFound: no flux binary.
            CommandFailed: flux failed (e.g. the object is not managed by Flux) or timed out.
        """
        feature = "tracing an object to its Flux source"
        if isinstance(kind, str):
            if kind not in KNOWN_KINDS:
                return self._run(["trace", kind, name], namespace, feature).stdout
            kind = api_kind(kind)
        argv = ["trace", name, f"--kind={kind.kind}", f"--api-version={kind.api_version}"]
        return self._run(argv, namespace, feature).stdout

    def check(self) -> FluxCheck:
        """`flux check`: controllers, CRDs and versions; a failed check is not an error.

        Raises:
            ToolNotFound: no flux binary.
            CommandFailed: flux could not run the checks (exit other than 0/1) or timed out.
        """
        done = self._run(["check"], "", "checking the Flux installation", ok_codes=(0, 1))
        return FluxCheck(passed=done.returncode == 0, output=done.stdout + done.stderr)

    def _run(
        self, args: list[str], namespace: str, feature: str, ok_codes: tuple[int, ...] = (0,)
    ) -> process.Completed:
        argv = [self._binary, *args, f"--timeout={int(self._timeout)}s"]
        if namespace:
            argv += ["--namespace", namespace]
        if self._kubeconfig:
            argv += ["--kubeconfig", self._kubeconfig]
        if self._context:
            argv += ["--context", self._context]
        try:
            # flux itself may take the whole --timeout; give it a little more before killing.
            done = process.run(argv, timeout=self._timeout + 5, check=False)
        except process.ToolNotFound as error:
            raise process.ToolNotFound(
                f"{feature} needs the flux CLI (https://fluxcd.io/flux/installation/): {error}"
            ) from None
        if done.returncode not in ok_codes:
            raise process.CommandFailed(argv, done.returncode, done.stderr)
        return done
