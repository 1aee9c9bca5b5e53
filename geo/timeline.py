"""The timeline chart (Altair, no Streamlit) and the dates a brushed span on it stands for.

One dot per event: time across, one row per attacker in the map's colours, the dot's area by
fatalities, and events of the same attacker on the same day side by side. Dragging across the
chart selects a span of dates (the interval selection named :data:`SPAN`).

What is not known is drawn as such: an event with no fatality figure of its own is a hollow,
dashed dot (sized by the multi-site total it is part of, if any, which its tooltip names), and
a date known only to the week or month is a bar across that window behind the dot.

>>> dates_in_span([1703462400000, 1703635199000])   # 2023-12-25 00:00 to 2023-12-26 23:59 UTC
(datetime.date(2023, 12, 25), datetime.date(2023, 12, 26))
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

import altair as alt
import pandas as pd

from geo.dates import date_labels, date_windows
from geo.mapview import OTHER_COLOR
from geo.sources import casualty_context, summary_total

SPAN = "span"  # name of the interval selection; Streamlit reports it under this key
FIELD = "day"  # the chart's date field, YYYY-MM-DD read as UTC so no time zone shifts a day
ROW_HEIGHT = 56
MAX_SLOTS = 8  # beyond this many events of one attacker on one day, dots overlap
MAX_DOTS = 3000  # more events than this are gathered by attacker and period
GRAINS = {"day": "D", "week": "W-SUN", "month": "M"}


def grain(events: pd.DataFrame) -> str | None:
    """None to draw one dot per event; else the period ("day", "week" or "month") by which
    more than :data:`MAX_DOTS` events are gathered, one dot per attacker and period."""
    if len(events) <= MAX_DOTS:
        return None
    for name, freq in GRAINS.items():
        periods = events["event_date"].dt.to_period(freq)
        if (
            pd.DataFrame({"p": periods, "a": events["attacker"]}).drop_duplicates().shape[0]
            <= MAX_DOTS
        ):
            return name
    return "month"


def chart_data(events: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The columns the chart draws and its tooltips show: one row per event, or with ``by``
    (see :func:`grain`) one row per attacker and period, with the events counted and their
    fatalities added up."""
    out = pd.DataFrame(
        {
            FIELD: events["event_date"],
            "event_id": events["event_id"].astype(str),
            "attacker": events["attacker"].astype(str),
            "target_group": events["target_group"].astype(str),
            "place": (events["location"].astype(str) + ", " + events["country"].astype(str)),
            "fatalities": events["fatalities"].astype("Float64"),
        },
        index=events.index,
    )
    if by is None:
        start, end = date_windows(events)
        out["when"] = date_labels(events)
        out["from"], out["to"] = start.dt.strftime("%Y-%m-%d"), end.dt.strftime("%Y-%m-%d")
        out["window"] = (end > start).to_numpy()
        out["context"] = casualty_context(events)
        out["total"] = summary_total(events)
    else:
        out = _gather(out, GRAINS[by])
        out["when"] = f"{by} of " + out[FIELD].dt.strftime("%Y-%m-%d")
        out["from"] = out["to"] = out[FIELD].dt.strftime("%Y-%m-%d")
        out["window"], out["context"] = False, ""
        out["total"] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    out[FIELD] = out[FIELD].dt.strftime("%Y-%m-%d")
    out["reported"] = out["fatalities"].notna().to_numpy()
    shown = [("not reported" if pd.isna(v) else str(int(v))) for v in out["fatalities"]]
    out["fatalities_shown"] = [
        f"{s}; {c}" if c and s == "not reported" else s
        for s, c in zip(shown, out["context"], strict=True)
    ]
    # A hollow dot stands for an unknown figure: sized by the total it shares, if any.
    out["size"] = out["fatalities"].fillna(out["total"]).fillna(0).astype(float)
    out["who"] = out["attacker"] + " → " + out["target_group"]
    # Same attacker, same day: number the events so they sit side by side, not on top.
    out["slot"] = out.groupby([FIELD, "attacker"]).cumcount() % MAX_SLOTS
    return out.reset_index(drop=True)


