"""What the benchmarks (``python -m bench``, ``bench.load``, ``bench.peers``,
``bench.readme``) share: machine facts, process memory and CPU (psutil), the Markdown table
and the JSON writer.

>>> print(format_table([{"size": 1000, "t": 0.01234}],
...                    [Column("size", "events"), Column("t", "import ms", 1000, 1)]))
| events | import ms |
|---:|---:|
| 1,000 | 12.3 |
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import psutil

from geo.io import write_atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
PACKAGES = ("pandas", "numpy", "pyarrow", "streamlit", "folium", "streamlit-folium", "playwright")


class Column(NamedTuple):
    """A table column: row key, heading, and numbers shown as value * scale with digits
    decimals (text as it is, None as "–")."""

    key: str
    title: str
    scale: float = 1.0
    digits: int = 0


def format_value(value: Any, column: Column) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value).replace("|", "/")
    return f"{value * column.scale:,.{column.digits}f}"


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """A Markdown table with right-aligned columns, as the README shows it."""
    lines = ["| " + " | ".join(c.title for c in columns) + " |", "|" + "---:|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(format_value(row.get(c.key), c) for c in columns) + " |")
    return "\n".join(lines)


def write_results(path: Path, payload: Mapping[str, Any]) -> Path:
    """Write `payload` as indented JSON, atomically (a reader never sees half a file)."""

    def default(value: Any) -> Any:
        if hasattr(value, "item"):  # numpy scalars
            return value.item()
        if isinstance(value, Path):
            return str(value)
        raise TypeError(f"{type(value).__name__} is not JSON serialisable: {value!r}")

    text = json.dumps(payload, indent=2, ensure_ascii=False, default=default)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text + "\n")
    return path


def _run(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.rstrip()  # leading spaces matter: ' M app.py' in git status


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_facts(chromium: str | None = None) -> dict[str, Any]:
    """What the numbers depend on: CPU, cores, memory, versions, the code measured, the date."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.*\S)", cpuinfo, re.MULTILINE)
    facts: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": model[1] if model else platform.processor() or platform.machine(),
        "cores": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in PACKAGES},
        "git_commit": _run(["git", "rev-parse", "--short", "HEAD"]),
        "git_modified": [  # tracked files changed: what was measured is not the commit alone
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
    """This process's highest resident memory so far, in MB (/proc VmHWM; psutil has no peak,
    and ru_maxrss is carried across exec from the parent)."""
    status = Path("/proc/self/status").read_text()
    return round(int(status.split("VmHWM:")[1].split()[0]) / 1024, 1)  # kB


def cpu_seconds(pid: int | None = None) -> float | None:
    """User + system CPU time a process has used so far, in seconds; None if it is gone."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return round(times.user + times.system, 2)


def machine_busy_seconds() -> float:
    """CPU time all cores of the machine have spent busy since boot, in seconds."""
    t = psutil.cpu_times()
    idle = t.idle + sum(getattr(t, k, 0.0) for k in ("iowait", "guest", "guest_nice"))
    return round(sum(t) - idle, 2)


class PeakRSS(threading.Thread):
    """Peak resident memory (bytes) of a process and its children, sampled every 20 ms while
    the with block runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc, self.peak, self.done = psutil.Process(pid), 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            self.done.wait(0.02)

    def __enter__(self) -> PeakRSS:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.join()


def parse_sizes(text: str) -> list[int]:
    """'1000,10k,1M' -> [1000, 10000, 1000000] (argparse's type for --sizes)."""
    sizes = []
    for part in filter(None, text.lower().replace("_", "").replace(" ", "").split(",")):
        try:
            sizes.append(int(float(part.rstrip("km")) * {"k": 1e3, "m": 1e6}.get(part[-1], 1)))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--sizes: {part!r} is not a number of events (e.g. 1000, 10k, 1M)"
            ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--sizes: {text!r} holds no positive size")
    return sizes
