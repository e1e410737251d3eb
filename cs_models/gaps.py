"""Expectation vs satisfaction: where customers are delighted, where they are disappointed.

The gap of one answer is ``satisfaction - expectation`` (> 0 delights, < 0 disappoints).
Input is either long (one row per respondent and item)::

    respondent_id, item, expectation, satisfaction[, importance]

or wide (one row per respondent, one column pair per item) in one of three
naming patterns (see :data:`WIDE_PATTERNS`)::

    導入支援_期待, 導入支援_満足[, 導入支援_重要度]          ("ja")
    exp_onboarding, sat_onboarding[, imp_onboarding]        ("prefix")
    Onboarding (expectation), Onboarding (satisfaction)[, Onboarding (importance)]  ("paren")

Optional columns: ``respondent_id``, ``customer_id`` and any segment columns
(plan, company size, …). :func:`read_gaps` detects the layout and the answer
scale (1–5, 1–7 or 0–10; both can be overridden) and lists answers that are not
on the scale by spreadsheet row. :func:`analyse_gaps` gives the per-item table
(paired t-test and Wilcoxon signed-rank with Holm correction, effect sizes,
shares delighted / met / disappointed with Wilson intervals),
:func:`importance_performance` the importance–performance map,
:func:`compare_segments` gaps by segment and :func:`gap_churn` whether
customers with a negative mean gap churn sooner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from cs_models import survival
from cs_models.datasets import Datasets
from cs_models.errors import DataError

ROLES: tuple[str, ...] = ("expectation", "satisfaction", "importance")
#: Wide naming patterns: name -> role -> regular expression whose group 1 is the item.
WIDE_PATTERNS: Mapping[str, Mapping[str, re.Pattern[str]]] = {
    "ja": {
        "expectation": re.compile(r"^(.+?)\s*[_＿]\s*期待$"),
        "satisfaction": re.compile(r"^(.+?)\s*[_＿]\s*満足$"),
        "importance": re.compile(r"^(.+?)\s*[_＿]\s*重要度$"),
    },
    "prefix": {
        "expectation": re.compile(r"^exp_(.+)$", re.IGNORECASE),
        "satisfaction": re.compile(r"^sat_(.+)$", re.IGNORECASE),
        "importance": re.compile(r"^imp_(.+)$", re.IGNORECASE),
    },
    "merged": {  # a two-row merged header flattened by the reader: 期待 / 導入支援
        "expectation": re.compile(r"^期待\s*/\s*(.+)$"),
        "satisfaction": re.compile(r"^満足\s*/\s*(.+)$"),
        "importance": re.compile(r"^重要度\s*/\s*(.+)$"),
    },
    "paren": {
        "expectation": re.compile(r"^(.+?)\s*\(\s*expectation\s*\)$", re.IGNORECASE),
        "satisfaction": re.compile(r"^(.+?)\s*\(\s*satisfaction\s*\)$", re.IGNORECASE),
        "importance": re.compile(r"^(.+?)\s*\(\s*importance\s*\)$", re.IGNORECASE),
    },
}
LAYOUTS: tuple[str, ...] = ("auto", "long", *WIDE_PATTERNS)
#: Answer scales: code -> (lowest, highest) point. Answers must be whole numbers on the scale.
SCALES: Mapping[str, tuple[int, int]] = {"1-5": (1, 5), "1-7": (1, 7), "0-10": (0, 10)}
ID_COLUMNS: tuple[str, ...] = ("respondent_id", "customer_id")
LONG_COLUMNS: tuple[str, ...] = ("item", "expectation", "satisfaction")
QUADRANTS: tuple[str, ...] = ("concentrate_here", "keep_up", "low_priority", "possible_overkill")
OUTCOMES: tuple[str, ...] = ("delighted", "met", "disappointed")
ZERO_METHODS: tuple[str, ...] = ("wilcox", "pratt", "zsplit")
#: Below this many answered pairs an item's statistics are flagged as unreliable.
MIN_PAIRS = 10
#: Text columns with more distinct values than this are not offered as segments.
MAX_SEGMENT_LEVELS = 12
#: First data row in a spreadsheet (row 1 holds the headers).
FIRST_DATA_ROW = 2


# ------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class GapLayout:
    """How a gap table is laid out.

    Attributes
    ----------
    layout : {"long", "ja", "prefix", "paren"}
        Long format or one of the wide naming patterns.
    items : tuple of str
        Items (touchpoints) in the order they appear.
    columns : Mapping[str, Mapping[str, str]]
        Wide layouts: item -> role -> column header. Long: empty.
    segments : tuple of str
        Other text columns with 2 to :data:`MAX_SEGMENT_LEVELS` values, usable as segments.
    """

    layout: str
    items: tuple[str, ...]
    columns: Mapping[str, Mapping[str, str]]
    segments: tuple[str, ...]


@dataclass(frozen=True)
class GapAnswers:
    """Validated answers in long form, one row per respondent and item.

    Attributes
    ----------
    answers : pandas.DataFrame
        Columns ``row`` (spreadsheet row of the source), ``respondent_id``,
        ``customer_id`` (may be missing values), ``item``, ``expectation``,
        ``satisfaction``, ``importance`` (float, NaN = not answered or invalid),
        ``gap`` and the segment columns.
    layout : GapLayout
        The detected (or chosen) layout.
    scale : str
        Scale code, a key of :data:`SCALES`.
    scale_detected : bool
        Whether the scale was inferred from the answers.
    invalid : pandas.DataFrame
        Answers that were not on the scale and were set aside: ``row``, ``column``, ``value``.
    """

    answers: pd.DataFrame
    layout: GapLayout
    scale: str
    scale_detected: bool
    invalid: pd.DataFrame

    @property
    def items(self) -> tuple[str, ...]:
        """Items in source order."""
        return self.layout.items

    @property
    def segments(self) -> tuple[str, ...]:
        """Segment columns."""
        return self.layout.segments

    @property
    def has_importance(self) -> bool:
        """Whether every item has at least one stated importance answer."""
        answered = self.answers.groupby("item", sort=False)["importance"].count()
        return bool(len(answered)) and bool((answered > 0).all())


def _wide_columns(columns: list[str], pattern: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for column in columns:
        for role, regex in WIDE_PATTERNS[pattern].items():
            match = regex.match(column.strip())
            if match:
                found.setdefault(match.group(1).strip(), {})[role] = column
    return {item: roles for item, roles in found.items() if {"expectation", "satisfaction"} <= roles.keys()}


def _is_segment(series: pd.Series) -> bool:
    """Text columns with 2 to :data:`MAX_SEGMENT_LEVELS` distinct values (not free text or IDs)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return False
    return 2 <= series.nunique(dropna=True) <= MAX_SEGMENT_LEVELS


