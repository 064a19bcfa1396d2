"""Provenance pages: each article's raw page text, and what the cleaner changed in it.

``docs/src/<id>.md`` (URL ``src/<id>/``), written by ``write.write_all`` beside the article page,
which links to it (查看原始版面文本); ``iter_source_pages`` yields them page file by page file:

- 机器整理文本与原始版面文本对照: for the lead, every section heading, every paragraph and every
  caption, the raw lines it came from (原始版面文本, characters the cleaner removed marked
  ``<del>``) beside the cleaned text (机器整理文本, characters it put in marked ``<ins>``), with
  a summary (接续断行 n 处, 删去空格 n 个, 「,」→「，」 n 处 …). The lines are the ones the
  segmenter recorded (``Paragraph.lines``, ``Caption.lines``); the lead's are found between the
  headline and the first paragraph. Lines printed inside a paragraph's range that belong elsewhere (a photo
  caption between two columns) are shown greyed, outside the comparison. A column break or a
  wrapped line joined is not marked: every raw line ends in one. Each raw line carries its number
  and, where it first appears on the page, its anchor ``<span id="L12" class="dl line">`` (in a
  ``<pre class="diff-text raw-page">``: an anchored line is styled as a target like the listing's).
- 原始版面文本: the article's stretch of the page as decoded (``scripts/decode.py``: encoding
  detected, line endings normalised), HTML-escaped, one ``<span id="L12" class="line">`` per line
  with its number: the article's lines (its range and its captions', ``class="line hl"``) with
  ``CONTEXT_LINES`` around them; the rest of the page is elided (从略), and runs of lines already
  listed in the comparison are one row pointing to them (见上文对照), so each line is printed once.
  The page file's name and SHA-256 identify the whole file.

So every ``#L<n>`` of the article's non-blank lines and of the context resolves, and the page
holds the article's text twice (raw and cleaned), whatever the size of the page it came from.

The comparison is a linear walk (``align``): the cleaner deletes spaces and line breaks, replaces
single characters (half-width punctuation, OCR slips) and rarely more, so the walk skips equal
stretches, steps over whitespace, re-aligns after a change by looking a few characters ahead, and
hands only a stretch it cannot re-align to ``difflib``.

The raw text is read again from ``<root>/<source_file>`` and used only when its SHA-256 is the one
the article records; otherwise (file moved or edited since, or a test's made-up article) there is
no page and the article does not link to one. Units longer than ``MAX_DIFF_CHARS`` are not compared.
"""
from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .model import Article, PageError

CONTEXT_LINES = 5  # raw lines shown before and after the article's lines
MAX_DIFF_CHARS = 20_000
MAX_LEAD_LINES = 300  # candidate lines searched for the lead
RESYNC_DISTANCE = 12  # characters looked ahead on either side to re-align after a change
AGREE = 4  # non-space characters that must agree where the walk re-aligns
FALLBACK_WINDOW = 240  # characters of each side handed to difflib when the walk cannot re-align
RAW_LABEL, CLEAN_LABEL = "原始版面文本", "机器整理文本"

Opcode = tuple[str, int, int, int, int]
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


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


def iter_source_pages(articles: Iterable[Article], root: Path) -> Iterator[tuple[str, str]]:
    """``(article id, page)`` for every article whose page file can be read back unchanged, page
    file by page file: each file is read, checked and split into lines once, and let go when its
    articles are done, so a caller that writes pages as they come holds one page file at a time."""
    by_file: dict[tuple[str, str], list[Article]] = {}
    for a in articles:
        by_file.setdefault((a.source_file, a.source_sha256), []).append(a)
    for (file, sha256), group in by_file.items():
        text = read_source(root, file, sha256)
        if text is not None:
            raw = text.split("\n")
            for a in group:
                yield a.id, source_page(a, raw)


