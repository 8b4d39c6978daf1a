"""The console's browser fixtures (see browser.py)."""

from tests.integration.console.browser import browser, page, screenshot  # noqa: F401
