"""The ``report`` command: the app's pipeline and analyses as one JSON (or HTML) document.

Usage::

    python -m cs_models report FILE [FILE...] [--kind customers|events|survey|gaps]
        [--as-of YYYY-MM-DD] [--segment COL] [--covariates COL,...] [--mapping JSON ...]
        [--format json|html] [--lang ja|en] [--horizon-days N] [--filter COL=VALUE[,VALUE...] ...]
        [--out PATH]

Files go through :mod:`cs_models.pipeline` exactly as on the Data page; each analysis
module listed in :data:`SECTION_MODULES` contributes its
``report_section(datasets, *, as_of, **options)`` under its own key. Exit status: 0 on
success, 2 on an input error (message on stderr).
"""

from __future__ import annotations

import argparse
import html
import importlib
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cs_models.catalogue import LANGUAGES, translate
from cs_models.datasets import DATASET_KINDS, Datasets
from cs_models.errors import CSLensError, DataError
from cs_models.filters import SegmentFilter
from cs_models.findings import Finding, ranked
from cs_models.pipeline import FileReport, load_files
from cs_models.results import jsonable
from cs_models.schema import ColumnMapping

#: Analysis modules that may contribute a section (skipped while not there yet).
SECTION_MODULES: tuple[str, ...] = ("cohorts", "revenue", "survival", "risk", "survey", "gaps", "support", "forecast",
                                    "community", "adoption", "journey")
#: Key of each section's complete results (every ``Result`` the page renders, as ``to_dict()``);
#: the JSON carries it, the printable HTML page shows the section's summary only.
RESULTS_KEY = "results"
#: Rows of a long table (the risk call list, a month-by-month series) the HTML page shows.
HTML_MAX_ROWS = 30
EXIT_OK = 0
EXIT_INPUT_ERROR = 2


class ReportInputError(CSLensError):
    """A command-line input problem (missing file, bad date)."""


def analysis_sections(
    datasets: Datasets, *, as_of: date, **options: Any
) -> tuple[dict[str, Any], list[Finding]]:
    """Sections of the analyses that have something to say, and their findings.

    Parameters
    ----------
    datasets : Datasets
        The loaded canonical datasets.
    as_of : date
        As-of date of the analyses.
    **options
        Options of the analyses (``segment``, ``covariates``, ...).

    Returns
    -------
    tuple
        ``({section: JSON data}, findings)``. A section of ``None`` (its dataset is
        absent) is left out; a :class:`~cs_models.errors.DataError` (e.g. too few
        customers) becomes ``{"error": {...}}`` in its section. Each section's
        ``"findings"`` (Finding objects) are taken out into the second element.
    """
    sections: dict[str, Any] = {}
    findings: list[Finding] = []
    for name in SECTION_MODULES:
        module = importlib.import_module(f"cs_models.{name}")
        try:
            section = module.report_section(datasets, as_of=as_of, **options)
        except DataError as exc:  # degenerate data: the section says why, the rest still reports
            section = {"error": exc.to_dict()}
        if section is not None:
            findings.extend(section.pop("findings", None) or [])
            sections[name] = jsonable(section)
    return sections, findings


