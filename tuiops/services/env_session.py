"""The Env screen's state: the repo's SOPS files, one of them open (decrypted in memory only),
the edits staged on it, their checks and review, and the save.

Decrypted values live in these objects and nowhere else: never in a temporary file, a log, an
exception message or a notification (every message here names keys and files, never values).
A save goes through the SOPS engine (`OpenSopsFile.set/delete/save`: the minimal `sops set`
diff, atomic, refused when the file changed on disk since it was read), and is reported only
after the file read back from disk decrypts to exactly the intended values.

Everything blocking (listing, opening, saving) is a method the UI calls from a worker; staging
an edit and checking it are quick and pure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tuiops.errors import UsageError
from tuiops.services.env_file import EnvFile, SaveOutcome
from tuiops.services.env_files import EnvFileInfo, list_env_files
from tuiops.services.env_uses import variable_users

if TYPE_CHECKING:
    from tuiops.domain.repo import RepoModel
    from tuiops.gitops.sops.keys import IdentitySource

__all__ = ["EnvFile", "EnvFileInfo", "EnvSession", "SaveOutcome"]


class EnvSession:
    """The SOPS files of one repo, and the identities that open them."""

    def __init__(
        self,
        repo_root: Path | None,
        *,
        model: Callable[[], RepoModel | None] | None = None,
        sources: Callable[[], Sequence[IdentitySource]] | None = None,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
    ) -> None:
        """Args:
        repo_root: the GitOps repo; None: no repo (nothing to list).
        model: the repo model (for who uses each variable); read on open when None.
        sources: the age identities to try (default: where sops looks, and `age.agekey`).
        environ: the environment (default: the process's), for the identity sources.
        home: the user's home (default: `Path.home()`).
        """
        self.repo_root = repo_root
        self._model = model
        self._sources = sources
        self._environ = environ
        self._home = home

    def files(self) -> tuple[EnvFileInfo, ...]:
        """Blocking: the repo's SOPS files, clusterenv first."""
        if self.repo_root is None:
            return ()
        return list_env_files(self.repo_root, self._env())

    def _env(self) -> Mapping[str, str]:
        return self._environ if self._environ is not None else os.environ

    def identity_sources(self) -> Sequence[IdentitySource]:
        if self._sources is not None:
            return self._sources()
        from tuiops.gitops.sops.keys import identity_sources

        return identity_sources(self._env(), self._home or Path.home(), self.repo_root)

    def open(self, info: EnvFileInfo) -> EnvFile:
        """Blocking: decrypt `info`'s file in memory (MAC checked).

        Raises:
            SopsError (a TuiopsError): cannot read or decrypt it, one line naming the file.
        """
        from tuiops.gitops.sops.files import open_sops_file

        if self.repo_root is None:
            raise UsageError("no repo: there are no SOPS files to open")
        sources = self.identity_sources()
        opened = open_sops_file(self.repo_root / info.rel, sources)
        model = self._model() if self._model is not None else None
        if model is None:
            from tuiops.gitops.loader import load_repo

            model = load_repo(self.repo_root)
        users = variable_users(model, self.repo_root, info.rel)
        return EnvFile(info, opened, sources, users)
