"""Raw-text pages (scripts/provenance.py): what the cleaner changed, paragraph by paragraph, the raw
lines beside the cleaned text, and the article's stretch of the raw page with its lines highlighted;
every raw line printed once, with its anchor."""
from __future__ import annotations

import dataclasses
import hashlib
import html
import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config
from mkdocs.utils.meta import get_data

from scripts.model import Article, Caption, Paragraph
from scripts.pipeline import PROJECT
from scripts.provenance import (CONTEXT_LINES, align, article_lines, article_ranges, belongs, diff, locate, read_source,
                                shown_lines, source_pages, units)
from scripts.write import write_all
from tests.conftest import by_title, page_of


@pytest.fixture(scope="module")
def md_config():
    cfg = load_config(str(PROJECT / "mkdocs.yml"))
    return {"extensions": cfg["markdown_extensions"], "extension_configs": cfg["mdx_configs"]}


@pytest.fixture(scope="module")
def qingdao(seed_report):
    """Seed 000's first article (lines 1–201, its caption at 435–437)."""
    return by_title(page_of(seed_report, "000"), "聚力高企党员队伍")


@pytest.fixture(scope="module")
def qingdao_page(qingdao):
    [page] = source_pages([qingdao], PROJECT).values()
    return page


def highlighted(page: str) -> list[int]:
    """The highlighted lines of the raw-page listing."""
    return [int(n) for n in re.findall(r'<span id="L(\d+)" class="line hl">', page)]


def anchored(page: str) -> dict[int, str]:
    """``{n: text}`` for every raw line printed with its anchor ``L<n>`` (in a comparison or in the
    raw-page listing): its characters as printed, marks and the line-number link taken off."""
    lines = {}
    for n, body in re.findall(r'<span id="L(\d+)" class="[^"]*line[^"]*"[^>]*><a class="ln" href="#L\1"[^>]*></a>'
                              r'(.*?)(?:<span class="why">[^<]*</span>)?\n</span>', page):
        assert int(n) not in lines, f"L{n} printed twice"
        lines[int(n)] = html.unescape(re.sub(r"</?(?:del|ins)>", "", body))
    assert len(lines) == len(re.findall(r'\bid="L\d+"', page))  # every anchor is a printed line
    return lines


def check_lines(page: str, a: Article, raw: list[str]) -> None:
    """Each raw line printed at most once and as it is in the page file; every non-blank line of
    the article printed; nothing printed beyond its context; the listing's highlight exactly the
    article's lines."""
    lines = anchored(page)
    assert all(text == raw[n - 1] for n, text in lines.items()), a.id
    assert {n for n in article_lines(a) if raw[n - 1].strip()} <= set(lines), a.id
    assert set(lines) <= set(shown_lines(raw, article_ranges(a))), a.id
    listing = page[page.index('<pre class="raw-page">'):]
    assert set(highlighted(listing)) <= article_lines(a)
    assert not {int(n) for n in re.findall(r'<span id="L(\d+)" class="line">', listing)} & article_lines(a)


def test_every_line_once_and_the_articles_highlighted(qingdao, qingdao_page):
    raw = (PROJECT / qingdao.source_file).read_text(encoding="utf-8").split("\n")
    assert qingdao.lines == (1, 201) and [c.lines for c in qingdao.captions] == [(435, 437)]
    check_lines(qingdao_page, qingdao, raw)
    # the article's lines are in the comparison; the listing shows what surrounds them, the rest elided
    assert re.findall(r"（第 [\d–]+ 行从略）", qingdao_page) == ["（第 207–429 行从略）"]
    assert re.findall(r"（第 [\d–]+ 行见上文<a href=\"#L\d+\">对照</a>）", qingdao_page) == [
        '（第 3–201 行见上文<a href="#L3">对照</a>）', '（第 435–437 行见上文<a href="#L435">对照</a>）']
    assert highlighted(qingdao_page) == [1, 2]  # the headline, and the blank line after it
    compared = [n for n in [*range(3, 202), *range(435, 438)] if raw[n - 1].strip()]
    assert sorted(anchored(qingdao_page)) == sorted([1, 2, *compared, *range(202, 207), *range(430, 435),
                                                     *range(438, len(raw) + 1)])
    # each line shows its text, escaped, after its number
    line = re.search(r'<span id="L195" class="dl line"><a class="ln" href="#L195" data-n="195"[^>]*></a>(.*?)\n</span>',
                     qingdao_page).group(1)
    assert line == "青<del> </del>岛<del> </del>高<del> </del>新<del> </del>区<del> </del>将<del> </del>继<del> </del>续" \
                   "<del> </del>深<del> </del>化<del> </del>高<del> </del>企"
    assert anchored(qingdao_page)[195] == raw[194] == "青 岛 高 新 区 将 继 续 深 化 高 企"


