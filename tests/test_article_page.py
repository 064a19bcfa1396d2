"""Article pages: numbered paragraphs with ¶ links, figure captions, the metadata panel (an inferred
date says 推断 and shows its evidence), the link to the raw text, the citation box.

Checked twice: on the Markdown of ``write.article_page`` rendered with the site's extensions, and
on a small site built strictly with the theme (``overrides/``) and the page hooks: the seed
articles with every field filled (``tests.test_indexes.enrich_for_test``) and one hostile article.
"""
from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.utils.meta import get_data

from scripts.cite import FORMATS
from scripts.indexes import Site, index_pages
from scripts.model import Caption, Paragraph
from scripts.pipeline import PROJECT, collect
from scripts.provenance import source_pages
from scripts.write import article_page, text_units

HOSTILE_TITLE = '</script><script>alert(1)</script> "引号" & <b>粗</b> {x}'
HOSTILE_LEAD = "<script>alert(2)</script> 青岛高新区 # 井号 *星号* | 竖线 [链接](x.md) &amp; `code`"
FORMAT_KEYS = [key for key, _ in FORMATS]


def paragraph_ids(page: str) -> list[str]:
    return re.findall(r'<p id="(p\d+)">', page)


# --- the Markdown page ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def md_config():
    cfg = load_config(str(PROJECT / "mkdocs.yml"))
    return {"extensions": cfg["markdown_extensions"], "extension_configs": cfg["mdx_configs"]}


def sample():
    from tests.test_write import make_article

    return make_article(
        lead="导语 <b>不是标签</b>。", date="2024", date_basis="inferred", date_evidence="今年是建党百年",
        paragraphs=(Paragraph("第一段。", "text", (5, 6)), Paragraph("小标题", "heading", (8, 8)),
                    Paragraph("# 第二段 *不是强调*", "text", (9, 9)), Paragraph("第三段", "text", (10, 11))),
        captions=(Caption("图为党员活动", "本报记者 张三 摄", (12, 12)), Caption("<i>第二幅</i>", None, (13, 13))))


def test_paragraphs_are_numbered_in_order_with_links(md_config):
    a = sample()
    out = markdown.markdown(get_data(article_page(a))[0], **md_config)
    assert paragraph_ids(out) == ["p1", "p2", "p3", "p4"]  # the lead, then the text paragraphs
    assert [n for n, _ in text_units(a) if n] == ["p1", "p2", "p3", "p4"]
    for n in range(1, 5):
        assert out.count(f'<a class="para-link" href="#p{n}"') == 1
        assert re.search(rf'<p id="p{n}">[^\n]*<a class="para-link" href="#p{n}" title="[^"]*" data-search-exclude>¶</a></p>', out)
    assert '<p id="p1"><strong>本报讯</strong> 导语 &lt;b&gt;不是标签&lt;/b&gt;。 <a' in out
    assert '<p id="p3"># 第二段 *不是强调* <a' in out and "<em>" not in out
    assert re.search(r"<h2[^>]*>小标题", out)  # headings stay headings, not numbered
    assert out.index('id="p2"') < out.index("小标题") < out.index('id="p3"')


def test_no_lead_numbers_from_the_body(md_config):
    a = dataclasses.replace(sample(), lead=None, dateline=None)
    out = markdown.markdown(get_data(article_page(a))[0], **md_config)
    assert paragraph_ids(out) == ["p1", "p2", "p3"] and '<div class="lead">' not in out
    assert paragraph_ids(markdown.markdown(get_data(article_page(dataclasses.replace(
        a, paragraphs=(), captions=())))[0], **md_config)) == []


def test_figure_captions(md_config):
    out = markdown.markdown(get_data(article_page(sample()))[0], **md_config)
    figures = re.findall(r'<figure class="photo" id="(f\d)">\s*<div class="photo-placeholder"[^>]*>[^<]*</div>\s*'
                         r"<figcaption>(.*?)</figcaption>\s*</figure>", out)
    assert [f for f, _ in figures] == ["f1", "f2"]
    assert figures[0][1].startswith('图为党员活动 <span class="photo-credit">—— 本报记者 张三 摄</span>')
    assert figures[1][1].startswith("&lt;i&gt;第二幅&lt;/i&gt; <a class=\"para-link\" href=\"#f2\"")


