"""Cold start: the router and the Overview (with its cards) import no lifelines or statsmodels.

Structural, not timed (issue 15: cold start < 3 s to the first page drawn). lifelines (0.5 s) and
statsmodels (1–1.7 s with its scipy.stats) are imported inside the functions that fit a model, so a
first visit pays for them only when an analysis needs them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

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


#: Modules that only an analysis needs: the router, the sidebar and the report button never import them.
ANALYSIS_ONLY = ("scipy.stats", "lifelines", "statsmodels", "cs_models.story", "cs_models.report")


def startup_modules() -> list[str]:
    """The modules ``app.py`` imports (the router, drawn before any page), read from its source."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    modules = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
    modules += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    return sorted(set(modules))


def loaded_after(modules: list[str]) -> list[str]:
    """The :data:`ANALYSIS_ONLY` modules a fresh interpreter holds after importing ``modules``."""
    code = (f"import importlib, json, sys\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m in {ANALYSIS_ONLY!r} "
            f"or m.split('.')[0] in ('lifelines', 'statsmodels'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_startup_path_is_read_from_app_py() -> None:
    """The modules below are app.py's own (so the next test follows the router as it changes)."""
    modules = startup_modules()
    assert {"streamlit", "ui.navigation", "ui.sidebar"} <= set(modules)


@pytest.mark.parametrize("extra", [[], ["ui.sidebar", "ui.filters"], ["ui.report_button"]])
def test_router_sidebar_and_report_button_import_no_analysis(extra: list[str]) -> None:
    """Issue 15 (cold start < 3 s): the router and sidebar drawn on every first visit, and the
    Overview's report button, import neither ``scipy.stats`` (0.8–2 s) nor the model-fitting
    libraries nor the story and report (every analysis module): those are imported by the pages
    and cards that draw an analysis, and by the report button's click."""
    assert loaded_after([*startup_modules(), *extra]) == []


JOURNEY_CARD = """
import json, sys
from cs_models import journey
from cs_models.sample import load_sample
data = load_sample("en")
history, _ = journey.journey_history(data)
summary = journey.card_summary(history, data.customers, data.latest_date())
assert summary.upgrade is not None
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "lifelines")))
"""


def test_the_journey_card_fits_its_models_without_lifelines() -> None:
    """The Overview's journey card (``journey.card_summary``, with the upgrade effect's two Cox models)
    computes in a fresh interpreter without importing lifelines (its fits are NumPy's, tested equal
    to lifelines in tests/models/test_journey_cox.py)."""
    out = subprocess.run([sys.executable, "-c", JOURNEY_CARD], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
