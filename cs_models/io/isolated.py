"""Reading an uploaded file in a child process with memory and time limits.

A native parser can fail in ways Python cannot catch: calamine aborts the whole process when an
allocation fails (SIGABRT), and a stuck native loop ignores signals. In the app that process is the
server, so one hostile upload would end every colleague's session. :func:`read_table_isolated` runs
:func:`cs_models.io.read_table` in a fresh interpreter (``python -m cs_models.io.isolated``), which
limits its own address space before it reads anything; the child's
:class:`~cs_models.errors.IngestError` comes back as it was raised, and a child that dies or
overruns its deadline becomes ``ingest_reader_crashed`` / ``ingest_reader_timeout``.

The file goes to the child through a pipe, never through a file. The child works in a folder of its
own, made for this one call (``mkdtemp``: mode 0700, a unique name) and given to it as its working
folder and ``TMPDIR``, so anything a parser writes is private to the call; the folder is removed
with whatever is in it when the call ends, however it ends.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from cs_models.errors import IngestError
from cs_models.io._base import ReadResult

#: Address space of the child: room for pandas and the reader's copies of a file of this size. The
#: interpreter with pandas maps about 370 MB, so a small file's read stays under about 512 MB of RSS.
BASE_MEMORY_MB = 768
MEMORY_PER_MB = 12
#: Seconds a read may take before the child is stopped.
TIMEOUT_S = 120.0
#: The folder that holds ``cs_models`` (the child imports from it, wherever it was started).
_ROOT = str(Path(__file__).resolve().parents[2])


def run_isolated(target: str, *args: Any, name: str, memory_mb: int, timeout: float, **kwargs: Any) -> Any:
    """``module:function`` called with ``args``/``kwargs`` in a child interpreter with limits.

    Parameters
    ----------
    target : str
        ``"package.module:function"``, imported by the child.
    *args, **kwargs
        Its arguments (pickled to the child).
    name : str
        File name for the error messages.
    memory_mb : int
        Address-space limit of the child.
    timeout : float
        Seconds before the child is stopped.

    Returns
    -------
    object
        What the function returned.

    Raises
    ------
    IngestError
        The one the function raised; ``ingest_out_of_memory`` when the child ran out of memory;
        ``ingest_reader_timeout`` past the deadline; ``ingest_reader_crashed`` when the child died.
    """
    request = pickle.dumps((target, args, kwargs, memory_mb), protocol=pickle.HIGHEST_PROTOCOL)
    private = tempfile.mkdtemp(prefix="cs_lens_read_")  # 0700, unique: this call's only
    try:
        answer = _communicate(request, private, name=name, timeout=timeout)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    try:
        status, payload = pickle.loads(answer)  # noqa: S301 - written by our own child, not by the file
    except Exception:  # noqa: BLE001 - no answer: the child died (a native crash, the memory limit)
        raise IngestError("ingest_reader_crashed", f"{name}: the reader stopped unexpectedly.", file=name) from None
    if status == "memory":
        raise IngestError("ingest_out_of_memory", f"{name} needs more memory to read than the server has.",
                          file=name)
    if status == "error":
        raise payload
    return payload


def _communicate(request: bytes, private: str, *, name: str, timeout: float) -> bytes:
    """Start the child in ``private`` (its working folder and temp folder), send ``request``, return its answer."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([_ROOT, os.environ.get("PYTHONPATH", "")]),
           "OPENBLAS_NUM_THREADS": "1", "TMPDIR": private, "TEMP": private, "TMP": private}
    with subprocess.Popen([sys.executable, "-m", "cs_models.io.isolated"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=private) as child:
        try:
            answer, _ = child.communicate(request, timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise IngestError("ingest_reader_timeout", f"{name}: reading took longer than {timeout:.0f} s.",
                              file=name, seconds=f"{timeout:.0f}") from None
    return answer


def read_table_isolated(data: bytes, filename: str, *, sheet: str | None = None,
                        header_row: int | None = None, timeout: float = TIMEOUT_S) -> ReadResult:
    """:func:`cs_models.io.read_table` in a child process (see the module's description).

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Its name.
    sheet : str, optional
        Worksheet to read.
    header_row : int, optional
        1-based header row.
    timeout : float
        Seconds the read may take.

    Returns
    -------
    ReadResult
        The same as :func:`cs_models.io.read_table` gives.
    """
    memory_mb = BASE_MEMORY_MB + MEMORY_PER_MB * len(data) // (1024 * 1024)
    return run_isolated("cs_models.io:read_table", data, filename, name=filename, memory_mb=memory_mb,
                        timeout=timeout, sheet=sheet, header_row=header_row)


def _serve() -> None:
    """The child: limit the address space, run the request from stdin, answer on stdout."""
    target, args, kwargs, memory_mb = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the server
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module, function = target.split(":")
    try:
        answer: tuple[str, Any] = ("ok", getattr(importlib.import_module(module), function)(*args, **kwargs))
    except IngestError as exc:
        answer = ("error", exc)
    except MemoryError:
        answer = ("memory", None)
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve()
