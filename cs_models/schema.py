"""Which dataset a table holds, how its columns map to the canonical ones, and what is wrong in it.

Three steps, none of which guesses silently:

1. :func:`detect_kind` scores a table's headers against Japanese and English synonyms
   (``顧客ID``, ``契約開始日``, ``Account ID``, ``Close Date``, ``Created at`` …) and
   names the canonical dataset it most likely holds.
2. :func:`suggest_mapping` proposes a :class:`ColumnMapping` (canonical field -> header).
   The user confirms or edits it; it is saved as JSON (:meth:`ColumnMapping.to_json`)
   and re-applied to next month's file.
3. :func:`validate` turns the table into the canonical frame of
   ``docs/ARCHITECTURE.md`` and lists every problem as (file, row as shown in Excel,
   column, code, message, action). A row is either used or excluded, never dropped
   silently: ``rows_used + rows_excluded == rows_read`` always. Unmapped columns keep
   their header, except one named like a canonical column already built (a spare
   ``customer_id``), which becomes ``"customer_id (2)"``.

Issue codes (translated by the UI as ``validation.<code>``):

``missing_id``, ``missing_date``, ``invalid_date``, ``two_digit_year``, ``ambiguous_date``,
``end_before_start``,
``zero_duration``, ``duplicate_id``, ``invalid_flag``, ``missing_end_date``,
``invalid_amount``, ``negative_amount``, ``invalid_number``, ``out_of_scale``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from cs_models.datasets import DATASET_KINDS
from cs_models.errors import IngestError
from cs_models.gaps import WIDE_PATTERNS
from cs_models.values import infer_day_first, is_missing, parse_dates, parse_numbers

MAPPING_VERSION = 1

#: Canonical fields each dataset can map, in display order.
FIELDS: Mapping[str, tuple[str, ...]] = {
    "customers": ("customer_id", "start_date", "end_date", "churned", "mrr"),
    "events": ("customer_id", "date", "amount"),
    "survey": ("respondent_id", "weight"),
    "gaps": ("respondent_id", "customer_id", "item", "expectation", "satisfaction", "importance"),
}

#: Fields that must be mapped before a table can be used.
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "customers": ("customer_id", "start_date"),
    "events": ("customer_id", "date"),
    "survey": (),
    "gaps": (),
}

#: Synonyms of each canonical field (compared after :func:`normalise_header`).
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id", "customer id", "customer", "customer no", "customer number", "customer code",
        "client id", "account id", "account", "account number", "company id", "organization id",
        "organisation id", "org id", "tenant id", "subscriber id", "record id", "account name",
        "company name", "organization", "customer name",
        "顧客id", "顧客番号", "顧客コード", "顧客", "会社id", "会社コード", "企業id", "企業コード",
        "取引先id", "取引先コード", "取引先", "アカウントid", "契約者id", "テナントid", "会員id", "会員番号",
        "組織id", "顧客名", "会社名", "取引先名", "企業名",
    ),
    "start_date": (
        "start_date", "start date", "started", "started at", "signup date", "sign up date", "signed up",
        "signed up at", "subscription start", "subscription start date", "contract start",
        "contract start date", "close date", "closed date", "create date", "created date", "created at",
        "created", "onboarded at", "activation date", "first purchase date", "customer since",
        "契約開始日", "開始日", "利用開始日", "契約日", "申込日", "登録日", "入会日", "導入日", "受注日",
        "成約日", "作成日", "作成日時", "サービス開始日",
    ),
    "end_date": (
        "end_date", "end date", "ended", "ended at", "churned on", "churned at", "churn date",
        "cancel date", "cancellation date", "cancelled at", "canceled at", "cancelled on", "canceled on",
        "terminated at", "termination date", "contract end", "contract end date", "subscription end",
        "subscription end date", "closed at", "deleted at",
        "解約日", "終了日", "契約終了日", "利用終了日", "退会日", "解約年月日", "停止日",
    ),
    "churned": (
        "churned", "churn", "is churned", "churn flag", "cancelled", "canceled", "is cancelled",
        "event", "status flag", "解約フラグ", "解約", "解約済", "解約済み", "退会フラグ", "チャーン",
    ),
    "mrr": (
        "mrr", "monthly revenue", "monthly recurring revenue", "monthly fee", "monthly price",
        "monthly amount", "monthly charge", "arr / 12", "月額", "月額料金", "月額費用", "月額利用料",
        "月額売上", "月額単価", "月額(円)", "月額料金(円)", "月額(税抜)", "mrr(円)",
    ),
    "date": (
        "date", "event date", "invoice date", "billing date", "payment date", "paid at", "paid on",
        "transaction date", "order date", "activity date", "created at", "close date", "timestamp",
        "日付", "請求日", "支払日", "入金日", "利用日", "発生日", "売上日", "計上日", "取引日", "注文日",
        "年月日", "請求年月日",
    ),
    "amount": (
        "amount", "amount paid", "total", "total amount", "invoice amount", "revenue", "price",
        "payment amount", "value", "sales", "金額", "請求額", "請求金額", "支払額", "入金額", "売上",
        "売上額", "売上金額", "税抜金額", "利用料", "金額(円)", "請求額(円)",
    ),
    "respondent_id": (
        "respondent_id", "respondent id", "respondent", "response id", "responseid", "response no",
        "answer id", "submission id", "回答者id", "回答者番号", "回答id", "回答番号", "回答者", "no.",
    ),
    "weight": ("weight", "wt", "sample weight", "ウェイト", "ウエイト", "重み", "重み付け"),
    "item": ("item", "touchpoint", "aspect", "attribute", "項目", "評価項目", "タッチポイント", "接点"),
    "expectation": ("expectation", "expected", "exp", "期待", "期待度", "事前期待"),
    "satisfaction": ("satisfaction", "sat", "csat", "満足", "満足度"),
    "importance": ("importance", "重要度", "重要性"),
}

#: Headers that name a segment (used to suggest the default segment of a report).
SEGMENT_SYNONYMS: tuple[str, ...] = (
    "plan", "plan name", "tier", "segment", "industry", "region", "size", "product",
    "プラン", "料金プラン", "契約プラン", "業種", "業界", "地域", "エリア", "規模", "セグメント",
)

#: A scale written in a question's header: ``（0〜10）``, ``(1-5)``, ``1～7``.
SCALE_IN_HEADER = re.compile(r"[(\[（]?\s*(\d{1,2})\s*[-~〜～]\s*(\d{1,2})\s*(?:点)?\s*[)\]）]")
#: Rows looked at when the data (not only the headers) help to detect a kind or a scale.
DETECT_ROWS = 10_000
#: Common answer scales, tried in this order when a scale is inferred from the data.
COMMON_SCALES: tuple[tuple[int, int], ...] = ((1, 5), (1, 7), (0, 10), (1, 10))

#: Reader reasons (:data:`cs_models.values.DATE_REASONS`) that get their own issue code.
DATE_ISSUES: Mapping[str, str] = {
    "date_two_digit_year": "two_digit_year",
    "date_ambiguous_order": "ambiguous_date",
}

TRUE_FLAGS = frozenset({"1", "true"})
FALSE_FLAGS = frozenset({"0", "false"})

ISSUE_COLUMNS = ("file", "row", "column", "code", "value", "detail", "message_en", "action")
MESSAGES_EN: Mapping[str, str] = {
    "missing_id": "The ID is blank.",
    "missing_date": "The date is blank.",
    "invalid_date": "'{value}' is not a valid date.",
    "two_digit_year": "'{value}' has a two-digit year; write the year in full (2024).",
    "ambiguous_date": "'{value}' could be day/month or month/day; write it as 2024-04-01.",
    "end_before_start": "The end date {value} is before the start date {detail}.",
    "zero_duration": "The end date {value} is the same day as the start date.",
    "duplicate_id": "The ID '{value}' already appears on row {detail}.",
    "invalid_flag": "'{value}' is not a 0/1 flag.",
    "missing_end_date": "The row is flagged as churned but has no end date.",
    "invalid_amount": "'{value}' is not an amount.",
    "negative_amount": "The monthly amount {value} is negative; it was left blank.",
    "invalid_number": "'{value}' is not a number; the answer was left blank.",
    "out_of_scale": "{value} is outside the scale {detail}; the answer was left blank.",
}


class ReadTable(Protocol):
    """What :func:`validate` needs from :class:`cs_models.io.ReadResult`."""

    frame: pd.DataFrame


# ----------------------------------------------------------------------------- headers
def normalise_header(header: object) -> str:
    """A header in comparable form: NFKC, lower case, single spaces, ``_``/``-``/``.`` as spaces.

    Examples
    --------
    >>> normalise_header("Ｃｕｓｔｏｍｅｒ_ID ")
    'customer id'
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    text = re.sub(r"[_\-.・/]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


def _compact(text: str) -> str:
    return text.replace(" ", "")


_SYNONYM_INDEX: dict[str, dict[str, int]] = {
    name: {_compact(normalise_header(s)): rank for rank, s in enumerate(words)}
    for name, words in SYNONYMS.items()
}


def _match(field_name: str, header: object) -> int | None:
    """Rank of the synonym matching ``header`` exactly (0 = best), ``None`` when none does."""
    return _SYNONYM_INDEX[field_name].get(_compact(normalise_header(header)))


def _loose_match(field_name: str, header: object) -> bool:
    """Whether ``header`` starts or ends with a long synonym (``Account ID (18)``, ``最終解約日``)."""
    text = _compact(normalise_header(header))
    for synonym in _SYNONYM_INDEX[field_name]:
        if len(synonym) >= 3 and len(text) > len(synonym) and (
            text.startswith(synonym) or text.endswith(synonym)
        ):
            return True
    return False


# ----------------------------------------------------------------------------- mapping
@dataclass(frozen=True)
class ColumnMapping:
    """How the columns of one file map to a canonical dataset.

    Attributes
    ----------
    kind : str
        One of :data:`cs_models.datasets.DATASET_KINDS`.
    fields : Mapping[str, str]
        Canonical field (see :data:`FIELDS`) -> the file's header.
    ignored : tuple of str
        Headers left out of the canonical frame.
    scales : Mapping[str, tuple[int, int]]
        Header -> (lowest, highest) allowed answer; answers outside are reported.
    """

    kind: str
    fields: Mapping[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    scales: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in DATASET_KINDS:
            raise IngestError("schema_unknown_kind", f"unknown dataset kind {self.kind!r}", kind=self.kind)
        unknown = sorted(set(self.fields) - set(FIELDS[self.kind]))
        if unknown:
            raise IngestError(
                "schema_unknown_field",
                f"{', '.join(unknown)} is not a field of {self.kind}",
                field=", ".join(unknown),
                kind=self.kind,
            )
        sources = [s for s in self.fields.values()]
        twice = sorted({s for s in sources if sources.count(s) > 1})
        if twice:
            raise IngestError(
                "schema_column_twice",
                f"column {', '.join(twice)} is mapped to more than one field",
                column=", ".join(twice),
            )
        for header, scale in self.scales.items():
            low, high = scale
            if not low < high:
                raise IngestError("schema_bad_scale", f"bad scale {scale} for {header}", column=header)

    def missing_fields(self) -> list[str]:
        """Required fields with no column yet (``end_date`` is required once ``churned`` is mapped)."""
        missing = [f for f in REQUIRED[self.kind] if f not in self.fields]
        if "churned" in self.fields and "end_date" not in self.fields:
            missing.append("end_date")
        return missing

    def source(self, field_name: str) -> str | None:
        """The header mapped to ``field_name``, or ``None``."""
        return self.fields.get(field_name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the ``mapping`` of a report)."""
        return {
            "version": MAPPING_VERSION,
            "kind": self.kind,
            "fields": dict(self.fields),
            "ignored": list(self.ignored),
            "scales": {k: [int(v[0]), int(v[1])] for k, v in self.scales.items()},
        }

    def to_json(self) -> str:
        """The mapping as a JSON document to save and re-apply next month."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        """Inverse of :meth:`to_dict`; raises :class:`IngestError` ``schema_bad_mapping``."""
        try:
            fields = {str(k): str(v) for k, v in dict(data.get("fields", {})).items()}
            scales = {str(k): (int(v[0]), int(v[1])) for k, v in dict(data.get("scales", {})).items()}
            return cls(
                kind=str(data["kind"]),
                fields=fields,
                ignored=tuple(str(h) for h in data.get("ignored", ())),
                scales=scales,
            )
        except IngestError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise IngestError("schema_bad_mapping", f"not a CS Lens column mapping: {exc}") from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> ColumnMapping:
        """Read a mapping saved by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise IngestError("schema_bad_mapping", f"not a CS Lens column mapping: {exc}") from exc
        if not isinstance(data, Mapping):
            raise IngestError("schema_bad_mapping", "not a CS Lens column mapping")
        return cls.from_dict(data)

    def fit(self, headers: Sequence[object]) -> ColumnMapping:
        """This mapping restricted to ``headers`` (re-applying last month's mapping to a new file)."""
        present = {str(h) for h in headers}
        return ColumnMapping(
            kind=self.kind,
            fields={k: v for k, v in self.fields.items() if v in present},
            ignored=tuple(h for h in self.ignored if h in present),
            scales={k: v for k, v in self.scales.items() if k in present},
        )


def _assign(headers: Sequence[str], wanted: Iterable[str]) -> dict[str, str]:
    """Field -> header for ``wanted`` fields: exact synonyms first, then loose ones; one header each."""
    wanted = list(wanted)
    taken: set[str] = set()
    out: dict[str, str] = {}
    candidates: list[tuple[int, int, str, str]] = []
    for order, name in enumerate(wanted):
        for header in headers:
            rank = _match(name, header)
            if rank is not None:
                candidates.append((rank, order, name, header))
    for _, _, name, header in sorted(candidates):
        if name not in out and header not in taken:
            out[name], _ = header, taken.add(header)
    for name in wanted:
        if name in out:
            continue
        for header in headers:
            if header not in taken and _loose_match(name, header):
                out[name] = header
                taken.add(header)
                break
    return {name: out[name] for name in wanted if name in out}


def _gap_wide_columns(headers: Sequence[str]) -> list[str]:
    """Headers following one of the wide gap layouts of :data:`cs_models.gaps.WIDE_PATTERNS`."""
    patterns = [regex for layout in WIDE_PATTERNS.values() for regex in layout.values()]
    return [h for h in headers if any(r.match(unicodedata.normalize("NFKC", h).strip()) for r in patterns)]


@dataclass(frozen=True)
class KindGuess:
    """The outcome of :func:`detect_kind`: the best kind and every kind's score."""

    kind: str
    scores: Mapping[str, float]


def detect_kind(frame: pd.DataFrame) -> KindGuess:
    """The canonical dataset a table most likely holds.

    Customers need an ID and a start date; events an ID and a date; gaps
    expectation/satisfaction columns; anything else is read as a survey. When a
    table could be customers or events (``Created at`` is both a sign-up date and an
    event date), repeated IDs and the absence of an end date point to events.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read (headers are what matters; the ID column's values break ties).
    """
    headers = [str(c) for c in frame.columns]
    scores: dict[str, float] = dict.fromkeys(DATASET_KINDS, 0.0)
    customers = _assign(headers, FIELDS["customers"])
    if {"customer_id", "start_date"} <= customers.keys():
        scores["customers"] = 4 + sum(f in customers for f in ("end_date", "churned", "mrr"))
    events = _assign(headers, FIELDS["events"])
    if {"customer_id", "date"} <= events.keys():
        scores["events"] = 4 + ("amount" in events)
        ids = frame[events["customer_id"]].head(DETECT_ROWS)
        repeated = ids.notna().any() and ids.dropna().duplicated().any()
        if repeated and "end_date" not in customers:
            scores["events"] += 2
    gaps = _assign(headers, FIELDS["gaps"])
    wide = _gap_wide_columns(headers)
    if len(wide) >= 2:
        scores["gaps"] = 3 + len(wide) / max(len(headers), 1)
    elif {"expectation", "satisfaction"} <= gaps.keys():
        scores["gaps"] = 5
    survey = _assign(headers, FIELDS["survey"])
    scores["survey"] = 1 + ("respondent_id" in survey)
    best = max(DATASET_KINDS, key=lambda k: (scores[k], -DATASET_KINDS.index(k)))
    return KindGuess(kind=best, scores=scores)


def _numeric_share_in(values: pd.Series, low: float, high: float) -> float:
    return float(((values >= low) & (values <= high)).mean()) if len(values) else 0.0


def suggest_scale(header: str, values: pd.Series | None = None) -> tuple[int, int] | None:
    """The answer scale of a question: written in its header (``(0-10)``), else inferred.

    A scale is inferred from the data only when 95% or more of the numeric answers lie
    in one of :data:`COMMON_SCALES` (then the few outside are worth a look).
    """
    found = SCALE_IN_HEADER.search(unicodedata.normalize("NFKC", header))
    if found:
        low, high = int(found.group(1)), int(found.group(2))
        if low < high:
            return (low, high)
    if values is None:
        return None
    numbers, _ = _numbers(values.head(DETECT_ROWS))
    numbers = numbers.dropna()
    if len(numbers) < 5 or (numbers != numbers.round()).any():
        return None
    for low, high in COMMON_SCALES:
        if _numeric_share_in(numbers, low, high) >= 0.95:
            return (low, high)
    return None


def numeric_columns(frame: pd.DataFrame, *, share: float = 0.9) -> list[str]:
    """Columns whose filled cells are numbers (at least ``share`` of them, in the first rows).

    These are the columns an answer scale can be checked on.
    """
    out: list[str] = []
    for header in frame.columns:
        head = frame[header].head(DETECT_ROWS)
        blank = _blank(head)
        if (~blank).sum() == 0:
            continue
        _, bad = _numbers(head)
        if 1 - bad[~blank].mean() >= share:
            out.append(str(header))
    return out


def suggest_mapping(frame: pd.DataFrame, kind: str | None = None) -> ColumnMapping:
    """A mapping suggestion for ``frame`` (as ``kind``, or the detected kind).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    kind : str, optional
        Force a dataset kind instead of detecting it.
    """
    kind = kind or detect_kind(frame).kind
    if kind not in DATASET_KINDS:
        raise IngestError("schema_unknown_kind", f"unknown dataset kind {kind!r}", kind=kind)
    headers = [str(c) for c in frame.columns]
    fields = _assign(headers, FIELDS[kind])
    if kind == "gaps" and len(_gap_wide_columns(headers)) >= 2:
        fields = {k: v for k, v in fields.items() if k in ("respondent_id", "customer_id")}
    scales: dict[str, tuple[int, int]] = {}
    if kind == "survey":
        for header in headers:
            if header not in fields.values():
                scale = suggest_scale(header)
                if scale:
                    scales[header] = scale
    elif kind == "gaps":
        for header in _answer_columns(headers, fields):
            scale = suggest_scale(header, frame[header])
            if scale:
                scales[header] = scale
    return ColumnMapping(kind=kind, fields=fields, scales=scales)


def suggest_segment(headers: Sequence[object]) -> str | None:
    """The header that most likely names a segment (``プラン``, ``plan``, ``業種`` …), if any."""
    index = {_compact(normalise_header(s)): rank for rank, s in enumerate(SEGMENT_SYNONYMS)}
    ranked = [(index[_compact(normalise_header(h))], str(h)) for h in headers
              if _compact(normalise_header(h)) in index]
    return min(ranked)[1] if ranked else None


def _answer_columns(headers: Sequence[str], fields: Mapping[str, str]) -> list[str]:
    """Numeric answer columns of a gaps table (long: the mapped ones; wide: the pairs)."""
    long = [fields[f] for f in ("expectation", "satisfaction", "importance") if f in fields]
    return long or _gap_wide_columns(headers)


# ----------------------------------------------------------------------------- values
def _map_unique(series: pd.Series, fn: Callable[[object], Any], dtype: str | type = object) -> pd.Series:
    """``series.map(fn)`` computed once per distinct value (a million rows hold few distinct cells)."""
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=dtype)
    for i, value in enumerate(uniques):
        mapped[i] = fn(value)
    mapped[len(uniques)] = fn(None)
    return pd.Series(mapped[np.where(codes < 0, len(uniques), codes)], index=series.index, dtype=dtype)


def _blank(series: pd.Series) -> pd.Series:
    """Cells holding no value: empty, ``None``/NaN or a missing-value text (``-``, ``#N/A`` …)."""
    return _map_unique(series, is_missing, bool)


def _numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parsed numbers (float, NaN where blank or invalid) and the mask of invalid cells."""
    parsed = parse_numbers(series)
    return pd.Series(parsed.values, index=series.index, dtype=float), pd.Series(
        parsed.failed, index=series.index, dtype=bool
    )


def _dates(series: pd.Series, day_first: bool | None = None) -> tuple[pd.Series, pd.Series]:
    """Parsed dates (datetime64, NaT where blank or invalid) and the reason code of invalid cells."""
    parsed = parse_dates(series, day_first=day_first)
    reasons = pd.Series(None, index=series.index, dtype=object)
    failed = parsed.failed.to_numpy(dtype=bool)
    reasons[failed] = [DATE_ISSUES.get(r, "invalid_date") for r in parsed.reasons[failed]]
    return pd.Series(parsed.values, index=series.index, dtype="datetime64[ns]"), reasons


def _text_id(value: object) -> str | None:
    """An ID as text: whole numbers from spreadsheets lose their ``.0``; blanks are ``None``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _text_cell(value: object) -> str | None:
    """A segment cell as text (``None`` when blank)."""
    if is_missing(value):
        return None
    return str(value).strip() or None


def _show(value: object) -> str:
    """A cell as a report shows it: dates as ISO, whole numbers without ``.0``, blanks empty."""
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.date().isoformat()
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


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
    """

    frame: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int
    rows_used: int
    rows_excluded: int
    mapping: ColumnMapping

    def issue_counts(self) -> pd.DataFrame:
        """Number of problems per (code, action), most frequent first."""
        if self.issues.empty:
            return pd.DataFrame({"code": [], "action": [], "count": []})
        counts = self.issues.groupby(["code", "action"]).size().rename("count").reset_index()
        return counts.sort_values(["count", "code"], ascending=[False, True], ignore_index=True)


class _Collector:
    """Accumulates issues and the set of excluded rows while a table is validated."""

    def __init__(self, file: str, rows: pd.Index) -> None:
        self.file = file
        self.records: list[dict[str, Any]] = []
        self.excluded = pd.Series(False, index=rows)

    def add(self, mask: pd.Series, column: str, code: str, action: str, values: pd.Series,
            detail: pd.Series | str = "") -> None:
        """Record ``code`` for every row in ``mask`` (rows already excluded are not reported twice).

        ``detail`` is the second value of a message: the first row of a duplicate, the
        start date an end date precedes, the scale an answer is outside of.
        """
        mask = mask & ~self.excluded
        for row in mask[mask].index:
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
            self.excluded |= mask

    def issues(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.records, columns=list(ISSUE_COLUMNS))
        frame["row"] = frame["row"].astype("int64")
        return frame.sort_values(["row", "column"], kind="stable", ignore_index=True)


def _require(mapping: ColumnMapping, headers: Sequence[str], file: str) -> None:
    missing = mapping.missing_fields()
    if missing:
        raise IngestError(
            "schema_missing_field",
            f"{file}: no column is mapped to {', '.join(missing)}",
            file=file,
            field=", ".join(missing),
        )
    absent = [h for h in [*mapping.fields.values(), *mapping.scales] if h not in headers]
    if absent:
        raise IngestError(
            "schema_missing_column",
            f"{file}: column {', '.join(absent)} is not in the file",
            file=file,
            column=", ".join(absent),
        )


def _ids(raw: pd.DataFrame, mapping: ColumnMapping, name: str, out: _Collector,
         *, required: bool, unique: bool) -> pd.Series | None:
    header = mapping.source(name)
    if header is None:
        return None
    ids = _map_unique(raw[header], _text_id)
    if required:
        out.add(ids.isna(), header, "missing_id", "excluded", raw[header])
    if unique:
        live = ids[ids.notna() & ~out.excluded]
        first_row = pd.Series(live.index, index=live.index).groupby(live).transform("min")
        dup = pd.Series(first_row.to_numpy() != first_row.index.to_numpy(), index=first_row.index)
        dup = dup.reindex(ids.index, fill_value=False).astype(bool)
        out.add(dup, header, "duplicate_id", "excluded", ids,
                first_row)
    return ids


def _date_field(raw: pd.DataFrame, header: str, out: _Collector, *, required: bool,
                day_first: bool | None = None) -> pd.Series:
    dates, reasons = _dates(raw[header], day_first)
    bad = reasons.notna()
    for code in sorted(set(reasons.dropna())):
        out.add(reasons.eq(code), header, code, "excluded", raw[header])
    if required:
        out.add(_blank(raw[header]) & ~bad, header, "missing_date", "excluded", raw[header])
    return dates


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
        blank = _blank(column)
        numbers, bad = _numbers(column)
        if (~blank).any() and not bad.any() and not _looks_like_code(column[~blank]):
            out[name] = _whole_if_possible(numbers)
        else:
            out[name] = _map_unique(column, _text_cell)
    return pd.DataFrame(out, index=raw.index), renamed


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
    return frame[sorted(frame.columns, key=lambda c: position.get(source.get(c, c), len(position)))]


def _looks_like_code(values: pd.Series) -> bool:
    """Text with leading zeros (``007``) is a code, not a number."""
    return any(isinstance(v, str) and len(v.strip()) > 1 and v.strip().startswith("0")
               and v.strip()[1].isdigit() for v in pd.unique(values.astype(object)))


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
    return _in_file_order(pd.concat([frame, others], axis=1), raw, m, renamed)


def _validate_events(raw: pd.DataFrame, m: ColumnMapping, out: _Collector) -> pd.DataFrame:
    ids = _ids(raw, m, "customer_id", out, required=True, unique=False)
    dates = _date_field(raw, m.fields["date"], out, required=True)
    frame = pd.DataFrame({"customer_id": ids, "date": dates})
    amount_header = m.source("amount")
    if amount_header is not None:
        amount, bad = _numbers(raw[amount_header])
        out.add(bad, amount_header, "invalid_amount", "excluded", raw[amount_header])
        frame["amount"] = amount
    others, renamed = _other_columns(raw, m.fields.values(), m.ignored, frame.columns)
    return _in_file_order(pd.concat([frame, others], axis=1), raw, m, renamed)


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
    return _in_file_order(pd.concat([frame, others], axis=1), raw, m, renamed)


_VALIDATORS = {
    "customers": _validate_customers,
    "events": _validate_events,
    "survey": _validate_answers,
    "gaps": _validate_answers,
}


def validate(read_result: ReadTable, kind: str, mapping: ColumnMapping | None = None,
             *, file: str | None = None) -> ValidationResult:
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
    raw = raw.copy()
    raw.columns = [str(c) for c in raw.columns]
    _require(mapping, list(raw.columns), file)
    collector = _Collector(file, raw.index)
    frame = _VALIDATORS[kind](raw, mapping, collector)
    keep = ~collector.excluded
    frame = frame[keep.to_numpy()].reset_index(drop=True)
    rows_read = len(raw)
    rows_excluded = int(collector.excluded.sum())
    return ValidationResult(
        frame=frame,
        issues=collector.issues(),
        rows_read=rows_read,
        rows_used=len(frame),
        rows_excluded=rows_excluded,
        mapping=mapping,
    )
