"""Provenance pages: each article's raw page text, and what the cleaner changed in it.

``docs/src/<id>.md`` (URL ``src/<id>/``), written by ``write.write_all`` beside the article page,
which links to it (查看原始版面文本):

- 机器整理文本与原始版面文本对照: for the lead, every section heading, every paragraph and every
  caption, the raw lines it came from (原始版面文本, characters the cleaner removed marked
  ``<del>``) beside the cleaned text (机器整理文本, characters it put in marked ``<ins>``), with
  a summary (接续断行 n 处, 删去空格 n 个, 「,」→「，」 n 处 …). The lines are the ones the
  segmenter recorded (``Paragraph.lines``, ``Caption.lines``); the lead's are found between the
  headline and the first paragraph. Lines printed inside a paragraph's range that belong elsewhere (a photo
  caption between two columns) are shown greyed, outside the comparison. A column break or a
  wrapped line joined is not marked: every raw line ends in one.
- 原始版面文本: the whole page as decoded (``scripts/decode.py``: encoding detected, line endings
  normalised), HTML-escaped, one ``<span id="L12" class="line">`` per line with its number; the
  article's lines (its range and its captions') are ``class="line hl"``.

The raw text is read again from ``<root>/<source_file>`` and used only when its SHA-256 is the one
the article records; otherwise (file moved or edited since, or a test's made-up article) there is
no page and the article does not link to one. Pages too long to show whole (more than
``MAX_PAGE_LINES`` lines or ``MAX_PAGE_CHARS`` characters) show the article's lines with
``CONTEXT_LINES`` around them; units longer than ``MAX_DIFF_CHARS`` are not compared.
"""
from __future__ import annotations

import hashlib
import html
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable

from .model import Article, PageError

MAX_PAGE_LINES = 5000
MAX_PAGE_CHARS = 500_000
CONTEXT_LINES = 5
MAX_DIFF_CHARS = 20_000
MAX_LEAD_LINES = 300  # candidate lines searched for the lead
RAW_LABEL, CLEAN_LABEL = "原始版面文本", "机器整理文本"


@dataclass(frozen=True)
class Unit:
    """One piece of the article to compare: its label, its anchor on the article page (or None),
    the cleaned text, and the raw lines ``(number, text)`` it came from."""

    label: str
    anchor: str | None
    cleaned: str
    lines: tuple[tuple[int, str], ...]


# --- reading the raw page -------------------------------------------------------------------

def read_source(root: Path, file: str, sha256: str) -> str | None:
    """The decoded text of ``root/file`` if its bytes are still the ones the article came from."""
    from .decode import decode_bytes

    try:
        data = (root / file).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    try:
        return decode_bytes(data, file).text
    except PageError:
        return None


def source_pages(articles: Iterable[Article], root: Path) -> dict[str, str]:
    """``{article id: page}`` for every article whose page file can be read back unchanged."""
    texts: dict[tuple[str, str], str | None] = {}
    pages = {}
    for a in articles:
        key = (a.source_file, a.source_sha256)
        if key not in texts:
            texts[key] = read_source(root, a.source_file, a.source_sha256)
        if texts[key] is not None:
            pages[a.id] = source_page(a, texts[key])
    return pages


# --- which raw lines each part of the article came from ------------------------------------

def _norm(text: str) -> str:
    """Letters, digits and Han characters only: what the cleaner never changes (bar OCR slips)."""
    return "".join(ch for ch in text if ch.isalnum())


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _nonblank(raw: list[str], first: int, last: int) -> list[tuple[int, str]]:
    return [(n, raw[n - 1]) for n in range(max(first, 1), min(last, len(raw)) + 1) if raw[n - 1].strip()]


