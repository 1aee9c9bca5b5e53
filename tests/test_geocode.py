"""The offline-first geocoding chain, with a fake online geocoder (never the network)."""

import json
import os
import subprocess
import sys

import pytest

from geo.countries import contains, country_code
from geo.geocode import (
    CachedGeocoder,
    GazetteerGeocoder,
    GeocoderChain,
    GeoNamesGeocoder,
    default_chain,
    main,
    run,
)
from geo.problems import GeoError
from helpers import ROOT


@pytest.fixture(scope="module")
def offline():
    return GeocoderChain([GazetteerGeocoder(), GeoNamesGeocoder()])


@pytest.mark.parametrize("spelling", ["Koysanjak", "Koya", "Koy Sanjaq", "Koysinjaq", "koysanjak"])
def test_gazetteer_knows_the_alternate_spellings(spelling):
    loc = GazetteerGeocoder().geocode(spelling, country_codes=["IQ"])
    assert loc is not None and (round(loc.latitude, 2), round(loc.longitude, 2)) == (36.08, 44.63)
    assert loc.raw["geocoder"] == "gazetteer"


@pytest.mark.parametrize(
    "name, lat, lon",
    [
        ("Erbil", 36.19, 44.01),
        ("Kirkuk", 35.47, 44.39),
        ("Sulaymaniyah", 35.56, 45.43),
        ("Al Hillah", 32.46, 44.42),
        ("Koysinjaq", 36.08, 44.63),
    ],
)
def test_geonames_offline_finds_iraqi_places(name, lat, lon):
    loc = GeoNamesGeocoder().geocode(name, country_codes=["IQ"])
    assert (round(loc.latitude, 2), round(loc.longitude, 2)) == (lat, lon)
    assert loc.raw["source"].startswith("GeoNames ")


def test_each_place_records_which_geocoder_answered(offline):
    hillah = offline.resolve("Al Hillah", "Iraq")
    airport = offline.resolve("Erbil International Airport", "Iraq")
    assert (hillah.geocoder, airport.geocoder) == ("geonames", "gazetteer")
    assert airport.precision == 1


def test_online_answers_are_cached_so_no_name_is_asked_twice(tmp_path, fake_online):
    fake = fake_online({"Qaladiza": (36.18, 45.11, "town")})
    cached = CachedGeocoder(fake, tmp_path / "cache.json", min_delay_seconds=0)
    chain = GeocoderChain([GazetteerGeocoder(), cached])
    first = chain.resolve("Qaladiza", "Iraq")
    assert (first.latitude, first.longitude, first.geocoder, first.precision) == (
        36.18,
        45.11,
        "nominatim",
        1,
    )
    again = CachedGeocoder(fake, tmp_path / "cache.json", min_delay_seconds=0)
    assert GeocoderChain([again]).resolve("Qaladiza", "Iraq") == first
    assert fake.calls == ["Qaladiza"]  # the second geocoder answered from the file
    assert json.loads((tmp_path / "cache.json").read_text())  # persisted


def test_an_online_miss_is_cached_too(tmp_path, fake_online):
    fake = fake_online({})
    cached = CachedGeocoder(fake, tmp_path / "cache.json", min_delay_seconds=0)
    for _ in range(2):
        assert isinstance(GeocoderChain([cached]).resolve("Nowhereville", "Iraq"), str)
    assert fake.calls == ["Nowhereville"]


def test_a_timeout_is_reported_and_not_cached(tmp_path, fake_online):
    fake = fake_online({"Qaladiza": (36.18, 45.11, "town")}, slow={"Qaladiza"})
    cached = CachedGeocoder(fake, tmp_path / "cache.json", min_delay_seconds=0)
    answer = GeocoderChain([cached]).resolve("Qaladiza", "Iraq")
    assert isinstance(answer, str) and "GeocoderTimedOut" in answer
    assert not (tmp_path / "cache.json").exists()


