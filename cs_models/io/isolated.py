"""Reading an uploaded file in a child process with memory and time limits.

A native parser can fail in ways Python cannot catch: calamine aborts the whole process when an
allocation fails (SIGABRT), and a stuck native loop ignores signals. In the app that process is the
server, so one hostile upload would end every colleague's session. :func:`read_table_isolated` runs
:func:`cs_models.io.read_table` in a child process, which limits its own address space before it
reads anything; the child's :class:`~cs_models.errors.IngestError` comes back as it was raised, and a
child that dies or overruns its deadline becomes ``ingest_reader_crashed`` / ``ingest_reader_timeout``.

The children are forked by a *zygote*: one interpreter per server (``python -m cs_models.io.isolated``,
started on the first read) that has imported the reader and pandas once, so a read does not pay for
those imports again (about a second each). For each read the server makes a socket pair and hands
one end to the zygote over their private control socket (``SCM_RIGHTS``: no path on disk, nothing
another user can connect to); the zygote forks a child that talks to the server on it. The zygote
ends when the server does.

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
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Hashable, Sequence
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
    return _decoded(_answer(target, *args, name=name, memory_mb=memory_mb, timeout=timeout, **kwargs), name)


def _answer(target: str, *args: Any, name: str, memory_mb: int, timeout: float, **kwargs: Any) -> bytes | bytearray:
    """The child's pickled answer to :func:`run_isolated`'s call, not yet unpickled (empty: it died).

    Raises
    ------
    IngestError
        ``ingest_reader_timeout`` past the deadline.
    """
    # the file's bytes go after the request as they are: not copied into it, received as one bytes object
    blobs = [a for a in args if type(a) is bytes]
    shown = tuple(_Blob if type(a) is bytes else a for a in args)
    request = pickle.dumps((target, shown, kwargs, memory_mb), protocol=pickle.HIGHEST_PROTOCOL)
    private = tempfile.mkdtemp(prefix="cs_lens_read_")  # 0700, unique: this call's only
    try:
        return _communicate(request, private, name=name, timeout=timeout, blobs=blobs)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _decoded(answer: bytes | bytearray, name: str) -> Any:
    """What the child's answer (:func:`_answer`) holds: the function's result, or its error raised."""
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


class _Blob:
    """Stands in the pickled request for a ``bytes`` argument, which is sent after it (see :func:`run_isolated`)."""


def _communicate(request: bytes, private: str, *, name: str, timeout: float,
                 blobs: list[bytes] | None = None) -> bytes | bytearray:
    """Have the zygote fork a child that works in ``private`` (its working folder and temp folder),
    send it ``request`` and then ``blobs`` and return its answer (empty when the child died without one)."""
    ours, theirs = socket.socketpair()
    with ours:
        try:
            _ZYGOTE.fork_child(theirs)
        finally:
            theirs.close()
        deadline = time.monotonic() + timeout
        pid = 0
        try:
            pid = int.from_bytes(_receive(ours, 8, deadline), "little")
            _send(ours, private.encode())
            _send(ours, request)
            for blob in blobs or ():
                _send(ours, blob)
            return _receive(ours, int.from_bytes(_receive(ours, 8, deadline), "little"), deadline)
        except TimeoutError:
            if pid:
                os.kill(pid, signal.SIGKILL)
            raise IngestError("ingest_reader_timeout", f"{name}: reading took longer than {timeout:.0f} s.",
                              file=name, seconds=f"{timeout:.0f}") from None
        except (ConnectionError, EOFError):  # the child died (a native crash, the memory limit)
            return b""


def _send(channel: socket.socket, payload: bytes) -> None:
    """``payload`` after its length (sent as they are: a large payload is not copied)."""
    channel.sendall(len(payload).to_bytes(8, "little"))
    channel.sendall(payload)


def _receive(channel: socket.socket, size: int, deadline: float | None) -> bytearray:
    """``size`` bytes from ``channel`` (read into one buffer); ``TimeoutError`` past ``deadline``,
    ``EOFError`` when it closes."""
    out = bytearray(size)
    view, done = memoryview(out), 0
    while done < size:
        channel.settimeout(None if deadline is None else max(deadline - time.monotonic(), 0.001))
        got = channel.recv_into(view[done:], min(size - done, 1 << 22))  # socket.timeout is TimeoutError
        if not got:
            raise EOFError
        done += got
    return out


class _Zygote:
    """The server's handle on the zygote: started on first use, restarted if it died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None

    def fork_child(self, end: socket.socket) -> None:
        """Hand ``end`` to the zygote, which forks a child to serve it.

        Parameters
        ----------
        end : socket.socket
            The child's end of the server's socket pair (the server may close its copy afterwards).
        """
        with self._lock:
            for attempt in (1, 2):
                try:
                    socket.send_fds(self._running(), [b"r"], [end.fileno()])
                    return
                except OSError:  # the zygote died: start a new one, once
                    self._stop()
                    if attempt == 2:
                        raise

    def _running(self) -> socket.socket:
        if self._control is None or self._process is None or self._process.poll() is not None:
            self._stop()
            control, theirs = socket.socketpair()
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([_ROOT, os.environ.get("PYTHONPATH", "")]),
                   "OPENBLAS_NUM_THREADS": "1",
                   # Arrow's buffers from the system allocator: freed memory goes back when a read ends
                   # (jemalloc/mimalloc would keep it for the next read in a child that is about to exit).
                   "ARROW_DEFAULT_MEMORY_POOL": "system"}
            command = [sys.executable, "-m", "cs_models.io.isolated", str(theirs.fileno())]
            self._process = subprocess.Popen(command, pass_fds=[theirs.fileno()], env=env, cwd="/",  # noqa: S603
                                             stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            theirs.close()
            self._control = control
        return self._control

    def _stop(self) -> None:
        if self._control is not None:
            self._control.close()  # the zygote sees the end of its control socket and exits
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._control = self._process = None


_ZYGOTE = _Zygote()


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
    return _decoded(_read_answer(data, filename, sheet=sheet, header_row=header_row, timeout=timeout), filename)


def _read_answer(data: bytes, filename: str, *, sheet: str | None = None, header_row: int | None = None,
                 timeout: float = TIMEOUT_S) -> bytes | bytearray:
    """The reader child's answer for :func:`read_table_isolated`, not yet unpickled (:func:`_decoded`)."""
    memory_mb = BASE_MEMORY_MB + MEMORY_PER_MB * len(data) // (1024 * 1024)
    return _answer("cs_models.io.isolated:_read_as_codes", data, filename, name=filename, memory_mb=memory_mb,
                   timeout=timeout, sheet=sheet, header_row=header_row)


class ReadAhead:
    """Reads of several files in the reader's children, up to :attr:`AHEAD` files ahead of the caller:
    while the server checks one file, children read the next ones (on two cores, two files ahead rather
    than one took 10M events in four CSV files from 8.5–8.7 s to 6.7–7.5 s, the server's peak RSS
    unchanged at 1.5 GB), and no more than those wait read (the server holds three files' results at most).

    The reads run in threads of this object's own, which only wait on the children's sockets; an
    answer is unpickled (the table's cells built) by :meth:`result`, in the caller's thread: the next
    child starts as soon as an answer has arrived, and the unpickling does not hold the interpreter's
    lock while the caller checks a file. Each result is handed out once, by :meth:`result`, with the
    error the read raised, if any. One object per session: nothing read here reaches another session.
    """

    #: How many planned files are read ahead of the one the caller takes.
    AHEAD = 2

    def __init__(self) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=self.AHEAD, thread_name_prefix="cs-lens-read-ahead")
        self._pending: dict[Hashable, Future[bytes | bytearray]] = {}
        self._planned: list[tuple[Hashable, bytes, str, dict[str, Any]]] = []

    def plan(self, reads: Sequence[tuple[Hashable, bytes, str, dict[str, Any]]]) -> None:
        """Read these files in this order, the first :attr:`AHEAD` now and each next one when one
        before is taken; reads of earlier plans that are not in this one are dropped.

        Parameters
        ----------
        reads : sequence of (key, data, filename, options)
            ``key`` names the read for :meth:`result`; ``options`` go to :func:`read_table_isolated`
            (``sheet``, ``header_row``, ``timeout``).
        """
        keys = {key for key, *_ in reads}
        for key in [k for k in self._pending if k not in keys]:
            self._pending.pop(key).cancel()
        self._planned = [read for read in reads if read[0] not in self._pending]
        self._start_next()

    def result(self, key: Hashable, data: bytes, filename: str, **options: Any) -> ReadResult:
        """The read planned under ``key`` (waiting for it), or read now when none was planned; the
        next planned read starts meanwhile.

        Parameters
        ----------
        key : hashable
            As given to :meth:`plan`.
        data : bytes
            The file's content.
        filename : str
            Its name.
        **options
            As for :func:`read_table_isolated`.

        Returns
        -------
        ReadResult
            What :func:`read_table_isolated` gives (its error is raised here).
        """
        if key not in self._pending and any(k == key for k, *_ in self._planned):
            self._planned = [read for read in self._planned if read[0] != key]
            self._pending[key] = self._pool.submit(_read_answer, data, filename, **options)
        pending = self._pending.pop(key, None)
        self._start_next()  # the next file is read while the caller checks this one
        if pending is None:
            return read_table_isolated(data, filename, **options)
        return _decoded(pending.result(), filename)

    def _start_next(self) -> None:
        while self._planned and len(self._pending) < self.AHEAD:
            key, data, filename, options = self._planned.pop(0)
            self._pending[key] = self._pool.submit(_read_answer, data, filename, **options)


