"""Sign in through a running CS Lens team stack (nginx + replicas) with Chromium, as a new user would.

Used by ``scripts/compose_check.sh --login`` (which starts ``oidc-provider-mock`` and writes the
``[auth]`` table), or by hand against any stack whose secrets point at that provider::

    .venv/bin/python scripts/compose_login.py --url http://127.0.0.1:8080 \
        --provider http://172.17.0.1:9400 --screenshots /tmp/cslens-login

Steps, each printed as ``ok``/``FAIL`` with the time it took (exit 1 on any FAIL):

1. signed out, ``/`` and ``/churn`` show only the sign-in screen;
2. "Sign in", the provider's form, the predefined user (``--user``) -> the Overview with
   "Signed in as <name>" in the sidebar;
3. the same sign-in cookie in a second browser whose ``cslens_route`` cookie the proxy sends to
   another replica -> signed in there too (needs 2 or more replicas);
4. a typed subject outside the allow-list (``--outsider``) -> the refusal (only with ``--refusal``,
   i.e. when the secrets file has an ``[access]`` table that excludes it);
5. "Sign out", the provider's end-session page -> the sign-in screen again.

Waits for elements and states only (no fixed sleeps); every wait is bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_models.catalogue import catalogue  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: The script run has finished and the page is drawn (as tests/e2e/conftest.py APP_SETTLED).
SETTLED = """() => !!document.querySelector('[data-test-script-state="notRunning"]')
  && !!document.querySelector('h1')
  && !document.querySelector('[data-stale="true"]')
  && !document.querySelector('[data-testid="stSkeleton"]')"""
LOCALES = {"ja": "ja-JP", "en": "en-US"}


class Checks:
    """ok/FAIL lines with the seconds each step took."""

    def __init__(self) -> None:
        self.failed = False
        self.start = time.monotonic()

    def step(self, what: str, func) -> object:
        """Run ``func``; print ``ok``/``FAIL`` with its duration; return its result (None on failure)."""
        t0 = time.monotonic()
        try:
            result = func()
        except Exception as exc:  # noqa: BLE001 - a check reports any failure and goes on
            self.failed = True
            print(f"FAIL  {what} ({time.monotonic() - t0:.1f} s): {type(exc).__name__}: {str(exc)[:300]}", flush=True)
            return None
        print(f"ok    {what} ({time.monotonic() - t0:.1f} s)", flush=True)
        return result


def upstream_of(url: str, route: str) -> str:
    """The replica the proxy picks for a browser whose route cookie is ``route``."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"cslens_route={route}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - 127.0.0.1
        return str(response.headers["X-CSLens-Upstream"])


