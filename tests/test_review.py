"""What an import brings: unknown actor names, possible duplicates, changes since last time."""

from __future__ import annotations

from geo.actors import canonicalise
from geo.ingest import convert
from geo.review import NAMES_SHOWN, ImportReview, review_import
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
    assert review.lines()[-1].startswith("2 of 4 imported events may already be in the data")


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
    assert review.lines()[-1].startswith(
        "Since the earlier import of this file: 1 added, 1 removed, 2 modified"
    )


def test_nothing_to_compare_with_an_empty_base():
    new, _ = imported(OVERLAP)
    assert review_import(new, new.iloc[0:0]).possible_duplicates == 0
