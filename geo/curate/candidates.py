"""Propose events from a source's text, for a person to confirm: rule-based and offline.

Nothing here adds an event; :func:`propose` returns candidates, each with its place (curated
gazetteer first, then GeoNames places of the countries the text names), its date resolved
against the publication date with the reasoning, the known actors its sentence names, and the
sentence(s) that support it, as character spans of the text.

>>> from datetime import date
>>> found = resolve_dates("A drone struck on Monday.", date(2023, 12, 26))
>>> found[0].date, found[0].precision
(datetime.date(2023, 12, 25), 1)
>>> found[0].reasoning
"'on Monday' in a text published on Tuesday 2023-12-26: the Monday before, 2023-12-25"
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from geo.countries import country_code, fold, geonames_index

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_RE = "|".join(MONTHS) + "|" + "|".join(m[:3] + r"\.?" for m in MONTHS)
ATTACK_WORDS = re.compile(
    r"\b(strikes?|struck|attack(?:s|ed)?|targeted|targeting|bomb(?:s|ed|ing)?|shell(?:ed|ing)|"
    r"drones?|missiles?|rockets?|airstrikes?|raid(?:s|ed)?|killed|killing|explosions?|"
    r"assassinat\w+|fired)\b",
    re.IGNORECASE,
)
WEAPONS = re.compile(
    r"\b(suicide drones?|drones?|missiles?|rockets?|airstrikes?|air strikes?|"
    r"artillery|shelling|mortars?|warplanes?|IEDs?|car bombs?)\b",
    re.IGNORECASE,
)
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
NUMBER = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
KILLED = re.compile(
    rf"\b(?:killing|killed)\s+(?:at least\s+)?{NUMBER}\b|"
    rf"\b{NUMBER}\s+(?:[\w-]+\s+){{0,3}}(?:were\s+)?(?:killed|dead)\b",
    re.I,
)
WOUNDED = re.compile(
    rf"\b(?:wounding|wounded|injuring|injured)\s+(?:at least\s+)?{NUMBER}\b|"
    rf"\b{NUMBER}\s+(?:[\w-]+\s+){{0,3}}(?:were\s+)?(?:wounded|injured)\b",
    re.I,
)
CAPITALISED = re.compile(r"[A-Z][\w’'\-]*(?:\s+(?:al-|Al\s|as-|ad-)?[A-Z][\w’'\-]*)*")
NOT_PLACES = {
    fold(w)
    for w in (
        *WEEKDAYS,
        *MONTHS,
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "But",
        "He",
        "She",
        "It",
        "They",
        "We",
        "This",
        "That",
        "US",
        "UN",
    )
}
CONTAINER = re.compile(
    r"^(?:\s+(?:district|village|town|city|camp|area))?,?\s+in\s+(?:the\s+)?$", re.IGNORECASE
)
REGION_WORDS = ("province", "governorate", "region")


# ---------------------------------------------------------------------------------------------
# Sentences


BOUNDARY = re.compile(r"\n+|(?<=[.!?])(?P<close>[\"”’)]*)\s+(?=[“\"‘A-Z0-9])")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at line breaks and after . ! ? before a capital."""
    spans, start = [], 0
    for match in BOUNDARY.finditer(text):
        spans.append((start, match.start() + len(match.group("close") or "")))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def sentence_at(spans: list[tuple[int, int]], position: int) -> int:
    return next((i for i, (s, e) in enumerate(spans) if s <= position < e), len(spans) - 1)


# ---------------------------------------------------------------------------------------------
# Dates


@dataclass(frozen=True)
class DateFound:
    start: int
    end: int
    phrase: str
    date: date | None
    precision: int  # time_precision: 1 day, 2 week, 3 month
    reasoning: str


def _weekday_date(published: date, weekday: str, last: bool) -> date:
    back = (published.weekday() - WEEKDAYS.index(weekday)) % 7
    if last and back == 0:
        back = 7
    return published - timedelta(days=back)


def _month(name: str) -> int:
    return next(
        i
        for i, m in enumerate(MONTHS, start=1)
        if m.lower().startswith(name.rstrip(".").lower()[:3])
    )


