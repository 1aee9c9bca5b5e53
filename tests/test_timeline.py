"""geo.timeline: the chart's colours, sizes and tooltips, and the dates a brushed span covers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.mapview import attacker_colors
from geo.timeline import FIELD, SPAN, chart_data, dates_in_span, grain, timeline_chart
from helpers import bundled_events


def spec(events: pd.DataFrame | None = None) -> dict:
    """The chart of `events` (all bundled events by default) in the whole dataset's colours."""
    everything = bundled_events()
    chosen = everything if events is None else events
    return timeline_chart(chosen, attacker_colors(everything)).to_dict()


def test_each_attacker_has_its_map_colour(events):
    colors = attacker_colors(events)
    scale = spec()["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        a: colors[a] for a in events["attacker"].unique()
    }


def test_a_filtered_chart_keeps_the_colours_of_the_whole_dataset(events):
    us = events.loc[events["attacker"] == "US military"]
    scale = spec(us)["encoding"]["color"]["scale"]
    assert scale["domain"] == ["US military"]
    assert scale["range"] == [attacker_colors(events)["US military"]]


def test_tooltips_give_date_id_attacker_to_target_place_and_fatalities(events):
    titles = [t["title"] for t in spec()["encoding"]["tooltip"]]
    assert titles == ["Date", "When", "Event", "Attacker → target", "Place", "Fatalities"]
    rows = chart_data(events).set_index("event_id")
    assert rows.loc["IRQ5", "who"] == "US military → Kataib Hezbollah"
    assert rows.loc["IRQ4", "place"] == "Erbil International Airport, Iraq"
    assert rows.loc["IRQ6", "fatalities_shown"] == "2"
    assert rows.loc["IRQ4", "fatalities_shown"] == "not reported"
    assert rows.loc["IRQ2", "fatalities_shown"] == (
        "not reported; 13 killed, 58 wounded across IRQ1–IRQ3 (summary S1), not broken down"
    )


def test_dots_are_sized_by_fatalities_and_same_day_events_sit_side_by_side(events):
    rows = chart_data(events).set_index("event_id")
    assert rows.loc["IRQ6", "size"] > rows.loc["IRQ5", "size"] > rows.loc["IRQ4", "size"] == 0
    assert sorted(rows.loc[["IRQ1", "IRQ2", "IRQ3"], "slot"]) == [0, 1, 2]
    assert rows.loc["IRQ4", "slot"] == rows.loc["SYR1", "slot"] == 0  # different attackers
    assert rows.loc["IRQ1", FIELD] == "2022-09-28"


def test_dragging_selects_an_interval_of_dates():
    params = spec()["params"]
    assert params == [{"name": SPAN, "select": {"type": "interval", "encodings": ["x"]}}]


DAY = 86_400_000
DEC_25 = 1703462400000  # 2023-12-25 00:00 UTC


