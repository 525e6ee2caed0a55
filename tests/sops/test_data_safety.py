"""Every way a SOPS command was seen to lose or corrupt data, each with the real sops as judge.

A command either leaves a file that `sops -d` decrypts, for every recipient the rules name, to
exactly what was meant (and that no removed recipient can open), or it refuses with one line
and the file's bytes are unchanged. Where sops has the same command (`set`, `unset`), the
decrypted results of both tools are compared.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.sops.oracle import (
    FIRST,
    SECOND,
    Identity,
    new_identity,
    run_sops,
    run_tuiops,
    sops_config,
    sops_decrypt,
)

PLAIN = (
    "a: one\nnested:\n    x: 1\n    list:\n        - p\n        - q\n"
    "    only:\n        c: 3\nz: last\n"
)


def _encrypt_with_sops(folder: Path, name: str, text: str, *recipients: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    done = run_sops(["-e", "-i", "--age", ",".join(recipients), name], folder)
    assert done.code == 0, done.err
    return path


def _keys(*identities: Identity) -> str:
    return "".join(identity.secret for identity in identities)


def _refused_unchanged(result_code: int, err: str, path: Path, before: bytes) -> None:
    assert result_code == 2 and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert path.read_bytes() == before


# -- key groups and recipients ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "threshold", "must_open", "must_fail"),
    [
        ([[0], [1]], 2, [[0, 1]], [[0], [1]]),
        ([[0, 2], [1], [3]], 2, [[0, 1], [2, 3], [1, 3]], [[0], [2], [3]]),
    ],
)
def test_updatekeys_to_key_groups_is_read_by_sops_for_every_quorum(
    tmp_path: Path,
    groups: list[list[int]],
    threshold: int,
    must_open: list[list[int]],
    must_fail: list[list[int]],
) -> None:
    people = [FIRST, SECOND, new_identity(), new_identity()]
    plain = "TOKEN: s3cret\nPORT: 8080\n"
    path = _encrypt_with_sops(tmp_path, "clusterenv.yaml", plain, FIRST.recipient)
    rule = "key_groups:\n" + "".join(
        "  - age:\n" + "".join(f"      - {people[i].recipient}\n" for i in group)
        for group in groups
    )
    sops_config(tmp_path, [f"path_regex: clusterenv\\.yaml$\n{rule}shamir_threshold: {threshold}"])
    result = run_tuiops(
        ["env", "updatekeys", "--repo", str(tmp_path), str(path)], tmp_path, keys=FIRST.secret
    )
    assert result.code == 0, result.err
    for who in must_open:
        done = sops_decrypt(path, _keys(*(people[i] for i in who)))
        assert done.code == 0 and done.out == plain, (who, done.err)
    for who in must_fail:
        assert sops_decrypt(path, _keys(*(people[i] for i in who))).code != 0, who
    # tuiops reads what it wrote, and sops' own key-group files, with any quorum.
    got = run_tuiops(
        ["env", "get", "TOKEN", "--file", str(path)],
        tmp_path,
        keys=_keys(*(people[i] for i in must_open[0])),
    )
    assert got.out == "s3cret\n", got.err


def test_a_key_group_file_made_by_sops_is_edited_and_keeps_its_groups(tmp_path: Path) -> None:
    sops_config(
        tmp_path,
        [
            f"key_groups:\n  - age: [{FIRST.recipient}]\n  - age: [{SECOND.recipient}]\n"
            "shamir_threshold: 2"
        ],
    )
    path = tmp_path / "s.yaml"
    path.write_text("A: 1\nB: two\n", encoding="utf-8")
    assert run_sops(["-e", "-i", "s.yaml"], tmp_path).code == 0
    both = _keys(FIRST, SECOND)
    result = run_tuiops(
        ["env", "set", "B", "--file", str(path)], tmp_path, stdin=b"three", keys=both
    )
    assert result.code == 0, result.err
    assert "key_groups:" in path.read_text() and "shamir_threshold: 2" in path.read_text()
    assert sops_decrypt(path, both).out == "A: 1\nB: three\n"
    assert sops_decrypt(path, FIRST.secret).code != 0  # the threshold still holds


@pytest.mark.parametrize(
    "rule",
    [
        "pgp: 85D77543B3D624B63CEA9E6DBC17301B491B3F21",
        "key_groups:\n  - pgp: [85D77543B3D624B63CEA9E6DBC17301B491B3F21]",
        "age: {r}\npgp: 85D77543B3D624B63CEA9E6DBC17301B491B3F21",
        "kms: arn:aws:kms:us-east-1:111122223333:key/abcd",
        "age: not-an-age-recipient",
        "age: ''",
        f"key_groups:\n  - age: [{{r}}]\n  - age: [{FIRST.recipient}]\nshamir_threshold: 1",
    ],
)
def test_updatekeys_refuses_what_it_cannot_seal_and_never_strips(tmp_path: Path, rule: str) -> None:
    path = _encrypt_with_sops(tmp_path, "clusterenv.yaml", "A: b\n", FIRST.recipient)
    sops_config(tmp_path, [rule.format(r=SECOND.recipient)])
    before = path.read_bytes()
    # (a threshold of 1 over several groups cannot be split: sops refuses it as well)
    result = run_tuiops(
        ["env", "updatekeys", "--repo", str(tmp_path), str(path)], tmp_path, keys=FIRST.secret
    )
    _refused_unchanged(result.code, result.err, path, before)
    assert sops_decrypt(path, FIRST.secret).out == "A: b\n"


def test_updatekeys_without_paths_rekeys_every_format(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    files = {
        "a.yaml": "A: 1\n",
        "b.json": '{"B": "x", "n": 2}\n',
        "c.env": "C=y\n",
        "d.ini": "[s]\nD = z\n",
        "e.bin": "whole file\n",
    }
    for name, text in files.items():
        _encrypt_with_sops(tmp_path, name, text, FIRST.recipient, SECOND.recipient)
    sops_config(tmp_path, [f"age: {FIRST.recipient}"])
    result = run_tuiops(["env", "updatekeys"], tmp_path, keys=FIRST.secret)
    assert result.code == 0, result.err
    assert "5 file(s) updated" in result.out
    for name in files:
        assert sops_decrypt(tmp_path / name, FIRST.secret).code == 0, name
        assert sops_decrypt(tmp_path / name, SECOND.secret).code != 0, f"{name}: still open"


# -- set and rm: shapes sops keeps --------------------------------------------------------------


@pytest.mark.parametrize("key", ["nested", "nested.list", "nested.only", "sops", "sops.version"])
def test_set_never_replaces_a_map_a_list_or_the_metadata(tmp_path: Path, key: str) -> None:
    path = _encrypt_with_sops(tmp_path, "f.yaml", PLAIN, FIRST.recipient)
    before = path.read_bytes()
    result = run_tuiops(
        ["env", "set", key, "--file", str(path)], tmp_path, stdin=b"v", keys=FIRST.secret
    )
    _refused_unchanged(result.code, result.err, path, before)


@pytest.mark.parametrize(
    ("ours", "theirs", "verb", "value"),
    [
        ("nested.only.c", '["nested"]["only"]["c"]', "rm", ""),
        ("nested.list[0]", '["nested"]["list"][0]', "rm", ""),
        ("a", '["a"]', "rm", ""),
        ("nested", '["nested"]', "rm", ""),
        ("nested.x", '["nested"]["x"]', "set", "new"),
        ("nested.new", '["nested"]["new"]', "set", "added"),
        ("brand.new.path", '["brand"]["new"]["path"]', "set", "deep"),
        ('"dotted.key"', '["dotted.key"]', "set", "quoted"),
    ],
)
@pytest.mark.parametrize("name", ["f.yaml", "f.json"])
def test_set_and_rm_give_what_sops_set_and_unset_give(
    tmp_path: Path, ours: str, theirs: str, verb: str, value: str, name: str
) -> None:
    text = (
        PLAIN
        if name.endswith(".yaml")
        else json.dumps(
            {"a": "one", "nested": {"x": 1, "list": ["p", "q"], "only": {"c": 3}}, "z": "last"}
        )
    )
    mine = _encrypt_with_sops(tmp_path, name, text, FIRST.recipient)
    other = _edit_both(tmp_path, mine, verb, ours, theirs, value)
    ours_plain = sops_decrypt(mine, FIRST.secret)
    assert ours_plain.code == 0, ours_plain.err
    assert ours_plain.out == sops_decrypt(other, FIRST.secret).out


def _edit_both(tmp_path: Path, mine: Path, verb: str, ours: str, theirs: str, value: str) -> Path:
    """`tuiops env VERB` on `mine`, and `sops set|unset` on a copy made first; the copy."""
    other = tmp_path / f"sops-{mine.name}"
    other.write_bytes(mine.read_bytes())
    result = run_tuiops(
        ["env", verb, ours, "--file", str(mine)], tmp_path, stdin=value.encode(), keys=FIRST.secret
    )
    assert result.code == 0, result.err
    sops_args = (
        ["set", other.name, theirs, json.dumps(value)]
        if verb == "set"
        else ["unset", other.name, theirs]
    )
    assert run_sops(sops_args, tmp_path, FIRST.secret).code == 0
    return other


@pytest.mark.parametrize(
    "key", ["foo[bar]", "", ".", "[x]", "a..b", "a.", "[0]", 'a."unclosed', "tab\there"]
)
def test_key_paths_the_syntax_cannot_read_are_refused(tmp_path: Path, key: str) -> None:
    path = _encrypt_with_sops(tmp_path, "f.yaml", PLAIN, FIRST.recipient)
    before = path.read_bytes()
    for verb in ("set", "get", "rm"):
        result = run_tuiops(
            ["env", verb, key, "--file", str(path)], tmp_path, stdin=b"v", keys=FIRST.secret
        )
        _refused_unchanged(result.code, result.err, path, before)


def test_a_quoted_key_with_brackets_and_a_tab_is_written_whole(tmp_path: Path) -> None:
    path = _encrypt_with_sops(tmp_path, "f.yaml", PLAIN, FIRST.recipient)
    for key, shown in (('"foo[bar]"', "foo[bar]"), ('"tab\\there"', "tab\there")):
        result = run_tuiops(
            ["env", "set", key, "--file", str(path)], tmp_path, stdin=b"v", keys=FIRST.secret
        )
        assert result.code == 0, result.err
        # sops cannot address such keys (`--extract` splits at brackets): read the whole file.
        got = run_sops(["-d", "--output-type", "json", path.name], tmp_path, FIRST.secret)
        assert json.loads(got.out)[shown] == "v", got.err


def test_rm_in_a_later_document(tmp_path: Path) -> None:
    plain = "a: 1\nb: 2\n---\nc: 3\nd: 4\n"
    path = _encrypt_with_sops(tmp_path, "m.yaml", plain, FIRST.recipient)
    result = run_tuiops(["env", "rm", "c", "--file", str(path)], tmp_path, keys=FIRST.secret)
    assert result.code == 0, result.err
    assert sops_decrypt(path, FIRST.secret).out == "a: 1\nb: 2\n---\nd: 4\n"
    result = run_tuiops(
        ["env", "set", "a", "--document", "2", "--file", str(path)],
        tmp_path,
        stdin=b"x",
        keys=FIRST.secret,
    )
    assert result.code == 0, result.err
    assert sops_decrypt(path, FIRST.secret).out == "a: 1\nb: 2\n---\nd: 4\na: x\n"


# -- encrypt ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["# only a comment\n# and another\n", "", "\n\n"])
def test_encrypt_refuses_a_yaml_file_without_a_document(tmp_path: Path, text: str) -> None:
    (tmp_path / ".git").mkdir()
    sops_config(tmp_path, [f"age: {FIRST.recipient}"])
    path = tmp_path / "empty.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_tuiops(["env", "encrypt", str(path)], tmp_path, keys=FIRST.secret)
    _refused_unchanged(result.code, result.err, path, text.encode())


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("s.json", '{"user": "me", "port": 8080, "tls": true, "x": null, "l": [1, "a"]}\n'),
        ("s.env", "USER=me\n# a comment\nPASS=p=w\n"),
        ("s.ini", "[db]\nuser = me\npass = secret\n"),
        ("s.txt", "anything at all\nline two\n"),
        ("empty.env", ""),
    ],
)
def test_encrypt_writes_each_format_as_sops_does(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / ".git").mkdir()
    sops_config(tmp_path, [f"age: {FIRST.recipient}"])
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reference = tmp_path / f"ref-{name}"
    reference.write_text(text, encoding="utf-8")
    assert run_sops(["-e", "-i", reference.name], tmp_path).code == 0
    result = run_tuiops(["env", "encrypt", str(path)], tmp_path, keys=FIRST.secret)
    assert result.code == 0, result.err
    ours = sops_decrypt(path, FIRST.secret)
    assert ours.code == 0, ours.err
    assert ours.out == sops_decrypt(reference, FIRST.secret).out


# -- files on disk ------------------------------------------------------------------------------


def test_a_symlinked_file_is_written_through_its_link(tmp_path: Path) -> None:
    shared = tmp_path / "elsewhere"
    shared.mkdir()
    target = _encrypt_with_sops(shared, "env.yaml", "A: old\n", FIRST.recipient)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    result = run_tuiops(
        ["env", "set", "A", "--file", str(link)], tmp_path, stdin=b"new", keys=FIRST.secret
    )
    assert result.code == 0, result.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert sops_decrypt(target, FIRST.secret).out == "A: new\n"


def test_a_file_that_cannot_be_replaced_is_left_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _encrypt_with_sops(tmp_path, "f.yaml", "A: b\n", FIRST.recipient)
    before = path.read_bytes()

    def refuse(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # what an immutable file gives

    monkeypatch.setattr(os, "replace", refuse)
    result = run_tuiops(
        ["env", "set", "A", "--file", str(path)], tmp_path, stdin=b"c", keys=FIRST.secret
    )
    _refused_unchanged(result.code, result.err, path, before)
    assert "Operation not permitted" in result.err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".f.yaml")] == []


def test_a_file_nested_500_levels_deep_is_read_and_edited(tmp_path: Path) -> None:
    depth = 500
    plain = "".join(" " * (2 * n) + f"k{n}:\n" for n in range(depth)) + " " * (2 * depth) + "v: x\n"
    path = _encrypt_with_sops(tmp_path, "deep.yaml", plain, FIRST.recipient)
    key = ".".join(f"k{n}" for n in range(depth)) + ".v"
    got = run_tuiops(["env", "get", key, "--file", str(path)], tmp_path, keys=FIRST.secret)
    assert got.code == 0 and got.out == "x\n", got.err
    result = run_tuiops(
        ["env", "set", key, "--file", str(path)], tmp_path, stdin=b"y", keys=FIRST.secret
    )
    assert result.code == 0, result.err
    assert sops_decrypt(path, FIRST.secret).code == 0


@pytest.mark.parametrize(
    ("name", "text", "ours", "theirs", "verb", "value"),
    [
        ("f.env", "A=1\n# note\nB=two\n", "B", '["B"]', "set", "new"),
        ("f.env", "A=1\nB=two\n", "C", '["C"]', "set", "added"),
        ("f.env", "A=1\nB=two\n", "A", '["A"]', "rm", ""),
        ("f.ini", "[db]\nuser = me\npass = x\n", "db.pass", '["db"]["pass"]', "set", "y"),
        ("f.ini", "[db]\nuser = me\npass = x\n", "db.user", '["db"]["user"]', "rm", ""),
        ("f.ini", "[db]\nuser = me\n", "web.port", '["web"]["port"]', "set", "80"),
        ("f.bin", "whole\nfile\n", "data", '["data"]', "set", "replaced"),
        ("f.json", "{}", "new", '["new"]', "set", "into an empty map"),
    ],
)
def test_other_formats_are_edited_as_sops_edits_them(
    tmp_path: Path, name: str, text: str, ours: str, theirs: str, verb: str, value: str
) -> None:
    mine = _encrypt_with_sops(tmp_path, name, text, FIRST.recipient)
    other = _edit_both(tmp_path, mine, verb, ours, theirs, value)
    # Same decrypted content, and (these formats are written whole) the same bytes but for
    # the new ciphertexts, lastmodified and mac; INI's [sops] lines come in random order.
    assert sops_decrypt(mine, FIRST.secret).out == sops_decrypt(other, FIRST.secret).out
    if not name.endswith(".ini"):
        ours_lines = mine.read_text().splitlines()
        theirs_lines = other.read_text().splitlines()
        assert len(ours_lines) == len(theirs_lines)
        differing = [a for a, b in zip(ours_lines, theirs_lines, strict=True) if a != b]
        assert all("ENC[" in line or "lastmodified" in line for line in differing), differing


def test_a_read_only_file_keeps_its_mode(tmp_path: Path) -> None:
    path = _encrypt_with_sops(tmp_path, "f.yaml", "A: b\n", FIRST.recipient)
    path.chmod(0o440)
    result = run_tuiops(
        ["env", "set", "A", "--file", str(path)], tmp_path, stdin=b"c", keys=FIRST.secret
    )
    if result.code == 0:  # root may write it, as sops does; the mode must survive
        assert path.stat().st_mode & 0o777 == 0o440
        assert sops_decrypt(path, FIRST.secret).out == "A: c\n"
    else:
        assert result.one_line_error


def test_an_immutable_file_is_refused_in_one_line(tmp_path: Path) -> None:
    """The real thing (`chattr +i`), beside the monkeypatched test above."""
    import shutil
    import subprocess

    path = _encrypt_with_sops(tmp_path, "f.yaml", "A: b\n", FIRST.recipient)
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode:
        pytest.skip("chattr +i is not available on this file system")
    try:
        before = path.read_bytes()
        result = run_tuiops(
            ["env", "set", "A", "--file", str(path)], tmp_path, stdin=b"c", keys=FIRST.secret
        )
        _refused_unchanged(result.code, result.err, path, before)
    finally:
        subprocess.run([chattr, "-i", str(path)], check=False)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".f.yaml")] == []


@pytest.mark.parametrize(
    ("name", "text", "key"), [("f.env", "A=1\nB=2\n", "B"), ("f.json", '{"a": {"b": "c"}}', "a.b")]
)
def test_rotate_works_on_dotenv_and_json(tmp_path: Path, name: str, text: str, key: str) -> None:
    path = _encrypt_with_sops(tmp_path, name, text, FIRST.recipient)
    before = sops_decrypt(path, FIRST.secret).out
    result = run_tuiops(
        ["env", "rotate", key, "--file", str(path), "--length", "24"], tmp_path, keys=FIRST.secret
    )
    assert result.code == 0 and result.out == "", result.err
    after = sops_decrypt(path, FIRST.secret)
    assert after.code == 0 and after.out != before
    got = run_tuiops(["env", "get", key, "--file", str(path)], tmp_path, keys=FIRST.secret)
    assert len(got.out.strip()) == 24
