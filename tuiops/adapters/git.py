"""The GitOps repo's own git: what HEAD is, whether files are committed, a commit of exactly
the files tuiops changed, and a push.

Every call runs `git -C <repo>` through `adapters.process` with a timeout, in the C locale (so
git's messages can be told apart), with prompts off (`GIT_TERMINAL_PROMPT=0`; no terminal in
the child either, so ssh cannot ask). The commit message goes on stdin (`-F -`) and paths are
literal pathspecs after `--`: nothing a user typed, and never a secret value, is on argv.
Every failure is a `GitFailed` whose message is one line saying what to do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from tuiops.adapters.process import CommandFailed, Completed, ToolNotFound, run
from tuiops.errors import TuiopsError

DEFAULT_TIMEOUT = 30.0
"""Seconds a local git command may take."""
PUSH_TIMEOUT = 120.0
"""Seconds a push may take (network)."""
DEMO_NAME = "tuiops-demo"
DEMO_EMAIL = "demo@tuiops.invalid"
_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "pre-push")
_IDENTITY = re.compile(
    r"Please tell me who you are|unable to auto-detect email|empty ident name|"
    r"no email was given|no name was given",
    re.IGNORECASE,
)
_REJECTED = re.compile(r"\[rejected\]|non-fast-forward|fetch first|\[remote rejected\]")
_AUTH = re.compile(
    r"could not read Username|Authentication failed|Permission denied|"
    r"could not read from remote repository|terminal prompts disabled",
    re.IGNORECASE,
)


class GitFailed(TuiopsError):
    """A git command failed; the message is one line with the reason and the fix."""


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _environment(base: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "LC_ALL": "C",
            "LANGUAGE": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_LITERAL_PATHSPECS": "1",
            "GIT_OPTIONAL_LOCKS": "0",
        }
    )
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


class GitCli:
    """The git repository at `root`, through the `git` program.

    Args:
        root: The repo's top folder (its work tree).
        git: The program to run.
        timeout: Seconds each local command may take.
        push_timeout: Seconds a push may take.
        environ: The environment to start from (default: os.environ).
    """

    def __init__(
        self,
        root: Path,
        *,
        git: str = "git",
        timeout: float = DEFAULT_TIMEOUT,
        push_timeout: float = PUSH_TIMEOUT,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.root = Path(root)
        self._git = git
        self._timeout = timeout
        self._push_timeout = push_timeout
        self._env = _environment(environ)

    # -- the one runner ------------------------------------------------------------------

    def _run(
        self,
        *args: str,
        stdin: str | None = None,
        check: bool = True,
        timeout: float | None = None,
    ) -> Completed:
        argv = (self._git, "-C", str(self.root), *args)
        limit = self._timeout if timeout is None else timeout
        try:
            done = run(argv, timeout=limit, stdin=stdin, env=self._env, check=False)
        except ToolNotFound:
            raise GitFailed(
                f"{self._git}: not installed or not on PATH; install git to commit from tuiops"
            ) from None
        except CommandFailed:  # only a timeout reaches here (check=False)
            raise GitFailed(f"git {args[0]} timed out after {limit:g}s in {self.root}") from None
        if not check or done.returncode == 0:
            return done
        raise self._failure(args[0], done)

    def _failure(self, verb: str, done: Completed) -> GitFailed:
        text = done.stderr + "\n" + done.stdout
        if "not a git repository" in text:
            return GitFailed(f"{self.root}: not a git repository (run `git init` there first)")
        if not self.root.is_dir():
            return GitFailed(f"{self.root}: no such folder")
        if _IDENTITY.search(text):
            return GitFailed(
                "git does not know who you are; set it once: "
                'git config --global user.name "Your Name" && '
                "git config --global user.email you@example.com"
            )
        if "does not have any commits yet" in text or "unknown revision" in text:
            return GitFailed(f"{self.root}: the repository has no commits yet")
        last = _last_line(done.stderr) or _last_line(done.stdout) or f"exited {done.returncode}"
        return GitFailed(f"git {verb} failed: {last}")

    # -- reads ---------------------------------------------------------------------------

    def head(self) -> str:
        """The full sha of HEAD.

        Raises:
            GitFailed: no git, not a repository, or no commit yet.
        """
        done = self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        if done.returncode == 0:
            return done.stdout.strip()
        self._run("rev-parse", "--git-dir")  # raises "not a git repository" when it is not
        raise GitFailed(f"{self.root}: the repository has no commits yet")

    def changed(self, paths: Sequence[str | Path]) -> tuple[str, ...]:
        """Which of `paths` differ from HEAD (staged, unstaged or untracked), repo-relative.

        Raises:
            GitFailed: no git or not a repository.
        """
        specs = self._specs(paths)
        if not specs:
            return ()
        done = self._run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *specs)
        found = []
        entries = done.stdout.split("\0")
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if len(entry) < 4:
                continue
            found.append(entry[3:])
            if entry[0] in "RC":  # a rename's source follows as its own entry
                index += 1
        return tuple(found)

    def is_clean(self, paths: Sequence[str | Path]) -> bool:
        """Whether every one of `paths` is committed as it is on disk.

        Raises:
            GitFailed: no git or not a repository.
        """
        return not self.changed(paths)

    def remote_configured(self) -> bool:
        """Whether the repository has a remote to push to.

        Raises:
            GitFailed: no git or not a repository.
        """
        return bool(self._run("remote").stdout.strip())

    # -- writes --------------------------------------------------------------------------

    def commit(self, paths: Sequence[str | Path], message: str) -> str:
        """Commit exactly `paths` (as they are on disk) with `message`; other staged or
        changed files are left as they were, neither committed nor unstaged.

        Args:
            paths: Files inside the repo (absolute, or relative to its root).
            message: The commit message (on stdin, never argv).

        Returns:
            The new commit's full sha.

        Raises:
            GitFailed: no git, not a repository, nothing to commit, no author identity, a
                hook refused, or any other git failure (one line each); the paths are then
                left unstaged.
        """
        specs = self._specs(paths)
        if not specs:
            raise GitFailed("nothing to commit: no files given")
        if not message.strip():
            raise GitFailed("refusing to commit with an empty message")
        self._run("add", "--", *specs)
        unchanged = self._run("diff", "--cached", "--quiet", "--", *specs, check=False)
        if unchanged.returncode == 0 and self._has_head():
            raise GitFailed(f"nothing to commit: {', '.join(specs)} already committed as is")
        done = self._run(
            "commit", "--quiet", "-F", "-", "--only", "--", *specs, stdin=message, check=False
        )
        if done.returncode != 0:
            # Leave the index as a failed commit found it for these paths: not staged.
            self._run("reset", "--quiet", "--", *specs, check=False)
            failure = self._failure("commit", done)
            hook = self._hook_in_use(("pre-commit", "prepare-commit-msg", "commit-msg"))
            if hook and not str(failure).startswith("git does not know"):
                detail = _last_line(done.stderr) or _last_line(done.stdout)
                raise GitFailed(
                    f"the git {hook} hook refused the commit"
                    + (f": {detail}" if detail else "")
                    + "; fix what it reports, then commit again"
                )
            raise failure
        return self.head()

    def push(self) -> str:
        """Push the current branch: to its upstream, else to the only (or `origin`) remote
        under the same branch name.

        Returns:
            One line saying where it went.

        Raises:
            GitFailed: no remote, the push was rejected (the remote has commits this clone has
                not), authentication failed, a pre-push hook refused, or a timeout.
        """
        remotes = self._run("remote").stdout.split()
        if not remotes:
            raise GitFailed("no git remote configured; add one with git remote add origin URL")
        upstream = self._run(
            "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False
        )
        branch = self._run("rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
        if upstream.returncode == 0:
            args: tuple[str, ...] = ("push", "--porcelain")
            where = upstream.stdout.strip()
        else:
            remote = "origin" if "origin" in remotes else remotes[0]
            args = ("push", "--porcelain", remote, "HEAD")
            where = f"{remote}/{branch}"
        done = self._run(*args, check=False, timeout=self._push_timeout)
        if done.returncode == 0:
            return f"pushed to {where}"
        text = done.stderr + "\n" + done.stdout
        if _REJECTED.search(text):
            raise GitFailed(
                f"push to {where} rejected: the remote has commits this clone does not; "
                "pull --rebase, then push again"
            )
        if _AUTH.search(text):
            raise GitFailed(
                f"push to {where} failed: the remote refused the credentials (or asked for "
                "them); check your ssh key or credential helper"
            )
        if self._hook_in_use(("pre-push",)):
            raise GitFailed(
                f"the git pre-push hook refused the push: {_last_line(done.stderr)}; "
                "fix what it reports, then push again"
            )
        raise self._failure("push", done)

    # -- helpers -------------------------------------------------------------------------

    def _has_head(self) -> bool:
        done = self._run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return done.returncode == 0

    def _specs(self, paths: Sequence[str | Path]) -> list[str]:
        """Repo-relative literal pathspecs; a path outside the repo is refused."""
        root = Path(os.path.realpath(self.root))
        specs = []
        for path in paths:
            full = Path(path) if Path(path).is_absolute() else root / path
            resolved = Path(os.path.realpath(full.parent)) / full.name
            try:
                specs.append(resolved.relative_to(root).as_posix())
            except ValueError:
                raise GitFailed(f"{path}: not inside the repository {self.root}") from None
        return specs

    def _hook_in_use(self, names: Sequence[str]) -> str:
        """The first of `names` that is an executable hook of this repo; empty when none."""
        done = self._run("rev-parse", "--git-path", "hooks", check=False)
        folder = Path(done.stdout.strip()) if done.returncode == 0 else None
        if folder is None:
            return ""
        if not folder.is_absolute():
            folder = self.root / folder
        for name in names:
            hook = folder / name
            if name in _HOOKS and hook.is_file() and os.access(hook, os.X_OK):
                return name
        return ""


def init_demo_repository(
    root: Path,
    message: str = "tuiops demo: the example repo",
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Make the folder `root` a git repository on branch `main` with everything in it in one
    commit, authored by the demo identity (also set in the repo's own config, so commits made
    later in the demo work on a machine with no git identity). `age.agekey` (the demo key)
    is excluded, as real repos ignore their key.

    Returns:
        The commit's sha.

    Raises:
        GitFailed: git is missing or failed.
    """
    git = GitCli(root, environ=environ)
    git._run("init", "--quiet")
    git._run("symbolic-ref", "HEAD", "refs/heads/main")
    exclude = root / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as handle:
        handle.write("age.agekey\n")
    git._run("config", "user.name", DEMO_NAME)
    git._run("config", "user.email", DEMO_EMAIL)
    git._run("config", "commit.gpgsign", "false")
    git._run("add", "--all")
    git._run(
        "-c",
        f"user.name={DEMO_NAME}",
        "-c",
        f"user.email={DEMO_EMAIL}",
        "commit",
        "--quiet",
        "--no-verify",
        "-F",
        "-",
        stdin=message,
    )
    return git.head()
