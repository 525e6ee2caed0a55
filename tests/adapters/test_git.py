"""The git adapter against real git in temporary repositories: what it commits, and one clear
line for each way it can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.git_repos import git, init_repo, isolated_env, recording_git
from tuiops.adapters.git import DEMO_EMAIL, DEMO_NAME, GitCli, GitFailed, init_demo_repository
from tuiops.wiring import demo_repo


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path / "home")


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    (root / "b.yaml").write_text("b: 1\n", encoding="utf-8")
    return init_repo(root, env)


def test_commit_takes_exactly_the_paths_given(repo: Path, env: dict[str, str]) -> None:
    cli = GitCli(repo, environ=env)
    before = cli.head()
    (repo / "a.yaml").write_text("a: 2\n", encoding="utf-8")
    (repo / "b.yaml").write_text("b: 2\n", encoding="utf-8")
    git(repo, "add", "b.yaml", env=env)  # someone else's staged change
    assert not cli.is_clean(["a.yaml"])
    sha = cli.commit([repo / "a.yaml"], "chore: a\n\nbody")
    assert sha != before and sha == cli.head() and len(sha) == 40
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD", env=env).split() == [
        "chore:",
        "a",
        "a.yaml",
    ]
    assert cli.is_clean(["a.yaml"])
    assert git(repo, "diff", "--cached", "--name-only", env=env).split() == ["b.yaml"]
    assert git(repo, "log", "-1", "--format=%B", env=env).strip() == "chore: a\n\nbody"


def test_commit_adds_a_new_file(repo: Path, env: dict[str, str]) -> None:
    cli = GitCli(repo, environ=env)
    (repo / "new dir").mkdir()
    (repo / "new dir" / "c[1].yaml").write_text("c: 1\n", encoding="utf-8")
    assert cli.changed(["new dir/c[1].yaml"]) == ("new dir/c[1].yaml",)
    cli.commit(["new dir/c[1].yaml"], "add c")
    assert cli.is_clean(["new dir/c[1].yaml", "a.yaml"])


def test_nothing_to_commit(repo: Path, env: dict[str, str]) -> None:
    with pytest.raises(GitFailed, match=r"^nothing to commit: a\.yaml already committed"):
        GitCli(repo, environ=env).commit(["a.yaml"], "no change")


def test_not_a_repository(tmp_path: Path, env: dict[str, str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    cli = GitCli(plain, environ={**env, "GIT_CEILING_DIRECTORIES": str(tmp_path)})
    for call in (cli.head, cli.remote_configured, lambda: cli.commit(["x"], "m")):
        with pytest.raises(GitFailed, match=r"not a git repository \(run `git init` there"):
            call()


def test_no_git_installed(repo: Path, env: dict[str, str]) -> None:
    with pytest.raises(GitFailed, match=r"not installed or not on PATH; install git"):
        GitCli(repo, git=str(repo / "no-such-git"), environ=env).head()


def test_no_identity_says_how_to_set_one(tmp_path: Path, env: dict[str, str]) -> None:
    root = init_repo(tmp_path / "anon", env, identity=False)
    (root / "x.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(GitFailed) as raised:
        GitCli(root, environ=env).commit(["x.yaml"], "first")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("git does not know who you are")
    assert 'git config --global user.name "Your Name"' in message
    with pytest.raises(GitFailed, match="has no commits yet"):
        GitCli(root, environ=env).head()


def test_hook_refusal_is_named(repo: Path, env: dict[str, str]) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'yamllint: a.yaml: bad indent' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "a.yaml").write_text("a: 3\n", encoding="utf-8")
    with pytest.raises(GitFailed) as raised:
        GitCli(repo, environ=env).commit(["a.yaml"], "blocked")
    assert str(raised.value) == (
        "the git pre-commit hook refused the commit: yamllint: a.yaml: bad indent; "
        "fix what it reports, then commit again"
    )


def test_path_outside_the_repo_is_refused(repo: Path, tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(GitFailed, match="not inside the repository"):
        GitCli(repo, environ=env).commit([tmp_path / "elsewhere.yaml"], "m")


def test_the_message_never_reaches_argv(repo: Path, tmp_path: Path, env: dict[str, str]) -> None:
    log = tmp_path / "argv.log"
    fake = recording_git(tmp_path / "bin", log)
    (repo / "a.yaml").write_text("a: 4\n", encoding="utf-8")
    GitCli(repo, git=str(fake), environ=env).commit(["a.yaml"], "chore: MESSAGE-SENTINEL")
    calls = log.read_text(encoding="utf-8")
    assert "commit --quiet -F - --only -- a.yaml" in calls
    assert "MESSAGE-SENTINEL" not in calls


def _remote_pair(tmp_path: Path, repo: Path, env: dict[str, str]) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare), env=env)
    git(repo, "remote", "add", "origin", str(bare), env=env)
    return bare


def test_push_and_remote(repo: Path, tmp_path: Path, env: dict[str, str]) -> None:
    cli = GitCli(repo, environ=env)
    assert not cli.remote_configured()
    with pytest.raises(GitFailed, match="no git remote configured; add one with git remote add"):
        cli.push()
    bare = _remote_pair(tmp_path, repo, env)
    assert cli.remote_configured()
    assert cli.push() == "pushed to origin/main"
    assert git(bare, "rev-parse", "main", env=env).strip() == cli.head()


def test_push_rejected_says_to_pull(repo: Path, tmp_path: Path, env: dict[str, str]) -> None:
    bare = _remote_pair(tmp_path, repo, env)
    cli = GitCli(repo, environ=env)
    cli.push()
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "-b", "main", str(bare), str(other), env=env)
    for key, value in (("user.name", "O"), ("user.email", "o@example.invalid")):
        git(other, "config", key, value, env=env)
    git(other, "commit", "--quiet", "--allow-empty", "-m", "theirs", env=env)
    git(other, "push", "--quiet", "origin", "HEAD:main", env=env)
    (repo / "a.yaml").write_text("a: 5\n", encoding="utf-8")
    cli.commit(["a.yaml"], "ours")
    with pytest.raises(GitFailed) as raised:
        cli.push()
    assert str(raised.value) == (
        "push to origin/main rejected: the remote has commits this clone does not; "
        "pull --rebase, then push again"
    )


def test_demo_repository(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "age.agekey").write_text("AGE-SECRET-KEY-DEMO\n", encoding="utf-8")
    (root / "x.yaml").write_text("x: 1\n", encoding="utf-8")
    # No identity anywhere (fresh CI machine): the demo commit still works.
    sha = init_demo_repository(root, environ=env)
    assert git(root, "log", "--format=%an <%ae>", env=env).strip() == f"{DEMO_NAME} <{DEMO_EMAIL}>"
    assert git(root, "ls-files", env=env).split() == ["x.yaml"]
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD", env=env).strip() == "main"
    cli = GitCli(root, environ=env)
    assert cli.head() == sha
    (root / "x.yaml").write_text("x: 2\n", encoding="utf-8")
    assert cli.commit(["x.yaml"], "later, in the demo") != sha  # the repo's own identity


def test_wiring_demo_repo_is_a_clean_git_repo() -> None:
    with demo_repo() as root:
        cli = GitCli(root)
        assert len(cli.head()) == 40
        assert cli.is_clean(["clusters", ".sops.yaml"])
        assert (root / "age.agekey").exists()
        assert cli.is_clean(["age.agekey"])  # ignored, never committed
