"""Where the curated dataset lives, and whether this deployment lets people curate.

Both are deployment settings, read from the app's arguments (``streamlit run app.py -- ARGS``)
and the environment:

- ``--data-dir DIR``: the curated dataset's folder (``events.csv``, ``gazetteer.csv``,
  ``sources.csv``, ``changes.jsonl``); default the bundled ``data/``.
- ``--seeds-dir DIR``: where source texts are archived; default ``seeds/`` beside the data
  folder when ``--data-dir`` is given, else the bundled ``seeds/``.
- ``--curate`` / ``--no-curate``, or ``CONFLICT_MAP_CURATE=1``/``0``: curation on or off.
  Without either, curation is on when the server listens on loopback or on Streamlit's default
  address (a local ``streamlit run app.py``) and off when ``server.address`` names any other
  interface (a deployment others can reach).

>>> allowed = curation_allowed([], {}, server_address=None)
>>> allowed.enabled, allowed.reason
(True, 'on: the server listens on its default address (a local streamlit run)')
>>> curation_allowed([], {}, server_address="0.0.0.0").enabled
False
>>> curation_allowed(["--curate"], {}, server_address="0.0.0.0").enabled
True
"""

from __future__ import annotations

import argparse
import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.schema import DATA_DIR, SEEDS_DIR

ENV_CURATE = "CONFLICT_MAP_CURATE"
ENV_CURATOR = "CONFLICT_MAP_CURATOR"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Paths:
    """The files of one curated dataset."""

    data_dir: Path
    seeds_dir: Path

    @property
    def events_csv(self) -> Path:
        return self.data_dir / "events.csv"

    @property
    def gazetteer_csv(self) -> Path:
        return self.data_dir / "gazetteer.csv"

    @property
    def sources_csv(self) -> Path:
        return self.data_dir / "sources.csv"

    @property
    def actors_csv(self) -> Path:
        return self.data_dir / "actors.csv"

    @property
    def changes_log(self) -> Path:
        return self.data_dir / "changes.jsonl"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--seeds-dir", type=Path)
    parser.add_argument("--curate", dest="curate", action="store_true", default=None)
    parser.add_argument("--no-curate", dest="curate", action="store_false")
    return parser


def paths_from_args(argv: Sequence[str]) -> Paths:
    """The curated dataset's folders from the app's arguments (unknown arguments ignored)."""
    args, _ = _parser().parse_known_args(list(argv))
    if args.data_dir is None:
        data_dir, seeds_dir = DATA_DIR, args.seeds_dir or SEEDS_DIR
    else:
        data_dir = args.data_dir.expanduser().resolve()
        seeds_dir = args.seeds_dir or data_dir.parent / "seeds"
    return Paths(Path(data_dir).resolve(), Path(seeds_dir).expanduser().resolve())


@dataclass(frozen=True)
class Permission:
    enabled: bool
    reason: str


def _is_loopback(address: str) -> bool:
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def curation_allowed(
    argv: Sequence[str], env: Mapping[str, str], server_address: str | None
) -> Permission:
    """Whether this deployment lets people curate, and why (for the page to say)."""
    args, _ = _parser().parse_known_args(list(argv))
    if args.curate is not None:
        flag = "--curate" if args.curate else "--no-curate"
        return Permission(
            args.curate, f"{'on' if args.curate else 'off'}: the app was started with {flag}"
        )
    raw = env.get(ENV_CURATE)
    if raw is not None and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        on = raw.strip().lower() in TRUE_WORDS
        return Permission(on, f"{'on' if on else 'off'}: {ENV_CURATE}={raw.strip()}")
    if not server_address:
        return Permission(
            True, "on: the server listens on its default address (a local streamlit run)"
        )
    if _is_loopback(server_address):
        return Permission(True, f"on: the server listens on loopback ({server_address})")
    return Permission(
        False,
        f"off: the server listens on {server_address}, which others can "
        f"reach; start it with --curate or {ENV_CURATE}=1 to allow it",
    )


def curator(user_name: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """Who is curating: the deployment's signed-in user, else ``CONFLICT_MAP_CURATOR``."""
    if user_name:
        return str(user_name)
    value = (env if env is not None else os.environ).get(ENV_CURATOR, "").strip()
    return value or None
