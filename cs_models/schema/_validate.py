"""Validation of a mapped table: clean canonical frame plus every row/column issue (part of
:mod:`cs_models.schema`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cs_models.datasets import DATASET_KINDS
from cs_models.errors import IngestError
from cs_models.ids import ID_COLUMNS, categorical_ids, drop_unused_ids
from cs_models.schema._cells import (
    _blank,
    _compact_factors,
    _dates,
    _map_ids,
    _map_unique,
    _numbers,
    _show,
    _text_cell,
    _text_id,
    mark_plain,
    plain_columns,
)
from cs_models.schema._mapping import (
    FALSE_FLAGS,
    ISSUE_COLUMNS,
    MESSAGES_EN,
    TRUE_FLAGS,
    ColumnMapping,
    ReadTable,
    _answer_columns,
    suggest_mapping,
)
from cs_models.values import (
    coded_factors,
    factorize_cells,
    factorize_once,
    infer_day_first,
    is_missing,
    seed_factors,
)

#: Dates before this are typing or conversion errors (an empty Excel date cell reads as 1900-01-00).
EARLIEST_DATE = pd.Timestamp("1950-01-01")


# ----------------------------------------------------------------------------- validation
@dataclass(frozen=True)
class ValidationResult:
    """The canonical frame of one table and the problems found in it.

    Attributes
    ----------
    frame : pandas.DataFrame
        Canonical clean frame (``docs/ARCHITECTURE.md``), rows in file order.
    issues : pandas.DataFrame
        One row per problem: ``file``, ``row`` (as shown in Excel), ``column``,
        ``code``, ``value``, ``message_en``, ``action`` (``"excluded"``/``"fixed"``).
    rows_read, rows_used, rows_excluded : int
        ``rows_used + rows_excluded == rows_read``.
    mapping : ColumnMapping
        The mapping that was applied.
    rows : numpy.ndarray or None
        The spreadsheet row of each row of ``frame`` (``None`` when not known).
    """

    frame: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int
    rows_used: int
    rows_excluded: int
    mapping: ColumnMapping
    rows: np.ndarray | None = None

    def issue_counts(self) -> pd.DataFrame:
        """Number of problems per (code, action), most frequent first."""
        if self.issues.empty:
            return pd.DataFrame({"code": [], "action": [], "count": []})
        counts = self.issues.groupby(["code", "action"]).size().rename("count").reset_index()
        return counts.sort_values(["count", "code"], ascending=[False, True], ignore_index=True)


class _Collector:
    """Accumulates issues and the set of excluded rows while a table is validated."""

    def __init__(self, file: str, rows: pd.Index, today: date | None = None) -> None:
        self.file = file
        #: Dates after this day are typing errors (令和99年 is 2117): reported, never analysed.
        self.today = pd.Timestamp(today or date.today())
        self.records: list[dict[str, Any]] = []
        self.rows = rows
        self._excluded = np.zeros(len(rows), dtype=bool)
        #: IDs of a column as text, by header and whether a categorical was asked for (read once though
        #: a validator asks twice), with the code of each row's distinct ID when the codes tell IDs
        #: apart (see ``_map_ids``).
        self.id_text: dict[tuple[str, bool], tuple[pd.Series, np.ndarray | None]] = {}

    def add(self, mask: pd.Series, column: str, code: str, action: str, values: pd.Series,
            detail: pd.Series | str = "") -> None:
        """Record ``code`` for every row in ``mask`` (rows already excluded are not reported twice).

        ``detail`` is the second value of a message: the first row of a duplicate, the
        start date an end date precedes, the scale an answer is outside of.
        """
        if not (mask.index is self.rows or mask.index.equals(self.rows)):  # a mask of some rows: aligned
            mask = mask.reindex(self.rows, fill_value=False)
        hit = mask.to_numpy(dtype=bool, na_value=False) & ~self._excluded
        for row in self.rows[hit]:
            value = _show(values.loc[row])
            extra = _show(detail.loc[row]) if isinstance(detail, pd.Series) else detail
            self.records.append({
                "file": self.file,
                "row": int(row),
                "column": column,
                "code": code,
                "value": value,
                "detail": extra,
                "message_en": MESSAGES_EN[code].format(value=value, detail=extra),
                "action": action,
            })
        if action == "excluded":
            self._excluded |= hit

    @property
    def excluded(self) -> pd.Series:
        """Which rows are excluded so far (a copy, indexed by row)."""
        return pd.Series(self._excluded.copy(), index=self.rows)

    def issues(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.records, columns=list(ISSUE_COLUMNS))
        frame["row"] = frame["row"].astype("int64")
        return frame.sort_values(["row", "column"], kind="stable", ignore_index=True)


def _require(mapping: ColumnMapping, headers: Sequence[str], file: str) -> None:
    missing = mapping.missing_fields()
    if missing:
        names = ", ".join(missing)
        raise IngestError("schema_missing_field", f"{file}: no column is mapped to {names}", file=file, field=names)
    absent = [h for h in [*mapping.fields.values(), *mapping.scales] if h not in headers]
    if absent:
        names = ", ".join(absent)
        raise IngestError("schema_missing_column", f"{file}: column {names} is not in the file", file=file,
                          column=names)


def _ids(raw: pd.DataFrame, mapping: ColumnMapping, name: str, out: _Collector,
         *, required: bool, unique: bool) -> pd.Series | None:
    header = mapping.source(name)
    if header is None:
        return None
    key = (header, name in ID_COLUMNS)  # customer IDs may come as a categorical (see _map_ids)
    if key not in out.id_text:  # the same column is read twice (required, then unique): mapped once
        out.id_text[key] = _map_ids(raw[header], categorical=key[1])
    ids, codes = out.id_text[key]
    # With codes, every distinct cell is its own (non-blank) ID: the blank IDs are the cells without a code.
    missing = ids.isna() if codes is None else pd.Series(codes < 0, index=ids.index)
    if required:
        out.add(missing, header, "missing_id", "excluded", raw[header])
    if unique:
        alive = ~missing & ~out.excluded
        if codes is not None:  # one code per distinct ID: counting codes finds repeats without hashing texts
            counted = codes[alive.to_numpy()]
            if not counted.size or np.bincount(counted).max() < 2:
                return ids
        live = ids[alive]
        if codes is None and not live.duplicated().any():
            return ids
        first_row = pd.Series(live.index, index=live.index).groupby(live, observed=True).transform("min")
        dup = pd.Series(first_row.to_numpy() != first_row.index.to_numpy(), index=first_row.index)
        dup = dup.reindex(ids.index, fill_value=False).astype(bool)
        out.add(dup, header, "duplicate_id", "excluded", ids,
                first_row)
    return ids


def _date_field(raw: pd.DataFrame, header: str, out: _Collector, *, required: bool,
                day_first: bool | None = None) -> pd.Series:
    dates, reasons = _dates(raw[header], day_first)
    bad = reasons.notna()
    for code in sorted(set(reasons[bad])):
        out.add(reasons.eq(code), header, code, "excluded", raw[header])
    if required:
        out.add(_blank(raw[header]) & ~bad, header, "missing_date", "excluded", raw[header])
        return _plausible(dates, header, out, "excluded")
    return _plausible(dates, header, out, "fixed")


def _plausible(dates: pd.Series, header: str, out: _Collector, action: str) -> pd.Series:
    """``dates`` with those after today or before :data:`EARLIEST_DATE` reported (and blanked)."""
    future = dates > out.today + pd.Timedelta(days=1)
    early = dates < EARLIEST_DATE
    out.add(future, header, "future_date", action, dates, out.today.date().isoformat())
    out.add(early, header, "date_too_early", action, dates, EARLIEST_DATE.date().isoformat())
    return dates.mask(future | early)


def _flags(raw: pd.DataFrame, header: str, out: _Collector) -> pd.Series:
    """0/1 flags (Excel TRUE/FALSE too) as a nullable boolean; anything else is excluded."""
    def flag(value: object) -> bool | None:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        text = text[:-2] if text.endswith(".0") else text
        return True if text in TRUE_FLAGS else False if text in FALSE_FLAGS else None

    blank = _blank(raw[header])
    flags = pd.Series(
        [None if is_blank else flag(v) for v, is_blank in zip(raw[header], blank, strict=True)],
        index=raw.index, dtype=object,
    )
    out.add(~blank & flags.isna(), header, "invalid_flag", "excluded", raw[header])
    return flags


def _other_columns(raw: pd.DataFrame, used: Iterable[str], ignored: Iterable[str],
                   taken: Iterable[str] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """Columns kept under their own header: numbers become int/float covariates, the rest text.

    A header equal to a canonical column already built (``taken``; e.g. an unmapped
    column literally called ``customer_id`` while the ID comes from ``顧客ID``) is kept as
    ``"customer_id (2)"``: two columns of one name would make every later
    ``frame["customer_id"]`` ambiguous. Returns the columns and new name -> header.
    """
    skip = set(used) | set(ignored)
    taken = set(taken)
    out: dict[str, pd.Series] = {}
    renamed: dict[str, str] = {}
    for header in raw.columns:
        if header in skip:
            continue
        name = header
        if name in taken:
            n = 2
            while f"{header} ({n})" in taken or f"{header} ({n})" in raw.columns:
                n += 1
            name = f"{header} ({n})"
            renamed[name] = header
        taken.add(name)
        column = raw[header]
        if _has_text(column):  # settled by a few distinct values, before the whole column is parsed
            out[name] = _map_unique(column, _text_cell)
            continue
        blank = _blank(column)
        numbers, bad = _numbers(column)
        if (~blank).any() and not bad.any() and not _looks_like_code(column):
            out[name] = _whole_if_possible(numbers)
        else:
            out[name] = _map_unique(column, _text_cell)
    return pd.DataFrame(out, index=raw.index), renamed


def _has_text(column: pd.Series, first: int = 64) -> bool:
    """Whether one of the column's first ``first`` distinct values is not a number (so the column is text)."""
    uniques = factorize_cells(column)[1][:first]
    return bool(_numbers(pd.Series(uniques, dtype=object))[1].any())


