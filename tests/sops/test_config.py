"""`.sops.yaml` lookup, loading and creation-rule selection, checked against the real sops 3.11."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tuiops.gitops.sops.config import (
    CreationRule,
    GroupSpec,
    SopsConfig,
    find_config,
    load_config,
)
from tuiops.gitops.sops.errors import SopsConfigError
from tuiops.gitops.sops.rules import DEFAULT_RULE, EncryptionRule, rule_from_metadata

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sops"
TEMPLATE = FIXTURES / "repo" / ".sops.yaml"
SOPS = Path(sys.executable).parent / "sops"
K1 = "age12404z6nyvmjkps05d99n5flmgdfndsd9efhln90mrymk0p976pusaxxzn4"
COMPAT = (
    "((?i)(displayname|email|pass|ca|id|bootstraptoken|secretboxencryptionsecret|secrets|"
    "password|cert|secret($|[^N])|key|token|^data$|^stringData))"
)
SECRET_RULE = EncryptionRule("encrypted_regex", "^(data|stringData)$")
APP = "clusters/main/kubernetes/apps/radarr/app"
REPO_FILES = {
    "clusters/main/clusterenv.yaml": (DEFAULT_RULE, False),
    "clusters/main/secrets/cluster-settings.sops.yaml": (SECRET_RULE, True),
    f"{APP}/radarr.secret.yaml": (SECRET_RULE, True),
    f"{APP}/values.yaml": (EncryptionRule("encrypted_regex", COMPAT), False),
}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _sops_encrypt(target: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert SOPS.is_file(), f"sops binary missing: {SOPS}"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "SOPS_DISABLE_VERSION_CHECK": "1"}
    return subprocess.run(
        [str(SOPS), "-e", target], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_clustertool_template() -> None:
    config = load_config(TEMPLATE)
    assert config.path == TEMPLATE
    assert (config.yaml_indent, config.json_indent, len(config.rules)) == (2, "\t", 5)
    assert all(rule.age == (K1,) and rule.key_groups == () for rule in config.rules)
    assert config.rules[0].path_regex.startswith("^clusters/[^/]+/(kubernetes|components|secrets)")
    assert config.rules[0].shamir_threshold is None


@pytest.mark.parametrize(("relpath", "expected"), list(REPO_FILES.items()))
def test_rule_for_template_files(relpath: str, expected: tuple[EncryptionRule, bool]) -> None:
    chosen = load_config(TEMPLATE).rule_for(TEMPLATE.parent / relpath)
    assert (chosen.rule, chosen.mac_only_encrypted) == expected
    assert chosen.groups == (GroupSpec((K1,)),)


def test_rule_for_first_match_wins_and_catch_all(tmp_path: Path) -> None:
    config_path = _write(
        tmp_path / ".sops.yaml",
        "creation_rules:\n"
        "  - path_regex: \\.secret\\.yaml$\n    encrypted_suffix: _s\n    age: a1\n"
        "  - path_regex: secret\n    unencrypted_regex: ^x$\n    age: a2\n"
        "  - age: a3\n",
    )
    config = load_config(config_path)
    assert config.rule_for(tmp_path / "x.secret.yaml").age == ("a1",)
    assert config.rule_for(tmp_path / "d" / "secret.txt").age == ("a2",)
    assert config.rule_for(tmp_path / "other.yaml").age == ("a3",)


def test_file_outside_the_config_folder_is_matched_by_absolute_path(tmp_path: Path) -> None:
    config_path = _write(
        tmp_path / "repo" / ".sops.yaml",
        "creation_rules:\n"
        "  - path_regex: ^f\\.yaml$\n    age: relative\n"
        "  - path_regex: ^/.*/repo2/f\\.yaml$\n    age: absolute\n",
    )
    config = load_config(config_path)
    assert config.rule_for(tmp_path / "repo" / "f.yaml").age == ("relative",)
    # "repo2" shares the prefix "repo" but is not under it.
    assert config.rule_for(tmp_path / "repo2" / "f.yaml").age == ("absolute",)


def test_no_matching_rule(tmp_path: Path) -> None:
    config = load_config(TEMPLATE)
    with pytest.raises(SopsConfigError) as info:
        config.rule_for(TEMPLATE.parent / "docs" / "notes.yaml")
    assert str(info.value) == f"no matching creation rules found for docs/notes.yaml in {TEMPLATE}"
    empty = load_config(_write(tmp_path / ".sops.yaml", "stores: {}\n"))
    with pytest.raises(SopsConfigError, match="has no creation rules"):
        empty.rule_for(tmp_path / "x.yaml")


def test_find_config(tmp_path: Path) -> None:
    top = _write(tmp_path / "top" / ".sops.yaml", "creation_rules: []\n")
    _write(tmp_path / "top" / "mid" / ".sops.yml", "creation_rules: []\n")  # ignored by sops
    deep = tmp_path / "top" / "mid" / "deep"
    deep.mkdir()
    assert find_config(deep, {}) == top
    assert find_config(tmp_path / "top", {"SOPS_CONFIG": ""}) == top
    other = _write(tmp_path / "elsewhere.yaml", "creation_rules: []\n")
    assert find_config(deep, {"SOPS_CONFIG": str(other)}) == other
    assert find_config(tmp_path, {"SOPS_CONFIG": "elsewhere.yaml"}) == other


def test_find_config_looks_100_folders_up(tmp_path: Path) -> None:
    config = _write(tmp_path / "c" / ".sops.yaml", "creation_rules: []\n")
    near = tmp_path.joinpath("c", *["d"] * 99)
    near.mkdir(parents=True)
    assert find_config(near, {}) == config
    far = near / "d"
    far.mkdir()
    found = find_config(far, {})
    assert found != config  # sops stops after 100 folders
    assert found is None or not found.is_relative_to(tmp_path)


def test_recipients_key_groups_and_stores(tmp_path: Path) -> None:
    config = load_config(
        _write(
            tmp_path / ".sops.yaml",
            "stores:\n  yaml:\n    indent: 0\n  json:\n    indent: 2\n"
            "creation_rules:\n"
            "  - age: ' a1 , a2,,'\n    shamir_threshold: 2\n    mac_only_encrypted: true\n"
            "  - age: [b1, 'b2,b3']\n"
            "  - age: ignored\n    key_groups:\n      - age: [g1, g2, g1]\n"
            "      - age: [h1]\n        merge:\n          - age: [h2]\n",
        )
    )
    first, second, third = config.rules
    assert (config.yaml_indent, config.json_indent) == (4, "  ")
    assert first == CreationRule("", ("a1", "a2"), DEFAULT_RULE, True, 2, ())
    assert second.age == ("b1", "b2", "b3") and second.groups == (GroupSpec(("b1", "b2", "b3")),)
    assert third.key_groups == (GroupSpec(("g1", "g2")), GroupSpec(("h1", "h2")))
    assert third.groups == third.key_groups


def test_defaults_without_stores(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path / ".sops.yaml", "creation_rules:\n  - age: a\n"))
    assert isinstance(config, SopsConfig)
    assert (config.yaml_indent, config.json_indent) == (4, "\t")
    assert config.rules[0].mac_only_encrypted is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("creation_rules: [", "not valid YAML"),
        ("- a\n", "the file must be a mapping"),
        ("creation_rules: {}\n", "creation_rules must be a list"),
        ("creation_rules:\n  - encrypted_regex: a\n    encrypted_suffix: b\n", "for the same rule"),
        ("creation_rules:\n  - path_regex: '(?<=x)'\n", "creation rule 1: invalid Go regular"),
        ("creation_rules:\n  - encrypted_regex: '\\1'\n", "invalid Go regular expression"),
        ("creation_rules:\n  - age: 3\n", "age must be a string or a list"),
        ("creation_rules:\n  - age: [a, 3]\n", "age must list strings"),
        ("creation_rules:\n  - age: ['a,']\n", "empty recipient"),
        ("creation_rules:\n  - mac_only_encrypted: maybe\n", "mac_only_encrypted must be"),
        ("creation_rules:\n  - shamir_threshold: x\n", "shamir_threshold must be"),
        ("creation_rules:\n  - key_groups: [{age: a}]\n", "key group 1 age must be a list"),
        ("stores:\n  yaml:\n    indent: -1\n", "stores.yaml.indent must be"),
        ("stores:\n  json:\n    indent: -2\n", "stores.json.indent must be"),
    ],
)
def test_invalid_config(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / ".sops.yaml", text)
    with pytest.raises(SopsConfigError, match=re.escape(message)) as info:
        load_config(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_unreadable_config(tmp_path: Path) -> None:
    with pytest.raises(SopsConfigError, match=r"cannot read sops config .*No such file"):
        load_config(tmp_path / "missing.yaml")


def test_rule_selection_matches_sops(tmp_path: Path) -> None:
    """sops -e in a copy of the clustertool repo records the rule it chose in `sops:`."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "repo", repo)
    shutil.copytree(FIXTURES / "plain" / "repo", repo, dirs_exist_ok=True)
    config = load_config(find_config(repo / "clusters", {}) or Path("missing"))
    assert config.path == repo / ".sops.yaml"
    for relpath, expected in REPO_FILES.items():
        result = _sops_encrypt(relpath, repo)
        assert result.returncode == 0, f"{relpath}: {result.stderr}"
        metadata = yaml.safe_load(result.stdout)["sops"]
        chosen = config.rule_for(repo / relpath)
        assert rule_from_metadata(metadata) == chosen.rule == expected[0], relpath
        assert metadata.get("mac_only_encrypted", False) is chosen.mac_only_encrypted, relpath
        assert f"\nsops:\n{' ' * config.yaml_indent}age:\n" in result.stdout
    result = _sops_encrypt("docs.yaml", _write(repo / "docs.yaml", "a: 1\n").parent)
    assert result.returncode != 0 and "no matching creation rules found" in result.stderr
    with pytest.raises(SopsConfigError, match=r"no matching creation rules found for docs\.yaml"):
        config.rule_for(repo / "docs.yaml")


def test_absolute_path_matching_matches_sops(tmp_path: Path) -> None:
    _write(
        tmp_path / "repo" / ".sops.yaml",
        f"creation_rules:\n  - path_regex: ^f\\.yaml$\n    age: {K1}\n"
        f"  - path_regex: ^/.*/outside/f\\.yaml$\n    encrypted_suffix: _s\n    age: {K1}\n",
    )
    outside = _write(tmp_path / "outside" / "f.yaml", "a_s: 1\nb: 2\n")
    result = _sops_encrypt(str(outside), tmp_path / "repo")
    assert result.returncode == 0, result.stderr
    chosen = load_config(tmp_path / "repo" / ".sops.yaml").rule_for(outside)
    assert rule_from_metadata(yaml.safe_load(result.stdout)["sops"]) == chosen.rule
    assert chosen.rule == EncryptionRule("encrypted_suffix", "_s")
