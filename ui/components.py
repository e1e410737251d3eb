"""Shared page components: headers, readings, charts, downloads, errors."""

from __future__ import annotations

import functools
import logging
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cs_models.catalogue import placeholders, translate
from cs_models.charts.theme import apply_theme, set_title
from cs_models.errors import CSLensError
from cs_models.export import to_csv_bytes, to_xlsx_bytes
from cs_models.findings import Finding
from ui.i18n import current_lang, t
from ui.memo import share_streamlit_config
from ui.router import ensure_router
from ui.state import as_of, current_datasets, presentation, segment_filter, unfiltered_datasets

logger = logging.getLogger("cs_lens")
share_streamlit_config()  # the theme sections of every run's new_session message, read once per process
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~:$])")


def md_escape(value: Any) -> str:
    """``value`` as text that Streamlit's markdown shows literally (no links, HTML or directives)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def page_header(namespace: str) -> None:
    """Title and one-line introduction of a page (``<namespace>.page_title`` / ``.intro``).

    Every page calls this first; it also routes a legacy first request through ``app.py`` and
    draws the style of :func:`equal_row`.
    """
    ensure_router()
    st.title(t(f"{namespace}.page_title"))
    st.caption(t(f"{namespace}.intro"))
    equal_rows_style()


def reading(key: str, **params: Any) -> None:
    """A plain-language reading of a result; user-supplied values are escaped."""
    safe = {name: md_escape(value) for name, value in params.items()}
    st.info(t(key, **safe), icon=":material/lightbulb:")


SEVERITY_ICONS = {"alert": ":material/warning:", "notice": ":material/lightbulb:",
                  "positive": ":material/thumb_up:", "info": ":material/info:"}


def show_findings(findings: Sequence[Finding]) -> None:
    """Each finding as one sentence in the current language, its icon from its severity.

    Text parameters (segment names, items: user data) are markdown-escaped.
    """
    for finding in findings:
        text = finding.text(current_lang(), escape=md_escape)
        box = st.warning if finding.severity == "alert" else st.info
        box(text, icon=SEVERITY_ICONS[finding.severity])


#: The children of an :func:`equal_row` share its width equally (flex basis 0), as columns do.
EQUAL_ROW_CSS = '<style>[class*="st-key-cslens_row_"] > * { flex: 1 1 0 !important; min-width: 0; }</style>'


def equal_rows_style() -> None:
    """The style of :func:`equal_row` (drawn by :func:`page_header` on every page)."""
    st.html(EQUAL_ROW_CSS)


def equal_row(key: str) -> Any:
    """A row whose children have equal widths, like ``st.columns`` but one layout block instead of one
    per column besides the row (every block is a message to every browser, on every run).

    Parameters
    ----------
    key : str
        Unique on the page.

    Returns
    -------
    DeltaGenerator
        A horizontal container (styled by :func:`page_header`).
    """
    return st.container(horizontal=True, gap="small", key=f"cslens_row_{key}")


class MetricRow:
    """Tiles side by side, drawn with as few layout blocks as the layout allows.

    When every slot holds a tile, one :func:`equal_row` shows the row; a row with an empty slot
    keeps ``st.columns``, so a lone tile stays in its own part of the row.

    Parameters
    ----------
    slots : int
        Tiles in the row.
    key : str
        Unique on the page.
    """

    def __init__(self, slots: int, key: str) -> None:
        self._tiles: list[dict[str, Any] | None] = [None] * slots
        self._key = key

    def metric(self, slot: int, label: str, value: Any, **kwargs: Any) -> None:
        """Put ``st.metric(label, value, **kwargs)`` in ``slot`` (drawn by :meth:`draw`)."""
        self._tiles[slot] = {"label": label, "value": value, **kwargs}

    def draw(self) -> None:
        """Draw the row: one equal row when every slot is filled, else columns."""
        tiles = self._tiles
        if not any(tiles):
            return
        if all(tiles):
            with equal_row(self._key):
                for tile in tiles:
                    st.metric(**tile)  # type: ignore[arg-type]
            return
        for column, tile in zip(st.columns(len(tiles)), tiles, strict=True):
            if tile is not None:
                column.metric(**tile)


def data_source() -> str:
    """What the current data are: the sample in words, or the uploaded files' names."""
    datasets = current_datasets()
    if datasets.source == "sample" or not datasets.origins:
        return t("common.source_sample")
    return ", ".join(dict.fromkeys(datasets.origins.values()))


def show_chart(fig: go.Figure, *, key: str, title: str | None = None) -> None:
    """Render a Plotly figure with the shared theme (large type in presentation mode).

    ``title`` (plain text) is drawn in the figure with the data source and as-of date under
    it (led by the sidebar's segment filter and its n, when one is chosen), and the toolbar's
    camera saves a PNG at twice the size named ``<key>_<as-of>.png``.
    """
    day = as_of().isoformat()
    scope = segment_filter().scope(current_lang(), unfiltered_datasets())
    _dress(fig, title, t("common.chart_source", source=data_source(), date=day), scope)
    _draw(fig, key, day)


#: (builder, id(result), arguments, title, source line, scope, presentation, language) ->
#: (weak reference to the result, finished figure): figures of shared results, made once.
_FIGURES: dict[tuple[Any, ...], tuple[Any, go.Figure]] = {}


