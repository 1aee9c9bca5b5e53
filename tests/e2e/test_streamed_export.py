"""The app run as serve.py: the map's CSV and GeoJSON downloads stream through its export
route (downloads.py) and arrive in the browser as the files the map page promises."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from e2e.browser_helpers import open_map, settle, start_server, wait_idle


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("serve"), script="serve.py")
    yield s
    s.stop()


def download(page, label: str):
    wait_idle(page)  # a click during a rerun would land on a link about to be replaced
    link = page.get_by_role("link", name=re.compile(rf"^{re.escape(label)}"))
    with page.expect_download() as info:
        link.click()
    return info.value


def test_the_links_download_exactly_the_events_in_view(streamed, context):
    page = context.new_page()
    settle(open_map(page, f"{streamed.url}/?basemap=Offline&attacker=US%20military"))
    assert page.get_by_role("button", name=re.compile("^CSV")).count() == 0  # links, not buttons
    got = download(page, "CSV (2 in view)")
    assert re.fullmatch(
        r"events_US-military_in-view_2_\d{4}-\d\d-\d\d\.csv", got.suggested_filename
    )
    rows = list(csv.DictReader(io.StringIO(open(got.path(), encoding="utf-8-sig").read())))
    assert sorted(r["event_id"] for r in rows) == ["IRQ5", "IRQ6"]
    assert {r["attacker"] for r in rows} == {"US military"}
    got = download(page, "GeoJSON (2 in view)")
    features = json.loads(open(got.path(), encoding="utf-8").read())["features"]
    assert sorted(f["properties"]["event_id"] for f in features) == ["IRQ5", "IRQ6"]
    assert len(context.pages) == 1  # the download left no empty tab behind


KEPT_JS = """() => performance.getEntriesByType('resource')
  .filter(e => /leaflet\\.js|jquery\\.min\\.js|main\\.[0-9a-f]+\\.js|osm_tiles/.test(e.name))
  .map(e => [e.name.replace(/^.*\\/component\\//, ''), e.transferSize])"""


def test_a_second_opening_of_the_map_takes_its_files_from_the_browsers_cache(streamed, context):
    """Under serve.py the map's Leaflet, jQuery, streamlit-folium script and offline tiles are
    kept by the browser (map_assets.KeepMapFiles): the second map opened fetches none again."""
    url = f"{streamed.url}/?basemap=Offline"
    first = open_map(context.new_page(), url)
    settle(first)
    fetched = dict(first.evaluate(KEPT_JS))
    assert any(name.startswith("app.osm_tiles/") for name in fetched), fetched
    second = open_map(context.new_page(), url)
    settle(second)
    again = dict(second.evaluate(KEPT_JS))
    assert set(again) >= {n for n in fetched if not n.startswith("app.osm_tiles/")}
    assert {name: size for name, size in again.items() if size > 0} == {}  # 0: from the cache