def locate(candidates: list[tuple[int, str]], text: str) -> list[tuple[int, str]]:
    """The run of ``candidates`` (consecutive raw lines) that best matches ``text``.

    >>> locate([(1, "标题"), (2, "本报讯 导语第"), (3, "一句。"), (4, "署名")], "本报讯 导语第一句。")
    [(2, '本报讯 导语第'), (3, '一句。')]
    """
    target = _norm(text)
    if not target or not candidates or len(target) > MAX_DIFF_CHARS:
        return []
    candidates = candidates[-MAX_LEAD_LINES:]
    norms = [_norm(t) for _, t in candidates]

    def score(i: int, j: int) -> float:
        return _ratio("".join(norms[i:j]), target)

    start = max(range(len(candidates)), key=lambda i: (score(i, len(candidates)), i))
    end = max(range(start + 1, len(candidates) + 1), key=lambda j: (score(start, j), -j))
    return candidates[start:end]


def units(a: Article, raw: list[str]) -> list[Unit]:
    """The lead, headings, paragraphs and captions of ``a``, each with its raw lines."""
    from .write import text_units

    out = []
    starts = [p.lines[0] for p in a.paragraphs if p.lines[0]]
    for anchor, p in text_units(a):
        if p is None:
            lead = " ".join(t for t in (a.dateline, a.lead) if t)
            end = (min(starts) - 1) if starts else a.lines[1]
            out.append(Unit(f"导语（第 {anchor[1:]} 段）", anchor, lead, tuple(locate(_nonblank(raw, a.lines[0], end), lead))))
        else:
            label = "小标题" if anchor is None else f"第 {anchor[1:]} 段"
            lines = _nonblank(raw, *p.lines) if p.lines[0] else []
            out.append(Unit(label, anchor, p.text, tuple(lines)))
    for i, c in enumerate(a.captions, 1):
        text = " ".join(t for t in (c.text, c.credit) if t)
        out.append(Unit(f"图 {i} 说明", f"f{i}", text, tuple(_nonblank(raw, *c.lines) if c.lines[0] else ())))
    return out


def belongs(line: str, cleaned: str) -> bool:
    """Whether a raw line printed inside a unit's range is part of it: most of its character
    pairs occur in the cleaned text (a caption printed between two columns does not).

    >>> belongs("青 岛 高 新 区", "青岛高新区将继续"), belongs("图为党员活动", "青岛高新区将继续"), belongs("。", "x")
    (True, False, True)
    """
    n = _norm(line)
    if len(n) < 2:
        return not n or n in _norm(cleaned)
    pairs = _bigrams(n)
    return len(pairs & _bigrams(_norm(cleaned))) >= 0.5 * len(pairs)


# --- the comparison -------------------------------------------------------------------------

def _show(text: str) -> str:
    return text.replace(" ", "␣").replace("\t", "⇥").replace("\u3000", "□")


