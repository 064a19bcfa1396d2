"""The write stage: escaping, records, front matter, and how files are written."""
from __future__ import annotations

import dataclasses
import html
import json
import os
import re

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.utils.meta import get_data

from scripts.model import (Article, Author, BuildReport, Caption, Correction, Diagnostic, Dropped, Figure,
                           Furniture, PageMeta, PageResult, Paragraph, Person)
from scripts.pipeline import PROJECT
from scripts.indexes import Site, slug
from scripts.write import (FRONT_MATTER_KEYS, FIGURES_CSV_COLUMNS, SAME_ZONE_MAX, article_page, article_record,
                           escape_markdown, figures_csv, front_matter, json_lines, link_first_mentions, source_record, write_all,
                           write_if_changed)

RECORD_KEYS = ["id", "url", "kind", "title", "title_inferred", "kicker", "subtitle", "byline", "authors",
               "author_roles", "dateline", "zones", "date", "date_basis", "date_evidence", "newspaper", "page",
               "column", "lead", "body", "captions", "people", "organizations", "tags", "topics", "figures",
               "related", "near_duplicates", "source"]
SOURCE_KEYS = ["file", "sha256", "encoding", "articles", "furniture", "dropped", "corrections", "diagnostics"]

HOSTILE = [
    "# 标题", "## 二级 ##", "*重点*", "**加粗**", "_x_", "__x__", "a|b|c", "| 表 | 格 |\n|---|---|\n| 1 | 2 |",
    "<script>alert(1)</script>", "<div>块</div>", "<http://x.cn>", "<!-- 注释 -->",
    "[链接](http://x)", "![图](x.png)", "[脚注]: http://x", "[TOC]",
    "1. 第一", "2024. 年", "- 项", "+ 项", "* 项", "> 引", "a > b", "`code`", "```\n代码\n```",
    "~~~\n代码\n~~~", "~~删除~~", "&amp;", "&lt;", "R&D", "\\", "\\\\", "a\\*b", "{: .cls}", "{#id}",
    "    缩进四格", "\t制表", "标题\n===", "标题\n---", "---", "***", "- - -", "===",
    "第一行\n- 第二行\n1. 第三行", "段一\n\n# 段二", "（1）全角括号", "１．全角数字",
]
CHINESE = "近年来，青岛高新区以“党建红”引领“科技蓝”：截至目前——拥有党员2720名（含高企党员1680名）！《导报》、３～５年…＃＊｜"


@pytest.fixture(scope="module")
def md_config():
    """The Markdown extensions exactly as MkDocs loads them from mkdocs.yml (with its built-ins)."""
    cfg = load_config(str(PROJECT / "mkdocs.yml"))
    return {"extensions": cfg["markdown_extensions"], "extension_configs": cfg["mdx_configs"]}


def render(text: str, md_config) -> str:
    return markdown.markdown(text, **md_config)


