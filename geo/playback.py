"""Playing events through time: the windows a playback steps through, and which events each
window shows. Plain numpy on whole days, so a step at 100,000 events costs a few milliseconds.

An event is a span of days, not a day: ACLED's ``time_precision`` 2 means "some day of that
week" (Monday to Sunday) and 3 "some day of that month"; an ``event_date_end`` column (UCDP's
``date_end``), where present and filled, ends the span instead. An event shows in every window
its span touches. In cumulative mode a window reaches back to the start of the playback.

The current window is the date filter itself (the URL's ``start`` and ``end``), so the map,
the Timeline's brush and the playback are one state: the next step is the first window that
starts after the current ``end``.

>>> import pandas as pd
>>> events = pd.DataFrame({"event_date": pd.to_datetime(["2020-01-03", "2022-09-28"]),
...                        "time_precision": [1, 3]})
>>> spans = event_spans(events)
>>> [(w.start.isoformat(), w.end.isoformat()) for w in windows(spans, "month")]
[('2020-01-01', '2020-01-31'), ('2022-09-01', '2022-09-30')]
>>> active(spans, windows(spans, "month")[1]).tolist()
[False, True]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.problems import GeoError

STEPS = {"day": "Day", "week": "Week", "month": "Month"}
SPEEDS_MS = {"slow": 2000, "normal": 1000, "fast": 500}  # time per step, by name in the URL
END_COLUMN = "event_date_end"  # optional last day of an event's span (UCDP date_end)
_EPOCH = np.datetime64("1970-01-01", "D")


class PlaybackError(GeoError, ValueError):
    """A step or speed that playback does not know."""


@dataclass(frozen=True)
class Spans:
    """Each event's first and last day (inclusive), as days since 1970 (int64; -1 if unknown)."""

    first: np.ndarray
    last: np.ndarray

    def __len__(self) -> int:
        return len(self.first)

    @property
    def known(self) -> np.ndarray:
        return self.first >= 0

    def range(self) -> tuple[date, date] | None:
        """The first and last day of all spans, or None when no event has a date."""
        known = self.known
        if not known.any():
            return None
        return _to_date(int(self.first[known].min())), _to_date(int(self.last[known].max()))


@dataclass(frozen=True)
class Window:
    """The days a playback step shows, both ends included."""

    start: date
    end: date


def _days(values: pd.Series) -> np.ndarray:
    """Dates as int64 days since 1970; -1 where missing."""
    stamps = pd.to_datetime(values, errors="coerce")
    days = stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = (days - _EPOCH).astype(np.int64)
    out[pd.isna(stamps).to_numpy()] = -1
    return out


def _to_date(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day))


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def event_spans(events: pd.DataFrame) -> Spans:
    """Each event's span of days: ``event_date`` to ``event_date_end`` where that column is
    filled, else the day, the week (Monday-Sunday) or the month its ``time_precision`` names."""
    first = _days(events["event_date"])
    last = first.copy()
    if "time_precision" in events:
        precision = pd.to_numeric(events["time_precision"], errors="coerce").fillna(1)
        precision = precision.to_numpy(dtype=np.int64)
    else:
        precision = np.ones(len(events), dtype=np.int64)
    known = first >= 0
    # 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
    week = known & (precision == 2)
    monday = first - (first + 3) % 7
    first = np.where(week, monday, first)
    last = np.where(week, monday + 6, last)
    month = known & (precision == 3)
    if month.any():
        stamps = pd.to_datetime(events["event_date"], errors="coerce")
        starts = _days(stamps.dt.to_period("M").dt.start_time)
        ends = _days(stamps.dt.to_period("M").dt.end_time.dt.normalize())
        first = np.where(month, starts, first)
        last = np.where(month, ends, last)
    if END_COLUMN in events:
        end = _days(events[END_COLUMN])
        given = known & (end >= first)
        last = np.where(given, end, last)
    first = np.where(known, first, -1)
    last = np.where(known, last, -1)
    return Spans(first.astype(np.int64), last.astype(np.int64))


