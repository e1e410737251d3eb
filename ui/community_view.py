"""Widgets of the Community page: leader candidates, the event effect and participation churn.

No decisions here: which sentence to say comes from :mod:`cs_models.community` findings.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from cs_models import community
from cs_models.charts import labels
from cs_models.charts.community import candidates_scatter, effect_figure
from cs_models.charts.survival import km_figure
from cs_models.errors import CSLensError
from ui import format as fmt
from ui.caching import shared
from ui.components import download_table, error_message, show_findings, show_shared_chart
from ui.i18n import current_lang, t
from ui.state import as_of, current_datasets

#: Candidates listed on the page (the download holds all).
SHOWN = 20


def _sources(row: pd.Series) -> str:
    return ", ".join(t(f"community.source_{row[f'{c}_source']}") for c in community.CRITERIA
                     if row[f"{c}_source"] is not None)


def candidate_table(candidates: pd.DataFrame) -> pd.DataFrame:
    """The ranked candidates with each criterion in words (missing stays blank) and its sources."""
    return pd.DataFrame({
        t("community.col_rank"): candidates["rank"], t("community.col_member"): candidates["member_id"],
        t("community.col_role"): [t(f"community.one_{r}") for r in candidates["role"]],
        t("community.col_posting"): candidates["posting"].astype(int),
        t("community.col_results"): [fmt.pct(v) if pd.notna(v) else None for v in candidates["results"]],
        t("community.col_fandom"): candidates["fandom"].round(1),
        t("community.col_criteria"): [f"{n}/3" for n in candidates["criteria"]],
        t("community.col_score"): candidates["score"].round(2),
        t("community.col_sources"): [_sources(r) for _, r in candidates.iterrows()],
    })


def show_candidates(roles: community.Roles, chart_labels: Mapping[str, str]) -> pd.DataFrame:
    """The ranked table and the posting × fandom scatter; returns the candidates for the download."""
    st.subheader(t("community.candidates_heading"))
    st.caption(t("community.candidates_caption"))
    data = current_datasets()
    candidates = shared(community.leader_candidates)(roles, events=data.events, customers=data.customers,
                                                     gaps=data.gaps)
    if candidates.empty:
        st.info(t("community.candidates_none"), icon=":material/info:")
        return candidates
    st.dataframe(candidate_table(candidates.head(SHOWN)), hide_index=True, width="stretch")
    names = {r: t(f"community.role_{r}") for r in community.ROLES}
    show_shared_chart(candidates_scatter, candidates, chart_labels, names, key="community_candidates",
                      title=t("community.candidates_heading"))
    missing = int(candidates["fandom"].isna().sum())
    if missing:
        st.caption(t("community.scatter_unlinked", n=missing, total=len(candidates)))
    return candidates


def show_events(log: pd.DataFrame, weeks: int, chart_labels: Mapping[str, str]) -> None:
    """Before vs after the first event, the difference in differences and their findings."""
    st.subheader(t("community.events_heading"))
    st.caption(t("community.events_caption", weeks=weeks))
    effect = shared(community.event_effect)(log, as_of(), weeks=weeks)
    if "no_events" in effect.notes or "too_few_attendees" in effect.notes:
        key = "events_none" if "no_events" in effect.notes else "events_too_few"
        st.info(t(f"community.{key}", weeks=weeks), icon=":material/info:")
        return
    columns = st.columns(3)
    columns[0].metric(t("community.metric_before_after"),
                      t("community.before_after_value", before=effect.before_mean, after=effect.after_mean),
                      border=True)
    columns[1].metric(t("community.metric_hl"), t("community.value_num2", value=effect.hl), border=True,
                      help=t("community.hl_help", low=effect.hl_low, high=effect.hl_high, p=effect.wilcoxon_p,
                             n=len(effect.pairs)))
    columns[2].metric(t("community.metric_did"), t("community.value_num2", value=effect.did), border=True,
                      help=t("community.did_help", low=effect.did_low, high=effect.did_high))
    show_findings(community.event_findings(effect))
    show_shared_chart(effect_figure, effect, chart_labels, key="community_events", title=t("community.events_heading"))


def show_churn(log: pd.DataFrame) -> None:
    """Time-varying Cox (with the naive model for contrast) and the landmark curves."""
    st.subheader(t("community.churn_heading"))
    st.caption(t("community.churn_caption"))
    customers = current_datasets().customers
    if customers is None:
        st.info(t("community.churn_needs_customers"), icon=":material/info:")
        return
    try:
        churn = shared(community.participation_churn)(log, customers, as_of())
    except CSLensError as exc:
        st.info(error_message(exc), icon=":material/info:")
        return
    left, right = st.columns(2)
    left.metric(t("community.metric_hr"), fmt.number(churn.hazard_ratio, 2), border=True,
                help=t("community.hr_help", low=churn.hr_lower, high=churn.hr_upper, p=churn.hr_p,
                       participants=churn.participants))
    right.metric(t("community.metric_naive"), fmt.number(churn.naive_hr, 2), border=True,
                 help=t("community.naive_help", low=churn.naive_lower, high=churn.naive_upper))
    show_findings(community.churn_findings(churn))
    if churn.km is None:
        return
    names = {g: t("community.group_with_n", name=t(f"community.group_{g}"), n=fmt.number(n))
             for g, n in churn.km.summary["n"].items()}
    km_labels = labels.km_labels(current_lang()) | {
        "x_title": t("community.km_x_title", date=churn.landmark.isoformat()),
        "y_title": t("community.km_y_title"), "at_risk_title": t("community.km_at_risk_title")}
    note = t("community.logrank", p=churn.km_logrank.p) if churn.km_logrank else None
    show_shared_chart(km_figure, churn.km, km_labels, names, annotation=note,
                      row_names={g: t(f"community.group_{g}") for g in churn.km.groups}, key="community_churn",
                      title=t("community.churn_heading"))


def downloads(roles: community.Roles, candidates: pd.DataFrame) -> None:
    """The members with their counts and roles, and the candidates, as CSV/XLSX."""
    st.subheader(t("community.downloads_heading"))
    members = roles.table.reset_index()
    members["role"] = [t(f"community.one_{r}") for r in members["role"]]
    st.caption(t("community.download_roles"))
    download_table(members, "community_members")
    if not candidates.empty:
        st.caption(t("community.download_candidates"))
        download_table(candidate_table(candidates), "community_leader_candidates")