def resolve_dates(text: str, published: date | None) -> list[DateFound]:
    """Every date expression of ``text``, resolved against the publication date.

    - "on December 26, 2023", "26 December 2023": stated, precision 1;
    - "on December 26": that day in the publication year, or the year before when that day
      would fall after publication;
    - "in January 2020": the month only (its first day, precision 3);
    - "on Wednesday": the Wednesday on or before publication (the same day when published on a
      Wednesday, as news reports name the day they report); "last Wednesday": the one before;
    - "today", "at dawn today", "tonight": the publication date; "yesterday": the day before;
    - "last week": the week before publication (precision 2).
    Expressions that need the publication date are listed without a date when it is unknown.
    """
    found: list[DateFound] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match, when: date | None, precision: int, reasoning: str) -> None:
        if any(s < match.end() and match.start() < e for s, e in taken):
            return
        taken.append((match.start(), match.end()))
        found.append(
            DateFound(match.start(), match.end(), match.group(0), when, precision, reasoning)
        )

    def valid(year: int, month: int, day: int) -> date | None:
        try:
            return date(year, month, day)
        except ValueError:
            return None

    stated = re.compile(
        rf"\b(?P<m>{MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
        rf"(?P<y>\d{{4}})\b|\b(?P<d2>\d{{1,2}})\s+(?P<m2>{MONTH_RE})\s+"
        rf"(?P<y2>\d{{4}})\b"
    )
    for m in stated.finditer(text):
        month, day, year = (
            (_month(m["m"]), int(m["d"]), int(m["y"]))
            if m["m"]
            else (_month(m["m2"]), int(m["d2"]), int(m["y2"]))
        )
        when = valid(year, month, day)
        if when:
            add(m, when, 1, f"'{m.group(0)}': stated in the text, {when.isoformat()}")
    for m in re.finditer(rf"\b(?:in\s+)?(?P<m>{MONTH_RE})\s+(?P<y>\d{{4}})\b", text):
        when = date(int(m["y"]), _month(m["m"]), 1)
        add(
            m,
            when,
            3,
            f"'{m.group(0)}': only the month is stated, so its first day "
            f"{when.isoformat()} with precision 3 (month)",
        )
    for m in re.finditer(
        rf"\b(?P<m>{MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s*\d)", text
    ):
        if published is None:
            add(
                m,
                None,
                1,
                f"'{m.group(0)}' has no year and the publication date is not "
                "stated: enter the date",
            )
            continue
        when = valid(published.year, _month(m["m"]), int(m["d"]))
        if when is None:
            continue
        if when > published:
            when = valid(published.year - 1, _month(m["m"]), int(m["d"])) or when
            why = (
                f"'{m.group(0)}' with no year, in a text published {published.isoformat()}:"
                f" that day would be after publication, so the year before, "
                f"{when.isoformat()}"
            )
        else:
            why = (
                f"'{m.group(0)}' with no year, in a text published {published.isoformat()}:"
                f" the publication year, {when.isoformat()}"
            )
        add(m, when, 1, why)
    days = "|".join(WEEKDAYS)
    for m in re.finditer(
        rf"\b(?P<last>last\s+|on\s+|this\s+|early\s+|late\s+)?"
        rf"(?P<w>{days})\b(?:\s+(?:morning|afternoon|evening|night))?",
        text,
    ):
        phrase = m.group(0)
        if published is None:
            add(
                m,
                None,
                1,
                f"'{phrase}': the publication date is not stated, so the "
                f"{m['w']} cannot be resolved: enter the date",
            )
            continue
        last = bool(m["last"] and m["last"].strip().lower() == "last")
        when = _weekday_date(published, m["w"], last)
        pub = f"{WEEKDAYS[published.weekday()]} {published.isoformat()}"
        if when == published:
            why = (
                f"'{phrase}' in a text published on {pub}: the day of publication "
                f"({when.isoformat()}); a report names the day it reports by its weekday"
            )
        else:
            why = (
                f"'{phrase}' in a text published on {pub}: the {m['w']} before, {when.isoformat()}"
            )
        add(m, when, 1, why)
    relative = {"today": 0, "tonight": 0, "this morning": 0, "yesterday": 1}
    for m in re.finditer(
        r"\b(?:at dawn |early |late )?(today|tonight|this morning|yesterday)\b", text, re.IGNORECASE
    ):
        if published is None:
            add(m, None, 1, f"'{m.group(0)}': the publication date is not stated: enter the date")
            continue
        when = published - timedelta(days=relative[m.group(1).lower()])
        add(
            m,
            when,
            1,
            f"'{m.group(0)}' in a text published {published.isoformat()}: {when.isoformat()}",
        )
    for m in re.finditer(r"\blast week\b", text, re.IGNORECASE):
        if published is not None:
            when = published - timedelta(days=7)
            add(
                m,
                when,
                2,
                f"'{m.group(0)}' in a text published {published.isoformat()}: "
                f"the week of {when.isoformat()} (precision 2, week)",
            )
    return sorted(found, key=lambda d: d.start)


