"""The write stage: a finished ``BuildReport`` -> Markdown pages and the data export in ``docs/``.

Writing is the last, dumb step: every value is already decided, this module only formats it.

- ``docs/a/<id>.md``: one page per article (URL ``a/<id>/``), YAML front matter + escaped text,
  then people, organisations, key figures, related articles, other articles of the same zone and
  suspected duplicates; the first mention of each of its zones links to the zone's page;
- ``docs/articles.md``: the list of all articles, grouped by source page;
- index pages (``scripts/indexes.py``): ``docs/{tags,topics,zones,authors,years}/``;
- ``docs/data/articles.jsonl`` and ``docs/data/sources.jsonl``: the data export, one JSON object
  per line, UTF-8, sorted (pages by file, articles by source file and first line);
  ``docs/data/figures.csv``: every key figure, one per row (UTF-8 with BOM, for Excel).

Files are rewritten only when their content changes, so ``mkdocs serve`` (whose ``on_pre_build``
hook runs the build) does not rebuild in a loop; stale ``*.md`` pages are removed from the
generated folders (``a/`` and the index folders) and nowhere else. All links between generated
pages are relative ``.md`` links, which MkDocs checks (``--strict``) and rewrites.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

# libyaml's emitter when PyYAML has it (about ten times faster); the same safe subset either way.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

from .model import Article, BuildReport, PageResult

if TYPE_CHECKING:  # scripts/indexes.py imports this module; it is imported lazily below
    from .indexes import Site

ARTICLE_DIR = "a"  # docs/a/<id>.md -> /a/<id>/
DATA_DIR = "data"
KIND_LABELS = {"article": "文章", "photo": "图片"}
INFERRED_TITLE_NOTE = "标题为整理者据正文拟定"
DATE_BASIS_LABELS = {"manifest": "档案登记", "inferred": "推断"}
SAME_ZONE_MAX = 10  # other articles of the same zone listed on an article page, per zone
FIGURES_CSV_COLUMNS = ("id", "title", "zone", "date", "date_basis", "subject", "value", "unit", "sentence")

# Characters that are Markdown or HTML syntax wherever they appear. Backslash escapes where
# Python-Markdown accepts them (``|`` is escapable because MkDocs always loads ``tables``),
# entities for HTML. One ``str.translate`` pass, so no replacement is escaped twice.
_ANYWHERE = str.maketrans({
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "{": "\\{", "}": "\\}",
    "[": "\\[", "]": "\\]", "#": "\\#", "|": "\\|",
    "&": "&amp;", "<": "&lt;", ">": "&gt;",
})
# Syntax that only counts at the start of a line: indentation (code block), list markers,
# ``1.`` (ordered list), ``=``/``-`` (setext heading, rule), ``~~~`` (fenced code).
_LINE_START = re.compile(r"^(?:(?P<space>[ \t])|(?P<mark>[-+])|(?P<entity>[=~])|(?P<num>\d+)\.)", re.M)


def escape_markdown(text: str) -> str:
    r"""Escape raw page text so Markdown renders every character literally.

    Page text is data, never markup. Chinese text and full-width punctuation are untouched.

    >>> escape_markdown("# 标题 *重点* a|b [链接](http://x)")
    '\\# 标题 \\*重点\\* a\\|b \\[链接\\](http://x)'
    >>> escape_markdown("<script>alert(1)</script> & ok")
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp; ok'
    >>> escape_markdown("1. 第一\n- 项\n> 引\n    缩进\n~~~\n===")
    '1\\. 第一\n\\- 项\n&gt; 引\n&#32;   缩进\n&#126;~~\n&#61;=='
    >>> escape_markdown("高新区“党建红”引领“科技蓝”，2024-05-01，3~5年。")
    '高新区“党建红”引领“科技蓝”，2024-05-01，3~5年。'
    """
    return _LINE_START.sub(_escape_line_start, text.translate(_ANYWHERE))


def _escape_line_start(m: re.Match[str]) -> str:
    if m["space"]:
        return f"&#{ord(m['space'])};"
    if m["mark"]:
        return "\\" + m["mark"]
    if m["entity"]:
        return f"&#{ord(m['entity'])};"
    return m["num"] + "\\."


def escape_inline(text: str) -> str:
    """Escape text that must stay on one line (headings, emphasis, list items).

    >>> escape_inline("第一行\\n第二行")
    '第一行 第二行'
    """
    return escape_markdown(" ".join(text.splitlines()))


# --- records (the data export) -------------------------------------------------------------

def article_url(a: Article) -> str:
    return f"{ARTICLE_DIR}/{a.id}/"


def article_body(a: Article) -> str:
    """The article after the lead as Markdown: paragraphs escaped, headings as ``##``."""
    parts = []
    for p in a.paragraphs:
        parts.append(f"## {escape_inline(p.text)}" if p.kind == "heading" else escape_markdown(p.text))
    return "\n\n".join(parts)