def diff(raw: str, cleaned: str) -> tuple[list[list[tuple[str, bool]]], list[tuple[str, bool]], list[str]]:
    """Character-level comparison of a unit's raw lines (joined by ``\\n``) with its cleaned text.

    Returns the raw side as lines of ``(text, removed)`` runs, the cleaned side as ``(text,
    added)`` runs, and the changes summarised (a joined line break is not marked, only counted).

    >>> left, right, summary = diff("青 岛 高 新\\n区,好", "青岛高新区，好")
    >>> [(t, d) for t, d in left[0]], right, summary
    ([('青', False), (' ', True), ('岛', False), (' ', True), ('高', False), (' ', True), ('新', False)], [('青岛高新区', False), ('，', True), ('好', False)], ['接续断行 1 处', '删去空格 3 个', '「,」→「，」 1 处'])
    """
    left: list[list[tuple[str, bool]]] = [[]]
    right: list[tuple[str, bool]] = []
    joins, spaces, added_spaces = 0, 0, 0
    changed: Counter[tuple[str, str]] = Counter()

    def put_left(text: str, removed: bool) -> None:
        for i, part in enumerate(text.split("\n")):
            if i:
                left.append([])
            if part and left[-1] and left[-1][-1][1] == removed:
                left[-1][-1] = (left[-1][-1][0] + part, removed)
            elif part:
                left[-1].append((part, removed))

    for tag, i1, i2, j1, j2 in SequenceMatcher(None, raw, cleaned, autojunk=False).get_opcodes():
        a, b = raw[i1:i2], cleaned[j1:j2]
        put_left(a, tag != "equal")
        if b and right and right[-1][1] == (tag != "equal"):
            right[-1] = (right[-1][0] + b, right[-1][1])
        elif b:
            right.append((b, tag != "equal"))
        if tag == "equal":
            continue
        joins += a.count("\n")
        a = a.replace("\n", "")
        gap = sum(ch.isspace() for ch in a) - sum(ch.isspace() for ch in b)
        spaces, added_spaces = spaces + max(gap, 0), added_spaces + max(-gap, 0)
        if a.strip() or b.strip():  # more than spacing changed
            changed[(_show(a.strip()), _show(b.strip()))] += 1
    summary = [f"接续断行 {joins} 处"] if joins else []
    if spaces:
        summary.append(f"删去空格 {spaces} 个")
    if added_spaces:
        summary.append(f"补入空格 {added_spaces} 个")
    for (before, after), n in sorted(changed.items(), key=lambda kv: (-kv[1], kv[0])):
        if not after:
            summary.append(f"删去「{before}」 {n} 处")
        elif not before:
            summary.append(f"补入「{after}」 {n} 处")
        else:
            summary.append(f"「{before}」→「{after}」 {n} 处")
    return left, right, summary


def _runs(runs: list[tuple[str, bool]], mark: str) -> str:
    return "".join(f"<{mark}>{html.escape(t)}</{mark}>" if changed else html.escape(t) for t, changed in runs)


def _line_number(n: int) -> str:
    return f'<a class="ln" href="#L{n}" data-n="{n}" aria-label="第 {n} 行"></a>'


def unit_html(u: Unit, article_md: str, captions: set[int]) -> str:
    """One comparison: the unit's raw lines beside its cleaned text."""
    own = [(n, t) for n, t in u.lines if belongs(t, u.cleaned)]
    link = f'<a href="{article_md}#{u.anchor}">{u.label}</a>' if u.anchor else u.label
    where = f"原始第 {u.lines[0][0]}–{u.lines[-1][0]} 行" if u.lines else "未能在原始文本中定位"
    head = [link, where]
    if not own:
        left_html, right_html = "", html.escape(u.cleaned)
    elif sum(len(t) for _, t in own) + len(u.cleaned) > 2 * MAX_DIFF_CHARS:
        head.append("过长，未逐字比对")
        left_html = "".join(f'<span class="dl">{_line_number(n)}{html.escape(t)}\n</span>' for n, t in own)
        right_html = html.escape(u.cleaned)
    else:
        left, right, summary = diff("\n".join(t for _, t in own), u.cleaned)
        head.append("改动：" + "；".join(summary) if summary else "未改动")
        by_number = dict(zip((n for n, _ in own), left))
        rows = []
        for n, t in u.lines:
            if n in by_number:
                rows.append(f'<span class="dl">{_line_number(n)}{_runs(by_number[n], "del")}\n</span>')
            else:
                why = "本文的图片说明" if n in captions else "不属本段"
                rows.append(f'<span class="dl other" title="{why}">{_line_number(n)}{html.escape(t)}'
                            f'<span class="why">（{why}）</span>\n</span>')
        left_html, right_html = "".join(rows), _runs(right, "ins")
    id_attr = f' id="d-{u.anchor}"' if u.anchor else ""
    return (f'<section class="diff-unit"{id_attr}>\n'
            f'<div class="diff-head">{" · ".join(head)}</div>\n'
            f'<div class="diff-cols">\n'
            f'<div class="diff-side diff-raw"><div class="diff-label">{RAW_LABEL}</div>'
            f'<pre class="diff-text">{left_html}</pre></div>\n'
            f'<div class="diff-side diff-clean"><div class="diff-label">{CLEAN_LABEL}</div>'
            f'<p class="diff-text">{right_html}</p></div>\n'
            f'</div>\n</section>')


