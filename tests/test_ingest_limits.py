"""geo.ingest.limits: the file reader's limits are settings (env var or argument), enforced
by every reader with a message that names the setting."""

from __future__ import annotations

import csv
import io

import pytest

from geo.ingest import convert, limits
from geo.ingest.cli import main
from geo.problems import DataFileError, SettingError
from geo.schema import EVENTS_CSV


@pytest.fixture(autouse=True)
def defaults():
    limits.configure([], {})
    yield
    limits.configure([], {})


def bundled(change=None) -> bytes:
    with open(EVENTS_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if change:
        change(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_the_defaults_let_the_bundled_file_through():
    assert limits.configure([], {}) == limits.DEFAULTS
    assert len(convert(bundled(), "events").events) == 7


def test_max_columns_from_the_environment_refuses_a_wider_file_and_names_the_setting():
    limits.configure([], {"CONFLICT_MAP_MAX_COLUMNS": "10"})
    with pytest.raises(DataFileError, match=r"more than the limit of 10 \(setting max_columns\)"):
        convert(bundled(), "events")


def test_an_argument_wins_over_the_environment():
    limits.configure(["--max-columns", "100"], {"CONFLICT_MAP_MAX_COLUMNS": "10"})
    assert len(convert(bundled(), "events").events) == 7


def longest_value_and_count() -> tuple[int, int]:
    with open(EVENTS_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    counts = [rows[0].index(c) for c in ("fatalities", "injuries")]
    longest = max(len(v) for row in rows for v in row)
    most = max(int(row[i]) for row in rows[1:] for i in counts if row[i])
    return longest, most


def test_max_field_chars_leaves_out_the_row_with_the_long_value():
    longest, _ = longest_value_and_count()
    limits.configure(["--max-field-chars", str(longest)], {})

    def long_quote(rows):
        rows[3][rows[0].index("source_quote")] = "q" * (longest + 1)

    result = convert(bundled(long_quote), "events")
    assert len(result.events) == 6
    [problem] = result.problems
    assert problem.line == 4 and "(setting max_field_chars)" in problem.reason


def test_max_count_is_a_setting():
    _, most = longest_value_and_count()
    limits.configure(["--max-count", str(most)], {})

    def many(rows):
        rows[1][rows[0].index("fatalities")] = str(most + 1)

    result = convert(bundled(many), "events")
    assert [(p.line, p.column) for p in result.problems] == [(2, "fatalities")]
    assert f"the limit is {most:,}, setting max_count" in result.problems[0].reason


@pytest.mark.parametrize("raw", ["0", "-3", "many", "1.5"])
def test_a_bad_setting_is_refused_naming_the_variable_and_the_value(raw):
    with pytest.raises(SettingError, match=rf"\$CONFLICT_MAP_MAX_COLUMNS: '{raw}' is not a whole"):
        limits.configure([], {"CONFLICT_MAP_MAX_COLUMNS": raw})
    with pytest.raises(SettingError, match=rf"--max-columns: '{raw}' is not a whole"):
        limits.configure(["--max-columns", raw], {})


def test_the_command_line_takes_the_limits(tmp_path, capsys):
    source = tmp_path / "events.csv"
    source.write_bytes(bundled())
    out = tmp_path / "out.csv"
    assert main([str(source), "-o", str(out), "--max-columns", "10"]) == 1
    assert "(setting max_columns)" in capsys.readouterr().err and not out.exists()
    with pytest.raises(SystemExit) as exit_:
        main([str(source), "-o", str(out), "--max-columns", "zero"])
    assert exit_.value.code == 2
    assert "--max-columns: 'zero' is not a whole number" in capsys.readouterr().err
    assert main([str(source), "-o", str(out)]) == 0 and out.is_file()