def source_pages(articles: Iterable[Article], root: Path) -> dict[str, str]:
    """``{article id: page}`` for every article whose page file can be read back unchanged, in the
    order of ``articles``."""
    articles = list(articles)
    pages = dict(iter_source_pages(articles, root))
    return {a.id: pages[a.id] for a in articles if a.id in pages}


# --- which raw lines each part of the article came from ------------------------------------

def _norm(text: str) -> str:
    """Letters, digits and Han characters only: what the cleaner never changes (bar OCR slips).

    >>> _norm("青 岛，高新区_A-1")
    '青岛高新区A1'
    """
    return _NOT_ALNUM.sub("", text)


def _bigrams(text: str) -> set[str]:
    """The pairs of adjacent characters of ``text``."""
    return set(map(str.__add__, text, text[1:]))


@lru_cache(maxsize=64)
def _normed(cleaned: str) -> str:
    """``_norm(cleaned)``, computed once per unit rather than once per raw line."""
    return _norm(cleaned)


@lru_cache(maxsize=64)
def _pairs(cleaned: str) -> frozenset[str]:
    """The character pairs of ``_normed(cleaned)``, computed once per unit and only if needed."""
    return frozenset(_bigrams(_normed(cleaned)))


def _belongs(n: str, cleaned: str) -> bool:
    """``belongs`` for a line already normalised to ``n``."""
    norm = _normed(cleaned)
    if len(n) < 2 or n in norm:
        return n in norm
    line_pairs = _bigrams(n)
    return len(line_pairs & _pairs(cleaned)) >= 0.5 * len(line_pairs)


def belongs(line: str, cleaned: str) -> bool:
    """Whether a raw line printed inside a unit's range is part of it: most of its character
    pairs occur in the cleaned text (a caption printed between two columns does not).

    >>> belongs("青 岛 高 新 区", "青岛高新区将继续"), belongs("图为党员活动", "青岛高新区将继续"), belongs("。", "x")
    (True, False, True)
    """
    return _belongs(_norm(line), cleaned)


def _nonblank(raw: list[str], first: int, last: int) -> list[tuple[int, str]]:
    return [(n, raw[n - 1]) for n in range(max(first, 1), min(last, len(raw)) + 1) if raw[n - 1].strip()]


def _longest_prefix_in(n: str, target: str) -> int:
    """Length of the longest prefix of ``n`` printed in ``target`` (binary search)."""
    lo, hi = 0, len(n)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if n[:mid] in target:
            lo = mid
        else:
            hi = mid - 1
    return lo


def printed_in(n: str, target: str, slack: int = 2) -> bool:
    """Whether the normalised line ``n`` is printed in ``target`` in order: as a whole, or but
    for up to ``slack`` characters in the middle (an OCR slip) between a prefix and a suffix
    that follow each other in ``target``. A headline whose words recur in the text is not.

    >>> printed_in("青岛高新区人驻企业", "今年青岛高新区入驻企业十家"), printed_in("企业青岛", "青岛高新区入驻企业")
    (True, False)
    """
    if n in target:
        return True
    head = _longest_prefix_in(n, target)
    tail = len(n) - _longest_prefix_in(n[::-1], target[::-1])
    if head == 0 or tail == len(n) or tail - head > slack:
        return False
    at = target.find(n[:head])
    return 0 <= target.find(n[tail:], at + head) - (at + head) <= slack


def locate(candidates: list[tuple[int, str]], text: str) -> list[tuple[int, str]]:
    """The run of ``candidates`` (consecutive raw lines) that best matches ``text``: the run
    with the most characters in lines printed in it (``printed_in``), less those in lines that
    are not (a maximum-sum run, found in one pass); on a tie the later start and the earlier end.

    >>> locate([(1, "标题"), (2, "本报讯 导语第"), (3, "一句。"), (4, "署名")], "本报讯 导语第一句。")
    [(2, '本报讯 导语第'), (3, '一句。')]
    """
    target = _norm(text)
    if not target or not candidates or len(target) > MAX_DIFF_CHARS:
        return []
    candidates = candidates[-MAX_LEAD_LINES:]
    best, span, run, start = 0, (0, 0), 0, 0
    for k, (_, line) in enumerate(candidates):
        n = _norm(line)
        if run <= 0:
            run, start = 0, k
        run += len(n) if printed_in(n, target) else -len(n)
        if run > best:
            best, span = run, (start, k + 1)
    return candidates[span[0]:span[1]]


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


