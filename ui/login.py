"""Optional sign-in with OpenID Connect (``st.login``): on when ``[auth]`` is in ``secrets.toml``.

Without an ``[auth]`` table the app behaves as before (no sign-in). With one, every page needs a
signed-in user; the sidebar names the user and offers sign-out. The provider (Google, Microsoft
Entra, Okta, Keycloak, ...) is configured only in ``secrets.toml`` (README, "Deploy for a team").
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t


def login_configured() -> bool:
    """Whether ``secrets.toml`` has an ``[auth]`` table (then signing in is required).

    Returns
    -------
    bool
        ``False`` when there is no secrets file or no ``[auth]`` in it.
    """
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file, or one that cannot be read: no sign-in configured
        return False


def login_gate() -> bool:
    """Ask for sign-in when it is configured and the user is not signed in.

    Returns
    -------
    bool
        ``True`` when the page may be drawn (no sign-in configured, or signed in); ``False`` after
        drawing the sign-in screen as the only page (the caller stops the run).
    """
    if not login_configured():
        return True
    if st.user.is_logged_in:
        with st.sidebar:
            # plain text, not markdown: a name is never markup, an e-mail address never a mailto link
            st.text(user_label())
            st.button(t("login.sign_out"), on_click=st.logout, icon=":material/logout:", key="login_sign_out")
        return True
    # the only page while signed out: a link to any other page lands here too (never on a pages/ script)
    st.navigation([st.Page(sign_in_page, title=t("login.sign_in"), default=True)], position="hidden").run()
    return False


def user_label() -> str:
    """The line that names the signed-in user ("Signed in as ..."), in the session's language.

    The provider's ``name`` claim, else ``email``, else ``sub`` (some providers send only that).

    Returns
    -------
    str
        Plain text (shown with ``st.text``, never as Markdown); ``""`` when nobody is signed in.
    """
    if not st.user.is_logged_in:
        return ""
    who = st.user.get("name") or st.user.get("email") or st.user.get("sub") or ""
    return t("login.signed_in_as", name=str(who))


def sign_in_page() -> None:
    """The sign-in screen: what the app is, why it asks, and the button to the provider.

    Returns
    -------
    None
    """
    st.title(t("app.name"))
    st.info(t("login.required"), icon=":material/lock:")
    st.button(t("login.sign_in"), on_click=st.login, icon=":material/login:", type="primary", key="login_sign_in")