def _gather(rows: pd.DataFrame, freq: str) -> pd.DataFrame:
    """One row per attacker and period: its first day, "N events", "N target groups" etc."""
    period = rows[FIELD].dt.to_period(freq).dt.start_time
    groups = rows.assign(**{FIELD: period}).groupby([FIELD, "attacker"], sort=False)

    def summary(values: pd.Series, many: str) -> str:
        distinct = values.unique()
        return distinct[0] if len(distinct) == 1 else f"{len(distinct):,} {many}"

    out = groups.agg(
        event_id=("event_id", lambda v: v.iloc[0] if len(v) == 1 else f"{len(v):,} events"),
        target_group=("target_group", lambda v: summary(v, "target groups")),
        place=("place", lambda v: summary(v, "places")),
        fatalities=("fatalities", lambda v: v.sum(min_count=1)),
    ).reset_index()
    out["fatalities"] = out["fatalities"].astype("Float64")
    return out


def timeline_chart(events: pd.DataFrame, colors: Mapping[str, str]) -> alt.Chart:
    """Dots on a time axis, one row per attacker, coloured like the map, sized by fatalities.

    Beyond :data:`MAX_DOTS` events a dot stands for an attacker's events of a day, week or
    month (:func:`grain`), so the browser draws a few thousand marks, not every event."""
    data = chart_data(events, grain(events))
    present = set(data["attacker"])
    attackers = [a for a in colors if a in present]
    attackers += sorted(present - set(attackers))
    span = alt.selection_interval(name=SPAN, encodings=["x"])
    slots = max(int(data["slot"].max()) + 1 if len(data) else 1, 1)
    largest = max(float(data["size"].max()) if len(data) else 0.0, 1.0)
    row = ROW_HEIGHT if len(attackers) <= 12 else ROW_HEIGHT // 2
    y = alt.Y("attacker:N", title=None, sort=attackers, axis=alt.Axis(labelLimit=320))
    y_offset = alt.YOffset("slot:O", scale=alt.Scale(domain=list(range(slots))))
    color = alt.Color(
        "attacker:N",
        legend=None,
        scale=alt.Scale(domain=attackers, range=[colors.get(a, OTHER_COLOR) for a in attackers]),
    )
    points = (
        alt.Chart(data)
        .mark_circle()
        .encode(
            x=alt.X(
                f"{FIELD}:T",
                title="Date",
                scale=alt.Scale(type="utc", padding=24),
                axis=_date_axis(events),
            ),
            y=y,
            yOffset=y_offset,
            color=color,
            # Not reported is not 0: hollow and dashed, never a small filled dot.
            fillOpacity=alt.condition("datum.reported", alt.value(0.85), alt.value(0.0)),
            stroke=alt.condition(
                "datum.reported",
                alt.value("#1a1a1a"),
                alt.Stroke(
                    "attacker:N",
                    legend=None,
                    scale=alt.Scale(
                        domain=attackers, range=[colors.get(a, OTHER_COLOR) for a in attackers]
                    ),
                ),
            ),
            strokeDash=alt.condition("datum.reported", alt.value([1, 0]), alt.value([3, 2])),
            strokeWidth=alt.condition("datum.reported", alt.value(1.2), alt.value(2.5)),
            size=alt.Size(
                "size:Q",
                title="Fatalities",
                scale=alt.Scale(domain=[0, largest], range=[90, 900], zero=True),
                legend=alt.Legend(
                    orient="bottom",
                    format="d",
                    values=_size_legend(largest),
                    labelExpr="datum.value == 0 ? '0 (hollow: not reported)' : datum.label",
                ),
            ),
            tooltip=[
                alt.Tooltip(f"{FIELD}:T", title="Date", format="%Y-%m-%d"),
                alt.Tooltip("when:N", title="When"),
                alt.Tooltip("event_id:N", title="Event"),
                alt.Tooltip("who:N", title="Attacker → target"),
                alt.Tooltip("place:N", title="Place"),
                alt.Tooltip("fatalities_shown:N", title="Fatalities"),
            ],
        )
        .add_params(span)
    )
    # The height holds the rows, the date axis and the size legend below it.
    height = max(len(attackers), 1) * row + 150
    if not data["window"].any():
        return points.properties(height=height)
    # A date known only to the week or month: a bar across its window, behind the dot.
    spans = (
        alt.Chart(data)
        .transform_filter("datum.window")
        .mark_rule(strokeWidth=7, opacity=0.35, strokeCap="round")
        .encode(
            x="from:T",
            x2="to:T",
            y=y,
            yOffset=y_offset,
            color=color,
            tooltip=[alt.Tooltip("when:N", title="When"), alt.Tooltip("event_id:N", title="Event")],
        )
    )
    return alt.layer(spans, points).properties(height=height)


