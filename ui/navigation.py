"""The page list of the app, in menu order. Add a page here when it lands."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.i18n import t


@dataclass(frozen=True)
class PageSpec:
    """One page: its script, catalogue namespace, icon, URL path, whether the Overview shows a
    card of it (``ui/cards/<namespace>.py``), and its menu section (``common.nav_<section>``)."""

    path: str
    namespace: str
    icon: str
    url_path: str
    default: bool = False
    card: bool = True
    section: str = ""


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "overview", ":material/dashboard:", "overview", default=True, card=False),
    PageSpec("pages/story.py", "story", ":material/slideshow:", "story", card=False),
    PageSpec("pages/cohorts.py", "cohorts", ":material/grid_on:", "cohorts", section="customers"),
    PageSpec("pages/revenue.py", "revenue", ":material/payments:", "revenue", section="customers"),
    PageSpec("pages/churn.py", "churn", ":material/trending_down:", "churn", section="customers"),
    PageSpec("pages/risk.py", "risk", ":material/person_alert:", "risk", section="customers"),
    PageSpec("pages/forecast.py", "forecast", ":material/query_stats:", "forecast", section="customers"),
    PageSpec("pages/journey.py", "journey", ":material/route:", "journey", section="customers"),
    PageSpec("pages/survey.py", "survey", ":material/ballot:", "survey", section="voice"),
    PageSpec("pages/gaps.py", "gaps", ":material/compare_arrows:", "gaps", section="voice"),
    PageSpec("pages/support.py", "support", ":material/support_agent:", "support", section="voice"),
    PageSpec("pages/community.py", "community", ":material/groups:", "community", section="community"),
    PageSpec("pages/adoption.py", "adoption", ":material/campaign:", "adoption", section="community"),
    PageSpec("pages/data.py", "data", ":material/table_view:", "data", card=False, section="data"),
)


def build_pages() -> dict[str, list[st.Page]]:
    """``st.Page`` objects with translated titles, by translated menu section (the first unlabelled)."""
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        label = t(f"common.nav_{spec.section}") if spec.section else ""
        sections.setdefault(label, []).append(st.Page(
            spec.path,
            title=t(f"{spec.namespace}.page_title"),
            icon=spec.icon,
            url_path=None if spec.default else spec.url_path,
            default=spec.default,
        ))
    return sections
