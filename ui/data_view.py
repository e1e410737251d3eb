"""The Data page's parts: what is loaded, templates, and one uploaded file read -> map -> check -> use.

Kept out of ``pages/data.py`` so the page stays a short script; everything here renders
``cs_models.pipeline`` results and never decides anything about the data itself.
"""


from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from cs_models.catalogue import catalogue
from cs_models.datasets import DATASET_KINDS
from cs_models.errors import CSLensError
from cs_models.io import ReadResult
from cs_models.io.isolated import ReadAhead
from cs_models.pipeline import (
    FileReport,
    adapt_mapping,
    assemble,
    check_parts,
    cross_file_issues,
    identical_parts,
    parts_by_kind,
    process_table,
)
from cs_models.schema import FIELDS, REQUIRED, ColumnMapping, detect_kind, numeric_columns, suggest_mapping
from ui.components import download_table, md_escape, show_error
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets, set_uploaded, uploaded_datasets
from ui.upload_store import is_remembered, remembered

PREVIEW_ROWS = 200
ISSUES_SHOWN = 20
TEMPLATES = Path(__file__).resolve().parent.parent / "sample_data" / "templates"
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xls", "parquet"]
NONE = ""
USED_KEY = "data_used_message"
#: This session's :class:`~cs_models.io.isolated.ReadAhead`.
AHEAD_KEY = "_data_read_ahead"


def _read_ahead() -> ReadAhead:
    """This session's reads planned ahead of the page (:class:`~cs_models.io.isolated.ReadAhead`)."""
    ahead = st.session_state.get(AHEAD_KEY)
    if not isinstance(ahead, ReadAhead):
        ahead = st.session_state[AHEAD_KEY] = ReadAhead()
    return ahead


def read_ahead(files: Sequence[tuple[str, str, str, bytes]]) -> None:
    """Plan the reads of the uploaded files not read yet, with their current reading options, so
    that a child reads each file while the page checks the one before it.

    Parameters
    ----------
    files : sequence of (key, file_id, name, data)
        The uploader's files in order, each with its widgets' key prefix (:func:`ui.upload_store.widget_key`).
    """
    reads = []
    for key, file_id, name, data in files:
        sheet, header_row = st.session_state.get(f"{key}_sheet"), st.session_state.get(f"{key}_header_row")
        if not is_remembered(file_id, "read", (sheet, header_row)):
            reads.append(((file_id, sheet, header_row), data, name, {"sheet": sheet, "header_row": header_row}))
    _read_ahead().plan(reads)


def read_upload(file_id: str, data: bytes, filename: str, sheet: str | None, header_row: int | None) -> ReadResult:
    """The uploaded file as a table, read in a child process with memory and time limits (a native
    crash cannot take the server down), planned by :func:`read_ahead` or read now; kept in this
    session only (:mod:`ui.upload_store`)."""
    return remembered(file_id, "read", (sheet, header_row),
                      lambda: _read_ahead().result((file_id, sheet, header_row), data, filename, sheet=sheet,
                                                   header_row=header_row))


def check_upload(file_id: str, data: bytes, filename: str, sheet: str | None, header_row: int | None, kind: str,
                 mapping_json: str) -> FileReport:
    """Map and validate an uploaded file (kept in this session, by file, reading options and mapping)."""
    return remembered(file_id, "check", (sheet, header_row, kind, mapping_json),
                      lambda: process_table(read_upload(file_id, data, filename, sheet, header_row), filename,
                                            kind=kind, mapping=ColumnMapping.from_json(mapping_json)))


def dataset_label(kind: str) -> str:
    """The translated name of a dataset kind."""
    return t(f"common.dataset_{kind}")