def _read_as_codes(data: bytes, filename: str, **kwargs: Any) -> ReadResult:
    """:func:`cs_models.io.read_table` as the child runs it: the columns read as codes are not turned
    into cells here (the result travels as codes; the server builds the frame when it unpickles it)."""
    from cs_models.io import read_table
    from cs_models.io._base import DEFER_FRAME

    token = DEFER_FRAME.set(True)
    try:
        return read_table(data, filename, **kwargs)
    finally:
        DEFER_FRAME.reset(token)


def _zygote(control_fd: int) -> None:
    """The zygote: import the reader, then fork one child per socket the server hands over."""
    importlib.import_module("cs_models.io")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    control = socket.socket(fileno=control_fd)
    while True:
        message, fds, _, _ = socket.recv_fds(control, 1, 1)
        if not message:  # the server has gone
            return
        if os.fork() == 0:
            control.close()
            status = 1
            try:
                _serve(socket.socket(fileno=fds[0]))
                status = 0
            finally:
                os._exit(status)
        for fd in fds:
            os.close(fd)


def _receive_bytes(channel: socket.socket, size: int) -> bytes:
    """``size`` bytes from a blocking ``channel`` as one ``bytes`` object (received into it, not copied);
    ``EOFError`` when it closes."""
    parts: list[bytes] = []
    while size:
        part = channel.recv(size, socket.MSG_WAITALL)  # all of it, unless a signal cut the wait short
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)  # none: b""


def _serve(channel: socket.socket) -> None:
    """A child: tell the server its pid, move into the private folder, limit the address space, run
    the request, answer."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    channel.sendall(os.getpid().to_bytes(8, "little"))
    private = _receive(channel, int.from_bytes(_receive(channel, 8, None), "little"), None).decode()
    request = _receive(channel, int.from_bytes(_receive(channel, 8, None), "little"), None)
    os.chdir(private)
    os.environ.update(TMPDIR=private, TEMP=private, TMP=private)
    tempfile.tempdir = private
    target, shown, kwargs, memory_mb = pickle.loads(request)  # noqa: S301 - from the server
    blob = importlib.import_module(__spec__.name if __spec__ else __name__)._Blob  # the zygote runs as __main__
    args = [_receive_bytes(channel, int.from_bytes(_receive(channel, 8, None), "little")) if a is blob else a
            for a in shown]
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module, function = target.split(":")
    try:
        answer: tuple[str, Any] = ("ok", getattr(importlib.import_module(module), function)(*args, **kwargs))
    except IngestError as exc:
        answer = ("error", exc)
    except MemoryError:
        answer = ("memory", None)
    _send(channel, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _zygote(int(sys.argv[1]))
