"""Every bad input seen to give a traceback now gives exit 2, one line on stderr, and no change
to the file; and the key sources go on past a broken one, as sops does."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from tests.sops.oracle import FIRST, SECOND, run_sops, run_tuiops, sops_decrypt
from tuiops.gitops.sops.errors import FileChangedError
from tuiops.gitops.sops.files import open_sops_file
from tuiops.gitops.sops.keys import parse_identities


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "clusterenv.yaml"
    path.write_text("A: one\nB: two\nnested:\n    c: 3\n", encoding="utf-8")
    assert run_sops(["-e", "-i", "--age", FIRST.recipient, path.name], tmp_path).code == 0
    return path


def _type_changed(path: Path) -> None:
    text = path.read_text()
    path.write_text(re.sub(r"type:str\]", "type:int]", text, count=1))


CASES: list[tuple[str, list[str], bytes, dict[str, str]]] = [
    ("empty key", ["env", "set", ""], b"v", {}),
    ("a dot", ["env", "set", "."], b"v", {}),
    ("[x]", ["env", "set", "[x]"], b"v", {}),
    ("a list position on a map", ["env", "get", "nested[0]"], b"", {}),
    ("invalid UTF-8 on stdin", ["env", "set", "A"], b"\xff\xfe", {}),
    ("a map", ["env", "get", "nested"], b"", {}),
    ("no such key", ["env", "rm", "NOPE"], b"", {}),
    ("bad --document", ["env", "get", "A", "--document", "0"], b"", {}),
    ("length", ["env", "rotate", "A", "--length", "0"], b"", {}),
]


@pytest.mark.parametrize(("label", "args", "stdin", "env"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(
    secret_file: Path, label: str, args: list[str], stdin: bytes, env: dict[str, str]
) -> None:
    before = secret_file.read_bytes()
    result = run_tuiops(
        [*args, "--file", str(secret_file)],
        secret_file.parent,
        stdin=stdin,
        keys=FIRST.secret,
        env=env,
    )
    assert result.one_line_error, (label, result)
    assert secret_file.read_bytes() == before


def test_a_changed_type_field_is_tampering_not_a_crash(secret_file: Path) -> None:
    _type_changed(secret_file)
    result = run_tuiops(
        ["env", "get", "A", "--file", str(secret_file)], secret_file.parent, keys=FIRST.secret
    )
    assert result.one_line_error and "type" in result.err, result


@pytest.mark.parametrize(
    "env",
    [
        {"SOPS_AGE_KEY_CMD": "printf '\\377\\376binary'"},
        {"SOPS_AGE_KEY_CMD": "echo 'unbalanced"},
        {"SOPS_AGE_KEY_CMD": "false"},
        {"SOPS_AGE_KEY_CMD": "/nonexistent/key-command"},
        {"SOPS_AGE_KEY_FILE": "BINARY"},
        {"SOPS_AGE_KEY_FILE": "/nonexistent/keys.txt"},
    ],
    ids=["cmd-binary", "cmd-quote", "cmd-fails", "cmd-missing", "file-binary", "file-missing"],
)
def test_a_broken_key_source_does_not_block_a_working_one(
    secret_file: Path, env: dict[str, str]
) -> None:
    if env.get("SOPS_AGE_KEY_FILE") == "BINARY":
        binary = secret_file.parent / "keys.bin"
        binary.write_bytes(b"\x00\xff\xfe garbage \x80")
        env = {"SOPS_AGE_KEY_FILE": str(binary)}
    working = secret_file.parent / "keys.txt"
    working.write_text(FIRST.secret)
    # Broken alone: one line.
    alone = run_tuiops(["env", "get", "A", "--file", str(secret_file)], secret_file.parent, env=env)
    assert alone.one_line_error, alone
    # Broken beside a working default keys file: the value, as sops gives it.
    default = secret_file.parent / ".config-none" / "sops" / "age"
    default.mkdir(parents=True)
    (default / "keys.txt").write_text(FIRST.secret)
    both = run_tuiops(["env", "get", "A", "--file", str(secret_file)], secret_file.parent, env=env)
    assert both.code == 0 and both.out == "one\n", both


def test_rotate_datakey_changes_nothing_unless_every_file_opens(tmp_path: Path) -> None:
    files = []
    for name, recipient in (("a.yaml", FIRST.recipient), ("b.yaml", SECOND.recipient)):
        path = tmp_path / name
        path.write_text("K: v\n")
        assert run_sops(["-e", "-i", "--age", recipient, name], tmp_path).code == 0
        files.append(path)
    before = [p.read_bytes() for p in files]
    result = run_tuiops(["env", "rotate-datakey", *map(str, files)], tmp_path, keys=FIRST.secret)
    assert result.one_line_error, result
    assert [p.read_bytes() for p in files] == before


def test_updatekeys_follows_the_named_repo_not_the_current_folder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".sops.yaml").write_text(f"creation_rules:\n  - age: {FIRST.recipient}\n")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / ".sops.yaml").write_text(f"creation_rules:\n  - age: {SECOND.recipient}\n")
    path = repo / "env.yaml"
    path.write_text("K: v\n")
    assert run_sops(["-e", "-i", "--age", FIRST.recipient, "env.yaml"], repo).code == 0
    result = run_tuiops(["env", "updatekeys", "--repo", str(repo)], other, keys=FIRST.secret)
    assert result.code == 0 and "0 file(s) updated" in result.out, result
    assert sops_decrypt(path, SECOND.secret).code != 0


def test_show_prints_hostile_key_names_inert(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text('"\\e]52;c;cm0gLXJmIH4=\\a\\e]0;pwned\\a": x\n"\\e[2J": y\n')
    assert run_sops(["-e", "-i", "--age", FIRST.recipient, "evil.yaml"], tmp_path).code == 0
    for args in (["env", "show"], ["env", "show", "--reveal"]):
        result = run_tuiops([*args, "--file", str(path)], tmp_path, keys=FIRST.secret)
        assert result.code == 0, result.err
        assert not any(c in result.out for c in "\x1b\x07\x9b\x9d"), repr(result.out)


# -- concurrency -------------------------------------------------------------------------------


def test_a_change_on_disk_since_the_read_is_never_overwritten(secret_file: Path) -> None:
    sources = [parse_identities(FIRST.secret, "test")]
    opened = open_sops_file(secret_file, sources)
    planned = opened.set(("A",), "mine")
    assert planned is not None
    other = open_sops_file(secret_file, sources)
    theirs = other.set(("B",), "theirs")
    assert theirs is not None
    other.save(theirs)
    with pytest.raises(FileChangedError):
        opened.save(planned)
    assert sops_decrypt(secret_file, FIRST.secret).out.startswith("A: one\nB: theirs\n")


def test_racing_writers_never_lose_a_change_silently(secret_file: Path) -> None:
    sources = [parse_identities(FIRST.secret, "test")]
    keys = [f"K{n}" for n in range(6)]
    saved: list[str] = []
    refused: list[str] = []
    start = threading.Barrier(len(keys))

    def writer(key: str) -> None:
        opened = open_sops_file(secret_file, sources)
        planned = opened.set((key,), f"value-{key}")
        assert planned is not None
        start.wait()
        try:
            opened.save(planned)
            saved.append(key)
        except FileChangedError:
            refused.append(key)

    threads = [threading.Thread(target=writer, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(saved) == 1 and len(refused) == len(keys) - 1  # all read the same version
    final = sops_decrypt(secret_file, FIRST.secret)
    assert final.code == 0 and f"{saved[0]}: value-{saved[0]}" in final.out