def test_the_diff_shows_the_letterspacing_removed(qingdao, qingdao_page):
    [unit] = re.findall(r'<section class="diff-unit" id="d-p9">.*?</section>', qingdao_page, re.S)
    assert '<a href="../a/e71762d4e9.md#p9">第 9 段</a> · 原始第 185–201 行' in unit
    assert "删去空格 11 个" in unit and "接续断行 8 处" in unit
    raw_side = re.search(r'<div class="diff-side diff-raw">.*?</pre>', unit, re.S).group()
    assert "青<del> </del>岛<del> </del>高<del> </del>新<del> </del>区<del> </del>将" in raw_side
    clean_side = re.search(r'<div class="diff-side diff-clean">.*?</p>', unit, re.S).group()
    assert "未来，青岛高新区将继续深化高企党建工作" in clean_side
    assert "原始版面文本" in unit and "机器整理文本" in unit


def test_caption_printed_inside_a_paragraph_is_shown_apart(seed_report):
    a = by_title(page_of(seed_report, "002"), "打造“党建+”体系")
    [page] = source_pages([a], PROJECT).values()
    [unit] = [u for u in re.findall(r'<section class="diff-unit".*?</section>', page, re.S) if "原始第 24–42 行" in u]
    # greyed, each with its anchor (printed here first: the captions' own comparisons come later)
    others = re.findall(r'<span id="L(\d+)" class="dl line other" title="([^"]+)"><a class="ln" href="#L\1"', unit)
    others = [(why, n) for n, why in others]
    assert [(why, int(n)) for why, n in others] == [("本文的图片说明", 28), ("不属本段", 32), ("不属本段", 34),
                                                   ("本文的图片说明", 36), ("本文的图片说明", 40)]
    clean = re.search(r'<div class="diff-side diff-clean">.*?</p>', unit, re.S).group()
    assert "庆祝建党" not in clean and "编辑" not in clean


def test_lead_lines_are_found(seed_report):
    a = by_title(page_of(seed_report, "000"), "济宁高新区")  # headline printed after the text
    raw = (PROJECT / a.source_file).read_text(encoding="utf-8").split("\n")
    lead = units(a, raw)[0]
    assert lead.anchor == "p1" and lead.cleaned.startswith("本报讯 为深化党建")
    assert [n for n, _ in lead.lines] == [339, 341, 343, 345, 347, 349, 351]  # not the sign-off on 337


def test_the_page_renders_as_html(qingdao, qingdao_page, md_config):
    doc, meta = get_data(qingdao_page)
    assert meta == {"title": f"原始版面文本：{qingdao.title}", "search": {"exclude": True}}
    out = markdown.markdown(doc, **md_config)
    # every <pre> passed through whole: the same line anchors, in the same order
    assert re.findall(r'<span id="L\d+"', out) == re.findall(r'<span id="L\d+"', doc)
    assert len(re.findall(r'<span id="L\d+" class="line', out)) == len(re.findall(r'<span id="L\d+" class="line', doc)) > 0
    assert '<a href="../a/e71762d4e9.md">← 返回文章：青岛高新区聚力高企党员队伍体系建设</a>' in out
    assert '<p class="raw-about" id="raw">' in out and '<a href="#L1">第 1–201 行</a>' in out


# --- made-up pages ------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> & # *x* | y"


def article_on(tmp_path, text: str, encoding: str = "utf-8", **changes) -> Article:
    data = text.encode(encoding)
    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / "p.txt").write_bytes(data)
    a = Article("x1", "article", "标题", False, None, None, None, (), None, "导语第一句。",
                (Paragraph(HOSTILE.replace("<", "＜"), "text", (5, 5)),), (Caption("图为活动", None, (7, 7)),), (),
                None, None, "seeds/p.txt", hashlib.sha256(data).hexdigest(), (1, 5))
    return dataclasses.replace(a, **changes)


