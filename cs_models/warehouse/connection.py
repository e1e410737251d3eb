"""Connections to a SQL engine: embedded DuckDB over session-private Parquet, or a read-only warehouse.

Every query goes through :meth:`Warehouse.fetch`, which counts the rows first and refuses a
result larger than :attr:`Warehouse.max_rows` (``DataError`` ``warehouse_too_many_rows``): only
aggregates, or one row per customer or ticket, ever cross the network. Passwords never reach an
error message or a log: :func:`redact` masks them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from cs_models.errors import DataError

#: Most rows one query may bring back (aggregates are far smaller).
DEFAULT_MAX_ROWS = 2_000_000
#: Environment variable the command line reads the warehouse URL from.
URL_ENV = "CS_LENS_DB_URL"
#: psycopg option that makes every transaction of the session read-only.
READ_ONLY_OPTIONS = "-c default_transaction_read_only=on"
_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?P<tail>@)")
_KEY_VALUE = re.compile(r"(?i)(password\s*=\s*)('[^']*'|\S+)")


def redact(text: str, url: str | None = None) -> str:
    """``text`` with every URL password (and ``password=...``) replaced by ``***``.

    Parameters
    ----------
    text : str
        A message, URL or log line.
    url : str, optional
        The connection URL: its password is also masked wherever it appears verbatim.

    Returns
    -------
    str
        The text without the secret.
    """
    out = _PASSWORD.sub(lambda m: f"{m['head']}***{m['tail']}", text)
    out = _KEY_VALUE.sub(lambda m: f"{m.group(1)}***", out)
    if url:
        secret = urlsplit(url).password
        if secret:
            for form in {secret, unquote(secret)}:
                out = out.replace(form, "***")
    return out


def parse_table_ref(ref: str) -> tuple[str | None, str]:
    """``"schema.table"`` as ``(schema, table)``; ``(None, table)`` without a schema.

    Parameters
    ----------
    ref : str
        The table reference as given on the command line or chosen in the app.

    Returns
    -------
    tuple
        The schema (or ``None``) and the table name.
    """
    schema, dot, table = ref.rpartition(".")
    return (schema or None) if dot else None, table


class Warehouse:
    """An ibis backend with the tables of each dataset kind and a row limit.

    Parameters
    ----------
    backend : ibis backend
        The connection (DuckDB, PostgreSQL, ...).
    name : str
        What to call the source in messages (never holds a password).
    tables : mapping of kind -> table reference, optional
        ``{"events": "public.events", ...}``.
    max_rows : int
        Largest result :meth:`fetch` returns.
    tempdir : str, optional
        A private directory deleted by :meth:`close` (the embedded engine's Parquet files).
    """

    def __init__(self, backend: Any, *, name: str, tables: Mapping[str, str] | None = None,
                 max_rows: int = DEFAULT_MAX_ROWS, tempdir: str | None = None) -> None:
        self.backend = backend
        self.name = name
        self.tables: dict[str, str] = dict(tables or {})
        self.max_rows = int(max_rows)
        self.tempdir = tempdir
        self._cached: list[Any] = []

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Disconnect and delete the private temp directory (idempotent)."""
        for cached in self._cached:  # before disconnecting: their finalisers need the connection
            with contextlib.suppress(Exception):
                cached.release()
        self._cached.clear()
        with contextlib.suppress(Exception):  # already closed: nothing to release
            self.backend.disconnect()
        if self.tempdir is not None:
            shutil.rmtree(self.tempdir, ignore_errors=True)
            self.tempdir = None

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------ tables
    def list_tables(self) -> list[str]:
        """Tables the connection can read, as ``schema.table`` where the schema is not the default.

        Returns
        -------
        list of str
            Sorted table references.
        """
        return sorted(self.backend.list_tables())

    def has(self, kind: str) -> bool:
        """Whether a table is assigned to ``kind``.

        Parameters
        ----------
        kind : str
            A dataset kind.

        Returns
        -------
        bool
            True when :attr:`tables` names a table for it.
        """
        return kind in self.tables

    def table(self, kind_or_ref: str) -> Any:
        """The ibis table of a dataset kind (or of a table reference).

        Parameters
        ----------
        kind_or_ref : str
            A kind in :attr:`tables`, else a ``schema.table`` reference.

        Returns
        -------
        ibis.Table
            The unevaluated table expression.

        Raises
        ------
        DataError
            ``warehouse_no_table`` when the table does not exist.
        """
        ref = self.tables.get(kind_or_ref, kind_or_ref)
        schema, name = parse_table_ref(ref)
        try:
            return self.backend.table(name, database=schema) if schema else self.backend.table(name)
        except Exception as exc:  # noqa: BLE001 - every driver has its own "no such table"
            raise DataError("warehouse_no_table", redact(f"{ref}: {exc}"), table=ref) from None

    def fetch(self, expr: Any, what: str) -> pd.DataFrame:
        """Run ``expr`` after checking that its result has at most :attr:`max_rows` rows.

        Parameters
        ----------
        expr : ibis.Table
            The query.
        what : str
            The table or aggregate named in the refusal.

        Returns
        -------
        pandas.DataFrame
            The result.

        Raises
        ------
        DataError
            ``warehouse_too_many_rows`` (with ``table``, ``rows`` and ``limit``) when too large.
        """
        rows = int(expr.count().execute())
        if rows > self.max_rows:
            raise DataError("warehouse_too_many_rows",
                            f"{what}: the query would return {rows:,} rows (limit {self.max_rows:,})",
                            table=what, rows=rows, limit=self.max_rows)
        return expr.execute()

    def reuse(self, expr: Any) -> Any:
        """``expr`` computed once and kept for the next queries (embedded engine only).

        A warehouse connection is read-only (no temp tables), so there the expression is
        returned as it is and recomputed by each query that uses it.

        Parameters
        ----------
        expr : ibis.Table
            An intermediate result used by several queries.

        Returns
        -------
        ibis.Table
            A cached table (DuckDB) or ``expr``.
        """
        if self.tempdir is None:
            return expr
        cached = expr.cache()
        self._cached.append(cached)
        return cached

    def scalar(self, expr: Any) -> Any:
        """The value of a scalar expression (a count, a maximum).

        Parameters
        ----------
        expr : ibis scalar expression
            One value.

        Returns
        -------
        object
            The value (``None`` for SQL NULL).
        """
        value = expr.execute()
        return None if value is None or (isinstance(value, float) and value != value) else value


def connect(url: str | None = None, *, tables: Mapping[str, str] | None = None,
            max_rows: int = DEFAULT_MAX_ROWS) -> Warehouse:
    """A read-only connection to a warehouse URL (``postgresql://user:pw@host:port/db``).

    Parameters
    ----------
    url : str, optional
        The URL; read from the environment variable :data:`URL_ENV` when omitted. Other ibis
        schemes (``bigquery://``, ``snowflake://``) go through ``ibis.connect``.
    tables : mapping of kind -> table reference, optional
        Tables of the dataset kinds.
    max_rows : int
        Row limit of every query.

    Returns
    -------
    Warehouse
        The connection; PostgreSQL sessions are read-only (``default_transaction_read_only``).

    Raises
    ------
    DataError
        ``warehouse_no_url`` without a URL, ``warehouse_connect_failed`` (password masked).
    """
    import ibis

    url = url or os.environ.get(URL_ENV)
    if not url:
        raise DataError("warehouse_no_url", f"no database URL (give --db or set {URL_ENV})", variable=URL_ENV)
    parts = urlsplit(url)
    name = redact(url)
    try:
        if parts.scheme in ("postgres", "postgresql", "postgresql+psycopg"):
            backend = ibis.postgres.connect(
                host=parts.hostname or None, port=parts.port or 5432, user=unquote(parts.username or "") or None,
                password=unquote(parts.password) if parts.password else None,
                database=unquote(parts.path.lstrip("/")) or None, options=READ_ONLY_OPTIONS,
            )
        else:
            backend = ibis.connect(url)
    except Exception as exc:  # noqa: BLE001 - drivers raise their own types; the message is what counts
        raise DataError("warehouse_connect_failed", redact(f"cannot connect to {name}: {exc}", url),
                        source=name) from None
    return Warehouse(backend, name=name, tables=tables, max_rows=max_rows)


def private_dir() -> str:
    """A new session-private directory (mode 0700) for the embedded engine's files.

    Returns
    -------
    str
        Its path; :meth:`Warehouse.close` deletes it.
    """
    path = tempfile.mkdtemp(prefix="cs_lens_")
    os.chmod(path, stat.S_IRWXU)
    return path


def embedded(sources: Mapping[str, pd.DataFrame | str | Path], *, max_rows: int = DEFAULT_MAX_ROWS) -> Warehouse:
    """The embedded engine: DuckDB over Parquet files in a private temp directory.

    Frames are written once to Parquet there; paths of Parquet files are read in place.

    Parameters
    ----------
    sources : mapping of kind -> DataFrame or Parquet path
        The data of each dataset kind (canonical or raw headers).
    max_rows : int
        Row limit of every query.

    Returns
    -------
    Warehouse
        Use it as a context manager (or call ``close()``) so the files are deleted.
    """
    import ibis

    tempdir = private_dir()
    backend = ibis.duckdb.connect()
    try:
        for kind, source in sources.items():
            path = Path(source) if not isinstance(source, pd.DataFrame) else Path(tempdir) / f"{kind}.parquet"
            if isinstance(source, pd.DataFrame):
                source.to_parquet(path, index=False)
            backend.read_parquet(str(path), table_name=kind)
    except BaseException:
        shutil.rmtree(tempdir, ignore_errors=True)
        raise
    return Warehouse(backend, name="embedded", tables={k: k for k in sources}, max_rows=max_rows,
                     tempdir=tempdir)
