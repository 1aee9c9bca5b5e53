"""geo.playback: event spans, the windows of a playback and which events each one shows."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.playback import (
    PlaybackError,
    Window,
    active,
    event_spans,
    next_window,
    position,
    speed_ms,
    window_counts,
    windows,
)


def frame(dates, precision=None, ends=None) -> pd.DataFrame:
    data = {"event_date": pd.to_datetime(dates)}
    data["time_precision"] = precision or [1] * len(dates)
    if ends is not None:
        data["event_date_end"] = pd.to_datetime(ends)
    return pd.DataFrame(data)


def as_dates(spans, i):
    return (
        date(1970, 1, 1) + timedelta(days=int(spans.first[i])),
        date(1970, 1, 1) + timedelta(days=int(spans.last[i])),
    )


@pytest.mark.parametrize(
    "day, precision, span",
    [
        ("2023-12-25", 1, ("2023-12-25", "2023-12-25")),
        # Wednesday 28 September 2022, known to the week: Monday 26 to Sunday 2 October.
        ("2022-09-28", 2, ("2022-09-26", "2022-10-02")),
        ("2022-09-26", 2, ("2022-09-26", "2022-10-02")),  # a Monday stays the first day
        ("2022-10-02", 2, ("2022-09-26", "2022-10-02")),  # a Sunday stays the last day
        ("2024-02-10", 3, ("2024-02-01", "2024-02-29")),  # leap year
    ],
)
def test_a_date_known_to_the_week_or_month_spans_it(day, precision, span):
    spans = event_spans(frame([day], [precision]))
    assert as_dates(spans, 0) == tuple(date.fromisoformat(s) for s in span)


def test_an_end_column_ends_the_span_where_it_is_filled():
    spans = event_spans(
        frame(
            ["2023-01-01", "2023-01-01", "2023-05-10"],
            [1, 3, 1],
            ends=["2023-01-09", None, "2023-05-01"],
        )
    )
    assert as_dates(spans, 0) == (date(2023, 1, 1), date(2023, 1, 9))
    assert as_dates(spans, 1) == (date(2023, 1, 1), date(2023, 1, 31))  # from the precision
    assert as_dates(spans, 2) == (date(2023, 5, 10), date(2023, 5, 10))  # end before start


def test_the_bundled_data_plays_in_three_months_2020_2022_2023(events):
    spans = event_spans(events)
    steps = windows(spans, "month")
    assert [(w.start.year, w.start.month) for w in steps] == [(2020, 1), (2022, 9), (2023, 12)]
    shown = [set(events.loc[active(spans, w), "event_id"]) for w in steps]
    assert shown == [{"IRQ6"}, {"IRQ1", "IRQ2", "IRQ3"}, {"IRQ4", "IRQ5", "SYR1"}]


def test_empty_windows_are_kept_on_request_with_their_counts(events):
    spans = event_spans(events)
    every, counts = window_counts(spans, "month")
    assert len(every) == 48 == len(windows(spans, "month", skip_empty=False))
    assert every[0] == Window(date(2020, 1, 1), date(2020, 1, 31))
    assert every[-1] == Window(date(2023, 12, 1), date(2023, 12, 31))
    assert counts.sum() == 7 and (counts > 0).sum() == 3


def test_weeks_start_on_monday_and_a_week_known_event_shows_all_week():
    events = frame(["2022-09-28", "2022-10-05"], [2, 1])
    spans = event_spans(events)
    steps = windows(spans, "week", skip_empty=False)
    assert [w.start.weekday() for w in steps] == [0, 0]
    assert active(spans, Window(date(2022, 9, 26), date(2022, 9, 26))).tolist() == [True, False]
    assert active(spans, Window(date(2022, 10, 2), date(2022, 10, 2))).tolist() == [True, False]
    assert active(spans, Window(date(2022, 10, 3), date(2022, 10, 9))).tolist() == [False, True]


def test_cumulative_mode_keeps_every_event_since_the_start(events):
    spans = event_spans(events)
    last = windows(spans, "month")[-1]
    assert active(spans, last, since=date(2020, 1, 1)).sum() == len(events)
    assert active(spans, last, since=date(2022, 1, 1)).sum() == 6


def test_next_window_follows_the_date_filter(events):
    steps = windows(event_spans(events), "month")
    assert next_window(steps, None) == steps[0]
    assert next_window(steps, steps[0]) == steps[1]
    assert next_window(steps, steps[-1]) is None
    brushed = Window(date(2021, 3, 1), date(2022, 6, 1))  # a span brushed on the Timeline
    assert next_window(steps, brushed) == steps[1]
    assert position(steps, steps[1]) == 1 and position(steps, brushed) is None
    growing = Window(date(2020, 1, 1), steps[1].end)
    assert next_window(steps, growing, cumulative=True) == steps[2]


def test_unknown_step_or_speed_is_named(events):
    with pytest.raises(PlaybackError, match="'fortnight'"):
        windows(event_spans(events), "fortnight")
    with pytest.raises(PlaybackError, match="'warp'"):
        speed_ms("warp")
    assert isinstance(PlaybackError("x"), ValueError)


def test_events_without_a_date_never_show():
    events = frame(["2023-01-01", None])
    spans = event_spans(events)
    assert spans.known.tolist() == [True, False]
    assert active(spans, Window(date(1960, 1, 1), date(2100, 1, 1))).tolist() == [True, False]
    assert event_spans(frame([None])).range() is None
    assert windows(event_spans(frame([None])), "day") == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.dates(date(2018, 1, 1), date(2024, 12, 31)), st.integers(1, 3)),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["day", "week", "month"]),
)
def test_window_counts_agree_with_active(rows, step):
    events = frame([d.isoformat() for d, _ in rows], [p for _, p in rows])
    spans = event_spans(events)
    every, counts = window_counts(spans, step)
    for w, n in zip(every, counts, strict=True):
        assert active(spans, w).sum() == n
    # every event shows in at least one window, and the windows tile the days without gaps
    assert all(b.start == a.end + timedelta(days=1) for a, b in zip(every, every[1:], strict=False))
    seen = np.zeros(len(events), dtype=bool)
    for w in every:
        seen |= active(spans, w)
    assert seen.all()