# --- aligning raw and cleaned text ----------------------------------------------------------

def _common_prefix(a: str, i: int, b: str, j: int) -> int:
    """Length of the common prefix of ``a[i:]`` and ``b[j:]``, by galloping slice comparisons
    (a handful of C-speed comparisons however long the equal stretch).

    >>> _common_prefix("党建引领发展", 0, "党建引领，发展", 0), _common_prefix("ab", 1, "xb", 1), _common_prefix("a", 0, "b", 0)
    (4, 1, 0)
    """
    n, step, limit = 0, 8, min(len(a) - i, len(b) - j)
    while n < limit:
        s = min(step, limit - n)
        if a[i + n:i + n + s] == b[j + n:j + n + s]:
            n, step = n + s, 2 * s
        elif s == 1:
            break
        else:
            step = s // 2
    return n


def _equal_run(raw: str, i: int, cleaned: str, j: int) -> int:
    """``_common_prefix``, trying first the usual case: the raw text up to its next space is
    printed as is in the cleaned text (one ``startswith``), and the space is not.

    >>> _equal_run("青岛 高新区", 0, "青岛高新区", 0), _equal_run("a b,c", 0, "a b，c", 0)
    (2, 3)
    """
    if raw[i] != cleaned[j]:
        return 0
    space = _SPACE.search(raw, i)
    end = space.start() if space else len(raw)
    n = end - i
    if not cleaned.startswith(raw[i:end], j):
        return _common_prefix(raw, i, cleaned, j)
    if end < len(raw) and j + n < len(cleaned) and raw[end] == cleaned[j + n]:
        return n + _common_prefix(raw, end, cleaned, j + n)
    return n


def _skeleton(text: str, i: int) -> str:
    """The next ``AGREE`` non-space characters of ``text`` from ``i`` (fewer at its end)."""
    return _SPACE.sub("", text[i:i + 4 * AGREE])[:AGREE]


def _agree(raw: str, p: int, r: str, cleaned: str, q: int, c: str) -> bool:
    """Whether the walk can go on from ``raw[p]`` and ``cleaned[q]``, whose skeletons are ``r``
    and ``c``: the next ``AGREE`` non-space characters are the same, or both texts end the same way."""
    if r != c:
        return False
    return len(r) == AGREE or _SPACE.sub("", raw[p:]) == _SPACE.sub("", cleaned[q:])


def _next_agree(r: str, c: str) -> bool:
    """Whether the characters after a replaced one agree: the same (or both texts end), or both
    punctuation (a run of quotes and commas replaced one by one: ``"",`` → ``”“，``).

    >>> _next_agree("驻", "驻"), _next_agree('"', "“"), _next_agree("岛", "宁"), _next_agree("", "")
    (True, True, False, True)
    """
    return r == c or (r != "" != c and not r.isalnum() and not c.isalnum())


_OFFSETS = sorted(((di, dj) for di in range(RESYNC_DISTANCE + 1) for dj in range(RESYNC_DISTANCE + 1) if di or dj),
                  key=lambda d: (d[0] + d[1], abs(d[0] - d[1]), -d[0]))


