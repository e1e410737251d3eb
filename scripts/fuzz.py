"""Fuzz the upload path and every analysis with mutated files, each run under memory and time limits.

Usage::

    .venv/bin/python scripts/fuzz.py [--mutants 5000] [--seed 0] [--jobs 2] [--memory-mb 1024] [--timeout 10]

Seeds are small slices of the bundled sample files (CSV in ja/en, one XLSX, one Parquet) and the ingestion fixture
corpus (``tests/fixtures/ingest``). Each mutant (byte flips, cuts, repeated chunks, hostile cells,
far-away dates and cell references, changes inside the XLSX archive) goes through
:func:`cs_models.pipeline.load_files` and then every report section, in worker processes whose
address space is limited to ``--memory-mb`` and whose every mutant is stopped after ``--timeout``
seconds. A file may be refused (the package's own ``CSLensError``) or analysed; anything else is a
finding: another exception type, a finding's sentence with a missing number or ``nan`` in it
(``nonsense:<code>``), a timeout, or a worker that died. The table printed at the end
counts them; the exit status is 1 when there is any.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import multiprocessing
import os
import random
import re
import resource
import signal
import sys
import time
import types
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# spawned workers import this module (as ``fuzz`` when a test loaded it) and cs_models from these folders
for _folder in (str(ROOT), str(Path(__file__).resolve().parent)):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)
CORPUS = ROOT / "tests" / "fixtures" / "ingest"
SEED_ROWS = 40
#: Cells an attacker or a broken export may hold.
HOSTILE = (
    b'"', b'""', b",", b"\t", b"\r", b"\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"=1+1", b"@SUM(A1)",
    "令和99年1月1日".encode(), b"1900-01-00", b"9999-12-31", b"-1e300", b"1e308", b"NaN", b"inf",
    "￥1,000,000,000,000".encode(), b"<script>alert(1)</script>", "ｱ".encode() * 3000, b"A" * 40_000,
    b'r="ZZZZZZ1"', b'<dimension ref="A1:XFD1048576"/>', b"0", b"", b" ", "\u3000".encode(),
)


#: What a finding's sentence must never hold: a missing number (``–``) standing in for a value, a
#: missing interval, ``nan``/``inf``/``None``, or an expected loss of 0.0 accounts.
NONSENSE = re.compile(r"(?:^|[\s(（:：、,，=])–(?!\d)|–––|\bnan\b|\bNaN\b|\binf\b|\bNone\b|lose 0\.0 ")


@dataclass(frozen=True)
class Outcome:
    """What one mutant did: ``ok``, ``refused`` (a CSLensError), or a finding (``foreign:<Type>``,
    ``timeout``, ``crash``), with its run time, the worker's peak RSS while it ran this mutant, and how
    far above the worker's RSS before it that peak was (so the shapes that drive memory can be named)."""

    status: str
    seconds: float
    peak_mb: float
    raised_mb: float = 0.0


# ----------------------------------------------------------------------------- seeds
@functools.cache
def seeds() -> list[tuple[str, bytes]]:
    """Small sample slices (CSV ja/en, XLSX, Parquet) and the ingestion fixture corpus (made once: the
    workbook carries the time it was written)."""
    from cs_models.export import to_xlsx_bytes
    from cs_models.sample import SAMPLE_DIR

    out: list[tuple[str, bytes]] = []
    for lang in ("ja", "en"):
        for path in sorted((SAMPLE_DIR / lang).glob("*.csv")):
            lines = path.read_bytes().splitlines(keepends=True)
            out.append((path.name, b"".join(lines[: SEED_ROWS + 1])))
    import pandas as pd

    customers = pd.read_csv(SAMPLE_DIR / "ja" / "customers.csv", nrows=SEED_ROWS, dtype=str)
    out.append(("customers.xlsx", to_xlsx_bytes({"顧客": customers}, index=False)))
    for kind in ("customers", "events"):
        parquet = io.BytesIO()
        pd.read_csv(SAMPLE_DIR / "en" / f"{kind}.csv", nrows=SEED_ROWS, dtype=str).to_parquet(parquet, index=False)
        out.append((f"{kind}.parquet", parquet.getvalue()))
    out += [(p.name, p.read_bytes()) for p in sorted(CORPUS.iterdir()) if p.stat().st_size < 200_000]
    return out


