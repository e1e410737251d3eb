"""Files in, canonical datasets out: the one path used by the Data page and the ``report`` command.

``read_table`` (:mod:`cs_models.io`) -> :func:`cs_models.schema.detect_kind` /
``suggest_mapping`` -> :func:`cs_models.schema.validate` -> :class:`~cs_models.datasets.Datasets`.
Because the browser and the command line both call :func:`process_file` and
:func:`assemble`, they can never disagree about what a file contains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from cs_models.datasets import DATASET_KINDS, Datasets
from cs_models.errors import IngestError
from cs_models.ids import align_ids
from cs_models.io import ReadResult, read_table
from cs_models.results import jsonable
from cs_models.schema import (
    FIELDS,
    ISSUE_COLUMNS,
    MESSAGES_EN,
    ColumnMapping,
    ValidationResult,
    detect_kind,
    suggest_mapping,
    validate,
)

#: What a :class:`FileReport` tells of the reading, taken from its :class:`ReadResult`.
READ_FIELDS = ("encoding", "delimiter", "sheet", "sheets", "header_row", "blank_rows_dropped", "notes")


@dataclass(frozen=True)
class FileReport:
    """What happened to one file: how it was read (``read``), mapped and validated.

    Attributes
    ----------
    file : str
        File name as given.
    kind : str
        Canonical dataset the file was used as.
    read : ReadResult
        How the file was read: encoding, delimiter, sheet(s), header row, blank rows
        dropped, reader notes (its raw ``frame`` is not kept: ``validation`` holds the
        clean one).
    validation : ValidationResult
        Clean frame, issues and row counts.
    """

    file: str
    kind: str
    read: ReadResult
    validation: ValidationResult

    def __getattr__(self, name: str) -> Any:
        """``encoding``, ``delimiter``, ``sheet``, ``sheets``, ``header_row``,
        ``blank_rows_dropped`` and ``notes`` come from :attr:`read`."""
        if name in READ_FIELDS:
            return getattr(self.read, name)
        raise AttributeError(name)

    @property
    def mapping(self) -> ColumnMapping:
        """The column mapping that was applied."""
        return self.validation.mapping

    @property
    def frame(self) -> pd.DataFrame:
        """The canonical clean frame."""
        return self.validation.frame

    @property
    def issues(self) -> pd.DataFrame:
        """Every problem found (see :class:`cs_models.schema.ValidationResult`)."""
        return self.validation.issues

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (the per-file part of a report).

        Returns
        -------
        dict
            File, kind, row counts, the :data:`READ_FIELDS`, the mapping, issue counts by code
            and every issue (row, column, code, value, English message, action).
        """
        v = self.validation
        return {
            "file": self.file,
            "kind": self.kind,
            "rows_read": v.rows_read,
            "rows_used": v.rows_used,
            "rows_excluded": v.rows_excluded,
            **{name: jsonable(getattr(self.read, name)) for name in READ_FIELDS},
            "mapping": self.mapping.to_dict(),
            "issue_counts": {
                str(r.code): int(r.count) for r in v.issue_counts().itertuples(index=False)
            },
            "issues": [
                {
                    "row": int(r.row),
                    "column": r.column,
                    "code": r.code,
                    "value": r.value,
                    "message": r.message_en,
                    "action": r.action,
                }
                for r in v.issues.itertuples(index=False)
            ],
        }


