"""Fixtures for the unit tests: a fake online geocoder (geopy's interface, no network), the
bundled events, a scratch copy of the project's data. Helpers live in tests/helpers.py."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile

import pytest
from geopy.exc import GeocoderTimedOut
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from helpers import ROOT, bundled_events

__all__ = ["ROOT"]  # kept for tests written before helpers.py: import it from helpers instead

# The app's event store (geo.store) goes to a folder of this test run, never to the user's
# ~/.local/share; app servers started by the browser tests inherit it.
# One store per pytest-xdist worker: a worker's sweep or Remove never pulls a dataset from under
# another's test (ui.base_entry copes with that too, but tests should not depend on timing).
# Never the user's own store, even when CONFLICT_MAP_STORE is set in their shell.
os.environ["CONFLICT_MAP_STORE"] = tempfile.mkdtemp(prefix="conflict-map-test-store-")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """What is derived from GeoNames is built once for the test session, before pytest-xdist
    starts its workers: on a fresh machine (an empty ~/.cache/conflict-map) each worker and each
    app server the browser tests start would otherwise build it again on first use (the name
    index takes 10 s, and a browser test waits on it)."""
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without -n
        from geo.countries import build_cache

        build_cache()


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once():
    """Every new AppTest scans the metadata of every installed package for Streamlit components
    (0.17 s here, 160 packages; about 30 s of the unit tests' CPU, half of test_pages.py's and
    test_app.py's). The installed packages do not change during a test run: scan once."""
    from streamlit.components.v2 import manifest_scanner

    with pytest.MonkeyPatch.context() as patch:
        scan = functools.cache(manifest_scanner.scan_component_manifests)
        patch.setattr(manifest_scanner, "scan_component_manifests", scan)
        yield


class FakeOnlineGeocoder(Geocoder):
    """Answers from a dict like Nominatim would; raises GeocoderTimedOut for names in `slow`."""

    def __init__(self, places: dict[str, tuple[float, float, str]], slow: set[str] = frozenset()):
        super().__init__()
        self.places, self.slow, self.calls = places, set(slow), []

    def geocode(self, query, *, exactly_one=True, country_codes=None, **kwargs):
        self.calls.append(query)
        if query in self.slow:
            raise GeocoderTimedOut(f"Service timed out for {query!r}")
        if query not in self.places:
            return None
        lat, lon, kind = self.places[query]
        raw = {"addresstype": kind, "osm_type": "node", "osm_id": 1, "lat": lat, "lon": lon}
        return Location(query, (lat, lon), raw)


@pytest.fixture
def fake_online():
    return FakeOnlineGeocoder


@pytest.fixture
def events():
    """The bundled data/events.csv, validated (a copy: a test may change it)."""
    return bundled_events()


@pytest.fixture
def project_copy(tmp_path):
    """A copy of data/ and seeds/ that a test may modify."""
    for name in ("data", "seeds"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path
