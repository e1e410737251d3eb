"""The bundled sample data: deterministic, faithful to the published survey, with real effects."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test

from cs_models import sample
from cs_models.sample import load_sample


@pytest.fixture(scope="module")
def ja():
    return load_sample("ja")


@pytest.fixture(scope="module")
def en():
    return load_sample("en")


def test_generator_reproduces_the_committed_files(tmp_path):
    """``python -m cs_models.sample`` is deterministic: regenerating gives the committed CSVs byte for byte."""
    sample.write(tmp_path)
    for lang in sample.LANGS:
        for kind in ("customers", "events", "survey", "gaps", "adoption"):
            assert filecmp.cmp(tmp_path / lang / f"{kind}.csv", sample.SAMPLE_DIR / lang / f"{kind}.csv", shallow=False)
    for template in (sample.SAMPLE_DIR / "templates").glob("*.csv"):
        assert filecmp.cmp(tmp_path / "templates" / template.name, template, shallow=False)


def test_sizes_and_window(ja):
    assert ja.row_counts() == {"customers": 2000, "events": len(ja.events), "survey": 374, "gaps": 600,
                               "tickets": int(ja.customers["問い合わせ件数"].sum()),  # one ticket per inquiry
                               "community": len(ja.community), "adoption": len(ja.adoption),
                               "plan_history": len(ja.plan_history)}
    assert 20_000 < len(ja.events) < 30_000
    assert ja.customers["start_date"].min() >= pd.Timestamp("2023-11-01")
    assert ja.latest_date().isoformat() == "2026-10-31"
    assert ja.customers["customer_id"].is_unique
    assert ja.customers["customer_id"].str.match(r"^C\d{5}$").all()  # leading zeros kept as text


def test_languages_hold_the_same_numbers(ja, en):
    """Japanese and English files differ only in headers and labels."""
    pd.testing.assert_series_equal(ja.customers["end_date"], en.customers["end_date"])
    pd.testing.assert_series_equal(ja.customers["mrr"], en.customers["mrr"])
    assert ja.events["amount"].sum() == en.events["amount"].sum()
    assert (ja.gaps.iloc[:, 3:].fillna(-1).to_numpy() == en.gaps.iloc[:, 3:].fillna(-1).to_numpy()).all()


def test_awareness_survey_matches_the_2021_survey(ja, en):
    """Published figures (株式会社リンク, 2021-01, n=374 IT executives; seeds/003): aware 28.6%;
    of the aware, 72% strategically important and 78.5% doing or planning; challenges know-how
    50.0% and people 28.6%. Hand calculation: 107/374, 77/107, 84/107, 42/84, 24/84."""
    for data, yes, top2, doing, knowhow, people, sep in (
        (ja, "知っている", ("とてもそう思う", "ややそう思う"), ("既に取り組んでいる", "今後取り組みたい"),
         "ノウハウ不足", "人材不足", "、"),
        (en, "Yes", ("Strongly agree", "Agree"), ("Already doing it", "Want to start"),
         "Lack of know-how", "Lack of people", "; "),
    ):
        s = data.survey
        q1, q2, q3, q4 = (s.columns[i] for i in (3, 4, 5, 6))
        aware = s[q1] == yes
        assert round(aware.mean() * 100, 1) == 28.6
        assert s.loc[~aware, [q2, q3, q4]].isna().all().all()  # not asked of the unaware
        assert round(s.loc[aware, q2].isin(top2).mean() * 100, 1) == 72.0
        engaged = s[q3].isin(doing)
        assert round(engaged.sum() / aware.sum() * 100, 1) == 78.5
        answers = s.loc[engaged, q4].str.split(sep)
        assert answers.notna().all()
        assert round(answers.map(lambda a, k=knowhow: k in a).mean() * 100, 1) == 50.0
        assert round(answers.map(lambda a, p=people: p in a).mean() * 100, 1) == 28.6


def _lifetimes(data):
    c = data.customers
    as_of = pd.Timestamp(data.latest_date())
    duration = (c["end_date"].fillna(as_of) - c["start_date"]).dt.days
    return c, duration, c["end_date"].notna()


def test_study_session_participants_churn_less(en):
    """The built-in effect is visible: log-rank (lifelines) separates attendees, who churn less."""
    c, duration, event = _lifetimes(en)
    attended = c["study_sessions"] == "attended"
    result = logrank_test(duration[attended], duration[~attended], event[attended], event[~attended])
    assert result.p_value < 1e-6
    assert event[attended].mean() < event[~attended].mean()


def test_expectation_gap_links_to_churn(en):
    """Respondents whose mean satisfaction falls short of expectation churned more often."""
    c = en.customers
    g = en.gaps.set_index("customer_id")
    exp = g.filter(like="(expectation)").to_numpy(dtype=float)
    sat = g.filter(like="(satisfaction)").to_numpy(dtype=float)
    gap = pd.Series(np.nanmean(sat - exp, axis=1), index=g.index)
    churned = c.set_index("customer_id").loc[g.index, "end_date"].notna()
    assert churned[gap < 0].mean() > churned[gap >= 0].mean() + 0.05


def test_pro_customers_expand(en):
    """Net revenue expansion exists (NRR can exceed GRR): some Pro invoices rise over time."""
    e = en.events.merge(en.customers[["customer_id", "plan"]], on="customer_id")
    first_last = e.sort_values("date").groupby("customer_id", observed=True)["amount"].agg(["first", "last"])
    assert (first_last["last"] > first_last["first"]).sum() > 50


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        load_sample("fr")
