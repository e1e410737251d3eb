"""Widgets of the Support page: SLA targets, the within-time table, CSAT and the churn section.

No decisions here: which sentence to say comes from :mod:`cs_models.support` findings.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_models import support
from cs_models.charts import labels
from cs_models.charts.survival import km_figure
from cs_models.errors import CSLensError
from ui import format as fmt
from ui.caching import shared
from ui.components import download_table, error_message, show_findings, show_shared_chart
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets

SLA_KEY = "support_sla_targets"


def group_name(code: object) -> str:
    """A resolution-curve group in words (all tickets, blank, pooled)."""
    return labels.support_group_name(current_lang(), code)


def groups(tickets: pd.DataFrame) -> list[str]:
    """The grouping columns the tickets have values in (:data:`cs_models.support.GROUPS` order)."""
    return [c for c in support.GROUPS if c in tickets and tickets[c].notna().any()]


#: The page's starting period of the ticket counts, shared with :mod:`ui.prefetch`.
PERIOD = "month"


def splits(tickets: pd.DataFrame) -> list[str]:
    """What the ticket counts can be split by: the grouping columns, else the priority."""
    return groups(tickets) or ["priority"]


def default_sla(tickets: pd.DataFrame) -> dict[str, float]:
    """The SLA target hours per priority before the user edits them (none without priorities), in the
    table's order and types, so the page's first run and :mod:`ui.prefetch` ask for the same analysis."""
    if "priority" not in tickets or tickets["priority"].isna().all():
        return {}
    priorities = sorted(str(p) for p in tickets["priority"].dropna().unique())
    return {p: float(h) for p, h in support.default_targets(priorities).items()}


def sla_targets(tickets: pd.DataFrame) -> dict[str, float]:
    """The SLA target hours per priority, edited in a small table (kept for the session)."""
    targets = default_sla(tickets)
    if not targets:
        return {}
    saved = st.session_state.get(SLA_KEY, {})
    targets |= {p: h for p, h in saved.items() if p in targets}
    table = pd.DataFrame({"priority": list(targets), "hours": list(targets.values())})
    edited = st.data_editor(
        table, hide_index=True, disabled=["priority"], key="support_sla_editor", width="stretch",
        column_config={"priority": st.column_config.TextColumn(t("support.col_priority")),
                       "hours": st.column_config.NumberColumn(t("support.col_target"), min_value=0.5, step=0.5)},
    )
    chosen = {str(r.priority): float(r.hours) for r in edited.itertuples() if pd.notna(r.hours)}
    st.session_state[SLA_KEY] = chosen
    return chosen


def within_table(result: support.SupportAnalysis, column: str) -> pd.DataFrame:
    """Share solved within 24 h and 3 days (with intervals) and the median hours, per group of ``column``."""
    km = result.by_group.get(column, result.resolution)
    part = result.within[result.within["group_column"] == ("" if km is result.resolution else column)]
    shares = part.set_index(["group", "hours"])
    rows = []
    for group in km.groups:
        median = result.median_hours(km, group)[0]
        row = {t("support.col_group"): group_name(group), t("support.col_n"): int(km.summary.loc[group, "n"]),
               t("support.col_median"): None if median == float("inf") else round(median, 1)}
        for h in support.WITHIN_HOURS:
            share, low, high = (shares.loc[(group, h), c] if (group, h) in shares.index else float("nan")
                                for c in ("share", "low", "high"))
            row[t(f"support.col_within_{int(h)}")] = fmt.pct(share)
            row[t(f"support.col_ci_{int(h)}")] = fmt.interval(low, high)
        rows.append(row)
    return pd.DataFrame(rows).set_index(t("support.col_group"))


def show_sla(result: support.SupportAnalysis) -> None:
    """Attainment of each priority's target, with its interval."""
    if result.sla.empty:
        return
    st.subheader(t("support.sla_heading"))
    sla = result.sla
    st.dataframe(pd.DataFrame({
        t("support.col_priority"): sla["priority"], t("support.col_target"): sla["target_hours"],
        t("support.col_n"): sla["n"], t("support.col_attained"): sla["attained"].map(fmt.pct),
        t("support.col_ci"): [fmt.interval(lo, hi) for lo, hi in zip(sla["low"], sla["high"], strict=True)],
    }), hide_index=True, width="stretch")


def show_churn(tickets: pd.DataFrame) -> None:
    """Landmark survival by first-90-day tickets, the time-varying hazard ratio and the last 90 days."""
    st.subheader(t("support.churn_heading"))
    st.caption(t("support.churn_intro"))
    customers = current_datasets().customers
    if customers is None:
        st.info(t("support.churn_needs_customers"), icon=":material/info:")
        return
    try:
        link = shared(support.support_churn)(tickets, customers, as_of())
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")
        return
    st.metric(t("support.metric_hr"), fmt.number(link.hazard_ratio, 2), border=True,
              help=t("support.hr_help", low=link.hr_lower, high=link.hr_upper, p=link.hr_p, episodes=link.episodes))
    show_findings(support.churn_findings(link))
    lang = current_lang()
    names = {g: t("support.group_with_n", name=t(f"support.band_{g}"), n=fmt.number(n))
             for g, n in link.bands.summary["n"].items()}
    km_labels = labels.km_labels(lang) | {"x_title": t("support.band_x_title"), "y_title": t("support.band_y_title"),
                                          "at_risk_title": t("support.band_at_risk_title")}
    show_shared_chart(km_figure, link.bands, km_labels, names, annotation=t("support.logrank", p=link.bands_logrank.p),
                      row_names={g: t(f"support.band_{g}") for g in link.bands.groups}, key="support_churn_bands",
                      title=t("support.churn_heading"))
    st.markdown(f"**{t('support.profile_heading')}**")
    profile = link.profile
    st.dataframe(pd.DataFrame({
        t("support.col_group"): [t(f"support.profile_{g}") for g in profile.index],
        t("support.col_customers"): profile["customers"].map(fmt.number),
        t("support.col_mean_tickets"): profile["mean_tickets"].map(lambda v: fmt.number(v, 2)),
        t("support.col_with_ticket"): profile["with_ticket"].map(fmt.pct),
        t("support.col_ci"): [fmt.interval(lo, hi) for lo, hi in zip(profile["low"], profile["high"], strict=True)],
    }), hide_index=True, width="stretch")


def downloads(result: support.SupportAnalysis, within: pd.DataFrame) -> None:
    """The volume and within-time tables as CSV/XLSX."""
    st.subheader(t("support.downloads_heading"))
    volume = result.volume.copy()
    volume.index = pd.Index([p.strftime("%Y-%m-%d") for p in volume.index], name=t("support.volume_x_title"))
    volume.columns = [group_name(c) if c else t("support.group_all") for c in volume.columns]
    for key, frame, stem in (("download_volume", volume, "support_volume"), ("download_within", within,
                                                                          "support_solved_within")):
        st.caption(t(f"support.{key}"))
        download_table(frame, stem)
