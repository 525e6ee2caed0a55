"""The rotation dialog (`n` on an Env row): a new value, generated (length and character set
chosen here, `ctrl+g` draws again) or typed, always in a masked input (`ctrl+t` shows it); the
objects that use the variable (read from the repo in a worker); and what follows the save:
commit (the prefilled message is editable), push (offered only when a remote is configured),
reconcile (on by default). `ctrl+s` answers with a `RotationChoice`; nothing is written here.

The value lives in the masked input and in the answer only: the answer's repr hides it, the
input is a `SecretInput` (its messages never show it), and no notice names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Select, Static
from textual.worker import get_current_worker

from tuiops.domain.rotation import commit_message
from tuiops.domain.secret_values import CHARSETS, DEFAULT_LENGTH, MAX_LENGTH, generate_value
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.ui.actions import ROTATION_ACTIONS, bindings
from tuiops.ui.screens.env_dialogs import SecretInput
from tuiops.ui.tones import Tone

_BY_ID = {spec.id: spec for spec in ROTATION_ACTIONS}
DIALOG_ACTIONS = tuple(
    _BY_ID[name]
    for name in ("rotation.generate", "rotation.show", "rotation.start", "rotation.cancel")
)
SHOWN_OBJECTS = 5
"""Object lines shown before the list scrolls (the dialog fits 80x24)."""


@dataclass(frozen=True, slots=True)
class RotationPreview:
    """What the dialog shows before anything is written: read from the repo and its git."""

    objects: tuple[str, ...]
    """The objects that use the variable (Kustomizations in dependency order, HelmReleases,
    Secrets/ConfigMaps whose manifests use it)."""
    remote: bool
    """A git remote is configured (push is offered only then)."""
    problem: str = ""
    """Why the objects or the remote could not be read (one line); "" when they were."""


@dataclass(frozen=True, slots=True)
class RotationChoice:
    """The dialog's answer. Its repr never shows the value."""

    value: str = field(repr=False)
    commit: bool = True
    message: str = ""
    push: bool = False
    reconcile: bool = True
    objects: tuple[str, ...] = ()
    """The objects the dialog showed (the confirmation names them)."""

    def __repr__(self) -> str:
        return (
            f"RotationChoice(value=<hidden>, commit={self.commit}, message={self.message!r}, "
            f"push={self.push}, reconcile={self.reconcile})"
        )


def _label(text: str) -> Static:
    return Static(Content.styled(text, Tone.MUTED), classes="label")