def visible(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", html_text))


def words(text: str) -> str:
    return " ".join(text.split())


# --- escape_markdown ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_literally(text, md_config):
    out = render(escape_markdown(text), md_config)
    assert words(visible(out)) == words(text), out
    assert set(re.findall(r"</?([a-zA-Z0-9]+)", out)) <= {"p"}, out  # no heading, list, code, link…


def test_markdown_would_interpret_the_hostile_strings_unescaped(md_config):
    """The test above is meaningful: without escaping most of these strings become markup."""
    interpreted = [t for t in HOSTILE if set(re.findall(r"</?([a-zA-Z0-9]+)", render(t, md_config))) - {"p"}]
    assert len(interpreted) > len(HOSTILE) // 2


def test_chinese_text_is_untouched():
    assert escape_markdown(CHINESE) == CHINESE


def test_escaping_does_not_escape_twice(md_config):
    text = "&#124; \\# &amp;lt;"
    assert visible(render(escape_markdown(text), md_config)) == text


# --- records ----------------------------------------------------------------------------------

def make_article(**changes) -> Article:
    a = Article(
        id="abc123", kind="article", title="“党建红”赋能“科技蓝”", title_inferred=False, kicker="引题",
        subtitle="副题", byline="本报记者 戈清平 通讯员 刘文研",
        authors=(Author("戈清平", "本报记者"), Author("刘文研", "通讯员")), dateline="本报讯",
        lead="导语 *不是强调*。", paragraphs=(Paragraph("小标题", "heading", (5, 5)), Paragraph("正文 # 一", "text", (6, 8)),
                                            Paragraph("1. 正文二", "text", (9, 9))),
        captions=(Caption("图为党员活动", "本报记者 张三 摄", (10, 10)),), zones=("青岛高新区",),
        date="2024-04-22", date_basis="manifest", source_file="seeds/000_x.txt", source_sha256="ab" * 32,
        lines=(3, 12), meta=PageMeta(newspaper="中国高新技术产业导报", date="2024-04-22", page="4", column="党建"))
    return dataclasses.replace(a, **changes)


def make_page(file: str, articles: tuple[Article, ...], **changes) -> PageResult:
    p = PageResult(file, "cd" * 32, "utf-8", articles, (Furniture("责任编辑：王五", 1, "editor credit"),),
                   (Dropped("## “党建红”", 2, "extraction heading marker"),), (Correction(7, "党健", "党建", "ocr"),),
                   (Diagnostic(file, "caption re-joined", 7, "info"),))
    return dataclasses.replace(p, **changes)


def test_article_record_has_exactly_the_documented_keys():
    rec = article_record(make_article())
    assert list(rec) == RECORD_KEYS
    assert rec["url"] == "a/abc123/"
    assert rec["authors"] == ["戈清平", "刘文研"]
    assert rec["author_roles"] == [{"name": "戈清平", "role": "本报记者"}, {"name": "刘文研", "role": "通讯员"}]
    assert rec["zones"] == ["青岛高新区"]
    assert (rec["newspaper"], rec["page"], rec["column"]) == ("中国高新技术产业导报", "4", "党建")
    assert rec["lead"] == "导语 *不是强调*。"  # data, not Markdown
    assert rec["body"] == "## 小标题\n\n正文 \\# 一\n\n1\\. 正文二"
    assert rec["captions"] == [{"text": "图为党员活动", "credit": "本报记者 张三 摄"}]
    assert rec["source"] == {"file": "seeds/000_x.txt", "sha256": "ab" * 32, "lines": [3, 12]}


def test_article_record_nulls_and_empty_lists():
    rec = article_record(make_article(kicker=None, subtitle=None, byline=None, authors=(Author("张三"),),
                                      dateline=None, zones=(), date=None, date_basis=None, meta=PageMeta()))
    assert rec["subtitle"] is None and rec["byline"] is None and rec["date_basis"] is None
    assert rec["author_roles"] == [{"name": "张三", "role": None}]
    assert rec["zones"] == [] and rec["column"] is None
    json.dumps(rec)  # serialisable: lists and dicts only


def test_source_record():
    a2 = make_article(id="second", lines=(20, 30))
    rec = source_record(make_page("seeds/000_x.txt", (a2, make_article())))
    assert list(rec) == SOURCE_KEYS
    assert rec["articles"] == ["abc123", "second"]  # page order
    assert rec["furniture"] == [{"text": "责任编辑：王五", "line": 1, "kind": "editor credit"}]
    assert rec["dropped"] == [{"text": "## “党建红”", "line": 2, "reason": "extraction heading marker"}]
    assert rec["corrections"] == [{"line": 7, "before": "党健", "after": "党建", "rule": "ocr"}]
    assert rec["diagnostics"] == ["seeds/000_x.txt:7: info: caption re-joined"]


# --- front matter and pages -------------------------------------------------------------------

TRICKY_VALUES = ["是: 否", "- x", "#", "null", "yes", "No", "~", "123", "04", "1e3", "2024-04-22", "“引号”",
                 "‘单引’", "'", '"', "---", "...", "a\n---\nb", "a\n...\n", " 前后空格 ", "", "@x", "`x`",
                 "{a: 1}", "[1, 2]", "a: b\nc: d", "&x", "*x", "!x", "%x", "？：", "\\", "\t制表"]


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_front_matter_round_trips(value):
    data = {"id": "x", "title": value, "zones": [value], "source": {"file": value, "lines": [1, 2]},
            "n": None, "flag": True}
    doc, meta = get_data(front_matter(data) + "\n# 正文\n")
    assert meta == data
    assert doc == "# 正文\n"


def test_article_page_front_matter_is_the_record_without_body():
    a = make_article(title="是: 否", kicker="- x", subtitle="#", byline="null", dateline="yes", zones=("123",),
                     meta=PageMeta(newspaper="“导报”", page="04", column="---"),
                     captions=(Caption("...\n---", None),))
    doc, meta = get_data(article_page(a))
    rec = article_record(a)
    assert meta == {k: rec[k] for k in FRONT_MATTER_KEYS}
    assert list(meta) == list(FRONT_MATTER_KEYS)
    assert meta["zones"] == ["123"] and isinstance(meta["authors"], list)


def test_article_page_content(md_config):
    a = make_article(title="<script>alert(1)</script> *标题*", title_inferred=True, date_basis="inferred")
    doc, _ = get_data(article_page(a))
    out = render(doc, md_config)
    assert "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; *标题*" in out
    assert "标题为整理者据正文拟定" in out
    assert "2024-04-22（推断）" in visible(out)
    assert "<strong>本报讯</strong> 导语 *不是强调*。" in out
    assert re.search(r"<h2[^>]*>小标题", out) and re.search(r"<h2[^>]*>图片说明", out)
    assert "图为党员活动 —— 本报记者 张三 摄" in visible(out)
    assert "seeds/000_x.txt，第 3–12 行" in visible(out)
    assert "本报记者 戈清平、通讯员 刘文研" in visible(out)


def test_article_page_without_date(md_config):
    doc, _ = get_data(article_page(make_article(date=None, date_basis=None)))
    assert "日期未知" in visible(render(doc, md_config))


# --- files ------------------------------------------------------------------------------------

def report_of(*pages: PageResult) -> BuildReport:
    return BuildReport(pages, ())


def sample_report() -> BuildReport:
    p1 = make_page("seeds/001_b.txt", (make_article(id="b2", lines=(40, 50), source_file="seeds/001_b.txt"),
                                       make_article(id="b1", lines=(1, 30), source_file="seeds/001_b.txt")))
    p0 = make_page("seeds/000_a.txt", (make_article(id="a1", source_file="seeds/000_a.txt"),))
    return report_of(p1, p0)


def test_listeners_hear_of_the_articles_export_when_it_is_complete(tmp_path):
    """scripts/events.py: the write stage tells its listeners (the search hook) the path of
    ``data/articles.jsonl`` once, when the file is already whole, before the index pages."""
    from scripts import events

    heard = []
    events.articles_written["test"] = lambda path: heard.append(
        (path, path.read_bytes(), (tmp_path / "articles.md").exists()))
    try:
        write_all(sample_report(), tmp_path)
    finally:
        del events.articles_written["test"]
    articles = tmp_path / "data" / "articles.jsonl"
    assert heard == [(articles, articles.read_bytes(), False)]


def test_json_lines_are_utf8_sorted_and_not_ascii_escaped(tmp_path):
    write_all(sample_report(), tmp_path)
    raw = (tmp_path / "data" / "articles.jsonl").read_bytes()
    assert "“党建红”赋能“科技蓝”".encode("utf-8") in raw and b"\\u" not in raw
    lines = raw.decode("utf-8").splitlines()
    assert [json.loads(l)["id"] for l in lines] == ["a1", "b1", "b2"]
    assert json.loads(lines[0]) == article_record(make_article(id="a1", source_file="seeds/000_a.txt"))
    sources = (tmp_path / "data" / "sources.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(l)["file"] for l in sources] == ["seeds/000_a.txt", "seeds/001_b.txt"]
    assert json.loads(sources[1])["articles"] == ["b1", "b2"]
    assert "责任编辑" in sources[0]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["a1.md", "b1.md", "b2.md"]
    index = (tmp_path / "articles.md").read_text(encoding="utf-8")
    assert get_data(index)[1] == {"title": "文章"}
    assert index.index("(a/a1.md)") < index.index("(a/b1.md)") < index.index("(a/b2.md)")


def test_write_is_deterministic(tmp_path):
    write_all(sample_report(), tmp_path / "one")
    r = sample_report()
    write_all(report_of(*reversed(r.pages)), tmp_path / "two")
    for rel in ("articles.md", "data/articles.jsonl", "data/sources.jsonl", "a/b1.md"):
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes()


def test_unchanged_files_are_not_rewritten(tmp_path):
    write_all(sample_report(), tmp_path)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    zone, authors = slug("z", "青岛高新区"), [slug("a", "戈清平"), slug("a", "刘文研")]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files) == sorted([
        "a/a1.md", "a/b1.md", "a/b2.md", "articles.md", "data/articles.jsonl", "data/sources.jsonl",
        "data/figures.csv", "tags/index.md", "topics/index.md", "zones/index.md", f"zones/{zone}.md",
        "authors/index.md", *(f"authors/{a}.md" for a in authors), "years/index.md", "years/2024.md",
        # site pages from scripts/publish.py: home, data page, feeds, metadata CSV
        "index.md", "data.md", "feed.xml", "atom.xml", "data/articles.csv"])
    for p in files:
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))
    write_all(sample_report(), tmp_path)
    assert {p: p.stat().st_mtime_ns for p in files} == {p: 1_000_000_000 for p in files}
    # a changed article is rewritten, the others are not (its lead is shown on its page only)
    r = sample_report()
    changed = dataclasses.replace(r.pages[1], articles=(make_article(id="a1", lead="新导语。",
                                                                     source_file="seeds/000_a.txt"),))
    write_all(report_of(r.pages[0], changed), tmp_path)
    assert (tmp_path / "a" / "a1.md").stat().st_mtime_ns != 1_000_000_000
    assert (tmp_path / "a" / "b1.md").stat().st_mtime_ns == 1_000_000_000


