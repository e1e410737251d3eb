"""Reading gap tables: layout, scale and validation of the answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cs_models.errors import DataError
from cs_models.gap_layout import ROLES, WIDE_PATTERNS

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
        answered = self.answers.groupby("item", sort=False, observed=True)["importance"].count()
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


def _reject_duplicates(long: pd.DataFrame) -> None:
    """Raise ``gaps_duplicate_answer`` when a respondent answered an item twice (long input)."""
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


def _set_aside(long: pd.DataFrame, numbers: dict[str, pd.Series], low: int, high: int) -> pd.DataFrame:
    """Answers not on the scale ``low..high``: blanked in ``numbers`` (in place) and listed by row."""
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
    return invalid


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
        _reject_duplicates(long)
    numbers = {role: _numeric(long[role]) for role in ROLES}
    every = np.concatenate([numbers[r].to_numpy() for r in ("expectation", "satisfaction")])
    chosen = detect_scale(every) if scale == "auto" else scale
    low, high = SCALES[chosen]
    invalid = _set_aside(long, numbers, low, high)
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


