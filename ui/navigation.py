"""The page list of the app, in menu order. Add a page here when it lands."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.i18n import t


@dataclass(frozen=True)
class PageSpec:
    """One page: its script, catalogue namespace, icon, URL path, and whether the Overview
    shows a card of it (``ui/cards/<namespace>.py``)."""

    path: str
    namespace: str
    icon: str
    url_path: str
    default: bool = False
    card: bool = True


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "overview", ":material/dashboard:", "overview", default=True, card=False),
    PageSpec("pages/story.py", "story", ":material/slideshow:", "story", card=False),
    PageSpec("pages/cohorts.py", "cohorts", ":material/grid_on:", "cohorts"),
    PageSpec("pages/revenue.py", "revenue", ":material/payments:", "revenue"),
    PageSpec("pages/churn.py", "churn", ":material/trending_down:", "churn"),
    PageSpec("pages/risk.py", "risk", ":material/person_alert:", "risk"),
    PageSpec("pages/survey.py", "survey", ":material/ballot:", "survey"),
    PageSpec("pages/gaps.py", "gaps", ":material/compare_arrows:", "gaps"),
    PageSpec("pages/support.py", "support", ":material/support_agent:", "support"),
    PageSpec("pages/forecast.py", "forecast", ":material/query_stats:", "forecast"),
    PageSpec("pages/community.py", "community", ":material/groups:", "community"),
    PageSpec("pages/adoption.py", "adoption", ":material/campaign:", "adoption"),
    PageSpec("pages/journey.py", "journey", ":material/route:", "journey"),
    PageSpec("pages/data.py", "data", ":material/table_view:", "data", card=False),
)


def build_pages() -> list[st.Page]:
    """``st.Page`` objects with translated titles."""
    return [
        st.Page(
            spec.path,
            title=t(f"{spec.namespace}.page_title"),
            icon=spec.icon,
            url_path=None if spec.default else spec.url_path,
            default=spec.default,
        )
        for spec in PAGES
    ]
