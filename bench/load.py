"""``python -m bench.load``: several people on one server at once, each with their own filter.

One app server (``streamlit run app.py -- --events ...``, on 127.0.0.1 only) and one headless
Chromium; each session is its own browser context that opens the page with a different filter in
the URL, all at the same moment. Each checks its own result: the "Events shown" metric equals
what ``geo.filters.filter_events`` counts on the same file, the map draws, and no exception or
error box appears. The server's resident memory (psutil) is read before the first visit, after
one visit (the data is loaded and cached) and with every session open, to show whether the data
is held once or once per session::

    python -m bench.load                       # 10 sessions, 100,000 events
    python -m bench.load --sessions 4 --events 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from bench import (
    RESULTS_DIR,
    Column,
    format_table,
    machine_busy_seconds,
    machine_facts,
    machine_line,
    write_results,
)
from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ERRORS,
    INIT_JS,
    SHOWN_JS,
    VIEWPORT,
    app_server,
    converted_events,
)
from bench.synth import cache_dir, cached_acled

MAX_SESSIONS = 32
SESSION_COLUMNS = [
    Column("session", "session"),
    Column("filter", "filter (URL)"),
    Column("expected", "expected"),
    Column("shown", "shown"),
    Column("ok", "correct"),
    Column("script_done_s", "script done s", 1, 2),
    Column("markers_s", "markers s", 1, 2),
    Column("errors", "errors"),
]


def session_filters(events: pd.DataFrame, count: int) -> list[Any]:
    """`count` different filter states a group of analysts might open at the same time."""
    from geo.filters import FilterState

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


def describe(query: dict[str, list[str]]) -> str:
    return "&".join(f"{k}={'|'.join(v)}" for k, v in query.items() if k != "basemap")


async def _wait(page: Any, js: str, timeout: float, arg: Any = None) -> None:
    await page.wait_for_function(js, arg=arg, timeout=timeout * 1000)


async def one_session(
    browser: Any,
    base_url: str,
    number: int,
    state: Any,
    expected: int,
    start: asyncio.Event,
    timeout: float,
    ready: asyncio.Event | None = None,
) -> dict[str, Any]:
    """Open the page with `state` in the URL when `start` is set; check what it shows.

    `ready` is set once the session's context and page exist, so that all sessions can be
    released together.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    from geo.filters import to_query

    query = {"basemap": ["Offline"], **to_query(state)}
    url = f"{base_url}/?{urlencode(query, doseq=True)}"
    out: dict[str, Any] = {
        "session": number,
        "filter": describe(query),
        "url": url,
        "expected": expected,
    }
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(INIT_JS)
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)[:300]))
    out["_context"] = context
    if ready is not None:
        ready.set()
    await start.wait()
    try:
        await page.goto(url, wait_until="commit")
        await _wait(page, "() => window.__bench && window.__bench.idle !== null", timeout)
        b = await page.evaluate("() => ({...window.__bench, origin: performance.timeOrigin})")
        out["script_done_s"] = (b["idle"] - b["origin"]) / 1000
        await _wait(page, f"() => ({SHOWN_JS})() !== null", timeout)
        out["shown"] = await page.evaluate(SHOWN_JS)
        await _wait(page, "() => window.__bench.markers !== null", timeout)
        b = await page.evaluate("() => ({...window.__bench, origin: performance.timeOrigin})")
        out["markers_s"] = (b["markers"] - b["origin"]) / 1000
    except PlaywrightTimeout:
        out.setdefault("shown", None)
        out["timeout"] = f"timeout >{timeout:.0f} s"
    out["error_elements"] = await page.locator(ERRORS).count()
    out["page_errors"] = page_errors[:5]
    out["errors"] = out["error_elements"] + len(page_errors) + (1 if "timeout" in out else 0)
    out["ok"] = out.get("shown") == expected and out["errors"] == 0
    return out