def test_metadata_panel_inferred_date(md_config):
    out = markdown.markdown(get_data(article_page(sample()))[0], **md_config)
    [panel] = re.findall(r'<dl class="meta-panel">.*?</dl>', out, re.S)
    assert '<dt>日期：</dt><dd>2024<span class="date-inferred">（推断）</span>' in panel
    assert '<span class="date-evidence">日期为推断，依据：“今年是建党百年”</span>' in panel
    for label in ("作者", "高新区", "出处", "原文"):
        assert f"<dt>{label}：</dt>" in panel
    assert "《中国高新技术产业导报》 · 第 4 版 · 栏目：党建" in panel
    assert "source-link" not in panel  # no raw-text page for a made-up article
    manifest = markdown.markdown(get_data(article_page(dataclasses.replace(sample(), date_basis="manifest")))[0],
                                 **md_config)
    assert '2024<span class="date-basis">（档案登记）</span>' in manifest and "推断" not in manifest


def test_source_link_when_the_raw_page_exists(md_config):
    doc = article_page(sample(), has_source=True)
    assert '<a class="source-link" href="../src/abc123.md">查看原始版面文本</a>' in doc


# --- a built site -------------------------------------------------------------------------------

HOOK = """\
import sys
from pathlib import Path

sys.path.insert(0, {project!r})
from scripts.mkdocs_hooks import on_page_context, on_page_markdown  # noqa: E402,F401
"""

CONFIG = """\
site_name: 测试档案
theme:
  name: material
  custom_dir: {custom_dir}
  language: zh
extra_css: {extra_css}
extra_javascript: {extra_javascript}
hooks:
  - hook.py
markdown_extensions:
  - toc:
      permalink: true
      slugify: !!python/name:markdown.extensions.toc.slugify_unicode
"""


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """Seed articles (enriched for the test) and a hostile one, written as the write stage does,
    built with ``mkdocs build --strict`` with the project's theme, assets and page hooks."""
    from tests.test_indexes import enrich_for_test

    tmp = tmp_path_factory.mktemp("article_site")
    docs = tmp / "docs"
    report = collect(PROJECT / "seeds", root=PROJECT)
    seed = [a for p in report.pages for a in p.articles]
    base = next(a for a in seed if a.id == "315bb3244a")
    hostile = dataclasses.replace(base, id="hostile0001", title=HOSTILE_TITLE, lead=HOSTILE_LEAD,
                                  authors=base.authors[:1], tags=("<b>", "a|b"))
    articles = enrich_for_test(seed + [hostile])
    articles = [dataclasses.replace(a, title=HOSTILE_TITLE) if a.id == hostile.id else a for a in articles]
    site = Site.build(articles)
    sources = source_pages(articles, PROJECT)
    for a in articles:
        (docs / "a").mkdir(parents=True, exist_ok=True)
        (docs / "a" / f"{a.id}.md").write_text(article_page(a, site, has_source=a.id in sources), encoding="utf-8")
    for article_id, text in sources.items():
        (docs / "src").mkdir(exist_ok=True)
        (docs / "src" / f"{article_id}.md").write_text(text, encoding="utf-8")
    for rel, text in index_pages(site).items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    (docs / "data").mkdir(exist_ok=True)
    (docs / "data" / "articles.jsonl").write_text("", encoding="utf-8")
    (docs / "data" / "sources.jsonl").write_text("", encoding="utf-8")
    (docs / "data" / "figures.csv").write_text("", encoding="utf-8")
    (docs / "index.md").write_text("# 测试\n", encoding="utf-8")
    shutil.copy(PROJECT / "docs" / "cite.md", docs / "cite.md")
    shutil.copytree(PROJECT / "docs" / "assets", docs / "assets")

    cfg = load_config(str(PROJECT / "mkdocs.yml"))
    assert Path(cfg["theme"].custom_dir) == PROJECT / "overrides"
    (tmp / "hook.py").write_text(HOOK.format(project=str(PROJECT)), encoding="utf-8")
    (tmp / "mkdocs.yml").write_text(CONFIG.format(
        custom_dir=PROJECT / "overrides", extra_css=[str(c) for c in cfg["extra_css"]],
        extra_javascript=[str(j) for j in cfg["extra_javascript"]]), encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1740787200"}  # 2025-03-01
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp / "mkdocs.yml"),
                           "-d", str(tmp / "site")], cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    def page(article_id: str, folder: str = "a") -> str:
        return (tmp / "site" / folder / article_id / "index.html").read_text(encoding="utf-8")

    return SimpleNamespace(root=tmp, articles=articles, sources=sources, page=page)


