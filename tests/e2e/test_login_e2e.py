"""Sign-in end to end: the app with ``[auth]`` against a real OpenID Connect provider on 127.0.0.1.

The provider is ``oidc-provider-mock`` (requirements-dev.txt), started as a subprocess: it serves
discovery, an authorization form (type a subject, or click a predefined user, or "Deny"), the
token, userinfo and end-session endpoints. The app gets a temporary secrets file
(``--secrets.files``), as a deployment would. Nothing leaves the machine: every request to
another host is refused and recorded, and the app's own pages must not make any (the mock's
form asks for a stylesheet from a CDN; that one is refused and ignored). The last case runs two
replicas behind nginx (``scripts/team.sh``, skipped without nginx) with one secrets file.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cs_models.catalogue import catalogue
from tests.e2e.conftest import (
    ROOT,
    free_port,
    start_server,
    stop_server,
    wait_for_app,
    wait_for_title,
    wait_until_answers,
)

pytestmark = pytest.mark.e2e
LOCALES = {"ja": "ja-JP", "en": "en-US"}
#: A user the provider knows with a display name (a button on its form).
AIKO = {"sub": "aiko", "email": "aiko.sato@example.com", "name": "佐藤 愛子"}
#: Anything that is not this machine.
EXTERNAL = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/])(?!data:|blob:)")


def start_provider(port: int, log: Path) -> subprocess.Popen:
    """Start ``python -m oidc_provider_mock`` on ``port`` and wait until its discovery answers."""
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
             "--user-claims", json.dumps(AIKO)],
            stdout=sink, stderr=subprocess.STDOUT,
        )
    return wait_until_answers(process, f"http://127.0.0.1:{port}/.well-known/openid-configuration",
                              "oidc-provider-mock", 30)


@dataclass
class Login:
    """The running pair: the app's base URL (a server, or the proxy), the provider's, the servers' logs."""

    app: str
    provider: str
    app_logs: list[Path]
    external: list[tuple[str, str]] = field(default_factory=list)

    def server_log(self) -> str:
        """What the app's server processes have written so far."""
        return "\n".join(log.read_text(errors="replace") for log in self.app_logs)

    def from_app(self) -> list[str]:
        """Requests to other hosts made by pages of the app (not by the provider's own form)."""
        return [url for frame, url in self.external if frame.startswith(self.app)]


def write_secrets(path: Path, app_url: str, provider_url: str) -> Path:
    """A secrets file with the ``[auth]`` table for the app at ``app_url`` and the provider."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "cs-lens"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[str]:
    """The OpenID Connect provider's base URL (one process for the module)."""
    port = free_port()
    process = start_provider(port, tmp_path_factory.mktemp("provider") / "provider.log")
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


@pytest.fixture(scope="module")
def login(provider, tmp_path_factory) -> Iterator[Login]:
    """The app with an ``[auth]`` table pointing at the provider (``--secrets.files``)."""
    folder = tmp_path_factory.mktemp("login")
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    secrets_file = write_secrets(folder / "secrets.toml", app_url, provider)
    app = start_server(port, ["--secrets.files", str(secrets_file)], log=folder / "app.log")
    yield Login(app_url, provider, [folder / "app.log"])
    stop_server(app)


def open_page(new_page, login: Login, lang: str):
    """A page in a fresh browser context (no cookies) whose requests to other hosts are refused."""
    page = new_page(LOCALES[lang])
    page.set_default_timeout(90_000)  # a first render on a busy 2-core machine; still a wait, never a sleep

    def refuse(route, request) -> None:
        login.external.append((request.frame.url if request.frame else "", request.url))
        route.abort()

    page.context.route(EXTERNAL, refuse)
    return page


