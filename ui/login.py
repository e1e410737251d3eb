"""Optional sign-in with OpenID Connect (``st.login``): on when ``[auth]`` is in ``secrets.toml``.

Without an ``[auth]`` table the app behaves as before (no sign-in). With one, every page needs a
signed-in user; the sidebar names the user and offers sign-out. An optional ``[access]`` table
(``email_domains``, ``emails``) admits only the listed addresses (:class:`cs_models.access.AccessPolicy`).
The provider (Google, Microsoft Entra, Okta, Keycloak, ...) is configured only in ``secrets.toml``
(``deploy/LOGIN.md``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cs_models.access import AccessPolicy
from cs_models.errors import CSLensError
from ui.components import show_error
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
        if admitted():
            return True
        st.navigation([st.Page(not_admitted_page, title=t("login.not_admitted_title"), default=True)],
                      position="hidden").run()
        return False
    # the only page while signed out: a link to any other page lands here too (never on a pages/ script)
    st.navigation([st.Page(sign_in_page, title=t("login.sign_in"), default=True)], position="hidden").run()
    return False


def _claims() -> dict[str, Any]:
    return {key: st.user.get(key) for key in ("email", "email_verified")}


def admitted() -> bool:
    """Whether the signed-in user passes the ``[access]`` allow-list of ``secrets.toml`` (if any).

    Returns
    -------
    bool
        ``True`` without a list or when the user's verified address is on it; ``False`` otherwise,
        and also when the list cannot be read (it never opens the app by mistake).
    """
    try:
        return AccessPolicy.from_mapping(st.secrets.get("access")).admits(_claims())
    except CSLensError:
        return False


def not_admitted_page() -> None:
    """The screen of a signed-in user who is not on the allow-list (or of a list that cannot be read).

    Returns
    -------
    None
    """
    st.title(t("app.name"))
    try:
        AccessPolicy.from_mapping(st.secrets.get("access"))
    except CSLensError as exc:
        show_error(exc)
        return
    email = st.user.get("email")
    # as code: Markdown would turn a bare address into a mailto link
    shown = f"`{str(email).replace('`', '')}`" if email else t("login.no_email")
    st.warning(t("login.not_admitted", email=shown), icon=":material/block:")


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
