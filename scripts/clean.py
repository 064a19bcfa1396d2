"""Cleaning rules: layout repair of text extracted from newspaper PDFs.

Every rule is a pure ``str -> str`` function whose docstring says why it exists and shows a
before/after example (run as doctests). ``RULES`` lists them in the order ``clean_text`` applies
them; ``explain`` says which rules changed a given text. No rule creates or removes a Han
character: OCR repairs, which do change characters, live apart in ``fix_ocr_slips`` and are
recorded as corrections by the caller.

Careful with generic "fix text" tools: ftfy's width and quote fixes would damage Chinese text.
Full-width ``，。？“”`` and spaces inside Latin or number runs are left as they are.
"""
from __future__ import annotations

import re
from typing import Callable

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Characters after which Chinese typesetting never has a space: Han and full-width punctuation.
CJK_PUNCT = "，。、；：？！“”‘’（）《》【】〈〉「」『』…—·～"
_HAN_RE = re.compile(f"[{HAN}]")
# The spaces the rules remove: ASCII space, tab, ideographic space, no-break space.
SPACES = "[ \\t\\u3000\\u00a0]+"


def has_space(text: str) -> bool:
    """True when ``text`` holds one of the spaces the rules remove (most fields hold none,
    and then the rules about spaces have nothing to do).

    >>> has_space("党建 引领"), has_space("党建\u3000引领"), has_space("党建引领")
    (True, True, False)
    """
    return " " in text or "\u3000" in text or "\t" in text or "\u00a0" in text


def is_han(ch: str) -> bool:
    """True for a Han (CJK ideograph) character.

    >>> is_han("党"), is_han("a"), is_han("，")
    (True, False, False)
    """
    return bool(_HAN_RE.fullmatch(ch))


def han_only(text: str) -> str:
    """The Han characters of ``text``, in order.

    >>> han_only("2024年，党建+")
    '年党建'
    """
    return _NOT_HAN_RUN.sub("", text)


_NOT_HAN_RUN = re.compile(f"[^{HAN}]+")


def has_han(text: str) -> bool:
    """True when ``text`` holds a Han character (``bool(han_only(text))``, without building it).

    >>> has_han("2024年"), has_han("KPI，")
    (True, False)
    """
    return _HAN_RE.search(text) is not None


def join_wrapped(left: str, right: str) -> str:
    """Join two pieces of one line that the page broke at column width.

    Chinese joins with no space; two Latin words or numbers keep one space between them.

    >>> join_wrapped("高质", "量发展")
    '高质量发展'
    >>> join_wrapped("党员 1680", "名，高企")
    '党员 1680名，高企'
    >>> join_wrapped("The Communist", "Party of China")
    'The Communist Party of China'
    """
    left, right = left.rstrip(), right.lstrip()
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def join_wrapped_lines(lines: list[str]) -> str:
    """``join_wrapped`` applied left to right over the lines of a block, in one pass when every
    line is stripped and not empty (as layout makes them), else line by line.

    >>> join_wrapped_lines(["高质", "量发展 1680", "名 The", "Party"])
    '高质量发展 1680名 The Party'
    >>> join_wrapped_lines(["The Party ", " of China"]), join_wrapped_lines([])
    ('The Party of China', '')
    """
    if not all(line and not line[0].isspace() and not line[-1].isspace() for line in lines):
        out = ""
        for line in lines:
            out = join_wrapped(out, line) if out else line
        return out
    pieces = lines[:1]
    for left, right in zip(lines, lines[1:]):
        if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
            pieces.append(" ")
        pieces.append(right)
    return "".join(pieces)


def remove_spaces_between_han(text: str) -> str:
    """Spaces between two Han characters are extraction artefacts (letter-spaced headings,
    column breaks inside a word); remove them.

    >>> remove_spaces_between_han("青 岛 高 新 区 将继续")
    '青岛高新区将继续'
    >>> remove_spaces_between_han("青岛高新 区全面贯彻")
    '青岛高新区全面贯彻'
    """
    if not has_space(text):
        return text
    if text.isprintable():
        return drop_space_runs(text, lambda left, right: han_char(left) and han_char(right))
    return _SPACES_BETWEEN_HAN.sub("", text)


_SPACES_BETWEEN_HAN = re.compile(f"(?<=[{HAN}]){SPACES}(?=[{HAN}])")


