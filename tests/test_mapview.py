"""The map builder: constant base map, local assets only, safe and complete event payload."""

import re

from conftest import ROOT
from geo.assets import install_assets
from geo.events import load_events
from geo.mapview import OTHER_COLOR, PALETTE, attacker_colors, base_map, events_layer, layer_payload

EVENTS = load_events(ROOT / "data" / "events.csv").events


def test_assets_are_served_by_the_app(tmp_path):
    assets = install_assets(tmp_path)
    for _, url in assets.js + assets.css:
        assert url.startswith("../../app/static/vendor/")
        assert (tmp_path / url.removeprefix("../../app/static/")).is_file()


def test_the_base_map_names_no_cdn_and_does_not_depend_on_the_data():
    assets = install_assets()
    m = base_map("Offline", assets)
    html = m.get_root().render()
    assert not re.search(r"https?://(cdn|code\.jquery|cdnjs|netdna|unpkg)", html)
    assert [u for _, u in m.default_js] == [u for _, u in assets.js]
    other = base_map("Offline", assets).get_root().render()
    strip = lambda s: re.sub(r"_[0-9a-f]{32}", "", s)  # noqa: E731 (folium's random ids)
    assert strip(html) == strip(other)


def test_colours_are_stable_and_colour_blind_safe():
    colors = attacker_colors(EVENTS)
    assert set(colors.values()) <= set(PALETTE)
    assert colors["Islamic Revolutionary Guard Corps (IRGC)"] == PALETTE[0]  # most events
    many = EVENTS.loc[EVENTS.index.repeat(2)].reset_index(drop=True)
    many["attacker"] = [f"group {i}" for i in range(len(many))]
    assert list(attacker_colors(many).values()).count(OTHER_COLOR) == len(many) - len(PALETTE)


def test_payload_carries_every_event_for_its_popup():
    p = layer_payload(EVENTS, attacker_colors(EVENTS))
    assert p["n"] == len(EVENTS) == len(p["lat"]) == len(p["quote"])
    i = p["id"].index("IRQ4")
    assert p["attacker_names"][p["attacker"][i]] == "Islamic Resistance in Iraq"
    assert (p["lat"][i], p["lon"][i], p["injuries"][i], p["fatalities"][i]) == (
        36.2376, 43.9632, 3, None)
    assert p["quote"][i].startswith("A suicide drone on Monday")


def test_text_cannot_close_the_script_element():
    hostile = EVENTS.iloc[:1].assign(attacker="</script><script>alert(1)</script>")
    layer = events_layer(hostile, attacker_colors(hostile))
    js = list(layer._children.values())[0].payload_json
    assert "</script>" not in js and "<\\/script>" in js
