"""The nothing-lost check: every Han character (and every Latin letter and digit) of a raw page
must end up in exactly one place: an article field as printed, a caption, page furniture, or
dropped text with a reason. OCR corrections are applied to the raw side before comparing.

Derived values (an inferred title, author names parsed from a byline, zones) are not counted:
only fields that hold printed text are.
"""
from __future__ import annotations

import unicodedata
from collections import Counter

from .clean import han_only
from .model import Article, Diagnostic, PageResult


def countable(text: str) -> str:
    """The characters the check counts: Han, Latin letters and digits (full-width folded).

    >>> countable("青岛高新区：２０２４年 KPI，")
    '青岛高新区2024年KPI'
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if (ch.isascii() and ch.isalnum()) or han_only(ch))


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
    got = Counter(countable("".join(out_texts)))
    want = Counter(raw)
    if got == want:
        return []
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