# --- the raw page ---------------------------------------------------------------------------

def article_lines(a: Article) -> set[int]:
    """The raw lines of the article: its range and its captions' ranges (1-based)."""
    numbers = set(range(a.lines[0], a.lines[1] + 1))
    for c in a.captions:
        if c.lines[0]:
            numbers |= set(range(c.lines[0], c.lines[1] + 1))
    return numbers


def raw_page_html(raw: list[str], highlighted: set[int]) -> str:
    """``<pre class="raw-page">``: every line (or, on a very long page, the highlighted ones and
    their context) as ``<span id="L<n>" class="line">``, highlighted ones ``class="line hl"``."""
    shown = range(1, len(raw) + 1)
    if len(raw) > MAX_PAGE_LINES or sum(map(len, raw)) > MAX_PAGE_CHARS:
        near = {n + d for n in highlighted for d in range(-CONTEXT_LINES, CONTEXT_LINES + 1)}
        shown = [n for n in shown if n in near]
    rows, previous = [], 0
    for n in shown:
        if n > previous + 1:
            rows.append(f'<span class="line gap">（第 {previous + 1}–{n - 1} 行从略）\n</span>')
        cls = "line hl" if n in highlighted else "line"
        rows.append(f'<span id="L{n}" class="{cls}">{_line_number(n)}{html.escape(raw[n - 1])}\n</span>')
        previous = n
    if previous < len(raw):
        rows.append(f'<span class="line gap">（第 {previous + 1}–{len(raw)} 行从略）\n</span>')
    return f'<pre class="raw-page">{"".join(rows)}</pre>'


def source_page(a: Article, text: str) -> str:
    """The Markdown page ``src/<id>.md`` for article ``a`` whose page file decodes to ``text``."""
    from .write import ARTICLE_DIR, escape_inline, front_matter

    raw = text.split("\n")
    article_md = f"../{ARTICLE_DIR}/{a.id}.md"
    captions = {n for c in a.captions if c.lines[0] for n in range(c.lines[0], c.lines[1] + 1)}
    highlighted = article_lines(a)
    first, last = a.lines
    blocks = [
        f"# {RAW_LABEL}",
        f"[← 返回文章：{escape_inline(a.title)}]({article_md})",
        f"文章《{escape_inline(a.title)}》取自版面文件 {escape_inline(a.source_file)}（第 {first}–{last} 行"
        + ("及图片说明所在行" if captions - set(range(first, last + 1)) else "")
        + f"，下文高亮）。[{RAW_LABEL}](#raw) 是从报纸 PDF 提取的版面文本，未经改动；"
        f"{CLEAN_LABEL}是本档案机器整理（接续断行、去掉排版空格、统一标点等，见[关于与引用](../cite.md)）"
        "后发布的文字。",
        "## 机器整理文本与原始版面文本对照",
        f'左栏为{RAW_LABEL}，<del>划去</del>的是整理时删去的字符；右栏为{CLEAN_LABEL}，<ins>标出</ins>的是整理时改成或补入的字符。'
        "行尾断行的接续不逐一标出，只计数；灰色的行虽印在该段中间，但属于别处（如图片说明）。",
        *(unit_html(u, article_md, captions) for u in units(a, raw)),
        f"## {RAW_LABEL}",
        f'<p class="raw-about" id="raw">{html.escape(a.source_file)} · SHA-256 <code>{html.escape(a.source_sha256)}</code>'
        f' · 共 {len(raw)} 行 · 本文：<a href="#L{first}">第 {first}–{last} 行</a></p>',
        raw_page_html(raw, highlighted),
    ]
    meta = {"title": f"{RAW_LABEL}：{a.title}", "search": {"exclude": True}}
    return front_matter(meta) + "\n" + "\n\n".join(blocks) + "\n"
