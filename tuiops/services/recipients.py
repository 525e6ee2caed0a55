"""Recipient rotation: after `.sops.yaml`'s recipients changed, the SOPS files whose data key
is sealed for other recipients than their creation rule names now (a dry run), then all of them
re-sealed (`updatekeys`: same data key, values, MAC and lastmodified) and each checked, then the
Flux namespace's `sops-age` Secret given the private key of the new recipient the user holds.

Blocking and Textual-free: the Recipients screen calls `plan`, `apply`, `key_choice` and
`update_secret` from thread workers. Read-only is refused here, in the code path, and every
write attempt is recorded in the audit log naming the files and the Secret. The private key is
held only in an `AgeKeyChoice` (never in its repr, a message, a log or the audit log).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tuiops.domain.refs import ObjectRef
from tuiops.errors import TuiopsError, UsageError
from tuiops.services.backend import Backend
from tuiops.services.env_files import short_recipient

if TYPE_CHECKING:
    from tuiops.gitops.sops.keys import IdentitySource
    from tuiops.gitops.sops.updatekeys import KeysUpdate
    from tuiops.services.audit import AuditObject

FLUX_NAMESPACE = "flux-system"
SECRET_NAME = "sops-age"
FILES_ACTION = "sops updatekeys"
SECRET_ACTION = "sops-age secret update"


@dataclass(frozen=True, slots=True)
class RecipientChange:
    """One file whose age recipients differ from what its creation rule names."""

    rel: str
    """POSIX path relative to the repo root."""
    current: tuple[str, ...]
    wanted: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(r for r in self.wanted if r not in self.current)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(r for r in self.current if r not in self.wanted)

    @property
    def current_text(self) -> str:
        return ", ".join(short_recipient(r) for r in self.current) or "none"

    @property
    def wanted_text(self) -> str:
        return ", ".join(short_recipient(r) for r in self.wanted) or "none"


@dataclass(frozen=True, slots=True)
class RecipientPlan:
    """The dry run: nothing was written."""

    changes: tuple[RecipientChange, ...]
    """Files to re-seal, in path order (clusterenv and the like are not special here)."""
    up_to_date: tuple[str, ...]
    problems: tuple[tuple[str, str], ...]
    """Files that cannot be planned, with why (one line each: no identity opens it, ...)."""
    common: tuple[str, ...]
    """The recipients every file's rule names: a key for one of them decrypts every file."""
    updates: tuple[KeysUpdate, ...] = field(default=(), repr=False, compare=False)
    """The re-sealed texts, in the order of `changes` (the data keys in memory only)."""

    @property
    def added(self) -> tuple[str, ...]:
        """Recipients some file gains."""
        return tuple(dict.fromkeys(r for change in self.changes for r in change.added))

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(change.rel for change in self.changes)

    @property
    def removed(self) -> tuple[str, ...]:
        """Recipients some file loses."""
        return tuple(dict.fromkeys(r for change in self.changes for r in change.removed))

    @property
    def delta_text(self) -> str:
        """`recipients added: age1abcd…wxyz; removed: …` (public keys, shortened)."""
        parts = [
            f"{label}: {', '.join(short_recipient(r) for r in found)}"
            for label, found in (("added", self.added), ("removed", self.removed))
            if found
        ]
        return "recipients " + "; ".join(parts) if parts else "no recipient added or removed"


@dataclass(frozen=True, slots=True)
class FileResult:
    """How one file's update ended."""

    rel: str
    ok: bool
    message: str
    """One line; names recipients by their short public form, never a key."""


@dataclass(frozen=True, slots=True)
class AgeKeyChoice:
    """The private key to put into the `sops-age` Secret, and which recipient it is."""

    recipient: str
    """Its public key (shown)."""
    source: str
    """Where it was found (`SOPS_AGE_KEY_FILE`, `age.agekey`, ...)."""
    identity: str = field(repr=False, compare=False)
    """The `AGE-SECRET-KEY-1…` line: never displayed, logged or recorded."""

    @property
    def recipient_text(self) -> str:
        """The recipient shortened to `age1abcd…wxyz`."""
        return short_recipient(self.recipient)