def check_columns(datasets: Datasets, columns: Sequence[str]) -> None:
    """Raise ``report_unknown_column`` for a column no loaded dataset has.

    Parameters
    ----------
    datasets : Datasets
        The loaded datasets whose headers are searched.
    columns : Sequence[str]
        Column names given on the command line (``--segment``, ``--covariates``).

    Raises
    ------
    ReportInputError
        ``report_unknown_column`` for the first column that is in none of the frames.
    """
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
    lang: str = "ja",
    **options: Any,
) -> dict[str, Any]:
    """The report of ``files`` as a JSON-serialisable dict.

    The top level carries the first file's reading (``kind``, ``rows_read``,
    ``rows_used``, ``encoding``, ``header_row``, ``mapping``, ``issues``) so a single
    file reads naturally; ``files`` lists every file; analysis sections follow under
    their module names. ``mappings`` are saved column mappings (JSON downloaded from the
    Data page), matched to the files by dataset kind. ``findings`` lists every
    analysis' findings, most important first, each with its ``text`` in ``lang``.

    Parameters
    ----------
    files : Sequence[tuple[str, bytes]]
        ``(file name, content)`` of each input file.
    kind : str, optional
        Dataset kind every file holds; detected per file when omitted.
    as_of : date, optional
        As-of date of the analyses; defaults to the latest date in the data, else today.
    mappings : Sequence[ColumnMapping], optional
        Saved column mappings to re-apply.
    lang : {"ja", "en"}
        Language of the findings' ``text``.
    **options
        Analysis options (``segment``, ``covariates``, ...), passed to :func:`datasets_report`.

    Returns
    -------
    dict
        The JSON-ready report.
    """
    return load_report(files, kind=kind, as_of=as_of, mappings=mappings, lang=lang, **options)[0]


def load_report(
    files: Sequence[tuple[str, bytes]],
    *,
    kind: str | None = None,
    as_of: date | None = None,
    mappings: Sequence[ColumnMapping] | None = None,
    lang: str = "ja",
    segment_filter: SegmentFilter | None = None,
    **options: Any,
) -> tuple[dict[str, Any], Datasets, date]:
    """:func:`build_report`, with the loaded datasets and the as-of date used (for the charts).

    Parameters
    ----------
    files : Sequence[tuple[str, bytes]]
        ``(file name, content)`` of each file, read through :func:`cs_models.pipeline.load_files`.
    kind : str, optional
        Force every file to this dataset kind.
    as_of : date, optional
        As-of date; when omitted, the datasets' latest date (or today) is used and returned.
    mappings : Sequence[ColumnMapping], optional
        Saved mappings, each file getting the one whose headers it has most of.
    lang : {"ja", "en"}
        Language of the findings in the report.
    segment_filter : SegmentFilter, optional
        Analyse only these segment values (see :func:`datasets_report`).
    **options
        Analysis options such as ``segment`` and ``covariates``.

    Returns
    -------
    tuple[dict, Datasets, date]
        The report as :func:`build_report` gives it, the (filtered) datasets it was computed on
        and the as-of date it used.
    """
    datasets, reports = load_files(files, kind=kind, mappings=mappings)
    as_of = as_of or datasets.latest_date() or date.today()
    first = _file_entry(reports[0])
    out: dict[str, Any] = {**first, "files": [_file_entry(r) for r in reports]}
    out.update(datasets_report(datasets, as_of=as_of, lang=lang, segment_filter=segment_filter, **options))
    filtered = segment_filter.apply(datasets) if segment_filter else datasets
    return jsonable(out), filtered, as_of


def report_figures(datasets: Datasets, *, as_of: date, lang: str) -> dict[str, list[Any]]:
    """The report's charts per section: the story's (:func:`cs_models.story.build_story`).

    Parameters
    ----------
    datasets : Datasets
        The datasets the report was computed on.
    as_of : date
        The report's as-of date.
    lang : {"ja", "en"}
        Language of the charts' titles and labels.

    Returns
    -------
    dict[str, list]
        Plotly figures by section name, in story order.
    """
    from cs_models.story import build_story  # the story imports every analysis; only HTML needs it

    return build_story(datasets, as_of=as_of, lang=lang).figures_by_section()


