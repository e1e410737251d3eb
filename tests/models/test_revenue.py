"""MRR movements (``cs_models.revenue``): they reconcile to the yen, and equal an independent DuckDB SQL
implementation (window ``LAG`` over a dense customer × month grid) on the sample and on random logs."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from cs_models.errors import DataError
from cs_models.revenue import MOVEMENTS, TRAILING_MONTHS, monthly_mrr, revenue_movements
from cs_models.sample import load_sample

SQL = """
WITH billed AS (
    SELECT customer_id, date_trunc('month', date) AS month, sum(amount) AS mrr
    FROM events WHERE date < ? GROUP BY ALL),
months AS (SELECT unnest(generate_series((SELECT min(month) FROM billed), ? - INTERVAL 1 MONTH,
                                         INTERVAL 1 MONTH)) AS month),
grid AS (
    SELECT c.customer_id, m.month, coalesce(b.mrr, 0) AS mrr
    FROM (SELECT DISTINCT customer_id FROM billed) c CROSS JOIN months m
    LEFT JOIN billed b ON b.customer_id = c.customer_id AND b.month = m.month),
lagged AS (
    SELECT *, coalesce(lag(mrr) OVER w, 0) AS prev,
           coalesce(max(CASE WHEN mrr > 0 THEN 1 ELSE 0 END) OVER (
               PARTITION BY customer_id ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS seen
    FROM grid WINDOW w AS (PARTITION BY customer_id ORDER BY month))
SELECT month, sum(prev) AS start_mrr,
       sum(CASE WHEN prev = 0 AND mrr > 0 AND seen = 0 THEN mrr ELSE 0 END) AS new,
       sum(CASE WHEN prev = 0 AND mrr > 0 AND seen = 1 THEN mrr ELSE 0 END) AS reactivation,
       sum(CASE WHEN prev > 0 AND mrr > prev THEN mrr - prev ELSE 0 END) AS expansion,
       sum(CASE WHEN prev > 0 AND mrr > 0 AND mrr < prev THEN mrr - prev ELSE 0 END) AS contraction,
       sum(CASE WHEN prev > 0 AND mrr = 0 THEN -prev ELSE 0 END) AS churned,
       sum(mrr) AS end_mrr,
       count(*) FILTER (WHERE prev > 0 AND mrr = 0) AS churned_customers
FROM lagged GROUP BY month ORDER BY month
"""


def _sql(events: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The movements by DuckDB SQL, every month from the first billed one to the last complete one."""
    end = (pd.Timestamp(as_of) + pd.Timedelta(days=1)).to_period("M").to_timestamp()
    with duckdb.connect() as con:
        con.register("events", events[["customer_id", "date", "amount"]])
        return con.execute(SQL, [end.to_pydatetime(), end.to_pydatetime()]).df()


def _check(events: pd.DataFrame, as_of: date) -> None:
    result = revenue_movements(events, as_of)
    months = result.months
    total = months["start_mrr"] + months[list(MOVEMENTS)].sum(axis=1)
    np.testing.assert_allclose(total, months["end_mrr"], atol=0.5)  # reconciles to the yen
    np.testing.assert_allclose(months["start_mrr"].iloc[1:].to_numpy(), months["end_mrr"].iloc[:-1].to_numpy(),
                               atol=0.5)  # each month starts where the last ended
    sql = _sql(events, as_of)
    sql = sql[sql["month"] <= months["month"].max()].reset_index(drop=True)
    assert list(pd.to_datetime(sql["month"])) == list(months["month"])
    for column in ("start_mrr", *MOVEMENTS, "end_mrr", "churned_customers"):
        np.testing.assert_allclose(months[column].to_numpy(float), sql[column].to_numpy(float), atol=1e-6,
                                   err_msg=column)


def test_sample_movements_reconcile_and_equal_sql():
    datasets = load_sample("ja")
    _check(datasets.events, datasets.latest_date())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 17), st.sampled_from([0, 1000, 2500, 9800, 19800])),
                min_size=1, max_size=120))
