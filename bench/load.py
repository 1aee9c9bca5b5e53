"""``python -m bench.load``: several people on one server at once, each with their own filter.

One app server and one headless Chromium; each session is its own browser context that opens
the page with a different filter in the URL, all navigated together (timings are taken inside
each page, so the order Python then waits on them in changes none). Each checks that the
"Events shown" metric equals what ``geo.filters.filter_events`` counts, that the map draws and
that no error shows. The server's memory (psutil) before any visit, after one and with every
session open tells whether the data is held once or once per session::

    python -m bench.load                       # 10 sessions, 100,000 events
    python -m bench.load --sessions 4 --events 10000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from bench import RESULTS_DIR, machine_busy_seconds, machine_facts, write_results
from bench.appserver import CHROMIUM, app_server, chromium, server_args
from bench.browser import ERRORS, SHOWN_JS, Session, Timeout, _wait, converted_events
from bench.synth import cache_dir, cached_acled
from geo.events import load_events
from geo.filters import FilterState, filter_events, to_query

SHOWN = ["session", "filter", "expected", "shown", "ok", "script_done_s", "markers_s", "errors"]


def session_filters(events: pd.DataFrame, count: int) -> list[FilterState]:
    """`count` different filter states a group of analysts might open at the same time."""
    attackers = events["attacker"].value_counts().index.tolist()
    targets = events["target_group"].value_counts().index.tolist()
    types = events["event_type"].value_counts().index.tolist()
    years = sorted(events["event_date"].dt.year.unique().tolist()) or [2022]
    year = years[len(years) // 2]
    one_year = dict(start=date(year, 1, 1), end=date(year, 12, 31))
    pool = [FilterState(attackers=(a,)) for a in attackers[:4]]
    pool += [
        FilterState(attackers=(attackers[0],), **one_year),
        FilterState(attackers=tuple(attackers[4:6])),
        FilterState(event_types=(types[min(1, len(types) - 1)],)),
        FilterState(**one_year),
        FilterState(target_groups=(targets[0],)),
        FilterState(
            attackers=(attackers[1 % len(attackers)],),
            event_types=(types[0],),
            start=date(year, 1, 1),
            end=date(year, 6, 30),
        ),
    ]
    pool += [FilterState(attackers=(a,)) for a in attackers[4:]]
    return [pool[i % len(pool)] for i in range(count)]


def open_session(
    browser: Any, base_url: str, number: int, state: FilterState
) -> tuple[dict, Session]:
    """A session's row and its page (not yet navigated to the URL of `state`)."""
    query = {"basemap": ["Offline"], **to_query(state)}
    url = f"{base_url}/?{urlencode(query, doseq=True)}"
    described = "&".join(f"{k}={'|'.join(v)}" for k, v in query.items() if k != "basemap")
    return {"session": number, "filter": described, "url": url}, Session(browser)


def check_session(row: dict, session: Session, expected: int, timeout: float) -> dict:
    """Wait for the page's script, its markers and its count; whether it shows `expected`."""
    row.update(expected=expected, shown=None)
    try:
        session.page_times(row, timeout)
        _wait(session.page, f"() => ({SHOWN_JS})() !== null", timeout)
        row["shown"] = session.page.evaluate(SHOWN_JS)
    except Timeout as exc:
        row["timeout"] = str(exc)
    row["error_elements"] = session.page.locator(ERRORS).count()
    row["page_errors"] = session.errors[:5]
    row["errors"] = row["error_elements"] + len(session.errors) + ("timeout" in row)
    row["ok"] = row["shown"] == expected and row["errors"] == 0
    return row


def run_load(
    events_csv: Path, events: pd.DataFrame, sessions: int, timeout: float, log_dir: Path
) -> dict[str, Any]:
    """Start one server, warm it with one visit, then `sessions` visits at once."""
    states = session_filters(events, sessions)
    expected = [len(filter_events(events, s)) for s in states]
    result: dict[str, Any] = {"events": len(events), "sessions": sessions}
    with app_server(server_args(events_csv), log_dir) as server, chromium() as browser:
        memory = {"before_any_visit": server.usage()}
        row, warm = open_session(browser, server.url, 0, states[0])
        warm.page.goto(row["url"], wait_until="commit")
        result["warm_up"] = check_session(row, warm, expected[0], timeout)
        warm.close()
        memory["after_one_visit"] = server.usage()

        opened = [open_session(browser, server.url, i + 1, s) for i, s in enumerate(states)]
        began, busy = time.monotonic(), machine_busy_seconds()
        for row, session in opened:
            session.page.goto(row["url"], wait_until="commit")
        done = [
            check_session(row, session, count, timeout)
            for (row, session), count in zip(opened, expected, strict=True)
        ]
        result["wall_s"] = time.monotonic() - began
        memory["all_sessions_open"] = server.usage()
        # Where the time went: the server's CPU, and the whole machine's (Chromium's pages run
        # on the same cores).
        result["cpu"] = {
            "server_s": memory["all_sessions_open"]["cpu_s"] - memory["after_one_visit"]["cpu_s"],
            "machine_busy_s": machine_busy_seconds() - busy,
            "capacity_s": result["wall_s"] * (os.cpu_count() or 1),
        }
        for _, session in opened:
            session.close()
        memory["sessions_closed"] = server.usage()
        result["results"] = done
        if not all(r["ok"] for r in done):
            result["server_log_tail"] = server.output()[-2000:]
    return result | {"memory": memory, "memory_verdict": memory_verdict(memory, sessions)}


def memory_verdict(memory: dict[str, dict[str, float | None]], sessions: int) -> dict[str, Any]:
    """How much the data and each extra session cost, and whether the data is held once."""
    before = memory["before_any_visit"]["rss_mb"] or 0.0
    one = memory["after_one_visit"]["rss_mb"] or 0.0
    many = memory.get("all_sessions_open", {}).get("rss_mb") or 0.0
    data, per_session = one - before, (many - one) / max(sessions, 1)
    return {
        "data_and_first_session_mb": round(data, 1),
        "per_extra_session_mb": round(per_session, 1),
        "cached_once": bool(data > 0 and per_session < data / 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    from bench.readme import findings

    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--sessions", type=int, default=10, choices=range(1, 33), metavar="1-32")
    parser.add_argument("--events", type=int, default=100_000, help="synthetic events")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a session may take")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "load.json")
    args = parser.parse_args(argv)
    folder = cache_dir()
    events_csv = converted_events(cached_acled(args.events, folder), folder)
    events = load_events(events_csv).events
    print(f"{args.sessions} sessions on {events_csv.name} ({len(events):,} events)…", flush=True)
    result = run_load(events_csv, events, args.sessions, args.timeout, folder)
    result = {
        "command": "python -m bench.load " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_facts(CHROMIUM),
        **result,
    }
    print(pd.DataFrame(result["results"], columns=SHOWN).round(2).to_string(index=False))
    print(f"Server memory (RSS MB): {result['memory']}; CPU: {result['cpu']}")
    print(findings({"server_table": [], "browser_table": []}, result)[0])
    write_results(args.out, result)
    print(f"\nwrote {args.out}")
    return 0 if all(r["ok"] for r in result["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