# ----------------------------------------------------------------------------- mutators
def _flip(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _cut(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _repeat(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 200))
    return data[:i] + data[i:j] * rng.randint(2, 2000) + data[j:]


def _hostile(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice(HOSTILE) + data[i:]


def _in_archive(rng: random.Random, data: bytes) -> bytes:
    """Mutate one XML part of an XLSX and repack it (the bytes outside stay a valid zip)."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        infos = source.infolist()
    except Exception:  # noqa: BLE001 - not a zip: mutate the bytes instead
        return _hostile(rng, data)
    parts = [i.filename for i in infos if i.filename.endswith(".xml")]
    target = rng.choice(parts) if parts else None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            content = source.read(info.filename)
            if info.filename == target:
                content = rng.choice((_flip, _cut, _repeat, _hostile, _far_reference))(rng, content)
            # the part's own time stamp, so the same seed gives the same bytes
            archive.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _far_reference(rng: random.Random, data: bytes) -> bytes:
    """A cell reference or dimension moved far away (``ZZZZZ1``, ``A1048577``)."""
    row = rng.choice((1, 1048576, 1048577, 10**9))
    far = rng.choice((b"ZZZZZ", b"AAAAAAA", b"XFD", b"XFE", b"A")) + str(row).encode()
    return re.sub(rb'(r|ref)="[A-Z]+\d+', lambda m: m.group(1) + b'="' + far, data, count=rng.randint(1, 3))


MUTATORS: tuple[Callable[[random.Random, bytes], bytes], ...] = (_flip, _cut, _repeat, _hostile, _far_reference)


def mutants(count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """``count`` mutated files, the same for the same ``seed``."""
    rng = random.Random(seed)
    pool = list(seeds())
    for _ in range(count):
        name, data = rng.choice(pool)
        mutate = _in_archive if name.endswith(".xlsx") and rng.random() < 0.5 else rng.choice(MUTATORS)
        for _ in range(rng.randint(1, 3)):
            data = mutate(rng, data)
        yield name, data


# ----------------------------------------------------------------------------- workers
def _limit(memory_mb: int) -> None:
    """Worker initialiser: one BLAS thread and an address-space limit."""
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import cs_models.report  # noqa: F401 - import once, before any mutant


def _timeout(*_: object) -> None:
    raise TimeoutError


def run_one(name: str, data: bytes, timeout: float) -> Outcome:
    """Load one file and run every report section on it, within ``timeout`` seconds."""
    from cs_models.errors import CSLensError
    from cs_models.pipeline import load_files
    from cs_models.report import analysis_sections

    signal.signal(signal.SIGALRM, _timeout)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    before = _reset_peak()
    start = time.perf_counter()
    try:
        datasets, _ = load_files([(name, data)])
        day = datasets.latest_date()
        said = analysis_sections(datasets, as_of=day)[1] if day is not None else []
        odd = [f.code for f in said for lang in ("ja", "en") if NONSENSE.search(f.text(lang))]
        status = f"nonsense:{odd[0]}" if odd else "ok"
    except CSLensError:
        status = "refused"
    except TimeoutError:
        status = "timeout"
    except BaseException as exc:  # noqa: BLE001 - every other exception is what the fuzzer looks for
        status = f"foreign:{type(exc).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    peak = _peak_mb()
    return Outcome(status, time.perf_counter() - start, peak, peak - before)


def _status_mb(field: str) -> float | None:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None


def _reset_peak() -> float:
    """Reset the process's peak RSS to its current RSS (Linux ``clear_refs``) and return that RSS, so
    the next :func:`_peak_mb` is this mutant's own peak (``ru_maxrss`` never goes down, and a spawned
    worker's starts at its parent's size at the fork before ``exec``)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_mb("VmRSS") or 0.0
    except OSError:
        return _peak_mb()


def _peak_mb() -> float:
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def _pool(jobs: int, memory_mb: int) -> Iterator[ProcessPoolExecutor]:
    """Workers started fresh ("spawn"), not forked: a forked worker would count the parent's list of
    every mutant in its own RSS (with 5,000 mutants, 150 MB before it read anything).

    A spawned worker re-runs its parent's ``__main__``; when that is not this script (pytest, or a
    script an AppTest ran before), the workers are started with an empty one instead.
    """
    main = sys.modules.get("__main__")
    ours = main is None or getattr(main, "run_one", None) is run_one
    if not ours:
        sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_limit,
                                 initargs=(memory_mb,)) as pool:
            yield pool
    finally:
        if not ours:
            sys.modules["__main__"] = main  # type: ignore[assignment]