def test_pages_keyed_by_their_bases_still_see_every_later_change(tmp_path):
    """With ``bases`` (an earlier version of each article and a digest vouching for it, as the
    pipeline passes them) a page is keyed by the digest and the fields that changed since: a
    field a later step set is seen, however small, and an unchanged article is not rewritten."""
    r = sample_report()
    arts = {a.id: a for p in r.pages for a in p.articles}
    bases = {i: (a, f"digest of {i}") for i, a in arts.items()}
    write_all(r, tmp_path, bases=bases)
    page = tmp_path / "a" / "a1.md"
    assert "人才" not in page.read_text(encoding="utf-8")
    for p in tmp_path.rglob("*.md"):
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))
    tagged = dataclasses.replace(r.pages[1], articles=(dataclasses.replace(arts["a1"], tags=("人才",)),))
    write_all(report_of(r.pages[0], tagged), tmp_path, bases=bases)
    assert "人才" in page.read_text(encoding="utf-8")
    assert (tmp_path / "a" / "b1.md").stat().st_mtime_ns == 1_000_000_000
    dated = dataclasses.replace(r.pages[1], articles=(dataclasses.replace(arts["a1"], tags=("人才",),
                                                                          date="2024-04-23"),))
    write_all(report_of(r.pages[0], dated), tmp_path, bases=bases)
    assert "2024-04-23" in page.read_text(encoding="utf-8")


