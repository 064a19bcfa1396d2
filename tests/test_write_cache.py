"""The write stage skips the article and raw-text pages whose inputs did not change
(``scripts/write.py``: ``write_groups``, keyed by the articles and :class:`PageLinks`), and
rewrites a page whenever anything it shows changed, also when that is another article (a
related article's new title), or when the file was edited or removed by hand.

The code fingerprint is pinned (as in ``tests/test_cache.py``): someone editing ``scripts/``
while the tests run would otherwise, rightly, switch the cache off.
"""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import cache as cache_mod
from scripts.indexes import Site
from scripts.model import BuildReport
from scripts.pipeline import PROJECT, enrich_report
from scripts.write import article_page, page_links, write_all


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("ARCHIVE_CACHE", raising=False)
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda *args, **kwargs: "pinned")
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    return tmp_path


@pytest.fixture(scope="module")
def linked(seed_report, tmp_path_factory) -> BuildReport:
    """The seed report enriched and linked (tags, related articles …), as the build writes it."""
    return enrich_report(seed_report, PROJECT / "seeds" / "tags.yml", tmp_path_factory.mktemp("linked"))


def pages(docs: Path) -> dict[str, tuple[str, int]]:
    """Every generated article and raw-text page: text and modification time."""
    return {str(p.relative_to(docs)): (p.read_text(encoding="utf-8"), p.stat().st_mtime_ns)
            for folder in ("a", "src") for p in sorted((docs / folder).glob("*.md"))}


def retitled(report: BuildReport, article_id: str, title: str) -> BuildReport:
    return dataclasses.replace(report, pages=tuple(
        dataclasses.replace(p, articles=tuple(dataclasses.replace(a, title=title) if a.id == article_id else a
                                              for a in p.articles)) for p in report.pages))


def test_unchanged_pages_are_not_written_again(project, linked, caplog):
    docs = project / "docs"
    write_all(linked, docs, root=project)
    first = pages(docs)
    caplog.set_level("INFO", logger="archive")
    write_all(linked, docs, root=project)
    assert pages(docs) == first  # same text, and not even touched
    assert "cache pages written: 5 kept, 0 written" in caplog.text


def test_a_page_follows_a_change_to_another_article(project, linked):
    """Retitle an article that others list as related: their pages (in other page files,
    whose own articles did not change) show the new title at once."""
    docs = project / "docs"
    write_all(linked, docs, root=project)
    articles = [a for p in linked.pages for a in p.articles]
    target = next(a for a in articles if any(a.id in o.related and o.source_file != a.source_file for o in articles))
    listers = [o for o in articles if target.id in o.related and o.source_file != target.source_file]
    changed = retitled(linked, target.id, "改过的标题")
    write_all(changed, docs, root=project)
    site = Site.build([a for p in changed.pages for a in p.articles])
    for o in listers:
        text = (docs / "a" / f"{o.id}.md").read_text(encoding="utf-8")
        assert "改过的标题" in text
        assert text == article_page(o, site, has_source=(docs / "src" / f"{o.id}.md").exists())


def test_a_page_edited_or_removed_by_hand_is_written_again(project, linked):
    docs = project / "docs"
    write_all(linked, docs, root=project)
    first = {k: text for k, (text, _) in pages(docs).items()}
    some = sorted((docs / "a").glob("*.md"))
    some[0].write_text("edited by hand\n", encoding="utf-8")
    some[1].unlink()
    write_all(linked, docs, root=project)
    assert {k: text for k, (text, _) in pages(docs).items()} == first


def test_page_links_hold_what_the_page_shows(linked):
    """The page is a function of the article and its links: equal links, equal page, even
    when the rest of the site differs (here: one article left out of the site that the
    page does not show)."""
    articles = [a for p in linked.pages for a in p.articles]
    full = Site.build(articles)
    checked = 0
    for a in articles:
        shown = {a.id, *a.related, *a.near_duplicates,
                 *(i for _, _, _, others in page_links(a, full).same_zone for i, _, _ in others)}
        unseen = [o for o in articles if o.id not in shown and not set(o.zones) & set(a.zones)
                  and not set(o.tags) & set(a.tags) and not set(o.topics) & set(a.topics)
                  and not {x.name for x in o.authors} & {x.name for x in a.authors}]
        if unseen:
            checked += 1
            smaller = Site.build([o for o in articles if o.id != unseen[0].id])
            assert page_links(a, smaller) == page_links(a, full)
            assert article_page(a, smaller) == article_page(a, full)
    assert checked >= 5


# --- the exports: each page file's part, copied from the last export when it is still as written ---

def exports(docs: Path) -> dict[str, tuple[bytes, int]]:
    return {name: ((docs / "data" / name).read_bytes(), (docs / "data" / name).stat().st_mtime_ns)
            for name in ("articles.jsonl", "figures.csv")}


