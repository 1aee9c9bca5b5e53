"""Browser tests: the real app (the README's command) in Debian's headless Chromium.

One app server and one Chromium serve the whole test session (as datasette's Playwright fixture
does), with one desktop browser context whose cache keeps Streamlit's scripts between tests;
each test's tabs are Streamlit sessions of their own (filters, imports), closed after it. A
server started with other arguments is a session fixture too: use `start_server`. Readiness is
polled on /_stcore/health and on the page's script state, never with fixed sleeps. The log of
every server a failed test used is printed with the failure.

Fixtures only: the functions tests call (open_map, wait_idle, start_server, ...) are in
browser_helpers.py; import them from ``e2e.browser_helpers``, never from ``conftest``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.appserver import CHROMIUM, CHROMIUM_ARGS
from e2e.browser_helpers import Server, start_server

if not Path(CHROMIUM).exists():
    reason = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("CI"):
        raise RuntimeError(reason)  # CI must run the browser tests, never skip them
    pytest.skip(reason, allow_module_level=True)

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`-n 2 --dist loadgroup`) every browser test runs in one worker, so
    the session's one server and one Chromium are started once."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    s = start_server(tmp_path_factory.mktemp("server"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.when == "call":
        for name, value in item.funcargs.items():  # every server fixture the test used
            if isinstance(value, Server):
                report.sections.append((f"{name} log", value.output()))
    return report


@pytest.fixture(scope="session")
def shared_context(browser):
    """One desktop browser context for the session: its HTTP cache keeps Streamlit's scripts
    and the map's assets between tests (a fresh context loads and compiles them again, about
    1.5 s of CPU a page). Each tab is a Streamlit session of its own."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture
def context(shared_context):
    """The shared desktop context, with no page open; a test's pages and cookies go with it."""
    yield shared_context
    for page in shared_context.pages:
        page.close()
    shared_context.clear_cookies()
