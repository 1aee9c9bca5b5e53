"""Evidence and provenance: where in its source each event's words stand, and how to link there.

The Sources page shows every document of ``seeds/`` in full with the spans that support an
event highlighted; the About the data page reads its prose from ``data/README.md``. Everything
that decides something for those pages lives here, without Streamlit.

>>> text = "A drone hit the base. Nobody claimed it. Three were wounded."
>>> found = find_spans(text, [("E1", "A drone hit the base. ... Three were wounded.")])
>>> [(s.event_id, text[s.start:s.end], s.anchor) for s in found.spans]
[('E1', 'A drone hit the base.', True), ('E1', 'Three were wounded.', False)]
>>> highlight_html("x < y", find_spans("x < y", [("E1", "y")]).spans).count('id="E1"')
1
>>> sources_url("IRQ4")
'Sources?event=IRQ4#IRQ4'
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd

from geo.filters import FilterState, View, to_query
from geo.schema import PRECISION_LABELS, SEEDS_DIR, TIME_PRECISION_LABELS
from geo.sources import quote_spans

# Attribution bases that leave who did it open (geo.schema.ATTRIBUTIONS).
DOUBTED_ATTRIBUTIONS = (
    "claimed by the group",
    "attributed by others",
    "reported without attribution",
)
SOURCES_PAGE = "Sources"  # URL path of pages/3_Sources.py; map popups link to it too
MAP_PAGE = "./"  # the map is the app's main page
FOCUS_ZOOM = 12

EVIDENCE_CSS = """<style>
.ev-doc{font-size:1.02rem;line-height:1.75;max-width:52rem}
.ev-doc p{margin:0 0 .9em}
.ev-doc mark.ev{background:#fff1a8;color:inherit;padding:.1em 0;border-radius:3px;
 scroll-margin-top:6rem}