class RotationDialog(ModalScreen[RotationChoice | None]):
    """Asks for the new value of `key` and what follows the save."""

    CSS_PATH = "rotation.tcss"
    BINDINGS = bindings(DIALOG_ACTIONS)

    def __init__(self, key: str, rel: str, preview: Callable[[], RotationPreview]) -> None:
        """Args:
        key: The row's key (the variable).
        rel: The SOPS file, relative to the repo.
        preview: Blocking (run in a worker): the objects using the key and whether a remote
            is configured.
        """
        super().__init__()
        self.key = key
        self.rel = rel
        self._preview = preview
        self.preview: RotationPreview | None = None
        """The objects and the remote, once read."""

    def compose(self) -> ComposeResult:
        title = f"Rotate {self.key} in {self.rel}"
        with Vertical(id="rotation-dialog"):
            yield Static(Content.styled(inert(title, one_line=True), Tone.STRONG), id="title")
            yield Static(Content.styled("reading which objects use it…", Tone.MUTED), id="used")
            yield VerticalScroll(id="objects")
            with Horizontal(classes="row"):
                yield _label("value  ")
                yield SecretInput(password=True, id="value", compact=True)
            with Horizontal(classes="row"):
                yield _label("length ")
                yield Input(
                    str(DEFAULT_LENGTH), id="length", restrict=r"[0-9]*", max_length=4,
                    compact=True,
                )  # fmt: skip
                yield _label("  charset ")
                options = [(name, name) for name in CHARSETS]
                yield Select(options, value="alnum", allow_blank=False, id="charset", compact=True)
            with Horizontal(classes="row", id="commit-row"):
                yield Checkbox("commit ", True, id="commit", compact=True)
                yield Input(commit_message((self.key,)), id="message", compact=True)
            yield Checkbox("push", False, id="push", compact=True, disabled=True)
            yield Static(Content.styled("push: reading the git remote…", Tone.MUTED), id="no-push")
            yield Checkbox(
                "reconcile the source and the objects above, then list the workloads",
                True, id="reconcile", compact=True,
            )  # fmt: skip
            yield Static(
                Content.styled(
                    "ctrl+s: rotate… · ctrl+g: new value · ctrl+t: show/hide · esc: cancel",
                    Tone.MUTED,
                ),
                id="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#push", Checkbox).display = False
        self._generate()
        self.query_one("#value", Input).focus()
        self.read_preview()

    @work(thread=True, exclusive=True, group="rotation-dialog", exit_on_error=False,
          description="objects using the key")  # fmt: skip
    def read_preview(self) -> None:
        """Read the objects using the key and the remote (blocking)."""
        try:
            preview = self._preview()
        except TuiopsError as error:
            preview = RotationPreview((), False, str(error) or type(error).__name__)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._previewed, preview)

    def _previewed(self, preview: RotationPreview) -> None:
        self.preview = preview
        count = len(preview.objects)
        if preview.problem:
            used = Content.styled(inert(preview.problem, one_line=True), Tone.WARN)
        elif count:
            used = Content(f"used by {count} object{'s' if count != 1 else ''}:")
        else:
            used = Content.styled("no manifest of the repo uses it", Tone.WARN)
        self.query_one("#used", Static).update(used)
        listing = self.query_one("#objects", VerticalScroll)
        listing.remove_children()
        listing.mount_all(
            Static(Content(f"  {inert(line, one_line=True)}"), classes="object")
            for line in preview.objects
        )
        listing.styles.height = min(count, SHOWN_OBJECTS)
        push = self.query_one("#push", Checkbox)
        push.display = preview.remote
        push.disabled = not (preview.remote and self.query_one("#commit", Checkbox).value)
        self.query_one("#no-push", Static).display = not preview.remote
        if not preview.remote:
            text = "push: no git remote configured (Flux reads the remote)"
            self.query_one("#no-push", Static).update(Content.styled(text, Tone.MUTED))

    # -- the value ---------------------------------------------------------------------------

    def _length(self) -> int | None:
        text = self.query_one("#length", Input).value
        length = int(text) if text.isdigit() else 0
        return length if 1 <= length <= MAX_LENGTH else None

    def _generate(self) -> None:
        length = self._length()
        if length is None:
            self.notify(f"the length must be between 1 and {MAX_LENGTH}", severity="warning")
            return
        charset = self.query_one("#charset", Select).value
        entry = self.query_one("#value", Input)
        entry.value = generate_value(length, str(charset))
        entry.cursor_position = 0

    def action_generate(self) -> None:
        """A new random value of the chosen length and character set (masked)."""
        self._generate()

    @on(Select.Changed, "#charset")
    def _charset_changed(self) -> None:
        self._generate()

    def action_toggle_shown(self) -> None:
        entry = self.query_one("#value", Input)
        entry.password = not entry.password

    @on(Checkbox.Changed, "#commit")
    def _commit_changed(self, event: Checkbox.Changed) -> None:
        """Push and reconcile act on the commit: without one they are off."""
        self.query_one("#message", Input).disabled = not event.value
        reconcile = self.query_one("#reconcile", Checkbox)
        reconcile.disabled = not event.value
        push = self.query_one("#push", Checkbox)
        push.disabled = not (event.value and self.preview is not None and self.preview.remote)
        if not event.value:
            reconcile.value = False
            push.value = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the length draws a value of that length; elsewhere it asks to rotate."""
        event.stop()
        if event.input.id == "length":
            self._generate()
            return
        self.action_start()

    def action_start(self) -> None:
        value = self.query_one("#value", Input).value
        if not value:
            self.notify("the new value is empty: ctrl+g draws one, or type it", severity="warning")
            return
        commit = self.query_one("#commit", Checkbox).value
        message = self.query_one("#message", Input).value.strip() or commit_message((self.key,))
        push = self.query_one("#push", Checkbox)
        self.dismiss(
            RotationChoice(
                value,
                commit=commit,
                message=message,
                push=commit and push.display and push.value,
                reconcile=commit and self.query_one("#reconcile", Checkbox).value,
                objects=self.preview.objects if self.preview is not None else (),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