def exports_of(report: BuildReport) -> dict[str, bytes]:
    """The exports as written whole from the report (the reference)."""
    from scripts.write import article_order, article_record, figures_csv, json_lines

    articles = sorted((a for p in report.pages for a in p.articles), key=article_order)
    return {"articles.jsonl": json_lines([article_record(a) for a in articles]).encode("utf-8"),
            "figures.csv": figures_csv(articles).encode("utf-8")}


def test_exports_after_a_change_are_the_exports_written_whole_without_reading_the_parts_kept(
        project, linked, monkeypatch):
    import scripts.write as write

    docs = project / "docs"
    write_all(linked, docs, root=project)
    assert {k: v for k, (v, _) in exports(docs).items()} == exports_of(linked)
    articles = [a for p in linked.pages for a in p.articles]
    changed = retitled(linked, articles[-1].id, "改过的标题")

    read_back = []
    monkeypatch.setattr(write, "is_parts", lambda value: read_back.append(value) or True)
    write_all(changed, docs, root=project)
    assert {k: v for k, (v, _) in exports(docs).items()} == exports_of(changed)
    assert read_back == []  # the kept groups' parts were copied from the last export


def test_exports_are_not_rewritten_when_nothing_changed(project, linked):
    docs = project / "docs"
    write_all(linked, docs, root=project)
    first = exports(docs)
    write_all(linked, docs, root=project)
    assert exports(docs) == first


def test_an_export_edited_by_hand_is_made_again_from_the_parts(project, linked):
    docs = project / "docs"
    write_all(linked, docs, root=project)
    (docs / "data" / "articles.jsonl").write_bytes(b'{"edited": "by hand"}\n')
    (docs / "data" / "figures.csv").unlink()
    write_all(linked, docs, root=project)
    assert {k: v for k, (v, _) in exports(docs).items()} == exports_of(linked)


parts_st = st.dictionaries(st.sampled_from("abcdefgh"), st.binary(max_size=6), max_size=8)


@settings(max_examples=150, deadline=None)
@given(first=parts_st, second=parts_st, order=st.randoms(use_true_random=False),
       kept=st.sets(st.sampled_from("abcdefgh")), edit=st.booleans())
def test_concatenate_holds_the_head_and_the_parts_whatever_the_last_build_was(
        tmp_path_factory, first, second, order, kept, edit):
    """Two builds: the second keeps some parts of the first (not passed again: copied from the
    file, or ``stored``), changes others and reorders; the file is always head + parts."""
    from scripts.cache import Cache
    from scripts.write import concatenate

    folder = tmp_path_factory.mktemp("concat")
    cache, path = Cache(folder / "cache", "f"), folder / "out.csv"
    keys1 = sorted(first)
    concatenate(path, b"H", keys1, dict(first), lambda k: pytest.fail("nothing to store"), cache)
    assert path.read_bytes() == b"H" + b"".join(first[k] for k in keys1)
    if edit:
        path.write_bytes(b"edited")
    keys2 = sorted(set(second) | (kept & set(first)))
    order.shuffle(keys2)
    fresh = {k: v for k, v in second.items() if k not in kept or k not in first}
    whole = {**first, **fresh}
    concatenate(path, b"H", keys2, fresh, lambda k: first[k], cache)
    assert path.read_bytes() == b"H" + b"".join(whole[k] for k in keys2)


def test_a_page_key_spells_out_every_field_of_its_links(linked):
    """``PageLinks.fields`` (what the page key holds) is every field: a field left out would
    leave pages unwritten when only it changed."""
    site = Site.build([a for p in linked.pages for a in p.articles])
    for a in (a for p in linked.pages for a in p.articles):
        links = page_links(a, site)
        assert links.fields() == tuple(getattr(links, f.name) for f in dataclasses.fields(links))


def test_concatenate_copies_by_reading_where_the_kernel_cannot(tmp_path, monkeypatch):
    """Without ``os.copy_file_range`` (another system, or files it cannot copy between) the
    kept parts are read and written: the same file."""
    import os

    from scripts.cache import Cache
    from scripts.write import concatenate

    cache, path = Cache(tmp_path / "cache", "f"), tmp_path / "out.csv"
    concatenate(path, b"H", ["a", "b", "c"], {"a": b"1", "b": b"22", "c": b"333"}, None, cache)

    def unavailable(*args):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", unavailable)
    assert concatenate(path, b"H", ["c", "a", "d"], {"d": b"4444"}, lambda k: pytest.fail(k), cache)
    assert path.read_bytes() == b"H3331" + b"4444"


def test_an_export_is_made_again_when_the_cached_parts_are_gone_too(project, linked):
    """Export edited by hand and the parts cache emptied: the kept page files are written again
    for their parts, and the export is the one written whole."""
    from scripts.cache import CACHE_DIR

    docs = project / "docs"
    write_all(linked, docs, root=project)
    for entry in (project / CACHE_DIR / "exports").iterdir():
        entry.unlink()
    (docs / "data" / "articles.jsonl").write_bytes(b"edited\n")
    write_all(linked, docs, root=project)
    assert {k: v for k, (v, _) in exports(docs).items()} == exports_of(linked)