def han_char(ch: str) -> bool:
    """``is_han`` for one character, by comparing code points.

    >>> han_char("党"), han_char("，")
    (True, False)
    """
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def drop_space_runs(text: str, drop: Callable[[str, str], bool]) -> str:
    """``text`` without the runs of ASCII spaces for which ``drop(before, after)`` holds, given
    the characters just before and after the run; runs at either end stay. For text whose only
    whitespace is the ASCII space (``text.isprintable()``), this does what the rules' patterns
    do (a maximal run of spaces between two characters) without trying every position.

    >>> drop_space_runs(" a  b c ", lambda before, after: after == "b")
    ' ab c '
    """
    out: list[str] = []
    last = ""  # the last piece of text kept so far
    spaces = 0
    for n, piece in enumerate(text.split(" ")):
        spaces += n > 0
        if not piece:
            continue  # inside a run of spaces
        if spaces and not (last and drop(last[-1], piece[0])):
            out.append(" " * spaces)
        out.append(piece)
        last, spaces = piece, 0
    out.append(" " * spaces)
    return "".join(out)


def remove_letterspacing(text: str) -> str:
    """A space next to a lone Han character is letter-spacing or a break inside a word, never a
    phrase separator: remove it. Spaces between phrases of a heading stay.

    >>> remove_letterspacing("青 岛 高 新 区 将继续")
    '青岛高新区将继续'
    >>> remove_letterspacing("青岛高新 区")
    '青岛高新区'
    >>> remove_letterspacing("赓续红色基因 凝聚磅礴伟力")
    '赓续红色基因 凝聚磅礴伟力'
    >>> remove_letterspacing("记者　张　三　报道") == "记者张三　报道", remove_letterspacing("青\u00a0岛\u00a0高新区")
    (True, '青岛高新区')
    >>> remove_letterspacing("表\\t格")  # a tab separates columns
    '表\\t格'
    """
    if not has_space(text):
        return text
    previous = None
    while previous != text:  # "青 岛 高" needs several passes: matches cannot overlap
        if text.isprintable() and not _lone_han_next_to_space(text):
            break  # the pattern has nothing to match
        previous, text = text, _LONE_HAN_SPACE.sub(_squeeze, text)
    return text


def _lone_han_next_to_space(text: str) -> bool:
    """Whether ``_LONE_HAN_SPACE`` can match ``text`` (whose only whitespace is the ASCII space):
    a run of spaces between two Han characters, one of which has no Han neighbour on its other
    side.

    >>> _lone_han_next_to_space("青岛高新 区"), _lone_han_next_to_space("赓续红色基因 凝聚磅礴伟力")
    (True, False)
    """
    pieces = [piece for piece in text.split(" ") if piece]
    for left, right in zip(pieces, pieces[1:]):
        if han_char(left[-1]) and han_char(right[0]) and (
            len(left) == 1 or not han_char(left[-2]) or len(right) == 1 or not han_char(right[1])
        ):
            return True
    return False


_LONE_HAN_SPACE = re.compile(f"(?<![{HAN}])[{HAN}]{SPACES}(?=[{HAN}])|(?<=[{HAN}]){SPACES}[{HAN}](?![{HAN}])")


def _squeeze(m: re.Match) -> str:
    """The lone Han character of a letter-spacing match without its spaces: ASCII, ideographic
    (U+3000, how typeset Chinese pads a two-character name to the width of three: ``张　三``)
    and no-break. A tab next to it stays: it separates columns, not letters."""
    return m.group(0).translate(_LETTER_SPACES)


_LETTER_SPACES = str.maketrans("", "", " \u3000\u00a0")


