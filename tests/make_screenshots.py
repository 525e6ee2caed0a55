"""Regenerate `screenshots/` from the same deterministic scenes the snapshot tests draw.

Run: `.venv/bin/python tests/make_screenshots.py`. Never edit the SVGs by hand.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.snapshots.env_scenes import ENV_SCENES
from tests.snapshots.rotation_scenes import ROTATION_SCENES
from tests.snapshots.scenes import MORE_SCENES, SCENES, SIZES, Scene, demo, make_app
from tuiops.services.backend import Backend

OUT = Path(__file__).resolve().parents[1] / "screenshots"


async def shoot(backend: Backend, scene: Scene, size: tuple[int, int]) -> Path:
    app = make_app(backend)
    async with app.run_test(size=size) as pilot:
        await scene.prepare(pilot)
        name = f"{scene.name}-{size[0]}x{size[1]}.svg"
        app.save_screenshot(filename=name, path=str(OUT))
    return OUT / name


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with demo() as backend:
        # The recipients scenes need a repo with a new recipient; their snapshots show them.
        for scene in SCENES + MORE_SCENES + ENV_SCENES + ROTATION_SCENES:
            for size in SIZES:
                print(asyncio.run(shoot(backend, scene, size)).relative_to(OUT.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
