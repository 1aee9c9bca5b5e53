"""Curation (geo/curate): candidates from the two seed articles, date reasoning, validation of a
confirmed event, and saving, editing, deleting and undoing it in a copy of the dataset."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import zlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo.curate.archive import (
    NOT_STATED,
    SOURCE_COLUMNS,
    add_source_record,
    archive_text,
    make_record,
    read_records,
)
from geo.curate.candidates import load_actors, propose, resolve_dates, sentences
from geo.curate.extract import ExtractError, extract_text
from geo.curate.settings import Paths, curation_allowed, paths_from_args
from geo.curate.store import (
    Choices,
    CurationError,
    candidate_fields,
    check_event,
    delete_event,
    event_fields,
    parse_table,
    read_log,
    row_text,
    save_event,
    undo,
)
from geo.schema import COLUMN_NAMES
from helpers import ROOT

FIRST = "000_5d4c6af62367a363.txt"
SECOND = "002_1c7f25da8f82bd90.txt"
CHOSEN = Choices("claimed by the group", True)


def choices_of(row: dict[str, str]) -> Choices:
    """The row's own attribution and direction once the schema has them, else a choice."""
    stated = row.get("direction_stated", "").strip().lower()
    return Choices(row.get("attribution") or "claimed by the group", stated != "false")