def test_write_if_changed(tmp_path):
    path = tmp_path / "sub" / "x.md"
    assert write_if_changed(path, "党建\n") is True
    assert write_if_changed(path, "党建\n") is False
    assert write_if_changed(path, "党建！\n") is True
    assert path.read_text(encoding="utf-8") == "党建！\n"


def test_stale_article_pages_are_removed_and_nothing_else(tmp_path):
    keep_outside = [tmp_path / "notes.md", tmp_path / "old.md", tmp_path / "data" / "extra.jsonl",
                    tmp_path / "a" / "sub" / "nested.md", tmp_path / "a" / "notes.txt",
                    tmp_path / "a" / "folder.md" / "inside.txt"]  # a folder named like a page stays
    for p in keep_outside:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("手写", encoding="utf-8")
    (tmp_path / "a" / "gone.md").write_text("旧", encoding="utf-8")
    write_all(sample_report(), tmp_path)
    assert not (tmp_path / "a" / "gone.md").exists()
    assert all(p.read_text(encoding="utf-8") == "手写" for p in keep_outside)
    r = sample_report()
    write_all(report_of(r.pages[0]), tmp_path)  # page 000_a no longer produced
    assert sorted(p.name for p in (tmp_path / "a").glob("*.md") if p.is_file()) == ["b1.md", "b2.md"]
    assert all(p.exists() for p in keep_outside)


