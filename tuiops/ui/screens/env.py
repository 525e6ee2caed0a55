"""Env (4): the repo's SOPS files (clusterenv first, each with its recipients and whether they
match `.sops.yaml`), and one of them decrypted in memory: key, value (masked until `v`/`V`
reveals it), encrypted or cleartext, and how many manifests use the variable.

Edits are staged (`e` value, `E` as text, `a` add, `d` delete, `u` undo), checked as they are
made, reviewed as a masked diff (`s`), and saved after a confirmation naming the context and
the file; a file changed on disk since it was read is never overwritten (reload offered).
Under `--read-only` the screen is for viewing: every edit key answers with a one-line refusal
and nothing is staged or saved. Values never reach a notification or a log: messages name keys
and files only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Footer, Static

from tuiops.domain.env_checks import EditKind, EnvRow
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.console_state import (
    ConsoleState,
    EnvFile,
    EnvFileInfo,
    EnvSession,
    SaveOutcome,
)
from tuiops.ui.actions import ENV_ACTIONS, bindings
from tuiops.ui.env_cells import FILE_COLUMNS, file_cells, key_cells, key_columns
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.screens.env_dialogs import (
    AddKeyDialog,
    ReviewDialog,
    TextDialog,
    ValueDialog,
    check_line,
)
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.ui.widgets.status_bar import StatusBar


class EnvScreen(ConsoleScreen):
    """The SOPS files of the repo and the one open."""

    CSS_PATH = "env.tcss"
    BINDINGS = bindings(ENV_ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.session: EnvSession | None = None
        self.files: tuple[EnvFileInfo, ...] = ()
        self.file: EnvFile | None = None
        """The open file, with its staged edits (decrypted: memory only)."""
        self.revealed: set[str] = set()
        """Keys whose value is shown."""
        self.reveal_all = False
        self.busy = False
        """A save or reload runs: edits wait."""

    def compose(self) -> ComposeResult:
        yield Static("reading the repo's SOPS files…", id="env-summary")
        yield ResourceTable(id="env-files")
        yield ResourceTable(id="env-keys")
        yield Static("", id="env-checks")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#env-files", ResourceTable).set_layout(FILE_COLUMNS)
        self.query_one("#env-keys", ResourceTable).set_layout(key_columns(()))
        self.watch_state(self.host.state)

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        backend = self.host.backend
        self.query_one(StatusBar).show(state, backend.label, backend.read_only)
        if self.session is None:
            root = self.host.session.repo_root or backend.repo_root
            if root is None:
                problem = state.repo_problem or "no GitOps repo: there are no SOPS files"
                self._summary(problem if state.model is None else "no GitOps repo")
                return
            session = self.host.session
            self.session = EnvSession(root, model=lambda: session.model)
            self.list_files()

    # -- workers -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="env", exit_on_error=False, description="env files")
    def list_files(self) -> None:
        """List the SOPS files, then open the first (clusterenv)."""
        assert self.session is not None
        files = self.session.files()
        self.app.call_from_thread(self._listed, files)
        if files:
            self._open(files[0])

    def _listed(self, files: tuple[EnvFileInfo, ...]) -> None:
        self.files = files
        table = self.query_one("#env-files", ResourceTable)
        table.sync([info.rel for info in files], self._file_cells)
        if not files:
            self._summary("the repo has no SOPS-encrypted files")

    def _file_cells(self, index: int) -> tuple[Content, ...]:
        info = self.files[index]
        return file_cells(info, opened=self.file is not None and self.file.rel == info.rel)

    @work(thread=True, exclusive=True, group="env", exit_on_error=False, description="env open")
    def open_file(self, info: EnvFileInfo) -> None:
        self._open(info)

    def _open(self, info: EnvFileInfo) -> None:
        """Blocking (in a worker): decrypt `info`'s file and show it."""
        assert self.session is not None
        self.app.call_from_thread(self._summary, f"decrypting {info.rel}…")
        try:
            opened = self.session.open(info)
        except TuiopsError as error:
            self.app.call_from_thread(self._summary, f"cannot open: {error}")
            raise
        self.app.call_from_thread(self._opened, opened)

    def _opened(self, opened: EnvFile) -> None:
        self.file = opened
        self.revealed.clear()
        self.reveal_all = False
        self.query_one("#env-files", ResourceTable).sync(
            [info.rel for info in self.files], self._file_cells
        )
        self._show_rows()
        self.query_one("#env-keys", ResourceTable).focus()

    @work(thread=True, exclusive=True, group="env", exit_on_error=False, description="env save")
    def save(self) -> None:
        """Save the staged edits (the file changed outside: offer a reload)."""
        file = self.file
        if file is None:
            return
        backend = self.host.backend
        # Audited by key name only (`FILE:KEY`, never a value), as every change is.
        named = [f"{file.rel}:{edit.key}" for edit in file.edits] or [file.rel]
        if backend.read_only:  # blocked here too, not only at the key
            line = f"read-only: saving {file.rel} refused ({backend.read_only_why})"
            with contextlib.suppress(TuiopsError, ValueError):
                backend.record("env save", named, "refused", line)
            self.app.call_from_thread(self.notify, line, severity="warning", markup=False)
            return
        self.busy = True
        try:
            outcome = file.save()
        finally:
            self.busy = False
        try:
            backend.record("env save", named, "ok" if outcome.saved else "failed", outcome.message)
        except (TuiopsError, ValueError) as error:  # the save happened; say the log missed it
            outcome = replace(outcome, message=f"{outcome.message}; not in the audit log: {error}")
        self.app.call_from_thread(self._saved, outcome)

    def _saved(self, outcome: SaveOutcome) -> None:
        self._show_rows()
        line = inert(outcome.message, one_line=True)
        self.notify(line, severity="information" if outcome.saved else "warning", markup=False)
        if outcome.changed_on_disk:
            self._offer_reload()

    @work(thread=True, exclusive=True, group="env", exit_on_error=False, description="env reload")
    def reload_file(self) -> None:
        file = self.file
        if file is None:
            return
        self.busy = True
        try:
            fresh = file.reload()
        finally:
            self.busy = False
        self.app.call_from_thread(self._opened, fresh)
        self.app.call_from_thread(self.notify, inert(f"read {file.rel} again", one_line=True))

    # -- drawing -----------------------------------------------------------------------------

    def _summary(self, text: str) -> None:
        self.query_one("#env-summary", Static).update(Content(inert(text, one_line=True)))

    def _rows(self) -> tuple[EnvRow, ...]:
        return self.file.rows() if self.file is not None else ()

    def _show_rows(self) -> None:
        file = self.file
        if file is None:
            return
        rows = self._rows()
        table = self.query_one("#env-keys", ResourceTable)
        table.set_layout(key_columns(rows))
        table.sync([row.key for row in rows], lambda index: self._key_cells(rows[index]))
        staged = len(file.edits)
        where = f"{file.rel} · {file.info.recipients_text} · policy {file.info.policy}"
        mode = " · read-only: view only" if self.host.backend.read_only else ""
        shown = f" · {staged} staged (s: review & save)" if staged else ""
        self._summary(f"{where}{shown}{mode}")
        checks = file.checks()
        lines = [check_line(check) for check in checks[:3]]
        if len(checks) > 3:
            lines.append(Content.styled(f"… and {len(checks) - 3} more (s lists them)", Tone.MUTED))
        self.query_one("#env-checks", Static).update(Content("\n").join(lines))
        self.query_one("#env-checks", Static).display = bool(lines)

    def _key_cells(self, row: EnvRow) -> tuple[Content, ...]:
        return key_cells(row, revealed=self.reveal_all or row.key in self.revealed)

    def _cursor_row(self) -> EnvRow | None:
        if self.file is None:
            return None
        return self.file.row(self.query_one("#env-keys", ResourceTable).cursor_key)

    # -- selecting ---------------------------------------------------------------------------

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        if event.table.id == "env-files":
            info = next((i for i in self.files if i.rel == event.key), None)
            if info is None:
                return
            if self.file is not None and self.file.edits and self.file.rel != info.rel:
                self.notify("save or undo the staged edits first", severity="warning")
                return
            self.open_file(info)
        elif event.table.id == "env-keys":
            self.action_edit()

    def action_files(self) -> None:
        self.query_one("#env-files", ResourceTable).focus()

    def action_recipients(self) -> None:
        """K: the files whose recipients differ from `.sops.yaml`, and their update."""
        from tuiops.ui.screens.recipients import RecipientsScreen

        self.app.push_screen(RecipientsScreen(self.session.repo_root if self.session else None))

    # -- reveal ------------------------------------------------------------------------------

    def action_reveal(self) -> None:
        row = self._cursor_row()
        if row is None:
            return
        if row.key in self.revealed or self.reveal_all:
            self.revealed.discard(row.key)
            self.reveal_all = False
        else:
            self.revealed.add(row.key)
        self._show_rows()

    def action_reveal_all(self) -> None:
        self.reveal_all = not (self.reveal_all or self.revealed)
        self.revealed.clear()
        self._show_rows()

    # -- editing (refused under --read-only, in the code path) ----------------------------------

    def _refused(self, what: str) -> bool:
        """True (after a one-line notice) when `what` may not happen now."""
        if self.host.backend.read_only:
            target = self.file.rel if self.file is not None else "the repo"
            line = f"read-only: {what} {target} refused ({self.host.backend.read_only_why})"
            self.notify(line, severity="warning", markup=False)
            return True
        if self.busy:
            self.notify("a save is running; wait for it", severity="warning")
            return True
        if self.file is None:
            self.notify("no SOPS file open", severity="warning")
            return True
        return False

    def _stage(self, stage: Callable[[], Any]) -> None:
        """Run a staging call; a refusal (one line naming the key) becomes a notice."""
        try:
            stage()
        except TuiopsError as error:
            self.notify(inert(str(error), one_line=True), severity="warning", markup=False)
        self._show_rows()

    def action_edit(self) -> None:
        row = self._cursor_row()
        if self._refused("editing") or row is None or self.file is None:
            return
        if row.staged is EditKind.DELETE:
            self.notify(f"{row.key} is staged for deletion; u undoes that", severity="warning")
            return
        file, key = self.file, row.key
        if "\n" in row.value:
            self.app.push_screen(TextDialog(key, row.value), self._staged_value(file, key))
        else:
            self.app.push_screen(ValueDialog(key, row.value), self._staged_value(file, key))

    def action_edit_lines(self) -> None:
        row = self._cursor_row()
        if self._refused("editing") or row is None or self.file is None:
            return
        self.app.push_screen(TextDialog(row.key, row.value), self._staged_value(self.file, row.key))

    def _staged_value(self, file: EnvFile, key: str) -> Callable[[str | None], None]:
        def staged(value: str | None) -> None:
            if value is not None and file is self.file and not self._refused("editing"):
                self._stage(lambda: file.stage_set(key, value))

        return staged

    def action_add(self) -> None:
        if self._refused("adding a key to") or self.file is None:
            return
        file = self.file

        def added(answer: tuple[str, str] | None) -> None:
            if answer is None or file is not self.file or self._refused("adding a key to"):
                return
            key, value = answer
            self._stage(lambda: self._added(file, key, value))

        self.app.push_screen(AddKeyDialog(file.rel), added)

    def _added(self, file: EnvFile, key: str, value: str) -> None:
        listed = file.stage_add(key, value)
        table = self.query_one("#env-keys", ResourceTable)
        self._show_rows()
        table.move_cursor(table.row_index(listed))

    def action_delete(self) -> None:
        row = self._cursor_row()
        if self._refused("deleting a key of") or row is None or self.file is None:
            return
        file, key = self.file, row.key
        if not row.users:
            self._stage(lambda: file.stage_delete(key))
            return
        from tuiops.ui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and file is self.file and not self._refused("deleting a key of"):
                self._stage(lambda: file.stage_delete(key))

        users = [f"used by {user}" for user in row.users[:8]]
        if len(row.users) > 8:
            users.append(f"and {len(row.users) - 8} more")
        question = f"Stage deleting {key}? Manifests still use it."
        details = ["Flux renders ${" + key.rsplit(".", 1)[-1] + "} empty where it has no default."]
        self.app.push_screen(
            ConfirmScreen(question, details, verb="stage delete", objects=users), answered
        )

    def action_undo(self) -> None:
        row = self._cursor_row()
        if row is None or self.file is None or row.staged is None:
            return
        self.file.unstage(row.key)
        self._show_rows()

    def action_review(self) -> None:
        file = self.file
        if self._refused("saving") or file is None:
            return
        if not file.edits:
            self.notify("nothing staged: e edits a value, a adds a key, d deletes one")
            return

        def reviewed(save: bool | None) -> None:
            if save and file is self.file:
                self._confirm_save(file)

        self.app.push_screen(ReviewDialog(file.rel, file.review(), file.checks()), reviewed)

    def _confirm_save(self, file: EnvFile) -> None:
        from tuiops.ui.screens.confirm import ConfirmScreen

        count = len(file.edits)
        question = f"Save {count} change{'s' if count != 1 else ''} to {file.rel}?"
        details = [
            "Written through SOPS: only the changed values, lastmodified and mac change, as "
            "with sops set; nothing decrypted touches the disk.",
            "Refused if the file changed on disk since it was read.",
        ]
        label = self.host.backend.label or "no context"

        def answered(yes: bool | None) -> None:
            if yes and file is self.file:
                self.save()

        self.app.push_screen(ConfirmScreen(question, details, verb="save", context=label), answered)

    def action_rotate(self) -> None:
        """n: a new value for the row, saved, committed, reconciled (rotation_flow.py)."""
        row = self._cursor_row()
        if self._refused("rotating a key of") or row is None or self.file is None:
            return
        from tuiops.ui.screens.rotation_flow import start_rotation

        start_rotation(self, self.file, row, self._show_rows)

    def action_reload(self) -> None:
        file = self.file
        if file is None or self.busy:
            return
        if not file.edits:
            self.reload_file()
            return
        self._offer_reload(dropping=True)

    def _offer_reload(self, *, dropping: bool = False) -> None:
        from tuiops.ui.screens.confirm import ConfirmScreen

        file = self.file
        if file is None:
            return
        count = len(file.edits)
        question = (
            f"Read {file.rel} again?"
            if dropping
            else f"{file.rel} changed on disk since it was read. Read it again?"
        )
        details = [f"The {count} staged edit{'s' if count != 1 else ''} will be dropped."]

        def answered(yes: bool | None) -> None:
            if yes:
                self.reload_file()

        self.app.push_screen(ConfirmScreen(question, details, verb="reload"), answered)
