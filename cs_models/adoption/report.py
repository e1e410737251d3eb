"""The ``"adoption"`` section of ``python -m cs_models report``."""

from __future__ import annotations

from datetime import date
from typing import Any

from cs_models.adoption.analysis import fit_adoption
from cs_models.adoption.findings import METHOD_TEXT, findings, reading
from cs_models.datasets import Datasets
from cs_models.results import frame_records, json_number, jsonable


def report_section(datasets: Datasets, *, as_of: date, population: float | None = None,
                   **_options: Any) -> dict[str, Any] | None:
    """The Bass fit of the adoption log as JSON (``None`` without one).

    Parameters
    ----------
    datasets : Datasets
        The loaded data (``adoption``).
    as_of : date
        Last day of data; an unfinished month is left out.
    population : float, optional
        Known market size (head count); fixes ``m``.
    **_options
        Options of other sections (ignored).

    Returns
    -------
    dict or None
        ``{"users", "months", "launch", "bass": {"p", "q", "m", "p_ci", "q_ci", "m_ci", "method"},
        "peak_month", "peak_t", "peak_adoptions", "imitation_share", "imitation_ci", "adopted_share",
        "population", "reading", "notes", "series": [...], "results": {"adoption"} (the complete result the
        page renders), "findings"}``; ``series`` has one row per observed and projected month.
    """
    frame = datasets.get("adoption")
    if frame is None:
        return None
    result = fit_adoption(frame, as_of, population=population)
    ci = lambda pair: [json_number(pair[0]), json_number(pair[1])]  # noqa: E731
    curve = result.curve.assign(month=result.curve["month"].dt.strftime("%Y-%m"))
    return {
        "users": result.users, "months": result.months, "launch": result.launch.isoformat(),
        "bass": {"p": json_number(result.p), "q": json_number(result.q), "m": json_number(result.m),
                 "p_ci": ci(result.p_ci), "q_ci": ci(result.q_ci), "m_ci": ci(result.m_ci),
                 "method": result.method, "method_text": METHOD_TEXT[result.method],
                 "confidence": 1 - result.alpha},
        "peak_month": result.peak_month, "peak_t": json_number(result.peak_t),
        "peak_adoptions": json_number(result.peak_adoptions),
        "imitation_share": json_number(result.imitation_share), "imitation_ci": ci(result.imitation_ci),
        "adopted_share": json_number(result.adopted_share), "population": json_number(result.population),
        "reading": reading(result), "notes": list(result.notes), "series": frame_records(curve),
        "results": jsonable({"adoption": result}), "findings": findings(result),
    }