# ---------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True)
class Place:
    name: str  # the place's canonical name (gazetteer name or GeoNames name)
    matched: str  # the words of the text
    start: int
    end: int
    country: str
    admin1: str
    latitude: float
    longitude: float
    precision: int
    near: bool
    geocoder: str  # "gazetteer" or "geonames"
    geo_source: str
    reasoning: str


def _spelling_pattern(spelling: str) -> re.Pattern:
    words = [re.escape(w) for w in spelling.split()]
    flags = 0 if spelling.isupper() else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])", flags)


@lru_cache(maxsize=8)
def _gazetteer(path: str, modified: float) -> tuple[tuple[dict[str, str], re.Pattern], ...]:
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        spellings = [row["name"], *row.get("alternate_names", "").split("|")]
        for spelling in sorted({s.strip() for s in spellings if s.strip()}, key=len, reverse=True):
            if len(spelling) >= 3:
                out.append((row, _spelling_pattern(spelling)))
    return tuple(out)


def gazetteer_entries(path: Path) -> tuple[tuple[dict[str, str], re.Pattern], ...]:
    path = Path(path)
    return _gazetteer(str(path), path.stat().st_mtime if path.exists() else 0.0)


def countries_named(text: str) -> list[str]:
    """ISO codes of the countries the text names (by name; "US" and other short codes and
    adjectives are not counted), in order of first mention."""
    found: dict[str, int] = {}
    for m in CAPITALISED.finditer(text):
        words = m.group(0).split()
        for n in range(len(words), 0, -1):
            for i in range(len(words) - n + 1):
                phrase = " ".join(words[i : i + n]).rstrip("’'s").strip("-")
                if len(phrase) < 4 or phrase.isupper():
                    continue
                code = country_code(phrase)
                if code and code not in found:
                    found[code] = m.start()
    return sorted(found, key=found.get)


def _country_name(code: str) -> str:
    from geo.countries import _gc

    return _gc().get_countries().get(code, {}).get("name", code)


def _dateline_end(text: str) -> int:
    """End of a dateline such as 'ERBIL – ' at the start of the text (where it was written)."""
    m = re.match(r"\s*([A-Z][A-Z’' ,\-]+?)\s+[–—-]\s+", text)
    return m.end(1) if m else 0


