"""Property: every SOPS command that writes either leaves a file that the real sops decrypts,
for every recipient (or quorum of key groups) the rules name, to exactly the expected plaintext,
and that no removed recipient can open; or it refuses with one line and the bytes unchanged.

Rule sets (flat age lists, key groups with Shamir thresholds, regex and suffix rules, MAC-only,
keys tuiops cannot seal for, invalid recipients) and documents are generated; the initial file
is always made by sops itself.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.sops.oracle import FIRST, SECOND, Identity, new_identity, run_sops, run_tuiops
from tests.sops.strategies import sops_settings

PEOPLE = (FIRST, SECOND, new_identity(), new_identity())
EVERYONE = "".join(person.secret for person in PEOPLE)
PGP = "85D77543B3D624B63CEA9E6DBC17301B491B3F21"


@dataclass(frozen=True)
class Rules:
    """One creation rule: flat recipients, or groups with a threshold; plus a rule field."""

    groups: tuple[tuple[int, ...], ...]
    threshold: int
    field: str
    extra: str = ""
    """Something tuiops must refuse: "pgp" (a key it cannot seal for), "invalid" (a bad
    recipient), or "" (sops ignores flat keys beside key_groups, so only flat rules get one)."""

    def yaml(self) -> str:
        if len(self.groups) == 1:
            keys = ",".join(PEOPLE[i].recipient for i in self.groups[0])
            if self.extra == "invalid":
                keys += ",age1invalid"
            body = f"age: {keys}\n"
            if self.extra == "pgp":
                body += f"pgp: {PGP}\n"
        else:
            body = "key_groups:\n" + "".join(
                "  - age: [" + ", ".join(PEOPLE[i].recipient for i in group) + "]\n"
                for group in self.groups
            )
            body += f"shamir_threshold: {self.threshold}\n"
        return "creation_rules:\n  - " + (body + self.field).replace("\n", "\n    ")

    def quorums(self) -> list[str]:
        """Identity sets that must open a file sealed for these rules: each recipient alone,
        or with key groups each member with one member of `threshold - 1` other groups."""
        if len(self.groups) == 1:
            return [PEOPLE[i].secret for i in self.groups[0]]
        found = []
        for number, group in enumerate(self.groups):
            others = [g for n, g in enumerate(self.groups) if n != number][: self.threshold - 1]
            for member in group:
                found.append(PEOPLE[member].secret + "".join(PEOPLE[g[0]].secret for g in others))
        return found

    def members(self) -> set[int]:
        return {i for group in self.groups for i in group}


_FIELDS = st.sampled_from(
    [
        "",
        "encrypted_regex: ^(PASS|TOKEN).*$\n",
        "unencrypted_suffix: _plain\n",
        "encrypted_regex: ^(PASS|TOKEN).*$\nmac_only_encrypted: true\n",
    ]
)


@st.composite
def rules(draw: st.DrawFn, allow_bad: bool = False) -> Rules:
    people = st.lists(st.integers(0, 3), min_size=1, max_size=2, unique=True).map(tuple)
    count = draw(st.integers(1, 3))
    groups = tuple(draw(people) for _ in range(count))
    threshold = draw(st.integers(2, count)) if count > 1 else 1
    extra = draw(st.sampled_from(["", "pgp", "invalid"])) if allow_bad and count == 1 else ""
    return Rules(groups, threshold, draw(_FIELDS), extra)


_KEYS = st.sampled_from(["PASS", "PASSWORD", "TOKEN_A", "USER", "HOST", "NOTE_plain", "PORT"])
_TEXT = st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
"""Printable text: hostile characters have tests of their own; these are about rules."""
_VALUES = st.one_of(st.text(_TEXT, min_size=0, max_size=12), st.integers(-5, 99999))
documents = st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=6)
COMMANDS = ("set", "rm", "rotate", "updatekeys", "rotate-datakey", "encrypt")


def _yaml_text(data: dict[str, object]) -> str:
    return "".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in data.items()
    )


def _decrypted(path: Path, keys: str) -> object:
    done = run_sops(["-d", "--output-type", "json", str(path)], path.parent, keys)
    return json.loads(done.out) if done.code == 0 else None


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("writes")


@pytest.mark.parametrize("command", COMMANDS)
@sops_settings(max_examples=30)
@given(
    start=rules(),
    later=rules(allow_bad=True),
    data=documents,
    key=st.one_of(_KEYS, st.sampled_from(["PASS", "USER"])),
    value=st.text(_TEXT, min_size=1, max_size=20),
)
def test_every_write_decrypts_for_every_recipient_or_is_refused(
    work: Path,
    command: str,
    start: Rules,
    later: Rules,
    data: dict[str, object],
    key: str,
    value: str,
) -> None:
    folder = Path(tempfile.mkdtemp(dir=work))
    try:
        (folder / ".git").mkdir()
        path = folder / "secret.yaml"
        path.write_text(_yaml_text(data), encoding="utf-8")
        (folder / ".sops.yaml").write_text(start.yaml(), encoding="utf-8")
        if command == "encrypt":
            (folder / ".sops.yaml").write_text(later.yaml(), encoding="utf-8")
        else:
            made = run_sops(["-e", "-i", path.name], folder)
            assert made.code == 0, made.err
        rules_after = start
        expected: dict[str, object] | None = dict(data)
        args = ["env", command]
        if command in ("set", "rm", "rotate"):
            args += [key, "--file", str(path)]
            if command == "set":
                expected = {**data, key: value}
            elif command == "rm":
                expected = {k: v for k, v in data.items() if k != key}
            else:
                expected = None  # a random new value; checked below by the other keys
        elif command == "updatekeys":
            (folder / ".sops.yaml").write_text(later.yaml(), encoding="utf-8")
            rules_after = later
            args += [str(path)]
        elif command == "rotate-datakey":
            args += [str(path)]
        else:
            rules_after = later
            args += [str(path)]
        before = path.read_bytes()
        result = run_tuiops(args, folder, stdin=value.encode(), keys=EVERYONE)
        if result.code != 0:
            assert result.one_line_error, result
            assert path.read_bytes() == before
            event(f"{command}: refused, unchanged")
            return
        event(f"{command}: written, checked with sops")
        assert not rules_after.extra, f"should have refused {rules_after.extra!r}"
        for quorum in rules_after.quorums():
            got = _decrypted(path, quorum)
            assert isinstance(got, dict), f"a named recipient cannot decrypt after {command}"
            if expected is not None:
                assert got == expected
            else:
                assert {k: v for k, v in got.items() if k != key} == {
                    k: v for k, v in data.items() if k != key
                }
                assert isinstance(got[key], str) and len(got[key]) == 32
        if command == "updatekeys":
            for gone in start.members() - later.members():
                assert _decrypted(path, PEOPLE[gone].secret) is None, "a removed key still opens"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_identity_pool_is_distinct() -> None:
    assert len({person.recipient for person in PEOPLE}) == len(PEOPLE)
    assert isinstance(PEOPLE[0], Identity)
