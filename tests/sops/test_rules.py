"""Go regex translation and sops' encryption rules, checked against the real sops 3.11.

The fixture vectors were encrypted by sops; which of their values hold `ENC[...]` is the ground
truth for `EncryptionRule.encrypts`. The sops binary also serves as an oracle for Go's regexp:
with `--encrypted-regex R`, sops encrypts exactly the keys R matches.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tuiops.gitops.sops.errors import SopsConfigError
from tuiops.gitops.sops.goregex import compile_go_regex
from tuiops.gitops.sops.rules import (
    DEFAULT_RULE,
    TOO_MANY_RULES,
    EncryptionRule,
    rule_from_metadata,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sops"
SOPS = Path(sys.executable).parent / "sops"
COMPAT = (
    "((?i)(displayname|email|pass|ca|id|bootstraptoken|secretboxencryptionsecret|secrets|"
    "password|cert|secret($|[^N])|key|token|^data$|^stringData))"
)
ENC = "ENC[AES256_GCM"


def _vectors() -> list[Path]:
    vectors = sorted(FIXTURES.glob("*.enc.yaml")) + sorted((FIXTURES / "repo").rglob("*.yaml"))
    return [path for path in vectors if path.name != ".sops.yaml"]


def _leaves(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            assert isinstance(key, str), f"non-string key {key!r} under {path}"
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for item in node:  # list indices are not part of the path
            yield from _leaves(item, path)
    else:
        yield path, node


def _items(text: str) -> Iterator[tuple[str, tuple[str, ...], list[str], str]]:
    """Walk a block-map YAML text (no lists) the way sops' tree walker does.

    Yields `(kind, path, preceding comments, text)` per comment or scalar value, in order.
    `preceding comments` are those collected since the previous value at each open level.
    """
    levels: list[tuple[int | None, str, list[str]]] = [(0, "", [])]  # (indent, key, comments)
    block_indent: int | None = None
    for line in text.splitlines():
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if not body or (block_indent is not None and indent > block_indent):
            continue
        block_indent = None
        if body.startswith("sops:") and indent == 0:
            return
        if levels[-1][0] is None:
            levels[-1] = (indent, levels[-1][1], levels[-1][2])
        while (levels[-1][0] or 0) > indent:
            levels.pop()
            levels[-1][2].clear()  # the nested map was the parent's value
        path = tuple(key for _, key, _ in levels[1:])
        stack = [text for _, _, comments in levels for text in comments]
        if body.startswith("#"):
            yield "comment", path, stack, body[1:]
            levels[-1][2].append(body[1:])
            continue
        key, _, value = body.partition(":")
        value = value.strip()
        if not value:
            levels.append((None, key.strip("\"'"), []))
            continue
        if re.fullmatch(r"[|>][-+0-9]*", value):
            block_indent = indent
        yield "value", (*path, key.strip("\"'")), stack, value
        levels[-1][2].clear()


def _run_sops(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert SOPS.is_file(), f"sops binary missing: {SOPS}"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "SOPS_DISABLE_VERSION_CHECK": "1"}
    return subprocess.run(
        [str(SOPS), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _config(tmp_path: Path) -> None:
    # A config of our own keeps any .sops.yaml above the temporary folder out of the test.
    recipient = (FIXTURES / "keys" / "age-test-1.pub").read_text(encoding="utf-8").strip()
    (tmp_path / ".sops.yaml").write_text(f"creation_rules:\n  - age: {recipient}\n")


# ---- Go regex translation -------------------------------------------------------------------

SUBJECTS = [
    "a", "A", "ab", "aB", "Ab", "AB", "abc", "b", "c", "bd", "x", "a\n", "x\n", "ba", "a b",
    "a\tb", "a\vb", "a\nb", "a_b", "a-b", "a.b", "axb", "a{,3}", "x{,3}", "aa", "aaa", "{", "$",
    "a$", "[", "]", "^", "\\", "-", "data", "DATA", "data\n", "Data", "stringData", "xstringdata",
    "REPLICAS", "PUID", "RADARR_API", "RADARR__API_KEY", "secret", "SECRETNAME", "secretN",
    "Secretn", "secret_x", "GITHUB_REPOSITORY", "DOMAIN_0_EMAIL", "k", "K", "\u212a", "\u017f",
    "s", "S", "é", "É", "éb", "1", "12", "\u0663", "\x00", "\x1f", "\x7f", "AB\x00", "ß", "\u1e9e",
    "i", "I", "\u0131", "\u0130", "\u0131d", "\u0130D", "ς", "\u03c3", "Σ", "ǅ", "ǆ", "ϴ", "θ", "ω",
]  # fmt: skip
GO_PATTERNS = [
    COMPAT, "^(data|stringData)$", "a$", "(?m)a$", "a\\z", "\\Aa", "^a", "^$", "(?i)ab",
    "a(?i)b", "a(?i)b|c", "(a(?i)b|c)d?", "(?i:a)b", "(?i)a(?-i)b", "(?i)(a|b)(?-i:b)",
    "[[:alpha:]]+$", "[[:^alpha:]]", "^[[:punct:]]$", "\\d", "\\D", "\\w$", "^\\W", "\\s",
    "\\S$", "[\\d\\s]", "(?i)[^k]", "(?i)\\W", "(?i)[\\W]", "(?i)^k$", "(?i)^s$", "\\bb",
    "a\\b", "\\Bb", "é\\b", "x{,3}", "^a{2}$", "^a{1,2}b", "^a{2,}$", "\\Qa.b\\E", "a.b",
    "(?s)a.b", "\\x41", "\\x{212A}", "\\101", "\\0", "[\\x00-\\x1f]", "\\$", "[$]", "\\.",
    "(?U)a+?b", "(?P<n>a)b", "(?<n>a)b", "[]a]$", "^[^]a]", "[a-]$", "^[-a]", "(?i)é",
    "(?i)ß", "a|", "()", "(?)x", "a*(?i)*", "(?i)^data$|^xx", "secret($|[^N])", "(?i)i",
    "(?i)[h-j]$", "(?i)[^i]", "(?i)\u03c3", "(?i)\\w", "(?i)ǆ", "(?i)θ", "(?i)[\u03b1-ω]",
    "(?i)[^\\W]",
]  # fmt: skip


def test_compat_regex_matches_like_clustertool_and_sops() -> None:
    pattern = compile_go_regex(COMPAT)
    matches = {k: bool(pattern.search(k)) for k in ["REPLICAS", "PUID", "RADARR_API", "data\n"]}
    assert matches == {"REPLICAS": True, "PUID": True, "RADARR_API": False, "data\n": False}
    assert compile_go_regex(COMPAT) is pattern  # cached


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("a$", "a\n", False),  # Go's `$` is end of text only
        ("(?m)a$", "a\nb", True),
        ("\\$", "$", True),
        ("[$]", "x$", True),
        ("a\\z", "a", True),
        ("a(?i)b|c", "C", True),  # the flag holds to the end of the group, across `|`
        ("(a(?i)b)c", "aBC", False),
        ("\\d", "\u0663", False),  # Go's \d is ASCII
        ("x{,3}", "x{,3}", True),  # not a repeat in Go
        ("\\12", "\n", True),  # octal, not a backreference
        ("\\Qa.b\\E", "axb", False),
    ],
)
def test_go_semantics(pattern: str, subject: str, expected: bool) -> None:
    assert bool(compile_go_regex(pattern).search(subject)) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "a**", "a*?*", "a{2}*", "(?i", "a)", "(a", "[a", "a\\", "\\1", "\\8", "(?=a)", "(?<=a)",
        "(?!a)", "(?#c)", "(?P=n)", "\\p{Foo}", "[\\b]", "\\Z", "\\C", "a|x\\C", "[\\C]",
        "x{1001}", "x{2,1}", "(a{10}){101}", "[z-a]", "[[:foo:]]", "(?P<é>a)", "(?<é>a)",
        "(?P<>a)", "(?i-)", "(?-)", "*a", "a|*", "(*)", "(?i)*", "\\x{110000}", "\\xZ1", "\\é",
    ],
)  # fmt: skip
def test_rejects_what_go_rejects(pattern: str) -> None:
    with pytest.raises(SopsConfigError, match="Go regular expression") as info:
        compile_go_regex(pattern)
    assert "\n" not in str(info.value) and repr(pattern) in str(info.value)


@pytest.mark.parametrize(
    "pattern",
    [
        "(a{10}){100}", "(?)", "a{2}{,3}", "(?P<1n>a)", "(?i-s)a", "\\pL", "\\p{Greek}", "[\\pL]",
        "(?P<n>a)(?P<n>b)", "\\Q\\C\\E", "\\\\C",
    ],
)  # fmt: skip
def test_accepts_what_go_accepts(pattern: str) -> None:
    compile_go_regex(pattern)


def test_go_regex_matches_exactly_like_sops(tmp_path: Path) -> None:
    """The oracle: sops encrypts the JSON keys its Go regexp matches, for every pattern."""
    _config(tmp_path)
    source = tmp_path / "keys.json"
    source.write_text(json.dumps(dict.fromkeys(SUBJECTS, "v")), encoding="utf-8")
    mismatches = []
    for pattern in GO_PATTERNS:
        result = _run_sops(["-e", "--encrypted-regex", pattern, source.name], tmp_path)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        go = {key for key in SUBJECTS if out[key].startswith(ENC)}
        ours = {key for key in SUBJECTS if compile_go_regex(pattern).search(key)}
        if go != ours:
            mismatches.append((pattern, sorted(go ^ ours)))
    assert mismatches == []


# ---- rules ----------------------------------------------------------------------------------


def test_rule_from_metadata() -> None:
    assert rule_from_metadata({"mac": "x", "version": "3.11.0"}) is DEFAULT_RULE
    assert rule_from_metadata({"encrypted_regex": "", "unencrypted_suffix": None}) == DEFAULT_RULE
    assert rule_from_metadata({"encrypted_regex": "^data$"}) == EncryptionRule(
        "encrypted_regex", "^data$"
    )
    with pytest.raises(SopsConfigError) as info:
        rule_from_metadata({"encrypted_regex": "a", "unencrypted_suffix": "_u"})
    assert str(info.value) == TOO_MANY_RULES
    with pytest.raises(SopsConfigError, match="encrypted_suffix must be a string"):
        rule_from_metadata({"encrypted_suffix": 3})
    with pytest.raises(SopsConfigError, match="Go regular expression"):
        rule_from_metadata({"unencrypted_regex": "(?<=x)"})


def test_encrypts_by_path() -> None:
    path = ("spec", "db_secret", "user")
    assert DEFAULT_RULE.encrypts(path) and DEFAULT_RULE.encrypts(())
    assert not DEFAULT_RULE.encrypts(("a_unencrypted", "b"))  # the whole subtree stays clear
    assert EncryptionRule("encrypted_suffix", "_secret").encrypts(path)
    assert not EncryptionRule("encrypted_suffix", "_secret").encrypts(("spec", "user"))
    assert not EncryptionRule("unencrypted_regex", "^spec$").encrypts(path)
    assert EncryptionRule("encrypted_regex", "secret").encrypts(path)  # unanchored, per key
    assert not EncryptionRule("encrypted_regex", "spec:db").encrypts(path)  # never joined
    assert not EncryptionRule("encrypted_regex", "^(data|stringData)$").encrypts(())
    assert not EncryptionRule("encrypted_comment_regex", "x").encrypts(path)
    assert EncryptionRule("unencrypted_comment_regex", "x").encrypts(path)


def test_encrypts_after_comments() -> None:
    enc = EncryptionRule("encrypted_comment_regex", "sops:enc")
    assert enc.encrypts_after_comments(("a",), ["sops:enc"])
    assert enc.encrypts_after_comments(("a", "b"), ["note", "sops:enc please"])
    assert not enc.encrypts_after_comments(("a",), ["other"])
    assert not enc.encrypts_after_comments((), [], comment="sops:enc")  # the marker stays clear
    assert enc.encrypts_after_comments((), ["sops:enc"], comment="next")
    clear = EncryptionRule("unencrypted_comment_regex", "sops:clear")
    assert not clear.encrypts_after_comments(("a",), ["sops:clear"])
    assert not clear.encrypts_after_comments((), [], comment="sops:clear")
    assert clear.encrypts_after_comments(("a",), ["other"])
    assert DEFAULT_RULE.encrypts_after_comments(("a",), ["sops:enc"])


@pytest.mark.parametrize("vector", _vectors(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_rule_predicts_which_values_sops_encrypted(vector: Path) -> None:
    document = yaml.safe_load(vector.read_text(encoding="utf-8"))
    rule = rule_from_metadata(document.pop("sops"))
    checked = 0
    for path, value in _leaves(document, ()):
        if value is None or value == "":
            continue  # never encrypted, in any mode
        encrypted = isinstance(value, str) and value.startswith(ENC)
        assert rule.encrypts(path) is encrypted, f"{vector.name}: {'.'.join(path)}"
        checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    "vector",
    [p for p in _vectors() if "types" not in p.name],  # types.enc.yaml has lists
    ids=lambda p: str(p.relative_to(FIXTURES)),
)
def test_rule_predicts_which_comments_sops_encrypted(vector: Path) -> None:
    text = vector.read_text(encoding="utf-8")
    rule = rule_from_metadata(yaml.safe_load(text)["sops"])
    for kind, path, before, body in _items(text):
        if kind == "comment":
            expected = rule.encrypts_after_comments(path, before, comment=body)
            assert body.startswith(ENC) is expected, f"{vector.name}: comment in {path}"


@pytest.mark.parametrize("flag", ["--encrypted-comment-regex", "--unencrypted-comment-regex"])
def test_comment_rules_match_sops(tmp_path: Path, flag: str) -> None:
    _config(tmp_path)
    plain = (
        "a: 1\n# sops:mark\nb: 2\nc: 3\nnested:\n    # sops:mark\n    x: 1\n    y: 2\n"
        "    deeper:\n        # note\n        z: 3\n# sops:mark\n# following\nd:\n"
        "    e: 1\n    f: 2\ng: 3\n# other\nh: 4\n"
    )
    (tmp_path / "c.yaml").write_text(plain, encoding="utf-8")
    result = _run_sops(["-e", flag, "sops:mark", "c.yaml"], tmp_path)
    assert result.returncode == 0, result.stderr
    rule = rule_from_metadata({flag.strip("-").replace("-", "_"): "sops:mark"})
    expected = []
    for kind, path, before, text in _items(plain):
        own = text if kind == "comment" else None
        expected.append((kind, path, rule.encrypts_after_comments(path, before, comment=own)))
    actual = [(kind, path, text.startswith(ENC)) for kind, path, _, text in _items(result.stdout)]
    assert actual == expected