def datasets_report(datasets: Datasets, *, as_of: date, lang: str = "ja",
                    segment_filter: SegmentFilter | None = None, **options: Any) -> dict[str, Any]:
    """The analysis part of a report of loaded datasets (what the Overview's download holds).

    Parameters
    ----------
    datasets : Datasets
        Canonical datasets (sample or uploaded), before any filter.
    as_of : date
        As-of date.
    lang : {"ja", "en"}
        Language of the findings' ``text``.
    segment_filter : SegmentFilter, optional
        Analyse only these segment values: validated (``DataError`` for an unknown column or
        value), applied to every dataset, and described under ``"filter"``.
    **options
        Analysis options (``segment``, ``covariates``, ...); ``None`` values are ignored.

    Returns
    -------
    dict
        ``{"as_of", ["filter"], "datasets", ["options"], <sections>..., "findings"}``, JSON-ready;
        ``"datasets"`` counts the filtered rows.
    """
    out: dict[str, Any] = {"as_of": as_of.isoformat()}
    if segment_filter:
        segment_filter.validate(datasets)
        out["filter"] = segment_filter.to_dict(datasets, lang)
        datasets = segment_filter.apply(datasets)
    options = {k: v for k, v in options.items() if v is not None}
    check_columns(datasets, [options["segment"]] if "segment" in options else [])
    check_columns(datasets, options.get("covariates", []))
    out["datasets"] = datasets.row_counts()
    if options:
        out["options"] = jsonable(options)
    sections, findings = analysis_sections(datasets, as_of=as_of, **options)
    out.update(sections)
    out["findings"] = [f.to_dict(lang) for f in ranked(findings)]
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
.meta{color:#52606d}.findings{padding-left:1.2rem}.findings li{margin:.3rem 0}
.tag{display:inline-block;min-width:4.5rem;font-size:.8rem;font-weight:bold;padding:0 .3rem;border-radius:.2rem;
background:#e4e7eb}.alert .tag{background:#d55e00;color:#fff}.notice .tag{background:#0072b2;color:#fff}
.positive .tag{background:#009e73;color:#fff}.chart{margin:.5rem 0}
@page{size:A4;margin:15mm}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}table,.chart,li{break-inside:avoid}
section.analysis{break-before:page}}
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
                "<tr>" + "".join(_html_cell(v.get(k), depth) for k in keys) + "</tr>" for v in value[:HTML_MAX_ROWS]
            )
            more = len(value) - HTML_MAX_ROWS  # a page to read, not a data dump: the JSON has every row
            tail = f'<tr><td colspan="{len(keys)}">… +{more:,}</td></tr>' if more > 0 else ""
            return f"<table><tr>{head}</tr>{body}{tail}</table>"
        return ", ".join(_html_value(v, depth + 1) for v in value)
    if value is None:
        return "—"
    return html.escape(str(value))


def _html_cell(value: Any, depth: int) -> str:
    css = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
    return f"<td{css}>{_html_value(value, depth + 1)}</td>"


def _findings_html(findings: Sequence[Mapping[str, Any]], lang: str) -> str:
    """The findings as a list, most important first, each marked with its severity."""
    items = "".join(
        f'<li class="{html.escape(str(f["severity"]))}"><span class="tag">'
        f'{html.escape(translate(lang, "report.severity_" + str(f["severity"])))}</span> '
        f'{html.escape(str(f.get("text") or f["code"]))}</li>'
        for f in findings
    )
    if not items:
        return f"<p>{html.escape(translate(lang, 'report.no_findings'))}</p>"
    return f'<ul class="findings">{items}</ul>'


def _figures_html(figures: Sequence[Any], source: str, scope: str | None = None) -> str:
    """Plotly figures inline (titled, with the data source under the title); plotly.js is embedded
    once, before the first section's charts, so the page needs no network."""
    from cs_models.charts.theme import apply_theme, set_title

    charts = []
    for fig in figures:
        set_title(fig, html.unescape(str(fig.layout.title.text or "")), source, scope)
        apply_theme(fig)
        charts.append('<div class="chart">' + fig.to_html(
            full_html=False, include_plotlyjs=False, default_width="100%", default_height=480,
            config={"displaylogo": False, "responsive": True}) + "</div>")
    return "".join(charts)


def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    return f'<script type="text/javascript">{get_plotlyjs()}</script>'


def render_error_html(message: str, *, lang: str = "ja") -> str:
    """A short page in place of the report, saying what stopped it.

    Parameters
    ----------
    message : str
        The translated message (plain text; escaped here).
    lang : {"ja", "en"}
        Language of the page.

    Returns
    -------
    str
        A self-contained HTML page.
    """
    title = html.escape(translate(lang, "report.title"))
    return (f'<!doctype html><html lang="{html.escape(lang)}"><meta charset="utf-8"><title>{title}</title>'
            f"<h1>{title}</h1><p>{html.escape(message)}</p></html>")


