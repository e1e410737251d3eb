"""Cohort tables against published toys and hand-built tables."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from cs_models import cohorts
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.sample import load_sample


def events_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def customers_frame(rows: list[tuple], extra: str | None = None) -> pd.DataFrame:
    columns = ["customer_id", "start_date", "end_date"] + ([extra] if extra else [])
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


# ------------------------------------------------------------------ published toy
def amplitude_toy() -> pd.DataFrame:
    """Amplitude's retention toy: 4 users start on day 0; 2 return on day 1; 1 returns on day 7.

    Source: Amplitude help centre, "Interpret your Retention Analysis chart" (N-day
    retention): Day 1 retention = 2/4 = 50 %, Day 7 retention = 1/4 = 25 %.
    """
    rows = [(u, "2024-03-04", 1.0) for u in "abcd"]
    rows += [("a", "2024-03-05", 1.0), ("b", "2024-03-05", 1.0), ("c", "2024-03-11", 1.0)]
    return events_frame(rows)


def test_amplitude_day_retention() -> None:
    """Amplitude toy (see :func:`amplitude_toy`): day 1 = 50 %, day 7 = 25 %, other days 0 %."""
    table = cohorts.cohort_table(amplitude_toy(), as_of="2024-03-20", period="day")
    assert table.sizes.to_dict() == {"2024-03-04": 4}
    row = table.rates.loc["2024-03-04"]
    assert row[0] == 1.0
    assert row[1] == pytest.approx(0.50)
    assert row[7] == pytest.approx(0.25)
    assert row[[2, 3, 4, 5, 6]].eq(0).all()
    assert row[17:].isna().all()  # 2024-03-21 and later: after the as-of date
    assert row[16] == 0.0  # 2024-03-20 itself has fully ended (as-of is inclusive)


def test_amplitude_on_or_after() -> None:
    """Hand calculation on the Amplitude toy: active on day k *or later*.

    Day 1: a, b (day 1) and c (day 7) -> 3/4; days 2..7: c only -> 1/4; day 8+: 0.
    """
    table = cohorts.cohort_table(amplitude_toy(), as_of="2024-03-20", period="day", mode="on_or_after")
    row = table.rates.loc["2024-03-04"]
    assert row[1] == pytest.approx(0.75)
    assert row[2:8].tolist() == pytest.approx([0.25] * 6)
    assert row[8] == 0.0


def test_wilson_interval_matches_r_prop_test() -> None:
    """Wilson interval of 2/4 (the toy's day 1).

    R: ``prop.test(2, 4, correct = FALSE)$conf.int`` -> 0.1500 0.8500 (Wilson score interval).
    """
    table = cohorts.cohort_table(amplitude_toy(), as_of="2024-03-20", period="day")
    assert table.ci_low.loc["2024-03-04", 1] == pytest.approx(0.1500, abs=5e-5)
    assert table.ci_high.loc["2024-03-04", 1] == pytest.approx(0.8500, abs=5e-5)
    assert table.low_base.loc["2024-03-04", 1]  # base 4 < 30
    assert "small_cohorts" in table.notes


def test_wilson_by_formula() -> None:
    """Wilson score interval by its closed form (Wilson 1927; Agresti & Coull 1998, eq. 2)."""
    rng = np.random.default_rng(3)
    rows = [(f"c{i}", "2024-01-10", 1.0) for i in range(57)]
    rows += [(f"c{i}", "2024-02-10", 1.0) for i in rng.choice(57, 41, replace=False)]
    table = cohorts.cohort_table(events_frame(rows), as_of="2024-03-31")
    x, n, z = 41, 57, 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert table.ci_low.loc["2024-01", 1] == pytest.approx(centre - half, rel=1e-12)
    assert table.ci_high.loc["2024-01", 1] == pytest.approx(centre + half, rel=1e-12)
    assert not table.low_base.loc["2024-01"].any()


# ------------------------------------------------------------ hand-built tables
def revenue_toy() -> pd.DataFrame:
    """A pays 100, 150, 150 (Jan-Mar); B pays 100, 50 (Jan-Feb); C pays 200, 200 (Feb-Mar)."""
    return events_frame(
        [
            ("A", "2024-01-05", 100), ("A", "2024-02-05", 150), ("A", "2024-03-05", 150),
            ("B", "2024-01-20", 60), ("B", "2024-01-25", 40), ("B", "2024-02-20", 50),
            ("C", "2024-02-01", 200), ("C", "2024-03-01", 200),
        ]
    )


def test_revenue_retention_by_hand() -> None:
    """Hand calculation, as-of 2024-03-31 (all three months complete).

    Jan cohort (A, B): period-0 revenue 100 + 100 = 200.
    k=1: revenue 150 + 50 = 200 -> NRR 1.00; capped min(150,100) + min(50,100) = 150 -> GRR 0.75.
    k=2: revenue 150 -> NRR 0.75; capped 100 -> GRR 0.50; logo 1/2.
    Feb cohort (C): k=1 NRR = GRR = 1.
    """
    events = revenue_toy()
    nrr = cohorts.cohort_table(events, as_of="2024-03-31", metric="nrr")
    grr = cohorts.cohort_table(events, as_of="2024-03-31", metric="grr")
    logo = cohorts.cohort_table(events, as_of="2024-03-31")
    assert nrr.sizes.to_dict() == {"2024-01": 2, "2024-02": 1}
    assert nrr.base_revenue.to_dict() == {"2024-01": 200.0, "2024-02": 200.0}
    assert nrr.rates.loc["2024-01"].tolist() == pytest.approx([1.0, 1.0, 0.75])
    assert grr.rates.loc["2024-01"].tolist() == pytest.approx([1.0, 0.75, 0.50])
    assert logo.rates.loc["2024-01"].tolist() == pytest.approx([1.0, 1.0, 0.5])
    assert nrr.rates.loc["2024-02", 1] == pytest.approx(1.0)
    assert np.isnan(nrr.rates.loc["2024-02", 2])  # April: not yet
    assert logo.counts.loc["2024-01"].tolist() == [2, 2, 1]
    assert nrr.revenue.loc["2024-01"].tolist() == [200, 200, 150]
    assert grr.capped_revenue.loc["2024-01"].tolist() == [200, 150, 100]


def test_partial_current_period_is_blank_and_flagged() -> None:
    """As-of 2024-03-15: March has not ended, so every March cell is NaN (not 0) and flagged partial."""
    table = cohorts.cohort_table(revenue_toy(), as_of="2024-03-15", metric="nrr")
    assert table.rates.loc["2024-01", 0:1].tolist() == pytest.approx([1.0, 1.0])
    assert np.isnan(table.rates.loc["2024-01", 2])
    assert np.isnan(table.rates.loc["2024-02", 1])
    assert np.isnan(table.counts.loc["2024-01", 2])
    assert table.partial.loc["2024-01", 2]
    assert table.partial.loc["2024-02", 1]
    assert not table.partial.loc["2024-01", 1]
    assert "partial_period" in table.notes
    # the events after the as-of date do not exist yet
    assert table.average.loc[1, "cohorts"] == 1


def test_month_end_as_of_is_complete() -> None:
    """As-of on the last day of a month makes that month complete (the as-of day is inclusive)."""
    table = cohorts.cohort_table(revenue_toy(), as_of="2024-02-29")
    assert table.rates.loc["2024-02", 0] == 1.0
    assert "partial_period" not in table.notes


def test_weighted_and_simple_average_by_hand() -> None:
    """Hand calculation: Jan cohort 4 customers (k1: 1 active), Feb cohort 2 (k1: 2 active).

    k=1 weighted = (4 * 1/4 + 2 * 2/2) / 6 = 3/6 = 0.5; simple = (0.25 + 1) / 2 = 0.625.
    k=2 only the Jan cohort reached it (as-of 2024-03-31): 0/4 = 0, from 1 cohort of 4.
    """
    rows = [(f"j{i}", "2024-01-03", 1.0) for i in range(4)] + [("j0", "2024-02-03", 1.0)]
    rows += [("f0", "2024-02-01", 1.0), ("f1", "2024-02-02", 1.0)]
    rows += [("f0", "2024-03-01", 1.0), ("f1", "2024-03-31", 1.0)]
    table = cohorts.cohort_table(events_frame(rows), as_of="2024-03-31")
    assert table.average.loc[1, "weighted"] == pytest.approx(0.5)
    assert table.average.loc[1, "simple"] == pytest.approx(0.625)
    assert table.average.loc[2].tolist() == pytest.approx([0.0, 0.0, 1, 4])
    simple = cohorts.cohort_table(events_frame(rows), as_of="2024-03-31", weighting="simple")
    assert simple.average.loc[1, "weighted"] == pytest.approx(0.625)


def test_iso_weeks_start_on_monday_and_quarter_labels() -> None:
    """2024-01-07 is a Sunday (ISO week 2024-W01, Monday 2024-01-01); 2024-01-08 starts W02."""
    events = events_frame([("a", "2024-01-07", 1.0), ("a", "2024-01-08", 1.0), ("b", "2024-01-08", 1.0)])
    weekly = cohorts.cohort_table(events, as_of="2024-01-21", period="week")
    assert weekly.sizes.to_dict() == {"2024-01-01": 1, "2024-01-08": 1}
    assert weekly.rates.loc["2024-01-01", 1] == 1.0
    assert weekly.rates.loc["2024-01-08", 1] == 0.0
    quarterly = cohorts.cohort_table(events, as_of="2024-06-30", period="quarter")
    assert quarterly.sizes.to_dict() == {"2024-Q1": 2}
    assert cohorts.period_label(cohorts.period_index(np.array([19_723 + 91]), "quarter")[0], "quarter") == (
        "2024-Q2"  # day 19723 = 2024-01-01, +91 days = 2024-04-01
    )


def test_customers_alone_by_hand() -> None:
    """Alive in month k = started and not ended by the end of month k (hand calculation).

    Jan cohort: a (no end), b (ends 2024-02-10: alive at end of Jan only), c (ends 2024-01-20:
    not alive even at end of Jan), d ends 2024-03-01 (alive through Feb). As-of 2024-03-31.
    k0: a, b, d = 3/4; k1: a, d = 2/4; k2: a = 1/4.
    """
    customers = customers_frame(
        [
            ("a", "2024-01-02", None, "x"),
            ("b", "2024-01-15", "2024-02-10", "x"),
            ("c", "2024-01-03", "2024-01-20", "y"),
            ("d", "2024-01-31", "2024-03-01", "y"),
            ("e", "2024-04-02", None, "y"),  # after the as-of date: not counted
        ],
        extra="plan",
    )
    table = cohorts.cohort_table(customers=customers, source="customers", as_of="2024-03-31", segment="plan")
    assert table.sizes.to_dict() == {"2024-01": 4}
    assert table.rates.loc["2024-01"].tolist() == pytest.approx([0.75, 0.5, 0.25])
    assert table.segment_average["x"].tolist() == pytest.approx([1.0, 0.5, 0.5])
    assert table.segment_average["y"].tolist() == pytest.approx([0.5, 0.5, 0.0])
    assert table.segment_sizes.to_dict() == {"x": 2, "y": 2}
    only_y = cohorts.cohort_table(
        customers=customers, source="customers", as_of="2024-03-31", segment="plan", segment_value="y"
    )
    assert only_y.sizes.to_dict() == {"2024-01": 2}


def test_events_with_customers_use_start_date() -> None:
    """With customers, the cohort is the start month; customers without events count in the size,
    unknown customers' and pre-start events are dropped and reported (hand-built)."""
    customers = customers_frame(
        [("A", "2023-12-20", None), ("B", "2024-01-10", None), ("Z", "2024-01-11", None)]
    )
    events = events_frame(
        [
            ("A", "2024-01-05", 100), ("A", "2024-02-05", 100),
            ("B", "2024-01-10", 80), ("B", "2023-12-31", 80), ("X", "2024-01-10", 5),
        ]
    )
    table = cohorts.cohort_table(events, customers=customers, as_of="2024-02-29", metric="grr")
    assert table.sizes.to_dict() == {"2023-12": 1, "2024-01": 2}
    assert table.logo.loc["2023-12"].tolist() == pytest.approx([0.0, 1.0, 1.0])
    assert table.logo.loc["2024-01", 0:1].tolist() == pytest.approx([0.5, 0.0])
    assert table.unmatched_events == 1
    assert table.events_before_start == 1
    assert {"unmatched_events", "events_before_start", "zero_base_revenue"} <= set(table.notes)
    assert np.isnan(table.rates.loc["2023-12", 1])  # no period-0 revenue: GRR undefined, not 0


def test_sample_events_and_contracts_agree() -> None:
    """Two independent routes on the sample: monthly invoices until the end date (events) and the
    contract dates (customers) must give the same monthly logo table; NRR >= GRR everywhere."""
    data = load_sample("en")
    as_of = data.latest_date()
    from_events = cohorts.cohort_table(data.events, customers=data.customers, as_of=as_of)
    from_customers = cohorts.cohort_table(customers=data.customers, source="customers", as_of=as_of)
    pd.testing.assert_frame_equal(from_events.rates, from_customers.rates)
    assert from_events.sizes.sum() == len(data.customers)
    nrr = cohorts.cohort_table(data.events, customers=data.customers, as_of=as_of, metric="nrr",
                               segment="plan")
    grr = cohorts.cohort_table(data.events, customers=data.customers, as_of=as_of, metric="grr",
                               segment="plan")
    assert (grr.rates <= nrr.rates + 1e-12).where(nrr.rates.notna(), True).all().all()
    assert (nrr.rates > grr.rates + 1e-9).any().any()  # Pro customers expand
    assert nrr.segment_average.loc[12, "Pro"] > grr.segment_average.loc[12, "Pro"]


def test_report_section_shape() -> None:
    """The JSON shape of the issue: sizes, retention rows with null for immature cells, average."""
    data = load_sample("ja")
    section = cohorts.report_section(data, as_of=data.latest_date(), metric="nrr", segment="プラン",
                                     covariates="店舗数")  # another section's option: ignored
    found = section.pop("findings")  # Finding objects: report.py takes them out of the section
    assert [f.code for f in found] == [f.code for f in cohorts.findings(cohorts.build(
        data, as_of=data.latest_date(), metric="nrr", segment="プラン"))]
    text = json.dumps(section, allow_nan=False)
    assert json.loads(text)["period"] == "month"
    assert section["metric"] == "nrr"
    assert section["mode"] == "classic"
    assert section["sizes"]["2023-11"] == sum(data.customers["start_date"].dt.strftime("%Y-%m") == "2023-11")
    assert section["retention"]["2026-10"][0] == 1.0
    assert section["retention"]["2026-10"][1] is None
    assert len(section["average"]) == len(section["retention"]["2023-11"])
    assert section["segment"] == "プラン"
    assert set(section["segments"]) == {"ライト", "スタンダード", "プロ"}
    assert cohorts.report_section(Datasets(), as_of="2024-01-01") is None
    events_only = Datasets(events=data.events)
    assert "segments" not in cohorts.report_section(events_only, as_of="2026-10-31", segment="プラン")


# ------------------------------------------------------------------- errors
def test_degenerate_inputs_raise_coded_errors() -> None:
    events = revenue_toy()
    with pytest.raises(DataError) as err:
        cohorts.cohort_table(events, as_of="2023-12-31")
    assert err.value.code == "cohorts_no_events"
    with pytest.raises(DataError) as err:
        cohorts.cohort_table(events.drop(columns="amount"), as_of="2024-03-31", metric="nrr")
    assert err.value.code == "cohorts_no_amount"
    with pytest.raises(DataError) as err:
        cohorts.cohort_table(events, as_of="2024-03-31", segment="plan")
    assert err.value.code == "cohorts_missing_column"
    with pytest.raises(DataError) as err:
        cohorts.cohort_table(customers=customers_frame([("a", "2025-01-01", None)]), source="customers",
                             as_of="2024-03-31")
    assert err.value.code == "cohorts_no_customers"
    for bad in ({"period": "year"}, {"mode": "rolling"}, {"metric": "arr"}, {"source": "survey"}):
        with pytest.raises(ValueError, match="must be one of"):
            cohorts.cohort_table(events, as_of="2024-03-31", **bad)
    with pytest.raises(ValueError, match="classic"):
        cohorts.cohort_table(events, as_of="2024-03-31", metric="nrr", mode="on_or_after")


def test_max_k_keeps_the_first_periods_only() -> None:
    """Cutting the horizon changes nothing in the periods kept (on-or-after still sees later activity)."""
    events = amplitude_toy()
    full = cohorts.cohort_table(events, as_of="2024-03-20", period="day", mode="on_or_after")
    cut = cohorts.cohort_table(events, as_of="2024-03-20", period="day", mode="on_or_after", max_k=3)
    assert list(cut.rates.columns) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(cut.rates, full.rates.loc[:, :3])
    pd.testing.assert_frame_equal(cut.average, full.average.loc[:3])


def test_few_customers_note() -> None:
    table = cohorts.cohort_table(revenue_toy(), as_of="2024-03-31")
    assert "few_customers" in table.notes


def test_integer_and_categorical_ids_give_the_same_table() -> None:
    """The fast id paths (categorical codes, dense integers) agree with string ids."""
    events = revenue_toy()
    as_int = events.assign(customer_id=events["customer_id"].map({"A": 10, "B": 11, "C": 13}))
    as_cat = events.assign(customer_id=events["customer_id"].astype("category"))
    reference = cohorts.cohort_table(events, as_of="2024-03-31", metric="grr")
    for variant in (as_int, as_cat):
        table = cohorts.cohort_table(variant, as_of="2024-03-31", metric="grr")
        pd.testing.assert_frame_equal(table.rates, reference.rates)
        pd.testing.assert_series_equal(table.sizes, reference.sizes)
