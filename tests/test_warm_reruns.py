"""Warm reruns cost O(1) in the data size (issue 15): what a rerun reads of the loaded data is
computed once per datasets object."""

from __future__ import annotations

import gc
from datetime import date

import pandas as pd

from cs_models.datasets import Datasets
from ui import caching


def test_latest_date_is_scanned_once_per_datasets(monkeypatch) -> None:
    """The as-of date's scan runs once however often a rerun asks; the value is the scan's
    (second method: the maximum computed by hand)."""
    events = pd.DataFrame({"customer_id": ["C1", "C2"], "date": pd.to_datetime(["2024-03-01", "2024-05-31"])})
    datasets = Datasets(events=events)
    calls = []
    original = Datasets.latest_date
    monkeypatch.setattr(Datasets, "latest_date", lambda self: calls.append(1) or original(self))
    for _ in range(5):
        assert caching.latest_date(datasets) == date(2024, 5, 31)
    assert calls == [1]
    other = Datasets(events=events.iloc[:1])
    assert caching.latest_date(other) == date(2024, 3, 1)
    assert calls == [1, 1]


def test_a_remembered_latest_date_dies_with_its_datasets() -> None:
    """The memo keeps no datasets alive and no stale entry outlives them (ids are reused)."""
    datasets = Datasets(events=pd.DataFrame({"customer_id": ["C1"], "date": pd.to_datetime(["2024-01-01"])}))
    caching.latest_date(datasets)
    key = id(datasets)
    assert key in caching._LATEST
    del datasets
    gc.collect()
    assert key not in caching._LATEST


def _counting(monkeypatch, module: object, name: str) -> list[tuple[object, ...]]:
    """Replace ``module.name`` by a wrapper that records its positional arguments; returns the record."""
    calls: list[tuple[object, ...]] = []
    real = getattr(module, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_a_risk_rerun_neither_scores_nor_words_the_drivers_again(monkeypatch) -> None:
    """Issue 15 (warm rerun < 150 ms at 1M customers): the page's result is shared and its call list
    made once, so a rerun neither scores the customers again nor translates a driver (three per
    customer: 17-25 s at 1M customers on every rerun before). The call list's texts are those of the
    straightforward per-row translation (second method)."""
    import cs_models.risk
    import ui.i18n
    from cs_models.catalogue import catalogue, translate
    from cs_models.sample import load_sample
    from tests.app.util import assert_clean, run_app
    from ui import format as fmt

    real_scores = cs_models.risk.risk_scores
    scored = _counting(monkeypatch, cs_models.risk, "risk_scores")
    words = _counting(monkeypatch, ui.i18n, "translate")
    at = run_app("pages/risk.py", lang="en")
    assert_clean(at)
    assert len(scored) == 1
    scored.clear()
    words.clear()
    at.run()
    assert_clean(at)
    assert scored == []
    assert [args for args in words if args[1] == "risk.driver"] == []

    sample = load_sample("en")
    result = real_scores(sample.customers, sample.latest_date(), horizon_days=90)
    table = at.dataframe[0].value
    messages = catalogue("en")
    for k in range(cs_models.risk.TOP_DRIVERS):
        expected = [translate("en", "risk.driver", column=d[k][0], value=d[k][1], effect=fmt.signed_pct(d[k][2]))
                    if len(d) > k else "" for d in result.customers["drivers"]]
        assert table[messages["risk.col_driver"].format(k=k + 1)].tolist() == expected


def test_a_forecast_rerun_makes_no_customer_table(monkeypatch) -> None:
    """The active customers' table (one group name per customer: 2.8-3.5 s of a rerun at 1M
    customers) is made when its download is clicked, not while the page is drawn; the result is
    computed once. The table names each group as the per-row naming does (second method)."""
    import cs_models.forecast
    import ui.forecast_view
    from cs_models.charts import labels
    from cs_models.sample import load_sample
    from cs_models.stats import NOT_SEGMENTS, segment_columns
    from tests.app.util import assert_clean, run_app

    real_forecast = cs_models.forecast.forecast
    fitted = _counting(monkeypatch, cs_models.forecast, "forecast")
    tables = _counting(monkeypatch, ui.forecast_view, "customers_table")
    at = run_app("pages/forecast.py", lang="ja")
    assert_clean(at)
    at.run()
    assert_clean(at)
    assert len(fitted) == 1
    assert tables == []

    sample = load_sample("ja")
    segment = segment_columns(sample.customers, exclude=NOT_SEGMENTS)[0]
    result = real_forecast(sample.customers, sample.latest_date(), segment)
    groups = ui.forecast_view.customers_table(result, "ja").iloc[:, 1].tolist()
    assert groups == [labels.group_name("ja", g) for g in result.customers["group"]]


def test_the_filter_choices_are_found_once_per_frame(monkeypatch) -> None:
    """The sidebar's segment columns and their values are scanned once per customers frame (every
    rerun of every page asked), equal to a direct scan, and forgotten with the frame."""
    import ui.filters
    from cs_models.stats import NOT_SEGMENTS, segment_columns

    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "plan": ["Pro", "Lite", "Pro"],
                              "region": ["東京", None, "大阪"], "mrr": [1.0, 2.0, 3.0]})
    scans = _counting(monkeypatch, ui.filters, "segment_columns")
    for _ in range(3):
        choices = ui.filters.segment_choices(customers)
    assert len(scans) == 1
    assert list(choices) == segment_columns(customers, exclude=NOT_SEGMENTS) == ["plan", "region"]
    assert choices == {"plan": ["Lite", "Pro"], "region": ["大阪", "東京"]}
    assert ui.filters.segment_choices(None) == {}
    key = id(customers)
    scans.clear()  # the record holds the frame too
    del customers, choices
    gc.collect()
    assert key not in ui.filters._CHOICES
