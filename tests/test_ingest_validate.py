"""geo/ingest/validate.py and the stripping it shares with the providers (geo/ingest/base.py):
each distinct value is checked once, and large columns are not copied for nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ingest.base import strip
from geo.ingest.validate import SAMPLE, validate

SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u1680", "\u2000"]
SPACES += ["\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
padded = st.builds(
    lambda a, core, b: a + core + b,
    st.text(st.sampled_from(SPACES), max_size=2),
    st.text(max_size=8),
    st.text(st.sampled_from(SPACES), max_size=2),
)


def _chunked(values: list[str], pieces: int) -> pd.Series:
    """A str Series over several Arrow chunks, as the CSV reader gives."""
    bounds = np.linspace(0, len(values), pieces + 1).astype(int)
    pairs = zip(bounds[:-1], bounds[1:], strict=True)
    chunks = [pa.array(values[a:b], pa.large_string()) for a, b in pairs]
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.Series(pd.array(pa.chunked_array(chunks, pa.large_string()), dtype=dtype))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(padded, st.text(max_size=6)), max_size=30), st.integers(1, 4))
def test_strip_is_str_strip_for_any_text_and_white_space(values, pieces):
    series = _chunked(values, pieces)
    assert strip(series).tolist() == series.str.strip().tolist() == [v.strip() for v in values]


def test_strip_returns_the_column_itself_when_nothing_needs_it():
    quotes = _chunked([f"quote number {i}, in Arabic: غارة" for i in range(1000)], 3)
    assert strip(quotes) is quotes
    padded = _chunked(["no padding", "ends in a no-break space\xa0"], 2)
    assert strip(padded).tolist() == ["no padding", "ends in a no-break space"]


def _frame(n: int) -> pd.DataFrame:
    """n valid rows: few attackers (written with stray spaces), every quote different."""
    i = np.arange(n)
    return pd.DataFrame(
        {
            "event_id": [f"E{k}" for k in i],
            "event_date": "2024-01-0" + pd.Series(i % 9 + 1).astype(str),
            "time_precision": "1",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Air/drone strike",
            "attacker": np.where(i % 3 == 0, " Group A", np.where(i % 3 == 1, "Group A ", "B")),
            "target_group": "Civilians",
            "location": "Erbil",
            "country": "Iraq",
            "latitude": (36 + (i % 100) / 1000).astype(str),
            "longitude": "44.0",
            "geo_precision": "1",
            "fatalities": (i % 5).astype(str),
            "source_doc": "doc.txt",
            "source_quote": [f" the strike number {k} " for k in i],
        },
        dtype="str",
    )


def test_a_large_file_stores_each_name_once_and_strips_every_value():
    n = SAMPLE + 5_000  # past the sample: quotes take the many-values path
    result = validate(_frame(n), np.arange(2, n + 2), "big.csv")
    events = result.events
    assert result.problems == []
    assert isinstance(events["attacker"].dtype, pd.CategoricalDtype)
    assert sorted(events["attacker"].cat.categories) == ["B", "Group A"]  # " Group A" is one
    assert events["attacker"].value_counts().to_dict() == {"Group A": n - n // 3, "B": n // 3}
    assert events["source_quote"].iat[7] == "the strike number 7"
    assert events["fatalities"].sum() == sum(k % 5 for k in range(n))
    assert events["event_date"].iat[10] == pd.Timestamp("2024-01-02")


def test_in_a_large_file_a_repeated_id_and_a_bad_number_are_named_by_line_and_value():
    n = SAMPLE + 5_000
    raw = _frame(n)
    raw.loc[n - 1, "event_id"] = " E3 "  # a repeat of line 5, written with spaces
    raw.loc[20, "fatalities"] = " many "
    result = validate(raw, np.arange(2, n + 2), "big.csv")
    assert [str(p) for p in result.problems] == [
        "big.csv line 22, column fatalities: 'many' is not a number",
        f"big.csv line {n + 1}, column event_id: 'E3' repeats the event_id of line 5",
    ]
    assert len(result.events) == n - 2