async def run_load(
    events_csv: Path, events: pd.DataFrame, sessions: int, timeout: float, log_dir: Path
) -> dict[str, Any]:
    """Start one server, warm it with one visit, then `sessions` visits at once."""
    from playwright.async_api import async_playwright

    from geo.filters import filter_events

    states = session_filters(events, sessions)
    expected = [len(filter_events(events, s)) for s in states]
    result: dict[str, Any] = {"events": len(events), "sessions": sessions}
    with app_server(events_csv, log_dir) as server:
        memory = {"before_any_visit": server.usage()}
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                go = asyncio.Event()
                go.set()
                warm = await one_session(
                    browser, server.url, 0, states[0], expected[0], go, timeout
                )
                await warm.pop("_context").close()
                result["warm_up"] = warm
                memory["after_one_visit"] = server.usage()

                start = asyncio.Event()
                ready = [asyncio.Event() for _ in states]
                tasks = [
                    asyncio.create_task(
                        one_session(
                            browser, server.url, i + 1, state, count, start, timeout, ready[i]
                        )
                    )
                    for i, (state, count) in enumerate(zip(states, expected, strict=True))
                ]
                await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), timeout)
                began, busy = time.monotonic(), machine_busy_seconds()
                start.set()
                done = await asyncio.wait_for(asyncio.gather(*tasks), timeout=timeout * 2 + 60)
                result["wall_s"] = time.monotonic() - began
                memory["all_sessions_open"] = server.usage()
                # Where the time went: the server's CPU, and the whole machine's (Chromium's
                # ten pages run on the same cores).
                result["cpu"] = {
                    "server_s": memory["all_sessions_open"]["cpu_s"]
                    - memory["after_one_visit"]["cpu_s"],
                    "machine_busy_s": machine_busy_seconds() - busy,
                    "capacity_s": result["wall_s"] * (os.cpu_count() or 1),
                }
                for r in done:
                    await r.pop("_context").close()
                memory["sessions_closed"] = server.usage()
                result["results"] = list(done)
            finally:
                await browser.close()
        if not all(r["ok"] for r in result.get("results", [])):
            result["server_log_tail"] = server.output()[-2000:]
    result["memory"] = memory
    result["memory_verdict"] = memory_verdict(memory, sessions)
    return result


def memory_verdict(memory: dict[str, dict[str, float | None]], sessions: int) -> dict[str, Any]:
    """How much the data and each extra session cost, and whether the data is held once."""
    before = memory["before_any_visit"]["rss_mb"] or 0.0
    one = memory["after_one_visit"]["rss_mb"] or 0.0
    many = memory.get("all_sessions_open", {}).get("rss_mb") or 0.0
    data = one - before
    per_session = (many - one) / max(sessions, 1)
    return {
        "data_and_first_session_mb": round(data, 1),
        "per_extra_session_mb": round(per_session, 1),
        "cached_once": bool(data > 0 and per_session < data / 2),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sessions",
        type=int,
        default=10,
        help=f"browser sessions at once (1-{MAX_SESSIONS}, default 10)",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=100_000,
        help="synthetic events the server shows (default 100000)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds a session may take before it counts as failed",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "load.json")
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions {args.sessions}: choose 1 to {MAX_SESSIONS}")
    if args.events < 1:
        parser.error(f"--events {args.events}: must be at least 1")
    return args


def summary(result: dict[str, Any]) -> str:
    rows = result.get("results", [])
    verdict = result["memory_verdict"]
    m = result["memory"]
    ok = sum(r["ok"] for r in rows)
    lines = [
        f"Machine: {machine_line(result['machine'])}",
        "",
        f"{result['sessions']} sessions at once on one server with {result['events']:,} "
        f"events: {ok}/{len(rows)} correct, all done in {result.get('wall_s', 0):.1f} s.",
        "",
        format_table(rows, SESSION_COLUMNS),
        "",
        "Server memory (streamlit process, RSS MB): "
        + ", ".join(f"{k.replace('_', ' ')} {v['rss_mb']}" for k, v in m.items()),
        f"First visit (app code, data, one session): "
        f"{verdict['data_and_first_session_mb']} MB; each further session: "
        f"{verdict['per_extra_session_mb']} MB -> data "
        + (
            "held once, not per session."
            if verdict["cached_once"]
            else "NOT held once: memory grows with sessions."
        ),
    ]
    cpu = result.get("cpu")
    if cpu:
        lines.append(
            f"CPU while the sessions ran: server {cpu['server_s']:.1f} s, whole machine "
            f"{cpu['machine_busy_s']:.1f} s busy of {cpu['capacity_s']:.1f} core-seconds"
            " (Chromium's pages share the same cores)."
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from geo.events import load_events

    args = parse_args(argv)
    folder = args.cache_dir or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    events_csv = converted_events(cached_acled(args.events, folder), folder)
    events = load_events(events_csv).events
    print(
        f"{args.sessions} sessions against {events_csv.name} ({len(events):,} events)…", flush=True
    )
    result = asyncio.run(run_load(events_csv, events, args.sessions, args.timeout, folder))
    result = {
        "command": "python -m bench.load " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_facts(CHROMIUM),
        **result,
    }
    print(summary(result))
    write_results(args.out, result)
    print(f"\nwrote {args.out}")
    return 0 if all(r["ok"] for r in result.get("results", [])) else 1


if __name__ == "__main__":
    sys.exit(main())
