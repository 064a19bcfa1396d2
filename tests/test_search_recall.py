"""Search recall on the seeds, measured with the site's real search in headless Chromium
(scripts/search_recall.py): every tag, every zone name and words and substrings sampled from the
bodies must find every article that contains them; what a query downloads is measured too.

Skipped when Playwright or /usr/bin/chromium is missing. The site is a strict build of a copy of
the project (its hooks write the chunked index, scripts/search_hooks.py). Times are printed,
never asserted.
"""
from __future__ import annotations

import json

import pytest

from scripts.search_recall import (FIGURE_QUERIES, TARGETS, build_site, chromium_available, copy_project,
                                   first_results, measure, query_bytes, said_count, search_figures)

pytestmark = [pytest.mark.site,
              pytest.mark.skipif(not chromium_available(), reason="needs Playwright and /usr/bin/chromium")]

BUDGET = 500_000  # bytes a query may download (issue 5: at 10,000 articles)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("recall") / "project")
    return build_site(project.parent / "site", project)


@pytest.fixture(scope="module")
def measured(site):
    return measure(site)


def test_recall_meets_the_targets(measured):
    print("\n" + measured.table())
    scores = measured.scores
    assert scores["tags"].recall >= TARGETS["tags"], scores["tags"].missed
    assert scores["zones"].recall >= TARGETS["zones"], scores["zones"].missed
    assert measured.overall.recall >= TARGETS["overall"], measured.overall.missed[:20]
    for name in ("words", "substrings"):
        assert scores[name].queries >= 50  # the sample is really there


def test_what_the_search_box_shows_is_what_was_measured(measured):
    assert measured.ui_checks
    for text, said, groups in measured.ui_checks:
        assert said_count(said) == groups, (text, said, groups)


def test_search_makes_no_request_to_another_host(measured):
    assert measured.blocked == []


def test_the_index_is_chunked_and_material_gets_a_small_setup(site):
    """Material's search_index.json holds the index's settings and the few pages MkDocs renders,
    no article; the index is in several files, and no query here reads them all."""
    material = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert material["config"]["archive"]["docs"] > 0
    assert not any(d["location"].startswith("a/") for d in material["docs"])
    figures = search_figures(site)
    print("\n" + "\n".join(f"{k}: {v:,}" for k, v in figures.items()))
    assert figures["files"] > 2 and figures["search_index.json bytes"] < 100_000
    assert figures["bytes max"] < min(BUDGET, figures["index bytes"])


def test_typing_shows_results_and_fetches_what_was_counted(site):
    """The first results appear after typing (times printed, not asserted), and the browser
    fetches exactly the bytes :func:`query_bytes` counts."""
    queries = FIGURE_QUERIES[:3]
    shown = first_results(site, queries)
    for q in queries:
        ms, size = shown[q]
        print(f"\n{q}: first results after {ms:.0f} ms, {size:,} bytes")
        assert ms > 0 and size == query_bytes(site, q)
