"""The link stage: related articles and near-duplicate reports, computed over the whole archive.

:func:`link_all` returns the articles with two fields filled (``dataclasses.replace``):

``related`` / ``related_scores``
    The :data:`RELATED_MAX` most similar other articles, best first, each scoring at least
    :data:`RELATED_MIN`. The score is the cosine similarity of token-count vectors: the tokens
    of ``scripts.nlp.tokenize`` (jieba; character bigrams of each Han run when that module is
    not available) of the title, kicker, subtitle, lead, body and captions, minus
    ``scripts.nlp.stopwords()``, single characters and tokens with no letter or Han character
    (numbers, punctuation). Title tokens count twice. Scores are rounded to 4 decimals and
    ranked by (score descending, id), so ties are broken the same way in every build; the
    score of a pair is computed once, so it is the same seen from either side.

``near_duplicates``
    Articles that reprint the same passages. Each article's running text (lead, body,
    captions), reduced to its Han characters, is cut into overlapping :data:`SHINGLE`-character
    shingles; two articles are near-duplicates when the shingles they share are at least
    :data:`DUPLICATE_MIN` of the shingles of the shorter one (containment, so a brief reprinted
    inside a longer report counts) and at least :data:`DUPLICATE_MIN_SHARED` shingles (a whole
    sentence, so two short captions do not match on one stock phrase). The relation is
    symmetric; the ids are ordered by containment descending, then id.

Thresholds, chosen on the five seed pages (13 records):

* :data:`RELATED_MIN` = 0.15 on unit vectors of damped counts (1 + log count) with zone names
  left out (same-zone articles have a section of their own; with raw counts a zone name said
  thirty times decided most pairs). On the seeds: the Qingdao feature and the Qingdao
  party-member report 0.29 (the same programme and statistics), the Qingdao feature and the
  Yantai industry-chain report 0.22 (产业链党建), the two 2021 zone-wide overviews of Qingdao and
  Yantai 0.18, the two Baoji pieces 0.16, the two Qingdao overviews 0.15; then 0.13 and below
  with no clean gap (pairs sharing only generic Party-building vocabulary). With the
  character-bigram fallback every pair scores higher, so without ``scripts.nlp`` the threshold
  hardly filters (the fallback exists so the stage never fails, not to be tuned for).
* :data:`RELATED_FILL` = 3 and :data:`RELATED_FLOOR` = 0.05: a reader of an article with no
  strong neighbour is still shown its nearest ones (with their scores), never those that share
  only stop-word-level vocabulary.
* :data:`DUPLICATE_MIN` = 0.5 of the shorter text's 8-character shingles, and at least
  :data:`DUPLICATE_MIN_SHARED` = 30 shared shingles. Between different seed reports the highest
  containment is 0.10 (two Qingdao reports sharing five sentences of the same statistics,
  120 shingles), the next 0.008; an article reprinted with one paragraph rewritten stays far
  above 0.5.

Cost: tokens go through an inverted index (token -> articles holding it), so a pair is only
ever scored through the tokens it shares, and each pair once. With raw counts almost every
pair shares some common token, so this is still O(N²) on sparse vectors (about N²/2 pairs,
each touched once per shared token, plus an O(N) scan per article). Measured on 10,000
synthetic articles cut from the seed paragraphs (a small, dense vocabulary: close to the worst
case; 2 million pairs above the threshold): tokenizing 15 s, related scoring 33 s,
near-duplicates 12 s. The next step, if that is too slow, is a document-frequency cut-off for
the index (with IDF weights the very common tokens hardly count anyway).

Near-duplicate candidates come from the same kind of index over a stable sample of the
shingles (one in :data:`SAMPLE_EVERY`, chosen by a hash, so every article samples the same
shingles), ignoring shingles printed in more than :data:`SHINGLE_MAX_DF` articles (stock
phrases); a pair sharing at least :data:`CANDIDATE_MIN_SHARED` sampled shingles is a candidate,
and its containment is then computed exactly on all shingles with set intersection. A true
near-duplicate shares at least 15 shingles (half of 30), so about four sampled ones. No full
text is ever compared with another.
"""
from __future__ import annotations

import dataclasses
import heapq
import math
import re
import zlib
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Callable, Iterable

from .model import Article

RELATED_MAX = 5
RELATED_MIN = 0.15
RELATED_FILL = 3  # an article with fewer strong neighbours is shown this many, weaker ones included
RELATED_FLOOR = 0.05  # never below this: no shared vocabulary worth a link
SCORE_DIGITS = 4
TITLE_WEIGHT = 2  # title tokens count this many times

SHINGLE = 8
DUPLICATE_MIN = 0.5
DUPLICATE_MIN_SHARED = 30
SHINGLE_MAX_DF = 50
CANDIDATE_MIN_SHARED = 2  # sampled shingles in common to be measured exactly
SAMPLE_EVERY = 4  # candidate search uses 1 shingle in 4 (a stable hash sample)

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HAN_CHAR = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORDLIKE = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+|[0-9]+[A-Za-z][A-Za-z0-9]*")


