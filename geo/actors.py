"""One actor, several names: map the attacker and target group of any events frame onto the
canonical names of ``data/actors.csv``, so filters, colours and counts see one actor.

Names are compared without regard to case, spacing, punctuation or an ACLED period such as
"(1989-)": ACLED's "Islamic Revolutionary Guard Corps" and the bundled "Islamic Revolutionary
Guard Corps (IRGC)" become one attacker. Nothing is lost: where a name is changed and the
``*_as_reported`` column is blank, the original name is kept there.

>>> import pandas as pd
>>> frame = pd.DataFrame({"attacker": ["Islamic Revolutionary Guard Corps", "Unit 99"],
...                       "target_group": ["KDPI: Kurdistan Democratic Party of Iran", "x"]})
>>> out, unmatched = canonicalise(frame)
>>> out["attacker"].tolist(), unmatched
(['Islamic Revolutionary Guard Corps (IRGC)', 'Unit 99'], ['Unit 99', 'x'])
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import pandas as pd

from geo.problems import DataFileError, Problem
from geo.schema import ACTORS_CSV

# Stand-ins the importers write where a file names no actor: not names to match.
PLACEHOLDERS = {"Unknown or none (ACLED names no second actor)"}
ACTOR_COLUMNS = {"attacker": "attacker_as_reported", "target_group": "target_as_reported"}
_PERIOD = re.compile(r"\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)")  # ACLED's "(1989-)", "(2017-2021)"


def actor_key(name: str) -> str:
    """The form names are compared in: no accents, case, punctuation, ACLED period.

    >>> actor_key("Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps")
    'military forces of iran islamic revolutionary guard corps'
    >>> actor_key("Kata’ib  Hizballah") == actor_key("kataib hizballah")
    True
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _PERIOD.sub(" ", text).lower()
    text = re.sub(r"[’'`´]", "", text)  # apostrophes join: Kata'ib == Kataib
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def load_actors(path: Path = ACTORS_CSV) -> pd.DataFrame:
    """The actor table: one row per (canonical, alias), with where the alias is reported."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"canonical", "alias"} - set(frame.columns)
    if missing:
        raise DataFileError(f"{Path(path).name}: missing column(s) {', '.join(sorted(missing))}")
    return frame


def check_actors(actors: pd.DataFrame, file: str = "actors.csv") -> list[Problem]:
    """An alias that would mean two canonical actors, or a blank name, is a problem."""
    problems, seen = [], {}
    for line, row in enumerate(actors.itertuples(index=False), start=2):
        for column in ("canonical", "alias"):
            if not getattr(row, column).strip():
                problems.append(Problem(file, line, column, None, "is blank"))
        for name in (row.canonical, row.alias):
            key = actor_key(name)
            if key and seen.setdefault(key, row.canonical) != row.canonical:
                problems.append(
                    Problem(
                        file,
                        line,
                        "alias",
                        name,
                        f"already names {seen[key]!r}, not {row.canonical!r}",
                    )
                )
    return problems


@functools.lru_cache(maxsize=4)
def _lookup(path: str, modified: float) -> dict[str, str]:
    actors = load_actors(Path(path))
    table = {actor_key(c): c for c in actors["canonical"]}
    table.update(
        {actor_key(a): c for a, c in zip(actors["alias"], actors["canonical"], strict=True)}
    )
    return table


def lookup(path: Path = ACTORS_CSV) -> dict[str, str]:
    """{actor_key(name): canonical name} for every canonical name and alias."""
    return _lookup(str(path), Path(path).stat().st_mtime)


def canonical_names(
    names: pd.Series, table: dict[str, str] | None = None
) -> tuple[pd.Series, list[str]]:
    """Each name's canonical form (the name itself when unknown) and the unknown names."""
    table = lookup() if table is None else table
    unique = pd.unique(names.astype(str))
    mapped = {n: table.get(actor_key(n)) for n in unique}
    unmatched = sorted(
        n for n, c in mapped.items() if c is None and n.strip() and n not in PLACEHOLDERS
    )
    result = names.astype(str).map({n: c or n for n, c in mapped.items()})
    return result, unmatched


def canonicalise(
    frame: pd.DataFrame, table: dict[str, str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Return (a copy of ``frame`` with canonical ``attacker`` and ``target_group``, the names
    that matched no canonical name or alias, sorted).

    Works on any events frame, bundled or imported (ACLED, UCDP GED); a column that is absent
    is skipped. Where a name changes and its ``*_as_reported`` column is blank or absent, the
    name as it was is kept there, so the reported spelling stays readable. The Import page
    calls it on each imported frame and lists ``unmatched`` ("names not in data/actors.csv:
    ..."), so that someone can add them as aliases.
    """
    table = lookup() if table is None else table
    out = frame.copy()
    unmatched: set[str] = set()
    for column, reported in ACTOR_COLUMNS.items():
        if column not in out:
            continue
        original = out[column].astype(str)
        canonical, missing = canonical_names(original, table)
        unmatched.update(missing)
        changed = canonical != original
        if reported not in out:
            out[reported] = ""
        as_reported = out[reported].astype(object).where(out[reported].notna(), "").astype(str)
        out[reported] = as_reported.mask(changed & (as_reported.str.strip() == ""), original)
        out[column] = canonical
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype("category")
    return out, sorted(unmatched)
