"""Index pages (scripts/indexes.py): slugs, one page per term, order, 推断 labels, provinces.

The seed articles go through the real pipeline and ``link_all``; the enrich fields (tags, topics,
dates, people, figures) are filled here by :func:`enrich_for_test`, deterministically, so these
tests do not depend on the enrich modules being finished.
"""
from __future__ import annotations

import dataclasses
import re

import pytest
from mkdocs.utils.meta import get_data

from scripts.indexes import (OTHER_PROVINCE, UNKNOWN_YEAR, Site, index_pages, newest_first, slug,
                             slugs, year_of, zone_province)
from scripts.link import link_all
from scripts.model import Article, Figure, Person
from scripts.write import article_page, date_text

HOSTILE_TAG = "C++ | *重点* <b>"


def enrich_for_test(articles: list[Article]) -> list[Article]:
    """Deterministic stand-ins for the enrich stage: every field filled on some articles, empty
    on others; a third of the dates inferred (with evidence), a third from the manifest, a third
    unknown; one hostile tag name; one zone that is not in the gazetteer."""
    out = []
    for i, a in enumerate(sorted(articles, key=lambda a: a.id)):
        date, basis, evidence = [("2024-04-22", "inferred", "4月22日"), ("2023-07", "manifest", None),
                                 (None, None, None)][i % 3]
        if i == 4:
            date, basis, evidence = "2024", "inferred", "2024年以来"
        tags = ("党建引领",) + (("人才",) if i % 2 else ()) + ((HOSTILE_TAG,) if i == 1 else ())
        zones = a.zones + (("测试高新区",) if i == 2 else ())
        out.append(dataclasses.replace(
            a, date=date, date_basis=basis, date_evidence=evidence, tags=tags if i != 5 else (),
            topics=("高新区党建",) if i % 4 else (), zones=zones,
            people=(Person("张三", "党工委书记"), Person("李四")) if i % 2 else (),
            organizations=("青岛高新区党工委",) if i % 3 == 0 else (),
            figures=(Figure("党员", "2720", "名", "拥有党员2720名，其中|高企党员*1680*名。"),) if i % 2 == 0 else ()))
    return link_all(out)


@pytest.fixture(scope="module")
def articles(seed_report):
    return enrich_for_test([a for p in seed_report.pages for a in p.articles])


@pytest.fixture(scope="module")
def site(articles):
    return Site.build(articles)


@pytest.fixture(scope="module")
def pages(site):
    return index_pages(site)


