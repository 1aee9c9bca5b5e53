"""The map builder: constant base map, local assets only, safe and complete event payload."""

import json
import re

import pandas as pd

from geo.assets import PACKAGES, install_assets, served_assets, served_folders
from geo.mapview import (
    OTHER_COLOR,
    PALETTE,
    attacker_color,
    attacker_colors,
    base_map,
    events_layer,
    layer_payload,
    legend_entries,
)
from helpers import ROOT, bundled_events


def test_assets_are_served_by_the_app(tmp_path):
    assets = install_assets(tmp_path)
    for _, url in assets.js + assets.css:
        assert url.startswith("../../app/static/vendor/")
        assert (tmp_path / url.removeprefix("../../app/static/")).is_file()


def test_the_page_serves_assets_from_where_they_are_installed():
    folders = served_folders()
    assets = served_assets()
    for _, url in assets.js + assets.css:
        component, _, file = url.removeprefix("../app.").partition("/")
        file, _, version = file.partition("?v=")
        assert (folders[component] / file).is_file(), url
        assert version == PACKAGES[component.removeprefix("vendor_")].VERSION, url
        assert ROOT not in (folders[component] / file).resolve().parents  # not the source tree
    for url in (assets.basemap_url, *assets.places_urls, assets.cells_url):
        assert (ROOT / "static" / url.removeprefix("../../app/static/")).is_file()


def test_offline_tiles_are_unpacked_whole_in_xyz_order(tmp_path):
    import sqlite3

    from geo.assets import unpack_tiles

    mbtiles = tmp_path / "t.mbtiles"
    with sqlite3.connect(mbtiles) as db:
        db.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data)")
        db.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(0, 0, 0, b"z0"), (1, 1, 0, b"south-east"), (1, 0, 1, b"north-west")],
        )
    assert unpack_tiles(mbtiles, tmp_path / "tiles") == 3
    assert (tmp_path / "tiles" / "1" / "1" / "1.png").read_bytes() == b"south-east"  # TMS row 0
    assert (tmp_path / "tiles" / "1" / "0" / "0.png").read_bytes() == b"north-west"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.mbtiles", "tiles"]  # no leftovers


def test_the_base_map_names_no_cdn_and_does_not_depend_on_the_data():
    assets = served_assets()
    m = base_map("Offline", assets)
    html = m.get_root().render()
    assert not re.search(r"https?://(cdn|code\.jquery|cdnjs|netdna|unpkg)", html)
    assert [u for _, u in m.default_js] == [u for _, u in assets.js]
    other = base_map("Offline", assets).get_root().render()
    strip = lambda s: re.sub(r"_[0-9a-f]{32}", "", s)  # noqa: E731 (folium's random ids)
    assert strip(html) == strip(other)


def test_our_names_and_layers_start_where_the_offline_tiles_stop_printing_theirs():
    from dataclasses import replace

    from geo.mapview import LAYERS_MIN_ZOOM, Basemap

    with_tiles = replace(served_assets(), tiles_url="../app.osm_tiles/{z}/{x}/{y}.png")
    config = Basemap("Offline", with_tiles).config
    assert config["labels_min_zoom"] == config["layers_min_zoom"] == 7  # the tiles: 0-6
    assert config["cells_folder"] + "40_30.json" == config["cells"].removesuffix(".json") + (
        "/40_30.json"
    )
    assert (ROOT / "static" / config["cells_folder"].removeprefix("../../app/static/")).is_dir()
    bare = Basemap("Offline", replace(with_tiles, tiles_url=None)).config
    assert bare["labels_min_zoom"] == 0 and bare["layers_min_zoom"] == LAYERS_MIN_ZOOM


def test_colours_are_stable_and_colour_blind_safe(events):
    colors = attacker_colors(events)
    assert set(colors.values()) <= set(PALETTE)
    assert colors["Islamic Revolutionary Guard Corps (IRGC)"] == "#0072B2"  # curated
    assert colors["Israel"] == "#CC79A7"
    many = events.loc[events.index.repeat(2)].reset_index(drop=True)
    many["attacker"] = [f"group {i}" for i in range(len(many))]
    assert set(attacker_colors(many).values()) <= set(PALETTE)
    assert OTHER_COLOR not in attacker_colors(many).values()


