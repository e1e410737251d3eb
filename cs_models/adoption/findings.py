"""What the Bass fit means: word of mouth or push, the peak, and how far the diffusion has come."""

from __future__ import annotations

from typing import Any

from cs_models.adoption.analysis import AdoptionFit
from cs_models.findings import Finding, ranked

SECTION = "adoption"
#: The milestone of the progress finding: the month this share of the market size is reached.
MILESTONE = 0.95
#: How each estimation method is described in the evidence and the report.
METHOD_TEXT = {"mle": "Poisson maximum likelihood (Schmittlein & Mahajan 1982); profile-likelihood intervals",
               "nls": "nonlinear least squares (Srinivasan & Mason 1986); parametric-bootstrap intervals"}
#: ``q/p`` at or above which (with the intervals of ``q`` and ``p`` apart) adoption spreads by word of mouth.
WORD_OF_MOUTH_RATIO = 10.0


def _finding(name: str, severity: str, params: dict[str, Any], **evidence: Any) -> Finding:
    return Finding(f"{SECTION}.{name}", SECTION, severity, params, evidence)


def reading(result: AdoptionFit, *, ratio: float = WORD_OF_MOUTH_RATIO) -> str:
    """How the tool spreads: ``"word_of_mouth"``, ``"push"`` or ``"mixed"``.

    Parameters
    ----------
    result : AdoptionFit
        Output of :func:`cs_models.adoption.fit_adoption`.
    ratio : float
        ``q/p`` at or above which imitation dominates (with ``q``'s interval wholly above ``p``'s).

    Returns
    -------
    str
        ``"word_of_mouth"`` when ``q ≫ p``; ``"push"`` when ``q``'s interval lies below ``p``'s
        (adopters come on their own, from announcements and training); else ``"mixed"``.
    """
    if result.q >= ratio * result.p and result.q_ci[0] > result.p_ci[1]:
        return "word_of_mouth"
    if result.q_ci[1] < result.p_ci[0]:
        return "push"
    return "mixed"


def findings(result: AdoptionFit, *, ratio: float = WORD_OF_MOUTH_RATIO, milestone: float = MILESTONE) -> list[Finding]:
    """Findings of the adoption curve, most important first.

    Parameters
    ----------
    result : AdoptionFit
        Output of :func:`cs_models.adoption.fit_adoption`.
    ratio : float
        The word-of-mouth rule of :func:`reading`.
    milestone : float
        Share of the market size whose month the progress finding names.

    Returns
    -------
    list of Finding
        ``adoption.word_of_mouth`` / ``adoption.push`` / ``adoption.mixed`` (with ``p``, ``q``,
        their intervals and the imitation share), ``adoption.peak`` or ``adoption.before_peak``,
        ``adoption.progress`` (users against the estimated market size and the month ``milestone`` of
        it is reached) or ``adoption.progress_population`` (against a given head count), each with an
        ``_open`` variant when the milestone is not reached within the projection.
    """
    params = {"p": result.p, "q": result.q, "p_low": result.p_ci[0], "p_high": result.p_ci[1],
              "q_low": result.q_ci[0], "q_high": result.q_ci[1], "ratio": result.q / result.p, "rule": ratio,
              "share": result.imitation_share, "share_low": result.imitation_ci[0],
              "share_high": result.imitation_ci[1]}
    kind = reading(result, ratio=ratio)
    evidence = {"model": "Bass", "method": METHOD_TEXT[result.method]}
    out = [_finding(kind, "notice" if kind == "word_of_mouth" else "info", params, **evidence)]
    peak = {"month": result.peak_month, "t": result.peak_t, "adoptions": result.peak_adoptions}
    out.append(_finding("before_peak" if "before_peak" in result.notes else "peak", "info", peak))
    curve = result.curve
    reached = curve.loc[curve["cumulative"] >= milestone * result.m, "month"]
    progress = {"users": result.users, "m": result.m, "m_low": result.m_ci[0], "m_high": result.m_ci[1],
                "share": result.adopted_share, "milestone": milestone,
                "month": reached.iloc[0].strftime("%Y-%m") if len(reached) else ""}
    name = "progress" if result.population is None else "progress_population"
    out.append(_finding(name if len(reached) else f"{name}_open", "info", progress))
    return ranked(out)