def test_random_logs_reconcile_and_equal_sql(rows):
    """Customers 0–7 billed in months 0–17 of 2024–25 (several invoices a month sum; zero amounts too)."""
    events = pd.DataFrame({"customer_id": [f"C{c}" for c, _, _ in rows],
                           "date": [pd.Timestamp("2024-01-10") + pd.DateOffset(months=m) for _, m, _ in rows],
                           "amount": [float(a) for _, _, a in rows]})
    if events["amount"].sum() == 0:
        return  # nothing billed: no movements (SQL and Python agree there is no month with MRR)
    _check(events, date(2025, 6, 30))


def test_a_hand_made_history():
    """A: 100 → 150 → 0 → 80 (new, expansion, churned, reactivation); B: 200 → 120 (contraction)."""
    events = pd.DataFrame({"customer_id": ["A", "A", "A", "B", "B"],
                           "date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-04-05", "2024-02-09",
                                                   "2024-03-09"]),
                           "amount": [100.0, 150.0, 80.0, 200.0, 120.0]})
    months = revenue_movements(events, date(2024, 4, 30)).months.set_index("month")
    expected = {"2024-01-01": (0, 100, 0, 0, 0, 0, 100), "2024-02-01": (100, 200, 0, 50, 0, 0, 350),
                "2024-03-01": (350, 0, 0, 0, -80, -150, 120), "2024-04-01": (120, 0, 80, 0, 0, -120, 80)}
    for month, values in expected.items():
        row = months.loc[pd.Timestamp(month), ["start_mrr", *MOVEMENTS, "end_mrr"]]
        assert tuple(row) == values


def test_a_month_still_running_is_not_reported():
    events = pd.DataFrame({"customer_id": ["A", "A"], "date": pd.to_datetime(["2024-01-05", "2024-02-05"]),
                           "amount": [100.0, 100.0]})
    months = revenue_movements(events, date(2024, 2, 28)).months
    assert months["month"].max() == pd.Timestamp("2024-01-01")
    assert monthly_mrr(events, date(2024, 2, 29)).columns.max() == pd.Timestamp("2024-02-01")


def test_trends_churn_rate_is_wilson_and_retention_is_trailing():
    """Wilson: statsmodels proportion_confint(method="wilson"); NRR/GRR by hand over 12 months."""
    datasets = load_sample("en")
    result = revenue_movements(datasets.events, datasets.latest_date())
    months, trends = result.months, result.trends
    j = len(months) - 1
    low, high = proportion_confint(months["churned_customers"].iloc[j], months["customers_start"].iloc[j],
                                   alpha=0.05, method="wilson")
    assert (trends["churn_low"].iloc[j], trends["churn_high"].iloc[j]) == pytest.approx((low, high))
    mrr = monthly_mrr(datasets.events, datasets.latest_date())
    base, now = mrr.iloc[:, j - TRAILING_MONTHS], mrr.iloc[:, j]
    kept = base > 0
    assert trends["nrr"].iloc[j] == pytest.approx(now[kept].sum() / base[kept].sum())
    assert trends["grr"].iloc[j] == pytest.approx(np.minimum(now[kept], base[kept]).sum() / base[kept].sum())
    assert trends["grr"].iloc[: TRAILING_MONTHS].isna().all()


def test_events_without_amounts_are_a_data_error():
    events = pd.DataFrame({"customer_id": ["A"], "date": pd.to_datetime(["2024-01-05"])})
    with pytest.raises(DataError) as info:
        revenue_movements(events, date(2024, 3, 1))
    assert info.value.code == "revenue_no_amount"


def test_report_section_lists_every_month_with_the_issue_fields():
    from cs_models.report import datasets_report

    datasets = load_sample("en")
    report = datasets_report(datasets, as_of=datasets.latest_date(), lang="en")
    months = report["revenue"]["months"]
    fields = {"month", "start_mrr", "new", "expansion", "contraction", "churned", "reactivation", "end_mrr",
              "customers_start", "customers_end"}
    assert fields <= months[0].keys()
    assert months[-1]["month"] == "2026-10"
    assert len(months) == len(revenue_movements(datasets.events, datasets.latest_date()).months)
    assert any(f["code"] == "revenue.last_month" for f in report["findings"])
