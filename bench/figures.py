"""The figures of ``python -m bench``: what is timed, on which data, against which peer.

Each :class:`Figure` builds its data once (``setup``) in a fresh process, then times ``run``
``repeat`` times; its peer (another library doing the same or a bare part of the same job) is a
figure of its own, run in its own process so that the peak RSS of each is its own.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Figure:
    """One timed task: ``setup(size)`` builds its input once, ``run(input)`` is timed."""

    name: str
    unit: str
    default: int
    full: int
    setup: Callable[[int], Any]
    run: Callable[[Any], object]
    peer: str | None = None  # name of the figure it is compared with


# ----------------------------------------------------------------------------- data
def customers_csv(n: int) -> bytes:
    """A Japanese customers export (bench_io's table) as Excel's "CSV UTF-8" (with BOM)."""
    from bench.bench_io import customers

    return customers(n).to_csv(index=False).encode("utf-8-sig")


def events_csv(n: int) -> bytes:
    """A Japanese billing export ``顧客ID, 請求日 (2024/4/1), 請求額 (9,800)`` (bench_upload's)."""
    from bench.bench_upload import make_events

    return make_events(n)


def customers_xlsx(n: int) -> bytes:
    """bench_io's customers table as an XLSX written by XlsxWriter."""
    from bench.bench_io import customers, write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers.xlsx"
        write_xlsx(customers(n), path)
        return path.read_bytes()


def events_as_uploaded(n: int) -> pd.DataFrame:
    """bench_cohorts' events with the ids as the upload path gives them (``validate``'s dtype)."""
    from bench.bench_cohorts import synthetic_events

    events = synthetic_events(n)
    events["customer_id"] = _as_uploaded_ids(events["customer_id"])
    return events


def _as_uploaded_ids(ids: pd.Series) -> pd.Series:
    """The ids as ``validate`` finishes them: cleaned texts, then a categorical of sorted texts."""
    from cs_models.ids import categorical_ids
    from cs_models.schema._cells import _map_unique, _text_id

    texts = _map_unique(ids.astype(str).astype(object), _text_id)
    return categorical_ids(pd.DataFrame({"customer_id": texts}))["customer_id"]


def split_events(n: int, parts: int = 4, parquet: bool = False) -> list[tuple[str, bytes]]:
    """bench_upload's events cut into ``parts`` files (each with the header), as CSV or as Parquet
    (text columns, as a warehouse export of the same CSV would hold them)."""
    import io

    text = events_csv(n)
    header_end = text.index(b"\n") + 1
    header, body = text[:header_end], text[header_end:]
    cuts = [0]
    for i in range(1, parts):
        cuts.append(body.index(b"\n", len(body) * i // parts) + 1)
    cuts.append(len(body))
    files = []
    for i in range(parts):
        chunk = header + body[cuts[i]: cuts[i + 1]]
        if parquet:
            import pyarrow as pa
            import pyarrow.csv as pacsv
            import pyarrow.parquet as pq

            names = header.decode("utf-8-sig").strip().split(",")
            types = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
            table = pacsv.read_csv(io.BytesIO(chunk.removeprefix(b"\xef\xbb\xbf")), convert_options=types)
            buf = io.BytesIO()
            pq.write_table(table, buf)
            files.append((f"events_{i + 1}.parquet", buf.getvalue()))
        else:
            files.append((f"events_{i + 1}.csv", chunk))
    return files


#: Peak resident memory (MB) of the reader's child processes during the last timed run (0: none).
READER_PEAK_MB = [0.0]


def _watch_children(stop: Any) -> None:
    """Keep in :data:`READER_PEAK_MB` the largest ``VmHWM`` of the zygote's children until ``stop`` is set."""
    from cs_models.io import isolated

    while not stop.is_set():
        process = isolated._ZYGOTE._process
        if process is not None:
            try:
                children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            except OSError:
                children = []
            for pid in children:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        READER_PEAK_MB[0] = max(READER_PEAK_MB[0], int(line.split()[1]) / 1024)
        stop.wait(0.02)


def upload_end_to_end(kind: str) -> Callable[[list[tuple[str, bytes]]], object]:
    """What the Data page does with the files: each read in the reader's child process (zygote
    started beforehand, as in a running server), the next read while this one is checked
    (``ReadAhead``), detected, mapped, validated, then assembled."""

    def run(files: list[tuple[str, bytes]]) -> object:
        import threading

        from cs_models.io.isolated import ReadAhead
        from cs_models.pipeline import assemble, process_table
        from cs_models.schema import detect_kind, suggest_mapping

        stop = threading.Event()
        watcher = threading.Thread(target=_watch_children, args=(stop,), daemon=True)
        watcher.start()
        try:
            ahead = ReadAhead()
            ahead.plan([(name, data, name, {}) for name, data in files])
            reports = []
            for name, data in files:
                read = ahead.result(name, data, name)
                detect_kind(read.frame)
                reports.append(process_table(read, name, kind=kind, mapping=suggest_mapping(read.frame, kind)))
            datasets = assemble(reports, combine=True)
        finally:
            stop.set()
            watcher.join()
        return len(datasets.get(kind))

    return run


def _warm_zygote(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Start the reader's zygote (a server has it running before the first upload)."""
    from cs_models.io.isolated import read_table_isolated

    read_table_isolated(b"a,b\n1,2\n", "warm.csv")
    return files


# ----------------------------------------------------------------------------- tasks
def upload(kind: str, filename: str) -> Callable[[bytes], object]:
    """Read + detect + map + validate, as the Data page does (in this process)."""

    def run(data: bytes) -> object:
        from cs_models.io import read_table
        from cs_models.schema import detect_kind, suggest_mapping, validate

        read = read_table(data, filename)
        detect_kind(read.frame)
        return validate(read, kind, suggest_mapping(read.frame, kind)).rows_used

    return run


def pyarrow_read(data: bytes) -> object:
    """The bare read of a CSV by pyarrow (types inferred, no checks): the floor for a read."""
    import io

    import pyarrow.csv as pacsv

    return pacsv.read_csv(io.BytesIO(data)).num_rows


def calamine_read(data: bytes) -> object:
    """``pandas.read_excel(engine="calamine")``: the bare read of a workbook."""
    import io

    return len(pd.read_excel(io.BytesIO(data), engine="calamine"))


def cohorts(events: pd.DataFrame) -> object:
    from cs_models.cohorts import cohort_table

    return int(cohort_table(events, as_of="2026-10-31", period="month").counts.notna().sum().sum())


def cohorts_duckdb(events: pd.DataFrame) -> object:
    from bench.bench_cohorts import duckdb_frame

    return duckdb_frame(events)


OVERVIEW_IMPORTS = ("import ui.state, ui.components, ui.caching, ui.report_button, ui.navigation, ui.sidebar; "
                    "[__import__(f'ui.cards.{s.namespace}') for s in ui.navigation.PAGES if s.card]")


def import_overview(_: object) -> object:
    """A fresh interpreter importing what the router and the Overview (with its cards) import."""
    return subprocess.run([sys.executable, "-c", OVERVIEW_IMPORTS], cwd=ROOT, check=True).returncode


ROUTER_IMPORTS = ("import importlib\nfrom tests.test_lazy_imports import startup_modules\n"
                  "for module in startup_modules():\n    importlib.import_module(module)")


def import_router(_: object) -> object:
    """A fresh interpreter importing what ``app.py`` imports (the router and sidebar, drawn first)."""
    return subprocess.run([sys.executable, "-c", ROUTER_IMPORTS], cwd=ROOT, check=True).returncode


# ends with os._exit once the page is drawn: a server goes on serving, it does not tear its interpreter down,
# and that teardown (freeing every module and object, 0.5-0.7 s CPU here) is no part of a cold start
FIRST_RUN = ("from streamlit.testing.v1 import AppTest; at = AppTest.from_file('app.py', default_timeout=3600); "
             "at.query_params['lang'] = 'en'; at.run(); assert not at.exception; import os; os._exit(0)")


def first_run_overview(_: object) -> object:
    """A fresh interpreter running the app once on the sample data (AppTest): imports, the Overview's
    cards computed and drawn; a cold start to the first page, without the browser."""
    return subprocess.run([sys.executable, "-c", FIRST_RUN], cwd=ROOT, check=True, capture_output=True).returncode


def import_scipy_stats(_: object) -> object:
    """A fresh interpreter importing ``scipy.stats`` (part of the figure above when the page needs it)."""
    return subprocess.run([sys.executable, "-c", "import scipy.stats"], check=True).returncode


def import_python(_: object) -> object:
    """A fresh interpreter doing nothing: the floor of the two figures above."""
    return subprocess.run([sys.executable, "-c", "pass"], check=True).returncode


def _none(_: int) -> None:
    return None


def loaded(n_customers: int) -> Any:
    """Customers (bench_survival's, with segments and MRR) and 10 events per customer of theirs
    (bench_cohorts' generator, ids as uploaded), as an upload in this session's state: hashed once
    by :func:`ui.caching.remember_digests`, as ``ui.state.set_uploaded`` does for a real upload."""
    from bench.bench_cohorts import synthetic_events
    from bench.bench_survival import customers
    from cs_models.datasets import Datasets
    from cs_models.ids import align_ids
    from ui.caching import remember_digests

    people = customers(n_customers)[["customer_id", "start_date", "end_date", "mrr", "seg2", "seg3"]]
    people = people.rename(columns={"seg2": "plan", "seg3": "region"})
    events = synthetic_events(10 * n_customers)
    codes = events["customer_id"].cat.codes.to_numpy() % n_customers
    events["customer_id"] = people["customer_id"].to_numpy(dtype=object)[codes]
    # customer ids categorical with one set of categories, as ``pipeline.assemble`` gives an upload
    return remember_digests(Datasets(**align_ids({"customers": people, "events": events})))


def rerun_setup(page: str) -> Callable[[int], Any]:
    """An AppTest session on ``page`` with ``loaded(n)`` uploaded, after its first (cold) run."""

    def setup(n_customers: int) -> Any:
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
        at.query_params["lang"] = "en"
        at.session_state["uploaded_datasets"] = loaded(n_customers)
        at.session_state["source"] = "upload"
        at.switch_page(page)
        at.run()
        return at

    return setup


def rerun(at: Any) -> object:
    """A warm rerun of the page (same data, same widgets): what a click elsewhere costs."""
    at.run()
    return len(at.exception)


RERUN_PAGES = ("overview", "cohorts", "revenue", "churn", "risk", "forecast", "data")


FIGURES: tuple[Figure, ...] = (
    Figure("upload customers CSV", "rows", 200_000, 1_000_000, customers_csv,
           upload("customers", "customers.csv"), peer="pyarrow.csv read (customers)"),
    Figure("pyarrow.csv read (customers)", "rows", 200_000, 1_000_000, customers_csv, pyarrow_read),
    Figure("upload events CSV", "rows", 1_000_000, 10_000_000, events_csv,
           upload("events", "events.csv"), peer="pyarrow.csv read (events)"),
    Figure("pyarrow.csv read (events)", "rows", 1_000_000, 10_000_000, events_csv, pyarrow_read),
    Figure("upload customers XLSX", "rows", 20_000, 100_000, customers_xlsx,
           upload("customers", "customers.xlsx"), peer="pandas calamine read"),
    Figure("pandas calamine read", "rows", 20_000, 100_000, customers_xlsx, calamine_read),
    Figure("upload end to end: customers CSV", "rows", 200_000, 1_000_000,
           lambda n: _warm_zygote([("customers.csv", customers_csv(n))]), upload_end_to_end("customers"),
           peer="pyarrow.csv read (customers)"),
    Figure("upload end to end: events CSV ×4", "rows", 1_000_000, 10_000_000,
           lambda n: _warm_zygote(split_events(n)), upload_end_to_end("events"), peer="pyarrow.csv read (events)"),
    Figure("upload end to end: events Parquet ×4", "rows", 1_000_000, 10_000_000,
           lambda n: _warm_zygote(split_events(n, parquet=True)), upload_end_to_end("events"),
           peer="pyarrow.csv read (events)"),
    Figure("cohorts, events as uploaded", "events", 1_000_000, 10_000_000, events_as_uploaded, cohorts,
           peer="DuckDB SQL cohorts"),
    Figure("DuckDB SQL cohorts", "events", 1_000_000, 10_000_000, events_as_uploaded, cohorts_duckdb),
    Figure("cold start: Overview imports", "process", 1, 1, _none, import_overview, peer="bare python"),
    Figure("cold start: router imports", "process", 1, 1, _none, import_router, peer="bare python"),
    Figure("cold start: first run of the Overview", "process", 1, 1, _none, first_run_overview, peer="bare python"),
    Figure("cold start: scipy.stats", "process", 1, 1, _none, import_scipy_stats, peer="bare python"),
    Figure("bare python", "process", 1, 1, _none, import_python),
    *(Figure(f"warm rerun: {page}", "customers (+10× events)", 20_000, 1_000_000, rerun_setup(f"pages/{page}.py"),
             rerun) for page in RERUN_PAGES),
)


def by_name(name: str) -> Figure:
    """The figure called ``name``."""
    for figure in FIGURES:
        if figure.name == name:
            return figure
    raise KeyError(name)


def checksum(value: object) -> str:
    """A short text of a run's result, so that a figure and its peer can be seen to agree."""
    return str(value) if isinstance(value, int | np.integer) else type(value).__name__
