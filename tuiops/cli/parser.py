"""Every command-line argument, and nothing heavy: each command's module is imported only when
that command runs, so `tuiops env get` never loads the repo reader and `tuiops status` never
loads cryptography or age."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence

from tuiops import __version__

PATH_HELP = (
    "KEY is a path: dotted map keys (stringData.password), [N] for the N-th list item "
    '(hosts[0].ip), and "double quotes" with JSON escapes around a key that holds dots, '
    'brackets, quotes or control characters (labels."app.kubernetes.io/name"). A path that '
    "cannot be read this way is refused, never guessed."
)

Runner = Callable[[argparse.Namespace], int]
CHARSETS = ("alnum", "hex", "base64", "words")
SEVERITIES = ("error", "warning", "info")
SCENARIOS = ("healthy", "degraded", "large")
LOG_LEVELS = ("debug", "info", "error")
FLUX_NAMESPACE = "flux-system"


def _lazy(module: str, function: str) -> Runner:
    def run(args: argparse.Namespace) -> int:
        runner: Runner = getattr(importlib.import_module(f"tuiops.cli.{module}"), function)
        return runner(args)

    return run


def _common(parser: argparse.ArgumentParser, run: Runner) -> argparse.ArgumentParser:
    parser.add_argument(
        "--repo", metavar="DIR", help="GitOps repo (default: the git root of the current folder)"
    )
    parser.add_argument(
        "--example",
        action="store_true",
        help="use the bundled example repo (a fictional clustertool homelab)",
    )
    parser.add_argument("--cluster", metavar="NAME", help="only this cluster")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(run=run)
    return parser


REPO_COMMANDS = ("status", "vars", "lint")


def _repo_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], only: str | None
) -> None:
    def command(name: str, function: str, help_text: str) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return argparse.ArgumentParser()  # not asked for: a throwaway, never attached
        parser = commands.add_parser(name, help=help_text, description=help_text)
        return _common(parser, _lazy("commands", function))

    status = command("status", "run_status", "layers in apply order with live Flux state")
    status.add_argument("--offline", action="store_true", help="read the repo only (no cluster)")
    status.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig (default: $KUBECONFIG)")
    status.add_argument("--context", metavar="NAME", help="kube context (default: current)")
    command("vars", "run_vars", "each ${VAR}: where it is defined and what uses it")
    command(
        "lint",
        "run_lint",
        "findings: undefined variables, bad YAML, orphans, broken dependsOn, ...",
    ).add_argument(
        "--min-severity",
        choices=SEVERITIES,
        default="info",
        help="hide findings below this severity (default: show all)",
    )


def _env_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    env = commands.add_parser(
        "env",
        help="SOPS-encrypted settings (clusterenv.yaml, secrets)",
        description="Decrypt, edit and re-key SOPS files in memory.",
    )
    actions = env.add_subparsers(dest="env_command", metavar="ACTION", required=True)

    def action(
        name: str, module: str, function: str, help_text: str, file: bool = False
    ) -> argparse.ArgumentParser:
        parser = _common(
            actions.add_parser(
                name, help=help_text, description=help_text, epilog=PATH_HELP if file else None
            ),
            _lazy(module, function),
        )
        if file:
            parser.add_argument(
                "--file",
                metavar="F",
                help="SOPS file: YAML, JSON, .env, .ini or binary, by name as sops decides "
                "(default: the cluster's clusterenv.yaml)",
            )
        return parser

    def keyed(name: str, function: str, help_text: str) -> argparse.ArgumentParser:
        parser = action(name, "env", function, help_text, file=True)
        parser.add_argument("key", metavar="KEY", help="key path (see below)")
        parser.add_argument(
            "--document",
            type=int,
            metavar="N",
            help="in a multi-document YAML file, the N-th document (default: the first that "
            "has the key)",
        )
        return parser

    action(
        "show", "env", "run_show", "list the values (masked unless --reveal)", file=True
    ).add_argument("--reveal", action="store_true", help="show secret values")
    keyed("get", "run_get", "print one decrypted value")
    keyed("set", "run_set", "set a value read from stdin or a hidden prompt")
    keyed("rm", "run_rm", "remove a key (or a whole map or list)")
    rotate = keyed("rotate", "run_rotate", "replace a value with a random one")
    rotate.add_argument("--length", type=int, default=32, help="characters (words for words)")
    rotate.add_argument("--charset", choices=CHARSETS, default="alnum")
    rotate.add_argument("--commit", action="store_true", help="git commit the file after saving")
    rotate.add_argument("--push", action="store_true", help="push the commit if there is a remote")
    rotate.add_argument(
        "--reconcile",
        action="store_true",
        help="reconcile the source, then the Kustomizations using KEY (dependencies first), "
        "and list the workloads consuming it; exit 0 only if all succeeded",
    )
    rotate.add_argument(
        "--restart", action="store_true", help="rollout-restart consumers that keep the old value"
    )
    rotate.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig (default: $KUBECONFIG)")
    rotate.add_argument("--context", metavar="NAME", help="kube context (default: current)")
    rotate.add_argument("--poll-interval", type=float, default=2.0, help=argparse.SUPPRESS)
    update = action(
        "updatekeys",
        "env_keys",
        "run_updatekeys",
        "re-seal data keys for the recipients .sops.yaml names",
    )
    update.add_argument("paths", nargs="*", metavar="PATH", help="default: every SOPS file")
    update.add_argument("--dry-run", action="store_true", help="only list what would change")
    rotate_key = action(
        "rotate-datakey",
        "env_keys",
        "run_rotate_datakey",
        "re-encrypt files under new data keys (every value gets a new ciphertext)",
    )
    rotate_key.add_argument("paths", nargs="*", metavar="PATH", help="default: every SOPS file")
    rotate_key.add_argument("--dry-run", action="store_true", help="only list what would change")
    action(
        "encrypt", "env_keys", "run_encrypt", "encrypt a plaintext file in place per .sops.yaml"
    ).add_argument("path")
    action(
        "check",
        "env_keys",
        "run_check",
        "every file a creation rule matches is encrypted as it says",
    )


def _sim_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = commands.add_parser(
        "sim",
        help="run the simulated cluster in the foreground",
        description="Run the simulated Kubernetes API server, Flux controllers and a fake"
        " talosctl until interrupted, and print how to point kubectl or tuiops at it.",
    )
    sim.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    sim.add_argument("--kubeconfig", metavar="PATH", help="write the kubeconfig here")
    sim.add_argument(
        "--scenario", choices=SCENARIOS, default="degraded", help="what the cluster holds"
    )
    sim.set_defaults(run=_lazy("sim", "run_sim"))


def _logs_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The flags of `flux logs` (flux2 v2.7.5), plus the kube context and `--json`."""
    logs = commands.add_parser(
        "logs",
        help="the Flux controllers' logs, as flux logs prints them",
        description="The Flux controllers' logs, pods picked and lines filtered and printed as"
        " `flux logs` does. With -f, broken streams resume without a lost or doubled line.",
    )
    logs.add_argument("-f", "--follow", action="store_true", help="stream new lines")
    logs.add_argument("--level", choices=LOG_LEVELS, help="only lines of this log level")
    logs.add_argument("--kind", metavar="KIND", help="only lines about this kind of object")
    logs.add_argument("--name", metavar="NAME", help="only lines about objects of this name")
    logs.add_argument(
        "-n",
        "--namespace",
        default=FLUX_NAMESPACE,
        metavar="NS",
        help=f"only lines about objects in this namespace (default: {FLUX_NAMESPACE})",
    )
    logs.add_argument(
        "-A",
        "--all-namespaces",
        action="store_true",
        help="lines about objects in any namespace, and lines about none (startup)",
    )
    logs.add_argument("--since", metavar="DURATION", help="only lines newer than this (5m, 1h)")
    logs.add_argument("--tail", type=int, metavar="N", help="the last N lines of each controller")
    logs.add_argument(
        "--flux-namespace",
        default=FLUX_NAMESPACE,
        metavar="NS",
        help=f"where the Flux controllers run (default: {FLUX_NAMESPACE})",
    )
    logs.add_argument("--json", action="store_true", help="print the JSON lines as logged")
    logs.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig (default: $KUBECONFIG)")
    logs.add_argument("--context", metavar="NAME", help="kube context (default: current)")
    logs.set_defaults(run=_lazy("logs", "run_logs"))


