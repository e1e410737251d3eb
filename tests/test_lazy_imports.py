"""Cold start: the router and the Overview (with its cards) import no lifelines or statsmodels.

Structural, not timed (issue 15: cold start < 3 s to the first page drawn). lifelines (0.5 s) and
statsmodels (1–1.7 s with its scipy.stats) are imported inside the functions that fit a model, so a
first visit pays for them only when an analysis needs them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OVERVIEW_IMPORTS = """
import importlib, json, sys
import ui.caching, ui.components, ui.navigation, ui.report_button, ui.sidebar, ui.state
import cs_models.io, cs_models.schema
for spec in ui.navigation.PAGES:
    if spec.card:
        importlib.import_module(f"ui.cards.{spec.namespace}")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("lifelines", "statsmodels"))))
"""


def test_overview_imports_no_model_fitting_libraries() -> None:
    """A fresh interpreter importing the router's and the Overview's modules loads neither library."""
    out = subprocess.run([sys.executable, "-c", OVERVIEW_IMPORTS], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
