"""CS Lens: the router. Page config, navigation, sidebar, and an error boundary."""

from pathlib import Path

import streamlit as st

from cs_models.errors import CSLensError
from ui.caching import collect_garbage
from ui.components import show_error, show_unexpected_error
from ui.i18n import current_lang, t
from ui.login import login_gate
from ui.navigation import build_pages
from ui.prefetch import start_prefetch
from ui.preload import preload_element_code
from ui.reload_notice import show_notice, sync_marker
from ui.sidebar import language_selector, render_sidebar
from ui.state import presentation

# the tab icon is a local file: a material icon would make the browser fetch it from a font CDN
ICON = str(Path(__file__).parent / "ui" / "icon.svg")
# presentation mode opens with the sidebar collapsed: the projector shows only the page
st.set_page_config(page_title="CS Lens", page_icon=ICON, layout="wide",
                   initial_sidebar_state="collapsed" if presentation() else "auto")
language_selector()
st.logo("ui/logo.svg", size="large")  # also on the sign-in screen
if not login_gate():  # sign-in required when [auth] is in secrets.toml (README, "Deploy for a team")
    st.stop()
page = st.navigation(build_pages(), expanded=True)  # every page in view, not "View 4 more"
sync_marker()  # before the sidebar, which says which data are shown
render_sidebar()
show_notice()
try:
    page.run()
except CSLensError as exc:
    show_error(exc)
except Exception as exc:  # noqa: BLE001 - the boundary: no traceback ever reaches the user
    show_unexpected_error(exc)
    st.caption(t("common.unexpected_error_hint"))
preload_element_code()  # the browser loads the chart and table code while the visitor reads this page
start_prefetch(current_lang())  # once per server and language: the slowest first visits computed ahead
collect_garbage()  # at most once a minute: ended sessions' uploads are freed