def adapt_mapping(mapping: ColumnMapping, frame: pd.DataFrame) -> ColumnMapping:
    """A saved mapping re-applied to a new file: its headers where present, suggestions elsewhere.

    Fields whose header is missing from ``frame`` are suggested afresh from the
    synonyms (never onto a header the saved mapping already uses).

    Parameters
    ----------
    mapping : ColumnMapping
        The saved mapping; its kind, ignored headers and scales are kept.
    frame : pandas.DataFrame
        The new file's table, whose headers the mapping is fitted to.

    Returns
    -------
    ColumnMapping
        The fitted mapping, its fields in the canonical order of :data:`~cs_models.schema.FIELDS`.
    """
    fitted = mapping.fit(list(frame.columns))
    suggested = suggest_mapping(frame, mapping.kind)
    taken = set(fitted.fields.values())
    fields = {f: h for f, h in suggested.fields.items() if h not in taken}
    fields.update(fitted.fields)
    ordered = {f: fields[f] for f in FIELDS[mapping.kind] if f in fields}
    return ColumnMapping(kind=mapping.kind, fields=ordered, ignored=fitted.ignored,
                         scales={**suggested.scales, **fitted.scales})


def process_table(
    read: ReadResult,
    filename: str,
    *,
    kind: str | None = None,
    mapping: ColumnMapping | None = None,
) -> FileReport:
    """Map and validate a table already read by :func:`cs_models.io.read_table`.

    Parameters
    ----------
    read : ReadResult
        The table as read.
    filename : str
        Its file name (reported with every issue).
    kind : str, optional
        Dataset kind; ``mapping.kind`` or detected from the headers when omitted.
    mapping : ColumnMapping, optional
        Applied exactly as given (see :func:`adapt_mapping` for last month's mapping);
        suggested from the headers when omitted.

    Returns
    -------
    FileReport
        How the table was read (without its raw frame), mapped and validated.

    Raises
    ------
    IngestError
        ``schema_unknown_kind`` when ``kind`` is not a dataset kind.
    """
    if kind is not None and kind not in DATASET_KINDS:
        raise IngestError("schema_unknown_kind", f"unknown dataset kind {kind!r}", kind=kind)
    kind = kind or (mapping.kind if mapping is not None else detect_kind(read.frame).kind)
    if mapping is None or mapping.kind != kind:
        mapping = suggest_mapping(read.frame, kind)
    result = validate(read, kind, mapping, file=filename)
    return FileReport(file=filename, kind=kind, read=replace(read, frame=read.frame.iloc[:0], codes=None),
                      validation=result)