def test_stale_index_pages_are_removed_only_in_generated_folders(tmp_path):
    keep = [tmp_path / "tags" / "notes.txt", tmp_path / "tags" / "sub" / "x.md", tmp_path / "other" / "t-1.md"]
    for p in keep:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("手写", encoding="utf-8")
    for folder in ("tags", "topics", "zones", "authors", "years"):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / "gone.md").write_text("旧", encoding="utf-8")
    r = sample_report()
    tagged = dataclasses.replace(r.pages[1], articles=(make_article(id="a1", tags=("人才",),
                                                                    source_file="seeds/000_a.txt"),))
    write_all(report_of(r.pages[0], tagged), tmp_path)
    assert (tmp_path / "tags" / f"{slug('t', '人才')}.md").is_file()
    write_all(sample_report(), tmp_path)  # the tag is gone: so is its page
    assert sorted(p.name for p in (tmp_path / "tags").glob("*.md")) == ["index.md"]
    assert not list(tmp_path.rglob("gone.md"))
    assert all(p.read_text(encoding="utf-8") == "手写" for p in keep)


# --- enriched article pages -------------------------------------------------------------------

def enriched(**changes) -> Article:
    return make_article(
        date_basis="inferred", date_evidence="4月22日", people=(Person("张三", "党工委书记"), Person("李四")),
        organizations=("青岛高新区党工委",), tags=("人才", "党建引领"), topics=("基层党建",),
        figures=(Figure("党员", "2720", "名", "拥有党员2720名|其中*高企*党员1680名。"),),
        related=("r1",), related_scores=(0.61,), near_duplicates=("r1",),
        lead="青岛高新区（青岛国家高新区）*以*党建引领。", paragraphs=(
            Paragraph("青岛高新区党建", "heading"), Paragraph("一段# 青岛高新区的文字，又见青岛高新区。"),
            Paragraph("1. 烟台高新区与青岛高新区")), **changes)


def other(id: str, **changes) -> Article:
    return make_article(id=id, title=f"另一篇{id}", source_file="seeds/009_z.txt", **changes)


def test_enriched_record_and_front_matter():
    a = enriched()
    rec = article_record(a)
    assert rec["date_evidence"] == "4月22日"
    assert rec["people"] == [{"name": "张三", "title": "党工委书记"}, {"name": "李四", "title": None}]
    assert rec["organizations"] == ["青岛高新区党工委"] and rec["tags"] == ["人才", "党建引领"]
    assert rec["topics"] == ["基层党建"]
    assert rec["figures"] == [{"subject": "党员", "value": "2720", "unit": "名",
                               "sentence": "拥有党员2720名|其中*高企*党员1680名。"}]
    assert rec["related"] == ["r1"] and rec["near_duplicates"] == ["r1"]
    assert "](" not in rec["body"]  # the export holds no site links
    doc, meta = get_data(article_page(a))
    assert meta == {k: rec[k] for k in FRONT_MATTER_KEYS}
    json.dumps(rec)


