"""The one registry of key bindings: id, default keys, description. Footer, help, the command
palette and the user's keymap file all read it, so a key is declared once."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One bindable action."""

    id: str
    """Stable name used in the keymap file (`~/.config/tuiops/keys.toml`)."""
    keys: str
    action: str
    description: str
    show: bool = True
    """Listed in the footer (help and the palette list every action)."""
    dangerous: bool = False
    """Changes the cluster: asks in a ConfirmScreen first, and is greyed out under
    `--read-only` (docs/conventions.md, item 8)."""


# The footer lists bindings in this order and cuts what does not fit: help and the command
# line come first so that `?` shows at 80 columns on every screen (a test checks it).
FIRST_ACTIONS = (
    ActionSpec("help", "question_mark", "help", "Help"),
    ActionSpec("jump", "colon", "jump", "Command (:hr NAME)"),
)
SCREEN_ACTIONS = (
    ActionSpec("screen.layers", "1", "switch_mode('layers')", "Layers"),
    ActionSpec("screen.apps", "2", "switch_mode('apps')", "Apps"),
    ActionSpec("screen.talos", "3", "switch_mode('talos')", "Talos"),
    ActionSpec("screen.env", "4", "switch_mode('env')", "Env"),
    ActionSpec("screen.logs", "5", "switch_mode('logs')", "Logs"),
    ActionSpec("screen.sources", "6", "switch_mode('sources')", "Sources"),
    ActionSpec("quit", "q,ctrl+c", "quit", "Quit"),
)
GLOBAL_ACTIONS = FIRST_ACTIONS + SCREEN_ACTIONS

# Flux actions on the object the screen shows (`ShowsObject.selected_ref`), app-wide. Keys as
# k9s' Flux plugin and flux9s have them where they agree: shift-R reconciles (both), shift-W
# reconciles with the source (flux9s), shift-T suspends/resumes (k9s' toggle: one key, the
# action that applies is the one offered). Lowercase s and r are taken (sort, root cause).
# F and X (force, reset) have no peer key; they exist for HelmReleases only.
FLUX_ACTIONS = (
    ActionSpec("flux.reconcile", "R", "flux('reconcile')", "Reconcile", dangerous=True),
    ActionSpec(
        "flux.reconcile_source",
        "W",
        "flux('reconcile_source')",
        "Reconcile with source",
        False,
        dangerous=True,
    ),
    ActionSpec("flux.suspend", "T", "flux('suspend')", "Suspend", dangerous=True),
    ActionSpec("flux.resume", "T", "flux('resume')", "Resume", dangerous=True),
    ActionSpec("flux.force", "F", "flux('force')", "Force Helm upgrade", False, dangerous=True),
    ActionSpec("flux.reset", "X", "flux('reset')", "Reset Helm failures", False, dangerous=True),
)

CONFIRM_ACTIONS = (
    ActionSpec("confirm.yes", "y,enter", "confirm", "Confirm"),
    ActionSpec("confirm.no", "n,escape,q", "cancel", "Cancel"),
)

APPS_ACTIONS = (
    ActionSpec("apps.filter", "slash", "filter", "Filter"),
    ActionSpec("apps.not_ready", "n", "toggle_not_ready", "Not ready only"),
    ActionSpec("apps.sort", "s", "cycle_sort", "Sort column"),
    ActionSpec("apps.sort_reverse", "S", "reverse_sort", "Reverse sort", show=False),
    ActionSpec("apps.open", "enter", "open", "Details", show=False),
    # k9s' marks: the Flux keys then act on every marked object, after one confirmation.
    # Most terminals send ctrl+space as NUL, which Textual names ctrl+@.
    ActionSpec("apps.mark", "space", "toggle_mark", "Mark", show=False),
    ActionSpec("apps.clear_marks", "ctrl+space,ctrl+@", "clear_marks", "Clear marks", show=False),
)

DETAIL_ACTIONS = (
    ActionSpec("detail.yaml", "y", "show_yaml", "YAML"),
    ActionSpec("detail.describe", "d", "show_describe", "Describe"),
    ActionSpec("detail.history", "h", "history", "History"),
    ActionSpec("detail.root", "r", "root_cause", "Cause"),
    ActionSpec("detail.pods", "o", "pods", "Pods"),
    ActionSpec("detail.refresh", "ctrl+r", "refresh", "Read again", show=False),
    ActionSpec("back", "escape,q", "back", "Back"),
)

PODS_ACTIONS = tuple(
    spec
    for spec in DETAIL_ACTIONS
    if spec.id in ("detail.yaml", "detail.describe", "detail.refresh", "back")
)
"""The Pods screen (a HelmRelease's workloads → ReplicaSets → pods) shares Detail's keys and
ids: y and d show the YAML and describe of the row under the cursor, ctrl+r reads again, and
one remap changes them on both screens."""

