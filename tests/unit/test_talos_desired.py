"""The desired Talos and Kubernetes versions read from a repo's talconfig.yaml."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import WriteRepo
from tuiops.domain.talos import TalosDesired
from tuiops.services.talos_desired import desired_versions
from tuiops.sim.example_repo import EXAMPLE_REPO


def test_example_repo() -> None:
    desired = desired_versions(EXAMPLE_REPO)
    assert (desired.talos, desired.kubernetes, desired.file) == (
        "v1.11.3",
        "v1.34.1",
        "clusters/main/talos/talconfig.yaml",
    )


def test_no_repo_or_no_file_is_empty(tmp_path: Path) -> None:
    assert desired_versions(None) == TalosDesired()
    assert desired_versions(tmp_path) == TalosDesired()
    assert desired_versions(tmp_path / "missing") == TalosDesired()


def test_broken_yaml_is_empty(write_repo: WriteRepo) -> None:
    root = write_repo({"clusters/main/talos/talconfig.yaml": "talosVersion: [v1\n  : :\n"})
    desired = desired_versions(root)
    assert (desired.talos, desired.kubernetes) == ("", "")
    assert desired.file == "clusters/main/talos/talconfig.yaml"


def test_wrong_shapes_are_empty(write_repo: WriteRepo) -> None:
    root = write_repo({"talos/talconfig.yaml": "- a list\n"})
    assert desired_versions(root).talos == ""
    root = write_repo({"talos/talconfig.yaml": "talosVersion: 1.5\nkubernetesVersion: v1.30.0\n"})
    assert desired_versions(root) == TalosDesired("", "v1.30.0", "talos/talconfig.yaml")


def test_root_level_layout(write_repo: WriteRepo) -> None:
    root = write_repo({"talconfig.yaml": "talosVersion: v1.9.0\nkubernetesVersion: v1.32.0\n"})
    assert desired_versions(root) == TalosDesired("v1.9.0", "v1.32.0", "talconfig.yaml")


def test_symlink_outside_repo_is_ignored(write_repo: WriteRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("talosVersion: v9.9.9\n", encoding="utf-8")
    root = write_repo({})
    link = root / "talconfig.yaml"
    link.symlink_to(outside)
    assert desired_versions(root) == TalosDesired()