def _spaces_between(left: str, right: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for the spaces between a ``left`` and a ``right`` character, and for those
    between a ``right`` and a ``left`` one."""
    return re.compile(f"(?<={left}){SPACES}(?={right})"), re.compile(f"(?<={right}){SPACES}(?={left})")


def _drop_spaces_between(
    text: str, patterns: tuple[re.Pattern[str], re.Pattern[str]], left: Callable[[str], bool], right: Callable[[str], bool]
) -> str:
    """Remove the spaces both ``patterns`` (from ``_spaces_between``) match, in turn: a run of
    spaces between a ``left`` and a ``right`` character, or between a ``right`` and a ``left``
    one (``left`` and ``right`` test one character as the patterns' classes do)."""
    if not has_space(text):
        return text
    if text.isprintable():  # removing a run never changes another run's neighbours
        return drop_space_runs(text, lambda a, b: (left(a) and right(b)) or (right(a) and left(b)))
    there, back = patterns
    return back.sub("", there.sub("", text))


def remove_spaces_around_cjk_punct(text: str) -> str:
    """No space belongs next to full-width punctuation in Chinese text.

    >>> remove_spaces_around_cjk_punct("设立 120 个党员先锋岗 ，实施“亮身份、")
    '设立 120 个党员先锋岗，实施“亮身份、'
    >>> remove_spaces_around_cjk_punct("献。 谷星佐")
    '献。谷星佐'
    """
    return _drop_spaces_between(text, _AROUND_CJK_PUNCT, _not_space, _CJK_PUNCT_SET.__contains__)


_AROUND_CJK_PUNCT = _spaces_between("[^\\s]", f"[{CJK_PUNCT}]")
_CJK_PUNCT_SET = frozenset(CJK_PUNCT)


def _not_space(ch: str) -> bool:
    return not ch.isspace()  # "[^\\s]": the regex and str.isspace agree on every character


def remove_spaces_between_han_and_ascii(text: str) -> str:
    """Chinese print sets numbers and Latin words inside Han text without spaces; the spaces
    in extracted text are artefacts. Spaces inside a Latin or number run stay.

    >>> remove_spaces_between_han_and_ascii("自 2019 年青岛功能区")
    '自2019年青岛功能区'
    >>> remove_spaces_between_han_and_ascii("上线“惠工 e家”平台; Made in China 2025")
    '上线“惠工e家”平台; Made in China 2025'
    """
    return _drop_spaces_between(text, _HAN_AND_ASCII, han_char, _ASCII_WORD_SET.__contains__)


_HAN_AND_ASCII = _spaces_between(f"[{HAN}]", "[0-9A-Za-z%]")
_ASCII_WORD_SET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz%")


def collapse_spaces(text: str) -> str:
    """Runs of spaces (left by extraction) become one; ends are trimmed.

    >>> collapse_spaces("  Made   in  China ")
    'Made in China'
    """
    if "  " not in text and "\t" not in text and "\u00a0" not in text:  # no run to collapse
        return text.strip()
    return _SPACE_RUN.sub(" ", text).strip()


_SPACE_RUN = re.compile(r"[ \t\u00a0]{2,}")


_CTX = f"[{HAN}{CJK_PUNCT}]"


def fullwidth_punctuation(text: str) -> str:
    """Half-width punctuation next to Chinese text becomes full-width (``,`` -> ``，``,
    ``:`` -> ``：``, ``;`` -> ``；``, ``?`` -> ``？``, ``!`` -> ``！``, ``(…)`` -> ``（…）``).
    Numbers keep theirs: ``3.74``, ``2/3``, ``1+2+N``, ``1,000``, ``10:30``.

    >>> fullwidth_punctuation("面对任务,青岛高新区坚持:以党建引领;如何破解?")
    '面对任务，青岛高新区坚持：以党建引领；如何破解？'
    >>> fullwidth_punctuation("工会会员3.74万人,全区2/3的指标,“1+2+N”格局,共1,000人")
    '工会会员3.74万人，全区2/3的指标，“1+2+N”格局，共1,000人'
    >>> fullwidth_punctuation("乌鲁木齐高新区(新市区)和AIGC(生成式人工智能)技术")
    '乌鲁木齐高新区（新市区）和AIGC（生成式人工智能）技术'
    """
    if not any(ch in text for ch in _HALF_WIDTH):
        return text
    previous = None
    while previous != text:  # "党,," : the second comma sees Chinese context only after the first
        previous = text
        text = _fullwidth_punctuation_once(text)
    return text


# Each half-width mark next to Chinese text, with a space on either side, and its full form.
_HALF_MARKS = tuple(
    (half, re.compile(f"(?<={_CTX})[ ]?{re.escape(half)}[ ]?|[ ]?{re.escape(half)}[ ]?(?={_CTX})"), full)
    for half, full in ((",", "，"), (";", "；"), ("?", "？"), ("!", "！"))
)
# A colon after Chinese text (a label "编辑:" or "青岛高新区:") or before it; 10:30 stays.
_HALF_COLON = re.compile(f"(?<={_CTX})[ ]?:[ ]?|(?<![0-9])[ ]?:[ ]?(?={_CTX})")
# Parentheses whose content or neighbourhood is Chinese.
_PARENS_AROUND_HAN = re.compile(f"\\(([^()]*[{HAN}][^()]*)\\)")
_PARENS_AFTER_HAN = re.compile(f"(?<=[{HAN}])\\(([^()]*)\\)")
_HALF_WIDTH = ",;?!:("  # the marks fullwidth_punctuation may change (a parenthesis pair starts with "(")


def _fullwidth_punctuation_once(text: str) -> str:
    for half, pattern, full in _HALF_MARKS:
        if half in text:
            text = pattern.sub(full, text)
    if ":" in text:
        text = _HALF_COLON.sub("：", text)
    if "(" in text:
        text = _PARENS_AROUND_HAN.sub(r"（\1）", text)
        text = _PARENS_AFTER_HAN.sub(r"（\1）", text)
    return text


def curl_double_quotes(text: str) -> str:
    """Straight double quotes in Chinese text become “ ” , opening and closing in turn.

    Applied to a whole paragraph, so quotes that a line break separated still pair up.

    >>> curl_double_quotes('打造"党建+"体系 助力发展出"乘"效')
    '打造“党建+”体系 助力发展出“乘”效'
    >>> curl_double_quotes('He said "yes"')
    'He said "yes"'
    """
    if '"' not in text or not _HAN_RE.search(text):
        return text
    pieces = text.split('"')
    out = [pieces[0]]
    for n, piece in enumerate(pieces[1:]):
        out += ["“" if n % 2 == 0 else "”", piece]
    return "".join(out)


def curl_single_quotes(text: str) -> str:
    """Straight single quotes used as inner quotes inside Chinese text become ‘ ’.

    >>> curl_single_quotes("“获评'国家知识产权优势企业'”")
    '“获评‘国家知识产权优势企业’”'
    >>> curl_single_quotes("it's")
    "it's"
    """
    return _SINGLE_QUOTED_HAN.sub(r"‘\1’", text) if "'" in text else text


_SINGLE_QUOTED_HAN = re.compile(f"'([^'\\n]*[{HAN}][^'\\n]*)'")


def fullwidth_sentence_period(text: str) -> str:
    """A half-width full stop that ends a Chinese sentence becomes ``。``; decimals stay.

    >>> fullwidth_sentence_period("取得了良好效果. 2020年增长3.5%.")
    '取得了良好效果。2020年增长3.5%.'
    """
    return _HAN_FULL_STOP.sub("。", text) if "." in text else text


_HAN_FULL_STOP = re.compile(f"(?<=[{HAN}])\\.(?:[ ]+|$)")


RULES: tuple[Callable[[str], str], ...] = (
    collapse_spaces,
    remove_letterspacing,
    remove_spaces_between_han_and_ascii,
    fullwidth_punctuation,
    curl_double_quotes,
    curl_single_quotes,
    fullwidth_sentence_period,
    remove_spaces_around_cjk_punct,
    collapse_spaces,
)


def clean_text(text: str) -> str:
    """Apply every layout rule in order to one field (a paragraph, a title, a caption).

    >>> clean_text('青岛高新区: 打造"党建+"体系 助力发展出"乘"效')
    '青岛高新区：打造“党建+”体系 助力发展出“乘”效'
    >>> clean_text(clean_text("青 岛 高 新 区 将 继 续 深 化")) == clean_text("青 岛 高 新 区 将 继 续 深 化")
    True
    """
    done = _CLEANED.get(text)
    if done is None:
        done = _clean_uncached(text)
    return done


# Recent answers of clean_text: the same field is cleaned more than once on its way through the
# segmenter (a paragraph for the pull-quote check, then as running text). Cleared when full.
_CLEANED: dict[str, str] = {}
_CLEANED_MAX = 4096


def _clean_uncached(text: str) -> str:
    """``clean_text`` itself; the answer is remembered, and so is a result that no rule changes
    any more (``clean_text`` of it is itself)."""
    original, settled = text, False
    for _ in range(5):  # rules feed each other (a curled quote gives a comma Chinese context)
        previous = text
        for rule in RULES:
            text = rule(text)
        if text == previous:
            settled = True
            break
    if len(_CLEANED) >= _CLEANED_MAX:
        _CLEANED.clear()
    _CLEANED[original] = text
    if settled:
        _CLEANED[text] = text
    return text


def clean_running_text(text: str) -> str:
    """``clean_text`` for running text (lead, body, headings inside the body), where every space
    between two Han characters goes, including the phrase separators of a printed heading.

    >>> clean_running_text("抓覆盖 党建引领 激活经济发展")
    '抓覆盖党建引领激活经济发展'
    """
    return clean_text(remove_spaces_between_han(clean_text(text)))


def explain(text: str) -> list[str]:
    """Names of the rules that change ``text``, in order.

    >>> explain("青岛高新 区:")
    ['remove_letterspacing', 'fullwidth_punctuation']
    """
    changed = []
    for rule in RULES:
        new = rule(text)
        if new != text:
            changed.append(rule.__name__)
        text = new
    return changed


# Character slips of OCR that never form a word in their slipped form; each maps to the word
# that was printed. Only unambiguous pairs belong here.
OCR_SLIPS: dict[str, str] = {
    "人驻": "入驻",
    "己经": "已经",
    "巳经": "已经",
    "自已": "自己",
}


def fix_ocr_slips(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Repair unambiguous OCR character slips; return the text and the (before, after) pairs.

    >>> fix_ocr_slips("楼宇内31家人驻企业")
    ('楼宇内31家入驻企业', [('人驻', '入驻')])
    """
    found = []
    for wrong, right in OCR_SLIPS.items():
        n = text.count(wrong)
        if n:
            found.extend([(wrong, right)] * n)
            text = text.replace(wrong, right)
    return text, found