.ev-doc mark.ev mark.ev{background:transparent;padding:0}
.ev-doc mark.ev.ev-focus,.ev-doc mark.ev mark.ev.ev-focus{background:#ffc94d;
 box-shadow:0 0 0 2px #b26b00;padding:.1em .1em}
.ev-doc .ev-label{display:inline-block;font:600 .72rem/1.4 ui-monospace,monospace;
 color:#fff;background:#444;border-radius:3px;padding:0 .35em;margin:0 .3em 0 .1em;
 vertical-align:.12em;user-select:none}
.ev-doc mark.ev-focus>.ev-label{background:#b26b00}
.ev-doc mark.ev.ev-sum{background:transparent;border-bottom:2px dashed #8a8a8a;border-radius:0}
.ev-doc mark.ev-sum>.ev-label{background:#8a8a8a}
</style>"""
SUMMARY_ANCHOR_PREFIX = "summary-"


@dataclass(frozen=True)
class Span:
    """Characters ``start:end`` of a document support event ``event_id``.

    ``anchor`` is true for the event's first span in the document: that highlight carries the
    HTML id equal to the event id, so ``#IRQ4`` scrolls to it. ``kind`` is "event", or
    "summary" for a statement of ``data/summaries.csv`` (its id is then ``summary-S1``).
    """

    event_id: str
    start: int
    end: int
    anchor: bool = False
    kind: str = "event"

    @property
    def anchor_id(self) -> str:
        prefix = SUMMARY_ANCHOR_PREFIX if self.kind == "summary" else ""
        return prefix + self.event_id


@dataclass(frozen=True)
class MissingSpan:
    """A quoted span that is not verbatim in the document it cites."""

    event_id: str
    text: str


@dataclass
class Evidence:
    spans: list[Span] = field(default_factory=list)
    missing: list[MissingSpan] = field(default_factory=list)

    def event_ids(self, kind: str = "event") -> list[str]:
        """The events (or summaries) with at least one highlight, in order of their first."""
        return list(
            dict.fromkeys(s.event_id for s in sorted(self.spans, key=_position) if s.kind == kind)
        )


def _position(span: Span) -> tuple[int, int]:
    return span.start, -span.end


def find_spans(text: str, quotes: Iterable[tuple[str, str]], kind: str = "event") -> Evidence:
    """Locate every span of every event's quote (split on `` ... ``) in ``text``, verbatim.

    ``quotes`` holds (event_id, source_quote) pairs. A span is found at its first occurrence;
    spans of several events may coincide or overlap. Spans that are not in the text are
    returned in ``missing`` rather than raised, so one bad quote does not hide the others.
    ``kind="summary"`` marks the spans as those of summaries (id and quote of summaries.csv).
    """
    evidence = Evidence()
    for event_id, quote_text in quotes:
        event_id = str(event_id)
        found: set[tuple[int, int]] = set()
        for piece in quote_spans(quote_text):
            start = text.find(piece)
            if start < 0:
                evidence.missing.append(MissingSpan(event_id, piece))
            else:
                found.add((start, start + len(piece)))
        ordered = sorted(found, key=lambda se: (se[0], -se[1]))
        evidence.spans += [
            Span(event_id, s, e, anchor=i == 0, kind=kind) for i, (s, e) in enumerate(ordered)
        ]
    return evidence


def highlight_html(text: str, spans: Iterable[Span], focus: str | None = None) -> str:
    """The document as HTML: every character of ``text`` escaped, each span in a ``<mark>``.

    Each highlight starts with a label naming its event. Coinciding or nested spans become
    nested marks, so the same sentence can carry several events' labels and anchors; spans that
    cross each other are split where they cross (the continuation has neither label nor id, as
    ids must be unique). The highlights of ``focus`` get the class ``ev-focus``. Lines of the
    text become paragraphs. Returns a ``<div class="ev-doc">``; add :data:`EVIDENCE_CSS` once.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    starting: dict[int, list[Span]] = defaultdict(list)
    for _, span in sorted(enumerate(spans), key=lambda p: (*_position(p[1]), p[0])):
        starting[span.start].append(span)
    cuts = sorted(
        {0, len(text)}
        | {s.start for s in spans}
        | {s.end for s in spans}
        | {m.end() for m in re.finditer("\n", text)}
    )
    out: list[str] = ['<div class="ev-doc"><p>']
    stack: list[Span] = []
    for i, pos in enumerate(cuts):
        ending = [k for k, s in enumerate(stack) if s.end == pos]
        at_line_start = pos > 0 and text[pos - 1] == "\n"
        if ending or (at_line_start and stack):
            # Close down to the lowest span that ends here (or all, at a paragraph break),
            # then reopen the ones still running as unlabelled continuations.
            lowest = 0 if at_line_start else min(ending)
            out.append("</mark>" * (len(stack) - lowest))
            running = [s for s in stack[lowest:] if s.end != pos]
            del stack[lowest:]
            if at_line_start:
                out.append("</p><p>")
            for span in running:
                out.append(_open_mark(span, focus, continued=True))
                stack.append(span)
        elif at_line_start:
            out.append("</p><p>")
        for span in starting.get(pos, []):
            out.append(_open_mark(span, focus, continued=False))
            stack.append(span)
        if i + 1 < len(cuts):
            piece = text[pos : cuts[i + 1]]
            out.append(html.escape(piece.rstrip("\n") if piece.endswith("\n") else piece))
    out.append("</mark>" * len(stack))
    out.append("</p></div>")
    return "".join(out).replace("<p></p>", "")


def _open_mark(span: Span, focus: str | None, continued: bool) -> str:
    event = html.escape(span.event_id, quote=True)
    summary = span.kind == "summary"
    classes = (
        "ev"
        + (" ev-sum" if summary else "")
        + (" ev-focus" if span.event_id == focus and not summary else "")
    )
    data = f'data-{span.kind}="{event}"'
    if continued:
        return f'<mark class="{classes}" {data}>'
    anchor = f' id="{html.escape(span.anchor_id, quote=True)}"' if span.anchor else ""
    title = f"Summary {event}: not mapped" if summary else f"Evidence for {event}"
    return (
        f'<mark class="{classes}" {data}{anchor} title="{title}">'
        f'<span class="ev-label">{event}</span>'
    )


@dataclass
class Documents:
    """The events grouped by the bundled document they cite, and those citing anything else."""

    by_document: dict[str, pd.DataFrame]
    not_bundled: pd.DataFrame


def bundled_documents(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """File names of the documents shipped in ``seeds/``, sorted."""
    return sorted(
        p.name for p in Path(seeds_dir).iterdir() if p.is_file() and not p.name.startswith(".")
    )


def group_by_document(events: pd.DataFrame, documents: Iterable[str]) -> Documents:
    """Every bundled document with the events that cite it (possibly none).

    ``source_doc`` is matched against the names in ``documents`` only, never turned into a path,
    so a value such as ``../data/events.csv`` in an imported file reads nothing.
    """
    names = list(documents)
    cited = events["source_doc"].astype(str)
    return Documents(
        {name: events.loc[cited == name] for name in names}, events.loc[~cited.isin(names)]
    )


def summaries_citing(summaries: pd.DataFrame, document: str) -> pd.DataFrame:
    """The summaries (statements that are not point events) that quote ``document``."""
    return summaries.loc[summaries["source_doc"] == document]


def sources_url(event_id: str, state: FilterState | None = None) -> str:
    """Relative link to an event's highlighted evidence on the Sources page, keeping the
    filters of ``state`` (the page opens afresh, so the URL is all it knows)."""
    query = to_query(state) if state is not None else {}
    query["event"] = [str(event_id)]
    anchor = quote(str(event_id), safe="")
    return f"{SOURCES_PAGE}?{urlencode(query, doseq=True, quote_via=quote)}#{anchor}"


def sources_urls(event_ids: pd.Series, state: FilterState | None = None) -> pd.Series:
    """:func:`sources_url` of many events at once (the filters are encoded once)."""
    query = urlencode(to_query(state) if state is not None else {}, doseq=True, quote_via=quote)
    keys = event_ids.astype(str).map(lambda e: quote(e, safe=""))
    return f"{SOURCES_PAGE}?{query + '&' if query else ''}event=" + keys + "#" + keys


def map_url(state: FilterState, latitude: float, longitude: float, zoom: int = FOCUS_ZOOM) -> str:
    """Relative link to the map page centred on a place, keeping the filters of ``state``."""
    query = to_query(state, View(float(latitude), float(longitude), zoom))
    return MAP_PAGE + "?" + urlencode(query, doseq=True, quote_via=quote)


def describe_place(event: Mapping) -> str:
    """'Near Al Hillah, Babil, Iraq (precision 2: near the place or part of a region)'."""
    parts = [str(event.get(k) or "") for k in ("location", "admin1", "country")]
    place = ", ".join(p for p in parts if p)
    if event.get("near_location") in (True, 1):
        place = "Near " + place
    precision = event.get("geo_precision")
    if precision is not None and not pd.isna(precision):
        label = PRECISION_LABELS.get(int(precision), "unknown scale")
        place += f" (precision {int(precision)}: {label})"
    return place


DIRECTION_NOT_STATED = "direction not stated"


def _stated(value: object) -> bool:
    """direction_stated of one event; absent or blank counts as stated (curated data)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return True
    return bool(value)


def describe_sides(event: Mapping) -> str:
    """Who against whom, claiming a direction only where the source states one.

    >>> describe_sides({"attacker": "IRGC", "target_group": "Komala"})
    'IRGC → Komala'
    >>> describe_sides({"attacker": "A", "target_group": "B", "direction_stated": False})
    'A ↔ B, direction not stated'
    """
    attacker, target = str(event.get("attacker") or ""), str(event.get("target_group") or "")
    if _stated(event.get("direction_stated")):
        return f"{attacker} → {target}"
    return f"{attacker} ↔ {target}, {DIRECTION_NOT_STATED}"


def describe_sides_column(events: pd.DataFrame) -> pd.Series:
    """:func:`describe_sides` of every event, vectorised (a million rows in a second)."""
    attacker = events["attacker"].astype("str")
    target = events["target_group"].astype("str")
    if "direction_stated" in events.columns:
        stated = events["direction_stated"].astype("boolean").fillna(True).to_numpy(dtype=bool)
    else:
        stated = pd.Series(True, index=events.index).to_numpy()
    arrow = pd.Series(np.where(stated, " → ", " ↔ "), index=events.index, dtype="str")
    tail = pd.Series(
        np.where(stated, "", f", {DIRECTION_NOT_STATED}"), index=events.index, dtype="str"
    )
    return attacker + arrow + target + tail


def describe_fatalities(event: Mapping) -> str:
    """'12' or, where the source gives a range, '12 (range 8 to 15)'; 'not reported'.

    >>> describe_fatalities({"fatalities": 12, "fatalities_low": 8, "fatalities_high": 15})
    '12 (range 8 to 15)'
    """

    def number(key: str) -> int | None:
        value = event.get(key)
        return None if value is None or pd.isna(value) else int(value)

    best, low, high = number("fatalities"), number("fatalities_low"), number("fatalities_high")
    text = "not reported" if best is None else str(best)
    if low is not None and high is not None and low != high:
        text += f" (range {low} to {high})"
    return text


def escape_markdown(text: object) -> str:
    r"""``text`` made literal for Streamlit's markdown: punctuation that could format, link or
    start a formula is backslash-escaped, so a name from a file or the URL shows as written.

    >>> print(escape_markdown("[click](https://x.example) *now* <b>"))
    \[click\]\(https\://x\.example\) \*now\* \<b\>
    """
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$:])", r"\\\1", str(text))


def readme_section(markdown: str, heading: str) -> str | None:
    """The body of the section whose heading is ``heading`` (a prefix is enough), or None.

    The body runs to the next heading of the same or a higher level.

    >>> readme_section("# A\\n## Dates\\nRead them.\\n### More\\nx\\n## Next\\ny", "Dates")
    'Read them.\\n### More\\nx'
    """
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"(#+)\s+(.*)", line)
        if match and match.group(2).strip().startswith(heading):
            level = len(match.group(1))
            body = []
            for following in lines[i + 1 :]:
                deeper = re.match(r"(#+)\s", following)
                if deeper and len(deeper.group(1)) <= level:
                    break
                body.append(following)
            return "\n".join(body).strip()
    return None


NOTE_LABELS = ("Date and place", "Date", "Place", "Target", "Attacker", "Casualties", "Weapon")


def _note_pattern(label: str) -> str:
    labels = "|".join(re.escape(x) for x in NOTE_LABELS)
    return rf"(?:^|\s){re.escape(label)}:\s*(.*?)(?=\s(?:{labels}):|$)"


def note_part(notes: str, label: str) -> str | None:
    """The sentence(s) of an event's ``notes`` after ``Label:``, up to the next label.

    >>> note_part("Date: stated. Place: the airport, so precision 2. Weapon: none.", "Place")
    'the airport, so precision 2.'
    """
    match = re.search(_note_pattern(label), str(notes or ""), flags=re.DOTALL)
    return match.group(1).strip() if match else None


def _note_parts(notes: pd.Series, label: str) -> pd.Series:
    """:func:`note_part` of every note at once (NA where a note has no such part)."""
    found = pd.Series(None, index=notes.index, dtype=object)
    labelled = notes.str.contains(f"{label}:", regex=False)  # cheap; most notes have none
    if labelled.any():
        parts = notes[labelled].str.extract(_note_pattern(label), flags=re.DOTALL)[0].str.strip()
        found.loc[labelled] = parts.where(parts.notna() & (parts != ""), None).astype(object)
    return found


def uncertainties(events: pd.DataFrame) -> pd.DataFrame:
    """One row per known uncertainty of an event: an approximate place, a coarse date, an
    attacker that is attributed or claimed rather than established, or a date and place that
    the source does not give. Columns: event_id, aspect, detail (the event's own note where it
    has one). Vectorised: an imported file of 100,000 events takes well under a second."""
    notes = events["notes"].fillna("").astype(str)
    part = {
        label: _note_parts(notes, label)
        for label in ("Place", "Date and place", "Date", "Attacker")
    }
    ids = events["event_id"].astype(str)
    position = pd.Series(range(len(events)), index=events.index)
    found = []

    def add(mask: pd.Series, rank: int, aspect: pd.Series, detail: pd.Series) -> None:
        mask = mask.fillna(False).astype(bool)
        found.append(
            pd.DataFrame(
                {
                    "event_id": ids[mask],
                    "aspect": aspect[mask],
                    "detail": detail[mask].fillna(""),
                    "_order": position[mask] * 4 + rank,
                }
            )
        )

    def scale(column: str, labels: dict[int, str], name: str) -> pd.Series:
        level = events[column].astype("Int64")
        names = {k: f"{name}: precision {k} ({label})" for k, label in labels.items()}
        text = level.map(names).fillna(name + ": precision " + level.astype(str))
        return text, level > 1

    place, vague_place = scale("geo_precision", PRECISION_LABELS, "place")
    add(
        vague_place,
        0,
        place,
        part["Place"].fillna(part["Date and place"]).fillna(events["geo_source"].astype(object)),
    )
    when, vague_date = scale("time_precision", TIME_PRECISION_LABELS, "date")
    add(vague_date, 1, when, part["Date"])
    attacker = events["attacker"].fillna("").astype(str)
    doubted = attacker.str.contains(
        r"\b(?:attributed|claimed|alleged|suspected)\b", case=False, regex=True
    )
    if "attribution" in events:  # the basis is kept apart from the name (data/README.md)
        basis = events["attribution"].fillna("").astype(str)
        doubted |= basis.isin(DOUBTED_ATTRIBUTIONS)
        attacker = attacker.where(~basis.isin(DOUBTED_ATTRIBUTIONS), attacker + " (" + basis + ")")
    add(doubted | part["Attacker"].notna(), 2, "attacker: " + attacker, part["Attacker"])
    add(
        part["Date and place"].notna(),
        3,
        pd.Series("date and place: not in the source", index=events.index),
        part["Date and place"],
    )
    rows = pd.concat(found, ignore_index=True).sort_values("_order", kind="stable")
    return rows.drop(columns="_order").reset_index(drop=True)


def readable_table(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """The ``labels`` columns of ``frame`` as text for a static table: headed by their labels,
    a dash for a missing value (so a blank figure never reads as zero), no index.

    >>> readable_table(pd.DataFrame({"n": pd.array([3, None], dtype="Int64")}), {"n": "Count"})
      Count
    0     3
    1     –
    """
    out = pd.DataFrame(index=frame.index)
    for column, label in labels.items():
        values = frame[column]
        out[label] = (
            values.astype(object)
            .where(values.notna(), None)
            .map(lambda v: "–" if v is None or v == "" else str(v))
        )
    return out.reset_index(drop=True)


def geocoded_places(events: pd.DataFrame, ids_shown: int = 5) -> pd.DataFrame:
    """One row per distinct geocoded place: which geocoder answered, from which source, how
    precisely, and the events placed there (the first ``ids_shown`` of them, then a count).

    Columns: location, country, geocoder, geo_source, precision ("2: near the place..."),
    coordinates ("36.0829, 44.6287"), events.
    """
    places = pd.DataFrame(
        {
            "location": events["location"].astype(str),
            "country": events["country"].astype(str),
            "geocoder": events["geocoder"].fillna("").astype(str),
            "geo_source": events["geo_source"].fillna("").astype(str),
            "precision": events["geo_precision"]
            .astype("Int64")
            .map({k: f"{k}: {label}" for k, label in PRECISION_LABELS.items()})
            .fillna(events["geo_precision"].astype("Int64").astype(str).replace("<NA>", "")),
            "coordinates": [
                f"{lat:.4f}, {lon:.4f}"
                for lat, lon in zip(events["latitude"], events["longitude"], strict=True)
            ],
            "event_id": events["event_id"].astype(str),
        }
    ).reset_index(drop=True)

    keys = [c for c in places.columns if c != "event_id"]
    groups = places.groupby(keys, sort=False, dropna=False)
    counts = groups["event_id"].transform("size")
    rows = places.loc[groups.cumcount() == 0, keys].assign(events=places["event_id"])
    shared = counts > 1  # most places hold one event: join ids only where several share one
    if shared.any():
        ids = places.loc[shared & (groups.cumcount() < ids_shown)]
        joined = ids.groupby(keys, sort=False, dropna=False)["event_id"].agg(", ".join)
        total = places.loc[shared].groupby(keys, sort=False, dropna=False).size()
        listed = {
            key: text + (f" and {total[key] - ids_shown:,} more" if total[key] > ids_shown else "")
            for key, text in joined.items()
        }
        first_rows = rows.index[counts[rows.index] > 1]
        rows.loc[first_rows, "events"] = [
            listed[tuple(row)] for row in places.loc[first_rows, keys].itertuples(index=False)
        ]
    return rows.reset_index(drop=True)
