"""Every dot traces to a verbatim sentence of its source; casualty totals never double count."""

import pandas as pd
import pytest

from geo.events import load_events
from geo.sources import check_double_counting, check_quotes, load_summaries, quote_spans
from helpers import ROOT


@pytest.fixture(scope="module")
def events():
    return load_events(ROOT / "data" / "events.csv").events


def test_seeds_are_the_shared_articles_unchanged():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for path in shared.iterdir():
        assert (ROOT / "seeds" / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_event_quote_is_verbatim_in_its_source(events):
    assert check_quotes(events) == []


def test_every_summary_quote_is_verbatim_in_its_source():
    assert check_quotes(load_summaries(), id_column="summary_id", file="summaries.csv") == []


def test_a_paraphrased_quote_is_caught(events):
    doctored = events.copy()
    doctored.loc[0, "source_quote"] = doctored.loc[0, "source_quote"].replace("Iran", "Tehran", 1)
    problems = check_quotes(doctored)
    assert len(problems) == 1 and "not verbatim" in str(problems[0])


def test_quote_spans_split_on_the_separator():
    assert quote_spans("A b. ... C d.") == ["A b.", "C d."]


def test_shipped_fatalities_do_not_double_count(events):
    assert check_double_counting(events, load_summaries()) == []


def test_copying_a_multi_site_total_onto_a_site_is_caught(events):
    doctored = events.copy()
    doctored["fatalities"] = doctored["fatalities"].astype("Int64")
    doctored.loc[doctored["event_id"] == "IRQ2", "fatalities"] = 13
    problems = check_double_counting(doctored, load_summaries())
    assert any("IRQ2" in str(p) and "S1" in str(p) for p in problems)


def test_two_events_counting_the_same_deaths_are_caught(events):
    doctored = pd.concat([events, events[events["event_id"] == "IRQ5"].assign(event_id="IRQ99")])
    problems = check_double_counting(doctored, load_summaries())
    assert any("IRQ99" in str(p) and "IRQ5" in str(p) for p in problems)


def test_aggregate_statements_are_kept_as_summaries_not_dots(events):
    summaries = load_summaries()
    figures = set(summaries["fatalities"].dropna()) | set(summaries["attacks"].dropna())
    assert {13, 103}.issubset(figures)
    assert events["fatalities"].sum() < 13  # the 13 killed are not spread over the sites