def article_record(a: Article) -> dict:
    """One line of ``articles.jsonl``; keys in the documented order."""
    return {
        "id": a.id,
        "url": article_url(a),
        "kind": a.kind,
        "title": a.title,
        "title_inferred": a.title_inferred,
        "kicker": a.kicker,
        "subtitle": a.subtitle or None,
        "byline": a.byline,
        "authors": [au.name for au in a.authors],
        "author_roles": [{"name": au.name, "role": au.role} for au in a.authors],
        "dateline": a.dateline,
        "zones": list(a.zones),
        "date": a.date,
        "date_basis": a.date_basis,
        "date_evidence": a.date_evidence,
        "newspaper": a.meta.newspaper,
        "page": a.meta.page,
        "column": a.meta.column,
        "lead": a.lead,
        "body": article_body(a),
        "captions": [{"text": c.text, "credit": c.credit} for c in a.captions],
        "people": [{"name": p.name, "title": p.title} for p in a.people],
        "organizations": list(a.organizations),
        "tags": list(a.tags),
        "topics": list(a.topics),
        "figures": [{"subject": f.subject, "value": f.value, "unit": f.unit, "sentence": f.sentence}
                    for f in a.figures],
        "related": list(a.related),
        "near_duplicates": list(a.near_duplicates),
        "source": {"file": a.source_file, "sha256": a.source_sha256, "lines": [a.lines[0], a.lines[1]]},
    }


def article_order(a: Article) -> tuple:
    return (a.source_file, a.lines[0], a.id)


def source_record(p: PageResult) -> dict:
    """One line of ``sources.jsonl``: what one page file turned into."""
    return {
        "file": p.file,
        "sha256": p.sha256,
        "encoding": p.encoding,
        "articles": [a.id for a in sorted(p.articles, key=article_order)],
        "furniture": [{"text": f.text, "line": f.line, "kind": f.kind} for f in p.furniture],
        "dropped": [{"text": d.text, "line": d.line, "reason": d.reason} for d in p.dropped],
        "corrections": [{"line": c.line, "before": c.before, "after": c.after, "rule": c.rule}
                        for c in p.corrections],
        "diagnostics": [str(d) for d in p.diagnostics],
    }


def json_lines(records: list[dict]) -> str:
    """One JSON object per line, not ASCII-escaped.

    >>> json_lines([{"title": "党建", "n": 1}])
    '{"title": "党建", "n": 1}\\n'
    """
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# --- pages ----------------------------------------------------------------------------------

FRONT_MATTER_KEYS = ("id", "kind", "title", "title_inferred", "kicker", "subtitle", "byline", "authors",
                     "author_roles", "dateline", "zones", "date", "date_basis", "date_evidence", "newspaper",
                     "page", "column", "captions", "people", "organizations", "tags", "topics", "figures",
                     "related", "near_duplicates", "source")


def front_matter(data: dict) -> str:
    """A YAML front-matter block (``---`` … ``---``) that MkDocs reads back to ``data``.

    >>> print(front_matter({"title": "是: 否", "zones": ["青岛高新区"]}), end="")
    ---
    title: '是: 否'
    zones:
    - 青岛高新区
    ---
    """
    text = yaml.dump(data, Dumper=SAFE_DUMPER, allow_unicode=True, sort_keys=False, width=1 << 30)
    return f"---\n{text}---\n"


def date_text(a: Article) -> str:
    """The date as shown in lists: an inferred date is labelled 推断.

    >>> from dataclasses import replace
    >>> from scripts.model import Article
    >>> a = Article("x", "article", "t", False, None, None, None, (), None, None, (), (), (), "2024-04-22",
    ...             "inferred", "f", "", (1, 1))
    >>> date_text(a), date_text(replace(a, date_basis="manifest")), date_text(replace(a, date=None))
    ('2024-04-22（推断）', '2024-04-22', '日期未知')
    """
    if not a.date:
        return "日期未知"
    return f"{a.date}（推断）" if a.date_basis == "inferred" else a.date