def bundled_rows() -> list[dict[str, str]]:
    with (ROOT / "data" / "events.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


BUNDLED = {row["event_id"]: row for row in bundled_rows()}


@pytest.fixture
def paths(project_copy) -> Paths:
    return Paths(project_copy / "data", project_copy / "seeds")


def candidates_of(document: str, published: date | None):
    text = (ROOT / "seeds" / document).read_text(encoding="utf-8")
    actors = load_actors(ROOT / "data" / "actors.csv", ROOT / "data" / "events.csv")
    return text, propose(text, published, ROOT / "data" / "gazetteer.csv", actors)


# ---------------------------------------------------------------------------------------------
# Candidates


def test_the_first_article_proposes_its_three_strikes_dated_from_on_wednesday():
    text, found = candidates_of(FIRST, date(2022, 9, 28))
    by_place = {c.place.name: c for c in found}
    assert {"Koysanjak", "Zarkwezela", "Kirkuk province"} <= set(by_place)
    expected = {"Koysanjak": "IRQ1", "Zarkwezela": "IRQ2", "Kirkuk province": "IRQ3"}
    for place, event_id in expected.items():
        candidate, row = by_place[place], BUNDLED[event_id]
        assert candidate.date.date == date(2022, 9, 28)
        assert candidate.date.phrase == "on Wednesday"
        assert candidate.date.precision == 1
        assert "published on Wednesday 2022-09-28" in candidate.date.reasoning
        # The curated dataset, built by hand, is the independent reference for the rest.
        assert (candidate.place.latitude, candidate.place.longitude) == (
            float(row["latitude"]),
            float(row["longitude"]),
        )
        assert candidate.place.precision == int(row["geo_precision"])
        assert candidate.attacker == row["attacker"]
        assert candidate.target_group == row["target_group"]
        assert candidate.admin1 == row["admin1"]
        for span in candidate.quote(text).split(" ... "):
            assert span in text
        sentence = text[slice(*candidate.spans[1])]
        assert place.split()[0] in sentence and "The strikes targeted" in sentence


def test_the_koysanjak_district_is_near_its_seat_and_irbil_is_only_its_province():
    _, found = candidates_of(FIRST, date(2022, 9, 28))
    koysanjak = next(c for c in found if c.place.name == "Koysanjak")
    assert koysanjak.place.near and "district" in koysanjak.place.reasoning
    # "in Irbil" and "in Sulaymaniyah province" say where a place lies: no strike of their own.
    assert not any(c.place.matched in ("Irbil", "Sulaymaniyah") for c in found)


def test_the_second_article_proposes_the_erbil_airport_strike_on_monday():
    text, found = candidates_of(SECOND, date(2023, 12, 26))
    airport = next(c for c in found if c.place.name == "Erbil International Airport")
    row = BUNDLED["IRQ4"]
    assert airport.date.date == date(2023, 12, 25) and airport.date.phrase == "on Monday"
    assert "the Monday before" in airport.date.reasoning
    assert airport.attacker == row["attacker"] and airport.target_group == row["target_group"]
    assert airport.injuries == int(row["injuries"]) and airport.fatalities is None
    assert airport.weapon == row["weapon"]
    assert (airport.place.latitude, airport.place.longitude) == (36.2376, 43.9632)
    quote = airport.quote(text)
    assert quote.startswith("A suicide drone on Monday had targeted US-led coalition forces")
    assert "claimed responsibility for the attack" in quote


def test_a_dateline_is_where_the_report_was_written_not_a_strike():
    _, found = candidates_of(SECOND, date(2023, 12, 26))
    assert not any(c.place.matched == "ERBIL" for c in found)


def test_candidates_without_a_publication_date_leave_the_date_to_the_person():
    _, found = candidates_of(SECOND, None)
    airport = next(c for c in found if c.place.name == "Erbil International Airport")
    assert airport.date.date is None and "not stated" in airport.date.reasoning


@pytest.mark.parametrize(
    "text, published, expected, precision, why",
    [
        ("It struck on Wednesday.", date(2022, 9, 28), date(2022, 9, 28), 1, "day of publication"),
        ("It struck last Wednesday.", date(2022, 9, 28), date(2022, 9, 21), 1, "before"),
        ("A drone hit on Monday.", date(2023, 12, 26), date(2023, 12, 25), 1, "Monday before"),
        ("It struck on Friday.", date(2023, 12, 26), date(2023, 12, 22), 1, "Friday before"),
        ("The strikes on December 26 hit.", date(2023, 12, 27), date(2023, 12, 26), 1, "year"),
        ("The strikes on December 26 hit.", date(2024, 1, 3), date(2023, 12, 26), 1, "year before"),
        ("on January 3, 2020 he died", date(2023, 12, 26), date(2020, 1, 3), 1, "stated"),
        ("on 3 January 2020 he died", None, date(2020, 1, 3), 1, "stated"),
        ("killed in January 2020.", date(2023, 12, 26), date(2020, 1, 1), 3, "only the month"),
        ("condemns what happened at dawn today", date(2023, 12, 26), date(2023, 12, 26), 1, ""),
        ("It was hit yesterday.", date(2023, 12, 26), date(2023, 12, 25), 1, ""),
        ("It was hit last week.", date(2023, 12, 26), date(2023, 12, 19), 2, "week"),
    ],
)
def test_dates_resolve_against_the_publication_date(text, published, expected, precision, why):
    found = resolve_dates(text, published)
    assert len(found) == 1
    assert (found[0].date, found[0].precision) == (expected, precision)
    assert why in found[0].reasoning and found[0].phrase in text


def test_a_weekday_without_a_publication_date_is_not_guessed():
    (found,) = resolve_dates("It struck on Wednesday.", None)
    assert found.date is None and "not stated" in found.reasoning


def test_sentences_keep_closing_quotes_and_split_lines():
    text = "“It was hit today,” he said.\nA drone struck. Then “more.” Done"
    assert [text[s:e] for s, e in sentences(text)] == [
        "“It was hit today,” he said.",
        "A drone struck.",
        "Then “more.”",
        "Done",
    ]


def test_actors_come_from_the_actor_table_when_there_is_one(tmp_path):
    table = tmp_path / "actors.csv"
    table.write_text("canonical_name,aliases\nHouthis,Ansar Allah|Ansarallah\n", encoding="utf-8")
    actors = {a.name: a for a in load_actors(table, ROOT / "data" / "events.csv")}
    assert {"Ansar Allah", "Ansarallah"} <= set(actors["Houthis"].aliases)
    assert "Islamic Resistance in Iraq" in actors  # the events' own actors stay known


# ---------------------------------------------------------------------------------------------
# Sources: extraction and archive


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (no PDF writer needed)."""
    ops = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({s}) Tj T*" for s in lines) + " ET"
    stream = zlib.compress(ops.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_text_is_extracted_from_pdf_and_html_and_kept_exactly_from_txt():
    pdf = extract_text("a.pdf", minimal_pdf(["A drone struck on Monday.", "Three were hurt."]))
    assert "A drone struck on Monday." in pdf and "Three were hurt." in pdf
    page = (ROOT / "tests" / "fixtures" / "curate" / "article.html").read_bytes()
    html = extract_text("article.html", page)
    assert "A suicide drone on Monday had targeted" in html
    assert "trackVisit" not in html and "Subscribe" not in html  # script and nav dropped
    raw = "  Line one.\r\nLine two. é ".encode()
    assert extract_text("a.txt", raw) == raw.decode()


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("a.docx", b"PK", ".docx files are not read"),
        ("a.txt", b"caf\xe9", "byte 3 is not UTF-8"),
        ("a.pdf", b"%PDF-1.4 nonsense", "not a readable PDF"),
        ("a.txt", b"  \n ", "no text"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(name, data, reason):
    with pytest.raises(ExtractError, match=reason) as caught:
        extract_text(name, data)
    assert name in str(caught.value)


def test_the_same_text_is_archived_once_and_a_new_one_by_its_sha256(paths):
    text = (ROOT / "seeds" / SECOND).read_text(encoding="utf-8")
    again = archive_text(text, paths.seeds_dir)
    assert (again.file, again.new) == (SECOND, False)
    new_text = "A drone struck the base on Monday, wounding two.\n"
    archived = archive_text(new_text, paths.seeds_dir)
    digest = hashlib.sha256(new_text.encode()).hexdigest()
    assert archived.new and archived.sha256 == digest
    assert archived.file == f"003_{digest[:16]}.txt"
    assert (paths.seeds_dir / archived.file).read_bytes() == new_text.encode()
    for name in (FIRST, SECOND):  # the bundled seeds are never touched
        assert (paths.seeds_dir / name).read_bytes() == (ROOT / "seeds" / name).read_bytes()


def test_a_source_record_joins_an_existing_sources_table_in_its_own_columns(paths):
    existing = (
        "file,title,outlet,published,sha256,archived,citation\n"
        "x.txt,T,O,2020-01-01,ab,2020-01-02,C\n"
    )
    paths.sources_csv.write_text(existing, encoding="utf-8")
    record = make_record("003_x.txt", "ff" * 32, title="Drone hits base", url="https://e.x/a")
    assert add_source_record(paths.sources_csv, record)
    assert not add_source_record(paths.sources_csv, record)  # recorded once
    text = paths.sources_csv.read_text(encoding="utf-8")
    assert text.startswith(existing)
    (row,) = read_records(paths.sources_csv)[1:]
    assert row["title"] == "Drone hits base" and row["outlet"] == NOT_STATED
    assert row["published"] == NOT_STATED and "https://e.x/a" in row["citation"]


def test_a_missing_sources_table_is_created_with_every_column(tmp_path):
    path = tmp_path / "sources.csv"
    add_source_record(path, make_record("003_x.txt", "ab", published=date(2023, 12, 26)))
    (row,) = read_records(path)
    assert tuple(row) == SOURCE_COLUMNS and row["published"] == "2023-12-26"


# ---------------------------------------------------------------------------------------------
# Validation


def test_every_bundled_event_passes_the_curation_checks_and_reproduces_its_line(paths):
    text = (ROOT / "data" / "events.csv").read_text(encoding="utf-8")
    table = parse_table(text)
    assert len(table.chunks) == len(BUNDLED)
    for chunk, row in zip(table.chunks, table.rows, strict=True):
        assert check_event(row, choices_of(row), paths, editing=row["event_id"]) == []
        assert row_text(row, table.columns) == chunk


def test_the_bundled_events_rebuild_the_bundled_file_byte_for_byte(paths):
    original = (ROOT / "data" / "events.csv").read_bytes()
    paths.events_csv.write_text(",".join(COLUMN_NAMES) + "\n", encoding="utf-8")
    for row in bundled_rows():
        save_event(paths, row, choices_of(row), by="test")
    assert paths.events_csv.read_bytes() == original


def new_event(**changes) -> dict[str, str]:
    text = (ROOT / "seeds" / SECOND).read_text(encoding="utf-8")
    _, found = candidates_of(SECOND, date(2023, 12, 26))
    airport = next(c for c in found if c.place.name == "Erbil International Airport")
    fields = candidate_fields(airport, text, SECOND, list(BUNDLED))
    return {**fields, **changes}


def test_an_accepted_candidate_validates_and_gets_the_next_id(paths):
    fields = new_event()
    assert fields["event_id"] == "IRQ7"
    assert check_event(fields, CHOSEN, paths) == []


@pytest.mark.parametrize(
    "changes, column, reason",
    [
        (
            {"source_quote": "A suicide drone on Monday hit Erbil airport."},
            "source_quote",
            f"is not verbatim in {SECOND}",
        ),
        ({"latitude": "48.85660", "longitude": "2.35220"}, "latitude", "is outside Iraq"),
        ({"country": "Atlantis"}, "country", "is not a country name"),
        ({"geo_precision": ""}, "geo_precision", "required value is missing"),
        ({"time_precision": "4"}, "time_precision", "is not one of 1, 2, 3"),
        ({"event_date": "25/12/2023"}, "event_date", "is not a date"),
        ({"event_id": "IRQ4"}, "event_id", "is already the id of another event"),
        ({"source_doc": "../data/events.csv"}, "source_doc", "is not a file of the archive"),
    ],
)
def test_an_event_that_does_not_validate_is_refused_with_the_reason(paths, changes, column, reason):
    before = paths.events_csv.read_bytes()
    with pytest.raises(CurationError) as caught:
        save_event(paths, new_event(**changes), CHOSEN)
    assert [p.column for p in caught.value.problems] == [column]
    assert reason in str(caught.value)
    assert paths.events_csv.read_bytes() == before
    assert not paths.changes_log.exists()


def test_attribution_and_direction_must_be_chosen(paths):
    problems = check_event(new_event(), Choices(None, None), paths)
    assert [p.column for p in problems] == ["attribution", "direction_stated"]


# ---------------------------------------------------------------------------------------------
# Saving, editing, deleting, undoing


def test_saving_appends_one_line_and_undo_restores_the_file_byte_for_byte(paths):
    before = paths.events_csv.read_bytes()
    entry = save_event(paths, new_event(), CHOSEN, by="alice")
    after = paths.events_csv.read_bytes()
    assert after.startswith(before) and after[len(before) :].count(b"\n") == 1
    assert after[len(before) :].startswith(b"IRQ7,2023-12-25,1,")
    logged = read_log(paths)
    assert logged == [entry]
    assert (entry["action"], entry["event_id"], entry["by"]) == ("add", "IRQ7", "alice")
    assert entry["after"]["location"] == "Erbil International Airport"
    assert entry["attribution"] == "claimed by the group" and entry["direction_stated"] is True
    undone = undo(paths, by="alice")
    assert undone["undoes"] == entry["id"]
    assert paths.events_csv.read_bytes() == before
    with pytest.raises(CurationError, match="nothing to undo"):
        undo(paths)


def test_an_edit_changes_one_line_and_a_delete_removes_one(paths):
    before = paths.events_csv.read_text(encoding="utf-8")
    fields = event_fields(paths, "IRQ4")
    save_event(paths, {**fields, "injuries": "4"}, CHOSEN, editing="IRQ4")
    edited = paths.events_csv.read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), edited.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and changed[0][0].startswith("IRQ4,")
    assert ",3,,,002_" in changed[0][0] and ",4,,,002_" in changed[0][1]  # injuries, low, high
    delete_event(paths, "IRQ5")
    remaining = paths.events_csv.read_text(encoding="utf-8").splitlines()
    assert len(remaining) == len(before.splitlines()) - 1
    assert not any(line.startswith("IRQ5,") for line in remaining)
    assert [e["action"] for e in read_log(paths)] == ["edit", "delete"]
    assert read_log(paths)[1]["before"]["event_id"] == "IRQ5"
    undo(paths)
    assert paths.events_csv.read_text(encoding="utf-8") == edited
    undo(paths)
    assert paths.events_csv.read_text(encoding="utf-8") == before


def test_an_edit_may_rename_the_event_but_not_onto_another_one(paths):
    fields = event_fields(paths, "IRQ4")
    with pytest.raises(CurationError, match="IRQ5.*already the id"):
        save_event(paths, {**fields, "event_id": "IRQ5"}, CHOSEN, editing="IRQ4")
    save_event(paths, {**fields, "event_id": "IRQ4b"}, CHOSEN, editing="IRQ4")
    assert event_fields(paths, "IRQ4") is None and event_fields(paths, "IRQ4b") is not None


def test_undo_refuses_when_the_file_changed_since(paths):
    save_event(paths, new_event(), CHOSEN)
    changed = paths.events_csv.read_text(encoding="utf-8").replace("IRQ6,", "IRQ60,")
    paths.events_csv.write_text(changed, encoding="utf-8")
    with pytest.raises(CurationError, match="changed since change 1"):
        undo(paths)
    assert paths.events_csv.read_text(encoding="utf-8") == changed


def test_the_change_log_is_one_json_object_a_line(paths):
    save_event(paths, new_event(), CHOSEN, by="bob")
    delete_event(paths, "IRQ7", by="bob")
    lines = paths.changes_log.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["add", "delete"]
    assert all(json.loads(line)["at"].endswith("Z") for line in lines)


# ---------------------------------------------------------------------------------------------
# Settings


@pytest.mark.parametrize(
    "argv, env, address, enabled",
    [
        ([], {}, None, True),
        ([], {}, "127.0.0.1", True),
        ([], {}, "localhost", True),
        ([], {}, "::1", True),
        ([], {}, "0.0.0.0", False),
        ([], {}, "203.0.113.5", False),
        ([], {"CONFLICT_MAP_CURATE": "1"}, "0.0.0.0", True),
        ([], {"CONFLICT_MAP_CURATE": "0"}, None, False),
        (["--curate"], {"CONFLICT_MAP_CURATE": "0"}, "0.0.0.0", True),
        (["--no-curate"], {}, "127.0.0.1", False),
    ],
)
def test_who_may_curate_is_a_deployment_setting(argv, env, address, enabled):
    allowed = curation_allowed(argv, env, address)
    assert allowed.enabled is enabled and allowed.reason.startswith("on" if enabled else "off")


def test_the_data_folder_is_an_app_argument(tmp_path):
    default = paths_from_args(["--events", "x.csv"])
    assert default.events_csv == ROOT / "data" / "events.csv"
    assert default.seeds_dir == ROOT / "seeds"
    moved = paths_from_args(["--data-dir", str(tmp_path / "data")])
    assert moved.events_csv == tmp_path / "data" / "events.csv"
    assert moved.seeds_dir == tmp_path / "seeds"
    both = paths_from_args(["--data-dir", str(tmp_path), "--seeds-dir", str(tmp_path / "s")])
    assert both.seeds_dir == tmp_path / "s"


def test_candidate_places_come_from_the_geonames_index_not_a_parse_of_geonames(monkeypatch):
    """GeoNames is parsed only to build the name index kept on disk (geo.countries.derived);
    candidates read that index, shared with the geocoder. A server that proposed candidates
    held the 235k parsed cities (280 MB), and each page run's garbage collection walked them."""
    import geo.countries
    from geo.curate import candidates

    def no_parse():
        raise AssertionError("GeoNames parsed again, not read through the name index")

    geo.countries.geonames_index()  # built or read back once a process, before the check
    monkeypatch.setattr(geo.countries, "cities", no_parse)
    monkeypatch.setattr(geo.countries._gc(), "get_cities", no_parse)
    text = "Fighters attacked a checkpoint in Tikrit, Iraq, on Monday."
    [place] = candidates.find_places(text, ROOT / "data" / "gazetteer.csv")
    assert (place.name, place.country, place.geocoder) == ("Tikrīt", "Iraq", "geonames")
    assert place.geo_source == "GeoNames 90150 (Tikrīt)"
    assert (place.latitude, place.longitude) == (34.61581, 43.67861)


def test_the_seeds_of_the_repository_are_unchanged():
    # The names are the archive's record of what was read; their hashes are in sources records.
    assert sorted(p.name for p in (ROOT / "seeds").iterdir()) == [FIRST, SECOND]
    assert Path(ROOT / "seeds" / FIRST).read_bytes().startswith(b"Iran has carried out")


# ---------------------------------------------------------------------------------------------
# Fuzzing the parsers


CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=6), st.booleans())
def test_records_keep_their_own_text_whatever_the_cells_hold(rows, final_newline):
    columns = ["event_id", "notes", "x"]
    text = "event_id,notes,x\n" + "".join(
        row_text(dict(zip(columns, r, strict=True)), columns) for r in rows
    )
    text = text if final_newline else text[:-1]
    table = parse_table(text)
    assert table.text() == text
    assert table.rows == [dict(zip(columns, r, strict=True)) for r in rows]
    standard = io.StringIO()  # our writer is csv.writer's, plus quoting a bare carriage return
    csv.writer(standard, lineterminator="\n").writerows(rows)
    if not any("\r" in c for r in rows for c in r):
        expected = "event_id,notes,x\n" + standard.getvalue()
        assert text.rstrip("\n") == expected.rstrip("\n")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.none() | st.dates(date(1990, 1, 1), date(2030, 12, 31)))