def links_of(markdown: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", markdown)


# --- slugs ----------------------------------------------------------------------------------

def test_slugs_are_short_ascii_and_stable():
    names = ["党员先锋岗", "人才", HOSTILE_TAG, "杭州高新区（滨江）", "a b", ""]
    for name in names:
        s = slug("t", name)
        assert s.isascii() and re.fullmatch(r"t-[0-9a-f]{8}", s), s
        assert s == slug("t", name)
    assert slugs("t", names) == slugs("t", list(reversed(names)))
    assert slugs("t", names)["人才"] == slugs("t", ["人才"])["人才"]  # independent of the other names
    assert slug("t", "人才") == "t-" + __import__("hashlib").sha1("人才".encode()).hexdigest()[:8]


def test_colliding_slugs_get_longer(monkeypatch):
    import scripts.indexes as ix

    monkeypatch.setattr(ix, "slug", lambda prefix, name, digits=8: f"{prefix}-{'0' * digits}"
                        if digits == 8 else f"{prefix}-{name}")
    assert ix.slugs("t", ["甲", "乙"]) == {"甲": "t-甲", "乙": "t-乙"}


def test_slugs_do_not_depend_on_article_order(articles):
    one, two = Site.build(articles), Site.build(list(reversed(articles)))
    for tax in ("tags", "topics", "zones", "authors", "years"):
        assert {n: t.slug for n, t in getattr(one, tax).items()} == {n: t.slug for n, t in getattr(two, tax).items()}
    assert index_pages(one) == index_pages(two)


# --- one page per term ----------------------------------------------------------------------

def test_every_term_of_every_article_has_a_page(articles, site, pages):
    for a in articles:
        for tag in a.tags:
            assert f"tags/{site.tags[tag].slug}.md" in pages
        for topic in a.topics:
            assert f"topics/{site.topics[topic].slug}.md" in pages
        for zone in a.zones:
            assert f"zones/{site.zones[zone].slug}.md" in pages
        for au in a.authors:
            assert f"authors/{site.authors[au.name].slug}.md" in pages
        year = year_of(a) or UNKNOWN_YEAR
        assert f"years/{year}.md" in pages
    for folder in ("tags", "topics", "zones", "authors", "years"):
        assert f"{folder}/index.md" in pages
    assert "years/2024.md" in pages and "years/2023.md" in pages and "years/unknown.md" in pages


def test_term_pages_list_exactly_their_articles(articles, site, pages):
    for tag, term in site.tags.items():
        text = pages[f"tags/{term.slug}.md"]
        listed = re.findall(r"\(\.\./a/([0-9a-z]+)\.md\)", text)
        assert listed == [a.id for a in newest_first(a for a in articles if tag in a.tags)]
        assert f"共 {len(listed)} 篇" in text


def test_no_term_page_without_articles_and_every_link_resolves(pages):
    for path, text in pages.items():
        assert text.count("- [") or path.endswith("index.md"), path
        folder = path.split("/")[0]
        for link in links_of(text):
            target = link[3:] if link.startswith("../") else f"{folder}/{link}"
            assert target.startswith("a/") or target in pages, (path, link)


def test_pages_have_front_matter_titles(pages):
    for path, text in pages.items():
        _, meta = get_data(text)
        assert meta.get("title"), path


def test_empty_taxonomies_still_have_an_index_page(seed_report):
    plain = [dataclasses.replace(a, tags=(), topics=(), authors=()) for p in seed_report.pages for a in p.articles]
    pages = index_pages(Site.build(plain))
    assert set(p for p in pages if p.startswith(("tags/", "topics/", "authors/"))) == {
        "tags/index.md", "topics/index.md", "authors/index.md"}
    assert "还没有" in pages["tags/index.md"] and "- [" not in pages["tags/index.md"]
    assert "years/unknown.md" in pages  # the seeds have no dates yet


# --- order and labels -----------------------------------------------------------------------

def test_newest_first_with_undated_last(articles):
    ordered = newest_first(articles)
    dates = [a.date for a in ordered]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[len(dated):] == [None] * (len(dates) - len(dated))
    assert newest_first(reversed(articles)) == ordered
    same_day = [a for a in ordered if a.date == "2024-04-22"]
    assert [a.title for a in same_day] == sorted(a.title for a in same_day)


def test_tag_index_sorted_by_count_then_name(site, pages):
    text = pages["tags/index.md"]
    shown = [site.tags[n] for n in site.tags]
    expected = sorted(shown, key=lambda t: (-len(t.articles), t.name))
    positions = [text.index(f"({t.slug}.md)") for t in expected]
    assert positions == sorted(positions)
    assert "C++ \\| \\*重点\\* &lt;b&gt;" in text  # the hostile tag is escaped


def test_inferred_dates_are_labelled_everywhere(articles, site, pages):
    inferred = [a for a in articles if a.date_basis == "inferred"]
    assert inferred
    for a in inferred:
        assert date_text(a) == f"{a.date}（推断）"
        year = pages[f"years/{year_of(a)}.md"]
        assert f"({'../a/' + a.id}.md) · {a.date}（推断）" in year
        for zone in a.zones:
            assert f"{a.date}（推断）" in pages[f"zones/{site.zones[zone].slug}.md"]
        page = article_page(a, site)
        assert "（推断）" in page and f"日期为推断，依据：“{a.date_evidence}”" in page
    assert "其中 " in pages["years/index.md"] and "篇日期为推断" in pages["years/index.md"]
    for a in articles:
        if a.date_basis == "manifest":
            assert f"{a.date}（推断）" not in pages[f"years/{year_of(a)}.md"]


def test_undated_articles_are_on_the_unknown_page(articles, pages):
    text = pages["years/unknown.md"]
    assert "日期未知" in text
    for a in articles:
        assert (f"(../a/{a.id}.md)" in text) == (a.date is None)


# --- zones ----------------------------------------------------------------------------------

def test_zone_index_grouped_by_province(site, pages):
    text = pages["zones/index.md"]
    headings = re.findall(r"^## (.+?)（\d+ 篇）$", text, re.M)
    assert headings[-1] == OTHER_PROVINCE  # 测试高新区 is not in the gazetteer
    assert "山东省" in headings and len(headings) == len(set(headings))
    sections = dict(zip(headings, re.split(r"^## .+$", text, flags=re.M)[1:]))
    for name, term in site.zones.items():
        assert f"({term.slug}.md)" in sections[zone_province(name)], name
    assert f"({site.zones['青岛高新区'].slug}.md) · 青岛市" in sections["山东省"]


def test_zone_page_has_gazetteer_facts(site, pages):
    text = pages[f"zones/{site.zones['杭州高新区（滨江）'].slug}.md"]
    assert "全称：杭州高新技术产业开发区" in text and "所在地：浙江省杭州市" in text
    assert "别称：" in text
    other = pages[f"zones/{site.zones['测试高新区'].slug}.md"]
    assert "未收入国家高新区名录" in other and "全称" not in other


def test_authors_index_lists_roles(site, pages):
    text = pages["authors/index.md"]
    assert f"[戈清平]({site.authors['戈清平'].slug}.md) · 本报记者" in text


def many(articles: list[Article], n: int, tag: str = "大标签") -> list[Article]:
    """``n`` distinct articles made from the seed ones, all with ``tag``."""
    return [dataclasses.replace(articles[i % len(articles)], id=f"{i:010x}", tags=(tag,), date=f"{2000 + i % 25}",
                                date_basis="manifest", related=(), near_duplicates=())
            for i in range(n)]


def test_long_lists_are_split_into_pages_that_link_each_other(articles):
    from scripts.indexes import PAGE_SIZE

    lots = many(articles, 2 * PAGE_SIZE + 7)
    site = Site.build(lots)
    pages = index_pages(site)
    term = site.tags["大标签"]
    paths = [f"tags/{term.slug}.md", f"tags/{term.slug}-2.md", f"tags/{term.slug}-3.md"]
    assert [p for p in pages if p.startswith(f"tags/{term.slug}")] == paths
    listed = [re.findall(r"\(\.\./a/([0-9a-z]+)\.md\)", pages[p]) for p in paths]
    assert [len(ids) for ids in listed] == [PAGE_SIZE, PAGE_SIZE, 7]
    assert sum(listed, []) == [a.id for a in newest_first(lots)]  # every article once, in order
    assert f"共 {len(lots)} 篇" in pages[paths[2]] and "第 3 页，共 3 页" in pages[paths[2]]
    assert f"[下一页 ›]({term.slug}-2.md)" in pages[paths[0]]
    assert f"[‹ 上一页]({term.slug}-2.md)" in pages[paths[2]]
    for path, text in pages.items():  # every pager link names a page that exists
        for link in links_of(text):
            target = link[3:] if link.startswith("../") else f"{path.split('/')[0]}/{link}"
            assert target.startswith("a/") or target in pages, (path, link)


def test_long_overviews_are_split_too(articles):
    from scripts.indexes import PAGE_SIZE

    lots = [dataclasses.replace(a, tags=(f"标签{i}",)) for i, a in enumerate(many(articles, PAGE_SIZE + 1))]
    pages = index_pages(Site.build(lots))
    assert "tags/index-2.md" in pages and "tags/index-3.md" not in pages
    assert pages["tags/index-2.md"].count("\n- [") == 1


def test_the_article_list_is_split_by_whole_source_pages(articles, seed_report):
    from scripts.indexes import PAGE_SIZE
    from scripts.model import BuildReport
    from scripts.write import articles_index

    page = seed_report.pages[0]
    pages = tuple(dataclasses.replace(page, file=f"seeds/{k:04d}.txt",
                                      articles=tuple(dataclasses.replace(a, id=f"{k:06d}{j:04d}") for j, a in
                                                     enumerate(page.articles)))
                  for k in range(PAGE_SIZE))
    listing = articles_index(BuildReport(pages, ()))
    n = len(pages) * len(page.articles)
    assert list(listing)[:2] == ["articles.md", "articles-2.md"]
    assert sum(t.count("](a/") for t in listing.values()) == n
    assert all(f"共 {n} 篇" in t for t in listing.values())
    for text in listing.values():  # a source page's articles stay together
        for k in range(len(pages)):
            block = text.count(f"(a/{k:06d}")
            assert block in (0, len(page.articles))


def test_same_zone_section_counts_every_other_article_and_lists_ten(articles):
    from scripts.write import SAME_ZONE_MAX

    lots = [dataclasses.replace(a, zones=("测试高新区",)) for a in many(articles, SAME_ZONE_MAX + 5)]
    site = Site.build(lots)
    ordered = site.zones["测试高新区"].articles
    for a in (ordered[0], ordered[SAME_ZONE_MAX + 2]):  # listed first, and beyond the first ten
        text = article_page(a, site)
        section = text.split("## 同一高新区的其他文章", 1)[1]
        assert f"（另有 {len(lots) - 1} 篇，[全部 {len(lots)} 篇]" in section
        listed = re.findall(r"\]\(([0-9a-z]+)\.md\)", section)
        assert len(listed) == SAME_ZONE_MAX and a.id not in listed
        assert listed == [o.id for o in ordered if o.id != a.id][:SAME_ZONE_MAX]


def test_an_article_on_two_zone_pages_lists_the_other_zone_on_each(articles):
    """An index item is made once per article and page kind (``Site.item``), but on a zone's
    page it leaves out that zone: the memo keeps the two apart."""
    a = next(a for a in articles if len(a.zones) >= 1)
    two = dataclasses.replace(a, zones=("甲高新区", "乙高新区"), tags=("党建引领",))
    pages = index_pages(Site.build([two]))
    first = pages[f"zones/{slug('z', '甲高新区')}.md"]
    second = pages[f"zones/{slug('z', '乙高新区')}.md"]
    item = next(line for line in first.splitlines() if line.startswith("- ["))
    assert "乙高新区" in item and "甲高新区" not in item
    item = next(line for line in second.splitlines() if line.startswith("- ["))
    assert "甲高新区" in item and "乙高新区" not in item
    tag = pages[f"tags/{slug('t', '党建引领')}.md"]
    item = next(line for line in tag.splitlines() if line.startswith("- ["))
    assert "甲高新区、乙高新区" in item