def assert_sign_in_screen(page, lang: str) -> None:
    """Only the sign-in screen: the app's name, why, the button; no page, no navigation, no error."""
    texts = catalogue(lang)
    page.get_by_role("button", name=texts["login.sign_in"]).wait_for()
    wait_for_app(page)
    assert page.inner_text("h1").strip() == texts["app.name"]
    assert texts["login.required"] in page.inner_text('[data-testid="stMain"]')
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.get_by_role("button", name=texts["login.sign_out"]).count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def assert_signed_in(page, lang: str, who: str) -> None:
    """The Overview is drawn (its cards and figures) and the sidebar names the user."""
    texts = catalogue(lang)
    wait_for_title(page, texts["overview.page_title"])
    page.locator('[data-testid="stMetric"]').first.wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(texts["login.signed_in_as"].format(name=who), exact=True).wait_for()
    assert sidebar.get_by_role("link", name=who).count() == 0  # plain text, not a mailto link
    assert sidebar.get_by_role("button", name=texts["login.sign_out"]).is_visible()
    assert page.locator('[data-testid="stMetric"]').count() > 0
    assert page.locator('[data-testid="stException"]').count() == 0


def go_to_provider(page, login: Login, lang: str) -> None:
    """Click "Sign in" and wait for the provider's authorization form."""
    page.get_by_role("button", name=catalogue(lang)["login.sign_in"]).click()
    page.wait_for_url(f"{login.provider}/oauth2/authorize**")
    page.get_by_role("button", name="Authorize").wait_for()


def back_in_app(page, login: Login) -> None:
    """Wait until the provider has sent the browser back to the app (past ``/oauth2callback``)."""
    page.wait_for_url(re.compile(re.escape(login.app) + r"/(\?.*)?$"))


def server_tracebacks(login: Login) -> list[str]:
    """Lines of the app server's log that start a traceback."""
    return [line for line in login.server_log().splitlines() if "Traceback" in line]


def test_signed_out_every_address_shows_only_the_sign_in_screen(login, new_page):
    page = open_page(new_page, login, "en")
    for path in ("", "churn", "survey?lang=en"):
        page.goto(f"{login.app}/{path}")
        assert_sign_in_screen(page, "en")
    assert login.from_app() == []