def find_places(text: str, gazetteer_csv: Path) -> list[Place]:
    """Place names in the text: curated gazetteer spellings first (longest match wins), then
    GeoNames places of the countries the text names. Overlapping matches keep the first."""
    places: list[Place] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    for row, pattern in gazetteer_entries(gazetteer_csv):
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            places.append(
                Place(
                    row["name"],
                    m.group(0),
                    m.start(),
                    m.end(),
                    row["country"],
                    row.get("admin1", ""),
                    float(row["latitude"]),
                    float(row["longitude"]),
                    int(row["precision"]),
                    False,
                    "gazetteer",
                    f"gazetteer: {row['source']}",
                    f"'{m.group(0)}' is in the curated gazetteer as {row['name']} "
                    f"(precision {row['precision']})",
                )
            )
    codes = countries_named(text)
    dateline = _dateline_end(text)
    for m in CAPITALISED.finditer(text):
        words = m.group(0).split()
        starts = [m.start() + w.start() for w in re.finditer(r"\S+", m.group(0))]
        for n in range(min(len(words), 4), 0, -1):
            for i in range(len(words) - n + 1):
                s = starts[i]
                e = starts[i + n - 1] + len(words[i + n - 1])
                phrase = text[s:e].rstrip("’'s") if text[s:e].endswith(("’s", "'s")) else text[s:e]
                e = s + len(phrase)
                key = fold(phrase)
                if (
                    not free(s, e)
                    or key in NOT_PLACES
                    or len(key) < 4
                    or country_code(phrase)
                    or s < dateline
                ):
                    continue
                named = geonames_index().get(key)
                hits = [c for code in codes for c in named if c["countrycode"] == code]
                if not hits:
                    continue
                city = max(hits, key=lambda c: int(c["population"] or 0))
                taken.append((s, e))
                others = len(hits) - 1
                places.append(
                    Place(
                        city["name"],
                        phrase,
                        s,
                        e,
                        _country_name(city["countrycode"]),
                        "",
                        float(city["latitude"]),
                        float(city["longitude"]),
                        1,
                        False,
                        "geonames",
                        f"GeoNames {city['geonameid']} ({city['name']})",
                        f"'{phrase}' is GeoNames place {city['geonameid']} ({city['name']}, "
                        f"population {int(city['population'] or 0):,})"
                        + (f"; {others} other place(s) of that name" if others else ""),
                    )
                )
    places.sort(key=lambda p: p.start)
    return [_qualify(text, p) for p in places]


def _qualify(text: str, place: Place) -> Place:
    """Precision and "near" from the words around the name: 'the X district', 'X province',
    'outside/near the X'."""
    after = text[place.end : place.end + 14].lower()
    before = text[max(0, place.start - 24) : place.start].lower()
    precision, near, why = place.precision, place.near, []
    if re.match(r"\s+district\b", after):
        precision, near = max(precision, 2), True
        why.append("the text names the district, so its seat stands for it (precision 2, near)")
    elif any(re.match(rf"\s+{w}\b", after) for w in REGION_WORDS) and not any(
        w in fold(place.name) for w in REGION_WORDS
    ):
        precision = 3
        why.append("the text names the province, so its capital stands for it (precision 3)")
    if re.search(r"\b(near|outside|around|close to|on the outskirts of)\s+(the\s+)?$", before):
        precision, near = max(precision, 2), True
        why.append("the text says near/outside the place (precision 2, near)")
    if not why:
        return place
    return Place(
        **{
            **place.__dict__,
            "precision": precision,
            "near": near,
            "reasoning": place.reasoning + "; " + "; ".join(why),
        }
    )


# ---------------------------------------------------------------------------------------------
# Actors


@dataclass(frozen=True)
class Actor:
    name: str
    aliases: tuple[str, ...]
    role: str  # "attacker", "target", "both" or "" (unknown)


def _aliases(name: str, reported: Iterable[str] = ()) -> list[str]:
    out = [name]
    acronym = re.search(r"\(([A-Z][A-Za-z\-]{1,9})\)", name)
    if acronym:
        out.append(acronym.group(1))
    out.append(re.sub(r"\s*\([^)]*\)", "", name).strip())
    for text in reported:
        first = re.split(r",\s", str(text))[0].strip()
        first = re.sub(r"^(?:the|The)\s+", "", first)
        if first:
            out += [first, re.sub(r"\s*\([^)]*\)", "", first).strip()]
    return [a for a in dict.fromkeys(out) if len(a) >= 3]


