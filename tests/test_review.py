"""What an import brings: unknown actor names, possible duplicates, changes since last time."""

from __future__ import annotations

import pytest

from geo.actors import canonicalise
from geo.ingest import convert
from geo.review import NAMES_SHOWN, ImportReview, review_import
from geo.schema import EVENTS_CSV
from helpers import ROOT

OVERLAP = ROOT / "tests" / "fixtures" / "duplicates" / "acled_overlapping_bundled.csv"
VERSIONS = ROOT / "tests" / "fixtures" / "versions"


def imported(path):
    return canonicalise(convert(path).events)


def test_an_import_overlapping_the_bundled_data_is_counted_not_merged(events):
    new, unmatched = imported(OVERLAP)
    review = review_import(new, events, unmatched)
    # The fixture holds a copy of IRQ5 (same day, same place, same actors) and a sides-swapped
    # copy of IRQ4; the same-place, same-day event with other actors is not one.
    assert review.possible_duplicates == 2
    assert review.events == len(new) == 4
    assert "Islamic Revolutionary Guard Corps" not in unmatched  # a known alias
    lines = review.lines()
    assert lines[-3].startswith("2 of 4 imported events may already be in the data")
    assert lines[-2:] == [  # each named, with the event it may repeat and the rule
        "- IRQ90001, possibly the same event as IRQ5 (same day, within 5 km, same attacker "
        "and target)",
        "- IRQ90004, possibly the same event as IRQ4 (within 2 days and 25 km, same two actors "
        "with the sides swapped)",
    ]


def test_unmatched_names_are_listed_and_a_long_list_is_counted():
    many = [f"Militia {i}" for i in range(NAMES_SHOWN + 5)]
    line = ImportReview(unmatched=many, events=3).lines()[0]
    assert line.startswith(f"{NAMES_SHOWN + 5} actor names are not in data/actors.csv: Militia 0")
    assert line.endswith("and 5 more") and f"Militia {NAMES_SHOWN}" not in line


def test_a_newer_version_of_the_same_export_says_what_changed(events):
    old, _ = imported(VERSIONS / "acled_v1.csv")
    new, _ = imported(VERSIONS / "acled_v2.csv")
    review = review_import(new, events, earlier=old)
    assert (len(review.changes.added), len(review.changes.removed)) == (1, 1)
    assert len(review.changes.modified) == 2
    assert any(
        line.startswith("Since the earlier import of this file: 1 added, 1 removed, 2 modified")
        for line in review.lines()
    )


def test_nothing_to_compare_with_an_empty_base():
    new, _ = imported(OVERLAP)
    assert review_import(new, new.iloc[0:0]).possible_duplicates == 0


def test_importing_the_bundled_file_again_can_leave_out_all_seven(events):
    again, _ = imported(EVENTS_CSV)
    review = review_import(again, events)
    assert review.possible_duplicates == len(events) == 7
    assert [d.of for d in review.duplicates] == [d.event_id for d in review.duplicates]
    kept = review.leave_out(again)
    assert kept.empty
    lines = review.lines()
    assert lines[0] == (
        "Left out at your choice: the 7 imported events that may already be in the data "
        "shown beside them:"
    )
    assert lines[1:] == [
        f"- {i}, possibly the same event as {i} (same day, within 5 km, same attacker and target)"
        for i in events["event_id"]
    ]


def test_leaving_out_keeps_the_events_that_are_new(events):
    new, unmatched = imported(OVERLAP)
    review = review_import(new, events, unmatched)
    kept = review.leave_out(new)
    assert sorted(kept["event_id"]) == ["IRQ90002", "IRQ90003"]
    assert any(
        line.startswith("Left out at your choice: the 2 imported events") for line in review.lines()
    )
    with pytest.raises(ValueError, match="review is of 4 events, not of 2"):
        review.leave_out(kept)  # a review belongs to the frame it was made of


def test_kept_duplicates_are_said_to_be_kept_at_the_users_choice(events):
    new, _ = imported(OVERLAP)
    review = review_import(new, events)
    review.keep()
    assert (
        "2 of 4 imported events may already be in the data shown beside them (possible "
        "duplicates, not merged); kept at your choice:"
    ) in review.lines()


def test_too_many_events_to_compare_is_said_not_counted_as_none(events):
    new, _ = imported(OVERLAP)
    review = review_import(new, events, limit=3)  # 4 imported events beside 7
    assert review.possible_duplicates == 0 and review.unchecked
    assert review.lines()[-1].startswith(
        "Possible duplicates across datasets were not looked for: besides the largest dataset "
        "the data holds 4 events"
    )
