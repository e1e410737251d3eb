"""The Customers-at-risk page when nobody has churned (everyone censored), in both languages:
the explanation, no call list of zero risks and no "¥0 at risk"."""

from __future__ import annotations

import pytest

from cs_models.datasets import Datasets
from tests.app.util import LANGS, assert_clean, run_app, texts
from tests.models.test_risk_degenerate import _customers


@pytest.mark.parametrize("lang", LANGS)
def test_no_churn_events_are_explained(lang):
    at = run_app("pages/risk.py", lang=lang, uploaded=Datasets(customers=_customers(), source="upload"))
    assert_clean(at)
    shown = texts(at)
    assert {"ja": "解約リスクを学習できません", "en": "nothing to learn churn risk from"}[lang] in shown
    assert any("40" in str(i.value) for i in at.info)
    assert not at.dataframe
    assert not at.metric
    assert "0.0" not in shown
