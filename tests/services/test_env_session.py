"""The Env screen's state API on a copy of the example repo: listing SOPS files with their
recipients and policy status, rows with who uses each variable, staged edits, checks, review,
and the save through the SOPS engine (the real sops reads the result; the diff is `sops set`'s),
refused after an outside change. No value ever shows in a message."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.sops.strategies import SOPS, SOPS_TIMEOUT, require_tools
from tuiops.domain.env_checks import MASK, EditKind
from tuiops.errors import TuiopsError
from tuiops.services.console_state import EnvFile, EnvSession
from tuiops.sim.example_repo import copy_example

CLUSTERENV = "clusters/main/clusterenv.yaml"
DEPLOY_KEY = "clusters/main/kubernetes/flux-system/flux/deploykey.secret.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "repo")


def session_of(repo: Path) -> EnvSession:
    """A session that finds only the repo's own `age.agekey` (not the developer's keys)."""
    return EnvSession(repo, environ={}, home=repo / ".home-none")


def open_file(repo: Path, rel: str = CLUSTERENV) -> EnvFile:
    session = session_of(repo)
    info = next(info for info in session.files() if info.rel == rel)
    return session.open(info)


def sops(repo: Path, *args: str) -> str:
    """The real sops, with the repo's demo key as its only identity."""
    require_tools()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo / ".home-none"),
        "SOPS_DISABLE_VERSION_CHECK": "1",
        "SOPS_AGE_KEY_FILE": str(repo / "age.agekey"),
    }
    done = subprocess.run(
        [str(SOPS), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=SOPS_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"sops {args[0]} failed: {done.stderr}"
    return done.stdout


def changed_lines(before: str, after: str) -> set[int]:
    """Indices of the lines that differ (same line count expected), `lastmodified` always
    counted: a write in the same second as the original leaves it as it was."""
    old, new = before.split("\n"), after.split("\n")
    assert len(old) == len(new), "the edit added or removed lines"
    stamp = next(i for i, line in enumerate(old) if line.startswith("    lastmodified: "))
    return {i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b} | {stamp}


def assert_same_diff_as_sops_set(repo: Path, original: str, rel: str, key: str, value: str) -> None:
    """The file at `rel` differs from `original` in exactly the lines `sops set` changes."""
    theirs = repo / "theirs.yaml"
    theirs.write_text(original, encoding="utf-8")
    sops(repo, "set", theirs.name, f'["{key}"]', json.dumps(value))
    ours = (repo / rel).read_text(encoding="utf-8")
    assert changed_lines(original, ours) == changed_lines(original, theirs.read_text("utf-8"))
    theirs.unlink()


def test_files_are_listed_clusterenv_first_with_recipients_and_policy(repo: Path) -> None:
    infos = session_of(repo).files()
    assert [info.rel for info in infos] == [
        CLUSTERENV,
        "clusters/main/kubernetes/flux-system/flux/clustersettings.secret.yaml",
        DEPLOY_KEY,
    ]
    assert all(info.policy == "ok" and info.policy_ok for info in infos)
    assert infos[0].recipients_text == "age1gk9av…dkcm"


def test_a_recipient_the_rule_does_not_name_is_a_policy_problem(repo: Path) -> None:
    config = repo / ".sops.yaml"
    other = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    lines = config.read_text().split("\n")
    secrets_rule = next(i for i, line in enumerate(lines) if "secret.ya?ml" in line)
    lines[secrets_rule + 1] = lines[secrets_rule + 1].replace("age: ", f"age: {other},")
    config.write_text("\n".join(lines))
    first = session_of(repo).files()
    policies = {info.rel: info.policy for info in first}
    assert policies[CLUSTERENV] == "ok"  # its rule is another one
    assert policies[DEPLOY_KEY] == f"missing {other[:9]}…{other[-4:]}"
    assert not next(i for i in first if i.rel == DEPLOY_KEY).policy_ok


def test_rows_are_decrypted_masked_and_counted(repo: Path) -> None:
    env = open_file(repo)
    rows = {row.key: row for row in env.rows()}
    assert rows["PLEX_IP"].value == "192.168.10.205"
    assert rows["PLEX_IP"].masked() == MASK and rows["PLEX_IP"].secret
    assert rows["NAS_IP"].uses == 15
    assert rows["MASTER1IP"].users == ("clustertool",)
    assert rows["TZ"].uses > 30


def test_a_secret_manifest_shows_only_its_string_data(repo: Path) -> None:
    env = open_file(repo, DEPLOY_KEY)
    assert [row.key for row in env.rows()] == [
        "stringData.identity",
        'stringData."identity.pub"',
        "stringData.known_hosts",
    ]
    assert env.stage_add("NEW_TOKEN", "abc") == "stringData.NEW_TOKEN"


def test_data_values_of_a_secret_are_decoded_and_saved_encoded(repo: Path) -> None:
    env = open_file(repo, DEPLOY_KEY)
    assert env.stage_add("data.token", "hello world") == "data.token"
    assert env.save().saved
    raw = sops(repo, "-d", "--extract", '["data"]["token"]', DEPLOY_KEY)
    assert raw == "aGVsbG8gd29ybGQ="  # base64 of the value, as Kubernetes reads it
    again = open_file(repo, DEPLOY_KEY)
    token = next(row for row in again.rows() if row.key == "data.token")
    assert token.value == "hello world" and token.base64


def test_staging_shows_in_rows_checks_and_review(repo: Path) -> None:
    env = open_file(repo)
    env.stage_set("PLEX_IP", "192.168.10.206")
    env.stage_delete("TZ")
    added = env.stage_add("NEW_KEY", "new-value")
    staged = {row.key: row.staged for row in env.rows() if row.staged is not None}
    assert staged == {"PLEX_IP": EditKind.SET, "TZ": EditKind.DELETE, added: EditKind.ADD}
    checks = [str(check) for check in env.checks()]
    assert checks[0] == "PLEX_IP: LoadBalancer IP also used by JELLYFIN_IP"
    assert checks[1].startswith("TZ: deleted, but used by apps/audiobookshelf/app/")
    assert [line.text() for line in env.review()] == [
        f"~ PLEX_IP: {MASK} → {MASK} (changed)",
        f"- TZ: {MASK}",
        f"+ NEW_KEY: {MASK}",
    ]
    outcome = env.save()  # the error blocks it
    assert not outcome.saved and outcome.message.startswith("not saved: PLEX_IP: LoadBalancer")
    env.stage_set("PLEX_IP", "192.168.10.205")  # back to the value read: no edit
    assert [edit.key for edit in env.edits] == ["TZ", "NEW_KEY"]
    env.stage_delete("NEW_KEY")  # only staged: dropped
    env.discard()
    assert env.edits == ()


def test_save_gives_the_sops_set_diff_and_sops_reads_it(repo: Path) -> None:
    original = (repo / CLUSTERENV).read_text(encoding="utf-8")
    env = open_file(repo)
    env.stage_set("PLEX_IP", "192.168.10.240")
    outcome = env.save()
    assert outcome.saved and outcome.message == f"saved {CLUSTERENV}: 1 change"
    assert sops(repo, "-d", "--extract", '["PLEX_IP"]', CLUSTERENV) == "192.168.10.240"
    assert_same_diff_as_sops_set(repo, original, CLUSTERENV, "PLEX_IP", "192.168.10.240")
    assert env.edits == () and env.row("PLEX_IP") is not None
    assert env.save().message == f"{CLUSTERENV}: nothing staged, nothing written"


def test_a_file_changed_on_disk_is_not_overwritten(repo: Path) -> None:
    env = open_file(repo)
    path = repo / CLUSTERENV
    outside = path.read_text(encoding="utf-8") + "# an outside edit\n"
    path.write_text(outside, encoding="utf-8")
    assert env.changed_on_disk()
    env.stage_set("PLEX_IP", "192.168.10.240")
    outcome = env.save()
    assert not outcome.saved and outcome.changed_on_disk
    assert (
        outcome.message
        == f"{CLUSTERENV} changed on disk since it was read; nothing written (reload)"
    )
    assert path.read_text(encoding="utf-8") == outside
    fresh = env.reload()
    assert fresh.edits == () and not fresh.changed_on_disk()


def test_messages_never_hold_a_value(repo: Path) -> None:
    env = open_file(repo)
    sentinel = "sentinel-3f9c1e"
    with pytest.raises(TuiopsError) as raised:
        env.stage_set("NO_SUCH_KEY", sentinel)
    assert sentinel not in str(raised.value)
    with pytest.raises(TuiopsError) as raised:
        env.stage_add("PLEX_IP", sentinel)
    assert str(raised.value) == f"{CLUSTERENV}: PLEX_IP exists already; edit it instead"
    env.stage_set("NAS_IP", sentinel)
    assert all(sentinel not in str(check) for check in env.checks())
    assert sentinel not in env.save().message
