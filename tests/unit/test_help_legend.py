"""Help explains every glyph the tables draw, each in the tone the tables draw it in."""

from __future__ import annotations

from tuiops.domain.status import Health
from tuiops.ui.screens.help import MARKS, legend_text
from tuiops.ui.tables import HEALTH_GLYPH, HEALTH_TONE


def test_every_health_glyph_is_explained_in_its_tone() -> None:
    legend = legend_text()
    lines = legend.plain.splitlines()
    assert len(HEALTH_GLYPH) == len(Health)  # a new health needs a glyph, and a legend line
    for health, glyph in HEALTH_GLYPH.items():
        line = next((line for line in lines if line.startswith(glyph + " ")), None)
        assert line is not None and line.endswith(health.value), health
        start = legend.plain.index(line)
        assert any(
            span.start == start and span.style == HEALTH_TONE[health] for span in legend.spans
        ), health
    for mark, meaning, _tone in MARKS:
        assert f"{mark}  {meaning}" in lines