# --- tokens ---------------------------------------------------------------------------------

def char_bigrams(text: str) -> list[str]:
    """Fallback tokens: every two adjacent Han characters of each Han run, and Latin words.

    >>> char_bigrams("青岛高新区，AI 5G企业")
    ['青岛', '岛高', '高新', '新区', 'AI', '5G', '企业']
    """
    tokens: list[tuple[int, str]] = []
    for m in _HAN_RUN.finditer(text):
        run = m.group()
        tokens += [(m.start() + i, run[i:i + 2]) for i in range(len(run) - 1)]
    tokens += [(m.start(), m.group()) for m in _LATIN_WORD.finditer(text)]
    return [t for _, t in sorted(tokens)]


@lru_cache(maxsize=1)
def _tokenizer() -> tuple[Callable[[str], list[str]], frozenset[str]]:
    """``scripts.nlp.tokenize`` and its stop words, or character bigrams and no stop words.

    Imported lazily: ``scripts.nlp`` is the only module that loads jieba.
    """
    try:
        from . import nlp
    except ImportError:
        return char_bigrams, frozenset()
    tokenize = getattr(nlp, "tokenize", None)
    if not callable(tokenize):
        return char_bigrams, frozenset()
    stop = getattr(nlp, "stopwords", None)
    return tokenize, frozenset(stop() if callable(stop) else ())


def _accepts_hmm(tokenize) -> bool:
    """The jieba tokenizer takes ``hmm``; the character-bigram fallback does not."""
    import inspect

    return "hmm" in inspect.signature(tokenize).parameters


def tokens(text: str) -> list[str]:
    """The counted tokens of ``text``: no stop words, no single characters, no bare numbers."""
    if not text:
        return []
    tokenize, stop = _tokenizer()
    out = []
    for t in tokenize(text, hmm=False) if _accepts_hmm(tokenize) else tokenize(text):
        t = t.strip()
        if len(t) > 1 and t not in stop and _WORDLIKE.search(t):
            out.append(t)
    return out


def article_text(a: Article) -> str:
    """Everything printed for the article except its title: kicker, subtitle, lead, body, captions."""
    parts = [a.kicker, a.subtitle, a.lead, *(p.text for p in a.paragraphs), *(c.text for c in a.captions)]
    return "\n".join(p for p in parts if p)


def token_counts(a: Article) -> Counter[str]:
    """The article's vector: token -> count, title tokens counted :data:`TITLE_WEIGHT` times.

    Zone names are left out: articles on the same zone are listed in a section of their own,
    and a zone name repeated thirty times would otherwise decide what is "related"."""
    zones = _zone_words()
    counts = Counter(t for t in tokens(article_text(a)) if t not in zones)
    for t in tokens(a.title):
        if t not in zones:
            counts[t] += TITLE_WEIGHT
    return counts


def _zone_words() -> frozenset[str]:
    try:
        from .nlp import zone_words
        return frozenset(zone_words())
    except ImportError:  # pragma: no cover
        return frozenset()


# --- related --------------------------------------------------------------------------------

