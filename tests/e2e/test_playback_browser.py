"""Playback, the Timeline's band, and the density layer in a real browser (bundled data)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from e2e.browser_helpers import (
    MAP_FRAME,
    go_to_page,
    open_map,
    remember_map,
    same_map,
    wait_idle,
)

COUNT = ".st-key-counts [data-testid='stMetricValue']"
BAR = ".st-key-playback"


def wait_window(page, text: str, count: str) -> None:
    """Wait until the URL names the window and the counts and the map follow it."""
    start, end = text.split(" – ")
    page.wait_for_function(
        "([s, e]) => { const q = new URLSearchParams(location.search); "
        "return q.get('start') === s && q.get('end') === e; }",
        arg=[start, end],
        timeout=60_000,
    )
    page.wait_for_function(
        """([sel, count]) => document.querySelector(sel)?.innerText === count""",
        arg=[COUNT, count],
        timeout=60_000,
    )
    frame = page.wait_for_selector(MAP_FRAME).content_frame()
    frame.wait_for_function(
        "n => window.conflictMap && window.conflictMap.count === n", arg=int(count), timeout=60_000
    )


def test_playing_steps_the_map_counts_and_url_through_2020_2022_2023(server, context):
    page = context.new_page()
    open_map(page, f"{server.url}/?basemap=Offline&speed=fast")
    remember_map(page)
    page.get_by_role("button", name="Play").click()
    for text, count in (
        ("2020-01-01 – 2020-01-31", "1"),  # IRQ6, Soleimani
        ("2022-09-01 – 2022-09-30", "3"),  # IRQ1-3, the IRGC strikes
        ("2023-12-01 – 2023-12-31", "3"),
    ):  # IRQ4, IRQ5, SYR1
        wait_window(page, text, count)
        assert same_map(page), f"the map was remounted at {text}"
    # At the end the playback pauses on the last window: the date filter stays on it.
    page.get_by_role("button", name="Resume (3 of 3)").wait_for()
    wait_idle(page)
    query = parse_qs(urlparse(page.url).query)
    assert (query["start"], query["end"]) == (["2023-12-01"], ["2023-12-31"])
    sidebar_from = [
        page.get_by_role("spinbutton", name=f"{part}, From").get_attribute("aria-valuenow")
        for part in ("year", "month", "day")
    ]
    assert sidebar_from == ["2023", "12", "1"]
    assert same_map(page)

    # The Timeline shows where the playback is, over the playback's whole range.
    go_to_page(page, "Timeline")
    page.get_by_text("The map's playback is at 2023-12-01 – 2023-12-31 (shaded)").wait_for()

    # Stop: the dates go back to what they were before Play (none).
    go_to_page(page, "Map")
    page.locator(".st-key-play_stop button").first.click()
    wait_idle(page)
    page.wait_for_function("s => document.querySelector(s)?.innerText === '7'", arg=COUNT)
    page.wait_for_function("() => !new URLSearchParams(location.search).has('start')")


def test_cumulative_playback_adds_up(server, context):
    page = context.new_page()
    open_map(page, f"{server.url}/?basemap=Offline&speed=fast&cumulative=true")
    remember_map(page)
    page.get_by_role("button", name="Play").click()
    for text, count in (
        ("2020-01-01 – 2020-01-31", "1"),
        ("2020-01-01 – 2022-09-30", "4"),
        ("2020-01-01 – 2023-12-31", "7"),
    ):
        wait_window(page, text, count)
    assert same_map(page)


def test_density_layer_is_a_url_choice_drawn_from_local_files(server, context):
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost")
            and not r.url.startswith(("data:", "blob:", "about:"))
            else None
        ),
    )
    frame = open_map(page, f"{server.url}/?basemap=Offline&layer=density")
    # Every event is counted in a square: the squares' counts add up to the 7 events.
    frame.wait_for_function("""() => window.conflictMap.mode === 'density' &&
        window.conflictMap.squares.getLayers().reduce(
            (n, l) => n + l.feature.properties.count, 0) === 7""")
    assert "Events per square" in frame.locator(".ev-legend").inner_text()
    assert page.get_by_role("combobox", name="Layer").input_value() == "density"
    assert outside == []
