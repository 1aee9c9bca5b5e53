"""The schema in geo/schema.py and data/README.md describe the same columns; geo/ stays plain."""

import re
import subprocess
import sys

from conftest import ROOT
from geo.schema import COLUMN_NAMES, PRECISION_LABELS


def documented_columns() -> list[str]:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Columns of events.csv", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.MULTILINE)


def test_readme_documents_exactly_the_schema_columns_in_order():
    assert documented_columns() == list(COLUMN_NAMES)


def test_events_csv_header_is_the_schema():
    header = (ROOT / "data" / "events.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(COLUMN_NAMES)


def test_readme_explains_each_precision_level():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for level in PRECISION_LABELS:
        assert re.search(rf"^\| {level} \|", text, flags=re.MULTILINE)


def test_geo_package_never_imports_streamlit():
    code = ("import sys, pkgutil, importlib, geo\n"
            "for m in pkgutil.iter_modules(geo.__path__):\n"
            "    importlib.import_module('geo.' + m.name)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
