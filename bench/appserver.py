"""The real app on a free loopback port, and Chromium with its flags: one harness for the
browser tests (tests/e2e) and the benchmark (bench/)::

    with app_server(server_args(Path("big.csv")), Path("/tmp")) as server, chromium() as browser:
        ...  # drive server.url (http://127.0.0.1:PORT) in browser
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import ROOT, cpu_seconds, rss_mb

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Debian's Chromium as root, offline: without the networking flags it keeps trying to reach
# Google's services, which this machine's closed network refuses.
CHROMIUM_ARGS = """--no-sandbox --disable-gpu --disable-background-networking
--disable-component-update --disable-sync --no-first-run""".split()
# The whole of ACLED (2.5M events) is about 610 MB of Parquet: above the store's default limit
# for one dataset (500 MB), which a deployer serving it raises as here.
MAX_DATASET_MB = 4000


def server_args(events_csv: Path) -> list[str]:
    # The path last: the peers' pages (bench/peers.py) read it as the last argument.
    return ["--max-dataset-mb", str(MAX_DATASET_MB), "--events", str(events_csv)]


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium with these flags, closed after the with block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """``python -m streamlit run app.py [-- ARGS]``, headless on 127.0.0.1 (``script="serve.py"``:
    the same app with its exports streamed, see downloads.py)."""

    def __init__(self, args: list[str], log: Path, script: str = "app.py") -> None:
        port = free_port()
        self.url, self.log, self._log_file = f"http://127.0.0.1:{port}", log, log.open("wb")
        options = "--server.headless true --browser.gatherUsageStats false --server.address"
        cmd = [sys.executable, "-m", "streamlit", "run", script, *options.split(), "127.0.0.1"]
        cmd += ["--server.port", str(port), *(["--", *args] if args else [])]
        self.started = time.time()  # wall clock, as the browser's timestamps: Date.now() / 1000
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def wait_healthy(self, timeout: float = 90) -> None:
        """Poll /_stcore/health until it answers 200; raise with the server's log if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)  # polling interval, not a wait for a result
        raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{self.output()}")

    def usage(self) -> dict[str, float | None]:
        """The server's resident memory now (MB) and CPU time so far (s)."""
        return {"rss_mb": rss_mb(self.pid), "cpu_s": cpu_seconds(self.pid)}

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(15)
        self._log_file.close()


@contextmanager
def app_server(
    args: list[str], log_dir: Path, script: str = "serve.py", timeout: float = 90
) -> Iterator[AppServer]:
    """A server healthy within `timeout` s for the with block, stopped after; by default the
    app as the README runs it (``streamlit run serve.py``)."""
    server = AppServer(args, log_dir / f"streamlit-{Path(script).stem}.log", script)
    try:
        server.wait_healthy(timeout)
        yield server
    finally:
        server.stop()
