"""Optional OIDC sign-in (``st.login``): required when ``[auth]`` is in secrets.toml, absent otherwise.

AppTest seeds ``st.user`` (``AppTest.user``) and ``st.secrets`` (``AppTest.secrets``), so both
branches run the real app; the OIDC round trip itself needs a provider and is not run here.
"""

from __future__ import annotations

import subprocess

import pytest
from streamlit.testing.v1 import AppTest

from cs_models.catalogue import translate
from tests.app.util import APP, LANGS, ROOT, assert_clean

AUTH = {"redirect_uri": "http://127.0.0.1:8080/oauth2callback", "cookie_secret": "test-secret-not-used",
        "client_id": "cs-lens", "client_secret": "not-used",
        "server_metadata_url": "https://login.example.com/.well-known/openid-configuration"}


def _app(lang: str, *, auth: bool, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    if auth:
        at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    return at.run()


@pytest.mark.parametrize("lang", LANGS)
def test_without_auth_the_app_opens_as_before(lang):
    at = _app(lang, auth=False, user={"is_logged_in": False})
    assert_clean(at)
    assert not [b for b in at.button if b.key == "login_sign_in"]
    assert len(at.metric) > 0  # the Overview's cards


@pytest.mark.parametrize("lang", LANGS)
def test_with_auth_a_signed_out_user_sees_only_the_sign_in_screen(lang):
    at = _app(lang, auth=True, user={"is_logged_in": False})
    assert_clean(at)
    assert [b.key for b in at.button] == ["login_sign_in"]
    assert len(at.metric) == 0
    assert len(at.info) == 1


def test_with_auth_a_signed_in_user_sees_the_app_and_can_sign_out():
    at = _app("en", auth=True, user={"is_logged_in": True, "name": "Aiko <b>Sato</b>", "email": "a@example.com"})
    assert_clean(at)
    assert "login_sign_out" in [b.key for b in at.sidebar.button]
    assert [x.value for x in at.sidebar.text] == ["Signed in as Aiko <b>Sato</b>"]  # plain text, not HTML
    assert len(at.metric) > 0


@pytest.mark.parametrize(("lang", "expected"), [("en", "Signed in as u-123"), ("ja", "u-123 としてサインイン中")])
def test_a_user_with_only_a_subject_is_named_by_it(lang, expected):
    """Some providers send neither ``name`` nor ``email``: the sidebar falls back to ``sub``."""
    at = _app(lang, auth=True, user={"is_logged_in": True, "sub": "u-123"})
    assert_clean(at)
    assert [x.value for x in at.sidebar.text] == [expected]


def test_secrets_files_are_kept_out_of_git_and_the_image():
    for path in (".streamlit/secrets.toml", "deploy/secrets.toml", "secrets.toml"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, check=False).returncode == 0, path
    patterns = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert "**/secrets.toml" in patterns


@pytest.mark.parametrize("lang", LANGS)
def test_a_signed_in_user_not_on_the_allow_list_sees_only_a_refusal(lang):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.secrets["auth"] = AUTH
    at.secrets["access"] = {"email_domains": ["example.co.jp"]}
    at.user = {"is_logged_in": True, "email": "someone@gmail.example"}
    at.run()
    assert_clean(at)
    assert len(at.metric) == 0  # no card, no page of data
    # the address as code, not a mailto link
    assert [w.value for w in at.warning] == [translate(lang, "login.not_admitted", email="`someone@gmail.example`")]
    assert "login_sign_out" in [b.key for b in at.sidebar.button]


def test_a_signed_in_user_on_the_allow_list_opens_the_app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = {"email_domains": ["example.co.jp"]}
    at.user = {"is_logged_in": True, "email": "aiko@example.co.jp", "email_verified": True}
    at.run()
    assert_clean(at)
    assert len(at.metric) > 0


def test_an_unreadable_allow_list_admits_nobody_and_says_why():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.secrets["auth"] = AUTH
    at.secrets["access"] = {"email_domain": ["example.co.jp"]}  # misspelt key
    at.user = {"is_logged_in": True, "email": "aiko@example.co.jp"}
    at.run()
    assert len(at.metric) == 0
    shown = [e.value.replace("\\_", "_") for e in at.error]  # Markdown-escaped underscores
    assert shown == [translate("en", "errors.access_bad_config", setting="email_domain")]
