"""Synthetic ACLED exports for the benchmark: deterministic, realistic enough to stress the app.

The rows follow ACLED's current 31-column CSV export. Points cluster around ~45 Middle East
towns (a few spelt in Arabic or Kurdish, as ACLED sometimes does) with a jitter that grows with
``geo_precision``; ~50 actors are drawn with Zipf-like frequencies, so a few attackers dominate as
in real data; dates span 2018-2024; ``notes`` are 100-200 characters, sometimes hold commas
and double quotes and, in 4% of rows, a second paragraph after a line break. The same ``n``
and ``seed`` always give the same file.

>>> frame = generate(5, seed=1)
>>> list(frame.columns) == list(ACLED_COLUMNS), len(frame)
(True, 5)
>>> path = cached_acled(1000, cache_dir())      # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import reduce
from operator import add
from pathlib import Path

import numpy as np
import pandas as pd

from geo.io import write_atomic

SEED = 20240601

ACLED_COLUMNS = tuple(
    """event_id_cnty event_date year time_precision disorder_type event_type sub_event_type
    actor1 assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting iso
    region country admin1 admin2 admin3 location latitude longitude geo_precision source
    source_scale notes fatalities tags timestamp""".split()
)

# name, admin1, admin2, country, ISO 3166 numeric, ISO alpha-3, latitude, longitude
TOWNS: tuple[tuple[str, str, str, str, int, str, float, float], ...] = (
    ("Baghdad", "Baghdad", "Karkh", "Iraq", 368, "IRQ", 33.3152, 44.3661),
    ("Mosul", "Ninewa", "Mosul", "Iraq", 368, "IRQ", 36.3350, 43.1189),
    ("هەولێر", "Erbil", "Erbil", "Iraq", 368, "IRQ", 36.1911, 44.0092),
    ("Kirkuk", "Kirkuk", "Kirkuk", "Iraq", 368, "IRQ", 35.4681, 44.3922),
    ("Basra", "Basrah", "Basrah", "Iraq", 368, "IRQ", 30.5085, 47.7804),
    ("سلێمانی", "Sulaymaniyah", "Sulaymaniyah", "Iraq", 368, "IRQ", 35.5570, 45.4351),
    ("Duhok", "Duhok", "Duhok", "Iraq", 368, "IRQ", 36.8669, 42.9503),
    ("Zaxo", "Duhok", "Zakho", "Iraq", 368, "IRQ", 37.1436, 42.6819),
    ("Sinjar", "Ninewa", "Sinjar", "Iraq", 368, "IRQ", 36.3209, 41.8767),
    ("الفلوجة", "Anbar", "Falluja", "Iraq", 368, "IRQ", 33.3500, 43.7833),
    ("Ramadi", "Anbar", "Ramadi", "Iraq", 368, "IRQ", 33.4206, 43.3078),
    ("Tikrit", "Salah al-Din", "Tikrit", "Iraq", 368, "IRQ", 34.6071, 43.6782),
    ("Al Qaim", "Anbar", "Al-Qaim", "Iraq", 368, "IRQ", 34.3686, 41.0945),
    ("کۆیە", "Erbil", "Koisnjaq", "Iraq", 368, "IRQ", 36.0829, 44.6287),
    ("Penjwin", "Sulaymaniyah", "Penjwin", "Iraq", 368, "IRQ", 35.6235, 45.9424),
    ("حلب", "Aleppo", "Jebel Saman", "Syria", 760, "SYR", 36.2021, 37.1343),
    ("Idlib", "Idleb", "Idleb", "Syria", 760, "SYR", 35.9306, 36.6339),
    ("Deir ez Zor", "Deir ez Zor", "Deir ez Zor", "Syria", 760, "SYR", 35.3359, 40.1408),
    ("Ar Raqqa", "Ar Raqqa", "Ar Raqqa", "Syria", 760, "SYR", 35.9528, 39.0079),
    ("قامشلو", "Al Hasakeh", "Quamishli", "Syria", 760, "SYR", 37.0522, 41.2317),
    ("Kobanê", "Aleppo", "Ain al Arab", "Syria", 760, "SYR", 36.8910, 38.3537),
    ("Damascus", "Damascus", "Damascus", "Syria", 760, "SYR", 33.5138, 36.2765),
    ("Homs", "Homs", "Homs", "Syria", 760, "SYR", 34.7324, 36.7137),
    ("Daraa", "Dara", "Dara", "Syria", 760, "SYR", 32.6189, 36.1021),
    ("البوكمال", "Deir ez Zor", "Al Mayadin", "Syria", 760, "SYR", 34.4535, 40.9364),
    ("صنعاء", "Amanat al Asimah", "Sanaa", "Yemen", 887, "YEM", 15.3694, 44.1910),
    ("Al Hudaydah", "Al Hudaydah", "Al Hawak", "Yemen", 887, "YEM", 14.7978, 42.9545),
    ("Taizz", "Taizz", "Al Qahirah", "Yemen", 887, "YEM", 13.5795, 44.0209),
    ("Marib", "Marib", "Marib City", "Yemen", 887, "YEM", 15.4543, 45.3264),
    ("Aden", "Aden", "Crater", "Yemen", 887, "YEM", 12.7855, 45.0187),
    ("Sadah", "Sadah", "Sadah", "Yemen", 887, "YEM", 16.9402, 43.7639),
    ("Beirut", "Beirut", "Beirut", "Lebanon", 422, "LBN", 33.8938, 35.5018),
    ("النبطية", "Nabatiyeh", "Nabatiyeh", "Lebanon", 422, "LBN", 33.3772, 35.4836),
    ("Tyre", "South", "Tyre", "Lebanon", 422, "LBN", 33.2704, 35.2038),
    ("Baalbek", "Baalbek-Hermel", "Baalbek", "Lebanon", 422, "LBN", 34.0047, 36.2110),
    ("غزة", "Gaza Strip", "Gaza City", "Palestine", 275, "PSE", 31.5017, 34.4668),
    ("Khan Yunis", "Gaza Strip", "Khan Yunis", "Palestine", 275, "PSE", 31.3462, 34.3063),
    ("Rafah", "Gaza Strip", "Rafah", "Palestine", 275, "PSE", 31.2969, 34.2455),
    ("Jenin", "West Bank", "Jenin", "Palestine", 275, "PSE", 32.4607, 35.2958),
    ("Piranshahr", "West Azerbaijan", "Piranshahr", "Iran", 364, "IRN", 36.6944, 45.1417),
    ("Sardasht", "West Azerbaijan", "Sardasht", "Iran", 364, "IRN", 36.1553, 45.4790),
    ("Şırnak", "Sirnak", "Sirnak", "Turkey", 792, "TUR", 37.5164, 42.4611),
    ("Colemêrg", "Hakkari", "Hakkari", "Turkey", 792, "TUR", 37.5744, 43.7408),
    ("Kiryat Shmona", "HaZafon", "Zefat", "Israel", 376, "ISR", 33.2075, 35.5697),
    ("Amman", "Amman", "Amman", "Jordan", 400, "JOR", 31.9539, 35.9106),
)

# name, ACLED inter code as the current export writes it; most frequent first.
ACTORS: tuple[tuple[str, str], ...] = (
    ("Military Forces of Israel (2022-)", "State forces"),
    ("Military Forces of Turkey (2016-)", "State forces"),
    ("Unidentified Armed Group (Syria)", "Political militia"),
    ("Houthi Movement", "Rebel group"),
    ("Islamic State (Iraq)", "Rebel group"),
    ("Military Forces of Syria (2000-2024)", "State forces"),
    ("Hamas Movement", "Rebel group"),
    ("Hezbollah", "Political militia"),
    ("Military Forces of Russia (2000-)", "External/Other forces"),
    ("SDF: Syrian Democratic Forces", "Rebel group"),
    ("Military Forces of the United States (2021-)", "External/Other forces"),
    ("PKK: Kurdistan Workers Party", "Rebel group"),
    ("Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps", "State forces"),
    ("Islamic Resistance in Iraq", "Political militia"),
    ("Protesters (Iraq)", "Protesters"),
    ("Military Forces of Iraq (2022-)", "State forces"),
    ("HTS: Hayat Tahrir al Sham", "Rebel group"),
    ("SNA: Syrian National Army", "Rebel group"),
    ("Military Forces of Saudi Arabia (2015-)", "External/Other forces"),
    ("Islamic State (Syria)", "Rebel group"),
    ("Kataib Hezbollah", "Political militia"),
    ("Popular Mobilization Forces", "State forces"),
    ("Unidentified Armed Group (Iraq)", "Political militia"),
    ("Military Forces of Yemen (2016-) Government forces", "State forces"),
    ("STC: Southern Transitional Council", "Political militia"),
    ("Settlers (Israel)", "Identity militia"),
    ("PIJ: Palestinian Islamic Jihad", "Rebel group"),
    ("Police Forces of Iraq (2022-)", "State forces"),
    ("Rioters (Iraq)", "Rioters"),
    ("Protesters (Lebanon)", "Protesters"),
    ("Unidentified Armed Group (Yemen)", "Political militia"),
    ("AQAP: Al Qaeda in the Arabian Peninsula", "Rebel group"),
    ("Al Aqsa Martyrs Brigade", "Rebel group"),
    ("Asaib Ahl al Haq", "Political militia"),
    ("YPG: Peoples Protection Units", "Political militia"),
    ("هێزەکانی پێشمەرگە", "State forces"),
    ("KDPI: Kurdistan Democratic Party of Iran", "Rebel group"),
    ("Komala", "Rebel group"),
    ("PJAK: Party of Free Life of Kurdistan", "Rebel group"),
    ("Harakat Hezbollah al Nujaba", "Political militia"),
    ("كتائب سيد الشهداء", "Political militia"),
    ("Amal Movement", "Political militia"),
    ("Liwa Fatemiyoun", "External/Other forces"),
    ("Shammar Tribal Militia (Iraq)", "Identity militia"),
    ("Military Forces of Lebanon (2021-)", "State forces"),
    ("Military Forces of Jordan (1999-)", "State forces"),
    ("Deir ez Zor Military Council", "Rebel group"),
    ("Civilians (Syria)", "Civilians"),
    ("Civilians (Yemen)", "Civilians"),
    ("Civilians (Iraq)", "Civilians"),
)
ZIPF_EXPONENT = 1.1

# event_type: (disorder_type, share, sub-event types)
EVENT_TYPES: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    (
        "Explosions/Remote violence",
        "Political violence",
        0.45,
        ("Air/drone strike", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED"),
    ),
    ("Battles", "Political violence", 0.25, ("Armed clash", "Government regains territory")),
    (
        "Violence against civilians",
        "Political violence",
        0.12,
        ("Attack", "Abduction/forced disappearance"),
    ),
    ("Protests", "Demonstrations", 0.10, ("Peaceful protest", "Protest with intervention")),
    ("Riots", "Demonstrations", 0.04, ("Violent demonstration", "Mob violence")),
    (
        "Strategic developments",
        "Strategic developments",
        0.04,
        ("Looting/property destruction", "Disrupted weapons use"),
    ),
)
SOURCES = (
    ("Rudaw; Kurdistan 24", "National-Regional"),
    ("Shafaq News", "National"),
    ("Syrian Observatory for Human Rights", "Other"),
    ("Al Masirah", "National"),
    ("Times of Israel", "National"),
    ("WAFA", "National"),
    ("Anadolu Agency", "National"),
    ("Reuters", "International"),
    ("NNA", "National"),
    ("Hawar News Agency", "Subnational"),
    ("Saba News Agency", "National"),
    ("Twitter; Local source", "Local partner-Other"),
)
VERBS = {
    "Explosions/Remote violence": "struck",
    "Battles": "clashed with",
    "Violence against civilians": "attacked",
    "Protests": "protested against",
    "Riots": "rioted against",
    "Strategic developments": "seized property of",
}
FILLERS = (
    "Local sources said the target was a depot.",
    'A witness described the blast as "very heavy", and windows shattered.',
    "The attack was claimed the same day.",
    "Casualty figures could not be independently verified, per the reporting outlet.",
    "Roads to the area were closed for several hours afterwards.",
    "",
)
START = np.datetime64("2018-01-01")
DAYS = 7 * 365  # through 2024


def cache_dir() -> Path:
    """Where generated files live: $BENCH_CACHE, else a folder in the system temp directory."""
    folder = Path(
        os.environ.get("BENCH_CACHE") or Path(tempfile.gettempdir()) / "conflict-map-bench"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _zipf_weights(n: int, exponent: float = ZIPF_EXPONENT) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def _pick(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return np.asarray(table, dtype=object)[codes]


def generate(n: int, seed: int = SEED) -> pd.DataFrame:
    """n ACLED rows (all columns as text, as the CSV holds them), the same for the same seed."""
    rng = np.random.default_rng(seed)
    towns = pd.DataFrame(
        TOWNS, columns=["location", "admin1", "admin2", "country", "iso", "iso3", "lat", "lon"]
    )
    # Towns are Zipf-weighted too, over a fixed shuffle so that big towns are not all in Iraq.
    town_order = np.random.default_rng(7).permutation(len(towns))
    town_w = np.empty(len(towns))
    town_w[town_order] = _zipf_weights(len(towns), 0.9)
    town = rng.choice(len(towns), size=n, p=town_w)

    precision = rng.choice(np.array([1, 2, 3]), size=n, p=[0.7, 0.22, 0.08])
    spread = np.array([0.0, 0.03, 0.08, 0.25])[precision]
    lat = np.clip(towns["lat"].to_numpy()[town] + rng.normal(0, 1, n) * spread, -89.9, 89.9)
    lon = np.clip(towns["lon"].to_numpy()[town] + rng.normal(0, 1, n) * spread, -179.9, 179.9)

    actor_names = np.array([a for a, _ in ACTORS], dtype=object)
    actor_inter = np.array([i for _, i in ACTORS], dtype=object)
    weights = _zipf_weights(len(ACTORS))
    actor1 = rng.choice(len(ACTORS), size=n, p=weights)
    actor2 = rng.choice(len(ACTORS), size=n, p=weights)
    actor2 = np.where(actor2 == actor1, (actor2 + 1) % len(ACTORS), actor2)
    no_actor2 = rng.random(n) < 0.3

    kinds = rng.choice(len(EVENT_TYPES), size=n, p=[t[2] for t in EVENT_TYPES])
    event_type = _pick(np.array([t[0] for t in EVENT_TYPES], dtype=object), kinds)
    disorder = _pick(np.array([t[1] for t in EVENT_TYPES], dtype=object), kinds)
    sub_choice = rng.integers(0, 1 << 30, size=n)
    sub_event = _sub_events(kinds, sub_choice)

    day = rng.integers(0, DAYS, size=n)
    dates = START + day.astype("timedelta64[D]")
    date_text = pd.Series(dates.astype("datetime64[D]").astype(str), dtype=object)
    unique_days, day_codes = np.unique(day, return_inverse=True)
    long_dates = pd.Series(START + unique_days.astype("timedelta64[D]")).dt.strftime("%d %B %Y")
    long_dates = long_dates.str.lstrip("0").to_numpy(dtype=object)[day_codes]
    year = (dates.astype("datetime64[Y]").astype(int) + 1970).astype(str)

    fatal = np.where(rng.random(n) < 0.6, 0, rng.geometric(0.3, size=n))
    time_precision = rng.choice(np.array(["1", "2", "3"]), size=n, p=[0.85, 0.1, 0.05])
    source = rng.integers(0, len(SOURCES), size=n)
    filler = rng.integers(0, len(FILLERS), size=n)

    a1 = pd.Series(actor_names[actor1])
    a2 = pd.Series(np.where(no_actor2, "", actor_names[actor2]), dtype=object)
    inter1 = pd.Series(actor_inter[actor1])
    inter2 = pd.Series(np.where(no_actor2, "", actor_inter[actor2]), dtype=object)
    loc = pd.Series(towns["location"].to_numpy()[town])
    admin1 = pd.Series(towns["admin1"].to_numpy()[town])
    country = pd.Series(towns["country"].to_numpy()[town])
    near = np.where(precision > 1, "near ", "in ")
    target = a2.where(~no_actor2, "unidentified targets")
    fatal_text = np.where(
        fatal == 0,
        "No fatalities were reported.",
        "At least " + fatal.astype(str) + " people were killed.",
    )
    verb = pd.Series(event_type).map(VERBS)
    parts = [pd.Series(long_dates), ", ", a1, " ", verb, " ", target, " ", near, loc, " ("]
    notes = reduce(add, [*parts, admin1, ", ", country, "). ", fatal_text], "On ")
    with_filler = (notes + " " + _pick(np.array(FILLERS, dtype=object), filler)).str.rstrip()
    notes = with_filler.where(with_filler.str.len() <= 200, notes)  # ~100-200 characters
    # Real exports' notes sometimes run over two paragraphs (4% of the 2015 Asia export in
    # ../shared/realdata): a line break inside a quoted value, which a reader must follow.
    notes = notes.where(rng.random(n) >= 0.04, notes + "\nPolice said an inquiry was opened.")

    frame = pd.DataFrame(
        {
            "event_id_cnty": towns["iso3"].to_numpy()[town]
            + pd.Series(np.arange(1, n + 1)).astype(str).to_numpy(dtype=object),
            "event_date": date_text,
            "year": year,
            "time_precision": time_precision,
            "disorder_type": disorder,
            "event_type": event_type,
            "sub_event_type": sub_event,
            "actor1": a1,
            "assoc_actor_1": np.where(rng.random(n) < 0.05, "Civilians (International)", ""),
            "inter1": inter1,
            "actor2": a2,
            "assoc_actor_2": "",
            "inter2": inter2,
            "interaction": np.where(no_actor2, inter1 + " only", inter1 + "-" + inter2),
            "civilian_targeting": np.where(
                event_type == "Violence against civilians", "Civilian targeting", ""
            ),
            "iso": towns["iso"].to_numpy()[town].astype(str),
            "region": "Middle East",
            "country": country,
            "admin1": admin1,
            "admin2": towns["admin2"].to_numpy()[town],
            "admin3": "",
            "location": loc,
            "latitude": np.char.mod("%.4f", lat),
            "longitude": np.char.mod("%.4f", lon),
            "geo_precision": precision.astype(str),
            "source": _pick(np.array([s for s, _ in SOURCES], dtype=object), source),
            "source_scale": _pick(np.array([s for _, s in SOURCES], dtype=object), source),
            "notes": notes,
            "fatalities": fatal.astype(str),
            "tags": np.where(event_type == "Protests", "crowd size=no report", ""),
            "timestamp": (1_700_000_000 + day * 3600).astype(str),
        }
    )
    return frame[list(ACLED_COLUMNS)]


def _sub_events(kinds: np.ndarray, choice: np.ndarray) -> np.ndarray:
    out = np.empty(len(kinds), dtype=object)
    for k, (_, _, _, subs) in enumerate(EVENT_TYPES):
        mask = kinds == k
        out[mask] = np.asarray(subs, dtype=object)[choice[mask] % len(subs)]
    return out


def generator_fingerprint() -> str:
    """Changes whenever this module changes, so stale cached files are not reused."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]


def write_acled(n: int, path: Path, seed: int = SEED) -> Path:
    """Write n synthetic ACLED rows to `path` (atomically) and return it."""
    write_atomic(path, generate(n, seed).to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return path


def cached_acled(n: int, folder: Path | None = None, seed: int = SEED) -> Path:
    """The synthetic ACLED file of n rows, generated once into `folder` and reused after."""
    folder = folder or cache_dir()
    path = folder / f"acled-{n}-seed{seed}-{generator_fingerprint()}.csv"
    if not path.exists():
        write_acled(n, path, seed)
    return path
