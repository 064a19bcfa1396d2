"""Layout analysis: a page's lines -> typed blocks.

A block is a run of raw lines that belong together: a paragraph joined from lines wrapped at
column width, a heading (possibly printed on two lines), a byline, a caption, a credit, a piece
of page furniture. Each block remembers its raw line numbers so every character can be traced.

The signals are typographic, never names of places or articles:
- a line that ends without sentence-final punctuation continues on the next line;
- a heading carries no sentence punctuation and is short against the column it stands in, or
  is printed on two adjacent lines of a double-spaced page;
- editor credits, photo credits, English page headers and bylines have recognisable forms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .bylines import parse_byline, split_signoff
from .clean import HAN, has_han

TERMINAL = "。！？!?…；;"
CLOSERS = "”’」』）)】》"
SENTENCE_PUNCT = re.compile(r"[，。；！？,;!?]")
EDITOR_CREDIT = re.compile(
    r"^(?:责任编辑|本版编辑|值班编辑|编辑|组版|校对|美编|版式|排版|版式设计|设计|制图|审校|审读|监制|终审)\s*[:：]"
)
PAGE_PHOTO_CREDIT = re.compile(r"^本版(?:图片|照片|图)(?:来源|提供)?\s*[:：]?")
PHOTO_CREDIT = re.compile(
    r"^(?:图片来源|图片提供|照片来源|图片|摄影|供图|图|摄)\s*[:：/／]|供图$|(?:^|[\s/／])摄(?:影)?$|^[\u4e00-\u9fff]{2,4}\s*[/／]\s*摄$"
)
DATELINE = re.compile(r"^(?:本报讯|本报[^\s，。,]{1,12}讯|新华社[^\s，。,]{1,14}电)")
HEADING_MARKER = re.compile(r"^(#{1,6})\s+")
BULLET = re.compile(r"^[►▶▷●■□◆◇▲△★☆]\s*")


def visual_width(text: str) -> float:
    """Width in Han-character units: Han and full-width count 1, ASCII 0.5, spaces 0.

    >>> visual_width("党员 1680")
    4.0
    """
    if text.isprintable():  # then its only blank can be the ASCII space
        blanks = text.count(" ")
        return len(text) - blanks - 0.5 * (len(text.encode("ascii", "ignore")) - blanks)
    visible = _BLANKS.sub("", text)
    ascii_count = len(visible.encode("ascii", "ignore"))
    return len(visible) - 0.5 * ascii_count


_BLANKS = re.compile(r"\s+")  # exactly the characters for which str.isspace() is true


def ends_sentence(text: str) -> bool:
    """True when the text ends with sentence-final punctuation (closing quotes allowed after).

    >>> ends_sentence("拥有党员2720名。"), ends_sentence("献礼！”"), ends_sentence("通过打通发")
    (True, True, False)
    """
    t = text.rstrip().rstrip(CLOSERS)
    return bool(t) and t[-1] in TERMINAL


def ends_open(text: str) -> bool:
    """True when the text stops on punctuation that always continues (comma, enumeration comma).

    >>> ends_open("通过体系化党建创新实践,"), ends_open("格")
    (True, False)
    """
    t = text.rstrip()
    return bool(t) and t[-1] in "，、,：:—-（(“"


def ends_block(text: str, following: Line | None) -> bool:
    """True when a text line ends its paragraph: a sentence end, or an author's sign-off after
    the last sentence (``…注入红色动能。 张昕``) when what follows is not running text.

    >>> ends_block("色动能。 张昕", None), ends_block("通过打通发", None)
    (True, False)
    """
    if ends_sentence(text):
        return True
    if split_signoff(text) is None:
        return False
    return following is None or " " in text[-6:] or following.heading or bool(following.kind)


def is_labelled_headline(text: str) -> bool:
    """A headline of the form "place or subject：news", common in Chinese news pages.

    >>> is_labelled_headline("烟台高新区：党建引领高质量发展走深走实"), is_labelled_headline("厦门火炬高新区:")
    (True, True)
    >>> is_labelled_headline("济宁易康机械有限公司负责人说：“没想到")
    False
    """
    return heading_like(text) and bool(_LABEL.match(text))


_LABEL = re.compile(f"[{HAN}]{{2,10}}[（(]?[{HAN}]{{0,4}}[）)]?[：:]")


def has_phrase_space(text: str) -> bool:
    """Two phrases of two or more Han characters separated by a space: headings and captions
    are set like this; wrapped running text is not.

    >>> has_phrase_space("蓝色智谷 烟台高新区全景"), has_phrase_space("青 岛 高 新 区")
    (True, False)
    """
    return bool(_PHRASE_SPACE.search(text))


_PHRASE_SPACE = re.compile(f"[{HAN}]{{2}} [{HAN}]{{2}}")


def is_english_header(text: str) -> bool:
    """A line with no Han and at least three Latin words: a page header such as an English
    rendering of the page's banner.

    >>> is_english_header("The 100th Anniversary of the Founding of The Communist Party of China")
    True
    """
    return not has_han(text) and len(_LATIN_WORD.findall(text)) >= 3


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def heading_like(text: str) -> bool:
    """Could be a heading: has Han text, no sentence punctuation, not too long.

    >>> heading_like("系统发力"), heading_like("青岛高新区: 打造\\"党建+\\"体系 助力发展出\\"乘\\"效")
    (True, True)
    >>> heading_like("为引领，全力打造高新技术企业")
    False
    """
    return (
        has_han(text)
        and not SENTENCE_PUNCT.search(text)
        and visual_width(text) <= 40
        and text.count("“") == text.count("”")
        and text.count('"') % 2 == 0
    )


class cached_attribute:  # noqa: N801 - used as a decorator, like functools.cached_property
    """``functools.cached_property`` without the lock it takes on Python 3.11 (a few values per
    line, tens of thousands of lines): computed on first access, then an instance attribute."""

    def __init__(self, func):
        self.func, self.__doc__ = func, func.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass
class Line:
    no: int  # 1-based raw line number
    text: str  # stripped; heading markers and bullets removed
    gap: int  # blank lines before it
    marker: int = 0  # extraction heading marker level (## -> 2)
    bullet: bool = False

    @cached_attribute
    def width(self) -> float:
        return visual_width(self.text)

    @cached_attribute
    def heading(self) -> bool:
        """``heading_like(self.text)``, worked out once."""
        return heading_like(self.text)

    @cached_attribute
    def kind(self) -> str:
        """``line_kind(self)``, worked out once."""
        return line_kind(self)


@dataclass
class Block:
    kind: str  # text | heading | byline | credit | furniture | dateline
    lines: list[Line] = field(default_factory=list)
    role: str = ""  # refined later: caption, pull quote, kicker, …

    @property
    def first(self) -> int:
        return self.lines[0].no

    @property
    def last(self) -> int:
        return self.lines[-1].no

    @property
    def raw(self) -> str:
        return "\n".join(l.text for l in self.lines)


@dataclass
class Prepared:
    lines: list[Line]
    corrections: list[tuple[int, str, str, str]]  # (line, before, after, rule)
    dropped: list[tuple[int, str, str]]  # (line, text, reason)


def dedupe_doubled(text: str) -> str | None:
    """When a line is the same text printed twice in a row, the repeated copy; else None.

    >>> dedupe_doubled("青岛高新区供图青岛高新区供图")
    '青岛高新区供图'
    >>> dedupe_doubled("党建党建") is None
    True
    """
    t = text.strip()
    n = len(t)
    if n >= 8 and n % 2 == 0 and t[: n // 2] == t[n // 2 :]:
        return t[: n // 2]
    return None


def prepare_lines(text: str) -> Prepared:
    """Split the page into non-blank lines, remove extraction markers and doubled printings
    (each recorded, nothing silently lost)."""
    out: list[Line] = []
    corrections, dropped = [], []
    gap = 0
    previous_text = None
    for no, raw in enumerate(text.split("\n"), 1):
        t = raw.strip()
        if not t:
            gap += 1
            continue
        marker = 0
        m = HEADING_MARKER.match(t)
        if m and has_han(t):
            marker = len(m.group(1))
            corrections.append((no, m.group(0).strip(), "", "heading_marker"))
            t = t[m.end():]
        bullet = False
        m = BULLET.match(t)
        if m and has_han(t):
            bullet = True
            corrections.append((no, m.group(0).strip(), "", "bullet_marker"))
            t = t[m.end():]
        half = dedupe_doubled(t)
        if half is not None:
            reason = "duplicate credit (printed twice)" if PHOTO_CREDIT.search(half) else "duplicate heading (printed twice)"
            dropped.append((no, half, reason))
            t = half
        if previous_text is not None and t == previous_text and heading_like(t):
            dropped.append((no, t, "duplicate heading (printed twice)"))
            gap = 0
            continue
        out.append(Line(no, t, gap, marker, bullet))
        previous_text = t
        gap = 0
    return Prepared(out, corrections, dropped)


def line_kind(line: Line) -> str:
    """Classify one line on its own: furniture, credit, byline, dateline, or "" (text)."""
    t = line.text
    if is_english_header(t):
        return "furniture:page header"
    if EDITOR_CREDIT.match(t):
        return "furniture:editor credit"
    if PAGE_PHOTO_CREDIT.match(t) and line.width <= 30:
        return "furniture:photo credit"
    if line.width <= 24 and PHOTO_CREDIT.search(t) and not SENTENCE_PUNCT.search(t):
        return "credit"
    if DATELINE.match(t):
        return "dateline"
    if (line.bullet or line.width <= 20) and parse_byline(t):
        return "byline"
    return ""


def column_widths(lines: list[Line]) -> list[float]:
    """For each line, the width of the column of text that follows it: the median width of
    the next lines that run on (no sentence end), which are the lines filled to the column
    edge. A heading stands above the column it heads, so this looks forward."""
    widths = [l.width for l in lines]
    running = [i for i, l in enumerate(lines) if not ends_sentence(l.text) and not l.heading]
    out, k = [], 0
    for i in range(len(lines)):
        while k < len(running) and running[k] <= i:
            k += 1
        near = [widths[j] for j in running[k : k + 5]]
        if len(near) < 3:
            near = [widths[j] for j in running[max(0, k - 5) : k + 5] if j != i]
        out.append(median(near) if len(near) >= 3 else 1e9)
    return out


def median(values: list[float]) -> float:
    """The median, computed as ``statistics.median`` does (the mean of the middle two for an
    even count), without its overhead on the few values of a column.

    >>> median([3.0, 1.0, 2.0]), median([4.0, 1.0, 2.0, 3.0])
    (2.0, 2.5)
    """
    data = sorted(values)
    n = len(data)
    if n % 2 == 1:
        return data[n // 2]
    return (data[n // 2 - 1] + data[n // 2]) / 2


def is_wrapped_page(lines: list[Line]) -> bool:
    """A page whose text is broken at column width (many short lines that run on), as opposed
    to a page with one paragraph per line."""
    if not lines:
        return False
    short_running = sum(1 for l in lines if l.width < 36 and not ends_sentence(l.text))
    return short_running >= 0.4 * len(lines)


def build_blocks(prep: Prepared) -> list[Block]:
    """Group lines into blocks (see module docstring)."""
    lines = prep.lines
    cols = column_widths(lines)
    wrapped = is_wrapped_page(lines)
    blocks: list[Block] = []
    cur: Block | None = None

    def start(kind: str, line: Line) -> Block:
        b = Block(kind, [line])
        blocks.append(b)
        return b

    for i, line in enumerate(lines):
        kind = line.kind
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if kind:
            cur = start(kind if not kind.startswith("furniture") else "furniture", line)
            if kind.startswith("furniture"):
                cur.role = kind.split(":", 1)[1]
            if kind == "dateline":
                cur.kind = "text"
                cur.role = "dateline"
            continue
        t = line.text
        col = cols[i] if wrapped else 1e9
        fresh = cur is None or cur.kind != "text" or ends_block(cur.lines[-1].text, line)
        if (cur is not None and cur.kind == "heading" and line.heading and not line.marker
                and line.gap == 0 and len(cur.lines) < 3 and not cur.lines[-1].marker):
            cur.lines.append(line)  # a heading printed on two lines
            continue
        if line.heading and (fresh or line.marker):
            pair = nxt is not None and nxt.gap == 0 and nxt.heading and nxt.kind == "" and not ends_sentence(nxt.text)
            if (
                line.marker
                or pair
                or line.width <= 0.7 * col
                or (not wrapped and line.width <= 32)
                or not any(b.kind == "text" for b in blocks)
                or is_labelled_headline(t)
                or (nxt is not None and nxt.gap <= 1 and nxt.heading and is_labelled_headline(nxt.text))
                or (wrapped and has_phrase_space(t) and line.width <= 0.9 * col)
            ):
                cur = start("heading", line)
                continue
        if cur is not None and cur.kind == "text" and not fresh:
            prev = cur.lines[-1]
            # In a wrapped page a line that runs on continues on the next line. In a page with
            # one paragraph per line, a paragraph cut by a column break is re-joined later,
            # once captions and furniture between the two halves are known.
            if wrapped and prev.width < 40:
                cur.lines.append(line)
                continue
        cur = start("text", line)
    return blocks
