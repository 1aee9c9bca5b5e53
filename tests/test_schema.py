"""The schema in geo/schema.py and data/README.md describe the same columns; geo/ stays plain."""

import importlib
import importlib.abc
import pkgutil
import re
import sys

from geo.schema import COLUMN_NAMES, PRECISION_LABELS
from helpers import ROOT


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


def test_importing_every_geo_module_never_imports_streamlit():
    """Ruff's TID251 bans `import streamlit` in geo/; this also catches it arriving indirectly
    (through another package). In-process: each geo module is imported afresh with streamlit
    blocked, then the interpreter's modules are put back as they were."""
    attempts: list[str] = []

    class BlockStreamlit(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "streamlit" or name.startswith("streamlit."):
                attempts.append(name)
                raise ImportError(f"geo/ must not import {name}")
            return None

    saved = dict(sys.modules)
    blocker = BlockStreamlit()
    for name in [n for n in sys.modules if n.split(".")[0] in ("geo", "streamlit")]:
        del sys.modules[name]
    sys.meta_path.insert(0, blocker)
    try:
        import geo

        names = [m.name for m in pkgutil.walk_packages(geo.__path__, "geo.")]
        for name in names:
            if name.endswith(".__main__"):  # a command (python -m geo.ingest), not a module
                continue
            importlib.import_module(name)
    finally:
        sys.meta_path.remove(blocker)
        sys.modules.clear()
        sys.modules.update(saved)
    assert len(names) >= 10 and "geo.filters" in names  # the walk did find the package
    assert attempts == []
