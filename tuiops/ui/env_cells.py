"""What the Env screen's two tables show: the SOPS files (recipients, policy status) and one
file's keys (staged mark, value masked unless revealed, encrypted or cleartext, uses). Pure:
every piece of file text is made inert here."""

from __future__ import annotations

from textual.content import Content

from tuiops.domain.env_checks import EditKind, EnvRow, shown_value
from tuiops.domain.text import inert
from tuiops.services.console_state import EnvFileInfo
from tuiops.ui.column_layout import Column
from tuiops.ui.tones import Tone

STAGED_MARK = {EditKind.SET: "~", EditKind.ADD: "+", EditKind.DELETE: "-"}
FILE_COLUMNS = (
    Column("FILE", least=30, most=72),
    Column("POLICY", least=6, most=24),
    # Essential: the list must say whom each file is encrypted to, also at 80 columns.
    Column("RECIPIENTS", least=14, most=40),
)
ENC_COLUMN = Column("ENC", least=3, most=3)
USES_COLUMN = Column("USES", least=4, most=4)


def key_columns(rows: tuple[EnvRow, ...]) -> tuple[Column, ...]:
    """KEY as wide as the longest key (after its staged mark), VALUE the rest."""
    widest = max((len(row.key) for row in rows), default=10) + 2
    return (
        Column("KEY", least=min(widest, 20), most=min(widest, 44)),
        Column("VALUE", least=10, most=200),
        ENC_COLUMN,
        USES_COLUMN,
    )


def file_cells(info: EnvFileInfo, *, opened: bool) -> tuple[Content, ...]:
    """One row of the file list; the open file is marked."""
    name = Content.styled(("● " if opened else "  ") + inert(info.rel, one_line=True),
                          Tone.STRONG if opened else "")  # fmt: skip
    policy = Content.styled(inert(info.policy, one_line=True),
                            Tone.GOOD if info.policy_ok else Tone.WARN)  # fmt: skip
    return (name, policy, Content(inert(info.recipients_text, one_line=True)))


def key_cells(row: EnvRow, *, revealed: bool) -> tuple[Content, ...]:
    """One row of the key table: a secret's value stays masked unless `revealed`."""
    value = shown_value(row.value, hidden=row.secret and not revealed)
    tone = {EditKind.SET: Tone.WARN, EditKind.ADD: Tone.GOOD, EditKind.DELETE: Tone.BAD}
    style = tone.get(row.staged, "") if row.staged is not None else ""
    mark = STAGED_MARK.get(row.staged, " ") if row.staged is not None else " "
    return (
        Content.styled(f"{mark} {inert(row.key, one_line=True)}", style),
        Content(inert(value, one_line=True)),
        Content.styled("enc" if row.secret else "clr", "" if row.secret else Tone.WARN),
        Content.styled(str(row.uses) if row.uses else "·", "" if row.uses else Tone.MUTED),
    )