def _resync(raw: str, i: int, cleaned: str, j: int) -> tuple[int, int]:
    """Where the walk goes on after ``raw[i] != cleaned[j]`` (neither a space): one character
    replaced when the next ones agree (「,」→「，」, 「人」→「入」; ``_next_agree``), else the nearest offsets
    after which ``AGREE`` characters agree, else what difflib finds in the next stretch.

    >>> _resync("人驻,", 0, "入驻，", 0), _resync("a...b", 1, "a…b", 1), _resync("甲乙丙丁戊", 0, "乙丙丁戊", 0)
    ((1, 1), (4, 2), (1, 0))
    """
    if _next_agree(_skeleton(raw, i + 1)[:1], _skeleton(cleaned, j + 1)[:1]):
        return i + 1, j + 1
    ahead_raw = [_skeleton(raw, i + d) for d in range(min(RESYNC_DISTANCE, len(raw) - i) + 1)]
    ahead_clean = [_skeleton(cleaned, j + d) for d in range(min(RESYNC_DISTANCE, len(cleaned) - j) + 1)]
    for di, dj in _OFFSETS:
        if di < len(ahead_raw) and dj < len(ahead_clean) and \
                _agree(raw, i + di, ahead_raw[di], cleaned, j + dj, ahead_clean[dj]):
            return i + di, j + dj
    return _fallback(raw, i, cleaned, j)


def _fallback(raw: str, i: int, cleaned: str, j: int) -> tuple[int, int]:
    """difflib on the next ``FALLBACK_WINDOW`` characters of each side: the first matching block
    of ``AGREE`` characters or more; none: both windows differ throughout (so text unrelated to
    the other side costs one difflib call per window, not one per character)."""
    a, b = raw[i:i + FALLBACK_WINDOW], cleaned[j:j + FALLBACK_WINDOW]
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    good = [m for m in blocks if m.size >= AGREE]
    return (i + good[0].a, j + good[0].b) if good else (i + len(a), j + len(b))


def _change(i1: int, i2: int, j1: int, j2: int) -> list[Opcode]:
    """The opcode for ``raw[i1:i2]`` becoming ``cleaned[j1:j2]`` (none when both are empty)."""
    if i1 == i2 and j1 == j2:
        return []
    return [("replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert", i1, i2, j1, j2)]


def align(raw: str, cleaned: str) -> list[Opcode]:
    """``difflib.SequenceMatcher.get_opcodes()`` for ``raw`` and ``cleaned``, found by a walk
    linear in their length: equal stretches are skipped at once, whitespace on either side is
    stepped over (a space or line break removed, added or changed), and after any other change
    the walk re-aligns (``_resync``). The changes between two equal stretches form one opcode.

    >>> align("青 岛,好", "青岛，好")
    [('equal', 0, 1, 0, 1), ('delete', 1, 2, 1, 1), ('equal', 2, 3, 1, 2), ('replace', 3, 4, 2, 3), ('equal', 4, 5, 3, 4)]
    >>> align("word\\nnext", "word next"), align("", "新")
    ([('equal', 0, 4, 0, 4), ('replace', 4, 5, 4, 5), ('equal', 5, 9, 5, 9)], [('insert', 0, 0, 0, 1)])
    """
    ops: list[Opcode] = []
    i = j = pi = pj = 0  # (pi, pj): where the current change began
    while i < len(raw) and j < len(cleaned):
        n = _equal_run(raw, i, cleaned, j)
        if n:
            if pi < i or pj < j:
                ops += _change(pi, i, pj, j)
            ops.append(("equal", i, i + n, j, j + n))
            i = pi = i + n
            j = pj = j + n
        elif raw[i].isspace():  # removed (one character at a time when a space stands opposite)
            i = i + 1 if cleaned[j].isspace() else _SPACE.match(raw, i).end()
        elif cleaned[j].isspace():  # added
            j = _SPACE.match(cleaned, j).end()
        else:
            i, j = _resync(raw, i, cleaned, j)
    return ops + _change(pi, len(raw), pj, len(cleaned))


# --- the comparison -------------------------------------------------------------------------

def _spaces(text: str) -> int:
    """How many whitespace characters ``text`` holds.

    >>> _spaces(" a\\u3000b \\n")
    4
    """
    return len(text) - len("".join(text.split()))


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
    ops = align(raw, cleaned)
    left, right = _sides(raw, cleaned, ops)
    return left, right, _summary(raw, cleaned, ops)


