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

import pandas as pd

from cs_models.datasets import DATASET_KINDS, Datasets
from cs_models.errors import IngestError
from cs_models.io import ReadResult, read_table
from cs_models.results import jsonable
from cs_models.schema import (
    FIELDS,
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
    return FileReport(file=filename, kind=kind, read=replace(read, frame=read.frame.iloc[:0]), validation=result)


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


def assemble(reports: Sequence[FileReport]) -> Datasets:
    """The uploaded datasets made of processed files (one file per dataset kind).

    Parameters
    ----------
    reports : Sequence[FileReport]
        Processed files, at most one per dataset kind.

    Returns
    -------
    Datasets
        The clean frames with ``source="upload"`` and each kind's file name in ``origins``.

    Raises
    ------
    IngestError
        ``pipeline_duplicate_kind`` when two files hold the same dataset,
        ``pipeline_no_rows`` when a file has no usable row.
    """
    frames: dict[str, pd.DataFrame] = {}
    origins: dict[str, str] = {}
    for report in reports:
        if report.validation.rows_used == 0:
            raise _no_rows(report)
        if report.kind in frames:
            raise IngestError(
                "pipeline_duplicate_kind",
                f"{origins[report.kind]} and {report.file} both hold {report.kind}",
                file=report.file,
                kind=report.kind,
                other=origins[report.kind],
            )
        frames[report.kind] = report.frame
        origins[report.kind] = report.file
    return Datasets(**frames, source="upload", origins=origins)


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
    return assemble(reports), reports


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
