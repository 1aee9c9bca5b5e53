"""The same strike twice: possible duplicates across datasets are flagged, never merged."""

import pandas as pd
import pytest

from geo.actors import canonicalise
from geo.duplicates import RULES, compared, count, dataset_of, flag, hide, pairs, unchecked
from geo.ingest import convert
from helpers import ROOT, bundled_events

FIXTURE = ROOT / "tests" / "fixtures" / "duplicates" / "acled_overlapping_bundled.csv"


@pytest.fixture(scope="module")
def both():
    imported, _ = canonicalise(convert(FIXTURE).events)
    return pd.concat([bundled_events(), imported], ignore_index=True)


def test_datasets_are_told_apart_by_their_import_notes(both):
    counts = dataset_of(both).value_counts().to_dict()
    assert counts == {"bundled": 7, "ACLED": 4}


def test_the_known_duplicates_are_found_with_the_rule_that_matched(both):
    found = pairs(both)
    got = {(r.first_id, r.second_id): (r.rule, r.km, r.days) for r in found.itertuples()}
    assert set(got) == {("IRQ5", "IRQ90001"), ("IRQ4", "IRQ90004")}
    assert got["IRQ5", "IRQ90001"][0] == "same day, within 5 km, same attacker and target"
    assert got["IRQ5", "IRQ90001"][1] < 1
    assert got["IRQ4", "IRQ90004"][0] == (
        "within 2 days and 25 km, same two actors with the sides swapped"
    )
    assert got["IRQ4", "IRQ90004"][2] == 1


def test_same_day_and_place_with_other_actors_is_not_a_duplicate(both):
    flagged = flag(both).set_index("event_id")
    assert flagged.loc["IRQ90003", "possible_duplicate_of"] == ""  # Turkey -> PKK at Koya
    assert flagged.loc["IRQ1", "possible_duplicate_of"] == ""


def test_flag_marks_both_copies_and_merges_nothing(both):
    flagged = flag(both)
    assert len(flagged) == len(both)
    pd.testing.assert_frame_equal(flagged[both.columns], both)
    by_id = flagged.set_index("event_id")
    assert by_id.loc["IRQ5", "possible_duplicate_of"] == "IRQ90001"
    assert by_id.loc["IRQ90001", "possible_duplicate_of"] == "IRQ5"
    assert not by_id.loc["IRQ5", "duplicate_copy"] and by_id.loc["IRQ90001", "duplicate_copy"]
    assert count(flagged) == 4


def test_hide_leaves_out_the_imported_copy_and_counts_it(both):
    shown, hidden = hide(flag(both))
    assert hidden == 2
    assert set(both["event_id"]) - set(shown["event_id"]) == {"IRQ90001", "IRQ90004"}


def test_events_of_one_dataset_are_never_flagged_against_each_other(events):
    twice = pd.concat([events, events.assign(event_id=events["event_id"] + "b")], ignore_index=True)
    assert pairs(twice).empty
    assert count(flag(twice)) == 0


def test_without_canonical_names_the_alias_still_matches(both, events):
    raw = pd.concat([events, convert(FIXTURE).events], ignore_index=True)
    assert ("IRQ5", "IRQ90001") in {(r.first_id, r.second_id) for r in pairs(raw).itertuples()}


@pytest.mark.parametrize(
    "shift_km, shift_days, expected",
    [
        (0.0, 0, RULES[0].name),
        (10.0, 0, RULES[1].name),  # beyond 5 km: only the looser rule
        (10.0, 2, RULES[1].name),
        (10.0, 3, None),  # three days apart
        (30.0, 0, None),  # 30 km apart
    ],
)
def test_distance_and_day_limits(shift_km, shift_days, expected, events):
    base = events[events["event_id"] == "IRQ5"]
    other = base.assign(
        event_id="X1",
        dataset="ACLED",
        latitude=base["latitude"] + shift_km / 111.2,
        event_date=base["event_date"] + pd.Timedelta(days=shift_days),
    )
    frame = pd.concat([base.assign(dataset="bundled"), other], ignore_index=True)
    found = pairs(frame)
    assert (found["rule"].iloc[0] if len(found) else None) == expected


def test_a_week_long_window_reaches_a_day_inside_it(events):
    base = events[events["event_id"] == "IRQ5"]
    week = base.assign(
        event_id="X1",
        dataset="UCDP GED",
        time_precision=2,
        event_date=base["event_date"] + pd.Timedelta(days=3),
    )
    assert len(pairs(pd.concat([base.assign(dataset="bundled"), week], ignore_index=True))) == 1


def far_copies(events: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` events of the ACLED fixture moved 10 degrees north: they match nothing."""
    rows = events.sample(n, replace=True, random_state=1).reset_index(drop=True)
    return rows.assign(event_id=[f"FAR{i}" for i in range(n)], latitude=rows["latitude"] + 10)


@pytest.mark.parametrize("padding", [0, 30])
def test_the_same_pairs_are_found_whichever_dataset_is_the_larger(both, padding):
    # With no padding the import (4 events) is the smaller side, with 30 more it is the
    # larger one: the join widens the other side then, and must find the same pairs.
    imported = both.iloc[7:]
    frame = pd.concat([bundled_events(), imported, far_copies(imported, padding)])
    got = {(r.first_id, r.second_id, r.rule) for r in pairs(frame).itertuples()}
    assert got == {
        ("IRQ5", "IRQ90001", RULES[0].name),
        ("IRQ4", "IRQ90004", RULES[2].name),
    }


def test_the_curated_data_ranks_first_wherever_it_appears(both):
    frame = pd.concat([both.iloc[7:], both.iloc[:7]], ignore_index=True)  # imports first
    found = pairs(frame)
    assert set(found["first_id"]) == {"IRQ5", "IRQ4"}  # the curated copy is the one kept


def test_above_the_limit_nothing_is_flagged_and_the_reason_is_given(both):
    frame = pd.concat([both, far_copies(both.iloc[7:], 10)], ignore_index=True)  # 14 ACLED
    assert compared(frame) == 7  # the bundled events, weighed against the 14 ACLED ones
    assert unchecked(frame, limit=7) is None and count(flag(frame, limit=7)) == 4
    reason = unchecked(frame, limit=6)
    assert reason and "not looked for" in reason and "7 events" in reason
    assert count(flag(frame, limit=6)) == 0
    assert count(flag(frame, limit=None)) == 4
    assert compared(bundled_events()) == 0 and unchecked(bundled_events(), limit=0) is None
