"""Cohort tables against independent implementations (DuckDB SQL, plain loops) and properties."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cs_models import cohorts

QUARTER_LABEL = "strftime(cohort, '%Y') || '-Q' || CAST(quarter(cohort) AS VARCHAR)"
LABEL_SQL = {
    "day": "strftime(cohort, '%Y-%m-%d')",
    "week": "strftime(cohort, '%Y-%m-%d')",
    "month": "strftime(cohort, '%Y-%m')",
    "quarter": QUARTER_LABEL,
}
K_SQL = {
    "day": "date_diff('day', cohort, {p})",
    "week": "date_diff('day', cohort, {p}) // 7",
    "month": "date_diff('month', cohort, {p})",
    "quarter": "date_diff('quarter', cohort, {p})",
}


def duckdb_reference(events: pd.DataFrame, as_of: str, period: str) -> pd.DataFrame:
    """Cohort cells by plain SQL: ``date_trunc`` periods (DuckDB weeks start on Monday).

    Returns one row per (cohort label, k) with ``size``, ``active``, ``after`` (active in k or
    later), ``revenue``, ``capped`` (each customer capped at its period-0 revenue) and whether the
    period had fully ended by ``as_of`` (``complete``).
    """
    k_cell, k_last = K_SQL[period].format(p="p"), K_SQL[period].format(p="last_p")
    sql = f"""
    WITH e AS (
        SELECT customer_id, CAST(date_trunc('{period}', date) AS DATE) AS p, amount
        FROM events WHERE CAST(date AS DATE) <= DATE '{as_of}'),
    firsts AS (SELECT customer_id, min(p) AS cohort, max(p) AS last_p FROM e GROUP BY customer_id),
    cp AS (SELECT e.customer_id, f.cohort, e.p, sum(e.amount) AS rev
           FROM e JOIN firsts f USING (customer_id) GROUP BY ALL),
    base AS (SELECT customer_id, rev AS rev0 FROM cp WHERE p = cohort),
    cells AS (
        SELECT {LABEL_SQL[period]} AS cohort_label, {k_cell} AS k,
               count(*) AS active, sum(rev) AS revenue, sum(least(rev, base.rev0)) AS capped,
               max(CAST(p + INTERVAL 1 {period} AS DATE)) <= DATE '{as_of}' + 1 AS complete
        FROM cp JOIN base USING (customer_id) GROUP BY ALL),
    lasts AS (
        SELECT {LABEL_SQL[period]} AS cohort_label,
               unnest(range(0, CAST({k_last} AS BIGINT) + 1)) AS k
        FROM firsts),
    after AS (SELECT cohort_label, k, count(*) AS after FROM lasts GROUP BY ALL),
    sizes AS (SELECT {LABEL_SQL[period]} AS cohort_label, count(*) AS size FROM firsts GROUP BY ALL)
    SELECT cohort_label, k, size, active, after, revenue, capped, complete
    FROM cells JOIN after USING (cohort_label, k) JOIN sizes USING (cohort_label)
    ORDER BY cohort_label, k
    """  # noqa: S608 - assembled from the constants above, no user input
    with duckdb.connect() as con:
        con.register("events", events)
        return con.execute(sql).df()


def random_events(seed: int, n_customers: int = 300, n_events: int = 4000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    joined = rng.integers(0, 500, n_customers)
    customer = rng.integers(0, n_customers, n_events)
    offset = joined[customer] + rng.geometric(0.01, n_events) - 1
    frame = pd.DataFrame(
        {
            "customer_id": [f"K{c:04d}" for c in customer],
            "date": start
            + pd.to_timedelta(offset, unit="D")
            + pd.to_timedelta(rng.integers(0, 86_400, n_events), unit="s"),
            "amount": np.round(rng.gamma(2.0, 50.0, n_events), 2),
        }
    )
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize(("period", "as_of", "seed"), [
    ("month", "2024-05-17", 1),
    ("week", "2024-02-04", 2),  # a Sunday: the current week is complete
    ("quarter", "2024-03-31", 3),
    ("day", "2023-09-30", 4),
])
def test_against_duckdb_sql(period: str, as_of: str, seed: int) -> None:
    """Independent second implementation: DuckDB SQL (``date_trunc``, ``GROUP BY``) on random data.

    Checks sizes, classic and on-or-after counts, revenue and capped revenue of every mature cell,
    and that every immature cell is NaN.
    """
    events = random_events(seed)
    ref = duckdb_reference(events, as_of, period)
    tables = {
        mode: cohorts.cohort_table(events, as_of=as_of, period=period, mode=mode, metric="logo")
        for mode in cohorts.MODES
    }
    grr = cohorts.cohort_table(events, as_of=as_of, period=period, metric="grr")
    classic = tables["classic"]
    sizes = ref.drop_duplicates("cohort_label").set_index("cohort_label")["size"]
    pd.testing.assert_series_equal(classic.sizes, sizes.rename("customers").rename_axis("cohort"),
                                   check_dtype=False)
    mature = ref[ref["complete"]]
    assert len(mature) >= 10
    for row in mature.itertuples():
        assert classic.counts.loc[row.cohort_label, row.k] == row.active
        assert tables["on_or_after"].counts.loc[row.cohort_label, row.k] == row.after
        assert grr.revenue.loc[row.cohort_label, row.k] == pytest.approx(row.revenue, rel=1e-9)
        assert grr.capped_revenue.loc[row.cohort_label, row.k] == pytest.approx(row.capped, rel=1e-9)
    # cells the SQL saw but whose period is not over must be blank
    for row in ref[~ref["complete"]].itertuples():
        assert np.isnan(classic.rates.loc[row.cohort_label, row.k])
    # mature cells without any activity are 0, not NaN
    mature_cells = int(classic.rates.notna().to_numpy().sum())
    assert mature_cells >= len(mature)
    assert (classic.counts.fillna(0).to_numpy().sum()) == mature["active"].sum()


def loop_reference(customers: pd.DataFrame, as_of: pd.Timestamp, segment: str) -> dict:
    """Plain Python loops over customers and months: alive at the end of month k, then the
    size-weighted average over cohorts whose month k ended by ``as_of``, per segment."""
    def month(ts: pd.Timestamp) -> int:
        return ts.year * 12 + ts.month - 1

    last_complete = month(as_of + pd.Timedelta(days=1)) - 1
    table: dict = {}
    for row in customers.itertuples():
        if row.start_date > as_of:
            continue
        c = month(row.start_date)
        for k in range(0, last_complete - c + 1):
            end_of_k = pd.Timestamp(year=(c + k + 1) // 12, month=(c + k + 1) % 12 + 1, day=1)
            alive = pd.isna(row.end_date) or row.end_date > as_of or row.end_date >= end_of_k
            cell = table.setdefault((getattr(row, segment), c, k), [0, 0])
            cell[0] += alive
            cell[1] += 1
    curves: dict = {}
    for (seg, _, k), (alive, size) in table.items():
        acc = curves.setdefault(seg, {}).setdefault(k, [0.0, 0])
        acc[0] += alive
        acc[1] += size
    return {seg: {k: a / n for k, (a, n) in by_k.items()} for seg, by_k in curves.items()}


def test_customers_segments_against_loops() -> None:
    """Independent plain-loop implementation of alive-by-contract-dates per segment."""
    rng = np.random.default_rng(11)
    n = 400
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    life = pd.to_timedelta(rng.exponential(300, n).astype(int), unit="D")
    end = (start + life).where(rng.random(n) < 0.7)
    customers = pd.DataFrame({
        "customer_id": [f"C{i}" for i in range(n)],
        "start_date": start,
        "end_date": end,
        "tier": rng.choice(["gold", "silver", "bronze"], n),
    })
    as_of = pd.Timestamp("2024-06-20")
    table = cohorts.cohort_table(customers=customers, source="customers", as_of=as_of, segment="tier")
    expected = loop_reference(customers, as_of, "tier")
    for seg, by_k in expected.items():
        for k, value in by_k.items():
            assert table.segment_average.loc[k, seg] == pytest.approx(value, rel=1e-12)
    assert table.sizes.sum() == (customers["start_date"] <= as_of).sum()


# ------------------------------------------------------------------ properties
event_rows = st.lists(
    st.tuples(st.integers(0, 14), st.integers(0, 150), st.floats(0, 1000, allow_nan=False)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(rows=event_rows, as_of_offset=st.integers(0, 160), period=st.sampled_from(cohorts.PERIODS))
@example(rows=[(0, 0, 5e-324), (0, 1, 1.0)], as_of_offset=1, period="day")  # subnormal base revenue
def test_properties(rows: list[tuple[int, int, float]], as_of_offset: int, period: str) -> None:
    """Logo rates in [0, 1]; GRR <= 1 and <= NRR; on-or-after >= classic; immature cells NaN;
    sizes sum to the customers with a first event on or before the as-of date."""
    origin = pd.Timestamp("2024-01-01")
    events = pd.DataFrame(
        {
            "customer_id": [f"u{c}" for c, _, _ in rows],
            "date": [origin + pd.Timedelta(days=d) for _, d, _ in rows],
            "amount": [a for _, _, a in rows],
        }
    )
    as_of = origin + pd.Timedelta(days=as_of_offset)
    if not (events["date"] <= as_of).any():
        with pytest.raises(cohorts.DataError):
            cohorts.cohort_table(events, as_of=as_of, period=period)
        return
    logo = cohorts.cohort_table(events, as_of=as_of, period=period)
    after = cohorts.cohort_table(events, as_of=as_of, period=period, mode="on_or_after")
    nrr = cohorts.cohort_table(events, as_of=as_of, period=period, metric="nrr")
    grr = cohorts.cohort_table(events, as_of=as_of, period=period, metric="grr")

    values = logo.rates.to_numpy()
    finite = values[~np.isnan(values)]
    assert ((finite >= 0) & (finite <= 1)).all()
    g, n = grr.rates.to_numpy(), nrr.rates.to_numpy()
    assert np.all(np.isnan(g) | (g <= 1 + 1e-12))
    assert np.all(np.isnan(g) | (g <= n + 1e-12))
    a = after.rates.to_numpy()
    assert np.all(np.isnan(values) | (a >= values))
    assert logo.sizes.sum() == events.loc[events["date"] <= as_of, "customer_id"].nunique()

    # immature: the period of cell (cohort, k) ends after the as-of date
    day_after = (as_of + pd.Timedelta(days=1)).value // 86_400_000_000_000
    next_day = cohorts.period_index(np.array([day_after]), period)[0]
    labels = {cohorts.period_label(i, period): i for i in range(next_day - 400, next_day + 1)}
    for cohort in logo.rates.index:
        for k in logo.rates.columns:
            immature = labels[cohort] + k >= next_day
            assert np.isnan(logo.rates.loc[cohort, k]) == immature
            assert np.isnan(logo.counts.loc[cohort, k]) == immature
        mature_k0 = not np.isnan(logo.rates.loc[cohort, 0])
        assert not mature_k0 or logo.rates.loc[cohort, 0] == 1.0  # the first event makes k=0 active