def _cell_text(value: object) -> str:
    if pd.isna(value):  # type: ignore[call-overload]
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def preview_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The first rows as the reader sees them: canonical headers translated, dates as YYYY-MM-DD,
    blanks for missing values (not ``None``)."""
    shown = frame.head(PREVIEW_ROWS).copy()
    for column in shown.columns:
        values = shown[column]
        if isinstance(values.dtype, pd.CategoricalDtype):  # the shown rows' texts, not every category (1M IDs)
            codes = values.cat.codes.to_numpy()
            texts = values.cat.categories.to_numpy(dtype=object)[codes]
            values = shown[column] = pd.Series(np.where(codes >= 0, texts, None), index=values.index, dtype=object)
        if pd.api.types.is_datetime64_any_dtype(values):
            shown[column] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif values.isna().any():  # text throughout, so that a blank can stand beside numbers
            shown[column] = [_cell_text(v) for v in values]
    messages = catalogue(current_lang())
    return shown.rename(columns={c: messages.get(f"data.field_{c}", c) for c in shown.columns})


def render_loaded() -> None:
    """The datasets every page analyses now."""
    datasets = current_datasets()
    st.markdown(t("data.summary", source=t(f"common.source_{datasets.source}"), date=as_of().isoformat()))
    for kind in datasets.available():
        frame = datasets.get(kind)
        with st.expander(f"{dataset_label(kind)} — {t('common.rows', n=len(frame))}", expanded=False):
            origin = md_escape(datasets.origins.get(kind, "-"))
            st.caption(t("data.origin", file=origin, columns=len(frame.columns)))
            st.dataframe(preview_table(frame), hide_index=True, width="stretch")
            if len(frame) > PREVIEW_ROWS:
                st.caption(t("data.preview_note", n=PREVIEW_ROWS))
    if uploaded_datasets() is not None and datasets.source == "upload":
        st.button(t("data.use_sample"), key="data_use_sample", icon=":material/undo:",
                  on_click=set_uploaded, args=(None,))


def render_templates() -> None:
    """Blank templates in the current language."""
    with st.expander(t("data.templates_title"), icon=":material/description:"):
        st.caption(t("data.templates_help"))
        columns = st.columns(len(DATASET_KINDS))
        for column, kind in zip(columns, DATASET_KINDS, strict=True):
            path = TEMPLATES / f"{kind}_{current_lang()}.csv"
            column.download_button(
                t("data.template_button", dataset=dataset_label(kind)),
                data=path.read_bytes(),
                file_name=path.name,
                mime="text/csv",
                key=f"data_template_{kind}",
                on_click="ignore",
                icon=":material/download:",
            )


def mapping_editor(key: str, read: ReadResult, kind: str, saved: ColumnMapping | None,
                   file_id: str = "") -> ColumnMapping:
    """Selectboxes field -> column (suggested once per file and kind, or from a saved mapping) and the
    columns to leave out."""
    headers = [str(c) for c in read.frame.columns]
    if saved is not None and saved.kind == kind:
        base = adapt_mapping(saved, read.frame)
    else:
        base = remembered(file_id, "suggest", (read.sheet, read.header_row, kind),
                          lambda: suggest_mapping(read.frame, kind))
    st.markdown(f"**{t('data.mapping_title')}**")
    st.caption(t("data.mapping_help"))
    fields: dict[str, str] = {}
    none_label = t("data.mapping_none")
    columns = st.columns(3)
    for i, name in enumerate(FIELDS[kind]):
        label = t(f"data.field_{name}")
        if name in REQUIRED[kind]:
            label = t("data.required_mark", field=label)
        widget_key = f"{key}_{kind}_{name}"
        if saved is not None or st.session_state.get(widget_key) not in [NONE, *headers]:
            st.session_state[widget_key] = base.fields.get(name, NONE)
        chosen = columns[i % 3].selectbox(
            label,
            [NONE, *headers],
            format_func=lambda h: none_label if h == NONE else h,
            key=widget_key,
        )
        if chosen != NONE:
            fields[name] = chosen
    free = [h for h in headers if h not in fields.values()]
    ignored_key = f"{key}_{kind}_ignored"
    if saved is not None:
        st.session_state[ignored_key] = [h for h in base.ignored if h in free]
    elif ignored_key in st.session_state:
        st.session_state[ignored_key] = [h for h in st.session_state[ignored_key] if h in free]
    ignored = st.multiselect(t("data.ignored"), free, key=ignored_key, placeholder=t("data.ignored_placeholder"))
    scales: dict[str, tuple[int, int]] = {}
    if kind in ("survey", "gaps"):
        candidates = [h for h in numeric_columns(read.frame) if h not in fields.values() and h not in ignored]
        scales = scale_editor(f"{key}_{kind}_scales", candidates, base.scales, reset=saved is not None)
    return ColumnMapping(kind=kind, fields=_unique(fields), ignored=tuple(ignored), scales=scales)


def scale_editor(key: str, columns: list[str], suggested: Mapping[str, tuple[int, int]],
                 *, reset: bool) -> dict[str, tuple[int, int]]:
    """A small table of answer scales (lowest/highest) per numeric question; blank = not checked."""
    if not columns:
        return {}
    if reset:
        st.session_state.pop(key, None)
    table = pd.DataFrame(
        {
            "column": columns,
            "low": pd.array([suggested[c][0] if c in suggested else None for c in columns], dtype="Int64"),
            "high": pd.array([suggested[c][1] if c in suggested else None for c in columns], dtype="Int64"),
        }
    )
    st.caption(t("data.scales_help"))
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        disabled=["column"],
        num_rows="fixed",
        width="stretch",
        column_config={
            "column": st.column_config.TextColumn(t("data.scale_column")),
            "low": st.column_config.NumberColumn(t("data.scale_low"), step=1),
            "high": st.column_config.NumberColumn(t("data.scale_high"), step=1),
        },
    )
    scales: dict[str, tuple[int, int]] = {}
    for column, low, high in edited[["column", "low", "high"]].itertuples(index=False):
        if pd.isna(low) or pd.isna(high):
            continue
        if int(low) >= int(high):
            st.warning(t("data.scale_invalid", column=md_escape(column)), icon=":material/rule:")
            continue
        scales[column] = (int(low), int(high))
    return scales


def _unique(fields: dict[str, str]) -> dict[str, str]:
    """Field -> column with each column kept for its first field only (the user picked it twice)."""
    seen: set[str] = set()
    out: dict[str, str] = {}
    for name, header in fields.items():
        if header not in seen:
            out[name] = header
            seen.add(header)
    return out


def saved_mapping(key: str) -> ColumnMapping | None:
    """A mapping JSON the user uploaded for this file, applied once per upload."""
    upload = st.file_uploader(t("data.mapping_upload"), type=["json"], key=f"{key}_mapping_file")
    if upload is None:
        return None
    marker = f"{key}_mapping_applied"
    digest = hashlib.sha256(upload.getvalue()).hexdigest()
    if st.session_state.get(marker) == digest:
        return None
    mapping = ColumnMapping.from_json(upload.getvalue())
    st.session_state[marker] = digest
    st.session_state[f"{key}_kind"] = mapping.kind
    st.success(t("data.mapping_applied"), icon=":material/check:")
    return mapping


def translated_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """The issue list with translated messages and actions, for the screen and the download."""
    return pd.DataFrame(
        {
            t("data.col_file"): issues["file"],
            t("data.col_row"): issues["row"],
            t("data.col_column"): issues["column"],
            t("data.col_value"): issues["value"],
            t("data.col_code"): issues["code"].map(lambda c: t(f"validation_label.{c}")),
            t("data.col_message"): [
                t(f"validation.{c}", value=v, detail=d)
                for c, v, d in zip(issues["code"], issues["value"], issues["detail"], strict=True)
            ],
            t("data.col_action"): issues["action"].map(lambda a: t(f"validation.action_{a}")),
        }
    )


def render_validation(key: str, report: FileReport) -> None:
    """Row counts, problems by type, the first problems and the full list as a download."""
    v = report.validation
    st.markdown(f"**{t('data.validation_title')}**")
    left, middle, right = st.columns(3)
    left.metric(t("data.rows_read"), f"{v.rows_read:,}")
    middle.metric(t("data.rows_used"), f"{v.rows_used:,}")
    right.metric(t("data.rows_excluded"), f"{v.rows_excluded:,}")
    if v.issues.empty:
        st.success(t("data.no_issues"), icon=":material/check_circle:")
        return
    st.warning(t("data.issues_summary", n=f"{len(v.issues):,}"), icon=":material/rule:")
    counts = v.issue_counts()
    st.caption(t("data.issue_counts"))
    st.dataframe(
        pd.DataFrame(
            {
                t("data.col_code"): [t(f"validation_label.{c}") for c in counts["code"]],
                t("data.col_action"): counts["action"].map(lambda a: t(f"validation.action_{a}")),
                t("data.col_count"): counts["count"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    table = translated_issues(v.issues)
    st.caption(t("data.issues_first", n=min(ISSUES_SHOWN, len(table))))
    # a static table wraps the long messages to the page's width (a data grid would cut them off)
    st.table(table.head(ISSUES_SHOWN), hide_index=True)
    download_table(table, f"{key}_issues")


def render_file(key: str, file_id: str, name: str, data: bytes) -> FileReport | None:
    """One uploaded file: reading options, kind, mapping, check and preview."""
    with st.container(border=True):
        st.subheader(t("data.file_title", file=md_escape(name)), anchor=False)
        header_row = st.session_state.get(f"{key}_header_row")
        sheet = st.session_state.get(f"{key}_sheet")
        try:
            read = read_upload(file_id, data, name, sheet, header_row)
        except CSLensError as exc:
            show_error(exc)
            if header_row is None:
                return None
            read = None
        left, right = st.columns(2)
        left.number_input(t("data.header_row"), min_value=1, value=None, step=1, key=f"{key}_header_row",
                          help=t("data.header_row_help"), placeholder=t("data.header_row_auto"))
        if read is None:
            return None
        if len(read.sheets or ()) > 1:
            if sheet is None:
                st.session_state[f"{key}_sheet"] = read.sheet
            right.selectbox(t("data.sheet"), list(read.sheets), key=f"{key}_sheet")
        if read.kind == "parquet":
            st.caption(t("data.read_summary_parquet", columns=len(read.frame.columns), rows=f"{len(read.frame):,}"))
        elif read.sheet:
            st.caption(t("data.read_summary_sheet", sheet=md_escape(read.sheet), row=read.header_row,
                         rows=f"{len(read.frame):,}"))
        else:
            encoding = t(f"data.encoding_{read.encoding}")
            if encoding == f"data.encoding_{read.encoding}":
                encoding = md_escape(read.encoding)
            st.caption(t("data.read_summary", encoding=encoding, row=read.header_row,
                         rows=f"{len(read.frame):,}"))
        if read.blank_rows_dropped:
            st.caption(t("data.blank_rows", n=read.blank_rows_dropped))
        for note in read.notes:
            st.caption(t(f"ingest.note_{note}"))
        if read.sheet and read.sheet in read.sheets:  # each sheet has its own kind and mapping
            key = f"{key}_s{list(read.sheets).index(read.sheet)}"
        try:
            saved = saved_mapping(key)
        except CSLensError as exc:
            show_error(exc)
            saved = None
        kind_key = f"{key}_kind"
        if kind_key not in st.session_state:
            st.session_state[kind_key] = detect_kind(read.frame).kind
        labels = {k: dataset_label(k) for k in DATASET_KINDS}  # translated now, not in a later callback
        kind = st.selectbox(t("data.kind"), DATASET_KINDS, key=kind_key, format_func=labels.__getitem__,
                            help=t("data.kind_help"))
        mapping = mapping_editor(key, read, kind, saved, file_id)
        st.download_button(
            t("data.mapping_download"),
            data=mapping.to_json().encode("utf-8"),
            file_name=f"{Path(name).stem}_mapping.json",
            mime="application/json",
            key=f"{key}_mapping_download",
            on_click="ignore",
            icon=":material/download:",
        )
        missing = mapping.missing_fields()
        if missing:
            fields = t("data.list_separator").join(t(f"data.field_{f}") for f in missing)
            st.warning(t("data.mapping_incomplete", fields=fields), icon=":material/rule:")
            return None
        try:
            chosen_sheet = sheet if read.sheet else None
            report = check_upload(file_id, data, name, chosen_sheet, header_row, kind, mapping.to_json())
        except CSLensError as exc:
            show_error(exc)
            return None
        render_validation(key, report)
        st.markdown(f"**{t('data.preview_title')}**")
        st.dataframe(preview_table(report.frame), hide_index=True, width="stretch")
        if len(report.frame) > PREVIEW_ROWS:
            st.caption(t("data.preview_note", n=PREVIEW_ROWS))
        return report


def render_use(reports: list[FileReport]) -> None:
    """The button that makes the checked files this session's data."""
    if not reports:
        st.info(t("data.nothing_to_use"))
        return
    empty = [r for r in reports if r.validation.rows_used == 0]
    for report in empty:
        st.warning(t("data.no_rows", file=md_escape(report.file)), icon=":material/block:")
    reports = [r for r in reports if r.validation.rows_used > 0]
    if not reports:
        st.info(t("data.nothing_to_use"))
        return
    for kind, parts in parts_by_kind(reports).items():
        same = identical_parts(parts)
        if same is not None:  # one file uploaded twice: its rows would count twice
            st.warning(t("data.duplicate_kind", first=md_escape(same[0].file), second=md_escape(same[1].file),
                         dataset=dataset_label(kind)))
            return
        if len(parts) > 1:
            try:
                check_parts(parts)
            except CSLensError as exc:
                show_error(exc)
                return
            files = t("data.list_separator").join(md_escape(p.file) for p in parts)
            st.info(t("data.parts_combined", dataset=dataset_label(kind), files=files, n=len(parts)),
                    icon=":material/join:")
    across = cross_file_issues(reports)
    if not across.empty:
        st.warning(t("data.issues_across_files", n=f"{len(across):,}"), icon=":material/rule:")
        table = translated_issues(across)
        st.table(table.head(ISSUES_SHOWN), hide_index=True)
        download_table(table, "data_issues_across_files")
    st.button(t("data.use_files"), type="primary", key="data_use_files", help=t("data.use_files_help"),
              icon=":material/check:", on_click=use_reports, args=(reports,))


def use_reports(reports: list[FileReport]) -> None:
    """Button callback: make the checked files this session's data (before the page reruns)."""
    datasets = assemble(reports, combine=True)
    set_uploaded(datasets)
    st.session_state[USED_KEY] = t("data.list_separator").join(dataset_label(k) for k in datasets.available())


