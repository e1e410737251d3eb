"""``python -m cs_models <command>``: ``report`` (see :mod:`cs_models.report`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

COMMANDS = ("report",)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a sub-command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(f"usage: python -m cs_models {{{','.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    from cs_models.report import main as report_main

    return report_main(args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