PAGE = "标题\n\n导语第一\n句。\n" + HOSTILE + "\n\n图为活动\n"


def test_raw_script_is_escaped(tmp_path):
    a = article_on(tmp_path, PAGE)
    [page] = source_pages([a], tmp_path).values()
    assert "<script" not in page
    # the paragraph's line, in its comparison: "<" became "＜" here, so the change shows, escaped
    assert '<span id="L5" class="dl line"><a class="ln" href="#L5" data-n="5" aria-label="第 5 行"></a>' \
           '<del>&lt;</del>script&gt;' in page
    assert "<del>&lt;</del>" in page and "<ins>＜</ins>" in page
    check_lines(page, a, PAGE.split("\n"))
    assert anchored(page)[5] == HOSTILE
    # the listing: the headline (and the blank line after it), then the lines compared above
    assert '<span id="L1" class="line hl">' in page and '<span id="L2" class="line hl">' in page
    assert '（第 3–7 行见上文<a href="#L3">对照</a>）' in page and '<span id="L8" class="line">' in page


def test_the_page_does_not_grow_with_the_page_file(tmp_path):
    """Only the article's stretch of the page file is printed: 9,000 more lines after it change
    the line count and the elided range, nothing else."""
    pages = []
    for n in (1_000, 10_000):
        a = article_on(tmp_path, PAGE + "".join(f"第{i}行，别的文章。\n" for i in range(n)))
        [page] = source_pages([a], tmp_path).values()
        pages.append(page.replace(a.source_sha256, "SHA"))
    assert pages[0].replace("1008", "10008") == pages[1]  # 共 1008 行, （第 13–1008 行从略）


def test_no_page_when_the_file_changed_or_is_missing(tmp_path):
    a = article_on(tmp_path, PAGE)
    assert source_pages([dataclasses.replace(a, source_sha256="0" * 64)], tmp_path) == {}
    assert source_pages([dataclasses.replace(a, source_file="seeds/gone.txt")], tmp_path) == {}
    assert read_source(tmp_path, "seeds/p.txt", a.source_sha256) == PAGE


def test_encoded_pages_are_decoded(tmp_path):
    a = article_on(tmp_path, PAGE.replace("\n", "\r\n"), "gb18030")
    [page] = source_pages([a], tmp_path).values()
    assert '<span id="L3" class="dl line"><a class="ln" href="#L3" data-n="3" aria-label="第 3 行"></a>导语第一\n' in page


def test_a_long_page_shows_the_article_with_context(tmp_path):
    last = 5099
    text = "\n".join(f"第{i}行。" for i in range(1, last + 1))
    a = article_on(tmp_path, text, lines=(3000, 3001), captions=(), paragraphs=())
    [page] = source_pages([a], tmp_path).values()
    shown = [int(n) for n in re.findall(r'<span id="L(\d+)"', page)]
    assert shown == list(range(3000 - CONTEXT_LINES, 3002 + CONTEXT_LINES)) == list(range(2995, 3007))
    assert highlighted(page) == [3000, 3001]
    assert "（第 1–2994 行从略）" in page and f"（第 3007–{last} 行从略）" in page


def test_write_all_writes_source_pages_and_removes_stale_ones(tmp_path):
    from scripts.model import BuildReport, PageResult

    a = article_on(tmp_path, PAGE)
    docs = tmp_path / "docs"
    (docs / "src").mkdir(parents=True)
    (docs / "src" / "gone.md").write_text("旧", encoding="utf-8")
    (docs / "src" / "notes.txt").write_text("手写", encoding="utf-8")
    report = BuildReport((PageResult("seeds/p.txt", a.source_sha256, "utf-8", (a,), (), (), (), ()),), ())
    write_all(report, docs)  # root: the folder holding docs/
    assert sorted(p.name for p in (docs / "src").iterdir()) == ["notes.txt", "x1.md"]
    assert '<a class="source-link" href="../src/x1.md">' in (docs / "a" / "x1.md").read_text(encoding="utf-8")
    write_all(report, docs, root=tmp_path / "elsewhere")  # the page file is not there: no page, no link
    assert not (docs / "src" / "x1.md").exists()
    assert "source-link" not in (docs / "a" / "x1.md").read_text(encoding="utf-8")