def detect_layout(frame: pd.DataFrame, layout: str = "auto") -> GapLayout:
    """Find the layout of a gap table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The gap table with its own headers.
    layout : {"auto", "long", "ja", "prefix", "paren"}
        ``"auto"`` detects; anything else forces that layout.

    Returns
    -------
    GapLayout

    Raises
    ------
    DataError
        ``gaps_unknown_layout`` (nothing recognised), ``gaps_bad_option``.
    """
    if layout not in LAYOUTS:
        raise DataError("gaps_bad_option", f"unknown layout {layout!r}", option="layout", value=layout)
    columns = [str(c) for c in frame.columns]
    candidates = ["long", *WIDE_PATTERNS] if layout == "auto" else [layout]
    for candidate in candidates:
        if candidate == "long":
            if not set(LONG_COLUMNS) <= set(columns):
                continue
            items = tuple(str(v) for v in pd.unique(frame["item"].dropna().astype(str).str.strip()))
            used = {*LONG_COLUMNS, "importance", *ID_COLUMNS}
            segments = tuple(c for c in columns if c not in used and _is_segment(frame[c]))
            return GapLayout("long", items, {}, segments)
        pairs = _wide_columns(columns, candidate)
        if pairs:
            used = {c for roles in pairs.values() for c in roles.values()} | set(ID_COLUMNS)
            segments = tuple(c for c in columns if c not in used and _is_segment(frame[c]))
            return GapLayout(candidate, tuple(pairs), pairs, segments)
    raise DataError(
        "gaps_unknown_layout",
        "no expectation/satisfaction columns found (long: item, expectation, satisfaction; "
        "wide: <item>_期待/<item>_満足, exp_<item>/sat_<item> or <item> (expectation)/<item> (satisfaction))",
        layout=layout,
    )


def _id_text(values: pd.Series) -> np.ndarray:
    """IDs as stripped text; whole numbers read as floats (``1001.0``, because of blanks) lose the ``.0``."""
    if pd.api.types.is_float_dtype(values):
        finite = values.dropna()
        if (finite == finite.round()).all():
            values = values.astype("Int64")
    return values.astype("string").str.strip().to_numpy(dtype=object)


