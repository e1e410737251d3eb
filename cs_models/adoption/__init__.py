"""Word-of-mouth adoption: the Bass diffusion model fitted to the monthly first uses of a tool.

- :func:`fit_adoption` -> :class:`AdoptionFit` (p, q, m with profile-likelihood or bootstrap intervals, peak,
  imitation share, fitted and projected curve); :func:`first_use`, :func:`monthly_adoptions`.
- :mod:`cs_models.adoption.bass`: the curve, the least-squares fit, the bootstrap;
  :mod:`cs_models.adoption.likelihood`: maximum likelihood and profile-likelihood intervals.
- :func:`fit_by_segment` (one curve per department or team with enough users), :func:`adoption_segments`.
- :func:`findings`, :func:`reading`; :func:`report_section` for the report.
"""

from __future__ import annotations

from cs_models.adoption.analysis import (
    DRAWS,
    HORIZON,
    METHODS,
    MIN_ACTIVE_MONTHS,
    MIN_MONTHS,
    AdoptionFit,
    first_use,
    fit_adoption,
    monthly_adoptions,
)
from cs_models.adoption.findings import WORD_OF_MOUTH_RATIO, findings, reading
from cs_models.adoption.report import report_section
from cs_models.adoption.segments import MIN_SEGMENT_USERS, adoption_segments, fit_by_segment

__all__ = [
    "DRAWS",
    "HORIZON",
    "METHODS",
    "MIN_ACTIVE_MONTHS",
    "MIN_MONTHS",
    "MIN_SEGMENT_USERS",
    "WORD_OF_MOUTH_RATIO",
    "AdoptionFit",
    "adoption_segments",
    "findings",
    "first_use",
    "fit_adoption",
    "fit_by_segment",
    "monthly_adoptions",
    "reading",
    "report_section",
]
