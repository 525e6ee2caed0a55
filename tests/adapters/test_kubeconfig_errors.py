"""Kubeconfig and credential-plugin failures are one line, never a traceback, never
"connecting" forever, and never a request sent without credentials."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.adapters.faults import (
    STATUS_LIMIT,
    FaultServer,
    env_with_kubeconfig,
    kubeconfig_text,
    run_status,
    wait_for,
)
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kube_watch import ResourceWatcher
from tuiops.adapters.kubeconfig import list_contexts
from tuiops.cli import main
from tuiops.domain.feed import FeedState
from tuiops.domain.kinds import KUSTOMIZATION
from tuiops.errors import CredentialsFailed, NoKubeconfig
from tuiops.wiring import cluster_backend


def _status_in_process(
    kubeconfig: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, float]:
    """`tuiops status --example` through the CLI's main, in this process."""
    monkeypatch.setenv("KUBECONFIG", kubeconfig)
    started = time.monotonic()
    code = main(["status", "--example"])
    seconds = time.monotonic() - started
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err, seconds


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _plugin(tmp_path: Path, body: str, name: str = "plugin") -> Path:
    """An executable credential plugin (Python) in `tmp_path`."""
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport json, os, sys, time\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def _exec_user(plugin: Path) -> str:
    return (
        "    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1beta1\n"
        f"      command: {plugin}\n"
        "      args: [--cluster, home]\n"
    )


TOKEN_BODY = """
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
assert info["spec"]["interactive"] is False, info
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1",
                  "kind": "ExecCredential", "status": {"token": "from-plugin"}}))
"""


# -- the kubeconfig itself -----------------------------------------------------------------


def test_invalid_yaml_is_one_line_naming_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "config"
    broken.write_text("apiVersion: v1\nclusters:\n- name: c\n  cluster: {server: [\n", "utf-8")
    code, stderr, seconds = _status_in_process(str(broken), monkeypatch, capsys)
    line = _one_line(stderr)
    assert code == 2 and seconds < STATUS_LIMIT
    assert f"the kubeconfig {broken} is not valid YAML: line " in line, line


def test_one_broken_file_among_several_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good, broken = tmp_path / "good", tmp_path / "broken"
    good.write_text(kubeconfig_text("http://127.0.0.1:9"), "utf-8")
    broken.write_text("users: [\n  - {name: u\n", "utf-8")
    listed = os.pathsep.join([str(good), str(tmp_path / "missing"), str(broken)])
    code, stderr, _seconds = _status_in_process(listed, monkeypatch, capsys)
    line = _one_line(stderr)
    assert code == 2
    assert f"the kubeconfig {broken} is not valid YAML" in line, line


def test_no_current_context_lists_the_contexts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    text = kubeconfig_text("http://127.0.0.1:9").replace("current-context: x\n", "")
    config.write_text(text, "utf-8")
    code, stderr, _seconds = _status_in_process(str(config), monkeypatch, capsys)
    line = _one_line(stderr)
    assert code == 2
    assert "sets no current-context: pick one with --context (contexts: x)" in line, line


@pytest.mark.parametrize(
    ("replace", "says"),
    [
        (("cluster: c\n    user", "cluster: gone\n    user"), "names cluster 'gone', which"),
        (("user: u\ncurrent", "user: nobody\ncurrent"), "names user 'nobody', which"),
        (("current-context: x", "current-context: elsewhere"), "has no context 'elsewhere'"),
    ],
)
def test_a_context_naming_what_is_not_there(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    replace: tuple[str, str],
    says: str,
) -> None:
    config = tmp_path / "config"
    text = kubeconfig_text("http://127.0.0.1:9")
    assert replace[0] in text
    config.write_text(text.replace(*replace), "utf-8")
    code, stderr, _seconds = _status_in_process(str(config), monkeypatch, capsys)
    assert code == 2 and says in _one_line(stderr), stderr


def test_merge_follows_client_go(tmp_path: Path) -> None:
    """First file wins per name and for current-context; relative paths are per file."""
    from tuiops.adapters.kubeconfig import load_context

    first, second = tmp_path / "a" / "config", tmp_path / "b" / "config"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text(
        "clusters:\n- name: c\n  cluster:\n    server: https://first\n"
        "    certificate-authority: ca.pem\n",
        "utf-8",
    )
    second.write_text(
        kubeconfig_text("https://second", user="    client-certificate: me.pem\n"), "utf-8"
    )
    environ = {"KUBECONFIG": os.pathsep.join([str(first), str(second)])}
    context = load_context(environ=environ)
    assert context.name == "x" and context.server == "https://first"
    assert context.cluster["certificate-authority"] == str(first.parent / "ca.pem")
    assert context.user["client-certificate"] == str(second.parent / "me.pem")
    with pytest.raises(NoKubeconfig, match="no kubeconfig at /nowhere"):
        load_context("/nowhere")


