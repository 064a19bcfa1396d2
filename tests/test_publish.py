"""Generated site pages (scripts/publish.py, scripts/charts.py): home, data page, CSV, feeds;
the search n-grams; and, on a real strict build, that no HTML page names another host.

The seed articles get every kind of date (recorded, inferred, unknown), a hostile tag and a zone
outside the gazetteer from ``tests.test_indexes.enrich_for_test``; the feeds are also fed more
articles than they list, with hostile titles.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from scripts.charts import Bar, bar_chart
from scripts.indexes import OTHER_PROVINCE, UNKNOWN_YEAR_TITLE, year_of, zone_province
from scripts.model import Author, BuildReport
from scripts.publish import ARTICLES_CSV_COLUMNS, FEED_SIZE, atom_feed, rss_feed, short_province, site_pages
from scripts.write import article_order, write_all

SVG = "{http://www.w3.org/2000/svg}"
ATOM = "{http://www.w3.org/2005/Atom}"
CONFIG = {"site_name": "高新区党建报道数字档案", "site_description": "测试"}


@pytest.fixture(scope="module")
def report(seed_report):
    from tests.test_indexes import enrich_for_test

    enriched = {a.id: a for a in enrich_for_test([a for p in seed_report.pages for a in p.articles])}
    pages = tuple(dataclasses.replace(p, articles=tuple(enriched[a.id] for a in p.articles))
                  for p in seed_report.pages)
    return BuildReport(pages, seed_report.diagnostics)


@pytest.fixture(scope="module")
def articles(report):
    return sorted((a for p in report.pages for a in p.articles), key=article_order)


@pytest.fixture(scope="module")
def pages(report, articles):
    return site_pages(report, articles, CONFIG)


def svgs(markdown: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", markdown, re.S)
            if 'class="gxq-chart"' in m]


def bars(svg: ET.Element) -> list[tuple[str, int]]:
    return [(g.get("data-label"), int(g.get("data-value"))) for g in svg.iter(f"{SVG}g") if g.get("class") == "bar"]


def many(articles, n=27):
    """``n`` articles with distinct ids, dates spread over years (some partial, some missing)
    and titles full of XML syntax."""
    out = []
    for i in range(n):
        a = articles[i % len(articles)]
        date = [f"20{10 + i % 15:02d}-0{1 + i % 9}-1{i % 10}", f"20{10 + i % 15:02d}", None][i % 3]
        out.append(dataclasses.replace(a, id=f"x{i:03d}", date=date, date_basis="inferred" if date else None,
                                       title=f"标题{i} <b>&amp;</b> \"引号\" ]]> \x0b",
                                       authors=(Author("张 & 李"),)))
    return out


# --- home ---------------------------------------------------------------------------------

def test_home_counts_match_the_articles(report, articles, pages):
    home = pages["index.md"]
    zones = {z for a in articles for z in a.zones}
    expected = {
        "篇文章": sum(a.kind == "article" for a in articles),
        "则图片报道": sum(a.kind == "photo" for a in articles),
        "个报纸版面": len(report.pages),
        "个高新区": len(zones),
        "个省级行政区": len({zone_province(z) for z in zones} - {OTHER_PROVINCE}),
        "个年份": len({year_of(a) for a in articles if year_of(a)}),
        "位署名作者": len({au.name for a in articles for au in a.authors}),
    }
    shown = {unit: int(n) for n, unit in re.findall(r"\*\*(\d+)\*\* ?(篇文章|则图片报道|个报纸版面|个高新区|"
                                                     r"个省级行政区|个年份|位署名作者)", home)}
    if not expected["则图片报道"]:
        expected.pop("则图片报道")
    assert shown == expected
    inferred = sum(a.date_basis == "inferred" and bool(a.date) for a in articles)
    assert f"其中 {inferred} 篇的日期由正文推断" in home
    assert home.startswith("---\nsearch:\n  exclude: true\n---\n")


def test_home_lists_the_newest_articles_with_inferred_dates_labelled(articles, pages):
    home = pages["index.md"]
    section = home.split("## 最新文章", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^- \[.*?\]\(a/(\w+)\.md\) · (.*)$", section, re.M)
    assert 0 < len(items) <= 10
    by_id = {a.id: a for a in articles}
    dates = [by_id[i].date or "" for i, _ in items]
    assert dates == sorted(dates, reverse=True)
    for i, details in items:
        a = by_id[i]
        assert ("推断" in details) == (a.date_basis == "inferred" and bool(a.date)), details
    assert "## 文本是怎样整理的" in home  # the hand-written text kept
    for link in ("years/index.md", "articles.md", "data.md", "feed.xml", "atom.xml"):
        assert f"]({link})" in home


def test_charts_are_svg_with_one_bar_per_year_and_province(articles, pages):
    years_svg, provinces_svg = svgs(pages["index.md"])
    years = Counter(year_of(a) or UNKNOWN_YEAR_TITLE for a in articles)
    assert sorted(bars(years_svg)) == sorted(years.items())
    assert [label for label, _ in bars(years_svg)][-1:] == ([UNKNOWN_YEAR_TITLE] if None in map(year_of, articles)
                                                            else [max(y for y in years)])
    provinces = Counter(p for a in articles for p in {zone_province(z) for z in a.zones})
    assert sorted(bars(provinces_svg)) == sorted((short_province(p), n) for p, n in provinces.items())
    for svg in (years_svg, provinces_svg):
        assert svg.get("role") == "img" and svg.find(f"{SVG}title").text
        assert not svg.findall(f".//{SVG}script") and not svg.findall(f".//{SVG}image")


def test_chart_escapes_labels_and_draws_the_part_lighter():
    svg = ET.fromstring(bar_chart([Bar("<b>&", 4, part=1), Bar("零", 0)], "标题 & <x>", "t"))
    assert bars(svg) == [("<b>&", 4), ("零", 0)]
    first = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "bar")
    widths = [float(r.get("width")) for r in first.iter(f"{SVG}rect")]
    assert len(widths) == 2 and widths[0] == pytest.approx(3 * widths[1], rel=0.02)


# --- data page and CSV --------------------------------------------------------------------

def test_articles_csv_columns(articles, pages):
    text = pages["data/articles.csv"]
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert tuple(rows[0].keys()) == ARTICLES_CSV_COLUMNS
    assert [r["id"] for r in rows] == [a.id for a in articles]
    for r, a in zip(rows, articles):
        assert r["url"] == f"a/{a.id}/" and r["title"] == a.title and r["kind"] == a.kind
        assert r["title_inferred"] == ("true" if a.title_inferred else "false")
        assert r["date"] == (a.date or "") and r["date_basis"] == (a.date_basis or "")
        assert r["zones"].split("、") == list(a.zones) or (not a.zones and r["zones"] == "")
        assert r["tags"] == "、".join(a.tags) and r["source_file"] == a.source_file


def test_data_page_links_exist(report, tmp_path):
    write_all(report, tmp_path)
    data = (tmp_path / "data.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", data)
    for needed in ("data/articles.jsonl", "data/articles.csv", "data/figures.csv", "data/sources.jsonl",
                   "feed.xml", "atom.xml"):
        assert needed in links
    for link in links:
        assert (tmp_path / link).is_file(), link
    for field in ARTICLES_CSV_COLUMNS:
        assert f"`{field}`" in data
    for name in ("index.md", "feed.xml", "atom.xml", "data/articles.csv"):
        assert (tmp_path / name).is_file()


# --- feeds --------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [3, 27])
def test_feeds_are_well_formed_newest_first(articles, n):
    arts = many(articles, n)
    by_id = {a.id: a for a in arts}
    for config in (CONFIG, {**CONFIG, "site_url": "https://example.org/gxq-dangjian"}):
        rss = ET.fromstring(rss_feed(arts, config).encode("utf-8"))
        items = rss.findall("./channel/item")
        atom = ET.fromstring(atom_feed(arts, config).encode("utf-8"))
        entries = atom.findall(f"{ATOM}entry")
        assert len(items) == len(entries) == min(n, FEED_SIZE)
        rss_ids = [re.search(r"a/(\w+)/$", i.findtext("link")).group(1) for i in items]
        atom_ids = [re.search(r"a/(\w+)/$", e.find(f"{ATOM}link").get("href")).group(1) for e in entries]
        assert rss_ids == atom_ids
        dates = [by_id[i].date or "" for i in rss_ids]
        assert dates == sorted(dates, reverse=True)
        assert items[0].findtext("title") == by_id[rss_ids[0]].title.replace("\x0b", "")
        base = config.get("site_url")
        for link in [i.findtext("link") for i in items] + [e.find(f"{ATOM}link").get("href") for e in entries]:
            assert link.startswith(base + "/a/") if base else link.startswith("a/")
        assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)
        for e in entries:
            assert re.match(r"^\d{4}-\d{2}-\d{2}T00:00:00\+08:00$", e.findtext(f"{ATOM}updated"))


def test_feeds_of_the_seed_articles(articles, pages):
    rss = ET.fromstring(pages["feed.xml"].encode("utf-8"))
    atom = ET.fromstring(pages["atom.xml"].encode("utf-8"))
    assert len(rss.findall("./channel/item")) == len(atom.findall(f"{ATOM}entry")) == min(len(articles), FEED_SIZE)
    assert rss.get("version") == "2.0" and atom.tag == f"{ATOM}feed"


# --- the built site -----------------------------------------------------------------------

URL_ATTRS_ALLOWED = {"xmlns", "itemtype", "vocab", "typeof", "property", "profile"}  # names, not fetched


class _Attrs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name not in URL_ATTRS_ALLOWED and not name.startswith("xmlns:"):
                for url in re.findall(r"(?:https?:)?//[^\s\"'<>,)]+", value):
                    self.found.append((tag, name, url))


@pytest.mark.site
def test_no_external_url_in_built_html(tmp_path_factory):
    """Every attribute of every HTML page names only the site itself (text may quote URLs)."""
    from scripts.publish import base_url, mkdocs_config
    from scripts.search_recall import build_site, copy_project

    tmp = tmp_path_factory.mktemp("publish")
    project = copy_project(tmp / "project")
    site = build_site(tmp / "site", project)
    own = urlsplit(base_url(mkdocs_config(project / "mkdocs.yml"))).netloc
    external = []
    for page in sorted(site.rglob("*.html")):
        parser = _Attrs()
        parser.feed(page.read_text(encoding="utf-8"))
        external += [(str(page.relative_to(site)), *f) for f in parser.found
                     if urlsplit(f[2] if not f[2].startswith("//") else "http:" + f[2]).netloc != own]
    assert not external, external[:10]
    assert (site / "feed.xml").is_file() and (site / "atom.xml").is_file()
    assert (site / "data" / "articles.csv").is_file() and (site / "data" / "index.html").is_file()
    ET.parse(site / "feed.xml"), ET.parse(site / "atom.xml")
