"""Findings of the cohort tables: the weak cohort of the sample, hand-built cases, translations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

from cs_models import cohorts
from cs_models.catalogue import catalogue
from cs_models.sample import load_sample
from cs_models.stats import holm

LANGS = ("ja", "en")


def sample_table(metric: str = "logo") -> cohorts.CohortTable:
    data = load_sample("ja")
    return cohorts.build(data, as_of=data.latest_date(), metric=metric)


def contract_cohorts(kept: dict[int, tuple[int, int]], *, as_of: str = "2024-12-31") -> pd.DataFrame:
    """Customers joining on the 1st of month ``m`` of 2024: ``size`` of them, of whom all but
    ``size - kept`` leave after one month (contract dates only)."""
    rows = []
    for month, (size, stay) in kept.items():
        start = pd.Timestamp(2024, month, 1)
        for i in range(size):
            end = pd.NaT if i < stay else start + pd.DateOffset(months=1, days=5)
            rows.append({"customer_id": f"C{month:02d}{i:03d}", "start_date": start, "end_date": end})
    return pd.DataFrame(rows)


def test_sample_weak_cohort_is_2024_03() -> None:
    """The sample's visibly weak cohort (2024-03) is found at the 3-month checkpoint, and only it."""
    table = sample_table()
    found = cohorts.findings(table)
    weak = [f for f in found if f.code == "cohorts.weak_cohort"]
    assert [f.params["cohort"] for f in weak] == ["2024-03"]
    assert weak[0].params["months"] == 3
    assert weak[0].params["rate"] == pytest.approx(table.rates.loc["2024-03", 3])
    assert weak[0].params["average"] == pytest.approx(table.average.loc[3, "weighted"])
    assert weak[0].evidence["p_adjusted"] < 0.05
    assert found[0].severity == "alert"  # ranked: the alert first
    retention = [f for f in found if f.code == "cohorts.retention_at"]
    assert retention[0].params["months"] == 6
    assert retention[0].params["share"] == pytest.approx(table.average.loc[6, "weighted"])


def test_cohort_tests_match_statsmodels() -> None:
    """z and p of each cohort equal statsmodels' ``proportions_ztest`` (pooled, two-sided) of the
    cohort's retained count against the other cohorts' pooled count; Holm equals :func:`stats.holm`."""
    table = sample_table()
    tests = cohorts.cohort_tests(table, 3)
    counts = table.counts[3].dropna()
    sizes = table.sizes.loc[counts.index]
    for cohort in counts.index:
        x, n = counts[cohort], sizes[cohort]
        z, p = proportions_ztest([x, counts.sum() - x], [n, sizes.sum() - n])
        assert tests.loc[cohort, "z"] == pytest.approx(z, rel=1e-10)
        assert tests.loc[cohort, "p_value"] == pytest.approx(p, rel=1e-10)
    np.testing.assert_allclose(tests["p_adjusted"], holm(tests["p_value"]))


def test_hand_built_weak_and_strong_fire_and_do_not() -> None:
    """Ten cohorts of 100 keeping 80; one keeping 50 is weak, one keeping 97 strong; with all at 80
    (or the odd cohort below ``min_base``) nothing is flagged."""
    base = {m: (100, 80) for m in range(1, 11)}
    table = cohorts.cohort_table(customers=contract_cohorts(base | {3: (100, 50), 5: (100, 97)}),
                                 as_of="2024-12-31", source="customers")
    codes = {f.code: f for f in cohorts.findings(table)}
    assert codes["cohorts.weak_cohort"].params["cohort"] == "2024-03"
    assert codes["cohorts.strong_cohort"].params["cohort"] == "2024-05"
    plain = cohorts.cohort_table(customers=contract_cohorts(base), as_of="2024-12-31", source="customers")
    assert {f.code for f in cohorts.findings(plain)} == {"cohorts.retention_at"}
    small = cohorts.cohort_table(customers=contract_cohorts(base | {3: (20, 2)}), as_of="2024-12-31",
                                 source="customers")
    assert "cohorts.weak_cohort" not in {f.code for f in cohorts.findings(small)}
    assert "cohorts.weak_cohort" in {f.code for f in cohorts.findings(small, min_base=10)}


def test_too_young_and_net_expansion_and_other_periods() -> None:
    young = cohorts.cohort_table(customers=contract_cohorts({12: (50, 40)}), as_of="2024-12-20",
                                 source="customers")
    assert [(f.code, dict(f.params)) for f in cohorts.findings(young)] == [("cohorts.too_young", {"months": 6})]
    nrr = sample_table("nrr")
    share = nrr.average.loc[6, "weighted"]
    codes = [f.code for f in cohorts.findings(nrr)]
    assert codes == (["cohorts.net_expansion"] if share > 1 else ["cohorts.revenue_at"])
    events = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "b"],
                           "date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-01-07", "2024-02-07",
                                                   "2024-03-07"]),
                           "amount": [100.0, 150.0, 100.0, 120.0, 130.0]})
    grown = cohorts.cohort_table(events, as_of="2024-04-30", metric="nrr")
    assert [f.code for f in cohorts.findings(grown, period=1)] == ["cohorts.net_expansion"]
    weekly = cohorts.cohort_table(events, as_of="2024-04-30", period="week")
    assert cohorts.findings(weekly) == []
    with pytest.raises(cohorts.DataError):
        cohorts.findings(grown, alpha=0.9)


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_translates(lang: str) -> None:
    base = {m: (100, 80) for m in range(1, 11)}
    table = cohorts.cohort_table(customers=contract_cohorts(base | {3: (100, 50), 5: (100, 97)}),
                                 as_of="2024-12-31", source="customers")
    young = cohorts.cohort_table(customers=contract_cohorts({12: (50, 40)}), as_of="2024-12-20",
                                 source="customers")
    found = cohorts.findings(table) + cohorts.findings(young) + cohorts.findings(sample_table("nrr"))
    found += cohorts.findings(sample_table("grr"))
    codes = {f.code for f in found}
    assert codes >= {"cohorts.weak_cohort", "cohorts.strong_cohort", "cohorts.retention_at",
                     "cohorts.too_young", "cohorts.revenue_at"}
    for finding in found:
        text = finding.text(lang)
        assert "{" not in text
        assert "}" not in text
        assert "—" not in text
    own = catalogue(lang)
    assert all(f"findings.cohorts.{name}" in own for name in ("net_expansion", "weak_cohort", "strong_cohort"))
