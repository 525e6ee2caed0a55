"""The repo's YAML of one object (Detail's `y` offline): the document at a file:line, never
a file outside the repo, one clear line when it cannot be read."""

from __future__ import annotations

import pytest

from tests.conftest import WriteRepo
from tuiops.domain.refs import ObjectRef, SourceLocation
from tuiops.errors import RepoLayoutError
from tuiops.services.backend import Backend
from tuiops.services.console_state import ConsoleSession
from tuiops.services.repo_yaml import read_document
from tuiops.sim.example_repo import EXAMPLE_REPO

TWO = "# first\n---\nkind: A\nmetadata:\n  name: a\n---\n# about b\nkind: B\nname: b\n---\n"


def test_the_document_at_its_line(write_repo: WriteRepo) -> None:
    root = write_repo({"x.yaml": TWO})
    first = read_document(root, SourceLocation("x.yaml", 3))
    assert first.text == "kind: A\nmetadata:\n  name: a"
    second = read_document(root, SourceLocation("x.yaml", 8))
    assert (second.location.line, second.text) == (8, "kind: B\nname: b")
    # A line inside a document gives the whole document, from its first line.
    assert read_document(root, SourceLocation("x.yaml", 5)).location.line == 3


def test_problems_are_one_line(write_repo: WriteRepo) -> None:
    root = write_repo({"x.yaml": TWO})
    (root.parent / "outside.yaml").write_text("kind: Secret\n")
    cases = {
        "missing.yaml": "missing.yaml",
        "../outside.yaml": "outside the repo",
    }
    for file, words in cases.items():
        with pytest.raises(RepoLayoutError, match=words):
            read_document(root, SourceLocation(file, 1))
    with pytest.raises(RepoLayoutError, match="no document there"):
        read_document(root, SourceLocation("x.yaml", 99))


def test_session_reads_an_object_of_the_example_repo() -> None:
    session = ConsoleSession(Backend(EXAMPLE_REPO, offline_reason="offline (--offline)"))
    session.read_repo()
    document = session.repo_yaml(ObjectRef("HelmRelease", "kube-system", "cilium"))
    assert str(document.location) == (
        "clusters/main/kubernetes/kube-system/cilium/app/helm-release.yaml:3"
    )
    assert document.text.splitlines()[:2] == [
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
    ]
    with pytest.raises(RepoLayoutError, match="not defined in the repo"):
        session.repo_yaml(ObjectRef("HelmRelease", "nowhere", "nothing"))
