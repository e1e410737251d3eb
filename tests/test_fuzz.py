"""The fuzz command, 1,000 mutants as CI's share of it (``scripts/fuzz.py``; README: "Fuzzing")."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fuzz.py"


def load_fuzz():
    spec = importlib.util.spec_from_file_location("fuzz", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and the worker processes look it up by name
    spec.loader.exec_module(module)
    return module


def test_mutants_are_deterministic_and_varied():
    fuzz = load_fuzz()
    first = list(fuzz.mutants(50, seed=7))
    assert first == list(fuzz.mutants(50, seed=7))
    assert len({data for _, data in first}) > 45
    assert {name.rsplit(".", 1)[-1] for name, _ in first} >= {"csv", "xlsx"}


def test_a_thousand_mutants_are_refused_or_analysed_within_the_limits():
    """Every mutant is either refused with the package's own error or analysed: no other exception,
    no worker killed by the 1 GB address-space limit or a native crash, no hang. The time limit here
    only catches hangs (60 s, far above the slowest run measured, 7 s): how fast the runs are is
    measured by the command itself, not asserted by a test."""
    fuzz = load_fuzz()
    outcomes = fuzz.fuzz(1000, seed=0, jobs=2, memory_mb=1024, timeout=60.0)
    assert len(outcomes) == 1000
    table, findings = fuzz.summary(outcomes, 60.0)
    assert findings == 0, table
    assert {o.status for o in outcomes} <= {"ok", "refused"}
    assert sum(o.status == "ok" for o in outcomes) > 100  # the fuzzer reaches the analyses, not only the reader
    assert max(o.peak_mb for o in outcomes) < 1024
