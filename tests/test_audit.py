"""The dependency audit fails loudly when it cannot see its database (issue 16): pip-audit then skips
every package and says "No known vulnerabilities found" with exit status 0 (as it does on this
network, which reaches only the package index). Canned reports in pip-audit 2.10's ``-f json`` shape."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "audit_check.py"
SKIP = "Dependency not found on PyPI and could not be audited: {name} ({version})"


def load_check():
    spec = importlib.util.spec_from_file_location("audit_check", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _locked() -> list[tuple[str, str]]:
    """Name and version of every package in requirements.lock."""
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return [tuple(line.split(" ")[0].split("==")) for line in lines if "==" in line and not line.startswith(" ")]


def _report(audited: bool, vulns: dict[str, list[str]] | None = None) -> dict:
    deps = []
    for name, version in _locked():
        if audited:
            deps.append({"name": name, "version": version,
                         "vulns": [{"id": v, "fix_versions": [], "aliases": [], "description": ""}
                                   for v in (vulns or {}).get(name, [])]})
        else:
            deps.append({"name": name, "skip_reason": SKIP.format(name=name, version=version)})
    return {"dependencies": deps, "fixes": []}


def test_the_lock_pins_the_full_tree_with_hashes():
    text = (ROOT / "requirements.lock").read_text()
    locked = dict(_locked())
    assert len(locked) > 40
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            name = name.split("[")[0]  # extras (ibis-framework[duckdb,postgres]) are not part of the name
            assert locked[name.lower()] == version.strip()  # the lock keeps the direct pins
    assert text.count("--hash=sha256:") >= len(locked)


def test_zero_audited_packages_is_a_failure_not_a_clean_result():
    status, message = load_check().verdict(_report(audited=False), 0)
    assert status == 2
    assert "0 of" in message
    assert "not a clean result" in message


def test_no_report_is_a_failure():
    status, message = load_check().verdict(None, 1)
    assert status == 2
    assert "Nothing was audited" in message


def test_a_partly_skipped_audit_is_a_failure():
    report = _report(audited=True)
    report["dependencies"][0] = {"name": "altair", "skip_reason": SKIP.format(name="altair", version="1")}
    assert load_check().verdict(report, 0)[0] == 2


def test_a_known_vulnerability_fails_and_a_full_clean_audit_passes():
    check = load_check()
    status, message = check.verdict(_report(audited=True, vulns={"streamlit": ["GHSA-xxxx"]}), 1)
    assert status == 1
    assert "streamlit" in message
    assert "GHSA-xxxx" in message
    status, message = check.verdict(_report(audited=True), 0)
    assert status == 0
    assert f"all {len(_locked())} locked packages" in message


@pytest.mark.parametrize(("audited", "expected"), [(False, 2), (True, 0)])
def test_the_command_exits_with_the_verdict(tmp_path, audited, expected):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report(audited=audited)))
    run = subprocess.run([sys.executable, str(SCRIPT), str(path), "0"], capture_output=True, text=True, check=False)
    assert run.returncode == expected
    assert ("AUDIT FAILED" in run.stderr) == (expected != 0)
