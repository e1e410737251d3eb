"""A throw-away PostgreSQL cluster for the warehouse tests (session-scoped).

``initdb`` into a temp dir, ``pg_ctl start`` on 127.0.0.1 with a free port and the unix socket in
that dir, one database holding the English sample files (customers, events, tickets) with typed
columns, and ``pg_ctl stop`` at the end. As root (``initdb`` refuses root) the cluster runs as
the ``postgres`` OS user. Without the binaries the tests are skipped with the reason, except in
CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "en"
#: Column types of the sample tables (as a warehouse would hold them).
DATES = {"customers": ("start_date", "end_date"), "events": ("date",),
         "tickets": ("Created at", "First reply at", "Solved at")}
USER = "cslens"
DATABASE = "cslens"


@dataclass(frozen=True)
class Cluster:
    """A running test cluster: the superuser URL and the data frames loaded into ``public``."""

    url: str
    frames: dict[str, pd.DataFrame]
    bin_dir: str

    def url_with_password(self, password: str) -> str:
        """The URL with a password added (trust auth ignores it)."""
        return self.url.replace(f"//{USER}@", f"//{USER}:{password}@")


def _bin_dir() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample_frames() -> dict[str, pd.DataFrame]:
    """The English sample files as typed frames (dates as timestamps, numbers as numbers).

    Returns
    -------
    dict
        ``customers``, ``events``, ``tickets``.
    """
    out = {}
    for kind, dates in DATES.items():
        frame = pd.read_csv(SAMPLE / f"{kind}.csv", encoding="utf-8-sig")
        for column in dates:
            frame[column] = pd.to_datetime(frame[column])
        out[kind] = frame
    return out


def _run(prefix: list[str], *args: str) -> None:
    subprocess.run([*prefix, *args], check=True, capture_output=True, text=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL cluster with the sample tables in ``public`` (stopped and deleted at the end)."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) not found: scripts/test.sh installs 'postgresql'")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found; run scripts/test.sh to install them")
    root = tempfile.mkdtemp(prefix="cs_lens_pg_")
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, user="postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(root, "data"), _free_port()
    pg_ctl = os.path.join(bin_dir, "pg_ctl")
    try:
        _run(prefix, os.path.join(bin_dir, "initdb"), "-D", data, "-A", "trust", "-U", USER, "-E", "UTF8",
             "--no-sync", "--locale=C.UTF-8")
        _run(prefix, pg_ctl, "-D", data, "-l", os.path.join(root, "log"), "-w", "-t", "60", "-o",
             f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off", "start")
        url = f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}"
        frames = sample_frames()
        _load(port, frames)
        yield Cluster(url=url, frames=frames, bin_dir=bin_dir)
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _load(port: int, frames: dict[str, pd.DataFrame]) -> None:
    """Create the database and the tables (a writable connection: the app's are read-only)."""
    import ibis
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DATABASE}")
    con = ibis.postgres.connect(host="127.0.0.1", port=port, user=USER, database=DATABASE)
    try:
        for kind, frame in frames.items():
            con.create_table(kind, frame)
        con.raw_sql("CREATE SCHEMA crm; CREATE TABLE crm.accounts AS SELECT * FROM public.customers;")
    finally:
        con.disconnect()


def text_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``customer_id`` as Python strings: SQL gives text, an upload a categorical (cs_models.ids)."""
    return frame.assign(customer_id=frame["customer_id"].astype(object)) if "customer_id" in frame else frame
