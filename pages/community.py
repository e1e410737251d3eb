"""Community: leaders, followers and audience by a stated rule, leader candidates, events and churn."""

from __future__ import annotations

import streamlit as st

from cs_models import community
from cs_models.charts import labels
from cs_models.charts.community import lorenz_figure, role_history
from cs_models.errors import CSLensError
from ui import community_view as view
from ui import format as fmt
from ui.caching import shared
from ui.components import page_header, require_dataset, show_error, show_findings, show_shared_chart
from ui.i18n import current_lang, t
from ui.state import as_of
from ui.url_state import url_widget

WINDOWS = (30, 60, 90, 180, 365)
WEEKS = (4, 8, 12)
RULE = community.RoleRule()

page_header("community")
log = require_dataset("community")
with st.expander(t("community.rule_heading")):
    columns = st.columns(4)
    window = url_widget(columns[0].selectbox, t("community.window_label"), WINDOWS, key="community_window",
                        default=RULE.window_days)
    leader = url_widget(columns[1].number_input, t("community.leader_label"), key="community_leader",
                        default=RULE.leader_posts, min_value=1, max_value=50, step=1)
    follower = url_widget(columns[2].number_input, t("community.follower_label"), key="community_follower",
                          default=RULE.follower_actions, min_value=1, max_value=50, step=1)
    weeks = url_widget(columns[3].selectbox, t("community.weeks_label"), WEEKS, key="community_weeks",
                       default=community.WEEKS)
window, leader, follower = int(window or RULE.window_days), int(leader or 1), int(follower or 1)
weeks = int(weeks or community.WEEKS)
st.markdown(t("community.rule", window=window, leader=leader, follower=follower))
try:
    roles = shared(community.community_roles)(log, as_of(), window_days=window, leader_posts=leader,
                                              follower_actions=follower)
except CSLensError as exc:
    show_error(exc)
    st.stop()

columns = st.columns(5)
columns[0].metric(t("community.metric_members"), fmt.number(roles.members), border=True)
for column, role in zip(columns[1:4], community.ROLES, strict=True):
    column.metric(t(f"community.metric_{role}"), fmt.number(roles.counts[role]), border=True)
columns[4].metric(t("community.metric_top_share"), fmt.pct(roles.top_share), border=True,
                  help=t("community.top_share_help", gini=roles.gini))
for note in roles.notes:
    st.caption(t(f"community.note_{note}"))
show_findings(community.role_findings(roles))

chart_labels = labels.community_labels(current_lang())
left, right = st.columns([3, 2])
with left:
    show_shared_chart(role_history, roles.history, chart_labels, key="community_roles",
                      title=t("community.history_heading"))
    st.caption(t("community.history_caption"))
with right:
    show_shared_chart(lorenz_figure, roles.lorenz, chart_labels, key="community_lorenz",
                      title=t("community.lorenz_heading"))

candidates = view.show_candidates(roles, chart_labels)
view.show_events(log, weeks, chart_labels)
view.show_churn(log)
view.downloads(roles, candidates)
