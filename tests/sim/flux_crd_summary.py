"""Summarise the Flux CRDs in tests/fixtures/flux/crds into the compact JSON the simulator
ships (`tuiops/sim/data/flux-crds.json`): names, versions, printer columns, short names.

Run `python -m tests.sim.flux_crd_summary > tuiops/sim/data/flux-crds.json` after updating the
fixtures; `test_flux_crds.py` fails when the packaged file and the fixtures disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

CRD_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "flux" / "crds"
SIMULATED_KINDS = (
    "GitRepository",
    "HelmRepository",
    "HelmChart",
    "OCIRepository",
    "Bucket",
    "Kustomization",
    "HelmRelease",
)


def summarize(crd_dir: Path = CRD_DIR) -> list[dict[str, Any]]:
    """The simulated Flux kinds as plain data, in SIMULATED_KINDS order."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(crd_dir.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        names = crd["spec"]["names"]
        if names["kind"] not in SIMULATED_KINDS:
            continue
        found[names["kind"]] = {
            "group": crd["spec"]["group"],
            "kind": names["kind"],
            "listKind": names["listKind"],
            "plural": names["plural"],
            "singular": names["singular"],
            "shortNames": names.get("shortNames", []),
            "namespaced": crd["spec"]["scope"] == "Namespaced",
            "versions": [
                {
                    "name": version["name"],
                    "storage": version["storage"],
                    "deprecated": version.get("deprecated", False),
                    "printerColumns": version.get("additionalPrinterColumns", []),
                }
                for version in crd["spec"]["versions"]
                if version["served"]
            ],
        }
    return [found[kind] for kind in SIMULATED_KINDS]


if __name__ == "__main__":
    json.dump(summarize(), sys.stdout, indent=1)
    sys.stdout.write("\n")
