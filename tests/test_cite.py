"""Citations (scripts/cite.py): the five texts, written out by hand for two seed articles, and the
head of a built article page (Highwire tags, JSON-LD), hostile titles included."""
from __future__ import annotations

import dataclasses
import html
import json
import re
from html.parser import HTMLParser

import pytest

from scripts.cite import (FORMATS, bibtex, citations, highwire, json_ld, page_data, ris, script_json)
from scripts.model import PageMeta
from scripts.write import article_record
from tests.conftest import by_title, page_of
from tests.test_article_page import HOSTILE_TITLE, built_site  # noqa: F401  (fixture)

SITE = "https://example.org/archive/"
ACCESSED = "2025-03-01"


@pytest.fixture(scope="module")
def with_authors(seed_report):
    """Seed 002's article, two authors (one with a role); the manifest values are made up for the
    test (the real manifest records no newspaper or date yet)."""
    a = by_title(page_of(seed_report, "002"), "打造“党建+”体系")
    meta = PageMeta(newspaper="中国高新技术产业导报", date="2021-06-28", page="4", column="党建")
    return dataclasses.replace(a, meta=meta, date="2021-06-28", date_basis="manifest", date_evidence=None)


@pytest.fixture(scope="module")
def without_author(seed_report):
    """Seed 000's first article: no byline, no manifest entry; its date inferred (set here, so
    that the test does not depend on the date inference)."""
    a = by_title(page_of(seed_report, "000"), "聚力高企党员队伍")
    return dataclasses.replace(a, date="2024", date_basis="inferred", date_evidence="将2024年")


# --- the texts, by hand ---------------------------------------------------------------------

def test_authors_and_manifest_date(with_authors):
    assert with_authors.id == "315bb3244a"
    got = citations(with_authors, SITE, ACCESSED)
    assert list(got) == [key for key, _ in FORMATS]
    assert got["gbt7714"] == "刘文研,戈清平.青岛高新区：打造“党建+”体系 助力发展出“乘”效[N].中国高新技术产业导报,2021-06-28(4)."
    assert got["gbt7714-url"] == ("刘文研,戈清平.青岛高新区：打造“党建+”体系 助力发展出“乘”效[N/OL].中国高新技术产业导报,"
                                  "2021-06-28(4)[2025-03-01].https://example.org/archive/a/315bb3244a/")
    assert got["apa"] == ("刘文研, & 戈清平. (2021, June 28). 青岛高新区：打造“党建+”体系 助力发展出“乘”效. "
                          "中国高新技术产业导报, 4. https://example.org/archive/a/315bb3244a/")
    assert got["bibtex"] == """\
@article{gxqdj-315bb3244a,
  author = {{刘文研} and {戈清平}},
  title = {{青岛高新区：打造“党建+”体系 助力发展出“乘”效}},
  journal = {中国高新技术产业导报},
  year = {2021},
  month = jun,
  date = {2021-06-28},
  pages = {4},
  url = {https://example.org/archive/a/315bb3244a/},
  urldate = {2025-03-01},
  language = {Chinese},
}"""
    assert got["ris"] == """\
TY  - NEWS
TI  - 青岛高新区：打造“党建+”体系 助力发展出“乘”效
AU  - 刘文研
AU  - 戈清平
T2  - 中国高新技术产业导报
PY  - 2021
DA  - 2021/06/28
SP  - 4
LA  - Chinese
UR  - https://example.org/archive/a/315bb3244a/
Y2  - 2025/03/01
DB  - 高新区党建报道数字档案
ER  - """


def test_no_author_inferred_date_unknown_newspaper(without_author):
    assert without_author.id == "e71762d4e9"
    got = citations(without_author, None, ACCESSED)  # no site_url: the site-relative path
    assert got["gbt7714"] == "青岛高新区聚力高企党员队伍体系建设[N].[报纸名不详],2024（推断）."
    assert got["gbt7714-url"] == "青岛高新区聚力高企党员队伍体系建设[N/OL].[报纸名不详],2024（推断）[2025-03-01].a/e71762d4e9/"
    assert got["apa"] == "青岛高新区聚力高企党员队伍体系建设. (ca. 2024). [报纸名不详]. a/e71762d4e9/"
    assert got["bibtex"] == """\
@article{gxqdj-e71762d4e9,
  title = {{青岛高新区聚力高企党员队伍体系建设}},
  journal = {[报纸名不详]},
  year = {2024},
  date = {2024},
  url = {a/e71762d4e9/},
  urldate = {2025-03-01},
  language = {Chinese},
  note = {date inferred from text},
}"""
    assert got["ris"] == """\
TY  - NEWS
TI  - 青岛高新区聚力高企党员队伍体系建设
T2  - [报纸名不详]
PY  - 2024
DA  - 2024
LA  - Chinese
UR  - a/e71762d4e9/
Y2  - 2025/03/01
DB  - 高新区党建报道数字档案
N1  - date inferred from text
ER  - """