def _date_axis(events: pd.DataFrame) -> alt.Axis:
    """Dates as YYYY-MM-DD; over a month or less, one tick a day (never hours that would all
    read as the same day)."""
    dates = events["event_date"].dropna()
    short = len(dates) == 0 or (dates.max() - dates.min()) <= pd.Timedelta(days=31)
    return alt.Axis(
        format="%Y-%m-%d",
        labelAngle=0,
        grid=True,
        labelOverlap=True,
        tickCount=alt.TickCount(interval="day", step=1) if short else alt.Undefined,
    )


def _size_legend(largest: float) -> list[int]:
    """A few round fatality counts for the size legend (0 stands for 'not reported' too)."""
    steps = [0, 1, 10, 100, 1000, 10000]
    return [s for s in steps if s <= largest] + ([int(largest)] if largest not in steps else [])


def dates_in_span(values: Sequence[float | str] | None) -> tuple[date, date] | None:
    """The whole days a brushed span covers, or None if it covers none.

    ``values`` is the interval Vega-Lite reports for the date field: two instants as
    milliseconds since 1970 (UTC, as the chart's scale is UTC) or as ISO strings. Events sit at
    midnight of their day, so a span from Dec 24 13:00 to Dec 26 10:00 covers the dots of Dec 25
    and 26: the first day is rounded up, the last one down.
    """
    if not values or len(values) != 2:
        return None
    try:
        instants = sorted(_instant(v) for v in values)
    except (TypeError, ValueError, OverflowError):
        return None
    low, high = instants
    first = low.date() if low.time() == datetime.min.time() else low.date() + timedelta(days=1)
    last = high.date()
    return (first, last) if first <= last else None


def _instant(value: float | str) -> datetime:
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if not math.isfinite(float(value)):
        raise ValueError(f"not a time: {value!r}")
    return datetime.fromtimestamp(float(value) / 1000, tz=UTC)


def with_window(chart: alt.Chart, start: date, end: date) -> alt.LayerChart:
    """The chart with a shaded band over the days ``start``..``end`` (both included): where a
    playback is. The band is drawn under the dots and takes no clicks, so the brush still works.
    """
    band = pd.DataFrame(
        {
            "from": [start.isoformat()],
            "to": [(end + timedelta(days=1)).isoformat()],
            "label": [f"Playback: {start} – {end}"],
        }
    )
    shade = (
        alt.Chart(band)
        .mark_rect(color="#c9a227", opacity=0.22, stroke="#8a6d00", strokeWidth=1)
        .encode(
            x=alt.X("from:T", scale=alt.Scale(type="utc")),
            x2="to:T",
            tooltip=alt.Tooltip("label:N", title="Window"),
        )
    )
    return alt.layer(shade, chart).resolve_scale(x="shared")