def _put(runs: list[tuple[str, bool]], text: str, changed: bool) -> None:
    """Append ``text`` to ``runs``, joining it to the last run when that is marked alike."""
    if runs and runs[-1][1] == changed:
        runs[-1] = (runs[-1][0] + text, changed)
    else:
        runs.append((text, changed))


def _sides(raw: str, cleaned: str, ops: list[Opcode]) -> tuple[list[list[tuple[str, bool]]], list[tuple[str, bool]]]:
    """The raw side as lines of ``(text, removed)`` runs, the cleaned side as ``(text, added)`` runs."""
    left: list[list[tuple[str, bool]]] = [[]]
    right: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in ops:
        changed = tag != "equal"
        for k, part in enumerate(raw[i1:i2].split("\n")):
            if k:
                left.append([])
            if part:
                _put(left[-1], part, changed)
        if j1 < j2:
            _put(right, cleaned[j1:j2], changed)
    return left, right


def _summary(raw: str, cleaned: str, ops: list[Opcode]) -> list[str]:
    """The changes, counted: line breaks joined, spaces removed or added, and every other
    replacement, most frequent first (接续断行 8 处, 删去空格 11 个, 「,」→「，」 2 处 …)."""
    joins, spaces, added_spaces = 0, 0, 0
    changed: Counter[tuple[str, str]] = Counter()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        a, b = raw[i1:i2], cleaned[j1:j2]
        breaks = a.count("\n")
        joins += breaks
        if not b and a.isspace():  # spacing removed: the usual change
            spaces += len(a) - breaks
            continue
        a = a.replace("\n", "")
        gap = _spaces(a) - _spaces(b)
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
    return summary


def _runs(runs: list[tuple[str, bool]], mark: str) -> str:
    return "".join(f"<{mark}>{html.escape(t)}</{mark}>" if changed else html.escape(t) for t, changed in runs)


def _line_number(n: int) -> str:
    return f'<a class="ln" href="#L{n}" data-n="{n}" aria-label="第 {n} 行"></a>'


def _diff_line(n: int, body: str, anchored: set[int], cls: str = "dl line", title: str = "") -> str:
    """One raw line of a comparison; it takes the anchor ``L<n>`` if no earlier one on the page has."""
    id_attr = "" if n in anchored else f' id="L{n}"'
    anchored.add(n)
    title_attr = f' title="{title}"' if title else ""
    return f'<span{id_attr} class="{cls}"{title_attr}>{_line_number(n)}{body}\n</span>'


def own_lines(u: Unit) -> list[tuple[int, str]]:
    """The raw lines of ``u`` that belong to it (``belongs``): all of them, without a look at each,
    when together they hold exactly the letters, digits and Han characters of the cleaned text."""
    if _norm("".join(t for _, t in u.lines)) == _normed(u.cleaned):
        return list(u.lines)
    return [(n, t) for n, t in u.lines if belongs(t, u.cleaned)]