def test_derived_title_in_brackets_and_unknown_date(seed_report):
    a = by_title(page_of(seed_report, "000"), "宝鸡高新创业中心")
    assert a.title_inferred
    a = dataclasses.replace(a, date=None, date_basis=None)
    got = citations(a, None, ACCESSED)
    title = "[宝鸡高新创业中心：指导企业设立党员先锋岗攻克“卡脖子”技术]"
    assert got["gbt7714"] == f"谷星佐.{title}[N].[报纸名不详],[出版日期不详]."
    assert got["apa"] == f"谷星佐. (n.d.). {title}. [报纸名不详]. a/{a.id}/"
    assert "note = {title supplied by the archive}" in got["bibtex"] and "year" not in got["bibtex"]
    assert "N1  - title supplied by the archive" in got["ris"] and "PY  -" not in got["ris"]


def test_author_lists():
    rec = {"id": "x", "title": "题", "authors": ["甲", "乙", "丙", "丁"], "date": "2024-05", "date_basis": "manifest"}
    got = citations(rec, None, ACCESSED)
    assert got["gbt7714"].startswith("甲,乙,丙,等.题[N].")
    assert got["apa"].startswith("甲, 乙, 丙, & 丁. (2024, May). 题. ")
    one = citations({**rec, "authors": ["甲"]}, None, ACCESSED)
    assert one["gbt7714"].startswith("甲.题[N].") and one["apa"].startswith("甲. (2024, May). 题. ")
    many = citations({**rec, "authors": [f"作者{i}" for i in range(25)]}, None, ACCESSED)["apa"]
    assert many.startswith("作者0, 作者1, ") and ", . . . 作者24. (2024, May)." in many and "作者19" not in many


# --- well-formed ------------------------------------------------------------------------------

HOSTILE_FIELDS = {"id": "h1", "title": "C++ {x} \\ 100% R&D $5 #1 a_b ^ ~ }{ <b> “引号”", "title_inferred": False,
                  "authors": ["张}三", "李{四"], "date": "2024-04-22", "date_basis": "inferred",
                  "newspaper": "报}纸", "page": "4{", "tags": ["<b>"]}


def balanced(text: str) -> bool:
    """BibTeX's rule: braces nest and close, ``\\{`` and ``\\}`` are not braces."""
    depth = 0
    for m in re.finditer(r"\\.|[{}]", text):
        depth += {"{": 1, "}": -1}.get(m.group(), 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("rec", [HOSTILE_FIELDS, {"id": "y", "title": "题", "authors": []}], ids=["hostile", "bare"])
def test_bibtex_is_balanced_and_one_entry(rec):
    text = bibtex(rec, "https://x.org/{a}/", ACCESSED)
    assert balanced(text), text
    assert text.startswith("@article{gxqdj-") and text.endswith("\n}") and text.count("@") == 1
    entry = text[text.index("{") + 1:-1]
    key, *fields = [f.strip() for f in re.split(r",\n", entry) if f.strip()]
    assert re.fullmatch(r"[A-Za-z0-9_:-]+", key)
    for f in fields:
        name, value = f.split(" = ", 1)
        assert re.fullmatch(r"[a-z]+", name) and (balanced(value) and (value.startswith("{") or value.isalpha())), f
    if rec is HOSTILE_FIELDS:
        assert r"C++ \{x\} \textbackslash{} 100\% R\&D \$5 \#1 a\_b \^{} \~{} \}\{" in text
        assert "url = {https://x.org/%7Ba%7D/}" in text


@pytest.mark.parametrize("rec", [HOSTILE_FIELDS, {"id": "y", "title": "多\n行\r\n题", "authors": ["甲\n乙"]}])
def test_ris_lines(rec):
    lines = ris(rec, "https://x.org/a/y/", ACCESSED).split("\n")
    assert lines[0] == "TY  - NEWS" and lines[-1] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines), lines