class RecipientRotation:
    """Recipient rotation in the backend's repo and on its kube context.

    Args:
        backend: The session's backend: its repo, read-only guard, audit log, label (the
            context named in confirmations) and `age_secret` port.
        sources: The age identities (default: where sops looks, and the repo's `age.agekey`).
        environ: The environment for the identity sources (default: the process's).
        home: The user's home (default: `Path.home()`).
        namespace: The Flux namespace.
        secret: The Secret's name.
        repo_root: The repo (default: the backend's).
    """

    def __init__(
        self,
        backend: Backend,
        *,
        sources: Callable[[], Sequence[IdentitySource]] | None = None,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
        namespace: str = FLUX_NAMESPACE,
        secret: str = SECRET_NAME,
        repo_root: Path | None = None,
    ) -> None:
        self.backend = backend
        self.repo_root = repo_root or backend.repo_root
        self._sources = sources
        self._environ = environ
        self._home = home
        self.secret_ref = ObjectRef("Secret", namespace, secret)

    @property
    def context(self) -> str:
        """The kube context confirmations name."""
        return self.backend.label or "no context"

    @property
    def read_only(self) -> bool:
        return self.backend.read_only

    def _root(self) -> Path:
        if self.repo_root is None:
            raise UsageError("no GitOps repo: there are no SOPS files")
        return self.repo_root

    def identity_sources(self) -> Sequence[IdentitySource]:
        if self._sources is not None:
            return self._sources()
        from tuiops.gitops.sops.keys import identity_sources

        environ = self._environ if self._environ is not None else os.environ
        return identity_sources(environ, self._home or Path.home(), self.repo_root)

    # -- the dry run -----------------------------------------------------------------------

    def plan(self) -> RecipientPlan:
        """Blocking: which SOPS files' recipients differ from what `.sops.yaml` names now.

        Raises:
            UsageError: no repo, or no `.sops.yaml` in it.
            SopsError: `.sops.yaml` cannot be read (one line).
        """
        from tuiops.gitops.sops.config import find_config, load_config
        from tuiops.gitops.sops.errors import SopsError
        from tuiops.gitops.sops.files import open_sops_file
        from tuiops.gitops.sops.updatekeys import plan_keys_update, repo_sops_files

        root = self._root()
        environ = self._environ if self._environ is not None else os.environ
        found = find_config(root, {k: v for k, v in environ.items() if k == "SOPS_CONFIG"})
        if found is None:
            raise UsageError(f"no .sops.yaml in {root}")
        config = load_config(found)
        sources = self.identity_sources()
        changes: list[RecipientChange] = []
        updates: list[KeysUpdate] = []
        current: list[str] = []
        problems: list[tuple[str, str]] = []
        wanted_sets: list[set[str]] = []
        for path in repo_sops_files(root):
            rel = path.relative_to(root).as_posix()
            try:
                update = plan_keys_update(open_sops_file(path, sources), config)
            except (SopsError, UsageError) as error:
                problems.append((rel, _why(str(error), str(path), rel)))
                continue
            wanted_sets.append(set(update.wanted_recipients))
            if update.text is None:
                current.append(rel)
                continue
            changes.append(
                RecipientChange(rel, update.current_recipients, update.wanted_recipients)
            )
            updates.append(update)
        common = set.intersection(*wanted_sets) if wanted_sets else set()
        ordered = tuple(r for change in changes for r in change.wanted if r in common)
        ordered += tuple(sorted(common - set(ordered)))
        return RecipientPlan(
            tuple(changes),
            tuple(current),
            tuple(problems),
            tuple(dict.fromkeys(ordered)),
            tuple(updates),
        )

    # -- the files -------------------------------------------------------------------------

    def apply(self, plan: RecipientPlan) -> tuple[FileResult, ...]:
        """Blocking: re-seal every file of `plan` (each refused if it changed on disk since the
        dry run), check each as written (`verify_sealed`), record each in the audit log.

        Returns:
            One result per file, in the plan's order; a failed file does not stop the others.

        Raises:
            ReadOnly: the backend is read-only (recorded as refused; nothing written).
        """
        from tuiops.gitops.sops.updatekeys import verify_sealed

        if not plan.changes:
            return ()
        self.backend.refuse_if_read_only(FILES_ACTION, plan.files)
        sources = self.identity_sources()
        results = []
        for change, update in zip(plan.changes, plan.updates, strict=True):
            assert update.text is not None  # planned changes always have a text
            try:
                update.opened.save(update.text)
                opened = verify_sealed(update.path, update, sources)
            except TuiopsError as error:
                message = _why(str(error), str(update.path), change.rel)
                results.append(FileResult(change.rel, False, message))
                self._record(FILES_ACTION, (change.rel,), "failed", message)
                continue
            gained = f" (+{len(change.added)})" if change.added else ""
            lost = f" (-{len(change.removed)})" if change.removed else ""
            checked = f"; {len(opened)} checked with your keys" if opened else ""
            message = f"sealed for {len(change.wanted)} recipient(s){gained}{lost}{checked}"
            results.append(FileResult(change.rel, True, self._record(
                FILES_ACTION, (change.rel,), "ok", message)))  # fmt: skip
        return tuple(results)

    def _record(self, action: str, objects: Sequence[AuditObject], outcome: str, text: str) -> str:
        """Record one attempt; `text`, or with why the audit log missed it."""
        from tuiops.services.audit import AuditError

        try:
            self.backend.record(action, objects, outcome, text)
        except AuditError as error:
            return f"{text} ({error})"
        return text

    # -- the sops-age Secret ---------------------------------------------------------------

    def key_choice(self, plan: RecipientPlan) -> AgeKeyChoice | str:
        """Blocking: the identity to put into the Secret: one the user holds for a recipient
        every file's rule names (so Flux can decrypt them all), a newly added one first.

        Returns:
            The choice, or one line saying why there is none.
        """
        sources = self.identity_sources()
        held: dict[str, tuple[str, str]] = {}
        for source in sources:
            for identity in source.identities:
                held.setdefault(str(identity.to_public()), (source.name, str(identity)))
        wanted = [r for r in plan.added if r in plan.common] or list(plan.common)
        for recipient in wanted:
            if recipient in held:
                name, identity = held[recipient]
                return AgeKeyChoice(recipient, name, identity)
        if not plan.common:
            return "no recipient is named by the rules of every SOPS file"
        shown = ", ".join(short_recipient(r) for r in wanted)
        return (
            f"none of your age identities is for {shown}; add its key to SOPS_AGE_KEY_FILE "
            "or the repo's age.agekey"
        )

    def update_secret(self, choice: AgeKeyChoice) -> str:
        """Blocking: create or replace the Secret's `age.agekey` with `choice`'s private key,
        read it back, and record it.

        Returns:
            One line saying what was done (never the key).

        Raises:
            ReadOnly: the backend is read-only (recorded as refused).
            TuiopsError: offline, or the write or its check failed (recorded as failed).
        """
        ref = self.secret_ref
        self.backend.refuse_if_read_only(SECRET_ACTION, (ref,))
        port = self.backend.age_secret
        if port is None:
            reason = self.backend.offline_reason or "no cluster"
            text = f"{reason}: cannot write Secret {ref.namespace}/{ref.name}"
            self._record(SECRET_ACTION, (ref,), "failed", text)
            raise TuiopsError(text)
        try:
            done = port.replace_age_key(ref.namespace, ref.name, choice.identity)
        except TuiopsError as error:
            self._record(SECRET_ACTION, (ref,), "failed", str(error))
            raise
        message = f"{done}; age.agekey is the key of {choice.recipient_text}"
        return self._record(SECRET_ACTION, (ref,), "ok", message)


def _why(text: str, path: str, rel: str) -> str:
    """An engine message with the file named by its repo path, on one line."""
    return " ".join(text.replace(path, rel).split())
