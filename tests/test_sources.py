"""Every dot traces to a verbatim sentence of its source; casualty totals never double count."""

import hashlib
import shutil
import subprocess

import pandas as pd
import pytest

from geo.events import load_events
from geo.sources import (
    casualty_context,
    check_attribution,
    check_double_counting,
    check_quotes,
    check_sources,
    load_sources,
    load_summaries,
    quote_spans,
    source_labels,
)
from helpers import ROOT


@pytest.fixture(scope="module")
def events():
    return load_events(ROOT / "data" / "events.csv").events


def test_seeds_are_the_shared_articles_unchanged():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for path in shared.iterdir():
        assert (ROOT / "seeds" / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_event_quote_is_verbatim_in_its_source(events):
    assert check_quotes(events) == []


def test_every_summary_quote_is_verbatim_in_its_source():
    assert check_quotes(load_summaries(), id_column="summary_id", file="summaries.csv") == []


def test_a_paraphrased_quote_is_caught(events):
    doctored = events.copy()
    doctored.loc[0, "source_quote"] = doctored.loc[0, "source_quote"].replace("Iran", "Tehran", 1)
    problems = check_quotes(doctored)
    assert len(problems) == 1 and "not verbatim" in str(problems[0])


def test_quote_spans_split_on_the_separator():
    assert quote_spans("A b. ... C d.") == ["A b.", "C d."]


def test_shipped_fatalities_do_not_double_count(events):
    assert check_double_counting(events, load_summaries()) == []


def test_copying_a_multi_site_total_onto_a_site_is_caught(events):
    doctored = events.copy()
    doctored["fatalities"] = doctored["fatalities"].astype("Int64")
    doctored.loc[doctored["event_id"] == "IRQ2", "fatalities"] = 13
    problems = check_double_counting(doctored, load_summaries())
    assert any("IRQ2" in str(p) and "S1" in str(p) for p in problems)


def test_two_events_counting_the_same_deaths_are_caught(events):
    doctored = pd.concat([events, events[events["event_id"] == "IRQ5"].assign(event_id="IRQ99")])
    problems = check_double_counting(doctored, load_summaries())
    assert any("IRQ99" in str(p) and "IRQ5" in str(p) for p in problems)


def test_aggregate_statements_are_kept_as_summaries_not_dots(events):
    summaries = load_summaries()
    figures = set(summaries["fatalities"].dropna()) | set(summaries["attacks"].dropna())
    assert {13, 103}.issubset(figures)
    assert events["fatalities"].sum() < 13  # the 13 killed are not spread over the sites


# ------------------------------------------------------------- source records (sources.csv)


@pytest.fixture(scope="module")
def sources():
    return load_sources()


def test_every_seed_has_a_record_whose_hash_and_stated_fields_match_the_text(sources):
    assert sorted(sources["source_doc"]) == sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert check_sources(sources) == []


@pytest.mark.parametrize("doc", ["000_5d4c6af62367a363.txt", "002_1c7f25da8f82bd90.txt"])
def test_recorded_hash_is_the_sha256_of_the_archived_text(sources, doc):
    recorded = sources.set_index("source_doc").loc[doc, "sha256"]
    assert recorded == hashlib.sha256((ROOT / "seeds" / doc).read_bytes()).hexdigest()
    assert recorded in sources.set_index("source_doc").loc[doc, "citation"]


def test_archived_date_is_when_git_added_the_file(sources):
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("no git checkout to read the history of seeds/ from")
    for row in sources.itertuples():
        added = subprocess.run(
            ["git", "log", "--diff-filter=A", "--format=%aI", "--", f"seeds/{row.source_doc}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split()
        if not added:
            pytest.skip("shallow clone: the commit that added seeds/ is not here")
        assert row.archived == added[-1]


def test_an_invented_title_or_a_changed_text_is_caught(sources, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    doctored = sources.copy()
    doctored.loc[0, "title"] = "Iran strikes Kurdistan"  # not in the text: invented
    doctored.loc[1, "outlet"] = "ERBIL"  # in the text: a value the text states passes
    (seeds / doctored.loc[1, "source_doc"]).write_text(
        (seeds / doctored.loc[1, "source_doc"]).read_text(encoding="utf-8") + " ", encoding="utf-8"
    )
    problems = [str(p) for p in check_sources(doctored, seeds)]
    assert len(problems) == 2
    assert any("'Iran strikes Kurdistan' is not written in" in p for p in problems)
    assert any("column sha256" in p and "002_" in p for p in problems)


def test_a_seed_without_a_record_is_caught(sources, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "003_new.txt").write_text("A new article.", encoding="utf-8")
    assert [p.value for p in check_sources(sources, seeds)] == ["003_new.txt"]


def test_labels_name_a_bundled_source_by_its_record_and_an_import_by_its_own_text(sources):
    labels = source_labels(pd.Series(["002_1c7f25da8f82bd90.txt", "Rudaw; Kurdistan 24"]), sources)
    assert labels[0].startswith("News article on US strikes on Kataib Hezbollah")
    assert labels[0].endswith("(untitled; our description)")
    assert labels[1] == "Rudaw; Kurdistan 24"


# ------------------------------------------------------------------ attribution basis


def test_every_event_has_an_attribution_backed_by_a_verbatim_quote(events):
    assert check_attribution(events) == []


@pytest.mark.parametrize(
    ("event_id", "basis"),
    [
        ("IRQ4", "claimed by the group"),  # "claimed responsibility for the attack"
        ("SYR1", "attributed by others"),  # "an airstrike widely attributed to Israel"
        ("IRQ5", "acknowledged by the attacker"),  # "US Central Command ... announced"
        ("IRQ6", "reported without attribution"),  # "killed by the US": no basis given
    ],
)
def test_attribution_of_each_kind_reads_as_the_text_says(events, event_id, basis):
    assert events.set_index("event_id").loc[event_id, "attribution"] == basis


def test_actor_names_carry_no_basis(events):
    assert not events["attacker"].str.contains(r"attributed|claimed|alleged", case=False).any()
    assert events.set_index("event_id").loc["SYR1", "attacker"] == "Israel"


@pytest.mark.parametrize(
    ("event_id", "basis", "message"),
    [
        ("SYR1", "claimed by the group", "does not say the attack was claimed"),
        ("IRQ4", "reported without attribution", "the quote gives a basis: 'claimed'"),
        ("IRQ5", "confirmed by someone", "is not one of"),
        ("IRQ6", "direction not stated", "is not one of"),
    ],
)
def test_a_wrong_attribution_is_caught(events, event_id, basis, message):
    doctored = events.copy()
    doctored.loc[doctored["event_id"] == event_id, "attribution"] = basis
    problems = [str(p) for p in check_attribution(doctored)]
    assert len(problems) == 1 and message in problems[0] and event_id in problems[0]


def test_a_paraphrased_attribution_quote_is_caught(events):
    doctored = events.copy()
    row = doctored["event_id"] == "SYR1"
    doctored.loc[row, "attribution_quote"] = (
        "Mousavi was killed in an airstrike attributed to Israel."
    )
    problems = check_attribution(doctored)
    assert len(problems) == 1 and "not verbatim" in str(problems[0])


def test_imported_rows_without_attribution_read_as_direction_not_stated():
    from geo.ingest import convert

    result = convert(ROOT / "tests" / "fixtures" / "ingest" / "acled_current.csv")
    assert set(result.events["attribution"]) == {"direction not stated"}


# ------------------------------------------------------------ casualties in context


def test_each_site_of_a_multi_site_total_says_so(events):
    context = dict(zip(events["event_id"], casualty_context(events, load_summaries()), strict=True))
    for site in ("IRQ1", "IRQ2", "IRQ3"):
        assert (
            context[site] == "13 killed, 58 wounded across IRQ1–IRQ3 (summary S1), not broken down"
        )
    assert context["IRQ5"] == "" and context["SYR1"] == ""


def test_a_summary_of_attacks_without_casualties_gives_no_casualty_context(events):
    # S3 covers IRQ4 with a count of attacks, not of casualties: nothing to say about deaths.
    assert dict(zip(events["event_id"], casualty_context(events), strict=True))["IRQ4"] == ""
