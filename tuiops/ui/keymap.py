"""The user's key remapping: `$XDG_CONFIG_HOME/tuiops/keys.toml` (default `~/.config/...`),
a `[keys]` table of binding id → keys, e.g. `"apps.filter" = "f"`. Ids are in `actions.py`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from tuiops.ui.actions import ALL_ACTIONS


def default_keymap_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tuiops" / "keys.toml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Binding id → keys; unknown ids and unreadable files are ignored (the defaults stay)."""
    file = path or default_keymap_file()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    keys = data.get("keys", {})
    known = {spec.id for spec in ALL_ACTIONS}
    if not isinstance(keys, dict):
        return {}
    return {str(k): str(v) for k, v in keys.items() if k in known and isinstance(v, str)}