def _where_text(a: Article) -> str | None:
    m = a.meta
    parts = [f"《{m.newspaper}》" if m.newspaper else None, f"{m.page}版" if m.page else None,
             f"栏目：{m.column}" if m.column else None]
    return " ".join(p for p in parts if p) or None


def link_first_mentions(text: str, links: dict[str, tuple[str, str]], done: set[str]) -> str:
    r"""Link the first mention of each zone in already-escaped Markdown ``text``.

    ``links`` maps every way of writing a zone to ``(zone, url)``; ``done`` holds the zones
    already linked earlier on the page (updated here). Zone names hold no Markdown syntax, so
    the escaped text contains them as printed; a name right after ``!`` is skipped (``![`` would
    make an image).

    >>> links = {"青岛高新区": ("青岛高新区", "../zones/z-1.md"), "青岛国家高新区": ("青岛高新区", "../zones/z-1.md")}
    >>> done = set()
    >>> link_first_mentions("青岛国家高新区\\*党建\\*，青岛高新区", links, done)
    '[青岛国家高新区](../zones/z-1.md)\\*党建\\*，青岛高新区'
    >>> link_first_mentions("青岛高新区", links, done), done
    ('青岛高新区', {'青岛高新区'})
    """
    if not links or done >= {zone for zone, _ in links.values()}:
        return text
    pattern = "(?<!!)(?:" + "|".join(re.escape(n) for n in sorted(links, key=lambda n: (-len(n), n))) + ")"

    def link(m: re.Match[str]) -> str:
        zone, url = links[m.group()]
        if zone in done:
            return m.group()
        done.add(zone)
        return f"[{m.group()}]({url})"

    return re.sub(pattern, link, text)


def _zone_links(a: Article, site: Site) -> dict[str, tuple[str, str]]:
    from .indexes import zone_names

    links: dict[str, tuple[str, str]] = {}
    for zone in a.zones:  # most-mentioned first: a name shared by two zones goes to the first
        term = site.zones.get(zone)
        if term:
            for name in zone_names(zone):
                links.setdefault(name, (zone, f"../zones/{term.slug}.md"))
    return links


def _linked_names(names: list[str], terms: dict, folder: str) -> list[str]:
    """Each name escaped, linked to its term page when it has one."""
    return [f"[{escape_inline(n)}](../{folder}/{terms[n].slug}.md)" if n in terms else escape_inline(n)
            for n in names]


def _date_line(a: Article) -> str:
    """``日期：…`` with where the date comes from; an inferred date says 推断 (evidence below)."""
    if not a.date:
        return "日期未知"
    basis = DATE_BASIS_LABELS.get(a.date_basis or "")
    return f"日期：{escape_inline(a.date)}" + (f"（{basis}）" if basis else "")


def _info_line(a: Article, site: Site) -> str:
    parts = []
    if a.authors:
        names = _linked_names([au.name for au in a.authors], site.authors, "authors")
        parts.append("作者：" + "、".join(f"{escape_inline(au.role)} {n}" if au.role else n
                                         for au, n in zip(a.authors, names)))
    elif a.byline:
        parts.append("作者：" + escape_inline(a.byline))
    parts.append(_date_line(a))
    if a.zones:
        parts.append("高新区：" + "、".join(_linked_names(list(a.zones), site.zones, "zones")))
    where = _where_text(a)
    if where:
        parts.append(escape_inline(where))
    return " · ".join(parts)


def _text_blocks(a: Article, site: Site) -> list[str]:
    """Lead and body as on the page: escaped, zones linked at their first mention in text."""
    links, done = _zone_links(a, site), set()
    blocks = []
    if a.dateline or a.lead:
        dateline = f"**{escape_inline(a.dateline)}**" if a.dateline else ""
        lead = link_first_mentions(escape_markdown(a.lead), links, done) if a.lead else ""
        blocks.append(" ".join(p for p in (dateline, lead) if p))
    for p in a.paragraphs:
        if p.kind == "heading":
            blocks.append(f"## {escape_inline(p.text)}")
        else:
            blocks.append(link_first_mentions(escape_markdown(p.text), links, done))
    return blocks


FIGURES_ON_PAGE = 12  # the page shows the first ones; data/figures.csv has every figure