def test_an_attacker_keeps_its_colour_whatever_else_is_loaded(events):
    alone = attacker_colors(events)
    crowd = events.loc[events.index.repeat(30)].reset_index(drop=True)
    crowd["attacker"] = [f"militia {i % 40}" for i in range(len(crowd))]  # more frequent
    together = attacker_colors(pd.concat([events, crowd], ignore_index=True))
    assert {a: together[a] for a in alone} == alone
    # The same name in another dataset, spelt with other case or spacing, keeps its colour.
    assert attacker_color("militia 7") == together["militia 7"] == attacker_color("MILITIA  7")
    # Hashed names spread over the palette rather than piling on one colour.
    assert len({attacker_color(f"group {i}") for i in range(200)}) == len(PALETTE)


def test_the_legend_lists_the_shown_attackers_as_plain_data_and_counts_the_rest(events):
    hostile = ["[x](https://evil)", "![img](http://x)", ":red[x]", "$x$", "<b>bold</b>"]
    shown = events.loc[events.index.repeat(2)].reset_index(drop=True)
    shown["attacker"] = (hostile * 3)[: len(shown)]
    legend = legend_entries(shown, attacker_colors(shown), limit=3)
    names = [a[0] for a in legend["attackers"]]
    assert len(names) == 3 and set(names) <= set(hostile)  # the names, unchanged
    assert legend["more"] == 2
    assert sum(a[2] for a in legend["attackers"]) <= len(shown)
    # In the page's script the names are JSON strings (set with textContent in the browser),
    # and "</" cannot close the script element.
    shown.loc[0, "attacker"] = "</script><b>x</b>"
    layer = events_layer(shown, attacker_colors(shown), legend=legend_entries(shown, {}))
    js = list(layer._children.values())[0].payload_json
    assert "</script>" not in js and json.loads(js)["legend"]["attackers"]


def test_the_layer_carries_the_move_and_the_legend_for_the_browser(events):
    move = {"token": 3, "center": [36.19, 44.01], "zoom": 10}
    layer = events_layer(
        events,
        attacker_colors(events),
        move=move,
        legend=legend_entries(events, attacker_colors(events)),
    )
    payload = json.loads(list(layer._children.values())[0].payload_json)
    assert payload["move"] == move
    assert payload["legend"]["attackers"][0] == [
        "Islamic Revolutionary Guard Corps (IRGC)",
        "#0072B2",
        3,
    ]


def test_payload_carries_every_event_for_its_popup(events):
    p = layer_payload(events, attacker_colors(events))
    assert p["n"] == len(events) == len(p["lat"]) == len(p["quote"])
    i = p["id"].index("IRQ4")
    assert p["attacker_names"][p["attacker"][i]] == "Islamic Resistance in Iraq"
    assert (p["lat"][i], p["lon"][i], p["injuries"][i], p["fatalities"][i]) == (
        36.2376,
        43.9632,
        3,
        None,
    )
    assert p["quote"][i].startswith("A suicide drone on Monday")


def test_text_cannot_close_the_script_element(events):
    hostile = events.iloc[:1].assign(attacker="</script><script>alert(1)</script>")
    layer = events_layer(hostile, attacker_colors(hostile))
    js = list(layer._children.values())[0].payload_json
    assert "</script>" not in js and "<\\/script>" in js


