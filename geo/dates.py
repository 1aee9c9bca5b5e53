"""Uncertain dates as windows: the days an event may have happened on, and how to say so.

ACLED's ``time_precision`` (and UCDP's ``date_prec``, mapped onto it) says whether the day,
only the week or only the month is known. A coarse date is a window, not a day: the popup and
the Events table read "week of …" or "during <month>", the Timeline draws a bar across it, and
the exports carry an ISO 8601 interval (``event_date_interval``). Where a file carries an end
date (``event_date_end``, from UCDP's ``date_end``), that end is used instead.

>>> ev = pd.DataFrame({"event_date": pd.to_datetime(["2023-12-25", "2023-12-25", "2023-12-05"]),
...                    "time_precision": [1, 2, 3]})
>>> date_intervals(ev).tolist()
['2023-12-25/2023-12-25', '2023-12-22/2023-12-28', '2023-12-01/2023-12-31']
>>> date_labels(ev).tolist()
['2023-12-25', 'week of 22–28 Dec 2023', 'during December 2023']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEK_HALF = pd.Timedelta(days=3)  # precision 2: the seven days centred on event_date
END_COLUMN = "event_date_end"


def date_windows(events: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """First and last day each event may have happened on (datetime64 Series)."""
    day = pd.to_datetime(events["event_date"]).dt.normalize()
    precision = pd.to_numeric(events.get("time_precision", 1), errors="coerce")
    precision = pd.Series(precision, index=events.index).fillna(1).astype(int)
    start, end = day.copy(), day.copy()
    week = (precision == 2).to_numpy()
    month = (precision >= 3).to_numpy()
    # .loc: a plain [mask] first tries the mask as a label (pandas 3), printing it into an
    # error it then swallows (3 ms a call for a few hundred events).
    start.loc[week], end.loc[week] = day[week] - WEEK_HALF, day[week] + WEEK_HALF
    start.loc[month] = day[month].dt.to_period("M").dt.start_time
    end.loc[month] = day[month].dt.to_period("M").dt.end_time.dt.normalize()
    if END_COLUMN in events:
        stated = pd.to_datetime(events[END_COLUMN], errors="coerce").dt.normalize()
        given = (stated.notna() & (stated >= day)).to_numpy()
        start.loc[given], end.loc[given] = day[given], stated[given]
    return start, end


def date_intervals(events: pd.DataFrame) -> pd.Series:
    """ISO 8601 interval of each event's window, e.g. ``2023-12-01/2023-12-31``."""
    start, end = date_windows(events)
    return start.dt.strftime("%Y-%m-%d") + "/" + end.dt.strftime("%Y-%m-%d")


def date_labels(events: pd.DataFrame) -> pd.Series:
    """How a reader is told the date: the day, "week of 22–28 Dec 2023", "during December
    2023", or "between 2023-12-01 and 2023-12-09" for a stated end date."""
    day = pd.to_datetime(events["event_date"])
    start, end = date_windows(events)
    labels = day.dt.strftime("%Y-%m-%d").astype(object)
    if len(events) == 0:
        return labels
    precision = (
        pd.Series(
            pd.to_numeric(events.get("time_precision", 1), errors="coerce"), index=events.index
        )
        .fillna(1)
        .astype(int)
    )
    wide = (end > start).to_numpy()
    if not wide.any():
        return labels
    whole_month = (
        (start.dt.day == 1) & (end == start.dt.to_period("M").dt.end_time.dt.normalize())
    ).to_numpy()
    week = (precision == 2).to_numpy() & wide & (end - start == 2 * WEEK_HALF).to_numpy()
    month = wide & whole_month & ~week
    other = wide & ~week & ~month
    labels.loc[week] = [
        "week of " + _span(a, b) for a, b in zip(start[week], end[week], strict=True)
    ]
    labels.loc[month] = "during " + start[month].dt.strftime("%B %Y")
    labels.loc[other] = (
        "between "
        + start[other].dt.strftime("%Y-%m-%d")
        + " and "
        + end[other].dt.strftime("%Y-%m-%d")
    )
    return labels


def _span(a: pd.Timestamp, b: pd.Timestamp) -> str:
    if a.year != b.year:
        return f"{a.day} {a:%b %Y}–{b.day} {b:%b %Y}"
    if a.month != b.month:
        return f"{a.day} {a:%b}–{b.day} {b:%b %Y}"
    return f"{a.day}–{b.day} {b:%b %Y}"


def is_window(events: pd.DataFrame) -> np.ndarray:
    """True where an event's date is a window of several days, not a day."""
    start, end = date_windows(events)
    return (end > start).to_numpy()
