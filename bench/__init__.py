"""Benchmark for issue 6: interactive at 100,000 events, usable at 1,000,000.

``python -m bench`` measures the app at several sizes through its public functions (import,
filters, viewport, map payload, exports, memory) and in headless Chromium (time to first
markers, redraw after a filter change); ``python -m bench.peers`` beside two minimal peers.
``python -m bench.load`` runs concurrent browser sessions against one server.

This module holds what both share: machine facts, process memory and CPU (psutil), the table and
the JSON writer.

>>> print(format_table([{"size": 1000, "t": 0.01234}],
...                    [Column("size", "events"), Column("t", "import ms", 1000, 1)]))
| events | import ms |
|---:|---:|
| 1,000 | 12.3 |
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from geo.io import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
PACKAGES = ("pandas", "numpy", "pyarrow", "streamlit", "folium", "streamlit-folium", "playwright")


@dataclass(frozen=True)
class Column:
    """One column of a results table: the row key, its heading (with unit) and its format.

    Numbers are multiplied by ``scale`` and shown with ``digits`` decimals (integers with
    thousands separators); text (e.g. "timeout >120 s") is shown as it is; None shows "–".
    """

    key: str
    title: str
    scale: float = 1.0
    digits: int = 0


def format_value(value: Any, column: Column) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value).replace("|", "/")
    scaled = value * column.scale
    if column.digits == 0:
        return f"{round(scaled):,}"
    return f"{scaled:,.{column.digits}f}"


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """A Markdown table (readable in a terminal, pasteable into the README)."""
    lines = [
        "| " + " | ".join(c.title for c in columns) + " |",
        "|" + "|".join("---:" for _ in columns) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(format_value(row.get(c.key), c) for c in columns) + " |")
    return "\n".join(lines)


def write_results(path: Path, payload: Mapping[str, Any]) -> Path:
    """Write `payload` as indented JSON, atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default)
    write_atomic(path, text + "\n")
    return path


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable: {value!r}")


def _cpu_model() -> str:
    """The CPU's marketing name (Linux), else what the platform module knows."""
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    names = [
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")
    ]
    return names[0] if names else platform.processor() or platform.machine()


def _run(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.rstrip()  # leading spaces matter: ' M app.py' in git status


def machine_facts(chromium: str | None = None) -> dict[str, Any]:
    """What the numbers depend on: CPU, cores, memory, versions, the code measured, the date."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    facts: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        # The app may change while the benchmark is written: record exactly what was measured.
        "git_commit": _run(["git", "rev-parse", "--short", "HEAD"]),
        "git_modified": [
            line[3:]
            for line in _run(["git", "status", "--porcelain"]).splitlines()
            if line[:2].strip() and not line.startswith("??")
        ],
    }
    if chromium:
        facts["chromium"] = _run([chromium, "--version"])
    return facts


def machine_line(facts: Mapping[str, Any]) -> str:
    """One line for a table's caption, e.g. 'AMD EPYC, 2 cores, 23.4 GB, Python 3.11.7, ...'."""
    v = facts.get("versions", {})
    return (
        f"{facts.get('cpu')}, {facts.get('cores')} cores, {facts.get('memory_gb')} GB RAM, "
        f"Python {facts.get('python')}, pandas {v.get('pandas')}, streamlit "
        f"{v.get('streamlit')}, {facts.get('chromium') or 'no browser'}; "
        f"commit {facts.get('git_commit')}{' (modified)' if facts.get('git_modified') else ''}"
        f", {facts.get('date')}"
    )


def rss_mb(pid: int | None = None) -> float | None:
    """Resident memory of a process (this one by default) now, in MB; None if it is gone."""
    try:
        return round(psutil.Process(pid).memory_info().rss / 1024**2, 1)
    except psutil.Error:
        return None


def peak_rss_mb() -> float:
    """The highest resident memory of this process so far, in MB: the kernel's high-water mark
    of its own memory (/proc/self/status VmHWM). Not ru_maxrss: that one is carried across
    exec, so a process started by a parent holding 7 GB (python -m bench, after generating a
    synthetic file) reported a 7 GB peak of its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # not Linux


def cpu_seconds(pid: int | None = None) -> float | None:
    """User + system CPU time a process has used so far, in seconds; None if it is gone."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return round(times.user + times.system, 2)


def machine_busy_seconds() -> float:
    """CPU time all cores of the machine have spent busy since boot, in seconds."""
    times = psutil.cpu_times()
    return round(
        sum(times)
        - times.idle
        - getattr(times, "iowait", 0.0)
        - getattr(times, "guest", 0.0)
        - getattr(times, "guest_nice", 0.0),
        2,
    )