def synthetic(n: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    events = bundled_events()
    big = events.loc[np.resize(events.index.to_numpy(), n)].reset_index(drop=True)
    big["event_id"] = [f"S{i}" for i in range(n)]
    big["latitude"] = (big["latitude"] + rng.normal(0, 1.0, n)).clip(-89, 89)
    big["longitude"] = (big["longitude"] + rng.normal(0, 1.0, n)).clip(-179, 179)
    return big


def test_a_small_dataset_is_sent_whole_whatever_the_view(events):
    from geo.filters import Bounds
    from geo.mapview import plan_layer

    colors = attacker_colors(events)
    a = plan_layer(events, colors, Bounds(30, 40, 31, 41), 9)
    b = plan_layer(events, colors, Bounds(0, 0, 60, 60), 4)
    assert a.payload == b.payload and a.payload["n"] == len(events) and a.description == ""


def test_a_large_dataset_zoomed_out_is_sent_as_a_bounded_number_of_cells():
    import json

    from geo.filters import View, view_bounds
    from geo.mapview import POINT_LIMIT, plan_layer

    for n in (20_000, 200_000):
        big = synthetic(n)
        plan = plan_layer(big, attacker_colors(big), view_bounds(View(34, 42, 5), 900, 620), 5)
        assert plan.payload["mode"] == "cells"
        assert sum(plan.payload["count"]) == plan.payload["n"] == n
        assert plan.payload["cells"] < 2_000
        assert len(json.dumps(plan.payload)) < 250_000  # bytes do not grow with n
        assert "grid cells" in plan.description
        zoomed = plan_layer(
            big, attacker_colors(big), view_bounds(View(36.19, 44.01, 13), 900, 620), 13
        )
        assert zoomed.payload["mode"] == "points" and zoomed.payload["n"] <= POINT_LIMIT


def test_cells_name_their_most_frequent_attacker():
    from geo.mapview import cells_payload

    big = synthetic(5_000)
    p = cells_payload(big, attacker_colors(big), zoom=3)
    top = p["attacker_names"][p["top"][p["count"].index(max(p["count"]))]]
    assert top == "Islamic Revolutionary Guard Corps (IRGC)"  # 3 of the 7 rows repeated


def test_cells_on_every_side_of_the_equator_and_meridian_add_up_to_a_plain_count():
    """The cells (counted with bincount over one key) against pandas' groupby, with events
    west and south of 0° (negative cell indices) and a tie for the most frequent attacker."""
    import numpy as np

    from geo.mapview import cell_degrees, cells_payload

    ev = pd.DataFrame(
        {
            "latitude": [-33.9, -33.8, -33.85, 51.5, 51.4, 40.7, 40.7, 40.7],
            "longitude": [18.4, 18.5, 18.45, -0.1, -0.2, -74.0, -74.0, -74.0],
            "attacker": ["A", "B", "B", "C", "C", "A", "B", "A"],
            "fatalities": pd.array([1, None, 2, 0, 5, 1, 1, 1], dtype="Int64"),
        }
    )
    p = cells_payload(ev, {}, zoom=5)
    size = cell_degrees(5)
    ev["ix"] = np.floor(ev["longitude"] / size).astype(int)
    ev["iy"] = np.floor(ev["latitude"] / size).astype(int)
    plain = ev.groupby(["ix", "iy"], sort=False).agg(
        n=("attacker", "size"), f=("fatalities", "sum"), lat=("latitude", "mean")
    )
    assert list(zip(p["ix"], p["iy"], strict=True)) == list(plain.index)
    assert p["count"] == plain["n"].tolist() and p["fatalities"] == plain["f"].tolist()
    assert p["lat"] == plain["lat"].round(4).tolist()
    names = [p["attacker_names"][t] for t in p["top"]]
    assert names == ["B", "C", "A"] and p["top_share"] == [0.67, 1.0, 0.67]


def test_small_pans_send_the_same_payload():
    from geo.filters import Bounds
    from geo.mapview import snap

    assert snap(Bounds(35.0, 44.0, 36.0, 45.5), 8) == snap(Bounds(35.01, 44.02, 36.01, 45.52), 8)


def test_popup_payload_names_the_basis_the_source_title_the_window_and_the_total(events):
    import pandas as pd

    coarse = events.assign(time_precision=pd.array([3, 1, 1, 2, 1, 1, 1], dtype="Int64"))
    d = layer_payload(coarse, attacker_colors(coarse))
    at = {event_id: i for i, event_id in enumerate(d["id"])}
    assert d["when_names"][d["when"][at["IRQ1"]]] == "during September 2022"
    assert d["when_names"][d["when"][at["IRQ4"]]] == "week of 22–28 Dec 2023"
    assert d["when_names"][d["when"][at["IRQ5"]]] == "2023-12-26"
    assert d["basis_names"][d["basis"][at["SYR1"]]] == "attributed by others"
    assert d["basis_names"][d["basis"][at["IRQ4"]]] == "claimed by the group"
    assert d["doc_names"][d["doc"][at["SYR1"]]].startswith("News article on US strikes")
    assert d["context_names"][d["context"][at["IRQ2"]]].startswith(
        "13 killed, 58 wounded across IRQ1–IRQ3"
    )
    assert d["context_names"][d["context"][at["IRQ5"]]] == ""
    assert d["fatalities"][at["IRQ1"]] is None  # "not reported" in the popup, never 0
    m = base_map("Offline", served_assets())
    events_layer(coarse, attacker_colors(coarse)).add_to(m)
    html = m.get_root().render()
    assert "'Attribution: '" in html and "'In a total: '" in html


def test_popup_payload_gives_ucdps_low_and_high_where_they_differ_from_best():
    from geo.ingest import convert

    ucdp = convert(ROOT / "tests" / "fixtures" / "ingest" / "ucdp_ged.csv").events
    d = layer_payload(ucdp, attacker_colors(ucdp))
    shown = {
        event_id: d["fatality_range_names"][d["fatality_range"][i]]
        for i, event_id in enumerate(d["id"])
    }
    assert shown == {
        "UCDP-244657": " (low 4, high 5)",  # best 4: the high one differs
        "UCDP-244700": " (low 10, high 20)",
        "UCDP-244801": "",  # 3, 3 and 3: one figure
        "UCDP-244902": " (low 0, high 1)",
    }
    bundled = layer_payload(bundled_events(), {})
    assert set(bundled["fatality_range_names"]) == {""}  # one figure each: nothing added
    html = _rendered(ucdp)
    assert "d.fatality_range_names[d.fatality_range[i]]" in html


def test_popup_says_which_event_a_possible_duplicate_may_be(events):
    from geo.actors import canonicalise
    from geo.duplicates import flag
    from geo.ingest import convert

    overlap = ROOT / "tests" / "fixtures" / "duplicates" / "acled_overlapping_bundled.csv"
    both = flag(pd.concat([events, canonicalise(convert(overlap).events)[0]], ignore_index=True))
    d = layer_payload(both, attacker_colors(both))
    note = {event_id: d["duplicate_names"][d["duplicate"][i]] for i, event_id in enumerate(d["id"])}
    assert note["IRQ5"] == (
        "Possibly the same event as IRQ90001 (same day, within 5 km, same attacker and target)"
    )
    assert note["IRQ90004"].startswith("Possibly the same event as IRQ4 (within 2 days")
    assert note["IRQ1"] == "" and note["IRQ90003"] == ""
    assert "duplicate" not in layer_payload(events, {})  # unflagged data: nothing to say
    assert "'ev-meta ev-duplicate'" in _rendered(both)


def _rendered(events) -> str:
    m = base_map("Offline", served_assets())
    events_layer(events, attacker_colors(events)).add_to(m)
    return m.get_root().render()


def test_draw_map_is_the_pages_render_points_or_density_with_the_legend_and_marks(events):
    from geo.filters import Bounds
    from geo.mapview import draw_map

    colors, view = attacker_colors(events), Bounds(30, 38, 40, 50)
    assets = served_assets()

    def payload(drawing):
        return json.loads(list(drawing.events._children.values())[0].payload_json)

    points = draw_map(
        events,
        colors,
        view,
        6,
        basemap="Offline",
        assets=assets,
        mark=lambda p: {**p, "selected": ["IRQ4"]},
        move={"token": 1},
    )
    sent = payload(points)
    assert sent["n"] == len(events) and sent["selected"] == ["IRQ4"] and sent["move"]
    assert sum(a[2] for a in sent["legend"]["attackers"]) == len(events)
    assert points.plan.description == ""  # few events: drawn whole, nothing to explain

    density = draw_map(events, colors, view, 6, basemap="Offline", assets=assets, layer="density")
    assert payload(density)["mode"] == "density" == density.plan.payload["mode"]
    assert density.plan.description.startswith(f"Density: {len(events):,} events")
    html = density.html()  # the page the browser is sent: the base map with the layer in it
    assert density.base.get_name() in html and '"mode": "density"' in html
