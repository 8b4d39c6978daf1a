"""Browser fixtures for the console's tests (imported by the test modules that drive the console):
Playwright driving a headless Chromium.

The browser is Debian's (`/usr/lib/chromium/chromium`, what `apt-get install chromium` gives) or
Playwright's own (`playwright install chromium`). Where neither is there but the tests run as root on
a Debian-like system (a CI machine built from scratch), the first test process that needs a browser
installs Debian's Chromium with apt-get, once, under a lock (`OVERCAST_INSTALL_CHROMIUM=0` turns that
off). Without Playwright or any browser the browser tests skip, saying which is missing. `OVERCAST_SCREENSHOTS=docs/images` makes the tests that show a
main page save its screenshot there.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

#: Debian's Chromium: the real binary first (its /usr/bin/chromium is a wrapper script).
SYSTEM_BROWSERS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
                   "/usr/bin/google-chrome")


def _system_browser() -> str | None:
    for candidate in (os.environ.get("OVERCAST_CHROMIUM"), *SYSTEM_BROWSERS, shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _install_debian_chromium() -> None:
    """As root with apt-get (a fresh CI machine): install Debian's Chromium once; the lock makes the
    other test processes wait for the first one's install instead of running apt-get beside it."""
    if os.environ.get("OVERCAST_INSTALL_CHROMIUM") == "0" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    with open("/tmp/overcast-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _system_browser():
            return
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "timeout": 240, "check": False,
                 "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
        subprocess.run(["apt-get", "update", "-qq"], **quiet)  # type: ignore[call-overload]
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
                       **quiet)  # type: ignore[call-overload]


def _executable(playwright: Any) -> str | None:
    """A Chromium to drive: Playwright's own if it is installed, else the system's."""
    own = playwright.chromium.executable_path
    if own and Path(own).exists():
        return None  # Playwright finds its own
    found = _system_browser()
    if found is None:
        try:
            _install_debian_chromium()
        except (OSError, subprocess.SubprocessError):
            pass  # no browser: the tests skip with the reason below
        found = _system_browser()
    if found:
        return found
    raise LookupError("no Chromium: install Debian's (`apt-get install chromium`) or Playwright's "
                      "(`playwright install chromium`), or name one in OVERCAST_CHROMIUM")


#: Why no browser can be had in this test process, once found out (so later modules skip at once).
_no_browser: dict[str, str] = {}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for one test module; skips the test when none can be had.

    Module-scoped, and Playwright is stopped after the module: Playwright's sync API runs its own
    asyncio loop in the test process's main thread while it is started, so leaving it running would
    break every later test in the same process that runs an event loop (`asyncio.run` refuses to
    start a loop while another is running)."""
    if "reason" in _no_browser:
        pytest.skip(_no_browser["reason"])
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
    sync_api.expect.set_options(timeout=30_000)  # functions start and pages poll on a loaded machine
    playwright = sync_api.sync_playwright().start()
    try:
        executable = _executable(playwright)
        launched = playwright.chromium.launch(headless=True, executable_path=executable,
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
    except LookupError as exc:
        _no_browser["reason"] = str(exc)
    except Exception as exc:  # a browser that cannot start on this machine
        _no_browser["reason"] = f"Chromium cannot start here: {exc}"
    if "reason" in _no_browser:
        playwright.stop()
        pytest.skip(_no_browser["reason"])
    try:
        yield launched
    finally:
        launched.close()
        playwright.stop()


@contextmanager
def console_page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page on a laptop-sized screen for the overcast at `base_url`; it fails the test if the
    page's scripts raised."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=base_url)
    context.set_default_timeout(60_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"the page raised: {errors}"


@pytest.fixture
def page(browser: Any, overcast_server: Any) -> Iterator[Any]:
    """A fresh page for the session server's console."""
    with console_page(browser, overcast_server.url) as tab:
        yield tab


@pytest.fixture
def screenshot() -> Any:
    """screenshot(page, "functions"): saves docs/images/console-functions.png when asked to."""
    folder = os.environ.get("OVERCAST_SCREENSHOTS")

    def take(tab: Any, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(Path(folder) / f"console-{name}.png"), full_page=False)

    return take