def unit_html(u: Unit, article_md: str, captions: set[int], anchored: set[int]) -> str:
    """One comparison: the unit's raw lines beside its cleaned text. The raw lines shown are
    added to ``anchored`` (those not yet in it take their ``L<n>`` anchor here)."""
    own = own_lines(u)
    link = f'<a href="{article_md}#{u.anchor}">{u.label}</a>' if u.anchor else u.label
    where = f"原始第 {u.lines[0][0]}–{u.lines[-1][0]} 行" if u.lines else "未能在原始文本中定位"
    head = [link, where]
    if not own:
        left_html, right_html = "", html.escape(u.cleaned)
    elif sum(len(t) for _, t in own) + len(u.cleaned) > 2 * MAX_DIFF_CHARS:
        head.append("过长，未逐字比对")
        left_html = "".join(_diff_line(n, html.escape(t), anchored) for n, t in own)
        right_html = html.escape(u.cleaned)
    else:
        left, right, summary = diff("\n".join(t for _, t in own), u.cleaned)
        head.append("改动：" + "；".join(summary) if summary else "未改动")
        by_number = dict(zip((n for n, _ in own), left))
        rows = []
        for n, t in u.lines:
            if n in by_number:
                rows.append(_diff_line(n, _runs(by_number[n], "del"), anchored))
            else:
                why = "本文的图片说明" if n in captions else "不属本段"
                rows.append(_diff_line(n, f'{html.escape(t)}<span class="why">（{why}）</span>', anchored,
                                       "dl line other", why))
        left_html, right_html = "".join(rows), _runs(right, "ins")
    id_attr = f' id="d-{u.anchor}"' if u.anchor else ""
    return (f'<section class="diff-unit"{id_attr}>\n'
            f'<div class="diff-head">{" · ".join(head)}</div>\n'
            f'<div class="diff-cols">\n'
            f'<div class="diff-side diff-raw"><div class="diff-label">{RAW_LABEL}</div>'
            f'<pre class="diff-text raw-page">{left_html}</pre></div>\n'
            f'<div class="diff-side diff-clean"><div class="diff-label">{CLEAN_LABEL}</div>'
            f'<p class="diff-text">{right_html}</p></div>\n'
            f'</div>\n</section>')


# --- the raw page ---------------------------------------------------------------------------

def article_ranges(a: Article) -> list[tuple[int, int]]:
    """The article's line ranges ``(first, last)``, 1-based: its own and its captions'."""
    return [a.lines, *(c.lines for c in a.captions if c.lines[0])]


def article_lines(a: Article) -> set[int]:
    """The raw lines of the article: its range and its captions' ranges (1-based)."""
    return {n for first, last in article_ranges(a) for n in range(first, last + 1)}


def shown_lines(raw: list[str], ranges: list[tuple[int, int]]) -> list[int]:
    """The raw lines the page shows: those of ``ranges`` and ``CONTEXT_LINES`` around them.

    >>> shown_lines(["x"] * 20, [(10, 11)]), shown_lines(["x"] * 3, [(1, 1)])
    ([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 2, 3])
    >>> shown_lines(["x"] * 30, [(20, 20), (1, 9)]) == list(range(1, 26))
    True
    """
    shown: list[int] = []
    for first, last in sorted(ranges):
        start = max(first - CONTEXT_LINES, shown[-1] + 1 if shown else 1)
        shown.extend(range(start, min(last + CONTEXT_LINES, len(raw)) + 1))
    return shown


def listed_above(raw: list[str], shown: list[int], compared: set[int]) -> set[int]:
    """The shown lines the raw page need not repeat: those listed in a comparison, and blank
    lines between two of them.

    >>> sorted(listed_above(["a", "", "b", "", "c"], [1, 2, 3, 4, 5], {1, 3}))
    [1, 2, 3]
    """
    out: set[int] = set()
    blanks: list[int] = []
    previous = None  # the last compared line, while only blank lines have followed it
    for n in shown:
        contiguous = previous is not None and (blanks[-1] if blanks else previous) == n - 1
        if n in compared:
            if contiguous:
                out.update(blanks)
            out.add(n)
            blanks, previous = [], n
        elif contiguous and not raw[n - 1].strip():
            blanks.append(n)
        else:
            blanks, previous = [], None
    return out


def _gap(first: int, last: int, what: str) -> str:
    where = f"第 {first} 行" if first == last else f"第 {first}–{last} 行"
    return f'<span class="line gap">（{where}{what}）\n</span>'


def stretches(shown: list[int], above: set[int]) -> list[tuple[int, int, bool]]:
    """``shown`` cut into runs of consecutive lines alike in being ``above`` or not:
    ``(first, last, above)``.

    >>> stretches([1, 2, 3, 4, 9, 10], {3, 4, 9})
    [(1, 2, False), (3, 4, True), (9, 9, True), (10, 10, False)]
    """
    out: list[tuple[int, int, bool]] = []
    for n in shown:
        listed = n in above
        if out and out[-1][1] == n - 1 and out[-1][2] == listed:
            out[-1] = (out[-1][0], n, listed)
        else:
            out.append((n, n, listed))
    return out


