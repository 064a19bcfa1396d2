"""The write stage: a finished ``BuildReport`` -> Markdown pages and the data export in ``docs/``.

Writing is the last, dumb step: every value is already decided, this module only formats it.

- ``docs/a/<id>.md``: one page per article (URL ``a/<id>/``), YAML front matter + escaped text;
- ``docs/articles.md``: the list of all articles, grouped by source page;
- ``docs/data/articles.jsonl`` and ``docs/data/sources.jsonl``: the data export, one JSON object
  per line, UTF-8, sorted (pages by file, articles by source file and first line).

Files are rewritten only when their content changes, so ``mkdocs serve`` (whose ``on_pre_build``
hook runs the build) does not rebuild in a loop; stale ``docs/a/*.md`` pages are removed.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from .model import Article, BuildReport, PageResult

ARTICLE_DIR = "a"  # docs/a/<id>.md -> /a/<id>/
DATA_DIR = "data"
KIND_LABELS = {"article": "文章", "photo": "图片"}
INFERRED_TITLE_NOTE = "标题为整理者据正文拟定"

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
        "newspaper": a.meta.newspaper,
        "page": a.meta.page,
        "column": a.meta.column,
        "lead": a.lead,
        "body": article_body(a),
        "captions": [{"text": c.text, "credit": c.credit} for c in a.captions],
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
                     "author_roles", "dateline", "zones", "date", "date_basis", "newspaper", "page",
                     "column", "captions", "source")


def front_matter(data: dict) -> str:
    """A YAML front-matter block (``---`` … ``---``) that MkDocs reads back to ``data``.

    >>> print(front_matter({"title": "是: 否", "zones": ["青岛高新区"]}), end="")
    ---
    title: '是: 否'
    zones:
    - 青岛高新区
    ---
    """
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))
    return f"---\n{text}---\n"


def _authors_text(a: Article) -> str | None:
    if a.authors:
        return "、".join(f"{au.role} {au.name}" if au.role else au.name for au in a.authors)
    return a.byline


def _date_text(a: Article) -> str:
    if not a.date:
        return "日期未知"
    return f"{a.date}（推断）" if a.date_basis == "inferred" else a.date


def _where_text(a: Article) -> str | None:
    m = a.meta
    parts = [f"《{m.newspaper}》" if m.newspaper else None, f"{m.page}版" if m.page else None,
             f"栏目：{m.column}" if m.column else None]
    return " ".join(p for p in parts if p) or None


def article_page(a: Article) -> str:
    """The Markdown page of one article: front matter, then the text, everything escaped."""
    record = article_record(a)
    blocks = []
    if a.kicker:
        blocks.append(f"<small>{escape_inline(a.kicker)}</small>")
    blocks.append(f"# {escape_inline(a.title)}")
    if a.title_inferred:
        blocks.append(f"<small>〔{INFERRED_TITLE_NOTE}〕</small>")
    if a.subtitle:
        blocks.append(f"**{escape_inline(a.subtitle)}**")
    authors = _authors_text(a)
    info = [f"作者：{authors}" if authors else None, f"日期：{_date_text(a)}" if a.date else _date_text(a),
            _where_text(a)]
    blocks.append(escape_inline(" · ".join(i for i in info if i)))
    if a.dateline or a.lead:
        dateline = f"**{escape_inline(a.dateline)}**" if a.dateline else ""
        lead = escape_markdown(a.lead) if a.lead else ""
        blocks.append(" ".join(p for p in (dateline, lead) if p))
    if record["body"]:
        blocks.append(record["body"])
    if a.captions:
        items = [f"- {escape_inline(c.text)}" + (f" —— {escape_inline(c.credit)}" if c.credit else "")
                 for c in a.captions]
        blocks.append("## 图片说明\n\n" + "\n".join(items))
    first, last = a.lines
    blocks.append("---")
    blocks.append(f"<small>来源：{escape_inline(a.source_file)}，第 {first}–{last} 行，"
                  f"SHA-256 {escape_inline(a.source_sha256[:12])}…</small>")
    meta = {k: record[k] for k in FRONT_MATTER_KEYS}
    return front_matter(meta) + "\n" + "\n\n".join(blocks) + "\n"


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
            details.append(_date_text(a))
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
    """Write every generated file under ``docs_dir``; unchanged files are left alone."""
    pages = sorted(report.pages, key=lambda p: p.file)
    articles = sorted((a for p in pages for a in p.articles), key=article_order)
    article_dir = docs_dir / ARTICLE_DIR
    for a in articles:
        write_if_changed(article_dir / f"{a.id}.md", article_page(a))
    if article_dir.is_dir():
        remove_stale(article_dir, {f"{a.id}.md" for a in articles})
    write_if_changed(docs_dir / "articles.md", articles_index(report))
    write_if_changed(docs_dir / DATA_DIR / "articles.jsonl", json_lines([article_record(a) for a in articles]))
    write_if_changed(docs_dir / DATA_DIR / "sources.jsonl", json_lines([source_record(p) for p in pages]))
