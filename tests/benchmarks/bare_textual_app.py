"""The baseline for `bench_console.py`'s first-frame figure: a bare Textual app with a
DataTable of 70 rows x 8 columns and a Footer carrying the same key labels as the console.

Run: `.venv/bin/python tests/benchmarks/bare_textual_app.py` (quit with ctrl+q).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer

COLUMNS = ("", "Kind", "Namespace/Name", "Ready", "Version", "Reason", "Layer", "Message")


class BareApp(App[None]):
    """A DataTable and a Footer, nothing else."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "layers", "Layers"),
        Binding("2", "apps", "Apps"),
    ]

    def compose(self) -> ComposeResult:
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for number in range(70):
            table.add_row(
                "✓",
                "hr",
                f"tenant-{number % 50:02d}/svc-{number:04d}",
                "True",
                "1.2.3",
                "Succeeded",
                "apps",
                f"Helm upgrade succeeded for release svc-{number:04d}",
            )
        table.focus()

    def action_layers(self) -> None:
        """The footer's keys do nothing here (distinct actions, so the Footer shows both)."""

    def action_apps(self) -> None:
        """See `action_layers`."""


if __name__ == "__main__":
    BareApp().run()