def test_sign_in_with_a_typed_subject_then_a_second_browser_is_still_anonymous_then_sign_out(
        login, new_page, screenshot_dir):
    """The round trip through the provider's form; the session cookie is per browser; sign-out ends it."""
    page = open_page(new_page, login, "en")
    page.goto(login.app)
    assert_sign_in_screen(page, "en")
    go_to_provider(page, login, "en")
    page.fill('input[name="sub"]', "kenji@example.com")
    page.get_by_role("button", name="Authorize").click()
    back_in_app(page, login)
    # the mock gives a typed subject only an email claim: the sidebar falls back to it
    assert_signed_in(page, "en", "kenji@example.com")
    page.screenshot(path=screenshot_dir / "login_signed_in_en.png", full_page=True)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["_streamlit_user"]["httpOnly"]

    # another browser (no shared cookies) is anonymous
    other = open_page(new_page, login, "en")
    other.goto(login.app)
    assert_sign_in_screen(other, "en")

    # the first browser is still signed in after a reload and on another page
    page.goto(f"{login.app}/churn")
    wait_for_title(page, catalogue("en")["churn.page_title"])

    # sign out: Streamlit sends the browser to the provider's end-session page, which returns it
    page.goto(login.app)
    assert_signed_in(page, "en", "kenji@example.com")
    page.get_by_role("button", name=catalogue("en")["login.sign_out"]).click()
    page.wait_for_url(f"{login.provider}/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    back_in_app(page, login)
    assert_sign_in_screen(page, "en")
    assert "_streamlit_user" not in {c["name"] for c in page.context.cookies()}
    page.reload()
    assert_sign_in_screen(page, "en")
    assert login.from_app() == []
    assert server_tracebacks(login) == []


def test_sign_in_in_japanese_names_the_user_by_the_providers_name_claim(login, new_page, screenshot_dir):
    page = open_page(new_page, login, "ja")
    page.goto(login.app)
    assert_sign_in_screen(page, "ja")
    page.screenshot(path=screenshot_dir / "login_sign_in_screen_ja.png", full_page=True)
    go_to_provider(page, login, "ja")
    page.get_by_role("button", name=AIKO["sub"], exact=True).click()  # the predefined user
    back_in_app(page, login)
    assert_signed_in(page, "ja", AIKO["name"])
    page.screenshot(path=screenshot_dir / "login_signed_in_ja.png", full_page=True)
    assert login.from_app() == []


def test_a_denied_authorization_returns_to_the_sign_in_screen(login, new_page):
    page = open_page(new_page, login, "en")
    page.goto(login.app)
    assert_sign_in_screen(page, "en")
    go_to_provider(page, login, "en")
    page.get_by_role("button", name="Deny").click()
    back_in_app(page, login)
    assert_sign_in_screen(page, "en")
    assert "_streamlit_user" not in {c["name"] for c in page.context.cookies()}
    assert "access_denied" in login.server_log()  # the provider's answer was seen
    assert server_tracebacks(login) == []


# --- two replicas behind nginx (scripts/team.sh), one secrets file for both -------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
TEAM = ["bash", str(ROOT / "scripts" / "team.sh")]


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def upstream_of(url: str, route: str) -> str:
    """The replica (``host:port``) that the proxy picks for a browser with route cookie ``route``."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"cslens_route={route}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - 127.0.0.1
        return str(response.headers["X-CSLens-Upstream"])


@pytest.fixture(scope="module")
def team(provider, tmp_path_factory) -> Iterator[Login]:
    """Two replicas and nginx started by ``scripts/team.sh``; both read one secrets file."""
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs it)")
    port, base = free_port(), free_port()
    while base + 1 == port or not _port_free(base + 1):
        base = free_port()
    run = tmp_path_factory.mktemp("team")
    url = f"http://127.0.0.1:{port}"
    secrets_file = write_secrets(tmp_path_factory.mktemp("team_secrets") / "secrets.toml", url, provider)
    # streamlit run reads STREAMLIT_SECRETS_FILES like --secrets.files; the replicas inherit it
    env = {**os.environ, "STREAMLIT_SECRETS_FILES": str(secrets_file),
           "PATH": f"{Path(NGINX).parent}:{os.environ.get('PATH', '')}"}
    args = ["--port", str(port), "--dir", str(run)]
    subprocess.run([*TEAM, "start", "--replicas", "2", "--base-port", str(base), "--timeout", "120", *args],
                   check=True, cwd=ROOT, env=env, timeout=180)
    try:
        yield Login(url, provider, [run / "replica1.log", run / "replica2.log"])
    finally:
        subprocess.run([*TEAM, "stop", *args], check=True, cwd=ROOT, env=env, timeout=60)


def test_through_the_proxy_a_sign_in_holds_on_the_other_replica(team, new_page):
    """Sign in through nginx; the same sign-in cookie, routed to the other replica, is accepted there
    (one ``cookie_secret`` for all replicas); signing out there ends it."""
    page = open_page(new_page, team, "en")
    first = page.goto(team.app)
    assert first is not None
    upstream = first.headers["x-cslens-upstream"]
    assert_sign_in_screen(page, "en")
    go_to_provider(page, team, "en")
    page.fill('input[name="sub"]', "mei@example.com")
    page.get_by_role("button", name="Authorize").click()
    back_in_app(page, team)
    assert_signed_in(page, "en", "mei@example.com")

    # a route cookie that the proxy sends to the other replica
    route = next(r for r in (f"probe{n}" for n in range(1000)) if upstream_of(team.app, r) != upstream)
    signed_in = [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    assert signed_in
    other = open_page(new_page, team, "en")
    other.context.add_cookies([*signed_in, {"name": "cslens_route", "value": route, "url": team.app}])
    response = other.goto(team.app)
    assert response is not None
    assert response.headers["x-cslens-upstream"] not in {upstream, ""}
    assert_signed_in(other, "en", "mei@example.com")

    other.get_by_role("button", name=catalogue("en")["login.sign_out"]).click()
    other.wait_for_url(f"{team.provider}/oauth2/end_session**")
    other.get_by_role("button", name="End session").click()
    back_in_app(other, team)
    assert_sign_in_screen(other, "en")
    assert team.from_app() == []
    assert server_tracebacks(team) == []