def test_built_paragraph_anchors(built_site):
    for a in built_site.articles:
        page = built_site.page(a.id)
        expected = [n for n, _ in text_units(a) if n]
        assert paragraph_ids(page) == expected, a.id
        for n in expected:
            assert page.count(f'<a class="para-link" href="#{n}"') == 1
        assert len(re.findall(r'\bid="(p\d+)"', page)) == len(expected)  # no other element takes a pN id


def test_built_metadata_panel_and_source_link(built_site):
    for a in built_site.articles:
        page = built_site.page(a.id)
        [panel] = re.findall(r'<dl class="meta-panel">.*?</dl>', page, re.S)
        if a.date_basis == "inferred":
            assert re.search(r'<span class="date-inferred">[^<]*推断[^<]*</span>', panel)
            assert f"日期为推断，依据：“{a.date_evidence}”" in panel
        else:
            assert "推断" not in panel
        assert f'<a class="source-link" href="../../src/{a.id}/">查看原始版面文本</a>' in panel
        assert ".md\"" not in page  # every raw-HTML link was resolved
        for zone in a.zones[:1]:
            assert "../../zones/" in panel


def test_built_figures(built_site):
    for a in built_site.articles:
        page = built_site.page(a.id)
        captions = re.findall(r'<figure class="photo" id="f\d+">.*?<figcaption>(.*?) <a class="para-link"', page, re.S)
        assert len(captions) == len(a.captions), a.id
        for c, shown in zip(a.captions, captions):
            text = " ".join(t for t in (" ".join(c.text.split()), c.credit and "—— " + " ".join(c.credit.split())) if t)
            assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == text


def test_built_citation_box(built_site):
    for a in built_site.articles:
        page = built_site.page(a.id)
        box = re.search(r'<section id="cite" class="cite-box"[^>]*>.*?</section>', page, re.S)
        assert box, a.id
        box = box.group()
        assert re.findall(r'<pre class="cite-text" data-format="([^"]+)">', box) == FORMAT_KEYS
        assert re.findall(r'<button type="button" class="cite-copy md-button" data-format="([^"]+)"', box) == FORMAT_KEYS
        assert '<span class="cite-date" data-sep="-">2025-03-01</span>' in box
        assert f'<span class="cite-url" data-relative>a/{a.id}/</span>' in box
        assert '<a href="#cite">引用本文</a>' in page and 'href="../../cite/"' in box


def test_built_hostile_article_is_text(built_site):
    page = built_site.page("hostile0001")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "# 井号 *星号* | 竖线 [链接](x.md) &amp;amp; `code`" in page
    assert re.search(r'<p id="p1">&lt;script&gt;alert\(2\)&lt;/script&gt; <a href="../../zones/[^"]+/">青岛高新区</a>', page)
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert f"<title>{html.escape(HOSTILE_TITLE)} - " in page


def test_every_article_has_a_source_page(built_site):
    assert set(built_site.sources) == {a.id for a in built_site.articles}
    for a in built_site.articles:
        page = built_site.page(a.id, "src")
        assert f'href="../../a/{a.id}/"' in page  # back to the article
        if a.lead:
            assert f'href="../../a/{a.id}/#p1"' in page  # the lead's comparison links to its paragraph
