"""Optional OIDC sign-in (``st.login``): required when ``[auth]`` is in secrets.toml, absent otherwise.

AppTest seeds ``st.user`` (``AppTest.user``) and ``st.secrets`` (``AppTest.secrets``), so both
branches run the real app; the OIDC round trip itself needs a provider and is not run here.
"""

from __future__ import annotations

import subprocess

import pytest
from streamlit.testing.v1 import AppTest

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
