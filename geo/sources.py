"""Traceability checks: quotes stand verbatim in their sources, and casualties never double count.

Also loads ``data/sources.csv`` (one record per document of ``seeds/``: title, outlet and date
where the text states them, its SHA-256, when it was archived, a citation line) and
``data/summaries.csv``: the statements the articles make that are not point events
("at least 103 attacks since October 17", "13 killed" across several sites), kept beside the
events instead of being mapped as dots.

>>> from geo.sources import quote_spans
>>> quote_spans("First sentence. ... Second one.")
['First sentence.', 'Second one.']
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

import pandas as pd

from geo.problems import Problem
from geo.schema import ATTRIBUTIONS, QUOTE_SEPARATOR, SEEDS_DIR, SOURCES_CSV, SUMMARIES_CSV

CASUALTY_WORDS = re.compile(
    r"\b(kill\w*|dead|death\w*|died|martyrdom|wound\w*|injur\w*)\b", re.IGNORECASE
)


def quote_spans(quote: str) -> list[str]:
    return [s.strip() for s in str(quote).split(QUOTE_SEPARATOR.strip()) if s.strip()]


def read_source(name: str, seeds_dir: Path = SEEDS_DIR) -> str:
    return (Path(seeds_dir) / name).read_text(encoding="utf-8")


def check_quotes(
    frame: pd.DataFrame,
    id_column: str = "event_id",
    seeds_dir: Path = SEEDS_DIR,
    file: str = "events.csv",
) -> list[Problem]:
    """A Problem for every quote span that is not verbatim in the row's source_doc."""
    problems = []
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        doc, rid = row.source_doc, getattr(row, id_column)
        path = Path(seeds_dir) / doc
        if not path.is_file():
            problems.append(Problem(file, i, "source_doc", doc, f"({rid}) is not a file in seeds/"))
            continue
        text = read_source(doc, seeds_dir)
        for span in quote_spans(row.source_quote):
            if span not in text:
                problems.append(
                    Problem(file, i, "source_quote", span[:80], f"({rid}) is not verbatim in {doc}")
                )
    return problems


def load_summaries(path: Path = SUMMARIES_CSV) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in ("fatalities", "injuries", "attacks"):
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
    return frame


def check_double_counting(events: pd.DataFrame, summaries: pd.DataFrame) -> list[Problem]:
    """Problems where a casualty figure would be counted twice when summing fatalities.

    - two events that both carry fatalities or injuries and share a casualty sentence;
    - an event carrying the total of a summary that covers several events;
    - events whose fatalities add up to more than a summary's total for them.
    """
    problems = []
    counted = events[(events["fatalities"].fillna(0) > 0) | (events["injuries"].fillna(0) > 0)]
    seen: dict[str, str] = {}
    for row in counted.itertuples(index=False):
        for span in quote_spans(row.source_quote):
            if CASUALTY_WORDS.search(span):
                if span in seen and seen[span] != row.event_id:
                    problems.append(
                        Problem(
                            "events.csv",
                            None,
                            "fatalities",
                            row.event_id,
                            f"shares its casualty sentence with {seen[span]}: "
                            f"the same deaths would be counted twice",
                        )
                    )
                seen.setdefault(span, row.event_id)
    by_id = events.set_index("event_id")
    for s in summaries.itertuples(index=False):
        covered = [e for e in str(s.covers_event_ids).split() if e in by_id.index]
        if len(covered) < 2:
            continue
        for column in ("fatalities", "injuries"):
            total = getattr(s, column)
            if pd.isna(total):
                continue
            values = by_id.loc[covered, column].fillna(0)
            copied = [e for e in covered if values[e] == total and total > 0]
            for e in copied:
                problems.append(
                    Problem(
                        "events.csv",
                        None,
                        column,
                        e,
                        f"carries summary {s.summary_id}'s total of {total}, "
                        f"which covers {len(covered)} events",
                    )
                )
            if not copied and values.sum() > total:
                problems.append(
                    Problem(
                        "summaries.csv",
                        None,
                        column,
                        s.summary_id,
                        f"total {total} is less than the {values.sum()} its events add up to",
                    )
                )
    return problems


# ------------------------------------------------------------------------ source records