def show_shared_chart(build: Callable[..., go.Figure], result: Any, *args: Any, key: str,
                      title: str | None = None, **kwargs: Any) -> None:
    """``show_chart(build(result, *args, **kwargs), key=key, title=title)`` where ``result`` comes
    from :func:`ui.caching.shared`: the finished figure is made once for every session that shows
    the same result the same way (a hundred sessions opening Churn built the same charts a hundred
    times), and kept while the result lives. The figure is only read after it is made.
    """
    day = as_of().isoformat()
    scope = segment_filter().scope(current_lang(), unfiltered_datasets())
    source = t("common.chart_source", source=data_source(), date=day)
    memo = (build.__module__, build.__qualname__, id(result), repr(args), repr(sorted(kwargs.items())), key,
            title, source, scope, presentation(), current_lang())
    known = _FIGURES.get(memo)
    if known is not None and known[0]() is result:
        _draw(known[1], key, day)
        return
    fig = build(result, *args, **kwargs)
    _dress(fig, title, source, scope)
    try:
        ref = weakref.ref(result, lambda _, memo=memo: _FIGURES.pop(memo, None))
    except TypeError:  # a result that cannot be weakly referenced: not remembered
        ref = None
    if ref is not None:
        _FIGURES[memo] = (ref, fig)
    _draw(fig, key, day)


def _dress(fig: go.Figure, title: str | None, source: str, scope: str | None) -> None:
    title = title if title is not None else fig.layout.title.text
    if title or scope:
        set_title(fig, title or "", source, scope)
    apply_theme(fig, presentation=presentation())


def _draw(fig: go.Figure, key: str, day: str) -> None:
    config = {"displaylogo": False, "locale": current_lang(), "responsive": True,
              "toImageButtonOptions": {"format": "png", "filename": f"{key}_{day}", "scale": 2}}
    st.plotly_chart(fig, width="stretch", config=config, key=key)


#: Decimals of the numbers in a download (the pages show at most this many).
DOWNLOAD_DECIMALS = 3


def money_column(label: str | None = None) -> Any:
    """A table column of yen amounts in the reader's convention: ``¥1,000`` / ``1,000円``."""
    return st.column_config.NumberColumn(label, format="yen" if current_lang() == "en" else "%,d円")


def download_table(frame: pd.DataFrame | Callable[[], pd.DataFrame], stem: str) -> None:
    """CSV (UTF-8 with BOM, for Excel) and XLSX download buttons; formulas neutralised.

    The index is written only when it is named (a group, a cohort, an item): never an unnamed
    column of row numbers. Numbers are rounded to :data:`DOWNLOAD_DECIMALS` decimals. The files
    are written when a button is clicked, not on every rerun, and so is everything else: the
    copy and rounding, and (when ``frame`` is a callable: a table only the download needs) the
    table itself. Such a callable runs outside the script thread: no Streamlit calls (``t``,
    session state) in it; give it the language.
    """
    formats = (("csv", to_csv_bytes, "text/csv"),
               ("xlsx", to_xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    for column, (suffix, write, mime) in zip(st.columns(2), formats, strict=True):
        column.download_button(t(f"common.download_{suffix}"), data=deferred(write, frame),
                               file_name=f"{stem}.{suffix}", mime=mime, key=f"dl_{suffix}_{stem}",
                               icon=":material/download:", on_click="ignore")


def deferred(write: Callable[..., bytes], frame: pd.DataFrame | Callable[[], pd.DataFrame]) -> Callable[[], bytes]:
    """The file of ``frame`` (or of the table ``frame()`` makes) as written by ``write``, as a
    callable that ``st.download_button`` runs on the click."""
    return functools.partial(_write, write, frame)


def _write(write: Callable[..., bytes], frame: pd.DataFrame | Callable[[], pd.DataFrame]) -> bytes:
    table = frame() if callable(frame) else frame
    index = any(name is not None for name in table.index.names)
    floats = table.select_dtypes("float").columns
    if len(floats):
        table = table.copy()
        table[floats] = table[floats].round(DOWNLOAD_DECIMALS)
    return write(table, index=index)


def error_message(exc: CSLensError, *, lang: str | None = None, escape: Callable[[str], str] = md_escape) -> str:
    """The translated message of a package error, with where it happened.

    Parameters
    ----------
    exc : CSLensError
        The package error.
    lang : str, optional
        Language (default: the session's; give it outside the script thread).
    escape : callable
        Escapes user text for where the message goes (Markdown by default; ``html.escape`` for HTML).

    Returns
    -------
    str
        The message, its parameters escaped.
    """
    lang = lang or current_lang()
    key = f"errors.{exc.code}"
    template = translate(lang, key)
    params = {**exc.params, **exc.where()}
    if template == key:  # a code the catalogue does not know
        message, named = escape(exc.message), set()
    else:
        message = translate(lang, key, **{k: escape(str(v)) for k, v in params.items()})
        named = placeholders(template)
    where = [
        translate(lang, f"common.where_{name}", value=escape(str(value)))
        for name, value in exc.where().items()
        if name not in named  # the message itself already says where
    ]
    return " / ".join([message, *where]) if where else message


def show_error(exc: CSLensError) -> None:
    """Show a package error as a translated message (never a traceback)."""
    st.error(error_message(exc), icon=":material/error:")


def show_unexpected_error(exc: BaseException) -> None:
    """Log an unexpected error and show a translated apology instead of a traceback."""
    logger.error("unexpected error", exc_info=exc)
    st.error(t("common.unexpected_error"), icon=":material/error:")


def require_dataset(kind: str) -> pd.DataFrame:
    """The current frame of ``kind``; otherwise explain how to load it and stop the page."""
    frame = current_datasets().get(kind)
    if frame is None:
        st.info(t("common.missing_dataset", dataset=t(f"common.dataset_{kind}")))
        st.page_link("pages/data.py", label=t("data.page_title"), icon=":material/upload_file:")
        st.stop()
    return frame