def test_a_point_in_the_wrong_country_is_caught_not_plotted(fake_online, tmp_path):
    wrong = fake_online({"Erbil": (39.77, -86.16, "city")})  # Indiana, not Iraq
    chain = GeocoderChain([CachedGeocoder(wrong, tmp_path / "c.json", min_delay_seconds=0)])
    answer = chain.resolve("Erbil", "Iraq")
    assert isinstance(answer, str) and "outside Iraq" in answer


def test_country_boxes_tell_iraq_from_syria():
    assert country_code("Iraq") == "IQ" and country_code("Syria") == "SY"
    assert contains("IQ", 36.24, 43.96) and not contains("SY", 36.24, 44.5)


def test_rerunning_with_nothing_new_changes_nothing(project_copy, offline):
    events = project_copy / "data" / "events.csv"
    before = events.read_bytes()
    assert run(events, offline) == 0
    assert events.read_bytes() == before


def test_coordinates_come_from_the_step_not_by_hand(project_copy, offline):
    events = project_copy / "data" / "events.csv"
    original = (ROOT / "data" / "events.csv").read_text(encoding="utf-8")
    blanked = original.replace("36.23760,43.96320", ",")
    assert blanked != original
    events.write_text(blanked, encoding="utf-8")
    assert run(events, offline) == 0
    assert events.read_text(encoding="utf-8") == original


def test_an_unresolved_name_is_reported_and_the_dataset_left_untouched(
    project_copy, offline, capsys
):
    events = project_copy / "data" / "events.csv"
    text = events.read_text(encoding="utf-8").replace(",Zarkwezela,", ",Zarkwezelaxx,")
    events.write_text(text, encoding="utf-8")
    assert run(events, offline) == 1
    out = capsys.readouterr().out
    assert "'Zarkwezelaxx' did not geocode" in out and "line 3" in out
    assert events.read_text(encoding="utf-8") == text


def test_online_needs_a_real_user_agent():
    with pytest.raises(GeoError, match="user-agent") as caught:
        default_chain(online=True)
    assert isinstance(caught.value, ValueError)


def test_online_without_user_agent_is_a_usage_error_on_the_command_line(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--online"])
    assert caught.value.code == 2
    assert "user-agent" in capsys.readouterr().err


def _latin1(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("event_id,location,country\nx1,Mosul caf\xe9,Iraq\n".encode("latin-1"))
    return path


def _fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda tmp: tmp / "missing.csv", "does not exist"),
        (lambda tmp: tmp, "is a directory"),
        (_latin1, "not UTF-8"),
        (_fifo, "not a regular file"),
    ],
)
def test_unreadable_events_file_is_one_line_and_exit_1(tmp_path, capsys, make, says):
    path = make(tmp_path)
    assert main(["--events", str(path)]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert says in err and str(path.name) in err
    assert len(err.splitlines()) == 1 and "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(
    "content, says",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_corrupt_online_cache_is_one_line_and_exit_1(project_copy, capsys, content, says):
    cache = project_copy / "cache.json"
    if isinstance(content, bytes):
        cache.write_bytes(content)
    else:
        cache.write_text(content)
    events = project_copy / "data" / "events.csv"
    code = main(
        [
            "--events",
            str(events),
            "--online",
            "--user-agent",
            "test/1 (t@example.org)",
            "--cache",
            str(cache),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert says in err and "cache.json" in err and len(err.splitlines()) == 1


def test_missing_events_file_from_the_shell_shows_no_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "geo.geocode", "--events", str(tmp_path / "nope.csv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "nope.csv" in done.stderr


def test_data_derived_from_geonames_is_built_once_and_read_back(tmp_path, monkeypatch):
    from geo.countries import derived

    monkeypatch.setenv("CONFLICT_MAP_CACHE", str(tmp_path))
    builds = []

    def build():
        builds.append(1)
        return {"erbil": (36.19, 44.01)}

    assert derived("sample", build) == derived("sample", build) == {"erbil": (36.19, 44.01)}
    assert len(builds) == 1 and len(list(tmp_path.glob("sample-*.pickle"))) == 1
    next(tmp_path.glob("sample-*.pickle")).write_bytes(b"not a pickle")
    assert derived("sample", build) == {"erbil": (36.19, 44.01)} and len(builds) == 2