def _whole_if_possible(numbers: pd.Series) -> pd.Series:
    """``int64`` when every value is a whole number (none blank), else ``float64``."""
    if numbers.notna().all() and (numbers == numbers.round()).all() and numbers.abs().max() < 2**53:
        return numbers.astype("int64")
    return numbers


def _in_file_order(frame: pd.DataFrame, raw: pd.DataFrame, mapping: ColumnMapping,
                   renamed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Columns in the order of the file, canonical fields where their source column was."""
    position = {h: i for i, h in enumerate(raw.columns)}
    source = {**{h: h for h in raw.columns}, **{f: h for f, h in mapping.fields.items()}, **(renamed or {})}
    order = sorted(frame.columns, key=lambda c: position.get(source.get(c, c), len(position)))
    return frame if order == list(frame.columns) else frame[order]  # in order already: no copy


def _looks_like_code(values: pd.Series) -> bool:
    """Text with leading zeros (``007``) is a code, not a number (blank cells do not count).

    The column's distinct cells are looked at (its factorisation is known), blanks skipped there.
    """
    return any(isinstance(v, str) and len(v.strip()) > 1 and v.strip().startswith("0")
               and v.strip()[1].isdigit() and not is_missing(v) for v in factorize_cells(values)[1])


def _scaled(raw: pd.DataFrame, header: str, scale: tuple[int, int] | None, out: _Collector) -> pd.Series:
    """Numeric answers; invalid text and answers outside ``scale`` are left blank (fixed)."""
    numbers, bad = _numbers(raw[header])
    out.add(bad, header, "invalid_number", "fixed", raw[header])
    if scale is not None:
        low, high = scale
        outside = numbers.notna() & ((numbers < low) | (numbers > high))
        out.add(outside, header, "out_of_scale", "fixed", numbers, f"{low}–{high}")
        numbers = numbers.mask(outside)
    return numbers


def _validate_customers(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    ids = _ids(raw, m, "customer_id", out, required=True, unique=False)
    end_header = m.source("end_date")
    # Both columns were written by one program: a day above 12 in either settles the order.
    day_first = infer_day_first(*(raw[h] for h in (m.fields["start_date"], end_header) if h is not None))
    start = _date_field(raw, m.fields["start_date"], out, required=True, day_first=day_first)
    end = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if end_header is not None:
        end = _date_field(raw, end_header, out, required=False, day_first=day_first)
    churned_header = m.source("churned")
    if churned_header is not None:
        flags = _flags(raw, churned_header, out)
        if end_header is not None:
            out.add(flags.eq(True) & end.isna(), end_header, "missing_end_date", "excluded", raw[end_header])
        end = end.mask(flags.eq(False))
    if end_header is not None:
        out.add(end < start, end_header, "end_before_start", "excluded", end, start)
        out.add(end == start, end_header, "zero_duration", "excluded", end)
    ids = _ids(raw, m, "customer_id", out, required=False, unique=True)
    frame = pd.DataFrame({"customer_id": ids, "start_date": start, "end_date": end})
    mrr_header = m.source("mrr")
    if mrr_header is not None:
        mrr, bad = _numbers(raw[mrr_header])
        out.add(bad, mrr_header, "invalid_amount", "fixed", raw[mrr_header])
        out.add(mrr < 0, mrr_header, "negative_amount", "fixed", mrr)
        frame["mrr"] = mrr.mask(mrr < 0)
    others, renamed = _other_columns(raw, m.fields.values(), m.ignored, frame.columns)
    return _in_file_order(pd.concat([frame, others], axis=1, copy=False), raw, m, renamed)


def _validate_events(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    ids = _ids(raw, m, "customer_id", out, required=True, unique=False)
    dates = _date_field(raw, m.fields["date"], out, required=True)
    frame = pd.DataFrame({"customer_id": ids, "date": dates})
    amount_header = m.source("amount")
    if amount_header is not None:
        amount, bad = _numbers(raw[amount_header])
        out.add(bad, amount_header, "invalid_amount", "excluded", raw[amount_header])
        frame["amount"] = amount
    plan_header = m.source("plan")
    if plan_header is not None:  # the plan billed (blank: unknown; the journey skips such rows)
        frame["plan"] = raw[plan_header].map(_text_cell)
    others, renamed = _other_columns(raw, m.fields.values(), m.ignored, frame.columns)
    return _in_file_order(pd.concat([frame, others], axis=1, copy=False), raw, m, renamed)


#: Ticket statuses as the exports write them (compared after NFKC, lower case) -> canonical status.
TICKET_STATUSES: Mapping[str, str] = {
    **dict.fromkeys(("open", "new", "in progress", "waiting on us", "reopened", "オープン", "新規", "未対応",
                     "対応中", "受付", "受付済", "再オープン"), "open"),
    **dict.fromkeys(("pending", "on hold", "hold", "waiting on contact", "waiting on customer",
                     "waiting on third party", "保留", "保留中", "待機中", "回答待ち", "お客様回答待ち", "返答待ち"),
                    "pending"),
    **dict.fromkeys(("solved", "resolved", "解決済み", "解決済", "解決", "完了", "対応完了", "対応済み", "対応済"),
                    "solved"),
    **dict.fromkeys(("closed", "クローズ", "クローズ済み", "終了", "完了済み"), "closed"),
}


def _optional_time(raw: pd.DataFrame, header: str | None, out: _Collector, day_first: bool | None) -> pd.Series:
    """An optional timestamp column: unreadable values are reported and left blank (the row is kept)."""
    if header is None:
        return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    dates, reasons = _dates(raw[header], day_first)
    for code in sorted(set(reasons.dropna())):
        out.add(reasons.eq(code), header, code, "fixed", raw[header])
    return _plausible(dates.mask(reasons.notna()), header, out, "fixed")


def _statuses(raw: pd.DataFrame, header: str, out: _Collector) -> pd.Series:
    """Statuses in ja/en as ``open``/``pending``/``solved``/``closed``; others reported and left blank."""
    text = raw[header].map(lambda v: None if _blank(pd.Series([v])).iloc[0]
                           else unicodedata.normalize("NFKC", str(v)).strip().lower())
    status = text.map(lambda v: None if v is None else TICKET_STATUSES.get(v))
    out.add(text.notna() & status.isna(), header, "unknown_status", "fixed", raw[header])
    return status.astype(object)


def _validate_tickets(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    """Tickets: one row per ticket, timestamps to the minute, statuses made canonical."""
    ids = _ids(raw, m, "ticket_id", out, required=True, unique=False)
    headers = [m.source(f) for f in ("created_at", "first_reply_at", "solved_at")]
    day_first = infer_day_first(*(raw[h] for h in headers if h is not None))
    created = _date_field(raw, m.fields["created_at"], out, required=True, day_first=day_first)
    reply = _optional_time(raw, m.source("first_reply_at"), out, day_first)
    solved = _optional_time(raw, m.source("solved_at"), out, day_first)
    if m.source("solved_at") is not None:
        out.add(solved < created, m.fields["solved_at"], "solved_before_created", "excluded", solved, created)
    if m.source("first_reply_at") is not None:
        early = reply < created
        out.add(early, m.fields["first_reply_at"], "reply_before_created", "fixed", reply, created)
        reply = reply.mask(early)
    ids = _ids(raw, m, "ticket_id", out, required=False, unique=True)
    frame = pd.DataFrame({"ticket_id": ids, "created_at": created, "first_reply_at": reply, "solved_at": solved})
    customers = _ids(raw, m, "customer_id", out, required=False, unique=False)
    if customers is not None:
        frame.insert(1, "customer_id", customers)
    if m.source("status") is not None:
        frame["status"] = _statuses(raw, m.fields["status"], out)
    for name in ("priority", "channel", "assignee", "satisfaction", "tags"):
        header = m.source(name)
        if header is not None:
            frame[name] = raw[header].map(_text_cell).astype(object)
    others, renamed = _other_columns(raw, m.fields.values(), m.ignored, frame.columns)
    return _in_file_order(pd.concat([frame, others], axis=1, copy=False), raw, m, renamed)


def _validate_community(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    """Community log: one row per action, actions as codes (unknown ones reported and excluded)."""
    from cs_models.community.log import action_code  # the vocabulary lives with the analysis

    members = _ids(raw, m, "member_id", out, required=True, unique=False)
    dates = _date_field(raw, m.fields["date"], out, required=True)
    header = m.fields["action"]
    actions = raw[header].map(action_code).astype(object)
    out.add(actions.isna(), header, "unknown_action", "excluded", raw[header])
    frame = pd.DataFrame({"member_id": members, "date": dates, "action": actions})
    customers = _ids(raw, m, "customer_id", out, required=False, unique=False)
    if customers is not None:
        frame.insert(1, "customer_id", customers)
    for name in ("thread_id", "event_name"):
        source = m.source(name)
        if source is not None:
            frame[name] = raw[source].map(_text_cell).astype(object)
    others, renamed = _other_columns(raw, m.fields.values(), m.ignored, frame.columns)
    return _in_file_order(pd.concat([frame, others], axis=1, copy=False), raw, m, renamed)


def _validate_answers(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    """Survey and gaps: one row per respondent (or per respondent and item), answers typed."""
    columns: dict[str, pd.Series] = {}
    consumed: list[str] = list(m.fields.values())  # the file's headers turned into canonical columns
    respondent = _ids(raw, m, "respondent_id", out, required=False, unique=m.kind == "survey"
                      or "item" not in m.fields)
    if respondent is not None:
        columns["respondent_id"] = respondent
    customer = _ids(raw, m, "customer_id", out, required=False, unique=False)
    if customer is not None:
        columns["customer_id"] = customer
    if m.kind == "gaps":
        if m.source("item") is not None:
            columns["item"] = _map_unique(raw[m.fields["item"]], _text_id)
        answers = _answer_columns([str(c) for c in raw.columns], m.fields)
        renamed = {h: f for f, h in m.fields.items() if f in ("expectation", "satisfaction", "importance")}
        for header in answers:
            if header in m.ignored:
                continue
            consumed.append(header)
            columns[renamed.get(header, header)] = _whole_if_possible(
                _scaled(raw, header, m.scales.get(header), out)
            )
    else:
        weight_header = m.source("weight")
        if weight_header is not None:
            weight, bad = _numbers(raw[weight_header])
            out.add(bad, weight_header, "invalid_number", "fixed", raw[weight_header])
            columns["weight"] = weight
        for header, scale in m.scales.items():
            if header not in m.ignored:
                consumed.append(header)
                columns[header] = _whole_if_possible(_scaled(raw, header, scale, out))
    frame = pd.DataFrame(columns, index=raw.index)
    others, renamed = _other_columns(raw, consumed, m.ignored, columns)
    return _in_file_order(pd.concat([frame, others], axis=1, copy=False), raw, m, renamed)


def _validate_adoption(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    """Adoption: a user and a (first-use) date per row; a usage log may repeat users (the first date counts)."""
    users = _ids(raw, m, "user_id", out, required=True, unique=False)
    dates = _date_field(raw, m.fields["first_used"], out, required=True)
    frame = pd.DataFrame({"user_id": users, "first_used": dates})
    others, renamed = _other_columns(raw, m.fields.values(), m.ignored, frame.columns)
    return _in_file_order(pd.concat([frame, others], axis=1, copy=False), raw, m, renamed)


def _validate_plan_history(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    ids = _ids(raw, m, "customer_id", out, required=True, unique=False)
    dates = _date_field(raw, m.fields["date"], out, required=True)
    header = m.fields["plan"]
    plan = raw[header].map(_text_cell)
    out.add(plan.isna(), header, "missing_plan", "excluded", raw[header])
    frame = pd.DataFrame({"customer_id": ids, "date": dates, "plan": plan})
    mrr_header = m.source("mrr")
    if mrr_header is not None:
        mrr, bad = _numbers(raw[mrr_header])
        out.add(bad, mrr_header, "invalid_amount", "fixed", raw[mrr_header])
        frame["mrr"] = mrr
    others, renamed = _other_columns(raw, m.fields.values(), m.ignored, frame.columns)
    return _in_file_order(pd.concat([frame, others], axis=1, copy=False), raw, m, renamed)


def _id_codes(out: _Collector, mapping: ColumnMapping) -> dict[str, np.ndarray | None]:
    """The codes that told the rows' customer IDs apart while they were checked (none: hashed again)."""
    header = mapping.source("customer_id")
    codes = out.id_text[(header, True)][1] if header is not None and (header, True) in out.id_text else None
    return {"customer_id": codes}


def _kept_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``frame[keep].reset_index(drop=True)``, without copying the cells when every row is kept."""
    out = frame.copy(deep=False) if keep.all() else frame[keep]
    out.index = pd.RangeIndex(len(out))
    return out


_VALIDATORS = {
    "customers": _validate_customers,
    "events": _validate_events,
    "survey": _validate_answers,
    "gaps": _validate_answers,
    "tickets": _validate_tickets,
    "community": _validate_community,
    "adoption": _validate_adoption,
    "plan_history": _validate_plan_history,
}


def validate(read_result: ReadTable, kind: str, mapping: ColumnMapping | None = None,
             *, file: str | None = None, today: date | None = None) -> ValidationResult:
    """Turn a table into a canonical frame, reporting every problem row by row.

    Parameters
    ----------
    read_result : cs_models.io.ReadResult
        The table as read; its ``frame`` holds raw cells and its index the row numbers
        as shown in Excel.
    kind : {"customers", "events", "survey", "gaps"}
        Which canonical dataset to build.
    mapping : ColumnMapping, optional
        Field -> header; suggested with :func:`suggest_mapping` when omitted.
    file : str, optional
        File name reported with every issue (default: ``read_result.file``).
    today : date, optional
        Dates after it (and before 1950) are reported as typing errors (default: today).

    Returns
    -------
    ValidationResult

    Raises
    ------
    IngestError
        ``schema_missing_field`` when a required field is not mapped,
        ``schema_missing_column`` when a mapped header is not in the table,
        ``schema_kind_mismatch`` when the mapping is for another kind.
    """
    raw: pd.DataFrame = read_result.frame
    file = file or str(getattr(read_result, "file", "") or "")
    if kind not in DATASET_KINDS:
        raise IngestError("schema_unknown_kind", f"unknown dataset kind {kind!r}", kind=kind)
    mapping = mapping or suggest_mapping(raw, kind)
    if mapping.kind != kind:
        raise IngestError(
            "schema_kind_mismatch", f"the mapping is for {mapping.kind}, not {kind}",
            file=file, expected=kind, found=mapping.kind,
        )
    raw = raw.copy(deep=False)  # the validators only read the cells: renaming needs no copy of them
    raw.columns = [str(c) for c in raw.columns]
    _require(mapping, list(raw.columns), file)
    collector = _Collector(file, raw.index, today)
    plain: frozenset[str] = getattr(read_result, "plain_codes", frozenset())
    with factorize_once(), plain_columns():  # each column factorised once, however many parsers read it
        for header, (codes, cleaned) in (getattr(read_result, "codes", None) or {}).items():
            if header in raw.columns and len(codes) == len(raw):  # read as codes: no cell is hashed
                if header in plain:  # distinct plain texts: nothing to merge, nothing to clean
                    seed_factors(raw[header], *_compact_factors(codes, cleaned))
                    mark_plain(raw[header])
                else:
                    seed_factors(raw[header], *coded_factors(codes, cleaned))
        frame = _VALIDATORS[kind](raw, mapping, collector)
    keep = ~collector.excluded
    # customer_id made categorical (see cs_models.ids) before the rows are kept, so that codes are taken
    # rather than a Python object per row; the categories only excluded rows held then go
    frame = categorical_ids(frame, codes=_id_codes(collector, mapping))
    frame = drop_unused_ids(_kept_rows(frame, keep.to_numpy()))
    rows_read = len(raw)
    rows_excluded = int(collector.excluded.sum())
    return ValidationResult(
        frame=frame,
        issues=collector.issues(),
        rows_read=rows_read,
        rows_used=len(frame),
        rows_excluded=rows_excluded,
        mapping=mapping,
        rows=np.asarray(raw.index[keep.to_numpy()], dtype=np.int64),
    )