def process_file(
    data: bytes,
    filename: str,
    *,
    kind: str | None = None,
    mapping: ColumnMapping | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> FileReport:
    """Read, map and validate one file.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Its name (the extension matters to the reader; it is reported with every issue).
    kind : str, optional
        Dataset kind; detected from the headers when omitted (or taken from ``mapping``).
    mapping : ColumnMapping, optional
        A saved mapping (e.g. last month's), re-applied with :func:`adapt_mapping`.
    sheet : str, optional
        Workbook sheet to read (default: the first visible one).
    header_row : int, optional
        Spreadsheet row of the header (default: detected).

    Returns
    -------
    FileReport
        The report of the file, holding its clean canonical frame and issues.

    Raises
    ------
    IngestError
        When the file cannot be read or a required field cannot be mapped.
    """
    read = read_table(data, filename, sheet=sheet, header_row=header_row)
    if mapping is not None:
        kind = kind or mapping.kind
        mapping = adapt_mapping(mapping, read.frame) if mapping.kind == kind else None
    return process_table(read, filename, kind=kind, mapping=mapping)


#: The column that identifies a row of the dataset kinds that hold one row per ID: a dataset split over
#: several files must not hold an ID in two of them.
KEYS: Mapping[str, str] = {"customers": "customer_id", "tickets": "ticket_id", "survey": "respondent_id"}


def parts_by_kind(reports: Sequence[FileReport]) -> dict[str, list[FileReport]]:
    """The processed files grouped by dataset kind, in the order given.

    Parameters
    ----------
    reports : Sequence[FileReport]
        Processed files.

    Returns
    -------
    dict
        Kind -> its files (the parts of that dataset).
    """
    groups: dict[str, list[FileReport]] = {}
    for report in reports:
        groups.setdefault(report.kind, []).append(report)
    return groups


def identical_parts(parts: Sequence[FileReport]) -> tuple[FileReport, FileReport] | None:
    """Two parts of one dataset holding exactly the same table (the same file uploaded twice), or ``None``.

    Parameters
    ----------
    parts : Sequence[FileReport]
        Files of one dataset kind.

    Returns
    -------
    tuple of FileReport or None
        The first such pair, in upload order.
    """
    for i, later in enumerate(parts):
        for earlier in parts[:i]:
            if earlier.frame.shape == later.frame.shape and earlier.frame.equals(later.frame):
                return earlier, later
    return None


def check_parts(parts: Sequence[FileReport]) -> None:
    """Refuse the files of one dataset kind that cannot be combined into one dataset.

    Parameters
    ----------
    parts : Sequence[FileReport]
        Files of one dataset kind, in upload order.

    Raises
    ------
    IngestError
        ``pipeline_duplicate_kind`` when two files hold the same table (one file uploaded twice),
        ``pipeline_parts_differ`` when a file's columns (after mapping) differ from the first file's.
    """
    same = identical_parts(parts)
    if same is not None:
        first, second = same
        raise IngestError("pipeline_duplicate_kind", f"{first.file} and {second.file} both hold {second.kind}",
                          file=second.file, kind=second.kind, other=first.file)
    if not parts:
        return
    head = parts[0]
    for part in parts[1:]:
        differ = sorted(set(head.frame.columns) ^ set(part.frame.columns), key=str)
        if differ:
            columns = ", ".join(str(c) for c in differ[:5]) + (", …" if len(differ) > 5 else "")
            raise IngestError("pipeline_parts_differ",
                              f"{head.file} and {part.file} hold {part.kind} with other columns ({columns})",
                              file=part.file, other=head.file, kind=part.kind, columns=columns)


def _repeated_ids(parts: Sequence[FileReport]) -> list[tuple[np.ndarray, pd.Series]]:
    """For each part of a dataset keyed by ID: which of its rows hold an ID an earlier part holds, and the
    file that holds it first (indexed like the part's frame)."""
    key = KEYS.get(parts[0].kind) if parts else None
    out: list[tuple[np.ndarray, pd.Series]] = []
    seen: list[pd.Series] = []  # ID -> file, per earlier part
    for part in parts:
        frame = part.frame
        if key is None or key not in frame.columns:
            out.append((np.zeros(len(frame), dtype=bool), pd.Series(dtype=object)))
            continue
        ids = frame[key]
        known = pd.concat(seen) if seen else pd.Series(dtype=object)
        hit = (ids.isin(known.index) & ids.notna()).to_numpy()
        first_in = ids[hit].map(known) if hit.any() else pd.Series(dtype=object)
        out.append((hit, first_in))
        fresh = ids[~hit & ids.notna().to_numpy()]
        seen.append(pd.Series(part.file, index=pd.Index(fresh.to_numpy(dtype=object))))
    return out


def cross_file_issues(reports: Sequence[FileReport]) -> pd.DataFrame:
    """Row-level issues of a dataset split over several files: an ID of a dataset kind keyed by ID
    (:data:`KEYS`) that an earlier file already holds (``duplicate_across_files``, row excluded).

    Parameters
    ----------
    reports : Sequence[FileReport]
        Processed files, in upload order.

    Returns
    -------
    pandas.DataFrame
        The issues, with the columns of :attr:`cs_models.schema.ValidationResult.issues`: ``file`` and
        ``row`` of the repeated row, ``column`` (its ID header), ``value`` (the ID) and ``detail`` (the
        file that holds the ID first).
    """
    records: list[dict[str, Any]] = []
    for parts in parts_by_kind(reports).values():
        if len(parts) < 2:
            continue
        for part, (hit, first_in) in zip(parts, _repeated_ids(parts), strict=True):
            if not hit.any():
                continue
            key = KEYS[part.kind]
            header = part.mapping.fields.get(key, key)
            rows = part.validation.rows
            numbers = rows[hit] if rows is not None else np.flatnonzero(hit) + 2
            for row, value, other in zip(numbers, part.frame[key][hit], first_in, strict=True):
                records.append({
                    "file": part.file, "row": int(row), "column": header, "code": "duplicate_across_files",
                    "value": str(value), "detail": str(other),
                    "message_en": MESSAGES_EN["duplicate_across_files"].format(value=value, detail=other),
                    "action": "excluded",
                })
    issues = pd.DataFrame(records, columns=list(ISSUE_COLUMNS))
    issues["row"] = issues["row"].astype("int64")
    return issues


def _combined(parts: Sequence[FileReport]) -> pd.DataFrame:
    """The parts' frames as one (the first part's column order), rows repeating an earlier part's ID left out."""
    columns = list(parts[0].frame.columns)
    frames = [_rows_and_columns(part.frame, ~hit, columns)
              for part, (hit, _) in zip(parts, _repeated_ids(parts), strict=True)]
    # categorical IDs of different categories would concatenate to strings: one shared set first
    aligned = align_ids({str(i): frame for i, frame in enumerate(frames)})
    return concat_shared_categories([aligned[str(i)] for i in range(len(frames))])


def concat_shared_categories(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """``pandas.concat(frames, ignore_index=True)``, the categorical columns of equal categories in every
    frame joined as their codes (pandas would hash a million categories once per frame to compare them).

    Parameters
    ----------
    frames : Sequence[pandas.DataFrame]
        Frames of the same columns.

    Returns
    -------
    pandas.DataFrame
    """
    first = frames[0]
    shared = [c for c in first.columns if isinstance(first[c].dtype, pd.CategoricalDtype) and all(
        list(f.columns) == list(first.columns) and isinstance(f[c].dtype, pd.CategoricalDtype)
        and f[c].cat.ordered == first[c].cat.ordered
        and (f[c].cat.categories is first[c].cat.categories or f[c].cat.categories.equals(first[c].cat.categories))
        for f in frames[1:])]
    if len(frames) < 2 or not shared or first.columns.has_duplicates:
        return pd.concat(frames, ignore_index=True)
    as_codes = []
    for frame in frames:
        frame = frame.copy(deep=False)
        for c in shared:
            frame[c] = frame[c].cat.codes.to_numpy(np.int64)
        as_codes.append(frame)
    out = pd.concat(as_codes, ignore_index=True)
    for c in shared:
        out[c] = pd.Categorical.from_codes(out[c].to_numpy(), dtype=first[c].dtype)
    return out


def _rows_and_columns(frame: pd.DataFrame, keep: np.ndarray, columns: list[Any]) -> pd.DataFrame:
    """``frame.loc[keep, columns]``, without a copy when every row is kept in that column order
    (``pandas.concat`` copies the parts anyway)."""
    if bool(keep.all()) and list(frame.columns) == columns:
        return frame
    return frame.loc[keep, columns]


def assemble(reports: Sequence[FileReport], *, combine: bool = False) -> Datasets:
    """The uploaded datasets made of processed files.

    Parameters
    ----------
    reports : Sequence[FileReport]
        Processed files: at most one per dataset kind, or with ``combine`` several (the parts of one
        dataset: events split by year, exports of several workspaces).
    combine : bool
        Concatenate the files of one kind (:func:`check_parts` must accept them; rows repeating an ID
        an earlier part holds, :func:`cross_file_issues`, are left out).

    Returns
    -------
    Datasets
        The clean frames with ``source="upload"`` and each kind's file name(s) in ``origins``
        (joined by ``", "``).

    Raises
    ------
    IngestError
        ``pipeline_duplicate_kind`` when two files hold the same dataset (with ``combine``: the same
        table), ``pipeline_parts_differ`` when parts of one dataset have different columns,
        ``pipeline_no_rows`` when a file has no usable row.
    """
    frames: dict[str, pd.DataFrame] = {}
    origins: dict[str, str] = {}
    for report in reports:
        if report.validation.rows_used == 0:
            raise _no_rows(report)
    for kind, parts in parts_by_kind(reports).items():
        if len(parts) > 1 and not combine:
            raise IngestError(
                "pipeline_duplicate_kind",
                f"{parts[0].file} and {parts[1].file} both hold {kind}",
                file=parts[1].file,
                kind=kind,
                other=parts[0].file,
            )
        if len(parts) > 1:
            check_parts(parts)
            frames[kind] = _combined(parts)
        else:
            frames[kind] = parts[0].frame
        origins[kind] = ", ".join(part.file for part in parts)
    return Datasets(**align_ids(frames), source="upload", origins=origins)


def _best_saved_mapping(
    mappings: Sequence[ColumnMapping], frame: pd.DataFrame, kind: str | None
) -> ColumnMapping | None:
    """The saved mapping (of ``kind`` if given) that finds most of its headers in ``frame``."""
    headers = [str(c) for c in frame.columns]
    candidates = [m for m in mappings if kind is None or m.kind == kind]
    scored = [(len(m.fit(headers).fields), m) for m in candidates]
    scored = [(n, m) for n, m in scored if n > 0]
    if not scored:
        return None
    detected = detect_kind(frame).kind
    return max(scored, key=lambda item: (item[0], item[1].kind == detected))[1]


def load_files(
    files: Sequence[tuple[str, bytes]],
    *,
    kind: str | None = None,
    mappings: Mapping[str, ColumnMapping] | Sequence[ColumnMapping] | None = None,
    combine: bool = False,
) -> tuple[Datasets, list[FileReport]]:
    """Read, map and validate several files into one :class:`Datasets`.

    Parameters
    ----------
    files : sequence of (filename, bytes)
        The files.
    kind : str, optional
        Force every file to this dataset kind.
    mappings : mapping of filename -> ColumnMapping, or a sequence of ColumnMapping
        Saved mappings; from a sequence each file gets the one (of ``kind``, if given)
        whose headers it has most of, and none when it has none of them.
    combine : bool
        Several files of one kind are parts of one dataset (see :func:`assemble`).

    Returns
    -------
    (Datasets, list of FileReport)
        The assembled datasets, and the report of each file in the order given.
    """
    by_file: Mapping[str, ColumnMapping] = mappings if isinstance(mappings, Mapping) else {}
    saved = [] if isinstance(mappings, Mapping) or mappings is None else list(mappings)
    reports: list[FileReport] = []
    for filename, data in files:
        read = read_table(data, filename)
        mapping = by_file.get(filename)
        if mapping is None and saved:
            mapping = _best_saved_mapping(saved, read.frame, kind)
        file_kind = kind
        if mapping is not None:
            file_kind = kind or mapping.kind
            mapping = adapt_mapping(mapping, read.frame) if mapping.kind == file_kind else None
        reports.append(process_table(read, filename, kind=file_kind, mapping=mapping))
    return assemble(reports, combine=combine), reports


def _no_rows(report: FileReport) -> IngestError:
    """``pipeline_no_rows``, naming the column whose problems excluded most rows (or the empty file)."""
    issues = report.validation.issues
    excluded = issues[issues["action"] == "excluded"]
    if excluded.empty:
        return IngestError("pipeline_no_rows_empty", f"{report.file}: no rows", file=report.file)
    column = excluded.groupby("column")["row"].nunique().sort_values(ascending=False, kind="stable")
    return IngestError(
        "pipeline_no_rows",
        f"{report.file}: none of its {report.validation.rows_read} rows can be used "
        f"({int(column.iloc[0])} excluded for problems in column {column.index[0]!r})",
        file=report.file, rows=report.validation.rows_read, column=str(column.index[0]),
        excluded=int(column.iloc[0]),
    )
