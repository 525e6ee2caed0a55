"""The `kubectl` views people already know: `describe`, `get -o yaml` and `events --for`.

Every call names the resource by its full `plural.group` (e.g.
`helmreleases.helm.toolkit.fluxcd.io`), never a short name or bare kind, so a CRD from another
project that also claims `hr` or `HelmRelease` cannot answer instead. The version is left to
kubectl's discovery (the server's preferred one), so an older Flux serving only `v2beta2`
works too, and `events --for` then selects the apiVersion the controllers write. Calls go
through `process.run` (argv only, a timeout) with `--kubeconfig`/`--context` as given; a
failure is a `CommandFailed` whose message ends with kubectl's own stderr line.
"""

from __future__ import annotations

from tuiops.adapters import process
from tuiops.domain.kinds import api_kind
from tuiops.domain.refs import ObjectRef


class Kubectl:
    """Runs kubectl against one kube context."""

    def __init__(
        self,
        kubeconfig: str | None,
        context: str | None,
        binary: str = "kubectl",
        timeout: float = 30,
        *,
        cache_dir: str | None = None,
    ) -> None:
        """Args:
        kubeconfig: `--kubeconfig` path; None lets kubectl use `$KUBECONFIG` or its default.
        context: `--context`; None uses the kubeconfig's current context.
        binary: program name or path.
        timeout: seconds before a call is killed.
        cache_dir: `--cache-dir` for discovery (None: kubectl's default under ~/.kube).
        """
        self._kubeconfig = kubeconfig
        self._context = context
        self._binary = binary
        self._timeout = timeout
        self._cache_dir = cache_dir

    def describe(self, ref: ObjectRef) -> str:
        """`kubectl describe`: spec, status, conditions and recent events, as text.

        Raises:
            ToolNotFound: kubectl is not installed.
            CommandFailed: kubectl failed (e.g. `Error from server (NotFound): …`) or timed out.
        """
        return self._run("describe", resource_name(ref), ref.name, *self._namespace(ref))

    def yaml(self, ref: ObjectRef) -> str:
        """`kubectl get -o yaml`: the object as the API server holds it.

        Raises:
            ToolNotFound: kubectl is not installed.
            CommandFailed: kubectl failed or timed out.
        """
        return self._run("get", resource_name(ref), ref.name, "-o", "yaml", *self._namespace(ref))

    def events(self, ref: ObjectRef) -> str:
        """`kubectl events --for <plural.group>/<name>`: the object's events table.

        Raises:
            ToolNotFound: kubectl is not installed.
            CommandFailed: kubectl failed or timed out.
        """
        target = f"{resource_name(ref)}/{ref.name}"
        return self._run("events", "--for", target, *self._namespace(ref))

    @staticmethod
    def _namespace(ref: ObjectRef) -> tuple[str, ...]:
        return ("--namespace", ref.namespace) if ref.namespace else ()

    def _run(self, *args: str) -> str:
        argv = [self._binary]
        if self._kubeconfig:
            argv += ["--kubeconfig", self._kubeconfig]
        if self._context:
            argv += ["--context", self._context]
        if self._cache_dir:
            argv += ["--cache-dir", self._cache_dir]
        argv += args
        try:
            return process.run(argv, timeout=self._timeout).stdout
        except process.ToolNotFound as error:
            raise process.ToolNotFound(
                f"the kubectl views (describe, YAML, events) need kubectl: {error}"
            ) from None


def resource_name(ref: ObjectRef) -> str:
    """The fully qualified resource kubectl resolves without ambiguity.

    Args:
        ref: The object; its kind is a Kind name such as `HelmRelease`.

    Returns:
        `plural.group` for kinds tuiops knows (`helmreleases.helm.toolkit.fluxcd.io`, `pods`
        for the core group), else the Kind itself for kubectl to resolve.
    """
    try:
        kind = api_kind(ref.kind)
    except KeyError:
        return ref.kind
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural
