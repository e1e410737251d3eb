"""Judge a ``pip-audit -f json`` report: clean only when every locked package was audited.

Usage: ``python scripts/audit_check.py REPORT.json PIP_AUDIT_EXIT_STATUS`` (``scripts/audit.sh`` calls it).

``pip-audit`` that cannot reach its vulnerability database skips every package ("Dependency not found
on PyPI and could not be audited") and still prints "No known vulnerabilities found" with exit status
0: on a network that reaches only the package index that means nothing. This check fails loudly
instead: exit status 2 when the audit did not run, audited no package, or skipped any; 1 when a
package has a known vulnerability; 0 only when every package was audited and none has one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def verdict(report: dict[str, Any] | None, returncode: int) -> tuple[int, str]:
    """The exit status and the message for a pip-audit JSON report.

    Parameters
    ----------
    report : dict or None
        The parsed ``-f json`` output (``None`` when pip-audit wrote none).
    returncode : int
        pip-audit's exit status.

    Returns
    -------
    tuple of (int, str)
        0 clean, 1 vulnerable, 2 the audit could not be trusted; and what to print.
    """
    if report is None:
        return 2, (f"AUDIT FAILED: pip-audit exited with status {returncode} and wrote no report "
                   "(is the vulnerability database reachable?). Nothing was audited.")
    deps = report.get("dependencies") or []
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    if vulnerable:
        lines = [f"  {d['name']} {d.get('version', '')}: " + ", ".join(v.get("id", "?") for v in d["vulns"])
                 for d in vulnerable]
        return 1, "AUDIT FAILED: known vulnerabilities:\n" + "\n".join(lines)
    if not audited:
        return 2, (f"AUDIT FAILED: 0 of {len(deps)} packages were audited: the vulnerability database "
                   "could not be reached (this is not a clean result). Run scripts/audit.sh on a machine "
                   "that reaches PyPI's vulnerability service or OSV.")
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        return 2, f"AUDIT FAILED: {len(skipped)} of {len(deps)} packages could not be audited: {names}."
    if returncode != 0:
        return 2, f"AUDIT FAILED: pip-audit exited with status {returncode}."
    return 0, f"Audit clean: all {len(audited)} locked packages audited, no known vulnerabilities."


def main(argv: list[str]) -> int:
    """Command line: read the report, print the verdict, return its exit status."""
    path, returncode = Path(argv[0]), int(argv[1])
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = None
    status, message = verdict(report, returncode)
    print(message, file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