def test_enriched_article_page(md_config):
    a = enriched()
    site = Site.build([a, other("r1"), other("r2", date="2024-05-01"), other("r3", date=None)])
    doc, _ = get_data(article_page(a, site))
    out = render(doc, md_config)
    text = visible(out)
    zone = f"../zones/{slug('z', '青岛高新区')}.md"
    assert "日期：2024-04-22（推断）" in text and "日期为推断，依据：“4月22日”" in text
    assert f'<a href="../tags/{slug("t", "人才")}.md">人才</a>' in out
    assert f'<a href="../topics/{slug("s", "基层党建")}.md">基层党建</a>' in out
    assert f'<a href="../authors/{slug("a", "戈清平")}.md">戈清平</a>' in out
    assert "张三，党工委书记" in text and "- 李四" in doc and "青岛高新区党工委" in text
    cells = re.findall(r"<td>(.*?)</td>", out)
    assert cells == ["党员", "2720", "名", "拥有党员2720名|其中*高企*党员1680名。"]  # escaped, one row
    assert "<em>" not in out
    # sections in order, each with its links
    order = [text.index(h) for h in ("人物", "机构", "关键数据", "相关文章", "同一高新区的其他文章", "疑似重复报道")]
    assert order == sorted(order)
    assert '<a href="r1.md">另一篇r1</a> · 相似度 0.61' in out
    same = out[out.index("同一高新区的其他文章"):out.index("疑似重复报道")]
    assert [m for m in re.findall(r'href="(r\d)\.md"', same)] == ["r2", "r1", "r3"]  # newest first, undated last
    assert f'href="{zone}"' in same
    # first mention linked in the lead (not the heading, not again); the text stays escaped
    assert f'<a href="{zone}">青岛高新区</a>（青岛国家高新区）*以*党建引领' in out
    assert out.count(f'<a href="{zone}">') == 3  # info line, lead, same-zone section
    assert re.search(r"<h2[^>]*>青岛高新区党建", out)
    assert "一段# 青岛高新区的文字" in text and "1. 烟台高新区" in text


def test_page_sections_are_left_out_when_empty(md_config):
    a = make_article(zones=("青岛高新区",))
    doc, _ = get_data(article_page(a, Site.build([a])))
    for heading in ("人物", "机构", "关键数据", "相关文章", "同一高新区的其他文章", "疑似重复报道", "标签", "主题"):
        assert heading not in doc, heading
    assert "（档案登记）" in visible(render(doc, md_config))


def test_same_zone_list_is_capped():
    a = make_article()
    others = [other(f"o{i:02d}", date=f"2023-01-{i + 1:02d}") for i in range(SAME_ZONE_MAX + 3)]
    doc = article_page(a, Site.build([a, *others]))
    listed = re.findall(r"\]\((o\d+)\.md\)", doc)
    assert listed == [f"o{i:02d}" for i in range(SAME_ZONE_MAX + 2, 2, -1)]
    assert f"全部 {SAME_ZONE_MAX + 4} 篇" in doc


def test_links_to_missing_articles_are_left_out():
    doc = article_page(enriched(), Site.build([enriched()]))
    assert "r1.md" not in doc and "相关文章" not in doc and "疑似重复报道" not in doc


def test_link_first_mentions_never_makes_an_image_or_nests():
    links = {"青岛高新区": ("青岛高新区", "z.md"), "青岛国家高新区": ("青岛高新区", "z.md")}
    assert link_first_mentions("看!青岛高新区，青岛国家高新区", links, set()) == "看!青岛高新区，[青岛国家高新区](z.md)"
    done = set()
    assert link_first_mentions(escape_markdown("[青岛高新区]"), links, done) == "\\[[青岛高新区](z.md)\\]"
    assert done == {"青岛高新区"}


def test_zone_links_survive_hostile_text(md_config):
    a = make_article(lead="<b>青岛高新区</b> *青岛高新区* `青岛高新区`", paragraphs=())
    out = render(get_data(article_page(a))[0], md_config)
    assert "&lt;b&gt;" in out and "<b>" not in out and "<em>" not in out and "<code>" not in out
    assert out.count(">青岛高新区</a>") == 2  # info line and the first mention


