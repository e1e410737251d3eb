"""The backtest figures the Customers-at-risk page shows equal those of ``report`` JSON (all data and filtered).

Reference: ``cs_models.report.datasets_report`` on the same sample data and as-of date (the
``"risk"."backtest"`` section), formatted with the catalogue's own templates.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from cs_models.catalogue import catalogue, translate
from cs_models.filters import SegmentFilter
from cs_models.report import datasets_report
from cs_models.sample import load_sample
from tests.app.util import LANGS, assert_clean, run_app, texts

CASES = [("all", {}, None), ("standard_pro", {"f_plan": "standard,pro"}, {"plan": ["standard", "pro"]})]
PLAN = {"ja": ("プラン", ["スタンダード", "プロ"]), "en": ("plan", ["Standard", "Pro"])}


def values(y) -> np.ndarray:
    """A trace's numbers as Plotly's JSON holds them (a list, or a typed array in base64)."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).astype(float)
    return np.asarray(y, float)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "query", "conditions"), CASES, ids=[c[0] for c in CASES])
def test_page_backtest_equals_report_json(lang, name, query, conditions):
    datasets = load_sample(lang)
    chosen = SegmentFilter.of({PLAN[lang][0]: PLAN[lang][1]}) if conditions else None
    report = datasets_report(datasets, as_of=datasets.latest_date(), lang=lang, segment_filter=chosen)
    bt = report["risk"]["backtest"]
    assert bt is not None
    at = run_app("pages/risk.py", lang=lang, query=query)
    assert_clean(at)
    messages = catalogue(lang)
    metrics = {m.label: m for m in at.metric}
    assert metrics[messages["risk.metric_auc"]].value == f"{bt['auc']:.2f}"
    assert metrics[messages["risk.metric_lift"]].value == f"{bt['top_decile_lift']:.1f}"
    assert metrics[messages["risk.metric_auc"]].help == translate(
        lang, "risk.auc_help", low=bt["auc_ci"][0], high=bt["auc_ci"][1], n=bt["customers"], as_of=bt["as_of"])
    caption = translate(lang, "risk.backtest_caption", as_of=bt["as_of"], days=report["risk"]["horizon_days"],
                        n=bt["customers"], events=bt["events"], brier=bt["brier"])
    assert caption in texts(at)
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)  # the calibration chart
    predicted, observed = (values(trace["y"]) for trace in chart["data"][:2])
    np.testing.assert_allclose(predicted, [row["predicted"] * 100 for row in bt["calibration"]], rtol=1e-9)
    np.testing.assert_allclose(observed, [row["observed"] * 100 for row in bt["calibration"]], rtol=1e-9)