def raw_page_html(raw: list[str], highlighted: set[int], shown: list[int], above: set[int]) -> str:
    """``<pre class="raw-page">``: the ``shown`` lines, each as ``<span id="L<n>" class="line">``,
    highlighted ones ``class="line hl"``; a run of lines ``above`` (listed in a comparison) is one
    row linking to them; the lines not shown are elided."""
    rows, previous = [], 0
    for first, last, listed in stretches(shown, above):
        if first > previous + 1:
            rows.append(_gap(previous + 1, first - 1, "从略"))
        if listed:
            rows.append(_gap(first, last, f'见上文<a href="#L{first}">对照</a>'))
        else:
            rows.extend(f'<span id="L{n}" class="{"line hl" if n in highlighted else "line"}">'
                        f'{_line_number(n)}{html.escape(raw[n - 1])}\n</span>' for n in range(first, last + 1))
        previous = last
    if previous < len(raw):
        rows.append(_gap(previous + 1, len(raw), "从略"))
    return f'<pre class="raw-page">{"".join(rows)}</pre>'


def source_page(a: Article, text: str | list[str]) -> str:
    """The Markdown page ``src/<id>.md`` for article ``a`` whose page file decodes to ``text``
    (or to these lines)."""
    from .write import ARTICLE_DIR, escape_inline, front_matter

    raw = text.split("\n") if isinstance(text, str) else text
    article_md = f"../{ARTICLE_DIR}/{a.id}.md"
    captions = {n for c in a.captions if c.lines[0] for n in range(c.lines[0], c.lines[1] + 1)}
    highlighted = article_lines(a)
    first, last = a.lines
    compared: set[int] = set()
    comparisons = [unit_html(u, article_md, captions, compared) for u in units(a, raw)]
    shown = shown_lines(raw, article_ranges(a))
    above = listed_above(raw, shown, compared)
    start = min((n for n in compared | (set(shown) - above) if n >= first), default=first)  # first anchored
    blocks = [
        f"# {RAW_LABEL}",
        f"[← 返回文章：{escape_inline(a.title)}]({article_md})",
        f"文章《{escape_inline(a.title)}》取自版面文件 {escape_inline(a.source_file)}（第 {first}–{last} 行"
        + ("及图片说明所在行" if captions - set(range(first, last + 1)) else "")
        + f"）。[{RAW_LABEL}](#raw) 是从报纸 PDF 提取的版面文本，未经改动；"
        f"{CLEAN_LABEL}是本档案机器整理（接续断行、去掉排版空格、统一标点等，见[关于与引用](../cite.md)）"
        "后发布的文字。",
        "## 机器整理文本与原始版面文本对照",
        f'左栏为{RAW_LABEL}，<del>划去</del>的是整理时删去的字符；右栏为{CLEAN_LABEL}，<ins>标出</ins>的是整理时改成或补入的字符。'
        "行尾断行的接续不逐一标出，只计数；灰色的行虽印在该段中间，但属于别处（如图片说明）。",
        *comparisons,
        f"## {RAW_LABEL}",
        f'<p class="raw-about" id="raw">{html.escape(a.source_file)} · SHA-256 <code>{html.escape(a.source_sha256)}</code>'
        f' · 共 {len(raw)} 行 · 本文：<a href="#L{start}">第 {first}–{last} 行</a></p>',
        f"下面是文章所在的行（高亮）及前后各 {CONTEXT_LINES} 行；上文对照中已逐行列出的不再重复，"
        "版面其余部分从略，完整的版面文件可按上面的文件名和 SHA-256 核对。",
        raw_page_html(raw, highlighted, shown, above),
    ]
    meta = {"title": f"{RAW_LABEL}：{a.title}", "search": {"exclude": True}}
    return front_matter(meta) + "\n" + "\n\n".join(blocks) + "\n"