def _to_long(frame: pd.DataFrame, layout: GapLayout) -> pd.DataFrame:
    """Long frame of raw answer cells; ``_column_<role>`` names each cell's source column."""
    rows = np.arange(len(frame)) + FIRST_DATA_ROW
    ids = {
        "respondent_id": _id_text(frame["respondent_id"])
        if "respondent_id" in frame
        else np.array([f"#{r}" for r in rows], dtype=object),
        "customer_id": _id_text(frame["customer_id"])
        if "customer_id" in frame
        else np.full(len(frame), None, dtype=object),
    }
    segments = {s: frame[s].to_numpy(dtype=object) for s in layout.segments}
    if layout.layout == "long":
        out = pd.DataFrame({"row": rows, **ids, "item": frame["item"].astype("string").str.strip()})
        for role in ROLES:
            out[role] = frame[role].to_numpy() if role in frame else np.nan
        for name, values in segments.items():
            out[name] = values
        out["_column_expectation"] = "expectation"
        out["_column_satisfaction"] = "satisfaction"
        out["_column_importance"] = "importance"
        return out.dropna(subset=["item"]).reset_index(drop=True)
    parts = []
    for item in layout.items:
        part = pd.DataFrame({"row": rows, **ids, "item": item})
        for role in ROLES:
            column = layout.columns[item].get(role)
            part[role] = frame[column].to_numpy() if column else np.nan
            part[f"_column_{role}"] = column or role
        for name, values in segments.items():
            part[name] = values
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _numeric(values: pd.Series) -> pd.Series:
    """Numbers from cells that may hold text ("4", " 5 ", "４"); blanks and words become NaN."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    out = pd.to_numeric(values, errors="coerce").astype(float)
    retry = out.isna() & values.notna()  # text such as " 5 " or full-width "５": only these cells
    if retry.any():
        text = values[retry].astype("string").str.strip().str.normalize("NFKC")
        out[retry] = pd.to_numeric(text.replace("", pd.NA), errors="coerce").astype(float)
    return out


def _blank(values: pd.Series) -> pd.Series:
    """Cells with no answer: missing, or text made of spaces only."""
    blank = values.isna()
    if values.dtype == object:
        text = values[~blank & values.map(lambda v: isinstance(v, str))]
        blank[text.index] = text.str.strip().eq("")
    return blank


def detect_scale(values: np.ndarray) -> str:
    """The narrowest scale holding every whole-number answer between 0 and 10.

    Parameters
    ----------
    values : numpy.ndarray
        Answers (NaN = blank).

    Returns
    -------
    str
        ``"1-5"`` when all such answers lie in 1..5, ``"1-7"`` in 1..7, else ``"0-10"``.
    """
    finite = values[np.isfinite(values)]
    plausible = finite[(finite == np.round(finite)) & (finite >= 0) & (finite <= 10)]
    if plausible.size and plausible.min() >= 1:
        if plausible.max() <= 5:
            return "1-5"
        if plausible.max() <= 7:
            return "1-7"
    return "0-10"


def read_gaps(
    frame: pd.DataFrame,
    *,
    layout: str = "auto",
    scale: str = "auto",
    on_invalid: str = "report",
) -> GapAnswers:
    """Detect the layout and scale of a gap table and validate its answers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long or wide gap table (see the module docstring).
    layout : {"auto", "long", "ja", "prefix", "paren"}
        Layout; ``"auto"`` detects it.
    scale : {"auto", "1-5", "1-7", "0-10"}
        Answer scale; ``"auto"`` takes the narrowest scale holding the answers.
    on_invalid : {"report", "raise"}
        What to do with answers that are not whole numbers on the scale (including
        text that is not a number): set them aside and list them in
        :attr:`GapAnswers.invalid`, or raise.

    Returns
    -------
    GapAnswers

    Raises
    ------
    DataError
        ``gaps_bad_option``, ``gaps_unknown_layout``, ``gaps_empty`` (no answered pair),
        ``gaps_duplicate_answer`` (long input: a respondent answered an item twice),
        ``gaps_out_of_scale`` (``on_invalid="raise"``; ``row``/``column`` of the first).
    """
    if scale != "auto" and scale not in SCALES:
        raise DataError("gaps_bad_option", f"unknown scale {scale!r}", option="scale", value=scale)
    if on_invalid not in ("report", "raise"):
        raise DataError("gaps_bad_option", f"unknown on_invalid {on_invalid!r}", option="on_invalid",
                        value=on_invalid)
    found = detect_layout(frame, layout)
    long = _to_long(frame, found)
    if found.layout == "long":
        duplicated = long.duplicated(["respondent_id", "item"], keep="first") & ~long["respondent_id"].isna()
        if duplicated.any():
            first = long[duplicated].iloc[0]
            raise DataError(
                "gaps_duplicate_answer",
                f"respondent {first['respondent_id']} answered {first['item']} twice",
                row=int(first["row"]),
                respondent=str(first["respondent_id"]),
                item=str(first["item"]),
            )
    numbers = {role: _numeric(long[role]) for role in ROLES}
    every = np.concatenate([numbers[r].to_numpy() for r in ("expectation", "satisfaction")])
    chosen = detect_scale(every) if scale == "auto" else scale
    low, high = SCALES[chosen]
    problems = []
    for role in ROLES:
        value = numbers[role]
        on_scale = value.notna() & (value == value.round()) & value.between(low, high)
        bad = ~_blank(long[role]) & ~on_scale
        if bad.any():
            problems.append(
                pd.DataFrame(
                    {
                        "row": long.loc[bad, "row"].to_numpy(),
                        "column": long.loc[bad, f"_column_{role}"].to_numpy(),
                        "value": long.loc[bad, role].astype(str).to_numpy(),
                    }
                )
            )
        numbers[role] = value.where(on_scale)
    invalid = (
        pd.concat(problems, ignore_index=True).sort_values(["row", "column"], kind="stable")
        .reset_index(drop=True)
        if problems
        else pd.DataFrame({"row": pd.Series(dtype=int), "column": pd.Series(dtype=str),
                           "value": pd.Series(dtype=str)})
    )
    if len(invalid) and on_invalid == "raise":
        first = invalid.iloc[0]
        raise DataError(
            "gaps_out_of_scale",
            f"{len(invalid)} answers are not on the {chosen} scale; first: {first['value']!r}",
            row=int(first["row"]),
            column=str(first["column"]),
            value=str(first["value"]),
            n=len(invalid),
            scale=chosen,
        )
    answers = long.drop(columns=[c for c in long.columns if c.startswith("_column_")])
    for role in ROLES:
        answers[role] = numbers[role].to_numpy()
    answers["gap"] = answers["satisfaction"] - answers["expectation"]
    if not answers["gap"].notna().any():
        raise DataError("gaps_empty", "no respondent answered both expectation and satisfaction")
    return GapAnswers(answers, found, chosen, scale == "auto", invalid)


# ----------------------------------------------------------------------- per item
@dataclass(frozen=True)
class GapAnalysis:
    """Per-item gaps with tests, effect sizes and shares.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item (source order). Columns: ``n`` (answered pairs),
        ``mean_expectation``, ``mean_satisfaction``, ``mean_gap``, ``sd_gap``,
        ``ci_low``/``ci_high`` (paired t interval of the mean gap), ``t_stat``, ``t_p``,
        ``t_p_holm``, ``wilcoxon_stat``, ``wilcoxon_p``, ``wilcoxon_p_holm``, ``n_zero``
        (pairs with no gap), ``cohen_dz``, ``rank_biserial``, ``n_<outcome>``,
        ``<outcome>_share``, ``<outcome>_low``, ``<outcome>_high`` for outcome in
        :data:`OUTCOMES`, and ``verdict`` (``"delights"``, ``"disappoints"`` or
        ``"no_clear_gap"``, from the Holm-adjusted t-test p at ``alpha``).
    confidence : float
        Confidence level of all intervals.
    alpha : float
        Significance level of the verdicts (after Holm correction).
    zero_method : str
        How the Wilcoxon test treats pairs with no gap (scipy's ``zero_method``).
    notes : tuple of str
        Codes explaining degenerate items: ``gaps_small_n:<item>``, ``gaps_no_variation:<item>``.
    """

    items: pd.DataFrame
    confidence: float
    alpha: float
    zero_method: str
    notes: tuple[str, ...]


def rank_biserial(differences: np.ndarray, zero_method: str = "wilcox") -> float:
    """Matched-pairs rank-biserial correlation (Kerby's simple difference formula).

    ``(R+ - R-) / (R+ + R-)`` where ``R+``/``R-`` are the sums of the ranks of
    ``|d|`` of positive / negative differences. Zero differences are dropped
    before ranking (``"wilcox"``) or ranked and then left out of both sums
    (``"pratt"``); ``"zsplit"`` splits their ranks evenly, which leaves the
    numerator unchanged.
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    if zero_method == "wilcox":
        d = d[d != 0]
    if d.size == 0:
        return float("nan")
    ranks = stats.rankdata(np.abs(d))
    plus, minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    total = ranks.sum() if zero_method == "zsplit" else plus + minus
    return float((plus - minus) / total) if total > 0 else float("nan")


def _wilson(count: int, n: int, alpha: float) -> tuple[float, float]:
    low, high = proportion_confint(count, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def _item_row(pairs: pd.DataFrame, confidence: float, zero_method: str) -> dict[str, Any]:
    e, s = pairs["expectation"].to_numpy(), pairs["satisfaction"].to_numpy()
    d = s - e
    n = int(d.size)
    row: dict[str, Any] = {
        "n": n,
        "mean_expectation": float(e.mean()) if n else np.nan,
        "mean_satisfaction": float(s.mean()) if n else np.nan,
        "mean_gap": float(d.mean()) if n else np.nan,
        "sd_gap": float(d.std(ddof=1)) if n > 1 else np.nan,
        "ci_low": np.nan, "ci_high": np.nan, "t_stat": np.nan, "t_p": np.nan,
        "wilcoxon_stat": np.nan, "wilcoxon_p": np.nan,
        "n_zero": int((d == 0).sum()),
        "cohen_dz": np.nan, "rank_biserial": rank_biserial(d, zero_method),
    }
    if n > 1 and row["sd_gap"] > 0:
        test = stats.ttest_rel(s, e)
        ci = test.confidence_interval(confidence)
        row.update(
            ci_low=float(ci.low), ci_high=float(ci.high), t_stat=float(test.statistic),
            t_p=float(test.pvalue), cohen_dz=row["mean_gap"] / row["sd_gap"],
        )
    if (d != 0).any():
        w = stats.wilcoxon(s, e, zero_method=zero_method)
        row.update(wilcoxon_stat=float(w.statistic), wilcoxon_p=float(w.pvalue))
    alpha = 1 - confidence
    for outcome, mask in zip(OUTCOMES, (d > 0, d == 0, d < 0), strict=True):
        count = int(mask.sum())
        row[f"n_{outcome}"] = count
        row[f"{outcome}_share"] = count / n if n else np.nan
        low, high = _wilson(count, n, alpha) if n else (np.nan, np.nan)
        row[f"{outcome}_low"], row[f"{outcome}_high"] = low, high
    return row


def _holm(p: pd.Series) -> pd.Series:
    out = pd.Series(np.nan, index=p.index)
    finite = p.notna()
    if finite.any():
        out[finite] = multipletests(p[finite].to_numpy(), method="holm")[1]
    return out


def _check_levels(confidence: float, zero_method: str) -> None:
    if not 0.5 <= confidence < 1:
        raise DataError("gaps_bad_option", f"confidence must be in [0.5, 1): {confidence}",
                        option="confidence", value=confidence)
    if zero_method not in ZERO_METHODS:
        raise DataError("gaps_bad_option", f"unknown zero_method {zero_method!r}",
                        option="zero_method", value=zero_method)


def analyse_gaps(
    answers: GapAnswers, *, confidence: float = 0.95, zero_method: str = "wilcox"
) -> GapAnalysis:
    """Per-item gap = satisfaction − expectation, tested and sized.

    Only respondents who answered both questions of an item count for it.

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`.
    confidence : float
        Level of the paired t interval of the mean gap and of the Wilson intervals
        of the shares; the verdicts use ``alpha = 1 - confidence``.
    zero_method : {"wilcox", "pratt", "zsplit"}
        Pairs with no gap in the Wilcoxon signed-rank test (scipy): ``"wilcox"``
        drops them (as R's ``wilcox.test``), ``"pratt"`` ranks them, then drops them.

    Returns
    -------
    GapAnalysis
    """
    _check_levels(confidence, zero_method)
    pairs = answers.answers.dropna(subset=["expectation", "satisfaction"])
    rows, notes = {}, []
    for item in answers.items:
        rows[item] = _item_row(pairs[pairs["item"] == item], confidence, zero_method)
        if rows[item]["n"] < MIN_PAIRS:
            notes.append(f"gaps_small_n:{item}")
        if rows[item]["n"] > 1 and not np.isfinite(rows[item]["t_p"]):
            notes.append(f"gaps_no_variation:{item}")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "item"
    table.insert(table.columns.get_loc("t_p") + 1, "t_p_holm", _holm(table["t_p"]))
    table.insert(table.columns.get_loc("wilcoxon_p") + 1, "wilcoxon_p_holm", _holm(table["wilcoxon_p"]))
    alpha = 1 - confidence
    significant = table["t_p_holm"] < alpha
    table["verdict"] = np.select(
        [significant & (table["mean_gap"] > 0), significant & (table["mean_gap"] < 0)],
        ["delights", "disappoints"],
        "no_clear_gap",
    )
    return GapAnalysis(table, confidence, alpha, zero_method, tuple(notes))


# ------------------------------------------------------- importance–performance
@dataclass(frozen=True)
class ImportancePerformance:
    """Importance–performance map.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item: ``n``, ``importance`` (mean stated importance, or mean
        expectation), ``performance`` (mean satisfaction), ``quadrant`` (a code of
        :data:`QUADRANTS`).
    importance_source : {"importance", "expectation"}
        Where importance came from.
    importance_cut, performance_cut : float
        The quadrant lines: the means of the item means.
    """

    items: pd.DataFrame
    importance_source: str
    importance_cut: float
    performance_cut: float


def importance_performance(answers: GapAnswers) -> ImportancePerformance:
    """Place items on an importance–performance map split at the means.

    Importance is the stated importance when every item has importance answers,
    otherwise the expectation; performance is satisfaction. An item at least as
    important as average but below-average in performance is "concentrate here";
    important and performing is "keep up"; unimportant and underperforming is "low
    priority"; unimportant but performing is "possible overkill".

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`.

    Returns
    -------
    ImportancePerformance
    """
    source = "importance" if answers.has_importance else "expectation"
    frame = answers.answers
    grouped = frame.groupby("item", sort=False)
    table = pd.DataFrame(
        {
            "n": grouped["satisfaction"].count(),
            "importance": grouped[source].mean(),
            "performance": grouped["satisfaction"].mean(),
        }
    ).reindex(list(answers.items))
    table.index.name = "item"
    imp_cut, perf_cut = float(table["importance"].mean()), float(table["performance"].mean())
    important = table["importance"] >= imp_cut
    performing = table["performance"] >= perf_cut
    table["quadrant"] = np.select(
        [important & ~performing, important & performing, ~important & ~performing],
        ["concentrate_here", "keep_up", "low_priority"],
        "possible_overkill",
    )
    return ImportancePerformance(table, source, imp_cut, perf_cut)


# ----------------------------------------------------------------------- segments
@dataclass(frozen=True)
class SegmentComparison:
    """Gaps by segment.

    Attributes
    ----------
    segment : str
        The segment column.
    table : pandas.DataFrame
        One row per item and segment value: ``item``, ``segment_value``, ``n``,
        ``mean_gap``, ``ci_low``, ``ci_high`` (t interval), ``disappointed_share``.
    tests : pandas.DataFrame
        Indexed by item: ``groups`` (segment values with at least two pairs),
        ``kruskal_stat``, ``kruskal_p`` (Kruskal–Wallis test that the gap
        distribution is the same in every segment), ``kruskal_p_holm``.
    notes : tuple of str
        ``gaps_segment_small:<value>`` for segment values with fewer than
        :data:`MIN_PAIRS` respondents, ``gaps_segment_one_group`` when the column
        has a single value.
    """

    segment: str
    table: pd.DataFrame
    tests: pd.DataFrame
    notes: tuple[str, ...]


def compare_segments(answers: GapAnswers, segment: str, *, confidence: float = 0.95) -> SegmentComparison:
    """Mean gap per item within each value of a segment column, and whether they differ.

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`.
    segment : str
        One of :attr:`GapAnswers.segments`.
    confidence : float
        Level of the t intervals.

    Returns
    -------
    SegmentComparison

    Raises
    ------
    DataError
        ``gaps_unknown_segment``.
    """
    _check_levels(confidence, "wilcox")
    if segment not in answers.segments:
        raise DataError("gaps_unknown_segment", f"no segment column {segment!r}", column=segment)
    pairs = answers.answers.dropna(subset=["gap", segment])
    pairs = pairs.assign(**{segment: pairs[segment].astype(str)})
    values = list(pd.unique(pairs[segment]))
    rows, tests, notes = [], {}, []
    if len(values) < 2:
        notes.append("gaps_segment_one_group")
    counts = pairs.drop_duplicates("respondent_id")[segment].value_counts()
    notes += [f"gaps_segment_small:{v}" for v in values if counts.get(v, 0) < MIN_PAIRS]
    for item in answers.items:
        of_item = pairs[pairs["item"] == item]
        groups = []
        for value in values:
            d = of_item.loc[of_item[segment] == value, "gap"].to_numpy()
            low = high = np.nan
            if d.size > 1 and d.std(ddof=1) > 0:
                ci = stats.ttest_1samp(d, 0.0).confidence_interval(confidence)
                low, high = float(ci.low), float(ci.high)
            rows.append(
                {
                    "item": item, "segment_value": value, "n": int(d.size),
                    "mean_gap": float(d.mean()) if d.size else np.nan,
                    "ci_low": low, "ci_high": high,
                    "disappointed_share": float((d < 0).mean()) if d.size else np.nan,
                }
            )
            if d.size > 1:
                groups.append(d)
        stat = p = np.nan
        if len(groups) >= 2 and np.unique(np.concatenate(groups)).size > 1:
            result = stats.kruskal(*groups)
            stat, p = float(result.statistic), float(result.pvalue)
        tests[item] = {"groups": len(groups), "kruskal_stat": stat, "kruskal_p": p}
    test_table = pd.DataFrame.from_dict(tests, orient="index")
    test_table.index.name = "item"
    test_table["kruskal_p_holm"] = _holm(test_table["kruskal_p"])
    return SegmentComparison(segment, pd.DataFrame(rows), test_table, tuple(notes))


# ---------------------------------------------------------------------- gap → churn
def respondent_gaps(answers: GapAnswers) -> pd.DataFrame:
    """Each respondent's mean gap over the items they answered.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id``, ``customer_id``, ``mean_gap``, ``items_answered``.
    """
    frame = answers.answers.dropna(subset=["gap"])
    grouped = frame.groupby("respondent_id", sort=False)
    return pd.DataFrame(
        {
            "customer_id": grouped["customer_id"].first(),
            "mean_gap": grouped["gap"].mean(),
            "items_answered": grouped["gap"].count(),
        }
    ).reset_index()


#: Codes of the two gap → churn groups.
NEGATIVE_GAP = "negative_gap"
NON_NEGATIVE_GAP = "non_negative_gap"


@dataclass(frozen=True)
class GapChurn:
    """Do customers whose experience fell short of their expectations churn sooner?

    Attributes
    ----------
    customers : pandas.DataFrame
        The matched customers with ``duration_days``, ``event`` (from
        :func:`cs_models.survival.durations`), ``mean_gap`` and ``gap_group``
        (:data:`NEGATIVE_GAP` or :data:`NON_NEGATIVE_GAP`).
    respondents, matched : int
        Respondents with a customer ID, and how many of them match a customer
        who had started by the as-of date.
    km : cs_models.survival.KMResult
        Kaplan–Meier curves of the two groups.
    logrank : cs_models.survival.LogRankResult
        Log-rank test of the two groups.
    cox : cs_models.survival.CoxResult or None
        Cox model with ``mean_gap`` as the only covariate (``None`` when it cannot
        be fitted; the reason is in ``notes``).
    hazard_ratio, hr_lower, hr_upper, hr_p : float
        Hazard ratio of churn per +1 point of mean gap (< 1: a better-than-expected
        experience goes with slower churn), its interval and p-value.
    notes : tuple of str
        Codes of the survival module (``no_events`` …) and ``gaps_churn_cox:<code>``.
    """

    customers: pd.DataFrame
    respondents: int
    matched: int
    km: survival.KMResult
    logrank: survival.LogRankResult
    cox: survival.CoxResult | None
    hazard_ratio: float
    hr_lower: float
    hr_upper: float
    hr_p: float
    notes: tuple[str, ...]


def gap_churn(
    answers: GapAnswers, customers: pd.DataFrame, *, as_of: date, alpha: float = 0.05
) -> GapChurn:
    """Survival of customers with a negative mean gap against the rest, and a Cox model.

    Each respondent's mean gap over the items they answered is attached to their
    customer (averaged when a customer answered more than once). Lifetimes run from
    ``start_date`` to churn or ``as_of`` (:func:`cs_models.survival.durations`).
    Respondents were necessarily still customers when they answered, so lifetimes
    before the survey are "immortal" for every respondent alike; the comparison is
    between respondents, not against non-respondents.

    Parameters
    ----------
    answers : GapAnswers
        From :func:`read_gaps`, with a ``customer_id`` column.
    customers : pandas.DataFrame
        Canonical customers (``customer_id``, ``start_date``, ``end_date``).
    as_of : date
        The as-of date.
    alpha : float
        1 − confidence level of the survival intervals.

    Returns
    -------
    GapChurn

    Raises
    ------
    DataError
        ``gaps_no_customer_ids`` (the survey has no customer IDs),
        ``gaps_churn_too_few`` (fewer than :data:`MIN_PAIRS` respondents match a customer),
        and the survival module's errors (``survival_*``).
    """
    ids = answers.answers["customer_id"]
    if ids.isna().all():
        raise DataError("gaps_no_customer_ids", "the survey has no customer_id column")
    per_respondent = respondent_gaps(answers).dropna(subset=["customer_id"])
    per_customer = per_respondent.groupby("customer_id", sort=False)["mean_gap"].mean()
    known = customers.assign(customer_id=_id_text(customers["customer_id"]))
    known = known[known["customer_id"].isin(per_customer.index)]
    known = known[pd.to_datetime(known["start_date"]) <= pd.Timestamp(as_of)]
    matched = int(per_respondent["customer_id"].isin(known["customer_id"]).sum())
    if known["customer_id"].nunique() < MIN_PAIRS:
        raise DataError(
            "gaps_churn_too_few",
            f"only {matched} respondents match a customer; at least {MIN_PAIRS} needed",
            n=matched, minimum=MIN_PAIRS,
        )
    known = known.drop_duplicates("customer_id")
    frame = survival.durations(known[["customer_id", "start_date", "end_date"]], as_of)
    frame["mean_gap"] = frame["customer_id"].map(per_customer).to_numpy(dtype=float)
    frame["gap_group"] = np.where(frame["mean_gap"] < 0, NEGATIVE_GAP, NON_NEGATIVE_GAP)
    km = survival.kaplan_meier(frame, "gap_group", alpha=alpha)
    test = survival.logrank(frame, "gap_group")
    notes = [*km.notes, *test.notes]
    fit, hr = None, (np.nan, np.nan, np.nan, np.nan)
    try:
        fit = survival.cox(frame, ["mean_gap"], alpha=alpha)
    except DataError as exc:
        notes.append(f"gaps_churn_cox:{exc.code}")
    else:
        term = fit.table.set_index("column").loc["mean_gap"]
        hr = (float(term["hr"]), float(term["hr_lower"]), float(term["hr_upper"]), float(term["p"]))
    return GapChurn(
        customers=frame,
        respondents=int(per_respondent["respondent_id"].nunique()),
        matched=matched,
        km=km,
        logrank=test,
        cox=fit,
        hazard_ratio=hr[0],
        hr_lower=hr[1],
        hr_upper=hr[2],
        hr_p=hr[3],
        notes=tuple(dict.fromkeys(notes)),
    )


# --------------------------------------------------------------------------- report
def _num(value: Any) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def report_section(
    datasets: Datasets,
    *,
    as_of: date,
    gaps_layout: str = "auto",
    gaps_scale: str = "auto",
    gaps_zero_method: str = "wilcox",
    **options: Any,
) -> dict[str, Any] | None:
    """The ``"gaps"`` section of ``python -m cs_models report`` (``None`` without a gap survey).

    Shape: ``{"items": {ITEM: {"n", "mean_expectation", "mean_satisfaction", "mean_gap",
    "ci": [lo, hi], "t_p", "wilcoxon_p", "delight_share", "disappoint_share"}}`` (as the
    issue fixes it; ``t_p``/``wilcoxon_p`` unadjusted), plus ``"details"`` (Holm-adjusted
    p-values, verdict, effect sizes, Wilson intervals per item), ``"zero_method"``,
    ``"scale"``, ``"layout"``, ``"invalid_answers"``, ``"importance_source"``,
    ``"importance_performance"``, ``"segments"`` (mean gap per segment value and
    Kruskal–Wallis p per item, for every segment column) and ``"churn"`` (``None`` without
    customers or customer IDs). Other options (meant for other sections) are ignored.

    Parameters
    ----------
    datasets : Datasets
    as_of : date
        As-of date of the gap → churn part.
    gaps_layout, gaps_scale : str
        As ``layout``/``scale`` of :func:`read_gaps` (the page's choices).
    gaps_zero_method : str
        As ``zero_method`` of :func:`analyse_gaps`.
    """
    del options
    frame = datasets.gaps
    if frame is None:
        return None
    answers = read_gaps(frame, layout=gaps_layout, scale=gaps_scale)
    table = analyse_gaps(answers, zero_method=gaps_zero_method).items
    ipa = importance_performance(answers)
    out: dict[str, Any] = {
        "items": {
            str(item): {
                "n": int(r["n"]),
                "mean_expectation": _num(r["mean_expectation"]),
                "mean_satisfaction": _num(r["mean_satisfaction"]),
                "mean_gap": _num(r["mean_gap"]),
                "ci": [_num(r["ci_low"]), _num(r["ci_high"])],
                "t_p": _num(r["t_p"]),
                "wilcoxon_p": _num(r["wilcoxon_p"]),
                "delight_share": _num(r["delighted_share"]),
                "disappoint_share": _num(r["disappointed_share"]),
            }
            for item, r in table.iterrows()
        },
        "details": {
            str(item): {
                "t_p_holm": _num(r["t_p_holm"]),
                "wilcoxon_p_holm": _num(r["wilcoxon_p_holm"]),
                "verdict": str(r["verdict"]),
                "n_zero": int(r["n_zero"]),
                "cohen_dz": _num(r["cohen_dz"]),
                "rank_biserial": _num(r["rank_biserial"]),
                "met_share": _num(r["met_share"]),
                **{
                    f"{outcome}_ci": [_num(r[f"{outcome}_low"]), _num(r[f"{outcome}_high"])]
                    for outcome in OUTCOMES
                },
            }
            for item, r in table.iterrows()
        },
        "zero_method": gaps_zero_method,
        "scale": answers.scale,
        "layout": answers.layout.layout,
        "invalid_answers": answers.invalid.to_dict(orient="records"),
        "importance_source": ipa.importance_source,
        "importance_performance": {
            str(item): {"importance": _num(r["importance"]), "performance": _num(r["performance"]),
                        "quadrant": str(r["quadrant"])}
            for item, r in ipa.items.iterrows()
        },
        "segments": {},
        "churn": None,
    }
    for segment in answers.segments:
        comparison = compare_segments(answers, segment)
        out["segments"][segment] = {
            "mean_gap": {
                str(item): {str(r["segment_value"]): _num(r["mean_gap"]) for _, r in part.iterrows()}
                for item, part in comparison.table.groupby("item", sort=False)
            },
            "kruskal_p_holm": {str(k): _num(v) for k, v in comparison.tests["kruskal_p_holm"].items()},
            "notes": list(comparison.notes),
        }
    if datasets.customers is not None and answers.answers["customer_id"].notna().any():
        try:
            link = gap_churn(answers, datasets.customers, as_of=as_of)
        except DataError as exc:
            out["churn"] = {"error": exc.to_dict()}
        else:
            out["churn"] = {
                "respondents": link.respondents,
                "matched": link.matched,
                "groups": {
                    str(group): {
                        "n": int(r["n"]), "events": int(r["events"]), "median_days": _num(r["median_days"]),
                    }
                    for group, r in link.km.summary.iterrows()
                },
                "logrank_p": _num(link.logrank.p),
                "hazard_ratio_per_point": _num(link.hazard_ratio),
                "hr_ci": [_num(link.hr_lower), _num(link.hr_upper)],
                "hr_p": _num(link.hr_p),
                "notes": list(link.notes),
            }
    return out
