"""The nothing-lost check: every Han character (and every Latin letter and digit) of a raw page
must end up in exactly one place: an article field as printed, a caption, page furniture, or
dropped text with a reason. OCR corrections are applied to the raw side before comparing.

Derived values (an inferred title, author names parsed from a byline, zones) are not counted:
only fields that hold printed text are.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .clean import HAN
from .model import Article, Diagnostic, PageResult


# What ``countable`` keeps once the text is folded: ASCII letters and digits, and Han.
_UNCOUNTED = re.compile(f"[^0-9A-Za-z{HAN}]+")
# Characters that NFKC leaves alone in any context and that are not Han: all of ASCII; the Han
# of the compatibility block are folded to unified ideographs, so they are no plain characters.
_PLAIN = "\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff"
# Planes 0-2 hold every character with a canonical decomposition (test_account checks this).
_DECOMPOSED_BELOW = 0x30000


def countable(text: str) -> str:
    """The characters the check counts: Han, Latin letters and digits (full-width folded).

    It is ``NFKC`` followed by a filter, computed without normalising the whole page: each
    character that needs folding is folded on its own (see ``_folds``), which gives the same
    result whenever no character of the text can combine with its neighbour.

    >>> countable("青岛高新区：２０２４年 KPI，")
    '青岛高新区2024年KPI'
    >>> countable("Cafe\u0301 ①号")
    'Caf1号'
    """
    folds = _folds(text)
    if folds is None:  # combining characters: normalise the text as a whole
        return _UNCOUNTED.sub("", unicodedata.normalize("NFKC", text))
    for ch, folded in folds:
        text = text.replace(ch, folded)
    return _UNCOUNTED.sub("", text)


def _folds(text: str) -> list[tuple[str, str]] | None:
    """The (character, its countable fold) pairs ``countable`` must replace in ``text``, or
    ``None`` when a character could combine with a neighbour under NFKC.

    >>> _folds("党建，２０２４"), _folds("党建") , _folds("e\u0301")
    ([('２', '2'), ('０', '0'), ('４', '4')], [], None)
    """
    folds = []
    for ch in dict.fromkeys(_special_chars().findall(text)):
        folded = _fold(ch)
        if folded is None:
            return None
        if folded != _UNCOUNTED.sub("", ch):
            folds.append((ch, folded))
    return folds


@lru_cache(maxsize=1)
def _special_chars() -> re.Pattern[str]:
    """Characters whose fold is not obvious: anything but ASCII, Han (unified) and the
    punctuation and symbols that ``_fold`` shows fold to nothing countable, as they stand."""
    quiet = [chr(cp) for block in ((0x80, 0x3400), (0xF900, 0x10000)) for cp in range(*block)
             if not 0xD800 <= cp < 0xE000 and _fold(chr(cp)) == "" and not _UNCOUNTED.sub("", chr(cp))]
    return re.compile(f"[^{_PLAIN}{re.escape(''.join(quiet))}]")


@lru_cache(maxsize=None)
def _fold(ch: str) -> str | None:
    """What ``countable`` keeps of one character, or ``None`` when the character could combine
    with the one before or after it (then NFKC of a text is not NFKC of its characters).

    >>> _fold("２"), _fold("，"), _fold("①"), _fold("\u0301"), _fold("\u1161")
    ('2', '', '1', None, None)
    """
    parts = unicodedata.normalize("NFKD", ch)
    if any(unicodedata.combining(p) or p in _composition_seconds() for p in parts):
        return None
    return _UNCOUNTED.sub("", unicodedata.normalize("NFKC", ch))


@lru_cache(maxsize=1)
def _composition_seconds() -> frozenset[str]:
    """Characters that canonical composition can join to the character before them: the second
    character of every two-character canonical decomposition, and the Hangul vowel and final
    jamo (Hangul syllables compose by rule, not by the table)."""
    seconds = {chr(cp) for cp in (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))}
    for cp in range(_DECOMPOSED_BELOW):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    return frozenset(seconds)


def printed_fields(article: Article) -> list[str]:
    """Every field of an article that holds printed text."""
    fields = [article.kicker, article.subtitle, article.byline, article.dateline, article.lead]
    if not article.title_inferred:
        fields.append(article.title)
    fields += [p.text for p in article.paragraphs]
    for c in article.captions:
        fields += [c.text, c.credit]
    return [f for f in fields if f]


def output_texts(result: PageResult) -> list[str]:
    texts = [t for a in result.articles for t in printed_fields(a)]
    texts += [f.text for f in result.furniture]
    texts += [d.text for d in result.dropped]
    return texts


def check_page(text: str, result: PageResult) -> list[Diagnostic]:
    """Errors (naming the page and the raw lines concerned) when characters were lost or
    created; an empty list when every character is accounted for exactly once."""
    raw = countable(text)
    for c in result.corrections:
        raw = raw.replace(countable(c.before), countable(c.after), 1) if countable(c.before) else raw
    out_texts = output_texts(result)
    printed = countable("".join(out_texts))
    if same_characters(raw, printed):
        return []
    got, want = Counter(printed), Counter(raw)
    lost, extra = want - got, got - want
    problems = []
    if lost:
        stream = "".join(countable(t) for t in out_texts)
        lines = _lines_not_found(text, stream, result)
        sample = "".join(sorted(lost.elements()))[:40]
        where = lines[0] if lines else None
        problems.append(Diagnostic(result.file, f"{sum(lost.values())} characters of the page are in no article, "
                                   f"furniture or dropped record ({sample}); lines {lines[:10]}", where, "error"))
    if extra:
        sample = "".join(sorted(extra.elements()))[:40]
        problems.append(Diagnostic(result.file, f"{sum(extra.values())} characters appear more often in the output "
                                   f"than on the page ({sample})", None, "error"))
    return problems


CHUNK = 64  # characters of the output looked for in the page at a time
REACH = 1024  # how far after the last chunk found the next one may be


def same_characters(want: str, got: str) -> bool:
    """True when ``got`` holds the same characters as ``want``, each as often: what
    ``Counter(got) == Counter(want)`` says, without counting most of the characters.

    The output repeats most of the page in page order. ``got`` is taken in chunks, each looked
    for shortly after where the previous one was found in ``want``: a chunk found is the same
    characters on both sides and is set aside. Only what is left on each side (text printed
    in another order: titles, captions, furniture) is counted.

    >>> same_characters("党建引领发展KPI2024", "KPI2024党建引领发展"), same_characters("党建", "党党")
    (True, False)
    """
    if len(want) != len(got):
        return False
    left_want, left_got = [], []
    cursor = 0
    for start in range(0, len(got), CHUNK):
        chunk = got[start : start + CHUNK]
        at = want.find(chunk, cursor, cursor + REACH + len(chunk))
        if at == -1:
            left_got.append(chunk)
        else:
            left_want.append(want[cursor:at])
            cursor = at + len(chunk)
    left_want.append(want[cursor:])
    return Counter("".join(left_want)) == Counter("".join(left_got))


def _lines_not_found(text: str, stream: str, result: PageResult) -> list[int]:
    fixes = [(countable(c.before), countable(c.after)) for c in result.corrections]
    missing = []
    for no, line in enumerate(text.split("\n"), 1):
        want = countable(line)
        for before, after in fixes:
            if before:
                want = want.replace(before, after)
        if want and want not in stream and not _split_found(want, stream):
            missing.append(no)
    return missing


def _split_found(want: str, stream: str) -> bool:
    """A line can be split between two fields (a byline glued to a sentence, a doubled line)."""
    return any(want[:k] in stream and want[k:] in stream for k in range(1, len(want)))