def test_figures_csv_has_bom_and_one_row_per_figure():
    a = enriched(zones=("青岛高新区", "烟台高新区"))
    text = figures_csv([a, other("r1")])
    assert text.startswith("\ufeff")
    import csv
    import io
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(FIGURES_CSV_COLUMNS)
    assert rows[1:] == [["abc123", a.title, "青岛高新区、烟台高新区", "2024-04-22", "inferred", "党员", "2720", "名",
                         "拥有党员2720名|其中*高企*党员1680名。"]]


# --- the front-matter emitter ------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["青岛高新区", "是: 否", "党建 # 注", "2024", "null", "true", "- 项", "---", "青岛 ", " 前导", "a\nb", "\u2028",
     "\x85", "\ufeff标题", "'单引号'", '"双引号"', "C++ | *重点* <b>", "青岛：高新区"])
_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | _texts
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True) | _texts, inner, max_size=4),
                       max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), _values, max_size=6))
def test_front_matter_reads_back_as_written(data):
    import yaml
    from mkdocs.utils.meta import get_data

    from scripts.write import front_matter

    text = front_matter(data)
    assert yaml.safe_load(text[4:-4]) == (data or None)
    _, meta = get_data(text + "正文\n")
    assert meta == data


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), _values, min_size=1, max_size=6))
def test_front_matter_reader_reads_what_the_emitter_writes(data):
    """read_front_matter (stamping's fast reader) gives the data back, or None (a nested list)."""
    from scripts.write import front_matter, read_front_matter

    assert read_front_matter(front_matter(data)[4:-4]) in (data, None)


_LINE_PARTS = st.tuples(
    st.sampled_from(["", "  ", "    ", " ", "- ", "  - ", "- - "]),
    st.sampled_from(["", "id:", "title:", "yes:", "null:", "a_b:", '"键: 值":', '"k"', "k:", "on:", "x :"]),
    st.sampled_from(["", " ", " 青岛高新区", ' "0123"', " 0123", " 1.5", " 1.5e3", " 1_000", " -3", " ~", " yes",
                     " null", " Null", " true", " []", " {}", " [a]", " 青岛 #注", " 青岛:x", " 青岛：高新区",
                     ' "a\\u2028b"', ' "a\\/b"', ' "a\\x41"', " 'q'", " 12:30", " 0x1f", " .5", " 3.",
                     " 青岛 ", ' "未完', " &a", " *a", " !!str 3", " >", " |", "青岛"]))


_TRICKY_KEYS = st.sampled_from(["id", "title", "yes", "null", "On", "a_b", '"键: 值"', "k", "x "])
_TRICKY_VALUES = st.sampled_from(["青岛高新区", '"0123"', "0123", "0", "1.5", "1.5e3", "1_000", "-3", "~", "yes", "null",
                                  "Null", "true", "True", "[]", "{}", "[a]", "青岛 #注", "青岛:x", "青岛：高新区", "12:30",
                                  '"a\\u2028b"', '"a\\/b"', '"a\\x41"', "'q'", "0x1f", ".5", "3.", "青岛 ", '"未完',
                                  "&a", "*a", "!!str 3", "- 项", "青岛\u2028", '"a\u2028b"', '"a\x85b"', '"a\tb"', "。", "“党建”"])


@st.composite
def _blocks(draw, indent: str = "", depth: int = 0) -> str:
    """A YAML block mapping of tricky keys and scalars, sequences and nested mappings."""
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        key = draw(_TRICKY_KEYS)
        kind = draw(st.sampled_from(["scalar", "scalar", "list", "map"] if depth < 2 else ["scalar"]))
        if kind == "scalar":
            lines.append(f"{indent}{key}: {draw(_TRICKY_VALUES)}")
        elif kind == "list":
            lines.append(f"{indent}{key}:")
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    lines.append(f"{indent}- {draw(_TRICKY_VALUES)}")
                else:
                    sub = draw(_blocks(indent + "  ", depth + 1)).split("\n")[:-1]
                    lines += [f"{indent}- {sub[0][len(indent) + 2:]}", *sub[1:]]
        else:
            lines.append(f"{indent}{key}:")
            lines.append(draw(_blocks(indent + "  ", depth + 1))[:-1])
    return "\n".join(lines) + "\n"