def _calendar(first: date, last: date, step: str) -> tuple[np.ndarray, np.ndarray]:
    """Every window of the step from the one holding ``first`` to the one holding ``last``:
    (starts, ends) as days since 1970."""
    if step not in STEPS:
        raise PlaybackError(f"playback step {step!r} is not one of {', '.join(STEPS)}")
    if step == "day":
        starts = np.arange(_day(first), _day(last) + 1, dtype=np.int64)
        return starts, starts.copy()
    if step == "week":
        monday = _day(first) - (_day(first) + 3) % 7
        starts = np.arange(monday, _day(last) + 1, 7, dtype=np.int64)
        return starts, starts + 6
    months = pd.period_range(pd.Timestamp(first), pd.Timestamp(last), freq="M")
    starts = _days(pd.Series(months.start_time))
    ends = _days(pd.Series(months.end_time.normalize()))
    return starts, ends


def window_counts(
    spans: Spans, step: str, first: date | None = None, last: date | None = None
) -> tuple[list[Window], np.ndarray]:
    """Every window of the step over ``first``..``last`` (default: the events' range), and how
    many events each one shows. One pass: each span adds one to the windows it touches."""
    whole = spans.range()
    if whole is None:
        return [], np.zeros(0, dtype=np.int64)
    first = first or whole[0]
    last = last or whole[1]
    if first > last:
        return [], np.zeros(0, dtype=np.int64)
    starts, ends = _calendar(first, last, step)
    known = spans.known
    lo = np.searchsorted(ends, spans.first[known], side="left")
    hi = np.searchsorted(starts, spans.last[known], side="right") - 1
    touches = lo <= hi
    diff = np.zeros(len(starts) + 1, dtype=np.int64)
    np.add.at(diff, lo[touches], 1)
    np.add.at(diff, hi[touches] + 1, -1)
    counts = np.cumsum(diff)[:-1]
    found = [Window(_to_date(s), _to_date(e)) for s, e in zip(starts, ends, strict=True)]
    return found, counts


def windows(
    spans: Spans,
    step: str,
    first: date | None = None,
    last: date | None = None,
    skip_empty: bool = True,
) -> list[Window]:
    """The windows a playback steps through, in order; without the empty ones unless
    ``skip_empty`` is False (a campaign months apart does not play months of nothing)."""
    found, counts = window_counts(spans, step, first, last)
    if not skip_empty:
        return found
    return [w for w, n in zip(found, counts, strict=True) if n > 0]


def active(spans: Spans, window: Window, since: date | None = None) -> np.ndarray:
    """A boolean mask: the events whose span touches the window. With ``since`` (cumulative
    mode) every event from that day up to the window's end."""
    start = _day(since if since is not None else window.start)
    return spans.known & (spans.first <= _day(window.end)) & (spans.last >= start)


def next_window(
    steps: list[Window], current: Window | None, cumulative: bool = False
) -> Window | None:
    """The step after the current window (the first one when there is none, or when the
    current window is past the last step); None at the end of the playback.

    The current window is whatever the date filter says, so a span brushed on the Timeline is
    a place to play on from."""
    if not steps:
        return None
    if current is None:
        return steps[0]
    ends = [w.end for w in steps]
    if cumulative:
        later = [w for w, e in zip(steps, ends, strict=True) if e > current.end]
    else:
        later = [w for w in steps if w.start > current.end]
    if not later:
        return None
    return later[0]


def position(steps: list[Window], current: Window | None) -> int | None:
    """The index of the step the current window's end falls in (for "step 3 of 48")."""
    if current is None or not steps:
        return None
    for i, w in enumerate(steps):
        if w.start <= current.end <= w.end:
            return i
    return None


def speed_ms(name: str) -> int:
    """Milliseconds per step for a speed named in the URL."""
    try:
        return SPEEDS_MS[name]
    except KeyError:
        raise PlaybackError(
            f"playback speed {name!r} is not one of {', '.join(SPEEDS_MS)}"
        ) from None