FLUX_VERBS = ("reconcile", "suspend", "resume")
FLUX_TARGET_HELP = (
    "The object is KIND/NAME, KIND NAME or source KIND NAME (as flux: source git NAME). KIND: "
    "ks|kustomization, hr|helmrelease, gitrepo|gitrepository, ocirepo|ocirepository, "
    "helmrepo|helmrepository, hc|helmchart, bucket. Exit 0 when the controller answered with "
    "success, 1 when it failed, timed out or read-only refused it (--read-only, or read_only "
    "in $XDG_CONFIG_HOME/tuiops/config.toml), 2 for usage errors and no reachable cluster. "
    "Every attempt is recorded in $XDG_STATE_HOME/tuiops/audit.jsonl."
)


def _flux_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`tuiops reconcile|suspend|resume`: the console's Flux actions, flux's flags."""
    helps = {
        "reconcile": "ask Flux to reconcile an object now and wait for the answer",
        "suspend": "suspend an object's reconciliation (spec.suspend: true)",
        "resume": "resume an object's reconciliation and wait for it to be reconciled",
    }
    for verb in FLUX_VERBS:
        parser = commands.add_parser(
            verb, help=helps[verb], description=helps[verb], epilog=FLUX_TARGET_HELP
        )
        parser.add_argument("target", nargs="+", metavar="KIND/NAME", help="the object")
        parser.add_argument(
            "-n",
            "--namespace",
            default=FLUX_NAMESPACE,
            metavar="NS",
            help=f"the object's namespace (default: {FLUX_NAMESPACE})",
        )
        if verb == "reconcile":
            parser.add_argument(
                "--with-source", action="store_true", help="reconcile the source first"
            )
            parser.add_argument(
                "--force", action="store_true", help="HelmRelease: a one-off install/upgrade"
            )
            parser.add_argument(
                "--reset", action="store_true", help="HelmRelease: clear the failure counts"
            )
        if verb == "resume":
            parser.add_argument(
                "--no-wait", action="store_true", help="do not wait for the reconciliation"
            )
        parser.add_argument(
            "--timeout", default="5m", metavar="DURATION", help="how long to wait (default: 5m)"
        )
        parser.add_argument(
            "--poll-interval", type=float, default=2.0, help=argparse.SUPPRESS
        )  # seconds between status reads (flux: 2 s); tests poll faster
        # Its own dest: a sub-parser's default would overwrite `tuiops --read-only reconcile`.
        parser.add_argument(
            "--read-only",
            dest="command_read_only",
            action="store_true",
            help="refuse the change (recorded as refused); also read_only in config.toml",
        )
        parser.add_argument("--json", action="store_true", help="the outcome as JSON on stdout")
        parser.add_argument(
            "--kubeconfig", metavar="PATH", help="kubeconfig (default: $KUBECONFIG)"
        )
        parser.add_argument("--context", metavar="NAME", help="kube context (default: current)")
        parser.set_defaults(run=_lazy("flux_commands", "run_flux_action"))


def _example_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    example = commands.add_parser(
        "example",
        help="the bundled example repo (read-only; copy it to change it)",
        description="The bundled, fictional clustertool repo. It is package data and never "
        "written: copy it to a folder of your own to try edits and rotations on it.",
    )
    actions = example.add_subparsers(dest="example_command", metavar="ACTION", required=True)
    copy = actions.add_parser("copy", help="copy it (with its demo-only key) to DIR")
    copy.add_argument("dir", metavar="DIR", help="a new or empty folder")
    copy.set_defaults(run=_lazy("example", "run_copy"))


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given `argv`, only the sub-parser it names is built (a few ms less at every
    start, which `tuiops env get` in scripts pays each time)."""
    parser = argparse.ArgumentParser(
        prog="tuiops",
        description="Console for Talos + Kubernetes + Flux homelabs run from a GitOps repo.",
    )
    parser.add_argument("--version", action="version", version=f"tuiops {__version__}")
    console = parser.add_argument_group("console (when no COMMAND is given)")
    console.add_argument(
        "--demo", action="store_true", help="open the console on a simulated cluster"
    )
    console.add_argument("--repo", metavar="DIR", help="GitOps repo (default: the git root here)")
    console.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig (default: $KUBECONFIG)")
    console.add_argument("--context", metavar="NAME", help="kube context (default: current)")
    console.add_argument("--offline", action="store_true", help="the repo only, no cluster")
    console.add_argument("--read-only", action="store_true", help="no actions that change state")
    parser.set_defaults(run=_lazy("console", "run_console"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = argv[0] if argv else None
    if wanted != "env":
        _repo_commands(commands, None if wanted not in REPO_COMMANDS else wanted)
    if wanted in (None, "env") or wanted not in REPO_COMMANDS:
        _env_commands(commands)
    if wanted in (None, "sim") or wanted not in (*REPO_COMMANDS, "env"):
        _sim_command(commands)
    if wanted in (None, "example") or wanted not in (*REPO_COMMANDS, "env", "sim"):
        _example_command(commands)
    if wanted in (None, "logs") or wanted not in (*REPO_COMMANDS, "env", "sim", "example"):
        _logs_command(commands)
    if wanted in (None, *FLUX_VERBS) or wanted not in (
        *REPO_COMMANDS,
        "env",
        "sim",
        "example",
        "logs",
    ):
        _flux_commands(commands)
    return parser
