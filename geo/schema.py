"""The one definition of an event: its columns, their types, and what they mean.

Column names follow ACLED's where ACLED has one, so that ACLED users feel at home; the design
adds ``attacker`` and ``target_group``. ``data/README.md`` documents the same columns, and
``tests/test_schema.py`` checks that the two agree.

>>> from geo.schema import COLUMN_NAMES, REQUIRED
>>> COLUMN_NAMES[:3]
('event_id', 'event_date', 'time_precision')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SEEDS_DIR = ROOT / "seeds"
EVENTS_CSV = DATA_DIR / "events.csv"
GAZETTEER_CSV = DATA_DIR / "gazetteer.csv"
SUMMARIES_CSV = DATA_DIR / "summaries.csv"
SOURCES_CSV = DATA_DIR / "sources.csv"
ACTORS_CSV = DATA_DIR / "actors.csv"
GEOCODE_CACHE = DATA_DIR / "geocode_cache.json"


# How a source knows who carried out a strike (the `attribution` column), strongest first.
ATTRIBUTIONS: tuple[str, ...] = (
    "acknowledged by the attacker",  # the attacker itself announced or confirmed it
    "claimed by the group",  # a (non-state) group claimed responsibility
    "attributed by others",  # officials, media or "widely" blame the attacker
    "reported without attribution",  # the source says who did it, but not how it knows
    "direction not stated",  # imported ACLED/UCDP: actor order does not imply direction
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "text", "date", "int", "float", "bool"
    required: bool
    description: str
    allowed: tuple[int, ...] = ()
    default: str = ""  # what a blank (or absent) text value becomes when a file is loaded


COLUMNS: tuple[Column, ...] = (
    Column("event_id", "text", True, "Stable identifier of the event, unique in the file."),
    Column("event_date", "date", True, "Date of the event, YYYY-MM-DD."),
    Column(
        "time_precision",
        "int",
        True,
        "ACLED's scale: 1 the day is known, 2 only the week, 3 only the month.",
        (1, 2, 3),
    ),
    Column("event_type", "text", True, "ACLED event type, e.g. Explosions/Remote violence."),
    Column("sub_event_type", "text", True, "ACLED sub-event type, e.g. Air/drone strike."),
    Column("attacker", "text", True, "Who carried out the strike: a stable group name."),
    Column("attacker_as_reported", "text", False, "The attacker as the source words it."),
    Column("target_group", "text", True, "Who or what was targeted: a stable group name."),
    Column("target_as_reported", "text", False, "The target as the source words it."),
    Column("weapon", "text", False, "Means of attack as reported (missiles, drone, airstrike)."),
    Column("location", "text", True, "Place name that was geocoded."),
    Column(
        "near_location",
        "bool",
        False,
        "true when the event happened near or around the place, not in it.",
    ),
    Column("admin1", "text", False, "First-level administrative region (province, governorate)."),
    Column("country", "text", True, "Country name."),
    Column("latitude", "float", True, "WGS84 decimal degrees, filled by python -m geo.geocode."),
    Column("longitude", "float", True, "WGS84 decimal degrees, filled by python -m geo.geocode."),
    Column(
        "geo_precision",
        "int",
        True,
        "ACLED's scale: 1 the town itself, 2 near a place or part of a region, "
        "3 only the region is known (its capital or centroid is used).",
        (1, 2, 3),
    ),
    Column("geocoder", "text", False, "Which geocoder answered: gazetteer, geonames or nominatim."),
    Column("geo_source", "text", False, "Where the coordinates come from (record id or source)."),
    Column(
        "fatalities",
        "int",
        False,
        "Deaths the source attributes to this event alone; blank when it gives no figure.",
    ),
    Column(
        "injuries",
        "int",
        False,
        "Injuries the source attributes to this event alone; blank when it gives no figure.",
    ),
    Column(
        "fatalities_low",
        "int",
        False,
        "Lowest death count the source gives (UCDP's low); blank when it gives one figure.",
    ),
    Column(
        "fatalities_high",
        "int",
        False,
        "Highest death count the source gives (UCDP's high); blank when it gives one figure.",
    ),
    Column("source_doc", "text", True, "File name of the source document in seeds/."),
    Column(
        "source_quote",
        "text",
        True,
        "Verbatim sentence(s) of source_doc supporting the event; spans joined with ' ... '.",
    ),
    Column("notes", "text", False, "How the date and place were resolved, and caveats."),
    Column(
        "attribution",
        "text",
        False,
        "How the source knows who the attacker is: "
        + ", ".join(f"'{a}'" for a in ATTRIBUTIONS)
        + ". Blank (imports) reads as "
        "'direction not stated'.",
        default="direction not stated",
    ),
    Column(
        "attribution_quote",
        "text",
        False,
        "Verbatim sentence(s) of source_doc that give the attribution basis.",
    ),
    Column(
        "direction_stated",
        "bool",
        False,
        "true when the source says who attacked whom (attacker -> target_group); false when "
        "it names two sides without a direction (ACLED actor1/actor2, UCDP side_a/side_b). "
        "Blank in an events file means true.",
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
QUOTE_SEPARATOR = " ... "

PRECISION_LABELS = {
    1: "the place itself",
    2: "near the place or part of a region",
    3: "only the region is known",
}
TIME_PRECISION_LABELS = {1: "exact day", 2: "within the week", 3: "within the month"}
