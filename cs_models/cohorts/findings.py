"""What a cohort table means, as :class:`~cs_models.findings.Finding` objects.

- ``cohorts.weak_cohort`` / ``cohorts.strong_cohort``: a cohort that keeps significantly
  fewer (more) customers than the other cohorts at an early checkpoint (3 months for
  monthly cohorts, which most cohorts have reached). Test: two-sided two-proportion z test
  with pooled variance of the cohort's retained count against the pooled count of the
  *other* cohorts that reached the checkpoint (the same statistic as statsmodels
  ``proportions_ztest([x, X], [n, N])``; ``tests/models/test_cohorts_findings.py`` checks it),
  Holm-adjusted across the cohorts tested; only cohorts of at least ``min_base`` customers
  are tested.
- ``cohorts.retention_at`` / ``cohorts.revenue_at``: the size-weighted average at the reading
  period (6 months, or the furthest period a cohort reached);
- ``cohorts.net_expansion``: net revenue retention above 100 % at that period;
- ``cohorts.too_young``: no cohort has finished a period after joining yet.

Sentences speak of months, so findings are given for monthly and quarterly tables
(a quarter is 3 months); daily and weekly tables get none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from cs_models.cohorts.table import MIN_BASE, CohortTable
from cs_models.findings import Finding, ranked
from cs_models.stats import ALPHA, check_alpha, holm

SECTION = "cohorts"
#: Periods since joining that the readings describe, by period length.
READING_HORIZON = {"day": 7, "week": 4, "month": 6, "quarter": 2}
#: The early checkpoint at which cohorts are compared with each other.
TEST_HORIZON = {"day": 7, "week": 4, "month": 3, "quarter": 1}
#: Months per period, for the sentences (day and week tables have no findings).
MONTHS = {"month": 1, "quarter": 3}


def reading_period(table: CohortTable, period: int | None = None) -> int:
    """The period ``k`` a reading describes: ``period`` (default :data:`READING_HORIZON`), or the
    furthest period a cohort has fully reached when that is shorter (< 1: none reached).

    Parameters
    ----------
    table : CohortTable
        The cohort table.
    period : int, optional
        Periods since joining.

    Returns
    -------
    int
        The period ``k``.
    """
    wanted = READING_HORIZON[table.period] if period is None else period
    return min(wanted, table.mature_horizon())


def example_cohort(table: CohortTable, k: int, *, min_base: int = MIN_BASE) -> tuple[str, float] | None:
    """The latest cohort that reached ``k`` with at least ``min_base`` customers (else simply the
    latest that reached it) and its value at ``k``; ``None`` when no cohort reached ``k``.

    Parameters
    ----------
    table : CohortTable
        The cohort table.
    k : int
        Periods since joining.
    min_base : int
        Smallest cohort that is more than an anecdote.

    Returns
    -------
    tuple or None
        ``(cohort label, value)``.
    """
    if k < 1 or k not in table.rates.columns:
        return None
    reached = table.rates[k].dropna()
    solid = reached[table.sizes.loc[reached.index] >= min_base]
    example = solid if len(solid) else reached
    return (str(example.index[-1]), float(example.iloc[-1])) if len(example) else None


def cohort_tests(table: CohortTable, k: int, *, min_base: int = MIN_BASE) -> pd.DataFrame:
    """Each cohort's logo retention at ``k`` against the pooled retention of the other cohorts.

    Parameters
    ----------
    table : CohortTable
        The cohort table (its ``counts`` are used, so ``mode`` applies).
    k : int
        Periods since joining; only cohorts that fully reached it take part.
    min_base : int
        Cohorts with fewer customers are not tested (they still count in the others' pool).

    Returns
    -------
    DataFrame
        Index ``cohort``; ``retained``, ``size``, ``rate``, ``others`` (pooled rate of the others),
        ``z``, ``p_value`` (two-sided, pooled two-proportion z test) and ``p_adjusted`` (Holm).
    """
    columns = ["retained", "size", "rate", "others", "z", "p_value", "p_adjusted"]
    if k < 0 or k not in table.counts.columns:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="cohort"))
    x = table.counts[k].dropna()
    n = table.sizes.loc[x.index].astype(float)
    x_other, n_other = x.sum() - x, n.sum() - n
    pooled = x.sum() / n.sum() if n.sum() else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n_other))
        z = (x / n - x_other / n_other) / se
    z = z.where(np.isfinite(z))
    p = pd.Series(2 * norm.sf(np.abs(z.to_numpy(dtype=float))), index=x.index)
    p = p.where(n >= min_base)
    frame = pd.DataFrame(
        {"retained": x.astype(int), "size": n.astype(int), "rate": x / n, "others": x_other / n_other,
         "z": z, "p_value": p, "p_adjusted": holm(p.to_numpy(dtype=float))},
        index=x.index,
    )
    return frame[columns]


def _comparisons(table: CohortTable, k: int, months: int, alpha: float, min_base: int) -> list[Finding]:
    tests = cohort_tests(table, k, min_base=min_base)
    average = float(table.average.loc[k, "weighted"]) if k in table.average.index else np.nan
    out = []
    for cohort, row in tests[tests["p_adjusted"] < alpha].iterrows():
        weak = row["rate"] < row["others"]
        out.append(Finding(
            f"{SECTION}.{'weak' if weak else 'strong'}_cohort", SECTION, "alert" if weak else "positive",
            params={"cohort": str(cohort), "period": k, "months": months, "rate": float(row["rate"]),
                    "average": average},
            evidence={"test": "two-proportion z (pooled), Holm", "z": row["z"], "p_value": row["p_value"],
                      "p_adjusted": row["p_adjusted"], "retained": row["retained"], "size": row["size"],
                      "others": row["others"], "alpha": alpha},
        ))
    out.sort(key=lambda f: f.evidence["p_adjusted"])
    return out


def findings(
    table: CohortTable,
    *,
    alpha: float = ALPHA,
    min_base: int = MIN_BASE,
    period: int | None = None,
    test_period: int | None = None,
) -> list[Finding]:
    """What the cohort table says, most important first.

    Parameters
    ----------
    table : CohortTable
        The cohort table (monthly or quarterly; other period lengths give no findings).
    alpha : float
        Family-wise significance level of the cohort comparisons (Holm).
    min_base : int
        Smallest cohort that is compared with the others.
    period : int, optional
        Periods since joining that the average reading describes (default
        :data:`READING_HORIZON`; the furthest period reached when shorter).
    test_period : int, optional
        Checkpoint of the cohort comparisons (default :data:`TEST_HORIZON`, likewise shortened).

    Returns
    -------
    list of Finding
        Codes ``cohorts.weak_cohort``, ``cohorts.strong_cohort`` (logo only),
        ``cohorts.retention_at``, ``cohorts.revenue_at``, ``cohorts.net_expansion``,
        ``cohorts.too_young``.
    """
    check_alpha(alpha)
    if table.period not in MONTHS:
        return []
    per = MONTHS[table.period]
    k = reading_period(table, period)
    if k < 1:
        wanted = READING_HORIZON[table.period] if period is None else period
        return [Finding(f"{SECTION}.too_young", SECTION, "info", params={"months": wanted * per})]
    share = float(table.average.loc[k, "weighted"])
    base = {"months": k * per, "share": share, "cohorts": int(table.average.loc[k, "cohorts"]),
            "customers": int(table.average.loc[k, "customers"])}
    out: list[Finding] = []
    if table.metric == "logo":
        out.append(Finding(f"{SECTION}.retention_at", SECTION, "info", params=base))
        tk = reading_period(table, TEST_HORIZON[table.period] if test_period is None else test_period)
        if tk >= 1:
            out.extend(_comparisons(table, tk, tk * per, alpha, min_base))
    elif table.metric == "nrr" and share > 1:
        out.append(Finding(f"{SECTION}.net_expansion", SECTION, "positive", params=base))
    else:
        out.append(Finding(f"{SECTION}.revenue_at", SECTION, "info", params=base))
    return ranked(out)


def segment_extremes(table: CohortTable, k: int) -> tuple[object, float, object, float] | None:
    """The segment value with the highest and the lowest average curve at ``k``.

    Parameters
    ----------
    table : CohortTable
        A table built with a ``segment``.
    k : int
        Periods since joining.

    Returns
    -------
    tuple or None
        ``(best, best value, worst, worst value)``; ``None`` with fewer than two segments at ``k``.
    """
    curves = table.segment_average
    if curves is None or k < 1 or k not in curves.index:
        return None
    at_k = curves.loc[k].dropna()
    if len(at_k) < 2:
        return None
    best, worst = at_k.idxmax(), at_k.idxmin()
    return best, float(at_k[best]), worst, float(at_k[worst])