def main(argv: list[str] | None = None) -> int:
    """Run the steps; return 0 when every one passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the proxy (127.0.0.1 only)")
    parser.add_argument("--provider", required=True, help="the provider's base URL, as in server_metadata_url")
    parser.add_argument("--lang", choices=sorted(LOCALES), default="ja")
    parser.add_argument("--user", default="aiko", help="a predefined user of the provider (a button on its form)")
    parser.add_argument("--name", default="佐藤 愛子", help="that user's name claim, shown in the sidebar")
    parser.add_argument("--refusal", action="store_true", help="check that --outsider is refused ([access])")
    parser.add_argument("--outsider", default="guest@outside.example")
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for PNG screenshots")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds for any one wait")
    args = parser.parse_args(argv)
    if not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?$", args.url):
        parser.error("--url must be http://127.0.0.1[:port]")
    from playwright.sync_api import sync_playwright

    texts = catalogue(args.lang)
    checks = Checks()
    shots = args.screenshots
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    timeout_ms = args.timeout * 1000

    def settle(page) -> None:
        page.wait_for_function(SETTLED, timeout=timeout_ms)

    def sign_in_screen(page) -> None:
        page.get_by_role("button", name=texts["login.sign_in"]).wait_for()
        settle(page)
        main_text = page.inner_text('[data-testid="stMain"]')
        assert texts["login.required"] in main_text, main_text[:200]
        assert page.locator('[data-testid="stMetric"]').count() == 0, "figures shown while signed out"
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0, "navigation shown while signed out"

    def signed_in(page, who: str) -> None:
        page.wait_for_function(
            "t => !!document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t",
            arg=texts["overview.page_title"], timeout=timeout_ms)
        page.locator('[data-testid="stMetric"]').first.wait_for()
        settle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text(texts["login.signed_in_as"].format(name=who), exact=True).wait_for()
        assert page.locator('[data-testid="stException"]').count() == 0, "an exception on the page"

    def shot(page, name: str) -> None:
        if shots is not None:
            page.screenshot(path=str(shots / name), full_page=False)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def new_page():
            context = browser.new_context(locale=LOCALES[args.lang], viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            return page

        page = new_page()
        first = {}

        def signed_out() -> None:
            response = page.goto(args.url)
            assert response is not None
            assert response.status == 200
            first["upstream"] = response.headers.get("x-cslens-upstream", "")
            sign_in_screen(page)
            shot(page, f"compose_login_signed_out_{args.lang}.png")
            page.goto(f"{args.url}/churn")
            sign_in_screen(page)
            page.goto(args.url)
            sign_in_screen(page)

        checks.step("signed out: / and /churn show only the sign-in screen", signed_out)

        def sign_in() -> None:
            page.get_by_role("button", name=texts["login.sign_in"]).click()
            page.wait_for_url(f"{args.provider}/oauth2/authorize**")
            page.get_by_role("button", name=args.user, exact=True).click()
            page.wait_for_url(re.compile(re.escape(args.url) + r"/(\?.*)?$"))
            signed_in(page, args.name)
            shot(page, f"compose_login_signed_in_{args.lang}.png")
            cookies = {c["name"]: c for c in page.context.cookies()}
            assert any(n.startswith("_streamlit_user") for n in cookies), sorted(cookies)
            assert all(c["httpOnly"] for n, c in cookies.items() if n.startswith("_streamlit_user"))

        checks.step(f"sign in as {args.user!r} through the provider -> Overview, "
                    f"{texts['login.signed_in_as'].format(name=args.name)!r}", sign_in)

        def other_replica() -> None:
            upstream = first["upstream"]
            route = next((r for r in (f"probe{n}" for n in range(2000)) if upstream_of(args.url, r) != upstream), None)
            assert route is not None, "every route cookie reaches the same replica (only one replica?)"
            signed = [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
            other = new_page()
            other.context.add_cookies([*signed, {"name": "cslens_route", "value": route, "url": args.url}])
            response = other.goto(args.url)
            assert response is not None
            there = response.headers.get("x-cslens-upstream", "")
            assert there not in {upstream, ""}, (upstream, there)
            signed_in(other, args.name)
            print(f"      first replica {upstream}, second {there}", flush=True)
            other.context.close()

        checks.step("the same sign-in cookie routed to another replica: still signed in", other_replica)

        if args.refusal:
            def refused() -> None:
                outsider = new_page()
                outsider.goto(args.url)
                sign_in_screen(outsider)
                outsider.get_by_role("button", name=texts["login.sign_in"]).click()
                outsider.wait_for_url(f"{args.provider}/oauth2/authorize**")
                outsider.fill('input[name="sub"]', args.outsider)
                outsider.get_by_role("button", name="Authorize").click()
                outsider.wait_for_url(re.compile(re.escape(args.url) + r"/(\?.*)?$"))
                outsider.get_by_text(texts["login.not_admitted"].format(email=args.outsider)).wait_for()
                settle(outsider)
                assert outsider.locator('[data-testid="stMetric"]').count() == 0, "figures shown to an outsider"
                assert outsider.get_by_role("button", name=texts["login.sign_out"]).count() == 1
                shot(outsider, f"compose_login_refused_{args.lang}.png")
                outsider.context.close()

            checks.step(f"{args.outsider} (not on the allow-list): only the refusal and sign-out", refused)

        def sign_out() -> None:
            page.get_by_role("button", name=texts["login.sign_out"]).click()
            page.wait_for_url(f"{args.provider}/oauth2/end_session**")
            page.get_by_role("button", name="End session").click()
            page.wait_for_url(re.compile(re.escape(args.url) + r"/(\?.*)?$"))
            sign_in_screen(page)
            assert not any(c["name"].startswith("_streamlit_user") for c in page.context.cookies())
            page.reload()
            sign_in_screen(page)

        checks.step("sign out through the provider's end-session page -> the sign-in screen", sign_out)
        browser.close()
    print(f"login checks: {'FAIL' if checks.failed else 'ok'} in {time.monotonic() - checks.start:.0f} s")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