def load_actors(actors_csv: Path, events_csv: Path) -> list[Actor]:
    """Known actors: ``actors.csv`` (canonical name and aliases) where it exists, with the
    attackers and target groups of the events file (their "as reported" wording as aliases)."""
    roles: dict[str, set[str]] = {}
    reported: dict[str, list[str]] = {}
    if Path(events_csv).is_file():
        with Path(events_csv).open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                for column, role in (("attacker", "attacker"), ("target_group", "target")):
                    name = (row.get(column) or "").strip()
                    if name:
                        roles.setdefault(name, set()).add(role)
                        as_reported = column.replace("target_group", "target") + "_as_reported"
                        reported.setdefault(name, []).append(row.get(as_reported) or "")
    actors: dict[str, Actor] = {}
    if Path(actors_csv).is_file():
        with Path(actors_csv).open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        if rows:
            columns = list(rows[0])
            name_col = next(
                (c for c in columns if "canonical" in c.lower()),
                next((c for c in columns if "name" in c.lower()), columns[0]),
            )
            alias_col = next((c for c in columns if "alias" in c.lower()), None)
            for row in rows:
                name = (row.get(name_col) or "").strip()
                if not name:
                    continue
                extra = re.split(r"[|;]", row.get(alias_col) or "") if alias_col else []
                role = _role(roles.get(name, set()))
                actors[name] = Actor(
                    name,
                    tuple(
                        dict.fromkeys(
                            _aliases(name, reported.get(name, []))
                            + [a.strip() for a in extra if len(a.strip()) >= 3]
                        )
                    ),
                    role,
                )
    for name, found_roles in roles.items():
        if name not in actors:
            actors[name] = Actor(
                name, tuple(_aliases(name, reported.get(name, []))), _role(found_roles)
            )
    return list(actors.values())


def _role(roles: set[str]) -> str:
    return "both" if len(roles) > 1 else next(iter(roles), "")


@dataclass(frozen=True)
class ActorMention:
    actor: Actor
    start: int
    end: int


