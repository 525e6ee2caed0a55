"""Every vector made with the real sops decrypts to its `decrypted/` twin, MAC verified;
tampered files are refused with the right error; edits have the shape of `sops set`."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES_ROOT
from tuiops.gitops.sops.edit import set_value
from tuiops.gitops.sops.errors import (
    NoIdentityError,
    NotSopsFileError,
    SopsError,
    TamperedError,
    WrongIdentityError,
)
from tuiops.gitops.sops.files import OpenSopsFile, open_sops_file
from tuiops.gitops.sops.keys import IdentitySource, identity_sources, parse_identities
from tuiops.gitops.sops.plaintext import plaintext_yaml

FIXTURES = FIXTURES_ROOT / "sops"
SOPS = Path(sys.executable).parent / "sops"
YAML_VECTORS = sorted(p.name for p in FIXTURES.glob("*.enc.yaml"))
REPO_VECTORS = sorted(
    p.relative_to(FIXTURES / "repo").as_posix()
    for p in (FIXTURES / "repo").rglob("*.yaml")
    if p.name != ".sops.yaml"
)


def key(name: str = "age-test-1") -> list[IdentitySource]:
    return [parse_identities((FIXTURES / "keys" / f"{name}.txt").read_text(), name)]


def test_fixtures_are_present() -> None:
    assert len(YAML_VECTORS) >= 9 and len(REPO_VECTORS) == 4, "tests/fixtures/sops missing"


@pytest.mark.parametrize("name", YAML_VECTORS)
def test_yaml_vector_decrypts_to_its_twin(name: str) -> None:
    opened = open_sops_file(FIXTURES / name, key())
    twin = FIXTURES / "decrypted" / name.replace(".enc", "")
    assert plaintext_yaml(opened.decrypted, 4) == twin.read_text()


@pytest.mark.parametrize("rel", REPO_VECTORS)
def test_repo_vector_decrypts_to_its_twin(rel: str) -> None:
    # sops ran inside repo/, whose .sops.yaml sets stores.yaml.indent: 2.
    opened = open_sops_file(FIXTURES / "repo" / rel, key())
    assert plaintext_yaml(opened.decrypted, 2) == (FIXTURES / "decrypted/repo" / rel).read_text()


def _values(opened: OpenSopsFile) -> dict[str, object]:
    return {leaf.path[-1]: leaf.value for leaf in opened.decrypted.leaves if leaf.kind != "comment"}


def test_json_vector_numbers_are_floats_and_match_twin() -> None:
    opened = open_sops_file(FIXTURES / "example.enc.json", key())
    twin = json.loads((FIXTURES / "decrypted/example.json").read_text())
    assert _values(opened) == _flatten(twin)
    assert {leaf.kind for leaf in opened.decrypted.leaves if isinstance(leaf.value, float)} == {
        "float"
    }


def _flatten(
    data: object, out: dict[str, object] | None = None, last: str = ""
) -> dict[str, object]:
    out = {} if out is None else out
    if isinstance(data, dict):
        for k, v in data.items():
            _flatten(v, out, k)
    elif isinstance(data, list):
        for v in data:
            _flatten(v, out, last)
    else:
        out[last] = data
    return out


def test_dotenv_vector_matches_twin() -> None:
    opened = open_sops_file(FIXTURES / "example.enc.env", key())
    twin = {}
    for line in (FIXTURES / "decrypted/example.env").read_text().splitlines():
        if line and not line.startswith("#"):
            k, v = line.split("=", 1)
            twin[k] = v.replace("\\n", "\n")
    assert _values(opened) == twin


def test_two_recipient_file_opens_with_either_key() -> None:
    for name in ("age-test-1", "age-test-2"):
        open_sops_file(FIXTURES / "clusterenv.two-recipients.enc.yaml", key(name))


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("clusterenv.value-bitflip.enc.yaml", TamperedError, "S3KEY"),
        ("clusterenv.value-swapped.enc.yaml", TamperedError, "MASTER1IP"),
        ("clusterenv.mac-bitflip.enc.yaml", TamperedError, "cannot decrypt the MAC"),
        ("clusterenv.key-deleted.enc.yaml", TamperedError, "MAC mismatch"),
        ("app.secret.renamed.enc.yaml", TamperedError, "MAC mismatch"),
        ("clusterenv.no-metadata.yaml", NotSopsFileError, "not a SOPS file"),
    ],
)
def test_tampered_files_are_refused(name: str, error: type[SopsError], words: str) -> None:
    with pytest.raises(error, match=words):
        open_sops_file(FIXTURES / "tampered" / name, key())


def test_mac_only_file_with_renamed_cleartext_is_accepted_as_sops_does() -> None:
    opened = open_sops_file(FIXTURES / "tampered/app.secret.maconly.renamed.enc.yaml", key())
    assert opened.decrypted.metadata.mac_only_encrypted


def test_wrong_key_lists_recipients_and_sources() -> None:
    with pytest.raises(WrongIdentityError) as caught:
        open_sops_file(FIXTURES / "clusterenv.enc.yaml", key("age-wrong"))
    recipient = (FIXTURES / "keys/age-test-1.pub").read_text().strip()
    assert recipient in str(caught.value) and "age-wrong" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_no_identity_anywhere(tmp_path: Path) -> None:
    sources = identity_sources({}, tmp_path, None)
    with pytest.raises(NoIdentityError, match="no age identity found"):
        open_sops_file(FIXTURES / "clusterenv.enc.yaml", sources)


def test_identity_sources_are_combined_like_sops(tmp_path: Path) -> None:
    """A wrong SOPS_AGE_KEY_FILE plus the right default keys file still decrypts; a bad line
    spoils only its own source; clustertool's age.agekey at the repo root counts too."""
    default = tmp_path / "home/.config/sops/age/keys.txt"
    default.parent.mkdir(parents=True)
    default.write_text((FIXTURES / "keys/age-test-1.txt").read_text())
    env = {"SOPS_AGE_KEY_FILE": str(FIXTURES / "keys/age-wrong.txt"), "SOPS_AGE_KEY": "junk"}
    sources = identity_sources(env, tmp_path / "home", None)
    assert sources[0].name == "SOPS_AGE_KEY" and sources[0].problem == "unknown identity type"
    open_sops_file(FIXTURES / "clusterenv.enc.yaml", sources)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "age.agekey").write_text((FIXTURES / "keys/age-test-2.txt").read_text())
    sources = identity_sources({}, tmp_path / "nohome", repo)
    open_sops_file(FIXTURES / "clusterenv.two-recipients.enc.yaml", sources)


