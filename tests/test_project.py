"""Project files that must agree: the README's test command and what CI runs."""

from __future__ import annotations

import re

from helpers import ROOT


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Test it", 1)[1]
    command = re.search(r"```\n(.+?)\n```", section, flags=re.DOTALL).group(1).strip()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ")
    ci = next(line for line in script.splitlines() if line.startswith("apt-get update"))
    assert " ".join(ci.split()) == " ".join(command.split())
    assert "ruff check ." in command and "ruff format --check ." in command


def test_the_filter_keys_are_the_url_parameters():
    import state
    from geo.filters import MULTI_KEYS

    assert [state.ATTACKER, state.TARGET_GROUP, state.EVENT_TYPE, state.ATTRIBUTION] == list(
        MULTI_KEYS
    )
    assert (state.START, state.END) == ("start", "end")  # parse_query reads these names


def test_every_test_module_name_is_unique():
    # tests/ and tests/e2e/ share one import namespace (rootdir-relative, no __init__.py):
    # pytest refuses to collect a second module of the same name, which fails the whole run.
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_each_session_state_key_has_one_name_and_ui_uses_state_s():
    import state
    import ui

    keys = {name: v for name, v in vars(state).items() if name.isupper() and isinstance(v, str)}
    by_value: dict[str, list[str]] = {}
    for name, value in keys.items():
        by_value.setdefault(value, []).append(name)
    assert {v: n for v, n in by_value.items() if len(n) > 1} == {}  # one key, two names
    assert (ui.IMPORTS, ui.IMPORT_BYTES, ui.URL_DATA_NOTES, ui.MODE, ui.DATA_KEY) == (
        state.IMPORTS,
        state.IMPORT_BYTES,
        state.URL_DATA_NOTES,
        state.DATASET_MODE,
        state.DATA_KEY,
    )


def test_the_shared_date_filter_is_written_through_state_s_names():
    # A bare "start"/"end" elsewhere would silently drift from the filter's key and URL name.
    for name in ("app.py", "ui.py", "playback_ui.py", "map_links.py", "map_assets.py"):
        code = (ROOT / name).read_text(encoding="utf-8")
        assert not re.search(r"session_state\[\s*[\"'](start|end)[\"']", code), name
    for page in (ROOT / "pages").glob("*.py"):
        code = page.read_text(encoding="utf-8")
        assert not re.search(r"session_state\[\s*[\"'](start|end)[\"']", code), page.name


def test_contributing_s_layout_names_every_module_and_folder():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = text.split("## Layout", 1)[1].split("## How data flows", 1)[0]
    wanted = [f"`geo/{p.name}`" for p in (ROOT / "geo").glob("*.py") if p.name != "__init__.py"]
    wanted += [f"`geo/{p.name}/`" for p in (ROOT / "geo").iterdir() if (p / "__init__.py").exists()]
    wanted += [f"`{p.name}`" for p in ROOT.glob("*.py")]
    wanted += [f"`{name}/`" for name in ("pages", "data", "seeds", "static", "bench")]
    assert [w for w in wanted if w not in table] == []
