"""Segmentation: a page's typed blocks -> articles, captions, furniture and dropped text.

The page is read in passes, each deciding one thing about the blocks from ``layout``:

1. captions: text next to a photo credit, text that starts with 图为, short one-sentence blocks
   interleaved inside a paragraph or floating between wide gaps;
2. column breaks: a paragraph that stops mid-sentence is re-joined with its continuation,
   across any captions and furniture printed in between;
3. pull quotes: a block whose sentences all repeat text printed elsewhere on the page;
4. headings: a heading is an article's headline when it opens the page, stands over a byline
   or a 本报讯 dateline, follows an article's end, or stands after the text it heads (then it
   goes to the untitled article whose words it shares most); otherwise it is a section heading;
5. assembly: articles in page order; captions go to the article naming the same zone, or become
   photo records of their own.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Callable

from .bylines import parse_byline, split_signoff
from .clean import HAN, clean_running_text, clean_text, curl_double_quotes, fix_ocr_slips, han_only, join_wrapped_lines
from .layout import (
    DATELINE,
    Block,
    Line,
    build_blocks,
    ends_open,
    ends_sentence,
    heading_like,
    prepare_lines,
    visual_width,
)
from .model import (
    Article,
    Caption,
    Correction,
    DecodedPage,
    Diagnostic,
    Dropped,
    Furniture,
    PageMeta,
    PageResult,
    Paragraph,
)
from .zones import find_zones, primary_zones

# Words that open a new paragraph; a paragraph cut mid-sentence is not joined to a block that
# starts with one of these unless the words across the cut are evidence of a join.
OPENERS = (
    "这些", "这是", "这一", "此外", "同时", "与此同时", "近日", "近年来", "今年", "去年", "目前", "截至",
    "据悉", "据了解", "下一步", "未来", "为此", "另外", "其中", "随后", "此次", "记者", "原来", "正是",
)
PULL_QUOTE_MAX_PAGE = 300_000
CREDIT_REACH = 120  # raw lines: how far from its caption a photo credit may be printed  # Han characters; larger pages skip the quadratic pull-quote pass


@dataclass(eq=False)  # a unit is an identity: two blocks with equal text are still two blocks
class Unit:
    """A block on its way to becoming part of an article: text plus the lines it came from."""

    block: Block
    role: str  # body | heading | headline | byline | caption | credit | furniture | pullquote
    parts: list[Block] = field(default_factory=list)  # blocks joined into this one (column breaks)
    _text: tuple[int, str] | None = field(default=None, repr=False)  # (len(parts), text) when last joined

    @property
    def blocks(self) -> list[Block]:
        return [self.block, *self.parts]

    @property
    def lines(self) -> list[Line]:
        return [l for b in self.blocks for l in b.lines]

    @property
    def first(self) -> int:
        return self.block.first

    @property
    def last(self) -> int:
        return max(b.last for b in self.blocks)

    @property
    def text(self) -> str:
        """The raw text with wrapped lines joined (joined again only when ``parts`` grew: blocks
        are only ever added to a unit, and a block's lines never change)."""
        if self._text is None or self._text[0] != len(self.parts):
            self._text = (len(self.parts), join_wrapped_lines([l.text for l in self.lines]))
        return self._text[1]


def caption_like(text: str) -> bool:
    """Short, one sentence at most: the shape of a photo caption.

    >>> caption_like("青岛高新区优秀党员代表七一前夕参加集体宣誓仪式。"), caption_like("蓬勃发展中的青岛高新区")
    (True, True)
    >>> caption_like("同时,建立了详细的工作流程图,保障各项公务 畅,项目服务更加规范,取得了良好效果。")
    False
    """
    body = re.sub(r"“[^”]*”|\"[^\"]*\"", "“”", text.strip())
    inner = body.rstrip("。！？!?”")
    if re.search(r"[。！？!?；;]", inner):
        return False
    if len(re.findall(r"[，,]", body)) > 1:
        return False
    return 0 < visual_width(text) <= 80


class NgramCounts:
    """How often each 2- and 3-character Han string occurs on a page, counted once, lazily."""

    def __init__(self, han: str):
        self.han = han
        self._counts: Counter[str] | None = None

    def __getitem__(self, s: str) -> int:
        if self._counts is None:
            h = self.han
            self._counts = Counter(h[i : i + 2] for i in range(len(h) - 1))
            self._counts.update(h[i : i + 3] for i in range(len(h) - 2))
        return self._counts[s]


def boundary_evidence(before: str, after: str, counts: NgramCounts) -> bool:
    """True when the characters across a cut form a string printed elsewhere on the page
    (``…等党`` + ``建标语…``: 党建 occurs many times), i.e. the cut is inside a word.

    >>> boundary_evidence("等党", "建标语", NgramCounts("党建党建党建"))
    True
    >>> boundary_evidence("发展的格", "这些成绩", NgramCounts("党建党建"))
    False
    """
    a, b = han_only(before)[-2:], han_only(after)[:2]
    for i in range(len(a)):
        for j in range(1, len(b) + 1):
            s = a[i:] + b[:j]
            if len(s) < 2 or len(s) > 3 or re.search("[的了是和与在及等为]", s):
                continue
            if counts[s] >= (3 if len(s) == 2 else 2):
                return True
    return False


def starts_paragraph(text: str) -> bool:
    """True when a block opens like a new paragraph: a discourse opener or a named subject.

    >>> starts_paragraph("这些成绩的取得与青岛高新区这支招商铁军密不可分"), starts_paragraph("重点科创平台党组织")
    (True, False)
    >>> starts_paragraph("青岛高新区全周期闭环服务体系")
    True
    """
    t = text.lstrip("“\"")
    if t.startswith(OPENERS):
        return True
    return bool(re.match(f"[{HAN}]{{2,8}}(?:高新区|开发区|管委会|党工委)", t))


CLAUSE_BREAK = re.compile(r"[，。！？；：、,;:!?\s“”]")
_NEITHER_HAN_NOR_BREAK = re.compile(f"[^{HAN}，。！？；：、,;:!?\\s“”]+")


def clause_han(text: str) -> list[str]:
    """The Han characters of each clause of ``text`` (split at every clause break), i.e.
    ``[han_only(c) for c in CLAUSE_BREAK.split(text)]``, with two regular expressions in all.

    >>> clause_han("自2019年起，党建引领“1+2+N”格局")
    ['自年起', '党建引领', '', '格局']
    """
    return CLAUSE_BREAK.split(_NEITHER_HAN_NOR_BREAK.sub("", text))


class LiveTexts:
    """The Han text of a page's body units still in the running as printed text, joined once
    (and again when one drops out), to ask whether a string is printed in a unit other than a
    given one without joining the others for every question."""

    def __init__(self, texts: dict[int, str]):
        self.texts = texts  # unit id -> its Han text, in page order
        self.live = set(texts)
        self._join()

    def _join(self) -> None:
        self.spans: dict[int, tuple[int, int]] = {}
        pieces, pos = [], 0
        for key, text in self.texts.items():
            if key in self.live:
                pos += 1 if pieces else 0  # the "|" between two texts
                self.spans[key] = (pos, pos + len(text))
                pieces.append(text)
                pos += len(text)
        self.joined = "|".join(pieces)  # no Han string spans a "|"

    def discard(self, key: int) -> None:
        self.live.discard(key)
        self._join()

    def elsewhere(self, han: str, key: int) -> bool:
        """True when the Han string ``han`` is printed in a live text other than ``key``'s.

        >>> live = LiveTexts({1: "党建引领发展", 2: "引领发展", 3: "科技创新"})
        >>> live.elsewhere("引领发展", 1), live.elsewhere("引领发展", 2), live.elsewhere("科技创新", 3)
        (True, True, False)
        """
        start, end = self.spans[key]
        return self.joined.find(han, 0, start) != -1 or self.joined.find(han, end) != -1


def mostly_found(clauses: list[str], found: Callable[[str], bool], share: float) -> bool:
    """True when the ``clauses`` for which ``found`` holds make up at least ``share`` of their
    characters. Asks about the longest clauses first and stops as soon as the answer is certain.

    >>> mostly_found(["党建引领", "科技创新发展"], lambda c: c == "科技创新发展", 0.6)
    True
    >>> mostly_found(["党建引领", "科技创新发展"], lambda c: c == "党建引领", 0.6)
    False
    """
    total = sum(map(len, clauses))
    hit = missed = 0
    for clause in sorted(clauses, key=len, reverse=True):  # the long ones decide soonest
        if found(clause):
            hit += len(clause)
            if hit >= share * total:
                return True
        else:
            missed += len(clause)
            if total - missed < share * total:
                return False
    return hit >= share * total


class PageSegmenter:
    """Runs the passes over one page. Keeps every decision's evidence in ``diagnostics``."""

    def __init__(self, page: DecodedPage, meta: PageMeta):
        self.page, self.meta = page, meta
        self.prep = prepare_lines(page.text)
        self.units = [Unit(b, self._initial_role(b)) for b in build_blocks(self.prep)]
        self.diagnostics: list[Diagnostic] = list(page.diagnostics)
        self.corrections = [Correction(no, before, after, rule) for no, before, after, rule in self.prep.corrections]
        self.dropped = [Dropped(text, no, reason) for no, text, reason in self.prep.dropped]
        self.furniture: list[Furniture] = []

    @cached_property
    def page_han(self) -> str:
        """The Han characters of the page (worked out only for a page that needs them)."""
        return han_only(self.page.text)

    @cached_property
    def ngrams(self) -> NgramCounts:
        return NgramCounts(self.page_han)

    @staticmethod
    def _initial_role(b: Block) -> str:
        return {"text": "body", "heading": "heading", "byline": "byline", "credit": "credit", "furniture": "furniture"}[b.kind]

    def note(self, line: int | None, message: str, level: str = "info") -> None:
        self.diagnostics.append(Diagnostic(self.page.file, message, line, level))

    # -- pass 1: captions next to credits, 图为 captions ------------------------------------
    def mark_credit_captions(self) -> None:
        units = self.units
        i = 0
        while i < len(units):
            if units[i].role != "credit":
                i += 1
                continue
            j = i
            while j + 1 < len(units) and units[j + 1].role == "credit":
                j += 1
            k = j - i + 1  # credits in this run
            back = self._caption_run(range(i - 1, -1, -1), k)
            fwd = self._caption_run(range(j + 1, len(units)), k)
            has_tuwei = lambda run: any("图为" in units[x].text for x in run)  # noqa: E731
            chosen = fwd if (fwd and (not back or (has_tuwei(fwd) and not has_tuwei(back)))) else back
            for x in chosen:
                units[x].role = "caption"
            i = j + 1
        for u in units:
            if u.role == "body" and u.text.lstrip().startswith("图为"):
                u.role = "caption"

    def _caption_run(self, indexes, k: int) -> list[int]:
        run = []
        for x in indexes:
            u = self.units[x]
            if u.role == "furniture":
                continue
            if u.role in ("body", "heading") and (caption_like(u.text) or "图为" in u.text) and len(run) < k:
                run.append(x)
                continue
            break
        return run

    # -- pass 2: column breaks and interleaved captions ---------------------------------------
    def join_column_breaks(self) -> None:
        units = self.units
        i = 0
        while i < len(units):
            u = units[i]
            if u.role != "body" or ends_sentence(u.text) or split_signoff(u.text):
                i += 1
                continue
            target, skipped = self._continuation(i)
            if target is None:
                self.note(u.last, "paragraph ends mid-sentence and no continuation was found")
                i += 1
                continue
            for x in skipped:
                units[x].role = "caption"
                self.note(units[x].first, f"caption printed inside the paragraph from line {u.first}")
            v = units[target]
            u.parts.extend(v.blocks)
            self.note(v.first, f"paragraph from line {u.first} continues here; re-joined")
            del units[target]
            # the joined unit may still end mid-sentence: look again from the same unit

    def _continuation(self, i: int) -> tuple[int | None, list[int]]:
        """Where the paragraph at ``i`` continues, and the caption-like blocks printed between.

        First choice: a later block whose first characters complete a word cut at the end of
        this one, skipping short caption-like blocks on the way. Otherwise the next body block,
        unless it opens like a new paragraph."""
        units, u = self.units, self.units[i]
        skipped: list[int] = []
        first_body = None
        for j in range(i + 1, len(units)):
            v = units[j]
            if v.role in ("furniture", "credit", "caption"):
                continue
            if v.role != "body" or v.block.role == "dateline":
                break
            if first_body is None:
                first_body = j
            if boundary_evidence(u.text, v.text, self.ngrams):
                return j, skipped
            if caption_like(v.text) and ends_sentence(v.text):
                skipped.append(j)
                continue
            break
        if first_body is not None and (ends_open(u.text) or not starts_paragraph(units[first_body].text)):
            return first_body, []
        return None, []

    # -- pass 3: floating captions and pull quotes -------------------------------------------
    def mark_floating_captions(self) -> None:
        for idx, u in enumerate(self.units):
            nxt = self.units[idx + 1] if idx + 1 < len(self.units) else None
            wide_gap = u.lines[0].gap >= 2 or (nxt is not None and nxt.lines[0].gap >= 2 and u.lines[0].gap >= 2)
            if u.role == "body" and wide_gap and caption_like(u.text) and ends_sentence(u.text) and len(han_only(u.text)) <= 40:
                u.role = "caption"

    def mark_pull_quotes(self) -> None:
        body = [u for u in self.units if u.role == "body"]
        if len(self.page.text) > PULL_QUOTE_MAX_PAGE and len(self.page_han) > PULL_QUOTE_MAX_PAGE:
            self.note(None, "page too large for the pull-quote check; skipped")
            return
        texts = {id(u): han_only(u.text) for u in body}
        live = LiveTexts(texts)
        for u in reversed(body):
            own = texts[id(u)]
            if len(own) < 20 or self._opens_article(u):
                continue
            clauses = [h for h in clause_han(clean_text(u.text)) if len(h) >= 4]
            if not clauses:
                continue
            if mostly_found(clauses, partial(live.elsewhere, key=id(u)), 0.8):
                u.role = "pullquote"
                live.discard(id(u))

    def _opens_article(self, u: Unit) -> bool:
        idx = self.units.index(u)
        for prev in reversed(self.units[:idx]):
            if prev.role in ("furniture", "credit", "caption"):
                continue
            return prev.role in ("headline", "heading", "byline") and prev.role != "heading" or u.block.role == "dateline"
        return True

    # -- pass 4: headlines vs section headings ----------------------------------------------
    def classify_headings(self) -> None:
        units = self.units
        idx = 0
        while idx < len(units):
            u = units[idx]
            nxt = self._neighbour(idx, +1)
            if u.role != "heading" or (nxt is not None and nxt.role == "heading"):
                idx += 1
                continue  # a heading group is decided at its last heading
            group = self._heading_group(idx)
            first = units.index(group[0])
            before = self._neighbour(first, -1)
            region = self._region_after(idx)
            bodies = [r for r in region if r.role == "body"]
            seen_body = any(x.role == "body" for x in units[:first])
            trailing = seen_body and all(caption_like(b.text) for b in bodies)
            heads_byline = nxt is not None and (nxt.role == "byline" or nxt.block.role == "dateline")
            if before is not None and before.role == "caption" and not bodies and not heads_byline:
                role = "caption"
            elif (
                not seen_body
                or trailing
                or heads_byline
                or before is None
                or before.role == "byline"
                or (before.role == "body" and split_signoff(before.text) is not None and not ends_sentence(before.text))
                or any(l.text.rstrip().endswith(("——", "—")) for g in group for l in g.lines)
            ):
                role = "headline"
            else:
                role = "heading"
            for g in group:
                g.role = role
            if role == "headline" and trailing:
                # Printed after its text: what follows up to the next article is captions.
                for r in region:
                    if r.role in ("body", "heading"):
                        r.role = "caption"
            idx += 1

    def _region_after(self, idx: int) -> list[Unit]:
        """The units after ``idx`` up to the next byline, dateline or headline of an article."""
        out = []
        for u in self.units[idx + 1 :]:
            if u.role in ("byline", "headline") or u.block.role == "dateline":
                break
            out.append(u)
        return out

    def _neighbour(self, idx: int, step: int) -> Unit | None:
        j = idx + step
        while 0 <= j < len(self.units):
            if self.units[j].role not in ("furniture",):
                return self.units[j]
            j += step
        return None

    def _heading_group(self, last_idx: int) -> list[Unit]:
        group = [self.units[last_idx]]
        j = last_idx - 1
        while j >= 0 and self.units[j].role in ("heading", "furniture"):
            if self.units[j].role == "heading":
                group.insert(0, self.units[j])
            j -= 1
        return group

    # -- pass 5: photo-news text, assembly ----------------------------------------------------
    def mark_photo_news(self) -> None:
        """Text printed after an article's end and before a caption belongs to that photo."""
        for idx, u in enumerate(self.units):
            if u.role != "body" or idx + 1 >= len(self.units) or self.units[idx + 1].role != "caption":
                continue
            prev = self._neighbour(idx, -1)
            if prev is None:
                continue
            ended = prev.role in ("byline", "credit", "caption") or (prev.role == "body" and split_signoff(prev.text))
            if ended:
                u.role = "caption"

    def run(self) -> PageResult:
        self.mark_credit_captions()
        self.join_column_breaks()
        self.mark_floating_captions()
        self.mark_pull_quotes()
        self.classify_headings()
        self.mark_photo_news()
        self.merge_photo_captions()
        return Assembler(self).assemble()

    def merge_photo_captions(self) -> None:
        """A 图为 sentence right after caption text describes the same photo: one caption."""
        out: list[Unit] = []
        for u in self.units:
            prev = out[-1] if out else None
            if prev is not None and prev.role == "caption" and u.role == "caption" and u.text.lstrip().startswith("图为"):
                prev.parts.extend(u.blocks)
                continue
            out.append(u)
        self.units = out


@dataclass
class Draft:
    headline: list[Unit] = field(default_factory=list)
    byline_units: list[Unit] = field(default_factory=list)
    body: list[Unit] = field(default_factory=list)  # role body or heading
    signoff: str | None = None
    signoff_line: int | None = None
    closed: bool = False
    captions: list[tuple[Unit, Unit | None]] = field(default_factory=list)


class Assembler:
    def __init__(self, seg: PageSegmenter):
        self.seg = seg

    def assemble(self) -> PageResult:
        seg = self.seg
        drafts: list[Draft] = []
        captions: list[Unit] = []
        credits: list[Unit] = []
        trailing: list[list[Unit]] = []
        cur: Draft | None = None
        units = seg.units
        i = 0
        while i < len(units):
            u = units[i]
            role = u.role
            if role == "furniture":
                seg.furniture.append(Furniture(clean_text(u.text), u.first, u.block.role or "furniture"))
            elif role == "pullquote":
                seg.dropped.append(Dropped(clean_running_text(u.text), u.first, "pull quote (repeats text printed in the article)"))
            elif role == "caption":
                captions.append(u)
            elif role == "credit":
                credits.append(u)
            elif role == "headline":
                group = [u]
                while i + 1 < len(units) and units[i + 1].role in ("headline", "furniture"):
                    i += 1
                    if units[i].role == "furniture":
                        seg.furniture.append(Furniture(clean_text(units[i].text), units[i].first, units[i].block.role or "furniture"))
                    else:
                        group.append(units[i])
                if self._is_trailing(i):
                    trailing.append(group)
                elif cur is not None and not cur.closed and not cur.headline and not cur.body:
                    cur.headline = group  # a byline printed above the headline
                else:
                    cur = Draft(headline=group)
                    drafts.append(cur)
            elif role == "byline":
                if cur is not None and not cur.closed and not cur.body:
                    cur.byline_units.append(u)
                elif cur is not None and not cur.closed:
                    cur.signoff, cur.signoff_line, cur.closed = u.text, u.first, True
                else:
                    cur = Draft(byline_units=[u])
                    drafts.append(cur)
            else:  # body or section heading
                starts_new = cur is None or cur.closed or (u.block.role == "dateline" and bool(cur.body))
                if starts_new:
                    cur = Draft()
                    drafts.append(cur)
                cur.body.append(u)
                if role == "body":
                    split = split_signoff(u.text)
                    nxt = seg._neighbour(i, +1)
                    if split and (nxt is None or nxt.role != "body" or nxt.block.role == "dateline"):
                        cur.closed = True
            i += 1
        self._attach_trailing(drafts, trailing)
        for d in drafts:
            if not d.body and not d.headline:
                for u in d.byline_units:  # never lose text: a byline that heads nothing
                    seg.dropped.append(Dropped(clean_text(u.text), u.first, "byline with no article"))
        articles = [self._article(d) for d in drafts if d.body or d.headline]
        articles = self._attach_captions(articles, captions, credits)
        return PageResult(
            seg.page.file, seg.page.sha256, seg.page.encoding, tuple(articles), tuple(seg.furniture),
            tuple(seg.dropped), tuple(seg.corrections), tuple(seg.diagnostics),
        )

    def _is_trailing(self, idx: int) -> bool:
        """A headline with no body text after it (before the next headline) heads earlier text."""
        units = self.seg.units
        if not any(u.role == "body" for u in units[:idx]):
            return False
        for u in units[idx + 1 :]:
            if u.role == "headline":
                return True
            if u.role in ("body", "byline") or u.role == "heading":
                return False
        return True

    def _attach_trailing(self, drafts: list[Draft], trailing: list[list[Unit]]) -> None:
        for group in trailing:
            words = bigrams(" ".join(u.text for u in group))
            candidates = [d for d in drafts if not d.headline and d.body and d.body[0].first < group[0].first]
            if not candidates:
                drafts.append(Draft(headline=group))
                continue
            best = max(candidates, key=lambda d: (len(words & bigrams(" ".join(u.text for u in d.body))), d.body[0].first))
            best.headline = group
            self.seg.note(group[0].first, f"headline printed after its text; attached to the article at line {best.body[0].first}")

    # -- building the record --------------------------------------------------------------
    def _article(self, d: Draft) -> dict:
        seg = self.seg
        kicker, title, subtitle = self._headline_fields(d.headline)
        authors, byline_text = (), None
        if d.byline_units:
            byline_text = " ".join(clean_text(u.text) for u in d.byline_units)
            authors = tuple(a for u in d.byline_units for a in (parse_byline(u.text) or ()))
        paragraphs: list[Paragraph] = []
        dateline = None
        for n, u in enumerate(d.body):
            text = u.text
            if n == 0 and u.block.role == "dateline":
                m = DATELINE.match(text)
                dateline = m.group(0)
                text = text[m.end():].lstrip()
                inner = re.match(r"[（(]([^）)]{2,30})[）)]\s*", text)
                if inner and parse_byline(inner.group(1)):
                    authors += parse_byline(inner.group(1))
                    byline_text = (byline_text + " " if byline_text else "") + inner.group(1)
                    text = text[inner.end():]
            if u.role == "body" and n == len(d.body) - 1 and d.signoff is None:
                split = split_signoff(text)
                if split:
                    text, name = split
                    d.signoff, d.signoff_line = name, u.last
            kind = "heading" if u.role == "heading" else "text"
            if kind == "heading":
                cleaned = clean_running_text("".join(l.text for l in u.lines))
            else:
                cleaned = curl_double_quotes(clean_running_text(text))
            cleaned = self._fix_ocr(cleaned, u)
            if cleaned:
                paragraphs.append(Paragraph(cleaned, kind, (u.first, u.last)))
        if d.signoff:
            byline_text = (byline_text + " " if byline_text else "") + clean_text(d.signoff)
            authors += parse_byline(d.signoff) or ()
        lead = None
        if paragraphs and paragraphs[0].kind == "text":
            lead = paragraphs.pop(0).text
        lines = [u.first for u in d.headline + d.byline_units + d.body] + [u.last for u in d.headline + d.byline_units + d.body]
        title_inferred = title is None
        if title is None:
            full = " ".join([lead or ""] + [p.text for p in paragraphs])
            title = derive_title(lead or (paragraphs[0].text if paragraphs else ""), subject_of(full))
        return {
            "kicker": kicker, "title": title, "subtitle": subtitle, "title_inferred": title_inferred,
            "byline": byline_text, "authors": authors, "dateline": dateline, "lead": lead,
            "paragraphs": tuple(paragraphs), "lines": (min(lines), max(lines)) if lines else (0, 0),
            "captions": [],
        }

    def _fix_ocr(self, text: str, u: Unit) -> str:
        fixed, slips = fix_ocr_slips(text)
        for before, after in slips:
            line = next((l.no for l in u.lines if before in l.text), u.first)
            self.seg.corrections.append(Correction(line, before, after, "ocr_slip"))
        return fixed

    def _headline_fields(self, group: list[Unit]) -> tuple[str | None, str | None, str | None]:
        if not group:
            return None, None, None
        lines = [l for u in group for l in u.lines]
        # A banner printed next to an English page header is the page's, not the article's.
        header_lines = {f.line for f in self.seg.furniture if f.kind == "page header"}
        banner_lines = set()
        for h in header_lines:
            before = [l.no for l in lines if l.no < h]
            after = [l.no for l in lines if l.no > h]
            pick = before[-1] if before else after[0] if after else None
            if pick is not None and len(lines) - len(banner_lines) > 1:
                banner_lines.add(pick)
        texts: list[tuple[int, str]] = []
        for l in lines:
            if l.no in banner_lines:
                self.seg.furniture.append(Furniture(clean_text(l.text), l.no, "column banner"))
                continue
            texts.append((l.no, l.text))
        # "厦门火炬高新区:" + next line: one title.
        merged: list[tuple[int, str]] = []
        for no, t in texts:
            if merged and re.search(r"[：:]\s*$", merged[-1][1]):
                merged[-1] = (merged[-1][0], merged[-1][1].rstrip() + t)
            else:
                merged.append((no, t))
        kicker_idx = next((k for k, (_, t) in enumerate(merged) if t.rstrip().endswith(("——", "—"))), None)
        if kicker_idx is not None:
            for no, t in merged[:kicker_idx]:
                self.seg.furniture.append(Furniture(clean_text(t), no, "column banner"))
            merged = merged[kicker_idx:]
        subtitle = None
        if len(merged) > 1 and merged[-1][1].lstrip().startswith(("——", "—")):
            subtitle = clean_text(merged.pop()[1])
        if len(merged) >= 3 and kicker_idx is None:
            for no, t in merged[:-2]:
                self.seg.furniture.append(Furniture(clean_text(t), no, "column banner"))
            merged = merged[-2:]
        if not merged:
            return None, None, subtitle
        if len(merged) == 1:
            return None, clean_text(merged[0][1]), subtitle
        return clean_text(merged[0][1]), clean_text(" ".join(t for _, t in merged[1:])), subtitle

    def _attach_captions(self, drafts: list[dict], captions: list[Unit], credits: list[Unit]) -> list[Article]:
        seg = self.seg
        pairs = pair_credits(captions, credits, seg)
        records = list(drafts)
        # once per record, and only for a page with captions to place
        self._zones_of = {id(r): set(find_zones(article_text(r))) for r in records} if pairs else {}
        photos: list[dict] = []
        for cap, credit in pairs:
            # A caption that is a sentence is running text; a label ("蓝色智谷 烟台高新区全景")
            # keeps the space that separates its phrases.
            cleaner = clean_running_text if re.search(r"[，。！？,.!?]", cap.text) else clean_text
            text = self._fix_ocr(curl_double_quotes(cleaner(cap.text)), cap)
            credit_text = clean_text(credit.text) if credit else None
            span = [cap.first, cap.last] + ([credit.first, credit.last] if credit else [])
            caption = Caption(text, credit_text, (min(span), max(span)))
            target = self._caption_target(records, text + " " + (credit_text or ""), cap.first)
            if target is None:
                photos.append({
                    "kicker": None, "title": photo_title(text, credit_text), "subtitle": None, "title_inferred": True,
                    "byline": None, "authors": (), "dateline": None, "lead": None, "paragraphs": (),
                    "lines": caption.lines, "captions": [caption], "kind": "photo",
                })
            else:
                target["captions"].append(caption)
        for credit in credits:
            if not any(credit is c for _, c in pairs):
                seg.furniture.append(Furniture(clean_text(credit.text), credit.first, "photo credit"))
        out = []
        for rec in sorted(records + photos, key=lambda r: r["lines"][0]):
            out.append(self._record(rec))
        return out

    def _caption_target(self, records: list[dict], text: str, line: int) -> dict | None:
        if not records:
            return None
        named = set(find_zones(text))
        if len(records) == 1:
            zones = self._zones_of[id(records[0])]
            return records[0] if not named or named & zones or not zones else None
        if named:
            scored = [(len(named & self._zones_of[id(r)]), r) for r in records]
            best = max(scored, key=lambda s: s[0])
            return best[1] if best[0] else None
        before = [r for r in records if r["lines"][0] <= line]
        return before[-1] if before else records[0]

    def _record(self, rec: dict) -> Article:
        seg, page = self.seg, self.seg.page
        fingerprint = han_only(rec["lead"] or "") or han_only(" ".join(p.text for p in rec["paragraphs"])) or han_only(
            " ".join(c.text for c in rec["captions"])
        )
        aid = hashlib.sha1(f"{page.sha256}:{fingerprint[:64]}:{rec['lines'][0]}".encode()).hexdigest()[:10]
        captions = tuple(sorted(rec["captions"], key=lambda c: c.lines[0]))
        return Article(
            id=aid,
            kind=rec.get("kind", "article"),
            title=rec["title"],
            title_inferred=rec["title_inferred"],
            kicker=rec["kicker"],
            subtitle=rec["subtitle"],
            byline=rec["byline"],
            authors=rec["authors"],
            dateline=rec["dateline"],
            lead=rec["lead"],
            paragraphs=rec["paragraphs"],
            captions=captions,
            zones=tuple(primary_zones(
                "" if rec["title_inferred"] else rec["title"], rec["kicker"],
                " ".join([rec["lead"] or ""] + [p.text for p in rec["paragraphs"]] + [c.text for c in captions]),
            )),
            date=seg.meta.date,
            date_basis="manifest" if seg.meta.date else None,
            source_file=page.file,
            source_sha256=page.sha256,
            lines=rec["lines"],
            meta=seg.meta,
        )


def article_text(rec: dict) -> str:
    return " ".join(filter(None, [rec["kicker"], rec["title"] if not rec["title_inferred"] else "", rec["lead"]] + [p.text for p in rec["paragraphs"]]))


def bigrams(text: str) -> set[str]:
    h = han_only(text)
    return {h[i : i + 2] for i in range(len(h) - 1)}


def pair_credits(captions: list[Unit], credits: list[Unit], seg: PageSegmenter) -> list[tuple[Unit, Unit | None]]:
    """Give each photo credit to one caption: the uncredited caption nearest to it that names
    the same place, else the nearest uncredited one before it, else after it."""
    owner: dict[int, Unit] = {}
    zones_of = {id(c): set(find_zones(c.text)) for c in captions}
    for credit in credits:
        # a credit stands next to its photo: look at the captions within a page-section's reach
        free = [c for c in captions if id(c) not in owner and abs(c.first - credit.first) <= CREDIT_REACH]
        if not free:
            continue
        named = set(find_zones(credit.text))
        same = [c for c in free if named and named & zones_of[id(c)]]
        pool = same or free
        before = [c for c in pool if c.last < credit.first]
        after = [c for c in pool if c.first > credit.last]
        # the caption on the other side of a credit that has 图为 wins over one that does not
        pick = None
        if before and after and "图为" in after[0].text and "图为" not in before[-1].text:
            pick = after[0]
        pick = pick or (before[-1] if before else after[0] if after else None)
        if pick is not None:
            owner[id(pick)] = credit
    return [(c, owner.get(id(c))) for c in captions]


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` near ``limit`` characters without splitting a quotation, marking the cut.

    >>> shorten("举办“拔节生长向春行”宣讲活动", 6)
    '举办“拔节生长向春行”…'
    """
    cut = limit
    opening = text.rfind("“", 0, cut)
    if opening != -1 and text.find("”", opening) >= cut:
        closing = text.find("”", opening)
        cut = closing + 1 if closing != -1 and closing < limit + 24 else opening
    return text[:cut].rstrip("，,；;、 ") + "…"


def photo_title(caption: str, credit: str | None) -> str:
    """A derived title for a photo record: what the photo shows (the 图为 sentence when there
    is one), after the place it names.

    >>> photo_title("4月15日，某活动举行。图为活动现场举行授旗仪式。", "图片来源：杭州高新区（滨江）")
    '杭州高新区（滨江）：活动现场举行授旗仪式'
    """
    shows = re.search(r"图为([^。！？]+)", caption)
    subject = subject_of(caption + " " + (credit or "")) or next(iter(find_zones(credit or "")), None)
    return derive_title(shows.group(1) if shows else caption, subject)


def subject_of(text: str) -> str | None:
    """What a text is about, for a derived title: the short name it defines
    (``（以下简称“宝鸡高新创业中心”）``), else a zone it names at least twice.

    >>> subject_of("从宝鸡高新创业服务中心有限公司（以下简称“宝鸡高新创业中心”）了解到")
    '宝鸡高新创业中心'
    >>> subject_of("苏州高新区组织了22家企业参展，展现出苏州高新区的实力")
    '苏州高新区'
    """
    m = re.search(r"[（(]以下简称[“\"]([^”\"]{2,16})[”\"][）)]", text)
    if m:
        return m.group(1)
    for zone in find_zones(text)[:1]:
        if text.count(zone) >= 2 or text.count(zone.split("（")[0]) >= 2:
            return zone
    return None


def derive_title(text: str, subject: str | None = None) -> str:
    """A title for an article printed without a headline: its first clause, at most ~28
    characters, cut at punctuation, after the subject when the clause does not name it.

    >>> derive_title("指导企业设立党员先锋岗攻克“卡脖子”技术，党员科研团队带头实现技术突破……")
    '指导企业设立党员先锋岗攻克“卡脖子”技术'
    >>> derive_title("4月15日，第135届中国进出口商品交易会（广交会）举行，苏州高新区精心组织了22家企业参展")
    '第135届中国进出口商品交易会（广交会）举行'
    >>> derive_title("指导企业设立党员先锋岗攻克“卡脖子”技术，党员科研团队带头实现技术突破", "宝鸡高新创业中心")
    '宝鸡高新创业中心：指导企业设立党员先锋岗攻克“卡脖子”技术'
    >>> derive_title("由杭州高新区（滨江）党委宣传部主办的“拔节生长向春行 有声有色有青春·2024年滨青开讲吧 领导宣讲活动”在北航杭州研究院举行")
    '由杭州高新区（滨江）党委宣传部主办的“拔节生长向春行 有声有色有青春·2024年滨青开讲吧 领导宣讲活动”…'
    """
    text = re.sub(r"^(?:\d{1,2}月\d{1,2}日|近日|日前|今年以来|近年来|图为)[，,]?", "", text.strip())
    first = re.split(r"[。！？!?…]", text, maxsplit=1)[0]
    limit = 28 if subject is None else 22
    if len(first) > limit:
        out = ""
        for c in re.split(r"(?<=[，,；;])", first):
            if out and len(out) + len(c) > limit:
                break
            out += c
        first = out.rstrip("，,；;")
    if len(first) > 48:
        first = shorten(first, 48)
    if subject and subject not in first:
        return f"{subject}：{first}"
    return first


def segment_page(page: DecodedPage, meta: PageMeta) -> PageResult:
    """Turn one decoded page into articles, furniture and dropped text."""
    return PageSegmenter(page, meta).run()
