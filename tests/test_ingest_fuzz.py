"""Fuzz the importer: random bytes and random CSV shapes raise only the project's own error,
and a valid row is never lost because of the rows around it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.ingest import convert
from geo.problems import GeoError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
with open(FIXTURES / "acled_current.csv", encoding="utf-8", newline="") as _f:
    ROWS = list(csv.reader(_f))
HEADER, GOOD = ROWS[0], ROWS[1:]
IDS = [row[0] for row in GOOD]

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_raise_nothing_but_the_projects_error(data):
    try:
        result = convert(data)
    except GeoError:
        return
    assert result.rows_read >= len(result.events)


@FUZZ
@given(
    st.binary(max_size=400),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"PK\x03\x04", b"{", b"[", b"\xff\xfe"]),
)
def test_random_bytes_after_a_header_or_magic_raise_only_the_projects_error(data, prefix):
    header = ",".join(HEADER).encode()
    for raw in (prefix + data, header + b"\n" + data, prefix + header + b"\n" + data):
        try:
            convert(raw)
        except GeoError:
            pass


# Junk lines: ragged rows, stray quotes, every delimiter; their line ends are the file's own
# (a junk line ending differently makes the file's line structure undecidable).
junk_cell = st.text(alphabet=st.sampled_from(list('ab,;|\t" 1#')), max_size=12)
junk_row = st.lists(junk_cell, min_size=0, max_size=40)


@FUZZ
@given(
    st.lists(junk_row, max_size=4),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.integers(0, len(GOOD)),
)
def test_junk_rows_among_valid_ones_never_lose_a_valid_row(junk, delimiter, ending, at):
    """Junk lines go in as raw text (no quoting): whatever they break, a quote they open
    and never close included, they must not take a valid row with them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending)
    writer.writerow(HEADER)
    valid = io.StringIO()
    csv.writer(valid, delimiter=delimiter, lineterminator=ending).writerows(GOOD)
    good_lines = valid.getvalue().split(ending)[:-1]
    junk_lines = [delimiter.join(row) for row in junk]
    lines = good_lines[:at] + junk_lines + good_lines[at:]
    text = out.getvalue() + ending.join(lines) + ending
    try:
        result = convert(text.encode())
    except GeoError:
        return
    kept = set(result.events["event_id"])
    lost = [i for i in IDS if i not in kept]
    assert not lost, (lost, [str(p) for p in result.problems])


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(HEADER), st.text(max_size=8)), max_size=5))
def test_random_values_in_valid_rows_are_reported_not_raised(changes):
    rows = [list(r) for r in GOOD]
    for column, value in changes:
        rows[1][HEADER.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADER, *rows])
    result = convert(out.getvalue().encode())
    kept = set(result.events["event_id"])
    assert {IDS[0], IDS[2], IDS[3]} <= kept or any(c == "event_id_cnty" for c, _ in changes)
    assert result.rows_read == len(GOOD)


# A file named by its path is parsed from disk and scanned for line ends a piece at a time
# (geo.ingest.read.PIECE_BYTES): whatever its bytes, and wherever a CR LF falls across two
# pieces, it reads exactly as the same bytes uploaded.
text_bytes = st.lists(
    st.sampled_from([b"a", b"1", b",", b";", b'"', b"\r", b"\n", b"\r\n", b" ", "é".encode()]),
    max_size=60,
).map(b"".join)


@FUZZ
@given(text_bytes, st.sampled_from([b"", b"\xef\xbb\xbf"]), st.integers(1, 9))
def test_a_file_read_from_its_path_is_read_as_its_bytes(body, bom, piece_bytes):
    import tempfile

    from geo.ingest import read

    raw = bom + ",".join(HEADER).encode() + b"\n" + GOOD[0][0].encode() + body
    try:
        expected = convert(raw)
    except GeoError as exc:
        expected = str(exc).replace("uploaded file", "x.csv")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_bytes(raw)
        saved, read.PIECE_BYTES = read.PIECE_BYTES, piece_bytes
        try:
            got = convert(path)
        except GeoError as exc:
            got = str(exc)
        finally:
            read.PIECE_BYTES = saved
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
        return
    assert [str(p) for p in got.problems] == [
        str(p).replace("uploaded file", "x.csv") for p in expected.problems
    ]
    assert got.notes == expected.notes
    assert got.events.astype(str).equals(expected.events.astype(str))