def _pair_scores(vectors: list[dict[str, float]], threshold: float) -> Iterable[tuple[int, int, float]]:
    """``(i, j, score)`` for every pair i < j whose cosine, rounded, is at least ``threshold``.

    Vectors are normalised, so a score is a dot product, accumulated through an inverted index
    (token -> the articles holding it, in index order): for article i, only the postings after
    i are visited, so each pair is summed once, from its lower index, over its shared tokens.
    """
    n = len(vectors)
    postings_ids: dict[str, list[int]] = defaultdict(list)
    postings_weights: dict[str, list[float]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for t, w in vec.items():
            postings_ids[t].append(i)
            postings_weights[t].append(w)
    seen = dict.fromkeys(postings_ids, 0)  # how far article i is into each posting list
    for i, vec in enumerate(vectors):
        acc = [0.0] * n
        for t, w in vec.items():
            after = seen[t] + 1  # postings are in index order: i itself sits at seen[t]
            seen[t] = after
            for j, wj in zip(postings_ids[t][after:], postings_weights[t][after:]):
                acc[j] += w * wj
        for j in range(i + 1, n):
            if acc[j] and round(acc[j], SCORE_DIGITS) >= threshold:
                yield i, j, round(acc[j], SCORE_DIGITS)


def _normalised(counts: Counter[str]) -> dict[str, float]:
    """Unit vector of damped counts (1 + log count): a word said ten times is not ten times
    the evidence of a word said once."""
    damped = {t: 1.0 + math.log(c) for t, c in counts.items() if c > 0}
    norm = math.sqrt(sum(w * w for w in damped.values()))
    return {t: w / norm for t, w in sorted(damped.items())} if norm else {}


def related_pairs(articles: list[Article]) -> dict[str, list[tuple[float, str]]]:
    """id -> [(score, other id)] of every other article scoring at least :data:`RELATED_FLOOR`."""
    ordered = sorted(articles, key=lambda a: a.id)
    vectors = [_normalised(token_counts(a)) for a in ordered]
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for i, j, score in _pair_scores(vectors, RELATED_FLOOR):
        found[ordered[i].id].append((score, ordered[j].id))
        found[ordered[j].id].append((score, ordered[i].id))
    return found


def best_related(candidates: list[tuple[float, str]], limit: int = RELATED_MAX) -> list[tuple[float, str]]:
    """The ``limit`` best of ``candidates`` at or above :data:`RELATED_MIN`, score descending,
    then id; an article with fewer than :data:`RELATED_FILL` of those is topped up to that many
    with the best weaker ones at or above :data:`RELATED_FLOOR` (their scores are shown).

    >>> best_related([(0.5, "b"), (0.7, "c"), (0.5, "a")], 2)
    [(0.7, 'c'), (0.5, 'a')]
    >>> best_related([(0.3, "a"), (0.1, "b"), (0.06, "c"), (0.02, "d")])
    [(0.3, 'a'), (0.1, 'b'), (0.06, 'c')]
    """
    ranked = heapq.nsmallest(max(limit, RELATED_FILL), candidates, key=lambda c: (-c[0], c[1]))
    strong = [c for c in ranked if c[0] >= RELATED_MIN][:limit]
    if len(strong) >= RELATED_FILL:
        return strong
    weak = [c for c in ranked if RELATED_FLOOR <= c[0] < RELATED_MIN]
    return strong + weak[: RELATED_FILL - len(strong)]


# --- near-duplicates ------------------------------------------------------------------------

def han_text(a: Article) -> str:
    """The article's running text (lead, body, captions) reduced to its Han characters."""
    parts = [a.lead, *(p.text for p in a.paragraphs), *(c.text for c in a.captions)]
    return _HAN_CHAR.sub("", "".join(p for p in parts if p))


def shingles(text: str, k: int = SHINGLE) -> frozenset[str]:
    """The set of ``k``-character substrings of ``text`` (Han characters only).

    >>> sorted(shingles("青岛高新区党建", 5))
    ['岛高新区党', '青岛高新区', '高新区党建']
    """
    return frozenset(text[i:i + k] for i in range(len(text) - k + 1))


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared shingles over the shingles of the smaller set (0 when either is empty).

    >>> containment(frozenset("abcd"), frozenset("bcdefgh"))
    0.75
    """
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def duplicate_pairs(articles: list[Article]) -> dict[str, list[tuple[float, str]]]:
    """id -> [(containment, other id)] of the articles it near-duplicates (both directions)."""
    ordered = sorted(articles, key=lambda a: a.id)
    sets = [shingles(han_text(a)) for a in ordered]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        if len(s) >= DUPLICATE_MIN_SHARED:
            for sh in s:
                if zlib.crc32(sh.encode("utf-8")) % SAMPLE_EVERY == 0:  # candidates from a sample
                    postings[sh].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for plist in postings.values():
        if 1 < len(plist) <= SHINGLE_MAX_DF:
            for x in range(len(plist)):
                for y in range(x + 1, len(plist)):
                    shared[plist[x], plist[y]] += 1
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (i, j), n in sorted(shared.items()):
        if n < CANDIDATE_MIN_SHARED:  # n counts sampled uncommon shingles only; then measure exactly
            continue
        inter = len(sets[i] & sets[j])
        score = round(inter / min(len(sets[i]), len(sets[j])), SCORE_DIGITS)
        if inter >= DUPLICATE_MIN_SHARED and score >= DUPLICATE_MIN:
            found[ordered[i].id].append((score, ordered[j].id))
            found[ordered[j].id].append((score, ordered[i].id))
    return found


# --- the stage ------------------------------------------------------------------------------

def link_all(articles: list[Article]) -> list[Article]:
    """The articles, in the order given, with ``related``, ``related_scores`` and
    ``near_duplicates`` filled from the whole list (an article is never its own neighbour)."""
    related = related_pairs(articles)
    duplicates = duplicate_pairs(articles)
    out = []
    for a in articles:
        best = best_related([c for c in related.get(a.id, ()) if c[1] != a.id])
        dups = sorted((c for c in duplicates.get(a.id, ()) if c[1] != a.id), key=lambda c: (-c[0], c[1]))
        out.append(dataclasses.replace(
            a,
            related=tuple(i for _, i in best),
            related_scores=tuple(s for s, _ in best),
            near_duplicates=tuple(i for _, i in dups),
        ))
    return out
