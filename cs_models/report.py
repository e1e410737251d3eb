"""The ``report`` command: the app's pipeline and analyses as one JSON (or HTML) document.

Usage::

    python -m cs_models report FILE [FILE...] [--kind customers|events|survey|gaps]
        [--as-of YYYY-MM-DD] [--segment COL] [--covariates COL,...] [--mapping JSON ...]
        [--format json|html] [--out PATH]

Files go through :mod:`cs_models.pipeline` exactly as on the Data page; each analysis
module listed in :data:`SECTION_MODULES` that exists contributes its
``report_section(datasets, *, as_of, **options)`` under its own key. Exit status: 0 on
success, 2 on an input error (message on stderr).
"""

from __future__ import annotations

import argparse
import html
import importlib
import json
import math
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cs_models.datasets import DATASET_KINDS, Datasets
from cs_models.errors import CSLensError, DataError
from cs_models.pipeline import FileReport, load_files
from cs_models.schema import ColumnMapping

#: Analysis modules that may contribute a section (skipped while not there yet).
SECTION_MODULES: tuple[str, ...] = ("cohorts", "survival", "survey", "gaps")
EXIT_OK = 0
EXIT_INPUT_ERROR = 2


class ReportInputError(CSLensError):
    """A command-line input problem (missing file, bad date)."""


def jsonable(value: Any) -> Any:
    """``value`` with numpy/pandas scalars, dates, frames and NaN made JSON-safe (NaN -> null)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return jsonable(value.to_dict())
    if isinstance(value, list | tuple | set | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp | datetime | date):
        if pd.isna(value):
            return None
        return value.isoformat()[:10] if _is_midnight(value) else value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, int | str):
        return value
    return str(value)


def _is_midnight(value: date) -> bool:
    return not isinstance(value, datetime) or (value.hour, value.minute, value.second) == (0, 0, 0)


def analysis_sections(datasets: Datasets, *, as_of: date, **options: Any) -> dict[str, Any]:
    """Sections of the analysis modules that exist and have something to say.

    A module not written yet is skipped; a section of ``None`` (its dataset is absent)
    is left out; a :class:`~cs_models.errors.DataError` (e.g. too few customers) becomes
    ``{"error": {...}}`` in its section.
    """
    sections: dict[str, Any] = {}
    for name in SECTION_MODULES:
        try:
            module = importlib.import_module(f"cs_models.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"cs_models.{name}":
                raise
            continue
        section_fn = getattr(module, "report_section", None)
        if section_fn is None:
            continue
        try:
            section = section_fn(datasets, as_of=as_of, **options)
        except DataError as exc:  # degenerate data: the section says why, the rest still reports
            section = {"error": exc.to_dict()}
        if section is not None:
            sections[name] = jsonable(section)
    return sections


def check_columns(datasets: Datasets, columns: Sequence[str]) -> None:
    """Raise ``report_unknown_column`` for a column no loaded dataset has."""
    known = {str(c) for kind in datasets.available() for c in datasets.get(kind).columns}  # type: ignore[union-attr]
    for column in columns:
        if column not in known:
            raise ReportInputError(
                "report_unknown_column", f"no loaded dataset has a column {column!r}", column=column
            )


def build_report(
    files: Sequence[tuple[str, bytes]],
    *,
    kind: str | None = None,
    as_of: date | None = None,
    mappings: Sequence[ColumnMapping] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The report of ``files`` as a JSON-serialisable dict.

    The top level carries the first file's reading (``kind``, ``rows_read``,
    ``rows_used``, ``encoding``, ``header_row``, ``mapping``, ``issues``) so a single
    file reads naturally; ``files`` lists every file; analysis sections follow under
    their module names. ``mappings`` are saved column mappings (JSON downloaded from the
    Data page), matched to the files by dataset kind.
    """
    datasets, reports = load_files(files, kind=kind, mappings=mappings)
    as_of = as_of or datasets.latest_date() or date.today()
    first = _file_entry(reports[0])
    out: dict[str, Any] = {
        **first,
        "as_of": as_of.isoformat(),
        "datasets": datasets.row_counts(),
        "files": [_file_entry(r) for r in reports],
    }
    options = {k: v for k, v in options.items() if v is not None}
    check_columns(datasets, [options["segment"]] if "segment" in options else [])
    check_columns(datasets, options.get("covariates", []))
    if options:
        out["options"] = jsonable(options)
    out.update(analysis_sections(datasets, as_of=as_of, **options))
    return jsonable(out)


