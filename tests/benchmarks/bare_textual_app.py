"""The peer for `bench_console.py`'s first-frame figure: a bare Textual app that paints what the
console's home screen paints, with nothing behind it: a DataTable with a header and the eight
layer rows of the demo (same names and columns as the Layers table) and a Footer carrying the
console's key labels. The benchmark stops both clocks on the same screen test (header, the
`flux-system` and `apps` rows, the footer), so the ratio is the console's own cost.

Run: `.venv/bin/python tests/benchmarks/bare_textual_app.py` (quit with ctrl+q).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer

COLUMNS = ("#", "Layer", "ready", "progressing", "failed", "suspended", "unknown", "")
LAYERS = (
    ("entry", 2, "✓"),
    ("flux-system", 1, "✓"),
    ("kube-system", 15, "✗"),
    ("system", 23, "◎"),
    ("core", 11, "✓"),
    ("networking", 10, "✓"),
    ("apps", 73, "‖"),
    ("observability", 0, "not applied"),
)
KEYS = (("1", "Layers"), ("2", "Apps"), ("3", "Talos"), ("4", "Env"), ("5", "Logs"))


class BareApp(App[None]):
    """A DataTable of the layers and a Footer, nothing else."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"show('{label}')", label) for key, label in KEYS
    ]

    def compose(self) -> ComposeResult:
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for number, (name, ready, worst) in enumerate(LAYERS):
            table.add_row(str(number), name, str(ready or "·"), "·", "·", "·", "·", worst)
        table.focus()

    def action_show(self, label: str) -> None:
        """The footer's keys do nothing here; one action with a parameter per key keeps
        every label in the footer."""


if __name__ == "__main__":
    BareApp().run()
