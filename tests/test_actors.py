"""One actor, several names: aliases map onto the canonical names of data/actors.csv."""

import pandas as pd
import pytest

from geo.actors import actor_key, canonicalise, check_actors, load_actors, lookup
from geo.ingest import convert
from geo.mapview import attacker_colors
from helpers import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "duplicates" / "acled_overlapping_bundled.csv"


def test_the_actor_table_is_consistent():
    assert check_actors(load_actors()) == []


def test_an_alias_meaning_two_actors_is_caught():
    actors = pd.DataFrame(
        {"canonical": ["Israel", "US military"], "alias": ["IDF", "idf"], "reported_by": ["", ""]}
    )
    problems = check_actors(actors)
    assert len(problems) == 1 and "already names 'Israel'" in str(problems[0])


@pytest.mark.parametrize(
    "name, canonical",
    [
        ("Islamic Revolutionary Guard Corps", "Islamic Revolutionary Guard Corps (IRGC)"),
        ("islamic revolutionary guard corps (irgc)", "Islamic Revolutionary Guard Corps (IRGC)"),
        (
            "Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps",
            "Islamic Revolutionary Guard Corps (IRGC)",
        ),
        ("Military Forces of the United States (2021-)", "US military"),
        ("Military Forces of the United States (2017-2021)", "US military"),
        ("KDPI: Kurdistan Democratic Party of Iran", "Kurdistan Democratic Party of Iran (KDPI)"),
        ("Kata’ib Hizballah", "Kataib Hezbollah"),
        ("  Government   of Israel ", "Israel"),
    ],
)
def test_aliases_are_matched_regardless_of_case_space_and_punctuation(name, canonical):
    out, unmatched = canonicalise(pd.DataFrame({"attacker": [name], "target_group": ["x"]}))
    assert out["attacker"].iloc[0] == canonical
    assert unmatched == ["x"]


def test_a_name_that_only_looks_alike_is_not_merged():
    assert actor_key("Islamic Resistance in Iraq") != actor_key("Islamic State (Iraq)")
    out, unmatched = canonicalise(
        pd.DataFrame({"attacker": ["Islamic State (Iraq)"], "target_group": ["Komala"]})
    )
    assert out["attacker"].iloc[0] == "Islamic State (Iraq)"
    assert unmatched == ["Islamic State (Iraq)"]


def test_bundled_names_are_already_canonical(events):
    out, unmatched = canonicalise(events)
    assert unmatched == []
    pd.testing.assert_frame_equal(out, events)


def test_an_imported_alias_joins_the_bundled_actor_with_one_colour_and_keeps_its_spelling(events):
    imported = convert(FIXTURE).events
    raw = pd.concat([events, imported], ignore_index=True)
    assert {"Islamic Revolutionary Guard Corps", "Islamic Revolutionary Guard Corps (IRGC)"} <= set(
        raw["attacker"]
    )  # two before
    canonical, unmatched = canonicalise(imported)
    both = pd.concat([events, canonical], ignore_index=True)
    irgc = both[both["attacker"] == "Islamic Revolutionary Guard Corps (IRGC)"]
    assert set(irgc["event_id"]) == {"IRQ1", "IRQ2", "IRQ3", "IRQ90002"}
    assert "Islamic Revolutionary Guard Corps" not in set(both["attacker"])
    assert len(set(attacker_colors(both))) == both["attacker"].nunique()
    row = canonical.set_index("event_id").loc["IRQ90002"]
    assert row["attacker_as_reported"] == "Islamic Revolutionary Guard Corps"
    assert row["target_group"] == "Komala"
    assert row["target_as_reported"] == "Komala Party of Iranian Kurdistan"
    assert unmatched == ["Military Forces of Turkey (2016-)", "PKK: Kurdistan Workers Party"]


def test_lookup_holds_every_canonical_name_and_alias():
    table, actors = lookup(), load_actors()
    for name in list(actors["canonical"]) + list(actors["alias"]):
        assert table[actor_key(name)] in set(actors["canonical"])