# Where each record starts when values span lines: numpy follows the quotes over the bytes
# (geo.ingest.read._record_starts) wherever they are where CSV puts them, and must then find
# exactly what the csv module finds, from a path read in pieces of any size as from bytes.
# A CR alone (not before an LF) anywhere sends the file to the csv module's path.
values = st.lists(st.sampled_from(["a", '"', ",", "\n", "\r\n", " ", "é"]), max_size=6).map("".join)
junk = st.sampled_from([b"", b'"', b"\n", b"\r\n", b'x"y', b",\n", b'""', b"\r"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 4).flatmap(
        lambda w: st.lists(st.lists(values, min_size=w, max_size=w), max_size=6)
    ),
    st.lists(st.tuples(st.integers(0, 10_000), junk), max_size=2),
    st.sampled_from(["\n", "\r\n"]),
    st.integers(1, 9),
    st.sampled_from([b"", b"\xef\xbb\xbf"]),
)
def test_record_starts_over_the_bytes_are_the_csv_modules(rows, inserts, ending, piece_bytes, bom):
    import tempfile

    from geo.ingest import read

    width = len(rows[0]) if rows else 2
    out = io.StringIO()
    csv.writer(out, lineterminator=ending).writerows([[f"h{i}" for i in range(width)], *rows])
    raw = out.getvalue().encode()
    for at, extra in sorted(inserts, reverse=True):
        at %= len(raw) + 1  # anywhere in the file
        raw = raw[:at] + extra + raw[at:]
    header_end = raw.find(b"\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # the fast reader stops before this (pyarrow checks UTF-8)
    if header_end < 0 or raw[:header_end].count(b'"') % 2:
        return  # an odd header
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_bytes(bom + raw)  # read after the BOM
        saved, read.PIECE_BYTES = read.PIECE_BYTES, piece_bytes
        try:
            from_path = read._record_starts(path, len(bom), ",", width)
            scanned_in_pieces = read._quotes_and_line_ends(path, len(bom), ",")
        finally:
            read.PIECE_BYTES = saved
    scanned_whole = read._quotes_and_line_ends(bom + raw, len(bom), ",")  # one piece
    assert (scanned_in_pieces is None) == (scanned_whole is None)
    if scanned_whole is not None:
        assert [np.asarray(x).tolist() for x in scanned_in_pieces] == [
            np.asarray(x).tolist() for x in scanned_whole
        ]
    from_bytes = read._record_starts(bom + raw, len(bom), ",", width)
    assert _same(from_path, from_bytes)
    if "\r" in text.replace("\r\n", ""):
        assert from_bytes is None  # a lone CR
        return
    expected = read._record_starts_by_csv(text, ",", width)
    lines = None if from_bytes is None else from_bytes[0]
    if read._quotes_and_line_ends(raw, 0, ",") is None:
        assert from_bytes is None or from_bytes[1] is None
        assert _same(lines, expected)  # the csv module's own count
        return
    ragged = any(len(r) not in (0, width) for r in csv.reader(io.StringIO(text, newline="")))
    assert _same(lines, expected) or (ragged and expected is None)
    if from_bytes is None:
        return
    # each record's first byte: after a line break, with as many before it as its line says
    offsets = from_bytes[1].tolist()
    assert [raw[o - 1 : o] for o in offsets] == [b"\n"] * len(offsets)
    assert [raw[:o].count(b"\n") + 1 for o in offsets] == list(lines)
    # parsed in pieces cut where records start (a few bytes each), as pyarrow parses it whole
    names = [f"h{i}" for i in range(width)]
    whole = read._parse(bom + raw, len(bom), names, names, {"h0"}, ",", True)
    saved, read.CSV_BLOCK_BYTES = read.CSV_BLOCK_BYTES, piece_bytes
    try:
        pieces = read._parse_records(bom + raw, len(bom), from_bytes[1], names, names, {"h0"}, ",")
    finally:
        read.CSV_BLOCK_BYTES = saved
    assert (whole is None) == (pieces is None)
    if whole is not None:
        assert pieces.unify_dictionaries().to_pandas().equals(whole.to_pandas())


def _same(a, b) -> bool:
    """Whether two answers of _record_starts (or two arrays of lines) are the same."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    return list(a) == list(b)
