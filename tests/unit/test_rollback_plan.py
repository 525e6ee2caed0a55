"""GitOps rollback of a HelmRelease's chart version: the one-line plan (quotes, comments and
everything else kept), the refusals, and the commit it makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.git_repos import example_git_repo, git, isolated_env
from tuiops.adapters.git import GitCli, GitFailed
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rollback import ROLLBACK_WARNING
from tuiops.gitops.chart_version import RollbackRefused, plan_chart_rollback
from tuiops.services.rollback import ChartRollback, ReadOnlyRefused

NEXTCLOUD = ObjectRef("HelmRelease", "nextcloud", "nextcloud")
NEXTCLOUD_FILE = "clusters/main/kubernetes/apps/nextcloud/app/helm-release.yaml"
SPEGEL = ObjectRef("HelmRelease", "kube-system", "spegel")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path / "home")


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    return example_git_repo(tmp_path / "repo", env)


def _set_version_line(repo: Path, env: dict[str, str], line: str) -> None:
    path = repo / NEXTCLOUD_FILE
    text = path.read_text(encoding="utf-8")
    assert "      version: 36.3.0\n" in text
    path.write_text(text.replace("      version: 36.3.0\n", line + "\n", 1), encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", "variant", env=env)


def test_plan_is_one_line(repo: Path) -> None:
    plan = plan_chart_rollback(repo, NEXTCLOUD, "36.2.0")
    assert (plan.file, plan.field, plan.target) == (
        NEXTCLOUD_FILE,
        "spec.chart.spec.version",
        NEXTCLOUD,
    )
    assert (plan.old_line, plan.new_line) == ("      version: 36.3.0", "      version: 36.2.0")
    assert plan.message == "rollback(nextcloud/nextcloud): chart 36.3.0 -> 36.2.0"
    assert plan.warnings == (ROLLBACK_WARNING,)
    assert "values" in ROLLBACK_WARNING and "helm rollback" in ROLLBACK_WARNING
    assert f"@@ -{plan.line} +{plan.line} @@" in plan.diff


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('      version: "36.3.0" # renovate: keep', '      version: "36.2.0" # renovate: keep'),
        ("      version:   '36.3.0'   #c", "      version:   '36.2.0'   #c"),
        ("      version: 36.3.0\t# tab comment", "      version: 36.2.0\t# tab comment"),
    ],
)
def test_quotes_spacing_and_comments_are_kept(
    repo: Path, env: dict[str, str], written: str, expected: str
) -> None:
    _set_version_line(repo, env, written)
    plan = plan_chart_rollback(repo, NEXTCLOUD, "36.2.0")
    assert (plan.old_line, plan.new_line) == (written, expected)


def test_a_version_yaml_would_read_as_a_number_is_quoted(repo: Path) -> None:
    assert plan_chart_rollback(repo, NEXTCLOUD, "1.10").new_line == '      version: "1.10"'


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("      version: ${NEXTCLOUD_CHART_VERSION}", r"is \$\{NEXTCLOUD_CHART_VERSION\}"),
        ('      version: "${V:=36.3.0}"', r"is \$\{V\}, which Flux substitutes"),
        ("      version: >-\n        36.3.0", "block scalar"),
        ("      version: &v 36.3.0", "anchor, alias"),
        ("      version:\n        36.3.0", "not on the key's line"),
    ],
)
def test_refused_with_the_reason(
    repo: Path, env: dict[str, str], written: str, reason: str
) -> None:
    _set_version_line(repo, env, written)
    with pytest.raises(RollbackRefused, match=reason):
        plan_chart_rollback(repo, NEXTCLOUD, "36.2.0")


def test_flow_style_is_refused(repo: Path, env: dict[str, str]) -> None:
    path = repo / NEXTCLOUD_FILE
    text = path.read_text(encoding="utf-8")
    start = text.index("  chart:\n")
    end = text.index("  timeout:")
    flow = (
        "  chart: {spec: {chart: nextcloud, version: 36.3.0, sourceRef: "
        "{kind: HelmRepository, name: truecharts, namespace: flux-system}}}\n"
    )
    path.write_text(text[:start] + flow + text[end:], encoding="utf-8")
    with pytest.raises(RollbackRefused, match="not found as a block key"):
        plan_chart_rollback(repo, NEXTCLOUD, "36.2.0")


def test_other_refusals(repo: Path) -> None:
    with pytest.raises(RollbackRefused, match=r"already pins 36\.3\.0"):
        plan_chart_rollback(repo, NEXTCLOUD, "36.3.0")
    with pytest.raises(RollbackRefused, match="not declared in the repo"):
        plan_chart_rollback(repo, ObjectRef("HelmRelease", "nowhere", "nothing"), "1.0.0")
    with pytest.raises(RollbackRefused, match="is not a chart version"):
        plan_chart_rollback(repo, NEXTCLOUD, "1.0.0\nspec: {}")


def test_oci_chart_ref_edits_the_tag(repo: Path) -> None:
    plan = plan_chart_rollback(repo, SPEGEL, "0.3.0+0123456789ab")
    assert plan.target == ObjectRef("OCIRepository", "flux-system", "spegel")
    assert (plan.file, plan.field) == ("repositories/oci/spegel.yaml", "spec.ref.tag")
    assert (plan.old_line, plan.new_line) == ("    tag: 0.4.0", "    tag: 0.3.0")
    assert plan.message == "rollback(kube-system/spegel): chart 0.4.0 -> 0.3.0"


def test_apply_commits_exactly_that_line(repo: Path, env: dict[str, str]) -> None:
    rollback = ChartRollback(repo, GitCli(repo, environ=env))
    plan = rollback.plan(NEXTCLOUD, "36.2.0")
    result = rollback.apply(plan)
    assert result.commit == GitCli(repo, environ=env).head()
    assert git(repo, "log", "-1", "--format=%s", env=env).strip() == plan.message
    numstat = git(repo, "show", "--numstat", "--format=", "HEAD", env=env).split()
    assert numstat == ["1", "1", NEXTCLOUD_FILE]
    diff = git(repo, "show", "--format=", "-U0", "HEAD", env=env)
    assert "-      version: 36.3.0\n+      version: 36.2.0\n" in diff
    assert "not pushed" in result.summary
    # The repo now pins 36.2.0: planning again reads it.
    assert rollback.plan(NEXTCLOUD, "36.3.0").old_version == "36.2.0"


def test_apply_refusals_leave_the_file(repo: Path, env: dict[str, str]) -> None:
    cli = GitCli(repo, environ=env)
    path = repo / NEXTCLOUD_FILE
    plan = ChartRollback(repo, cli).plan(NEXTCLOUD, "36.2.0")
    with pytest.raises(ReadOnlyRefused):
        ChartRollback(repo, cli, read_only=True).apply(plan)
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "# local edit\n", encoding="utf-8")
    with pytest.raises(RollbackRefused, match="uncommitted changes"):
        ChartRollback(repo, cli).apply(plan)
    git(repo, "commit", "--quiet", "-am", "someone else", env=env)
    with pytest.raises(RollbackRefused, match="changed since the rollback was planned"):
        ChartRollback(repo, cli).apply(plan)
    assert path.read_text(encoding="utf-8") == original + "# local edit\n"


def test_failed_commit_puts_the_file_back(repo: Path, env: dict[str, str]) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no rollbacks on Fridays' >&2\nexit 1\n")
    hook.chmod(0o755)
    cli = GitCli(repo, environ=env)
    before = (repo / NEXTCLOUD_FILE).read_text(encoding="utf-8")
    head = cli.head()
    rollback = ChartRollback(repo, cli)
    with pytest.raises(GitFailed, match="pre-commit hook refused the commit: policy"):
        rollback.apply(rollback.plan(NEXTCLOUD, "36.2.0"))
    assert (repo / NEXTCLOUD_FILE).read_text(encoding="utf-8") == before
    assert cli.head() == head and cli.is_clean([NEXTCLOUD_FILE])