def test_json_ld_and_script_json():
    data = json_ld(HOSTILE_FIELDS, "https://x.org/a/h1/", "https://x.org/")
    assert data["@type"] == "NewsArticle" and data["inLanguage"] == "zh-CN"
    assert data["headline"] == HOSTILE_FIELDS["title"] and data["datePublished"] == "2024-04-22"
    assert data["author"] == [{"@type": "Person", "name": "张}三"}, {"@type": "Person", "name": "李{四"}]
    assert data["publisher"] == {"@type": "Organization", "name": "报}纸"}
    assert data["isPartOf"]["url"] == "https://x.org/"
    text = script_json({**data, "headline": "</script><!-- \u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text)["headline"] == "</script><!-- \u2028"
    assert "publisher" not in json_ld({"id": "y", "title": "题"}, "./", "../../")  # unknown: left out


def test_highwire_dates_and_unknowns():
    tags = dict(highwire({"id": "y", "title": "题", "authors": ["甲"], "date": "2024-04", "newspaper": None}, "./"))
    assert tags["citation_publication_date"] == "2024" and "citation_journal_title" not in tags
    assert tags["citation_public_url"] == "./" and tags["citation_language"] == "zh"
    rec = article_record(dataclasses.replace(
        _bare(), date="2024-04-22", date_basis="manifest", meta=PageMeta(newspaper="导报", page="4")))
    pairs = highwire(rec, "https://x.org/a/b1/")
    assert ("citation_publication_date", "2024/04/22") in pairs and ("citation_journal_title", "导报") in pairs
    assert [v for k, v in pairs if k == "citation_author"] == ["戈清平", "刘文研"]


def _bare():
    from tests.test_write import make_article

    return make_article(id="b1")


def test_page_data_urls():
    meta = {"id": "abc", "title": "题", "authors": [], "date": None}
    relative = page_data(meta, "a/abc/", None, ACCESSED)
    assert relative["url"] == "a/abc/" and dict(relative["highwire"])["citation_public_url"] == "./"
    assert json.loads(relative["jsonld"])["isPartOf"]["url"] == "../../"
    assert [f["key"] for f in relative["formats"]] == [k for k, _ in FORMATS]
    gbt = next(f for f in relative["formats"] if f["key"] == "gbt7714-url")
    assert gbt["html"] == ('题[N/OL].[报纸名不详],[出版日期不详]['
                           '<span class="cite-date" data-sep="-">2025-03-01</span>].'
                           '<span class="cite-url" data-relative>a/abc/</span>')
    absolute = page_data(meta, "a/abc/", "https://x.org/site", ACCESSED)
    assert absolute["url"] == "https://x.org/site/a/abc/"
    assert dict(absolute["highwire"])["citation_public_url"] == "https://x.org/site/a/abc/"
    assert "data-relative" not in "".join(f["html"] for f in absolute["formats"])
    ris_html = next(f for f in absolute["formats"] if f["key"] == "ris")["html"]
    assert '<span class="cite-date" data-sep="/">2025/03/01</span>' in ris_html
    # every <pre> shows exactly its text
    for f in absolute["formats"]:
        assert html.unescape(re.sub(r"<[^>]+>", "", f["html"])) == f["text"]


# --- the built page's head ------------------------------------------------------------------

class _Head(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or "").startswith("citation_"):
            self.meta.append((a["name"], a.get("content")))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_ld = False


def head_of(page: str) -> _Head:
    parser = _Head()
    parser.feed(page[:page.index("</head>")])
    return parser


def test_built_head_has_citation_tags_and_json_ld(built_site):
    for a in built_site.articles:
        page = built_site.page(a.id)
        head = head_of(page)
        assert ("citation_title", a.title) in head.meta
        assert [v for k, v in head.meta if k == "citation_author"] == [au.name for au in a.authors]
        [ld] = head.scripts
        data = json.loads(ld)
        assert data["@type"] == "NewsArticle" and data["headline"] == a.title and data["url"] == "./"
        assert data.get("author", []) == [{"@type": "Person", "name": au.name} for au in a.authors]
        if a.date:
            assert data["datePublished"] == a.date


def test_hostile_title_is_escaped_in_the_head(built_site):
    [a] = [a for a in built_site.articles if a.title == HOSTILE_TITLE]
    page = built_site.page(a.id)
    head = page[:page.index("</head>")]
    assert head.count("<script") == head.count("</script>")  # nothing opened or closed by the title
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', head, re.S).group(1)
    assert "<" not in ld and json.loads(ld)["headline"] == HOSTILE_TITLE
    assert ("citation_title", HOSTILE_TITLE) in head_of(page).meta
    assert "<b>" not in head and "alert(1)</script>" not in page