@settings(max_examples=1500, deadline=None)
@given(st.lists(_LINE_PARTS, min_size=1, max_size=6).map(lambda parts: "".join(f"{a}{b}{c}\n" for a, b, c in parts))
       | _blocks())
def test_front_matter_reader_never_reads_a_block_otherwise_than_yaml(block):
    """On any block, hand-written ones included: what the fast reader returns is what PyYAML
    reads; where PyYAML fails, or reads something else, the reader says None (PyYAML then)."""
    import yaml

    from scripts.write import read_front_matter

    fast = read_front_matter(block)
    try:
        expected = yaml.safe_load(block)
    except yaml.YAMLError:
        assert fast is None
        return
    assert fast is None or fast == expected


def test_front_matter_of_seed_articles_reads_back(seed_report):
    from mkdocs.utils.meta import get_data

    from scripts.write import FRONT_MATTER_KEYS, article_page, article_record

    from scripts.write import read_front_matter

    for a in (a for p in seed_report.pages for a in p.articles):
        page = article_page(a)
        _, meta = get_data(page)
        record = article_record(a)
        assert meta == {k: record[k] for k in FRONT_MATTER_KEYS}
        assert read_front_matter(page[4:page.index("\n---\n", 4) + 1]) == meta  # the fast reader, not None


def test_json_lines_keep_a_record_on_one_line_whatever_line_breaks_its_text_holds():
    """U+0085, U+2028 and U+2029 are line breaks to str.splitlines and to JavaScript: a raw one
    in a record would cut its line in two for those readers (the search index build failed so)."""
    record = {"id": "x", "body": "甲\u2028乙\u2029丙\x85丁\n戊", "title": "标题"}
    text = json_lines([record, {"id": "y"}])
    lines = text.splitlines()
    assert len(lines) == 2
    assert [json.loads(line) for line in lines] == [record, {"id": "y"}]


def test_listings_written_in_a_forked_process_are_the_same_files(tmp_path, monkeypatch):
    """From LISTINGS_BESIDE_MIN articles the index pages, exports and site pages are written
    by a forked process while the article pages are written here: the same files result, and
    stale listings are removed all the same."""
    from scripts import write

    def files(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    monkeypatch.setenv("ARCHIVE_WORKERS", "1")
    write_all(sample_report(), tmp_path / "serial")
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    monkeypatch.setattr(write, "LISTINGS_BESIDE_MIN", 1)
    stale = tmp_path / "forked" / "tags" / "gone.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("旧", encoding="utf-8")
    pids = []
    real = write.write_listings
    monkeypatch.setattr(write, "write_listings", lambda *a: pids.append(os.getpid()) or real(*a))
    write_all(sample_report(), tmp_path / "forked")
    assert files(tmp_path / "forked") == files(tmp_path / "serial")
    assert not stale.exists()
    assert pids == []  # the listings were written in another process (which appended to its own copy)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "title", "tags", "related", "related_scores", "date", "lead",
                                        "near_duplicates", "zones"]),
                       st.one_of(st.text(max_size=5), st.tuples(st.text(max_size=3)), st.none()), max_size=4))
def test_evolve_is_dataclasses_replace(changes):
    """model.evolve, the pipeline's faster replace, makes what dataclasses.replace makes; the
    original is left as it was."""
    from scripts.model import evolve

    a = make_article(tags=("党建",), related=("x",), related_scores=(0.5,))
    before = repr(a)
    assert evolve(a, **changes) == dataclasses.replace(a, **changes)
    assert repr(evolve(a, **changes)) == repr(dataclasses.replace(a, **changes))
    assert repr(a) == before


def test_evolve_refuses_what_replace_would_refuse_or_do_differently():
    from scripts.model import evolve
    from scripts.write import PageLinks

    with pytest.raises(TypeError):
        evolve(make_article(), colour="红")
    with pytest.raises(TypeError):  # a cached property would be copied stale
        evolve(PageLinks(), related=())
