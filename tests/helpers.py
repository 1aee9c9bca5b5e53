"""What unit tests share: the project's root, the bundled events, and Streamlit AppTest helpers.

Import from here (``from helpers import ROOT, run_page``), never from ``conftest``: the unit and
the browser tests each have a conftest.py, so ``from conftest import`` depends on load order.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import httpx
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


@cache
def _bundled_events() -> pd.DataFrame:
    from geo.events import load_events
    from geo.schema import EVENTS_CSV

    return load_events(EVENTS_CSV).events


def bundled_events() -> pd.DataFrame:
    """The bundled data/events.csv, validated; a fresh copy a test may change."""
    return _bundled_events().copy()


def run_page(
    path: str,
    query: dict | None = None,
    session: dict | None = None,
    argv: list[str] | None = None,
    monkeypatch=None,
):
    """Run a page (path relative to the project) under AppTest; fail on any exception."""
    from streamlit.testing.v1 import AppTest

    if argv is not None:
        monkeypatch.setattr(sys, "argv", ["app.py", *argv])
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at, label: str) -> str:
    """The shown value of the metric labelled `label` (fails if there is none)."""
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric labelled {label!r} among {[m.label for m in at.metric]}"
    return values[0]


def map_layer(at) -> dict:
    """The events layer's payload the map page handed st_folium (geo.mapview.EventsLayer)."""
    import json
    import re

    [component] = at.get("component_instance")
    script = json.loads(component.proto.json_args)["feature_group"]
    return json.loads(re.search(r"var d = (\{.*?\});\n", script).group(1))


class Client:
    """GET through the route as a browser would (httpx over ASGI: no socket, same bytes)."""

    def __init__(self, app, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.transport = httpx.ASGITransport(app=app, client=client)

    def get(self, url: str, headers: dict | None = None) -> httpx.Response:
        async def fetch() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.transport, base_url="http://app") as c:
                return await c.get(url, headers=headers)

        # In a thread of its own: the worker may also run browser tests, whose Playwright
        # keeps an event loop running in this thread, and asyncio.run refuses to nest.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, fetch()).result()
