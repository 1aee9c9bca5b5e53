"""Streamed export downloads (downloads.py): the link the map page offers when the app runs as
serve.py, what its route answers, and the download button the app falls back to otherwise."""

from __future__ import annotations

import csv
import gc
import io
import json
import threading
import zlib

import pytest
from starlette.applications import Starlette

import downloads
from geo.export import csv_chunks, export_name
from geo.filters import FilterState
from helpers import Client, bundled_events, run_page


@pytest.fixture
def served(monkeypatch):
    """As under serve.py: the export route mounted in this process, and a client for it."""
    monkeypatch.setattr(downloads, "_mounted", threading.Event())
    return Client(Starlette(routes=downloads.routes()))


def links(at) -> dict[str, str]:
    return {b.proto.label: b.proto.url for b in at.get("link_button")}


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_without_serve_py_the_page_offers_streamlit_s_download_buttons():
    at = run_page("app.py")
    assert [b.label for b in at.get("download_button")] == [
        "CSV (7 in view)",
        "GeoJSON (7 in view)",
    ]
    assert links(at) == {}


def test_the_map_page_s_links_stream_the_events_in_view(served):
    at = run_page("app.py", {"attacker": ["US military"]})
    assert at.get("download_button") == []
    urls = links(at)
    assert set(urls) == {"CSV (2 in view)", "GeoJSON (2 in view)"}
    response = served.get(urls["CSV (2 in view)"], headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    name = export_name(FilterState(attackers=("US military",)), 2, "csv")
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    rows = csv_rows(response.content)
    assert sorted(r["event_id"] for r in rows) == ["IRQ5", "IRQ6"]
    assert {r["attacker"] for r in rows} == {"US military"}
    assert "possible_duplicate_of" in rows[0]  # the app's frame, flags and all
    features = json.loads(served.get(urls["GeoJSON (2 in view)"]).content)["features"]
    assert sorted(f["properties"]["event_id"] for f in features) == ["IRQ5", "IRQ6"]


def test_a_browser_elsewhere_that_accepts_gzip_gets_the_file_compressed(served):
    at = run_page("app.py")  # the session, kept to the end: its links go with it
    url = links(at)["CSV (7 in view)"]
    remote = Client(served.transport.app, client=("203.0.113.7", 50000))
    plain = remote.get(url, headers={"Accept-Encoding": "identity"})
    packed = remote.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers["content-encoding"] == "identity"
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # the client undid the gzip
    assert len(csv_rows(plain.content)) == 7
    # On this machine (a browser here, or a reverse proxy) sending costs less than packing.
    local = served.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert local.headers["content-encoding"] == "identity" and local.content == plain.content


def test_each_session_has_its_own_unguessable_link(served):
    first, second = run_page("app.py"), run_page("app.py", {"attacker": ["Israel"]})
    one, other = links(first)["CSV (7 in view)"], links(second)["CSV (1 in view)"]
    assert one != other and len(one.rsplit("/", 1)[1]) >= 22
    assert len(csv_rows(served.get(one).content)) == 7
    assert len(csv_rows(served.get(other).content)) == 1


def test_a_link_stops_working_when_its_session_is_gone(served):
    at = run_page("app.py")
    url = links(at)["CSV (7 in view)"]
    assert served.get(url).status_code == 200
    del at
    gc.collect()
    gone = served.get(url)
    assert gone.status_code == 404 and "expired" in gone.text
    assert served.get("/api/export/not-a-token").status_code == 404


def test_the_link_follows_the_page_s_current_view(served):
    at = run_page("app.py")
    url = links(at)["CSV (7 in view)"]
    at.multiselect(key="attacker").set_value(["Israel"]).run()
    assert links(at)["CSV (1 in view)"] == url  # the same link, now for the new view
    assert [r["attacker"] for r in csv_rows(served.get(url).content)] == ["Israel"]


def test_the_body_is_written_ahead_in_a_thread_and_stops_when_the_reader_does():
    events = bundled_events()
    whole = b"".join(csv_chunks(events, chunk=2))
    assert b"".join(downloads.body(csv_chunks(events, chunk=2), gzip=False)) == whole
    packed = b"".join(downloads.body(csv_chunks(events, chunk=2), gzip=True))
    assert zlib.decompress(packed, wbits=31) == whole

    written = []

    def endless():
        while True:
            written.append(1)
            yield b"x" * 10

    stream = downloads.body(endless(), gzip=False)
    assert next(stream) == b"x" * 10
    stream.close()  # the browser went away
    for writer in [t for t in threading.enumerate() if t.name == "export-writer"]:
        writer.join(timeout=30)
        assert not writer.is_alive()
    assert len(written) <= downloads.AHEAD + 3  # it stopped a few chunks ahead, not at the end


def test_the_module_s_examples_hold():
    # downloads.py lives beside the pages, outside geo/ where pytest collects doctests.
    import doctest

    result = doctest.testmod(downloads)
    assert result.failed == 0 and result.attempted >= 4