# --- the comparison -----------------------------------------------------------------------------

def test_diff_summary_names_the_changes():
    left, right, summary = diff("党员 人驻 ,\n企业\"好\"", "党员入驻，企业“好”")
    assert summary[:2] == ["接续断行 1 处", "删去空格 2 个"]
    assert set(summary[2:]) == {"「人」→「入」 1 处", "「,」→「，」 1 处", "「\"」→「“」 1 处", "「\"」→「”」 1 处"}
    assert [t for t, removed in right if removed] == ["入", "，", "“", "”"]
    assert diff("同样", "同样") == ([[("同样", False)]], [("同样", False)], [])


def test_locate_and_belongs():
    lines = [(1, "标题在这里"), (3, "本报讯 导语"), (5, "第二行。"), (7, "张三")]
    assert locate(lines, "本报讯 导语第二行。") == [(3, "本报讯 导语"), (5, "第二行。")]
    assert locate(lines, "") == [] and locate([], "文字") == []
    assert belongs("青岛高新区人驻", "青岛高新区入驻企业") and not belongs("编辑：戈清平", "青岛高新区入驻企业")
    # a headline whose words recur in the lead is not part of it; a lead line with an OCR slip is
    lines = [(1, "青岛高新区聚力高企党员队伍建设"), (3, "近年来，青岛高新区以党建"), (5, "引领高企党员人驻园区，聚力"),
             (7, "党员队伍建设。")]
    assert [n for n, _ in locate(lines, "近年来，青岛高新区以党建引领高企党员入驻园区，聚力党员队伍建设。")] == [3, 5, 7]


def ops_are_valid(raw: str, cleaned: str, ops: list) -> None:
    """The opcodes cover both texts in order, and what they call equal is equal."""
    assert ops[0][1] == ops[0][3] == 0 and ops[-1][2] == len(raw) and ops[-1][4] == len(cleaned)
    for (_, _, i2, _, j2), (_, i1, _, j1, _) in zip(ops, ops[1:]):
        assert (i2, j2) == (i1, j1)
    for tag, i1, i2, j1, j2 in ops:
        kind = {(True, True): "replace", (True, False): "delete", (False, True): "insert"}.get((i1 < i2, j1 < j2))
        assert raw[i1:i2] == cleaned[j1:j2] != "" if tag == "equal" else tag == kind


SPACING = st.sampled_from([" ", "\n", "  ", " \n", "\u3000"])
HALF = {"，": ",", "：": ":", "“": '"', "”": '"', "（": "(", "）": ")"}


@settings(max_examples=200, deadline=None)
@given(st.text("党建引领高新区企业青岛发展，：“”（）ab12 ", min_size=1, max_size=80), st.data())
def test_align_matches_the_cleaned_text_to_the_raw(cleaned, data):
    """The cleaner deletes spaces and line breaks and makes punctuation full-width: the walk
    finds exactly that, every other character of the raw text equal to its cleaned twin."""
    raw = "".join(data.draw(SPACING) * data.draw(st.booleans()) + HALF.get(ch, ch) for ch in cleaned)
    ops = align(raw, cleaned)
    ops_are_valid(raw, cleaned, ops)
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":  # only spacing removed, and punctuation replaced one for one
            assert "".join(raw[i1:i2].split()) == "".join(HALF.get(ch, ch) for ch in "".join(cleaned[j1:j2].split()))


@settings(max_examples=200, deadline=None)
@given(st.text("党建引领高新区，。 \n", max_size=60), st.text("党建引领高新区，。 ,", max_size=60))
def test_align_covers_any_two_texts(raw, cleaned):
    ops = align(raw, cleaned)
    if raw or cleaned:
        ops_are_valid(raw, cleaned, ops)
    else:
        assert ops == []


def test_every_seed_article_has_a_readable_source_page(seed_report):
    articles = [a for p in seed_report.pages for a in p.articles]
    pages = source_pages(articles, PROJECT)
    assert set(pages) == {a.id for a in articles}
    for a in articles:
        page = pages[a.id]
        raw = (PROJECT / a.source_file).read_text(encoding="utf-8").split("\n")
        assert page.count('class="diff-unit"') == len(units(a, raw))
        assert "未能在原始文本中定位" not in page, a.id
        check_lines(page, a, raw)