def _changed_lines(before: str, after: str) -> list[int]:
    changed: list[int] = []
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag != "equal":
            changed.extend(range(i1, i2))
    return changed


def test_one_value_set_has_the_shape_of_sops_set() -> None:
    original = (FIXTURES / "clusterenv.enc.yaml").read_text()
    by_sops = (FIXTURES / "clusterenv.set-plex-ip.enc.yaml").read_text()
    opened = open_sops_file(FIXTURES / "clusterenv.enc.yaml", key())
    ours = set_value(opened.decrypted, ("PLEX_IP",), "192.168.20.250")
    assert ours is not None
    assert _changed_lines(original, ours) == _changed_lines(original, by_sops)
    assert len(_changed_lines(original, ours)) == 3


def test_untouched_values_are_never_retyped() -> None:
    """sops' own `edit` re-types 2.0 and 1.5e3 (5 changed lines); a tuiops edit changes 3."""
    original = (FIXTURES / "types.enc.yaml").read_text()
    opened = open_sops_file(FIXTURES / "types.enc.yaml", key())
    ours = set_value(opened.decrypted, ("label",), "edited")
    assert ours is not None and len(_changed_lines(original, ours)) == 3
    sops_edit = (FIXTURES / "types.edit-noop-value.enc.yaml").read_text()
    assert len(_changed_lines(original, sops_edit)) == 5


def test_setting_the_same_value_changes_nothing() -> None:
    opened = open_sops_file(FIXTURES / "clusterenv.enc.yaml", key())
    leaf = opened.decrypted.leaf(("VIP",))
    assert leaf is not None and set_value(opened.decrypted, ("VIP",), str(leaf.value)) is None


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("app.secret.maconly.enc.yaml", ("stringData", "password")),
        ("app.secret.enc.yaml", ("stringData", "NEW_ONE")),
        ("clusterenv.regex-maconly.enc.yaml", ("REPLICAS",)),
    ],
)
def test_real_sops_accepts_our_edits(name: str, address: tuple[str, ...], tmp_path: Path) -> None:
    opened = open_sops_file(FIXTURES / name, key())
    edited = set_value(opened.decrypted, address, "new-value")
    assert edited is not None
    target = tmp_path / "edited.yaml"
    target.write_text(edited)
    env = {
        **os.environ,
        "SOPS_DISABLE_VERSION_CHECK": "1",
        "SOPS_AGE_KEY_FILE": str(FIXTURES / "keys/age-test-1.txt"),
    }
    extract = "".join(f'["{a}"]' for a in address)
    result = subprocess.run(
        [str(SOPS), "-d", "--extract", extract, str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "new-value"