def test_the_console_goes_offline_with_the_reason(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("clusters: [\n", "utf-8")
    backend = cluster_backend(None, kubeconfig=str(config))
    assert backend.flux is None
    assert backend.offline_reason.startswith(f"offline: the kubeconfig {config} is not valid")
    assert "\n" not in backend.offline_reason


# -- the credential plugin -----------------------------------------------------------------


def test_a_failing_plugin_is_one_line_and_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = FaultServer(mode="silent").start()
    try:
        plugin = _plugin(
            tmp_path,
            'print("starting", file=sys.stderr)\n'
            'print("error: token expired, run `home-login`", file=sys.stderr)\n'
            "sys.exit(1)",
        )
        config = tmp_path / "config"
        config.write_text(kubeconfig_text(server.url, user=_exec_user(plugin)), "utf-8")
        code, stderr, _seconds = _status_in_process(str(config), monkeypatch, capsys)
        line = _one_line(stderr)
        assert code == 2
        assert line == (
            "tuiops: the credential plugin plugin of user 'u' exited 1:"
            " error: token expired, run `home-login`"
        )
        assert server.accepted == 0, "a request went out without credentials"
    finally:
        server.stop()


def test_a_hanging_plugin_times_out_and_is_killed(tmp_path: Path) -> None:
    server = FaultServer(mode="silent").start()
    pid_file = tmp_path / "pid"
    try:
        plugin = _plugin(
            tmp_path, f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(300)"
        )
        config = tmp_path / "config"
        config.write_text(kubeconfig_text(server.url, user=_exec_user(plugin)), "utf-8")
        done = run_status(env_with_kubeconfig(str(config)))
        line = _one_line(done.stderr)
        assert done.returncode == 2 and done.seconds < STATUS_LIMIT, done
        assert "the credential plugin plugin of user 'u' did not finish within" in line
        assert "(timed out)" in line
        assert server.accepted == 0
        pid = int(pid_file.read_text())
        wait_for(lambda: not _alive(pid), 5)
    finally:
        server.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_plugin_token_is_sent(tmp_path: Path) -> None:
    from tests.faults.api.test_feed_states import FakeApiServer

    with FakeApiServer() as server:
        plugin = _plugin(tmp_path, TOKEN_BODY)
        config = tmp_path / "config"
        config.write_text(kubeconfig_text(server.url, user=_exec_user(plugin)), "utf-8")
        api = KubeApi(str(config))
        try:
            items, _version = api.list_all(KUSTOMIZATION)
        finally:
            api.close()
        assert items == []
        assert server.authorizations == ["Bearer from-plugin"]


def test_a_refused_token_runs_the_plugin_again(tmp_path: Path) -> None:
    from tests.faults.api.test_feed_states import FakeApiServer

    counter = tmp_path / "runs"
    counter.write_text("0", "utf-8")
    body = f"""
runs = int(open({str(counter)!r}).read()) + 1
open({str(counter)!r}, "w").write(str(runs))
print(json.dumps({{"apiVersion": "client.authentication.k8s.io/v1beta1",
                  "kind": "ExecCredential", "status": {{"token": f"token-{{runs}}"}}}}))
"""
    with FakeApiServer(refuse={"Bearer token-1"}) as server:
        config = tmp_path / "config"
        config.write_text(
            kubeconfig_text(server.url, user=_exec_user(_plugin(tmp_path, body))), "utf-8"
        )
        api = KubeApi(str(config))
        try:
            api.list_all(KUSTOMIZATION)
        finally:
            api.close()
        assert server.authorizations == ["Bearer token-1", "Bearer token-2"]
        assert counter.read_text() == "2"


def test_a_feed_with_a_failing_plugin_says_error(tmp_path: Path) -> None:
    plugin = _plugin(tmp_path, 'print("no browser here", file=sys.stderr); sys.exit(3)')
    config = tmp_path / "config"
    config.write_text(kubeconfig_text("http://127.0.0.1:9", user=_exec_user(plugin)), "utf-8")
    api = KubeApi(str(config))
    watcher = ResourceWatcher(api, KUSTOMIZATION, lambda obj: obj).start()
    try:
        wait_for(lambda: watcher.status.state is FeedState.ERROR, 10)
        assert watcher.status.message.endswith("exited 3: no browser here")
        assert not watcher.status.listed and watcher.status.last_contact is None
    finally:
        watcher.stop()


def test_plugin_output_without_a_credential_is_refused(tmp_path: Path) -> None:
    from tuiops.adapters.exec_credential import run_exec_plugin
    from tuiops.adapters.kubeconfig import load_context

    plugin = _plugin(tmp_path, 'print(json.dumps({"kind": "ExecCredential"}))')
    config = tmp_path / "config"
    config.write_text(kubeconfig_text("http://127.0.0.1:9", user=_exec_user(plugin)), "utf-8")
    with pytest.raises(CredentialsFailed, match="answered apiVersion None, not 'client"):
        run_exec_plugin(load_context(str(config)))
    missing = tmp_path / "missing"
    config.write_text(kubeconfig_text("http://127.0.0.1:9", user=_exec_user(missing)), "utf-8")
    with pytest.raises(CredentialsFailed, match="not installed or not on PATH"):
        run_exec_plugin(load_context(str(config)))


def test_contexts_are_listed_across_merged_files(tmp_path: Path) -> None:
    """`:ctx` lists what `kubectl config get-contexts` lists: every context of every file in
    $KUBECONFIG (the first definition of a name wins), the current one marked, and a context
    whose cluster is missing listed with no server rather than hiding the others."""
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(
        "current-context: home\n"
        "clusters: [{name: home, cluster: {server: 'https://10.0.0.1:6443'}}]\n"
        "contexts: [{name: home, context: {cluster: home, namespace: media}}]\n",
        encoding="utf-8",
    )
    second.write_text(
        "current-context: work\n"
        "contexts:\n"
        "- {name: work, context: {cluster: gone}}\n"
        "- {name: home, context: {cluster: other}}\n",
        encoding="utf-8",
    )
    environ = {"KUBECONFIG": f"{first}{os.pathsep}{second}"}
    listed = list_contexts(None, environ)
    assert [(c.name, c.server, c.namespace, c.current) for c in listed] == [
        ("home", "https://10.0.0.1:6443", "media", True),
        ("work", "", "", False),
    ]
    with pytest.raises(NoKubeconfig, match="does not exist"):
        list_contexts(None, {"KUBECONFIG": str(tmp_path / "missing")})