NOT_STATED = "not stated"
STATED_FIELDS = ("title", "outlet", "published")  # each verbatim in the text, or NOT_STATED
SOURCE_COLUMNS = (
    "source_doc",
    *STATED_FIELDS,
    "description",
    "sha256",
    "archived",
    "citation",
    "notes",
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_sources(path: Path = SOURCES_CSV) -> pd.DataFrame:
    """The source records of ``data/sources.csv``, one per document of ``seeds/``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in SOURCE_COLUMNS if c not in frame.columns]
    if missing:
        from geo.problems import DataFileError

        raise DataFileError(f"{Path(path).name}: missing column(s) {', '.join(missing)}")
    return frame


def check_sources(
    sources: pd.DataFrame, seeds_dir: Path = SEEDS_DIR, file: str = "sources.csv"
) -> list[Problem]:
    """Problems with the source records: a document of seeds/ without a record, a record
    whose file is missing or whose SHA-256 differs from the archived text, and a title,
    outlet or date that is neither "not stated" nor written in the text itself."""
    problems = []
    recorded = set(sources["source_doc"])
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        if path.name not in recorded:
            problems.append(
                Problem(
                    file, None, "source_doc", path.name, "is in seeds/ but has no source record"
                )
            )
    for line, row in enumerate(sources.itertuples(index=False), start=2):
        path = Path(seeds_dir) / row.source_doc
        if not path.is_file():
            problems.append(
                Problem(file, line, "source_doc", row.source_doc, "is not a file in seeds/")
            )
            continue
        digest = sha256_of(path)
        if row.sha256.lower() != digest:
            problems.append(
                Problem(
                    file,
                    line,
                    "sha256",
                    row.sha256,
                    f"is not the SHA-256 of seeds/{row.source_doc} ({digest})",
                )
            )
        text = read_source(row.source_doc, seeds_dir)
        for column in STATED_FIELDS:
            value = getattr(row, column).strip()
            if value != NOT_STATED and value not in text:
                problems.append(
                    Problem(
                        file,
                        line,
                        column,
                        value,
                        f"is not written in {row.source_doc}; write "
                        f"'{NOT_STATED}' unless the text states it",
                    )
                )
    return problems


def source_label(record: dict | None, doc: str) -> str:
    """How a source is named to readers: its title where the text states one, else our short
    description marked as such; the bare document name when there is no record (imports).

    >>> source_label({"title": "not stated", "description": "News article on X"}, "a.txt")
    'News article on X (untitled; our description)'
    >>> source_label(None, "Reuters; AFP")
    'Reuters; AFP'
    """
    if not record:
        return str(doc)
    title = str(record.get("title", "")).strip()
    if title and title != NOT_STATED:
        return title
    return f"{record.get('description') or doc} (untitled; our description)"


@functools.lru_cache(maxsize=4)
def _bundled(kind: str, modified: float) -> pd.DataFrame:
    return load_sources() if kind == "sources" else load_summaries()


def bundled_sources() -> pd.DataFrame:
    """``data/sources.csv``, read once per change of the file (treat it as read-only)."""
    return _bundled("sources", SOURCES_CSV.stat().st_mtime)


def bundled_summaries() -> pd.DataFrame:
    """``data/summaries.csv``, read once per change of the file (treat it as read-only)."""
    return _bundled("summaries", SUMMARIES_CSV.stat().st_mtime)


def source_labels(docs: pd.Series, sources: pd.DataFrame | None = None) -> pd.Series:
    """:func:`source_label` of every value of a ``source_doc`` column. Documents that have no
    record (ACLED's ``source``, UCDP's ``source_article``) keep their own text."""
    if sources is None:
        sources = bundled_sources()
    records = {r["source_doc"]: r for r in sources.to_dict("records")}
    labels = {doc: source_label(records.get(doc), doc) for doc in pd.unique(docs.astype(str))}
    return docs.astype(str).map(labels)


# ----------------------------------------------------------------------------- attribution

# Words a quote must hold for each attribution basis (checked against the verbatim text), and
# for "reported without attribution" words it must not hold.
ATTRIBUTION_WORDS = {
    "acknowledged by the attacker": r"\b(?:announc\w*|confirm\w*|pledg\w*|admit\w*|"
    r"acknowledg\w*)\b",
    "claimed by the group": r"\bclaim\w*\b",
    "attributed by others": r"\b(?:attribut\w*|blam\w*|accus\w*)\b",
}
NO_BASIS_WORDS = r"\b(?:announc\w*|confirm\w*|claim\w*|attribut\w*|blam\w*|accus\w*)\b"


def check_attribution(
    frame: pd.DataFrame, seeds_dir: Path = SEEDS_DIR, file: str = "events.csv"
) -> list[Problem]:
    """Problems with the curated attribution: a value outside :data:`ATTRIBUTIONS` (or the
    imports' "direction not stated" on curated data), a quote that is not verbatim in the
    event's source, or a quote that does not say what the basis claims (no "claimed" in a
    claim, no "attributed"/"blamed" for an attribution by others...)."""
    problems = []
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        basis, quote = str(row.attribution), str(row.attribution_quote or "")
        if basis not in ATTRIBUTIONS[:-1]:
            problems.append(
                Problem(
                    file,
                    i,
                    "attribution",
                    basis,
                    f"({row.event_id}) is not one of " + ", ".join(ATTRIBUTIONS[:-1]),
                )
            )
            continue
        if not quote.strip():
            problems.append(
                Problem(
                    file,
                    i,
                    "attribution_quote",
                    None,
                    f"({row.event_id}) is missing: quote the sentence that says '{basis}'",
                )
            )
            continue
        path = Path(seeds_dir) / row.source_doc
        text = read_source(row.source_doc, seeds_dir) if path.is_file() else ""
        for span in quote_spans(quote):
            if span not in text:
                problems.append(
                    Problem(
                        file,
                        i,
                        "attribution_quote",
                        span[:80],
                        f"({row.event_id}) is not verbatim in {row.source_doc}",
                    )
                )
        words = ATTRIBUTION_WORDS.get(basis)
        if words and not re.search(words, quote, re.IGNORECASE):
            problems.append(
                Problem(
                    file,
                    i,
                    "attribution_quote",
                    quote[:80],
                    f"({row.event_id}) does not say the attack was {basis}",
                )
            )
        if words is None and re.search(NO_BASIS_WORDS, quote, re.IGNORECASE):
            problems.append(
                Problem(
                    file,
                    i,
                    "attribution",
                    basis,
                    f"({row.event_id}) but the quote gives a basis: "
                    f"{re.search(NO_BASIS_WORDS, quote, re.I).group(0)!r}",
                )
            )
    return problems


# ------------------------------------------------------------------ casualties in context


def casualty_context(events: pd.DataFrame, summaries: pd.DataFrame | None = None) -> pd.Series:
    """Per event, the multi-site totals that include it and are not broken down by site:
    "13 killed, 58 wounded across IRQ1–IRQ3 (summary S1), not broken down". Empty text for
    events no summary covers (every imported event).

    >>> ev = pd.DataFrame({"event_id": ["A1", "A2", "B"]})
    >>> su = pd.DataFrame({"summary_id": ["S1"], "covers_event_ids": ["A1 A2"],
    ...                    "fatalities": [13], "injuries": [None]})
    >>> casualty_context(ev, su).tolist()[1:]
    ['13 killed across A1, A2 (summary S1), not broken down', '']
    """
    if summaries is None:
        summaries = bundled_summaries()
    text: dict[str, list[str]] = {}
    for s in summaries.itertuples(index=False):
        covered = str(s.covers_event_ids).split()
        figures = [
            f"{int(v)} {word}"
            for v, word in ((s.fatalities, "killed"), (s.injuries, "wounded"))
            if not pd.isna(v)
        ]
        if len(covered) < 2 or not figures:
            continue
        line = (
            f"{', '.join(figures)} across {id_range(covered)} (summary {s.summary_id}), "
            "not broken down"
        )
        for event_id in covered:
            text.setdefault(event_id, []).append(line)
    joined = {k: "; ".join(v) for k, v in text.items()}
    ids = events["event_id"].astype(str)
    if not joined:
        return pd.Series("", index=events.index, dtype=object)
    return ids.map(joined).fillna("").astype(object)


def id_range(ids: list[str]) -> str:
    """ "IRQ1–IRQ3" for consecutive ids of one prefix, else the ids listed.

    >>> id_range(["IRQ1", "IRQ2", "IRQ3"]), id_range(["IRQ1", "SYR1"])
    ('IRQ1–IRQ3', 'IRQ1, SYR1')
    """
    parts = [re.fullmatch(r"(.*?)(\d+)", i) for i in ids]
    if len(ids) > 2 and all(parts) and len({m.group(1) for m in parts}) == 1:
        numbers = [int(m.group(2)) for m in parts]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{ids[0]}–{ids[-1]}"
    return ", ".join(ids)


def summary_total(
    events: pd.DataFrame, column: str = "fatalities", summaries: pd.DataFrame | None = None
) -> pd.Series:
    """Per event, the largest multi-site total (of ``column``) that includes it; NA if none.
    The Timeline draws an event without a figure of its own, but inside such a total, as a
    hollow dot of the total's size."""
    if summaries is None:
        summaries = bundled_summaries()
    best: dict[str, float] = {}
    for s in summaries.itertuples(index=False):
        covered, total = str(s.covers_event_ids).split(), getattr(s, column)
        if len(covered) >= 2 and not pd.isna(total):
            for event_id in covered:
                best[event_id] = max(best.get(event_id, 0), float(total))
    return events["event_id"].astype(str).map(best).astype("Float64")