def test_sentences_and_dates_never_fail_and_point_into_the_text(text, published):
    spans = sentences(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    covered = set().union(*(range(s, e) for s, e in spans)) if spans else set()
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    for found in resolve_dates(text, published):
        assert text[found.start : found.end] == found.phrase
        assert found.precision in (1, 2, 3)


@settings(max_examples=25, deadline=None)
@given(notes=CELLS)
@example(notes='a\u2028b\x85c\x0cd, "e"\r\nf')  # separators str.splitlines would cut at
def test_any_notes_save_on_one_record_and_undo_exactly(notes):
    with tempfile.TemporaryDirectory() as folder:  # a fresh copy for every example
        for name in ("data", "seeds"):
            shutil.copytree(ROOT / name, Path(folder) / name)
        paths = Paths(Path(folder) / "data", Path(folder) / "seeds")
        before = paths.events_csv.read_bytes()
        save_event(paths, new_event(notes=notes), CHOSEN)
        added = parse_table(paths.events_csv.read_bytes().decode("utf-8"))
        assert added.rows[-1]["notes"] == notes and len(added.chunks) == len(BUNDLED) + 1
        assert read_log(paths)[-1]["after"]["notes"] == notes
        undo(paths)
        assert paths.events_csv.read_bytes() == before


def test_a_crlf_file_with_a_byte_order_mark_keeps_both(paths):
    original = paths.events_csv.read_bytes()
    crlf = b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n")
    paths.events_csv.write_bytes(crlf)
    save_event(paths, new_event(), CHOSEN)
    saved = paths.events_csv.read_bytes()
    assert saved.startswith(crlf) and saved.endswith(b"\r\n")
    assert saved[len(crlf) :].count(b"\n") == saved[len(crlf) :].count(b"\r\n") == 1
    undo(paths)
    assert paths.events_csv.read_bytes() == crlf


def test_the_candidates_map_shows_each_place_and_the_approximate_ones_as_circles(tmp_path):
    from geo.assets import served_assets
    from geo.curate.preview import candidates_map

    _, found = candidates_of(FIRST, date(2022, 9, 28))
    page = candidates_map(found, "Offline", served_assets()).get_root().render()
    for number, c in enumerate(found, start=1):
        assert f"{number}. {c.place.name} (precision {c.place.precision})" in page
    approximate = sum(c.place.precision > 1 for c in found)
    assert page.count("L.circle(") == approximate > 0
    assert page.count("L.circleMarker(") == len(found)