def render_html(report: Mapping[str, Any], *, lang: str = "ja", figures: Mapping[str, Sequence[Any]] | None = None,
                source: str | None = None) -> str:
    """A self-contained, escaped, printable HTML page of the report in ``lang``.

    Parameters
    ----------
    report : mapping
        Output of :func:`build_report` (or :func:`datasets_report`).
    lang : {"ja", "en"}
        Language of headings and findings.
    figures : mapping, optional
        Plotly figures per section name, drawn above that section's tables (plotly.js inline).
    source : str, optional
        What the data are (e.g. the file names); defaults to the report's files.

    Returns
    -------
    str
        The page: opens from disk with no network, and prints to clean A4 pages.
    """
    figures = figures or {}
    files = report.get("files", [])
    sections = {k: v for k, v in report.items() if k in SECTION_MODULES}
    title = translate(lang, "report.title")
    as_of = report.get("as_of", "")
    scope = str(report.get("filter", {}).get("scope", ""))
    source = source or ", ".join(str(f.get("file", "")) for f in files) or translate(lang, "report.source_sample")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(lang)}"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(translate(lang, "report.meta", as_of=as_of, source=source))}</p>',
        f'<p class="meta"><b>{html.escape(scope)}</b></p>' if scope else "",
        f"<h2>{html.escape(translate(lang, 'report.findings_heading'))}</h2>",
        _findings_html(report.get("findings", []), lang),
    ]
    if any(figures.values()):
        parts.append(_plotlyjs())
    chart_source = translate(lang, "common.chart_source", source=source, date=as_of)
    for name, section in sections.items():
        heading = translate(lang, f"report.section_{name}")
        parts += [f'<section class="analysis"><h2>{html.escape(heading)}</h2>',
                  _figures_html(figures.get(name, ()), chart_source, scope),
                  _html_value({k: v for k, v in section.items() if k != RESULTS_KEY}), "</section>"]
    parts += [f"<h2>{html.escape(translate(lang, 'report.data_heading'))}</h2>",
              _html_value(report.get("datasets", {}))]
    for entry in files:
        summary = {k: v for k, v in entry.items() if k not in ("issues", "mapping")}
        parts += [
            f"<h3>{html.escape(str(entry.get('file', '')))}</h3>",
            _html_value(summary),
            _html_value(entry.get("mapping", {})),
            _html_value(entry.get("issues", [])),
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------- command line
def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    """The ``report`` command's argument parser.

    Returns
    -------
    argparse.ArgumentParser
        A parser of ``FILE...`` and the ``--kind``, ``--as-of``, ``--segment``, ``--covariates``,
        ``--mapping``, ``--format``, ``--lang``, ``--horizon-days``, ``--period``, ``--filter``, ``--population``
        and ``--out`` options.
    """
    parser = argparse.ArgumentParser(
        prog="python -m cs_models report",
        description="Read files the way the CS Lens app does and print the analyses as JSON or HTML.",
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="CSV/TSV/TXT/XLSX files")
    parser.add_argument("--kind", choices=DATASET_KINDS, help="dataset every file holds (default: detect)")
    parser.add_argument("--as-of", type=_parse_date, help="as-of date YYYY-MM-DD (default: latest date)")
    parser.add_argument("--segment", help="segment column for the analyses")
    parser.add_argument("--covariates", help="comma-separated numeric/segment columns for models")
    parser.add_argument("--mapping", type=Path, action="append", metavar="JSON",
                        help="column mapping saved on the Data page (repeat for several kinds)")
    parser.add_argument("--format", choices=("json", "html"), default="json")
    parser.add_argument("--lang", choices=LANGUAGES, default="ja", help="language of findings (default: ja)")
    parser.add_argument("--horizon-days", type=int, default=90, help="churn-risk horizon in days (default: 90)")
    parser.add_argument("--period", choices=("month", "year"), default="month",
                        help="contract period of the retention forecast (default: month)")
    parser.add_argument("--filter", action="append", metavar="COL=VALUE[,VALUE...]",
                        help="analyse only these segment values (repeat for several columns)")
    parser.add_argument("--population", type=float, help="known market size of the adoption curve (e.g. employees)")
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    parser.add_argument("--db", metavar="URL", help="read tables from this database instead of files "
                        "(default: the CS_LENS_DB_URL environment variable when --table is given)")
    parser.add_argument("--table", action="append", metavar="KIND=SCHEMA.TABLE",
                        help="database table of a dataset kind (repeat: events=..., customers=...)")
    parser.add_argument("--max-rows", type=int, default=2_000_000,
                        help="refuse a database query returning more rows (default: 2,000,000)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``report`` command; returns the exit status.

    Parameters
    ----------
    argv : Sequence[str], optional
        The command's arguments (without the program name); ``sys.argv[1:]`` when ``None``.

    Returns
    -------
    int
        :data:`EXIT_OK`, or :data:`EXIT_INPUT_ERROR` after printing the error on stderr.
    """
    args = build_parser().parse_args(argv)
    if not args.files and not (args.db or args.table):
        build_parser().error("give FILE... or --db URL --table KIND=SCHEMA.TABLE")
    if (args.db or args.table) and (args.files or args.kind or args.filter):
        build_parser().error("--db reads tables: FILE, --kind and --filter apply to files only")
    try:
        if args.db or args.table:
            report, datasets, as_of = _warehouse_report(args)
        else:
            report, datasets, as_of = _files_report(args)
    except CSLensError as exc:
        where = " ".join(f"{k}={v}" for k, v in exc.where().items())
        print(f"error [{exc.code}]: {exc.message}" + (f" ({where})" if where else ""), file=sys.stderr)
        return EXIT_INPUT_ERROR
    if args.format == "html":
        figures = report_figures(datasets, as_of=as_of, lang=args.lang)
        source = report.get("source") if args.db or args.table else None
        text = render_html(report, lang=args.lang, figures=figures, source=source)
    else:
        text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return EXIT_OK


def _warehouse_report(args: argparse.Namespace) -> tuple[dict[str, Any], Datasets, date]:
    """The report of database tables (``--db``/``--table``): see :mod:`cs_models.warehouse.report`."""
    from cs_models.warehouse.report import run

    mappings = {m.kind: m for m in _mappings(args.mapping)}
    covariates = [c.strip() for c in args.covariates.split(",") if c.strip()] if args.covariates else None
    return run(args.db, args.table or [], max_rows=args.max_rows, as_of=args.as_of, lang=args.lang,
               mappings=mappings, segment=args.segment, covariates=covariates, horizon_days=args.horizon_days,
               forecast_period=args.period, population=args.population)


def _mappings(paths: Sequence[Path] | None) -> list[ColumnMapping]:
    mappings = []
    for path in paths or []:
        if not path.is_file():
            raise ReportInputError("report_no_file", f"{path}: no such file", file=str(path))
        mappings.append(ColumnMapping.from_json(path.read_bytes()))
    return mappings


def _files_report(args: argparse.Namespace) -> tuple[dict[str, Any], Datasets, date]:
    """The report of the files given on the command line."""
    files = []
    for path in args.files:
        if not path.is_file():
            raise ReportInputError("report_no_file", f"{path}: no such file", file=str(path))
        files.append((path.name, path.read_bytes()))
    mappings = _mappings(args.mapping)
    covariates = [c.strip() for c in args.covariates.split(",") if c.strip()] if args.covariates else None
    return load_report(
        files, kind=args.kind, as_of=args.as_of, mappings=mappings or None,
        segment=args.segment, covariates=covariates, lang=args.lang, horizon_days=args.horizon_days,
        forecast_period=args.period,
        segment_filter=SegmentFilter.parse(args.filter or []),
        population=args.population,
    )