WARNINGS_ONLY = ActionSpec("events.warnings", "w", "toggle_warnings", "Warnings only")
EVENTS_ACTIONS = (
    WARNINGS_ONLY,
    *(spec for spec in DETAIL_ACTIONS if spec.id in ("detail.refresh", "back")),
)
"""The Events screen (`:events`): enter opens the object's Detail (the table's own key)."""

HISTORY_ACTIONS = (
    ActionSpec("history.mark", "space", "mark", "Mark for diff"),
    ActionSpec("history.diff", "enter", "diff", "Diff with marked"),
    # GitOps rollback: the repo's chart version set back to the row's, committed (asks first).
    ActionSpec("history.rollback", "B", "rollback", "GitOps rollback", show=False, dangerous=True),
    ActionSpec("back", "escape,q", "back", "Back"),
)

TALOS_ACTIONS = (ActionSpec("talos.refresh", "r", "refresh", "Refresh"),)

# The logs pane (5). Its line list takes the table keys (up/down, G/end follows again, enter
# opens the line's object); `l` opens it from Apps and Detail, filtered to their object.
OPEN_LOGS = ActionSpec("logs.open", "l", "logs", "Logs of the object", show=False)
LOGS_ACTIONS = (
    ActionSpec("logs.filter", "slash", "filter", "Filter"),
    ActionSpec("logs.level", "L", "cycle_level", "Level"),
    ActionSpec("logs.pause", "space,p", "toggle_pause", "Pause"),
    ActionSpec("logs.since", "t", "cycle_since", "Since"),
    ActionSpec("logs.tail", "n", "cycle_tail", "Tail"),
    ActionSpec("logs.save", "ctrl+s", "save", "Save"),
)
# A pod's logs (`l` on a pod row of Pods): the same pane, pushed; c picks one container
# (kubectl logs -c) or all again, p reads the previous container instead (kubectl logs -p), so
# only space pauses. Left out of the footer, which shows the Logs keys (and `?` at 80
# columns); help lists them.
POD_LOGS_ACTIONS = (
    ActionSpec("podlogs.pause", "space", "toggle_pause", "Pause", show=False),
    ActionSpec("podlogs.container", "c", "pick_container", "Container", show=False),
    ActionSpec("podlogs.previous", "p", "toggle_previous", "Previous container", show=False),
    ActionSpec("podlogs.back", "escape,q", "back", "Back", show=False),
)

# Table navigation, vi keys beside the arrows as in k9s; listed in help, not in the footer.
TABLE_ACTIONS = (
    ActionSpec("table.up", "up,k", "cursor(-1)", "Up", show=False),
    ActionSpec("table.down", "down,j", "cursor(1)", "Down", show=False),
    ActionSpec("table.page_up", "pageup,ctrl+b", "page(-1)", "Page up", show=False),
    ActionSpec("table.page_down", "pagedown,ctrl+f", "page(1)", "Page down", show=False),
    ActionSpec("table.first", "home,g", "jump(0)", "First row", show=False),
    ActionSpec("table.last", "end,G", "jump(-1)", "Last row", show=False),
    ActionSpec("table.select", "enter", "select", "Open the row", show=False),
)

HELP_ACTIONS = (ActionSpec("help.close", "escape,q,question_mark", "dismiss", "Close", show=False),)

# The `:` line: q is a letter there, so only escape cancels.
JUMP_ACTIONS = (
    ActionSpec("jump.cancel", "escape", "cancel", "Cancel", show=False),
    ActionSpec("jump.complete", "tab", "complete", "Take the first completion", show=False),
    ActionSpec("jump.previous", "up", "history_previous", "Previous command", show=False),
    ActionSpec("jump.next", "down", "history_next", "Next command", show=False),
)

# A list to pick one from (`:ctx`, `:cluster`, `c` on a pod's logs): enter picks (the list's
# own key).
CHOOSE_ACTIONS = (ActionSpec("choose.cancel", "escape,q", "cancel", "Cancel", show=False),)


