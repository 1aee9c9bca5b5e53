"""``python -m geo.ingest INPUT --output OUT.csv [--format auto|events|acled|ucdp]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.export import to_csv_bytes
from geo.ingest import limits
from geo.ingest.pipeline import FORMAT_LABELS, FORMATS, convert
from geo.io import write_atomic
from geo.problems import DataFileError, SettingError

ACCEPTED = (
    "CSV separated by , ; tab or | (.csv .tsv .txt), Excel or OpenDocument "
    "workbooks (.xlsx .xls .ods), JSON (ACLED's API, UCDP's API, an array of records) "
    "or a .zip holding one of these; UTF-8, UTF-16 or Windows-1252 text"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Convert a file into this project's events CSV; 0 when written, 1 when not."""
    parser = argparse.ArgumentParser(
        prog="python -m geo.ingest",
        description="Convert an ACLED or UCDP GED export (or an events file) into this "
        f"project's events CSV. Accepted: {ACCEPTED}. Bad rows are reported and "
        "left out.",
    )
    parser.add_argument("input", type=Path, help="the file to import")
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        required=True,
        help="where to write the events CSV (never the input file)",
    )
    labels = ", ".join(f"{f} ({FORMAT_LABELS[f]})" for f in FORMATS)
    parser.add_argument(
        "--format",
        choices=("auto", *FORMATS),
        default="auto",
        help=f"the input's layout: {labels}; auto tells it from the header (default)",
    )
    for name, default in limits.DEFAULTS.items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            metavar="N",
            help=f"file reader limit (default {default:,}; also $CONFLICT_MAP_{name.upper()})",
        )
    args = parser.parse_args(argv)
    try:
        limits.configure(sys.argv[1:] if argv is None else argv)
    except SettingError as exc:
        parser.error(str(exc))

    if args.output.resolve() == args.input.resolve() or (
        args.output.exists() and args.input.exists() and args.output.samefile(args.input)
    ):
        parser.error(f"--output {args.output} is the input file; refusing to overwrite it")

    try:
        result = convert(args.input, args.format)
    except (DataFileError, OSError) as exc:
        print(f"error: {exc}; no output written", file=sys.stderr)
        return 1
    for problem in result.problems:
        print(problem)
    for note in result.notes:
        print(f"note: {note}")
    print(result.summary())
    if result.events.empty:
        print(
            f"error: no row of {result.name} could be imported; {args.output} not written",
            file=sys.stderr,
        )
        return 1

    try:
        write_atomic(args.output, to_csv_bytes(result.events))
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(result.events)} events to {args.output}")
    return 0
