"""The ``"community"`` section of ``python -m cs_models report``."""

from __future__ import annotations

from datetime import date
from typing import Any

from cs_models.community.candidates import leader_candidates
from cs_models.community.churn import participation_churn
from cs_models.community.events import event_effect
from cs_models.community.findings import findings
from cs_models.community.log import community_roles
from cs_models.datasets import Datasets
from cs_models.errors import DataError
from cs_models.results import frame_records, json_number, jsonable

#: Leader candidates listed in the report.
TOP_CANDIDATES = 10


def report_section(datasets: Datasets, *, as_of: date, **_options: Any) -> dict[str, Any] | None:
    """The community numbers as JSON (``None`` without a community log).

    Parameters
    ----------
    datasets : Datasets
        The loaded data (``community``; ``customers``, ``events``, ``gaps`` for the links).
    as_of : date
        The role window ends with this day.
    **_options
        Options of other sections (ignored).

    Returns
    -------
    dict or None
        ``{"members", "roles": {"leader", "follower", "audience"}, "rule", "top10_post_share", "gini",
        "leader_candidates": [...], "event_effect": {...}, "churn": {...} or None, "results" (the complete
        results the page renders), "findings"}``.
    """
    log = datasets.community
    if log is None:
        return None
    roles = community_roles(log, as_of)
    effect = event_effect(log, as_of)
    churn = None
    churn_out: dict[str, Any] | None = None
    if datasets.customers is not None:
        try:
            churn = participation_churn(log, datasets.customers, as_of)
        except DataError as exc:
            churn_out = {"error": exc.to_dict()}
        else:
            churn_out = {k: v for k, v in churn.to_dict().items() if k not in ("km", "km_logrank")}
            churn_out["landmark_logrank_p"] = json_number(churn.km_logrank.p) if churn.km_logrank else None
            churn_out["design"] = "time-varying Cox (participation from its first day); landmark Kaplan–Meier"
    candidates = leader_candidates(roles, events=datasets.events, customers=datasets.customers, gaps=datasets.gaps)
    pairs = effect.pairs
    return {
        "members": roles.members, "roles": dict(roles.counts), "rule": roles.rule.to_dict(),
        "top10_post_share": json_number(roles.top_share), "gini": json_number(roles.gini),
        "leader_candidates": frame_records(candidates.head(TOP_CANDIDATES)),
        "event_effect": {k: v for k, v in effect.to_dict().items() if k != "pairs"} | {"pairs_used": len(pairs)},
        "churn": churn_out,
        "results": jsonable({"roles": roles, "event_effect": effect, "churn": churn, "candidates": candidates}),
        "findings": findings(roles, effect, churn),
    }