# The Env screen (4): the repo's SOPS files and one decrypted in memory. Values are masked
# until revealed; edits are staged, checked and reviewed, then saved after a confirmation.
# Under --read-only every edit key answers with a one-line refusal.
ENV_ACTIONS = (
    ActionSpec("env.reveal", "v", "reveal", "Reveal / mask"),
    ActionSpec("env.reveal_all", "V", "reveal_all", "Reveal / mask all", show=False),
    ActionSpec("env.edit", "e", "edit", "Edit value"),
    ActionSpec("env.edit_lines", "E", "edit_lines", "Edit as text", show=False),
    ActionSpec("env.add", "a", "add", "Add key", show=False),
    ActionSpec("env.delete", "d", "delete", "Delete key", show=False),
    ActionSpec("env.undo", "u", "undo", "Undo the row's edit", show=False),
    ActionSpec("env.review", "s", "review", "Review & save"),
    ActionSpec("env.files", "f", "files", "Files", show=False),
    ActionSpec("env.reload", "ctrl+r", "reload", "Read again", show=False),
    ActionSpec("env.rotate", "n", "rotate", "New value (rotate)", show=False, dangerous=True),
    ActionSpec("env.recipients", "K", "recipients", "Recipients (.sops.yaml)", show=False),
)
# Its dialogs: a value (masked input; ctrl+t shows it), a multi-line value (a text area, never
# $EDITOR: that needs a plaintext temp file), a new key, the review of the staged edits.
ENV_DIALOG_ACTIONS = (
    ActionSpec("env_value.show", "ctrl+t", "toggle_shown", "Show / hide typing", show=False),
    ActionSpec("env_text.done", "ctrl+s", "done", "Stage the text", show=False),
    ActionSpec("env_review.reveal", "v", "reveal", "Reveal / mask", show=False),
    ActionSpec("env_review.save", "y,enter", "save", "Save", show=False),
    ActionSpec("env_dialog.cancel", "escape", "cancel", "Cancel", show=False),
)

# Rotation (n on an Env row; R stays Flux's reconcile): the dialog (a generated or typed value,
# commit, push, reconcile), then the progress and summary screen, which offers a rollout
# restart of the workloads that will not pick the new value up.
ROTATION_ACTIONS = (
    ActionSpec("rotation.generate", "ctrl+g", "generate", "Generate a new value", show=False),
    ActionSpec("rotation.show", "ctrl+t", "toggle_shown", "Show / hide the value", show=False),
    ActionSpec("rotation.start", "ctrl+s", "start", "Rotate…", show=False),
    ActionSpec("rotation.cancel", "escape", "cancel", "Cancel", show=False),
    ActionSpec("rotation.restart", "r", "restart", "Restart workloads…", dangerous=True),
    ActionSpec("rotation.close", "escape,q", "close", "Close"),
)

# Recipients (K on Env): after `.sops.yaml`'s recipients changed, the dry run of the files whose
# recipients differ; u re-seals them all, a puts the new recipient's private key into the Flux
# namespace's sops-age Secret; each confirmed naming the context, the files, the Secret.
RECIPIENTS_ACTIONS = (
    ActionSpec("recipients.update", "u", "update", "Update files…", dangerous=True),
    ActionSpec("recipients.secret", "a", "secret", "Update sops-age…", dangerous=True),
    ActionSpec("recipients.refresh", "ctrl+r", "refresh", "Dry run again", show=False),
    ActionSpec("back", "escape,q", "back", "Back"),
)


def bindings(specs: tuple[ActionSpec, ...]) -> list[BindingType]:
    """Textual bindings with ids, so `App.set_keymap` can remap them."""
    return [
        Binding(spec.keys, spec.action, spec.description, show=spec.show, id=spec.id)
        for spec in specs
    ]


ALL_ACTIONS = (
    GLOBAL_ACTIONS
    + FLUX_ACTIONS
    + APPS_ACTIONS
    + DETAIL_ACTIONS
    + HISTORY_ACTIONS
    + TALOS_ACTIONS
    + LOGS_ACTIONS
    + POD_LOGS_ACTIONS
    + (OPEN_LOGS,)
    + TABLE_ACTIONS
    + CONFIRM_ACTIONS
    + HELP_ACTIONS
    + JUMP_ACTIONS
    + CHOOSE_ACTIONS
    + (WARNINGS_ONLY,)
    + ENV_ACTIONS
    + ENV_DIALOG_ACTIONS
    + ROTATION_ACTIONS
    + RECIPIENTS_ACTIONS
)
"""Every binding of every screen and widget; `tests/ui/test_key_registry.py` fails when a
class declares one this lacks."""

ACTIONS_BY_ID = {spec.id: spec for spec in ALL_ACTIONS}


def keys_for(action_id: str, keymap: dict[str, str]) -> str:
    """The keys that run `action_id` now: the user's remapping, else the default."""
    return keymap.get(action_id) or ACTIONS_BY_ID[action_id].keys


def key_label(keys: str) -> str:
    """Keys as the user types them (`?`, `:`, `/`, `esc`, `⏎`), not Textual's names
    (`question_mark`, `colon`): for help and hints."""
    from textual.keys import format_key, key_to_character

    labels = []
    for key in keys.split(","):
        character = key_to_character(key)
        printable = character is not None and character.isprintable() and not character.isspace()
        labels.append(character if printable and character else format_key(key))
    return ", ".join(labels)