def fuzz(count: int, *, seed: int = 0, jobs: int = 2, memory_mb: int = 1024, timeout: float = 10.0) -> list[Outcome]:
    """Run ``count`` mutants; a worker that dies (a native crash, the memory limit) counts as ``crash``.

    Parameters
    ----------
    count : int
        Number of mutants.
    seed : int
        Seed of the mutations.
    jobs : int
        Worker processes.
    memory_mb : int
        Address-space limit of each worker.
    timeout : float
        Seconds each mutant may take.

    Returns
    -------
    list of Outcome
        One per mutant, in order.
    """
    files = list(mutants(count, seed))
    outcomes: list[Outcome | None] = [None] * len(files)
    pending = list(range(len(files)))
    while pending:
        with _pool(jobs, memory_mb) as pool:
            futures = {i: pool.submit(run_one, *files[i], timeout) for i in pending}
            pending = []
            for i, future in futures.items():
                try:
                    outcomes[i] = future.result(timeout=timeout * 3 + 60)
                except BrokenProcessPool:  # this or another mutant killed its worker: retry the others alone
                    pending.append(i)
                except TimeoutError:  # stuck in native code beyond the alarm
                    outcomes[i] = Outcome("timeout", timeout * 3, 0.0)
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
        if pending:
            pending = _isolate(files, pending, outcomes, memory_mb, timeout)
    return [o for o in outcomes if o is not None]


def _isolate(files: list[tuple[str, bytes]], pending: list[int], outcomes: list[Outcome | None],
             memory_mb: int, timeout: float) -> list[int]:
    """Run the mutants of a broken pool one per fresh worker, so a crash is pinned on its mutant."""
    for i in pending:
        with _pool(1, memory_mb) as pool:
            try:
                outcomes[i] = pool.submit(run_one, *files[i], timeout).result(timeout=timeout * 3 + 60)
            except (BrokenProcessPool, TimeoutError):
                outcomes[i] = Outcome("crash", 0.0, float(memory_mb))
    return []


def summary(outcomes: list[Outcome], timeout: float) -> tuple[str, int]:
    """The printed table and the number of findings."""
    counts = Counter(o.status for o in outcomes)
    findings = sum(n for status, n in counts.items() if status not in ("ok", "refused"))
    slow = sum(o.seconds > timeout for o in outcomes)
    lines = [
        "| figure | value |", "|---|---|",
        f"| mutants | {len(outcomes):,} |",
        *(f"| {status} | {n:,} |" for status, n in sorted(counts.items())),
        f"| runs over {timeout:g} s | {slow:,} |",
        f"| slowest run | {max((o.seconds for o in outcomes), default=0):.2f} s |",
        f"| peak worker RSS | {max((o.peak_mb for o in outcomes), default=0):.0f} MB |",
        f"| findings (foreign exceptions, nonsense sentences, timeouts, crashes) | {findings:,} |",
    ]
    return "\n".join(lines), findings


def main(argv: list[str] | None = None) -> int:
    """Command line: fuzz and print the table; exit 1 on any finding."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--heaviest", type=int, default=5, help="list the mutants that raised the peak RSS most")
    parser.add_argument("--dump", type=Path, help="folder to write each finding's and each slow run's file to")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    outcomes = fuzz(args.mutants, seed=args.seed, jobs=args.jobs, memory_mb=args.memory_mb, timeout=args.timeout)
    table, findings = summary(outcomes, args.timeout)
    print(table)
    worst = [i for i, o in enumerate(outcomes) if o.status not in ("ok", "refused") or o.seconds > args.timeout]
    heavy = sorted(range(len(outcomes)), key=lambda i: -outcomes[i].peak_mb)[: args.heaviest]
    files = list(mutants(args.mutants, args.seed))
    if heavy:
        print("\nMutants with the highest worker RSS:")
    for i in heavy:
        name, data = files[i]
        print(f"- mutant {i} of {name} ({len(data):,} bytes): {outcomes[i].peak_mb:.0f} MB "
              f"(+{outcomes[i].raised_mb:.0f} MB), {outcomes[i].status}, {outcomes[i].seconds:.1f} s")
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / f"heavy_{i:05d}_{name}").write_bytes(data)
    for i in worst:
        name, data = files[i]
        outcome = outcomes[i]
        print(f"- mutant {i} of {name} ({len(data):,} bytes): {outcome.status}, {outcome.seconds:.1f} s")
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / f"{i:05d}_{name}").write_bytes(data)
    print(f"\n{time.perf_counter() - start:.0f} s, seed {args.seed}, {args.jobs} workers, {args.memory_mb} MB each")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
