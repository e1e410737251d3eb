"""The server's security defaults in ``.streamlit/config.toml`` (issue 16, "Security").

``server.enableCORS = true`` is Streamlit's *CORS protection* (cross-origin access refused): set to
false, Streamlit answers ``Access-Control-Allow-Origin: *`` and accepts a websocket from any origin
(Streamlit 1.67's own warning says so), so "CORS off" in the issue's sense is ``enableCORS = true``.
"""

from __future__ import annotations

import tomllib

from tests.app.util import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_the_server_binds_this_machine_only():
    assert CONFIG["server"]["address"] == "127.0.0.1"
    assert CONFIG["server"]["headless"] is True


def test_no_error_details_reach_the_browser():
    assert CONFIG["client"]["showErrorDetails"] == "none"


def test_xsrf_and_cors_protection_are_on():
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableCORS"] is True


def test_upload_and_message_sizes_are_limited():
    assert 0 < CONFIG["server"]["maxUploadSize"] <= 400
    assert 0 < CONFIG["server"]["maxMessageSize"] <= 400


def test_the_reader_accepts_what_the_server_accepts():
    """``cs_models.io.MAX_BYTES`` is ``server.maxUploadSize`` (Streamlit counts MB of 1024 * 1024 bytes)."""
    from cs_models.io import MAX_BYTES

    assert CONFIG["server"]["maxUploadSize"] * 1024 * 1024 == MAX_BYTES


def test_the_proxy_allows_uploads_as_large_as_the_server():
    """nginx's ``client_max_body_size`` matches ``server.maxUploadSize`` (else large uploads get 413)."""
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert f"client_max_body_size {CONFIG['server']['maxUploadSize']}m;" in text


def test_usage_statistics_are_not_sent():
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_no_file_is_watched():
    """A file watcher per session more than doubled a session's CPU (deploy/LOAD.md); the image,
    scripts/team.sh and the README's start command all read this file."""
    assert CONFIG["server"]["fileWatcherType"] == "none"
    assert CONFIG["server"]["runOnSave"] is False
