"""Recipients (K on Env): after `.sops.yaml`'s recipients changed, the dry run of the SOPS files
whose recipients differ (file, recipients now, recipients wanted); `u` re-seals them all after a
confirmation naming the context and the files, and shows each file's result; then `a` (offered
at once) puts the private key of the new recipient the user holds into the Flux namespace's
`sops-age` Secret, after a confirmation naming the context and the Secret.

The private key never reaches this screen's widgets, a notification or a log: it stays in the
service's `AgeKeyChoice`, whose recipient (a public key) is all that is shown. Under
`--read-only` the keys still reach the service, which refuses (and records the refusal).
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Footer, Static

from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.console_state import (
    AgeKeyChoice,
    ConsoleState,
    FileResult,
    RecipientPlan,
    RecipientRotation,
)
from tuiops.ui.actions import RECIPIENTS_ACTIONS, bindings
from tuiops.ui.column_layout import Column
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.ui.widgets.status_bar import StatusBar

STATE_COLUMN = Column("STATE", least=12, most=40)
FILE_MOST = 52
"""Widest FILE grows before the recipient columns do (they fit beside it at 120 columns)."""


def columns(plan: RecipientPlan | None) -> tuple[Column, ...]:
    """NOW and WANTED as wide as their longest lists, FILE up to `FILE_MOST` (the recipient
    lists are what the screen is for), STATE the rest."""
    changes = plan.changes if plan is not None else ()
    files = [*(c.rel for c in changes), *(plan.up_to_date if plan else ())]
    now = max((len(c.current_text) for c in changes), default=14)
    wanted = max((len(c.wanted_text) for c in changes), default=14)
    return (
        Column("FILE", least=20, most=min(max(map(len, files), default=40), FILE_MOST)),
        Column("NOW", least=14, most=now),
        Column("WANTED", least=14, most=wanted),
        STATE_COLUMN,
    )


class RecipientsScreen(ConsoleScreen):
    """The files to re-seal for `.sops.yaml`'s recipients, their update, the sops-age Secret."""

    CSS_PATH = "recipients.tcss"
    BINDINGS = bindings(RECIPIENTS_ACTIONS)

    def __init__(self, repo_root: Path | None = None) -> None:
        super().__init__()
        self.repo_root = repo_root
        self.service: RecipientRotation | None = None
        self.plan: RecipientPlan | None = None
        """The dry run shown (None while it runs)."""
        self.results: dict[str, FileResult] = {}
        self.choice: AgeKeyChoice | str | None = None
        """The key for the Secret, or why there is none."""
        self.busy = False
        """A dry run or a write runs: the keys wait."""

    def compose(self) -> ComposeResult:
        yield Static("dry run: reading the repo's SOPS files…", id="recipients-summary")
        yield ResourceTable(id="recipients-files")
        yield Static("", id="recipients-secret")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(ResourceTable).set_layout(columns(None))
        root = self.repo_root or self.host.session.repo_root
        self.service = RecipientRotation(self.host.backend, repo_root=root)
        self.watch_state(self.host.state)
        self.dry_run()

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is not None:
            backend = self.host.backend
            self.query_one(StatusBar).show(state, backend.label, backend.read_only)

    # -- workers -------------------------------------------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        group="recipients",
        exit_on_error=False,
        description="recipients dry run",
    )
    def dry_run(self) -> None:
        assert self.service is not None
        self.busy = True
        try:
            plan = self.service.plan()
            choice = self.service.key_choice(plan)
        except TuiopsError as error:
            self.app.call_from_thread(self._summary, f"dry run failed: {error}")
            raise
        finally:
            self.busy = False
        self.app.call_from_thread(self._planned, plan, choice)

    @work(
        thread=True,
        exclusive=True,
        group="recipients",
        exit_on_error=False,
        description="recipients update",
    )
    def update_files(self, plan: RecipientPlan) -> None:
        assert self.service is not None
        self.busy = True
        try:
            results = self.service.apply(plan)  # refuses under read-only (recorded)
        except TuiopsError as error:
            self.app.call_from_thread(self._warn, str(error))
            return
        finally:
            self.busy = False
        self.app.call_from_thread(self._updated, results)

    @work(
        thread=True,
        exclusive=True,
        group="recipients",
        exit_on_error=False,
        description="sops-age secret update",
    )
    def write_secret(self, choice: AgeKeyChoice) -> None:
        assert self.service is not None
        self.busy = True
        try:
            line = self.service.update_secret(choice)  # refuses under read-only (recorded)
        except TuiopsError as error:
            self.app.call_from_thread(self._secret_line, str(error), False)
            return
        finally:
            self.busy = False
        self.app.call_from_thread(self._secret_line, line, True)

    # -- drawing -------------------------------------------------------------------------------

    def _summary(self, text: str) -> None:
        self.query_one("#recipients-summary", Static).update(Content(inert(text, one_line=True)))

    def _warn(self, text: str) -> None:
        self.notify(inert(text, one_line=True), severity="warning", markup=False)

    def _planned(self, plan: RecipientPlan, choice: AgeKeyChoice | str) -> None:
        self.plan, self.choice = plan, choice
        self.results.clear()
        count = len(plan.changes)
        if count:
            text = f"{count} SOPS file(s) to re-seal for the recipients .sops.yaml names (dry run)"
        else:
            text = "every SOPS file is sealed for the recipients .sops.yaml names"
        if plan.problems:
            text += f" · {len(plan.problems)} cannot be read"
        if self.host.backend.read_only:
            text += " · read-only: view only"
        self._summary(text)
        self._show_rows()
        if isinstance(choice, AgeKeyChoice):
            shown, source = choice.recipient_text, choice.source
            line = f"a: put the key of {shown} ({source}) into {self._secret_name()}"
            self._secret_line(line, None)
        else:
            self._secret_line(f"{self._secret_name()}: {choice}", None)

    def _secret_name(self) -> str:
        assert self.service is not None
        ref = self.service.secret_ref
        return f"Secret {ref.namespace}/{ref.name}"

    def _secret_line(self, text: str, ok: bool | None) -> None:
        tone = {True: Tone.GOOD, False: Tone.BAD, None: Tone.MUTED}[ok]
        widget = self.query_one("#recipients-secret", Static)
        widget.update(Content.styled(inert(text, one_line=True), tone))
        if ok is not None:
            self.notify(
                inert(text, one_line=True),
                severity="information" if ok else "warning",
                markup=False,
            )

    def _keys(self) -> list[str]:
        plan = self.plan
        if plan is None:
            return []
        return [*plan.files, *(rel for rel, _why in plan.problems), *plan.up_to_date]

    def _show_rows(self) -> None:
        table = self.query_one(ResourceTable)
        table.set_layout(columns(self.plan))
        table.sync(self._keys(), self._cells)

    def _cells(self, index: int) -> tuple[Content, ...]:
        plan = self.plan
        assert plan is not None
        rel = self._keys()[index]
        name = Content(inert(rel, one_line=True))
        change = next((c for c in plan.changes if c.rel == rel), None)
        if change is not None:
            now, wanted = Content(change.current_text), Content(change.wanted_text)
            result = self.results.get(rel)
            if result is None:
                state = Content.styled("would update", Tone.WARN)
            elif result.ok:
                state = Content.styled("updated", Tone.GOOD)
            else:
                state = Content.styled(inert(result.message, one_line=True), Tone.BAD)
            return (name, now, wanted, state)
        why = next((w for r, w in plan.problems if r == rel), None)
        if why is not None:
            return (
                name,
                Content(""),
                Content(""),
                Content.styled(inert(why, one_line=True), Tone.BAD),
            )
        same = Content.styled("as wanted", Tone.MUTED)
        return (name, same, same, Content.styled("up to date", Tone.GOOD))

    def _updated(self, results: tuple[FileResult, ...]) -> None:
        self.results = {result.rel: result for result in results}
        self._show_rows()
        failed = [r for r in results if not r.ok]
        done = len(results) - len(failed)
        self._summary(f"{done} of {len(results)} SOPS file(s) re-sealed and checked")
        if failed:
            self._warn(f"{len(failed)} of {len(results)} file(s) not updated: {failed[0].message}")
            return
        self.notify(f"{len(results)} file(s) re-sealed and checked", markup=False)
        if isinstance(self.choice, AgeKeyChoice):
            self._offer_secret(self.choice)

    # -- actions -------------------------------------------------------------------------------

    def _ready(self) -> RecipientPlan | None:
        if self.plan is None or self.busy:
            self.notify("the dry run or an update is running; wait for it", severity="warning")
            return None
        return self.plan

    def action_update(self) -> None:
        from tuiops.ui.screens.confirm import ConfirmScreen

        plan = self._ready()
        if plan is None or self.service is None:
            return
        if not plan.changes or self.results:
            self.notify("nothing to update (ctrl+r runs the dry run again)")
            return
        if self.host.backend.read_only:
            self.update_files(plan)  # the service refuses it and records the refusal
            return

        def answered(yes: bool | None) -> None:
            if yes and plan is self.plan:
                self.update_files(plan)

        count = len(plan.changes)
        question = f"Re-seal {count} SOPS file(s) for the recipients .sops.yaml names?"
        details = [
            plan.delta_text,
            "updatekeys: the data key is sealed for the wanted recipients; values, mac and "
            "lastmodified stay as they are.",
            "Each file is refused if it changed since the dry run, and checked as written.",
        ]
        objects = [change.rel for change in plan.changes]
        self.app.push_screen(
            ConfirmScreen(
                question, details, verb="update", context=self.service.context, objects=objects
            ),
            answered,
        )

    def action_secret(self) -> None:
        if self._ready() is None:
            return
        choice = self.choice
        if not isinstance(choice, AgeKeyChoice):
            self._warn(f"{self._secret_name()}: {choice}")
            return
        if self.host.backend.read_only:
            self.write_secret(choice)  # the service refuses it and records the refusal
            return
        self._offer_secret(choice)

    def _offer_secret(self, choice: AgeKeyChoice) -> None:
        from tuiops.ui.screens.confirm import ConfirmScreen

        assert self.service is not None
        name = self._secret_name()
        question = f"Update {name} with the new private key?"
        details = [
            f"age.agekey becomes the private key of {choice.recipient_text} (from "
            f"{choice.source}); it is never shown.",
            "Created if missing, other keys kept, read back to check. Flux decrypts with it "
            "from its next reconcile.",
        ]

        def answered(yes: bool | None) -> None:
            if yes and choice is self.choice:
                self.write_secret(choice)

        self.app.push_screen(
            ConfirmScreen(
                question,
                details,
                verb="update Secret",
                context=self.service.context,
                objects=[name],
            ),
            answered,
        )

    def action_refresh(self) -> None:
        if not self.busy:
            self.dry_run()

    def action_back(self) -> None:
        self.app.pop_screen()