def _figures_table(a: Article) -> str:
    """Key figures as a table: a sentence is printed once, beside the first of its figures."""
    rows = ["| 项目 | 数值 | 单位 | 原文 |", "| --- | --- | --- | --- |"]
    seen: set[str] = set()
    for f in a.figures[:FIGURES_ON_PAGE]:
        sentence = "" if f.sentence in seen else escape_inline(f.sentence)
        seen.add(f.sentence)
        rows.append(f"| {escape_inline(f.subject)} | {escape_inline(f.value)} | {escape_inline(f.unit)} | {sentence} |")
    more = len(a.figures) - FIGURES_ON_PAGE
    note = f"\n\n另有 {more} 项，见[数据导出](../data/figures.csv)。" if more > 0 else ""
    return "\n".join(rows) + note


def _article_link(a: Article) -> str:
    return f"[{escape_inline(a.title)}]({a.id}.md)"  # pages of docs/a/ link to each other


def _link_sections(a: Article, site: Site) -> list[str]:
    """相关文章, 同一高新区的其他文章, 疑似重复报道: only those that have something to list."""
    blocks = []
    related = [(site.articles[i], s) for i, s in zip(a.related, a.related_scores) if i in site.articles]
    if related:
        blocks.append("## 相关文章\n\n" + "\n".join(f"- {_article_link(r)} · 相似度 {s:.2f}" for r, s in related))
    same = []
    for zone in a.zones:
        term = site.zones.get(zone)
        others = [o for o in term.articles if o.id != a.id] if term else []
        if others:
            more = f"，[全部 {len(term.articles)} 篇](../zones/{term.slug}.md)" if len(others) > SAME_ZONE_MAX else ""
            same.append(f"**[{escape_inline(zone)}](../zones/{term.slug}.md)**（另有 {len(others)} 篇{more}）\n\n"
                        + "\n".join(f"- {_article_link(o)} · {escape_inline(date_text(o))}"
                                    for o in others[:SAME_ZONE_MAX]))
    if same:
        blocks.append("## 同一高新区的其他文章\n\n" + "\n\n".join(same))
    duplicates = [site.articles[i] for i in a.near_duplicates if i in site.articles]
    if duplicates:
        blocks.append("## 疑似重复报道\n\n以下文章与本文有大段相同的文字。\n\n"
                      + "\n".join(f"- {_article_link(d)} · {escape_inline(date_text(d))}" for d in duplicates))
    return blocks


def article_page(a: Article, site: Site | None = None) -> str:
    """The Markdown page of one article: front matter, then the text, everything escaped.

    ``site`` (``scripts.indexes.Site``) is what the page links to: zone, tag, topic and author
    pages and other articles; without it, a site of this one article.
    """
    if site is None:
        from .indexes import Site
        site = Site.build([a])
    record = article_record(a)
    blocks = []
    if a.kicker:
        blocks.append(f"<small>{escape_inline(a.kicker)}</small>")
    blocks.append(f"# {escape_inline(a.title)}")
    if a.title_inferred:
        blocks.append(f"<small>〔{INFERRED_TITLE_NOTE}〕</small>")
    if a.subtitle:
        blocks.append(f"**{escape_inline(a.subtitle)}**")
    blocks.append(_info_line(a, site))
    if a.date and a.date_basis == "inferred" and a.date_evidence:
        blocks.append(f"<small>日期为推断，依据：“{escape_inline(a.date_evidence)}”</small>")
    terms = []
    if a.tags:
        terms.append("标签：" + "、".join(_linked_names(list(a.tags), site.tags, "tags")))
    if a.topics:
        terms.append("主题：" + "、".join(_linked_names(list(a.topics), site.topics, "topics")))
    if terms:
        blocks.append(" · ".join(terms))
    blocks += _text_blocks(a, site)
    if a.captions:
        items = [f"- {escape_inline(c.text)}" + (f" —— {escape_inline(c.credit)}" if c.credit else "")
                 for c in a.captions]
        blocks.append("## 图片说明\n\n" + "\n".join(items))
    if a.people:
        blocks.append("## 人物\n\n" + "\n".join(
            f"- {escape_inline(p.name)}" + (f"，{escape_inline(p.title)}" if p.title else "") for p in a.people))
    if a.organizations:
        blocks.append("## 机构\n\n" + "\n".join(f"- {escape_inline(o)}" for o in a.organizations))
    if a.figures:
        blocks.append("## 关键数据\n\n" + _figures_table(a))
    blocks += _link_sections(a, site)
    first, last = a.lines
    blocks.append("---")
    blocks.append(f"<small>来源：{escape_inline(a.source_file)}，第 {first}–{last} 行，"
                  f"SHA-256 {escape_inline(a.source_sha256[:12])}…</small>")
    meta = {k: record[k] for k in FRONT_MATTER_KEYS}
    return front_matter(meta) + "\n" + "\n\n".join(blocks) + "\n"


