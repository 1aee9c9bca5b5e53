"""geo/places.py: going to a place by name offline, and the offline map's town labels."""

from __future__ import annotations

import json

import pytest

from geo.filters import View
from geo.places import Place, label_places, label_zoom, normalise, search_places
from helpers import ROOT


@pytest.mark.parametrize(
    "query, name, country",
    [
        ("Erbil", "Erbil", "Iraq"),
        ("erbil", "Erbil", "Iraq"),
        ("  ERBIL ", "Erbil", "Iraq"),
        ("Arbil", "Erbil", "Iraq"),  # an alternate name
        ("Hewler", "Erbil", "Iraq"),  # the Kurdish name, spelt without accents
        ("Koya", "Koysanjak", "Iraq"),  # the curated gazetteer's alternate name
        ("Tripoli, Lebanon", "Tripoli", "Lebanon"),
        ("Tripoli, Libya", "Tripoli", "Libya"),
        ("Baghd", "Baghdad", "Iraq"),  # a name that starts with the query
    ],
)
def test_a_place_is_found_by_any_of_its_names(query, name, country):
    best = search_places(query)[0]
    assert (best.name, best.country) == (name, country)


def test_the_curated_gazetteer_comes_before_geonames():
    found = search_places("Koysanjak")
    assert found[0].source == "gazetteer" and found[0].zoom == 12
    assert found[0].view == View(36.0829, 44.6287, 12)


def test_bigger_towns_come_first_and_are_shown_less_closely():
    found = search_places("Tripoli")
    assert found[0].population >= found[1].population
    big = Place("X", "", "Y", 0, 0, 2_000_000, "GeoNames")
    small = Place("X", "", "Y", 0, 0, 8_000, "GeoNames")
    assert big.zoom < small.zoom


def test_nothing_matches_nonsense_and_the_online_geocoder_is_asked_only_then():
    asked = []

    def online(query):
        asked.append(query)
        return [Place("Somewhere", "", "Nowhere", 1.0, 2.0, 0, "Fake")]

    assert search_places("Qqqzzxx") == []
    assert search_places("Erbil", online=online)[0].source == "GeoNames" and asked == []
    assert search_places("Qqqzzxx", online=online)[0].name == "Somewhere"
    assert asked == ["Qqqzzxx"]
    assert search_places("   ") == [] and search_places(", Iraq") == []


def test_geopy_errors_give_no_result_not_an_exception():
    from geopy.exc import GeocoderUnavailable

    from geo.places import geopy_search

    class Down:
        def geocode(self, *args, **kwargs):
            raise GeocoderUnavailable("no network")

    assert geopy_search(Down())("Erbil") == []


def test_names_are_compared_without_case_accents_or_punctuation():
    assert normalise("Ḩarīr") == normalise("harir") == "harir"
    assert normalise("Al-Ḩamdānīyah") == "al hamdaniyah"
    assert normalise("'Ākra") == "akra"


@pytest.mark.parametrize(
    "population, zoom",
    [
        (9_000_000, 3),
        (1_600_000, 4),
        (400_000, 5),
        (150_000, 6),
        (45_000, 7),
        (20_000, 8),
        (5_000, 9),
    ],
)
def test_bigger_towns_are_labelled_from_lower_zooms(population, zoom):
    assert label_zoom(population) == zoom


def test_the_committed_label_files_are_what_the_build_script_writes():
    major, minor = label_places()
    for name, rows in (("places-major.json", major), ("places-minor.json", minor)):
        data = json.loads((ROOT / "static" / "basemap" / name).read_text(encoding="utf-8"))
        assert data["places"] == rows, f"rerun python scripts/build_places.py ({name})"
        assert "GeoNames" in data["attribution"]
    erbil = next(r for r in major if r[0] == "Erbil")
    assert erbil[3] <= 5 and abs(erbil[1] - 36.19) < 0.01
    assert all(r[3] <= 7 for r in major) and all(r[3] > 7 for r in minor)


def test_a_district_named_after_its_town_is_labelled_as_that_town():
    from geo.places import _Entry, merge_districts

    def entry(name, lat, lon, population, *alternates):
        keys = tuple(normalise(n) for n in (name, *alternates))
        return _Entry(Place(name, "", "Iraq", lat, lon, population, "GeoNames"), keys)

    entries = [
        entry("Al Mawşil al Jadīdah", 36.3327, 43.1056, 2_065_597),  # New Mosul, 1.3 km away
        entry("Mosul", 36.335, 43.1189, 1_683_000, "Al Mawsil"),
        entry("Al Mawsil Village", 36.9, 43.9, 6_000),  # named so, but 90 km away
        entry("Tallkayf", 36.4912, 43.1211, 23_524),
    ]
    assert merge_districts(entries) == [None, 2_065_597, 6_000, 23_524]


def test_mosul_is_labelled_as_a_city_of_its_size_and_new_mosul_not_at_all():
    major, _ = label_places()
    names = {r[0]: r for r in major}
    assert "Al Mawşil al Jadīdah" not in names
    assert names["Mosul"][3] == label_zoom(2_065_597) == 4


@pytest.fixture
def own_index(tmp_path, monkeypatch):
    """GeoNames' place index in an empty cache folder; the real one again afterwards."""
    from geo import places

    monkeypatch.setenv("CONFLICT_MAP_CACHE", str(tmp_path))
    places._geonames_index.cache_clear()
    yield places
    places._geonames_index.cache_clear()


def test_the_place_index_is_built_once_then_read_back_from_the_cache(own_index, monkeypatch):
    town = own_index._Entry(Place("Koya", "", "Iraq", 36.08, 44.63, 40_000, "GeoNames"), ("koya",))
    monkeypatch.setattr(own_index, "_geonames", lambda: (town,))
    built = own_index._geonames_index()
    own_index._geonames_index.cache_clear()  # a new process

    def again():
        raise AssertionError("GeoNames was read and indexed again")

    monkeypatch.setattr(own_index, "_geonames", again)
    read_back = own_index._geonames_index()
    assert len(read_back) == len(built) == 1
    assert read_back.place(0) == built.place(0) == town.place
    assert read_back.matches("koy") == {0: 2} and read_back.matches("koya") == {0: 0}