@pytest.mark.parametrize(
    "values, days",
    [
        ([DEC_25, DEC_25 + DAY], (date(2023, 12, 25), date(2023, 12, 26))),
        ([DEC_25 + DAY, DEC_25], (date(2023, 12, 25), date(2023, 12, 26))),  # dragged leftwards
        ([DEC_25 - DAY // 2, DEC_25 + DAY + DAY // 2], (date(2023, 12, 25), date(2023, 12, 26))),
        ([DEC_25 + 3_600_000, DEC_25 + 7_200_000], None),  # inside one day: no dot is covered
        (
            ["2023-12-25T00:00:00.000Z", "2023-12-31T12:00:00Z"],
            (date(2023, 12, 25), date(2023, 12, 31)),
        ),
        (None, None),
        ([DEC_25], None),
        (["not a date", DEC_25], None),
        ([float("nan"), DEC_25], None),
    ],
)
def test_a_brushed_span_becomes_the_whole_days_it_covers(values, days):
    assert dates_in_span(values) == days


def test_over_a_few_days_the_axis_ticks_whole_days_not_hours(events):
    december = events.loc[events["event_date"] >= "2023-12-25"]
    axis = spec(december)["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"interval": "day", "step": 1}
    assert "tickCount" not in spec()["encoding"]["x"]["axis"]  # years: Vega-Lite chooses


def test_thousands_of_events_are_gathered_by_attacker_and_day(events):
    many = pd.concat(
        [events.assign(event_id=events["event_id"] + f"-{i}") for i in range(500)],
        ignore_index=True,
    )
    assert grain(events) is None and grain(many) == "day"
    rows = chart_data(many, "day").set_index(["day", "attacker"])
    irgc = rows.loc[("2022-09-28", "Islamic Revolutionary Guard Corps (IRGC)")]
    assert irgc["event_id"] == "1,500 events"
    assert irgc["target_group"] == "3 target groups" and irgc["place"] == "3 places"
    assert irgc["fatalities_shown"] == "not reported"  # none of them has a figure
    us = rows.loc[("2020-01-03", "US military")]
    assert (us["event_id"], us["fatalities"], us["target_group"]) == (
        "500 events",
        1000,
        "Islamic Revolutionary Guard Corps (IRGC)",
    )
    assert len(timeline_chart(many, attacker_colors(events)).data) == len(rows) == 5


def test_not_reported_is_hollow_and_dashed_and_a_shared_total_sizes_it(events):
    rows = chart_data(events).set_index("event_id")
    assert not rows.loc["IRQ1", "reported"] and rows.loc["IRQ6", "reported"]
    # The 28 September strikes: 13 killed in all (S1), so not the smallest dots any more.
    assert rows.loc["IRQ1", "size"] == 13 > rows.loc["IRQ6", "size"]
    assert rows.loc["IRQ4", "size"] == 0 and not rows.loc["IRQ4", "reported"]
    encoding = spec()["encoding"]
    assert encoding["fillOpacity"]["condition"] == {"test": "datum.reported", "value": 0.85}
    assert encoding["fillOpacity"]["value"] == 0.0
    assert encoding["strokeDash"]["value"] == [3, 2]
    assert encoding["stroke"]["field"] == "attacker"  # a hollow dot keeps its attacker colour


def test_a_week_or_month_is_drawn_as_a_span(events):
    coarse = events.assign(time_precision=pd.array([3, 1, 1, 2, 1, 1, 1], dtype="Int64"))
    rows = chart_data(coarse).set_index("event_id")
    assert (rows.loc["IRQ1", "from"], rows.loc["IRQ1", "to"]) == ("2022-09-01", "2022-09-30")
    assert rows.loc["IRQ1", "when"] == "during September 2022"
    assert rows.loc["IRQ4", "when"] == "week of 22–28 Dec 2023"
    assert list(rows.index[rows["window"]]) == ["IRQ1", "IRQ4"]
    layered = timeline_chart(coarse, attacker_colors(events)).to_dict()
    rule, points = layered["layer"]
    assert rule["mark"]["type"] == "rule" and rule["transform"] == [{"filter": "datum.window"}]
    assert (rule["encoding"]["x"]["field"], rule["encoding"]["x2"]["field"]) == ("from", "to")
    assert layered["params"][0]["name"] == SPAN and points["mark"]["type"] == "circle"
    assert "layer" not in spec()  # exact days only: the plain dot chart


def test_the_playback_window_is_a_band_under_the_dots_and_the_brush_stays(events):
    from geo.timeline import with_window

    chart = with_window(
        timeline_chart(events, attacker_colors(events)), date(2022, 9, 1), date(2022, 9, 30)
    )
    spec = chart.to_dict()
    band, dots = spec["layer"]
    assert band["mark"]["type"] == "rect" and dots["mark"]["type"] == "circle"
    values = spec["datasets"][band["data"]["name"]]
    assert values == [
        {"from": "2022-09-01", "to": "2022-10-01", "label": "Playback: 2022-09-01 – 2022-09-30"}
    ]
    assert [p["name"] for p in spec.get("params", []) + dots.get("params", [])] == [SPAN]