def _file_entry(report: FileReport) -> dict[str, Any]:
    entry = report.to_dict()
    entry["issues"] = [
        {"row": i["row"], "column": i["column"], "code": i["code"], "message": i["message"],
         "action": i["action"]}
        for i in entry["issues"]
    ]
    return entry


# --------------------------------------------------------------------------------- HTML
_STYLE = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP",system-ui,sans-serif;margin:2rem;color:#1f2933;
line-height:1.5;max-width:72rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f5f7}td.num{text-align:right}
code{background:#f3f5f7;padding:0 .2rem}
"""


def _html_value(value: Any, depth: int = 0) -> str:
    """Nested JSON data as escaped HTML: dicts as two-column tables, record lists as tables."""
    if isinstance(value, Mapping):
        if not value:
            return "—"
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td>{_html_value(v, depth + 1)}</td></tr>"
            for k, v in value.items()
        )
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        if not value:
            return "—"
        if all(isinstance(v, Mapping) for v in value):
            keys: list[str] = []
            for v in value:
                keys.extend(k for k in v if k not in keys)
            head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
            body = "".join(
                "<tr>" + "".join(_html_cell(v.get(k), depth) for k in keys) + "</tr>" for v in value
            )
            return f"<table><tr>{head}</tr>{body}</table>"
        return ", ".join(_html_value(v, depth + 1) for v in value)
    if value is None:
        return "—"
    return html.escape(str(value))


def _html_cell(value: Any, depth: int) -> str:
    css = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
    return f"<td{css}>{_html_value(value, depth + 1)}</td>"


def render_html(report: Mapping[str, Any]) -> str:
    """A self-contained, escaped HTML page of the same data as the JSON report."""
    files = report.get("files", [])
    sections = {k: v for k, v in report.items() if k in SECTION_MODULES}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>CS Lens report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>CS Lens report</h1>",
        f"<p>As-of date: <code>{html.escape(str(report.get('as_of', '')))}</code></p>",
        "<h2>Datasets</h2>",
        _html_value(report.get("datasets", {})),
    ]
    for entry in files:
        summary = {k: v for k, v in entry.items() if k not in ("issues", "mapping")}
        parts += [
            f"<h2>File: {html.escape(str(entry.get('file', '')))}</h2>",
            _html_value(summary),
            "<h3>Column mapping</h3>",
            _html_value(entry.get("mapping", {})),
            f"<h3>Problems ({len(entry.get('issues', []))})</h3>",
            _html_value(entry.get("issues", [])),
        ]
    for name, section in sections.items():
        parts += [f"<h2>{html.escape(name)}</h2>", _html_value(section)]
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------- command line
def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    """The ``report`` command's argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m cs_models report",
        description="Read files the way the CS Lens app does and print the analyses as JSON or HTML.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CSV/TSV/TXT/XLSX files")
    parser.add_argument("--kind", choices=DATASET_KINDS, help="dataset every file holds (default: detect)")
    parser.add_argument("--as-of", type=_parse_date, help="as-of date YYYY-MM-DD (default: latest date)")
    parser.add_argument("--segment", help="segment column for the analyses")
    parser.add_argument("--covariates", help="comma-separated numeric/segment columns for models")
    parser.add_argument("--mapping", type=Path, action="append", metavar="JSON",
                        help="column mapping saved on the Data page (repeat for several kinds)")
    parser.add_argument("--format", choices=("json", "html"), default="json")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``report`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        files = []
        for path in args.files:
            if not path.is_file():
                raise ReportInputError("report_no_file", f"{path}: no such file", file=str(path))
            files.append((path.name, path.read_bytes()))
        mappings = []
        for path in args.mapping or []:
            if not path.is_file():
                raise ReportInputError("report_no_file", f"{path}: no such file", file=str(path))
            mappings.append(ColumnMapping.from_json(path.read_bytes()))
        covariates = [c.strip() for c in args.covariates.split(",") if c.strip()] if args.covariates else None
        report = build_report(
            files, kind=args.kind, as_of=args.as_of, mappings=mappings or None,
            segment=args.segment, covariates=covariates,
        )
    except CSLensError as exc:
        where = " ".join(f"{k}={v}" for k, v in exc.where().items())
        print(f"error [{exc.code}]: {exc.message}" + (f" ({where})" if where else ""), file=sys.stderr)
        return EXIT_INPUT_ERROR
    text = render_html(report) if args.format == "html" else json.dumps(report, ensure_ascii=False, indent=2)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return EXIT_OK
