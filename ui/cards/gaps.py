"""Overview card: the touchpoint that disappoints most, the one that delights most, and the churn link."""

from __future__ import annotations

import streamlit as st

from cs_models import gaps
from cs_models.errors import CSLensError
from cs_models.findings import Finding
from ui import format as fmt
from ui.caching import shared
from ui.components import MetricRow, md_escape, reading, show_error, show_findings
from ui.i18n import t
from ui.memo import derived
from ui.state import as_of, current_datasets

#: Churn findings that say "gaps go with churn"; the card folds them into its sentence.
CHURN_LINK = ("gaps.gap_predicts_churn", "gaps.gap_predicts_churn_hazard")


def _churn_findings() -> list[Finding]:
    """The gap → churn findings, or none when they cannot be computed (the gaps page explains why)."""
    datasets = current_datasets()
    frame, customers = datasets.gaps, datasets.customers
    if customers is None or "customer_id" not in frame or frame["customer_id"].isna().all():
        return []
    try:
        return shared(gaps.churn_of_table)(frame, customers, as_of=as_of())[1]
    except CSLensError:
        return []


def _signed(value: float) -> str:
    return fmt.signed(value).replace("-", "−")


def _extremes(analysis: gaps.GapAnalysis) -> tuple[str, float, str, float]:
    """The item with the largest shortfall and the one with the largest delight, with their mean gaps."""
    ranked = analysis.items.dropna(subset=["mean_gap"]).sort_values("mean_gap")
    worst, best = ranked.index[0], ranked.index[-1]
    return worst, float(ranked.loc[worst, "mean_gap"]), best, float(ranked.loc[best, "mean_gap"])


def render() -> None:
    """Two ``st.metric``s (the largest shortfall and the largest delight) and one reading."""
    datasets = current_datasets()
    if datasets.gaps is None:
        st.info(t("gaps.card_no_data"))
        return
    try:
        _, analysis, _, found = shared(gaps.analyse_table)(datasets.gaps)
    except CSLensError as exc:
        show_error(exc)
        return
    worst, worst_gap, best, best_gap = derived(_extremes, analysis)
    tiles = MetricRow(2, key="gaps_card")
    tiles.metric(0, t("gaps.card_worst", item=md_escape(worst)), _signed(worst_gap),
                help=t("gaps.card_help"), border=True)
    if best != worst:
        tiles.metric(1, t("gaps.card_best", item=md_escape(best)), _signed(best_gap),
                     help=t("gaps.card_help"), border=True)
    tiles.draw()
    by_code = {f.code: f for f in found}
    shortfall = by_code.get("gaps.most_disappointing")
    if shortfall is None:
        if "gaps.no_clear_gap" in by_code:
            show_findings([by_code["gaps.no_clear_gap"]])
        else:
            reading("gaps.card_reading_fine")
        return
    params = {"item": shortfall.params["item"], "gap": fmt.number(shortfall.params["gap"], 2),
              "share": fmt.pct(shortfall.params["share_disappointed"], 0)}
    link = next((f for f in _churn_findings() if f.code in CHURN_LINK), None)
    if link is not None:
        reading("gaps.card_reading_link", **params, change=fmt.pct(link.params["change"], 0))
    else:
        reading("gaps.card_reading", **params)