def figures_csv(articles: list[Article]) -> str:
    """``data/figures.csv``: one row per key figure, with its article; starts with a BOM (Excel).

    >>> figures_csv([]).splitlines()
    ['\\ufeffid,title,zone,date,date_basis,subject,value,unit,sentence']
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIGURES_CSV_COLUMNS)
    for a in articles:
        for f in a.figures:
            writer.writerow([a.id, a.title, "、".join(a.zones), a.date or "", a.date_basis or "",
                             f.subject, f.value, f.unit, f.sentence])
    return "\ufeff" + out.getvalue()


def articles_index(report: BuildReport) -> str:
    """``docs/articles.md``: every article, grouped by source page (pages by file)."""
    pages = sorted(report.pages, key=lambda p: p.file)
    n = sum(len(p.articles) for p in pages)
    blocks = ["# 文章", f"共 {n} 篇，出自 {len(pages)} 个版面文件。"]
    for p in pages:
        blocks.append(f"## {escape_inline(p.file)}")
        articles = sorted(p.articles, key=article_order)
        if articles and _where_text(articles[0]):
            blocks.append(escape_inline(_where_text(articles[0])))
        items = []
        for a in articles:
            details = [KIND_LABELS.get(a.kind, a.kind)]
            if a.zones:
                details.append("地区：" + "、".join(a.zones))
            if a.authors:
                details.append("作者：" + "、".join(au.name for au in a.authors))
            details.append(date_text(a))
            items.append(f"- [{escape_inline(a.title)}]({ARTICLE_DIR}/{a.id}.md) · "
                         + escape_inline(" · ".join(details)))
        blocks.append("\n".join(items) if items else "（本页没有文章）")
    return front_matter({"title": "文章"}) + "\n" + "\n\n".join(blocks) + "\n"


# --- files ----------------------------------------------------------------------------------

def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` (UTF-8, ``\\n``) unless the file already holds exactly it; True if written."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def remove_stale(folder: Path, keep: set[str]) -> list[Path]:
    """Delete the ``*.md`` files directly in ``folder`` whose names are not in ``keep``."""
    stale = sorted(p for p in folder.glob("*.md") if p.is_file() and p.name not in keep)
    for p in stale:
        p.unlink()
    return stale


def write_all(report: BuildReport, docs_dir: Path) -> None:
    """Write every generated file under ``docs_dir``; unchanged files are left alone, stale
    ``*.md`` files of the generated folders (``a/``, ``tags/``, ``zones/`` …) are removed."""
    from .indexes import TAXONOMY_DIRS, Site, index_pages

    pages = sorted(report.pages, key=lambda p: p.file)
    articles = sorted((a for p in pages for a in p.articles), key=article_order)
    site = Site.build(articles)
    article_dir = docs_dir / ARTICLE_DIR
    for a in articles:
        write_if_changed(article_dir / f"{a.id}.md", article_page(a, site))
    if article_dir.is_dir():
        remove_stale(article_dir, {f"{a.id}.md" for a in articles})
    generated = index_pages(site)
    for rel, text in generated.items():
        write_if_changed(docs_dir / rel, text)
    for folder in TAXONOMY_DIRS:
        if (docs_dir / folder).is_dir():
            remove_stale(docs_dir / folder, {Path(rel).name for rel in generated if rel.startswith(folder + "/")})
    write_if_changed(docs_dir / "articles.md", articles_index(report))
    write_if_changed(docs_dir / DATA_DIR / "articles.jsonl", json_lines([article_record(a) for a in articles]))
    write_if_changed(docs_dir / DATA_DIR / "sources.jsonl", json_lines([source_record(p) for p in pages]))
    write_if_changed(docs_dir / DATA_DIR / "figures.csv", figures_csv(articles))
    from .publish import site_pages

    for rel, text in site_pages(report, articles).items():
        write_if_changed(docs_dir / rel, text)
