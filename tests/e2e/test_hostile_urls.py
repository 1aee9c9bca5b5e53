"""Hostile URLs in a real browser: notes quote them as text, and nothing is linked or fetched."""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

import pytest

from e2e.browser_helpers import wait_idle

HOSTILE = [
    "[Session expired - log in again](https://evil.example/login)",
    "![pixel](https://evil.example/pixel.png)",
    "$\\href{https://evil.example/k}{KaTeX}$",
    ":red[ALERT] :skull:",
    "<img src=https://evil.example/tag.png>",
]


@pytest.mark.parametrize("path", ["Timeline", "Events"])
def test_hostile_url_values_are_shown_as_written(server, context, path):
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    query = urlencode(
        [("attacker", v) for v in HOSTILE] + [("lat", "33"), ("lon", "44"), ("zoom", "inf")]
    )
    page.goto(f"{server.url}/{path}?{query}")
    wait_idle(page)
    notes = page.locator("[data-testid='stAlertContentInfo']")
    notes.first.wait_for()
    text = " ".join(notes.all_inner_texts()).replace("\u2060", "")  # the invisible joiner
    for value in HOSTILE:
        assert repr(value) in text, (value, text)  # exactly as written, quotes and all
    assert "is not a map view" in text
    main = page.locator("[data-testid='stMain']")
    assert main.locator("a[href*='evil.example']").count() == 0
    assert main.locator("img[src*='evil.example']").count() == 0
    assert main.locator(".katex").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert not [u for u in asked if urlparse(u).hostname == "evil.example"]  # nothing fetched