def find_actors(text: str, actors: list[Actor]) -> list[ActorMention]:
    """Every mention of a known actor (its name or an alias); longest match wins."""
    spellings = sorted(
        ((alias, actor) for actor in actors for alias in actor.aliases), key=lambda p: -len(p[0])
    )
    found: list[ActorMention] = []
    for alias, actor in spellings:
        for m in _spelling_pattern(alias).finditer(text):
            if not any(f.start < m.end() and m.start() < f.end for f in found):
                found.append(ActorMention(actor, m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


# ---------------------------------------------------------------------------------------------
# Candidates


@dataclass
class Candidate:
    place: Place
    date: DateFound | None
    attacker: str
    attacker_as_reported: str
    target_group: str
    target_as_reported: str
    actors_named: list[str]
    weapon: str
    sub_event_type: str
    fatalities: int | None
    injuries: int | None
    spans: list[tuple[int, int]] = field(default_factory=list)  # supporting sentences
    admin1: str = ""

    def quote(self, text: str) -> str:
        from geo.schema import QUOTE_SEPARATOR

        return QUOTE_SEPARATOR.join(text[s:e] for s, e in sorted(set(self.spans)))

    def notes(self) -> str:
        parts = []
        if self.date is not None:
            parts.append(f"Date: {self.date.reasoning}.")
        parts.append(f"Place: {self.place.reasoning}.")
        return " ".join(parts)


def _count(pattern: re.Pattern, sentence: str) -> int | None:
    m = pattern.search(sentence)
    if not m:
        return None
    word = next(g for g in m.groups() if g)
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word.lower())


def _sub_event_type(weapons: str) -> str:
    lowered = weapons.lower()
    if re.search(r"drone|air ?strike|warplane", lowered):
        return "Air/drone strike"
    if re.search(r"missile|rocket|artillery|shell|mortar", lowered):
        return "Shelling/artillery/missile attack"
    if re.search(r"ied|car bomb", lowered):
        return "Remote explosive/landmine/IED"
    return ""


def _weapons(sentence: str) -> str:
    """'missile and drone strikes' -> 'missiles and drones'; 'a suicide drone' -> the same."""
    stems: dict[str, str] = {}
    for m in WEAPONS.finditer(sentence):
        word = m.group(0).lower()
        stems.setdefault(word.rstrip("s"), word)
    return " and ".join(stems.values())


def _nearest_attacker(
    spans: list[tuple[int, int]],
    k: int,
    attackers: list[ActorMention],
    mentions: list[ActorMention],
) -> ActorMention | None:
    """The known attacker named in sentence ``k``, else in the nearest sentence within two
    (after before before: a claim often follows the report), else the one named most often."""
    if not attackers:
        return None
    by_sentence: dict[int, ActorMention] = {}
    for m in attackers:
        by_sentence.setdefault(sentence_at(spans, m.start), m)
    for distance in (0, 1, -1, 2, -2):
        if k + distance in by_sentence:
            return by_sentence[k + distance]
    counts: dict[str, int] = {}
    for m in attackers:
        counts[m.actor.name] = counts.get(m.actor.name, 0) + 1
    top = max(counts.values())
    return next(m for m in attackers if counts[m.actor.name] == top)


def propose(
    text: str, published: date | None, gazetteer_csv: Path, actors: list[Actor]
) -> list[Candidate]:
    """Candidate events of ``text``: one per place named in a sentence that reports an attack.

    A place that only says where another lies ("the Koysanjak district in Irbil", "Zarkwezela,
    in Sulaymaniyah province") gives that place its province rather than an event of its own.
    The date is the first date expression of the place's sentence, else of the nearest sentence
    before it, else of the text; the sentence with the date is quoted with the place's.
    """
    spans = sentences(text)
    places = find_places(text, gazetteer_csv)
    dates = resolve_dates(text, published)
    mentions = find_actors(text, actors)
    attackers = [m for m in mentions if m.actor.role in ("attacker", "both")]
    candidates: list[Candidate] = []
    containers: set[int] = set()
    for i, place in enumerate(places):
        for j in range(i - 1, -1, -1):
            between = text[places[j].end : place.start]
            if CONTAINER.match(between) or re.match(r"^,?\s+in\s+$", between):
                containers.add(i)
                break
            if len(between) > 40:
                break
    seen: set[tuple[str, date | None]] = set()
    for i, place in enumerate(places):
        if i in containers:
            continue
        k = sentence_at(spans, place.start)
        s, e = spans[k]
        sentence = text[s:e]
        if not ATTACK_WORDS.search(sentence):
            continue
        when = next((d for d in dates if s <= d.start < e), None)
        date_sentence = k
        if when is None:
            before = [d for d in dates if d.start < s]
            when = before[-1] if before else (dates[0] if dates else None)
            if when is not None:
                date_sentence = sentence_at(spans, when.start)
        key = (place.name, when.date if when else None)
        if key in seen:
            continue
        seen.add(key)
        admin1 = place.admin1
        for j in range(i + 1, len(places)):
            if j in containers and places[j].start - place.end < 60:
                admin1 = admin1 or places[j].name
                break
        in_sentence = [m for m in mentions if s <= m.start < e]
        attacker = _nearest_attacker(spans, k, attackers, mentions)
        targets = [
            m
            for m in in_sentence
            if m.actor.role in ("target", "both", "")
            and (attacker is None or m.actor.name != attacker.actor.name)
        ]
        before_place = [m for m in targets if m.end <= place.start]
        target = before_place[-1] if before_place else (targets[0] if targets else None)
        weapon = (
            _weapons(sentence)
            or _weapons(text[slice(*spans[date_sentence])])
            or next((w for w in (_weapons(text[a:b]) for a, b in spans) if w), "")
        )
        quote_spans = [spans[date_sentence], spans[k]]
        if attacker is not None:
            quote_spans.append(
                spans[sentence_at(spans, attacker.start)]
                if abs(sentence_at(spans, attacker.start) - k) <= 2
                else spans[k]
            )
        candidates.append(
            Candidate(
                place,
                when,
                attacker.actor.name if attacker else "",
                text[attacker.start : attacker.end] if attacker else "",
                target.actor.name if target else "",
                text[target.start : target.end] if target else "",
                list(dict.fromkeys(m.actor.name for m in in_sentence)),
                weapon,
                _sub_event_type(weapon),
                _count(KILLED, sentence),
                _count(WOUNDED, sentence),
                quote_spans,
                admin1,
            )
        )
    return candidates
