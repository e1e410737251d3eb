"""The view models of the Overview cards and the Churn page are made once for every session that shows
the same shared result in the same language (issue 16, load), and never reach a session with other
data or another language."""

from __future__ import annotations

import functools
import importlib
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from cs_models.datasets import Datasets
from tests.app.util import assert_clean, run_app
from ui import churn_view, memo
from ui.cards import cohorts as cohorts_card
from ui.cards import survey as survey_card

CHURN = "pages/churn.py"


@pytest.fixture
def calls(monkeypatch):
    """Counts of the view-model builders' calls, by name."""
    counts: Counter[str] = Counter()

    def counted(module, name):
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for name in ("survival_at_table", "curves_table", "at_risk_table", "rmst_parts", "cox_terms"):
        counted(churn_view, name)
    counted(survey_card, "_headline")
    counted(cohorts_card, "_logo_findings")
    memo.clear()
    return counts


def _customers(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    end = (start + pd.to_timedelta(rng.integers(20, 500, n), unit="D")).where(rng.random(n) < 0.5)
    return pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)], "start_date": start,
                         "end_date": end.where(end <= pd.Timestamp("2025-06-30")),
                         "plan": rng.choice(["Light", "Pro"], n), "mrr": 1000.0})


def test_a_second_session_reuses_the_churn_views(calls):
    first = run_app(CHURN, lang="en")
    assert_clean(first)
    made = dict(calls)
    assert made == {"survival_at_table": 1, "curves_table": 1, "at_risk_table": 1, "rmst_parts": 1, "cox_terms": 1}
    second = run_app(CHURN, lang="en")
    assert_clean(second)
    assert dict(calls) == made  # nothing made again
    assert [t.value.to_dict() for t in second.dataframe] == [t.value.to_dict() for t in first.dataframe]


def test_another_language_gets_its_own_views(calls):
    english = run_app(CHURN, lang="en")
    japanese = run_app(CHURN, lang="ja")
    assert_clean(japanese)
    assert calls["survival_at_table"] == 2
    assert list(japanese.dataframe[0].value.columns) != list(english.dataframe[0].value.columns)


def test_sessions_with_other_uploads_never_see_each_others_views(calls):
    mine = run_app(CHURN, lang="en", uploaded=Datasets(customers=_customers(300, 1), source="upload"))
    theirs = run_app(CHURN, lang="en", uploaded=Datasets(customers=_customers(300, 2), source="upload"))
    assert_clean(mine)
    assert_clean(theirs)
    assert calls["survival_at_table"] == 2
    assert mine.dataframe[0].value.to_dict() != theirs.dataframe[0].value.to_dict()
    # the same content uploaded by a third colleague: the same shared result (keyed by content), same views
    same = run_app(CHURN, lang="en", uploaded=Datasets(customers=_customers(300, 1), source="upload"))
    assert same.dataframe[0].value.to_dict() == mine.dataframe[0].value.to_dict()


def test_a_second_session_reuses_the_overview_cards(calls):
    first = run_app(lang="en")
    assert_clean(first)
    assert calls["_headline"] == 1
    assert calls["_logo_findings"] == 1
    second = run_app(lang="en")
    assert_clean(second)
    assert calls["_headline"] == 1
    assert calls["_logo_findings"] == 1
    assert [(m.label, m.value) for m in second.metric] == [(m.label, m.value) for m in first.metric]



#: Each page drawn through ``show_shared_chart`` and the chart builders its default view calls.
SHARED_CHART_PAGES = {
    "pages/journey.py": ("cs_models.charts.journey", ("upgrade_comparison", "transition_heatmap", "paths_sankey",
                                                      "ltv_bars", "path_ltv_bars")),
    "pages/support.py": ("cs_models.charts.support", ("volume_bars", "solved_curves")),
    "pages/community.py": ("cs_models.charts.community", ("role_history", "lorenz_figure", "candidates_scatter",
                                                          "effect_figure")),
    "pages/gaps.py": ("cs_models.charts.gaps", ("dumbbell", "gap_bars", "share_bars", "importance_performance_map",
                                                "segment_dots", "churn_curves")),
    "pages/survey.py": ("cs_models.charts.survey", ("likert_bar", "shares_bar", "nps_figure", "funnel_chart",
                                                    "crosstab_heatmap")),
    "pages/adoption.py": ("cs_models.charts.adoption", ("monthly_figure", "cumulative_figure")),
}


@pytest.mark.parametrize("page", list(SHARED_CHART_PAGES))
def test_the_charts_are_made_once_for_every_session(monkeypatch, page):
    """A page's figures are built on the first visit only: a rerun and a second session with the same
    data and language draw the same figures (``show_shared_chart`` on a ``shared`` result), so a sidebar
    click costs the browser's drawing, not the server's."""
    module_name, names = SHARED_CHART_PAGES[page]
    module = importlib.import_module(module_name)
    made: Counter[str] = Counter()
    for name in names:
        original = getattr(module, name)
        monkeypatch.setattr(module, name, functools.wraps(original)(
            lambda *a, _f=original, _n=name, **k: made.update([_n]) or _f(*a, **k)))
    first = run_app(page, lang="en")
    assert_clean(first)
    once = dict(made)
    assert once
    assert set(once.values()) == {1}
    first.run()  # English: AppTest formats the options of a rerun outside the session's language
    second = run_app(page, lang="en")
    assert_clean(second)
    assert dict(made) == once
    charts = len(first.get("plotly_chart"))
    assert charts >= len(once)
    assert len(second.get("plotly_chart")) == charts
