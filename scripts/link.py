"""The link stage: related articles and near-duplicate reports, computed over the whole archive.

:func:`link_all` returns the articles with these fields filled (``model.evolve``):

``related`` / ``related_scores``
    The :data:`RELATED_MAX` most similar other articles, best first, each scoring at least
    :data:`RELATED_MIN`. The score is the cosine similarity of token-count vectors: the tokens
    of ``scripts.nlp.tokenize`` (jieba; character bigrams of each Han run when that module is
    not available) of the title, kicker, subtitle, lead, body and captions, minus
    ``scripts.nlp.stopwords()``, single characters and tokens with no letter or Han character
    (numbers, punctuation). Title tokens count twice. Scores are rounded to 4 decimals and
    ranked by (score descending, id), so ties are broken the same way in every build; the
    score of a pair is computed once (``math.fsum``, so it does not depend on the order of the
    terms either), so it is the same seen from either side.

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

Cost, and what it gives up. Comparing every pair is O(N²), and with a shared Party-building
vocabulary almost every pair has some token in common, so an inverted index of all tokens does
not avoid it (1,000 synthetic articles: 500,000 pairs, half a minute). So pairs are still
scored exactly, but only those a candidate search proposes: an inverted index whose posting
lists are capped, so the work per article is bounded and the stage is close to linear
(tokenizing aside: 0.6 s of CPU for 1,009 synthetic articles, 7 s for 10,108 on a shared
two-core machine, where comparing every pair took 18 s and would take half an hour). An
archive of at most
:data:`EXHAUSTIVE_MAX` articles compares every pair (the seeds do). ``link_all`` takes the
token counts when the caller has them (say, cached per article): tokenizing is the costly part.

* Related: each article is indexed under its :data:`KEY_TERMS` most distinctive terms (weight
  times IDF, ``log(N / df)``); a term's posting list keeps the :data:`POSTING_MAX` articles
  that weigh it most. An article's candidates are the :data:`CANDIDATES` articles sharing the
  most of its key terms through those lists, topped up, when fewer share any, with the
  articles whose weight lies most on widely used terms (an article with nothing distinctive
  in common with any other is closest to those). Each candidate pair is scored exactly.
  **Missed**: a pair whose similarity comes from vocabulary distinctive for neither article,
  or from terms so common that neither is among their :data:`POSTING_MAX` heaviest users. In
  a real archive such pairs share generic vocabulary and score below a clearly related pair
  (on the seeds the indexes give every related list exactly). The benchmark's synthetic
  archive (``scripts.bench``) is the worst case: every page is drawn from one small
  vocabulary, all pairs score 0.30 to 0.43, and the exact top five, a few hundredths above
  the rest, is mostly replaced by neighbours a few hundredths below it.
* Near-duplicates: every article samples its shingles that start at an anchor character (one
  Han character in :data:`SAMPLE_EVERY`, chosen by a hash of the character, so a passage two
  articles share is sampled alike in both) and is indexed under :data:`DUPLICATE_KEYS` of them
  (the smallest by crc32 of those starting at a rarer anchor, one character in
  :data:`KEY_EVERY`; a short text uses its whole sample). A pair is measured exactly (all
  shingles, set intersection) when one article's sample holds at least
  :data:`CANDIDATE_MIN_SHARED` of the other's keys and at least :data:`KEY_SHARE` of them;
  keys printed in more than :data:`SHINGLE_MAX_DF` articles are stock phrases and ignored.
  **Missed**: the shorter text's keys lie in the shared passages about as often as its
  containment says, so a pair at containment 0.5 is missed when 26 of 32 keys fall outside
  them (3 in 10,000; at 0.6, 2 in a million); a pair sharing only a few dozen shingles (a
  short caption) when fewer than two of its sampled shingles are shared (1 in 10 at 30
  shingles, 1 in 100 at 50); and a pair whose shared keys are all stock phrases (a caption
  printed in more than 50 articles).
"""
from __future__ import annotations

import heapq
import math
import re
import zlib
from array import array
from collections import Counter, defaultdict
from functools import lru_cache, partial
from itertools import chain, compress, repeat
from operator import itemgetter, mul, truediv
from typing import Callable, Iterable, Sequence

from .model import Article, evolve

RELATED_MAX = 5
RELATED_MIN = 0.15
RELATED_FILL = 3  # an article with fewer strong neighbours is shown this many, weaker ones included
RELATED_FLOOR = 0.05  # never below this: no shared vocabulary worth a link
SCORE_DIGITS = 4
TITLE_WEIGHT = 2  # title tokens count this many times

EXHAUSTIVE_MAX = 100  # archives up to this size compare every pair (5,000 pairs, a tenth of a second)
KEY_TERMS = 16  # an article is indexed under this many of its most distinctive terms
POSTING_MAX = 32  # a term's posting list keeps the articles that weigh it most
CANDIDATES = 8  # articles scored exactly for each article

SHINGLE = 8
DUPLICATE_MIN = 0.5
DUPLICATE_MIN_SHARED = 30
SHINGLE_MAX_DF = 50  # a key shingle printed in more articles is a stock phrase
CANDIDATE_MIN_SHARED = 2  # keys of one article in the sample of the other, to be measured exactly
SAMPLE_EVERY = 8  # candidate search samples the shingles starting at one Han character in 8
KEY_EVERY = 32  # keys start at one Han character in 32 (among the sample's anchors)
DUPLICATE_KEYS = 32  # keys per article
KEY_SHARE = 0.2  # of its keys an article shares with another to be measured (containment 0.5: half)

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_WORDLIKE = re.compile(f"[A-Za-z{_HAN}]")
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


@lru_cache(maxsize=8)
def _accepts_hmm(tokenize) -> bool:
    """The jieba tokenizer takes ``hmm``; the character-bigram fallback does not."""
    import inspect

    return "hmm" in inspect.signature(tokenize).parameters


@lru_cache(maxsize=1 << 16)
def _wordlike(token: str) -> bool:
    """A letter or a Han character in the token (remembered: an archive has a bounded vocabulary).

    >>> _wordlike("党建"), _wordlike("5G"), _wordlike("120")
    (True, True, False)
    """
    return _WORDLIKE.search(token) is not None


def tokens(text: str) -> list[str]:
    """The counted tokens of ``text``: no stop words, no single characters, no bare numbers."""
    if not text:
        return []
    tokenize, stop = _tokenizer()
    raw = tokenize(text, hmm=False) if _accepts_hmm(tokenize) else tokenize(text)
    return [t for t in map(str.strip, raw) if len(t) > 1 and t not in stop and _wordlike(t)]


def article_text(a: Article) -> str:
    """Everything printed for the article except its title: kicker, subtitle, lead, body, captions."""
    return "\n".join(article_text_parts(a))


def article_text_parts(a: Article) -> list[str]:
    """:func:`article_text` in the parts it joins by line breaks: kicker and subtitle, then the
    running text (lead, body, captions) whole, as the tags and organisations cut it."""
    running = "\n".join(t for t in [a.lead, *(p.text for p in a.paragraphs), *(c.text for c in a.captions)] if t)
    return [p for p in (a.kicker, a.subtitle, running) if p]


def token_counts(a: Article) -> Counter[str]:
    """The article's vector: token -> count, title tokens counted :data:`TITLE_WEIGHT` times.

    Zone names are left out: articles on the same zone are listed in a section of their own,
    and a zone name repeated thirty times would otherwise decide what is "related".

    The tokens of :func:`article_text` are those of its parts one after another (a line break
    ends every word), so its running text is cut as the other steps cut it: once, remembered
    by ``scripts.nlp.tokenize``."""
    zones = _zone_words()
    counts = Counter(t for part in article_text_parts(a) for t in tokens(part) if t not in zones)
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

_DAMPED = [0.0] + [1.0 + math.log(c) for c in range(1, 256)]  # 1 + log count, for common counts


def _normalised(counts: Counter[str]) -> dict[str, float]:
    """Unit vector of damped counts (1 + log count): a word said ten times is not ten times
    the evidence of a word said once.

    >>> v = _normalised(Counter({"党建": 3, "企业": 1, "无": 0}))
    >>> sorted(v), round(math.fsum(w * w for w in v.values()), 12)
    (['企业', '党建'], 1.0)
    >>> _normalised(Counter({"党建": 3, "企业": 1})) == _normalised(Counter({"党建": 3, "企业": 1, "无": 0}))
    True
    """
    if counts and 0 < min(counts.values()) and max(counts.values()) < len(_DAMPED):  # the usual case, in C
        weights = list(map(_DAMPED.__getitem__, counts.values()))
        norm = math.sqrt(sum(map(mul, weights, weights)))
        return dict(zip(counts, map(truediv, weights, repeat(norm))))
    damped = {t: 1.0 + math.log(c) for t, c in counts.items() if c > 0}
    norm = math.sqrt(sum(map(mul, damped.values(), damped.values())))
    return {t: w / norm for t, w in damped.items()} if norm else {}


def article_vector(a: Article) -> dict[str, float]:
    """The unit vector related articles are scored by: :func:`_normalised` :func:`token_counts`
    (a function of the article alone, so a pipeline can compute and cache it per article)."""
    return _normalised(token_counts(a))


_TERMS_APART = "\0"  # between the terms of a packed vector


def pack_vector(vector: dict[str, float]) -> tuple[str, bytes] | dict[str, float]:
    """A vector as its terms joined in one string and its weights as an array of doubles:
    read back (:func:`unpack_vector`) in two thirds of the time the dictionary takes to
    unpickle, with every weight the same float. A vector with a term holding the separator is
    kept as it is.

    >>> packed = pack_vector({"党建": 0.6, "园区": 0.8})
    >>> packed[0].split(_TERMS_APART), unpack_vector(packed), unpack_vector(pack_vector({}))
    (['党建', '园区'], {'党建': 0.6, '园区': 0.8}, {})
    """
    joined = _TERMS_APART.join(vector)
    if joined.count(_TERMS_APART) != max(len(vector) - 1, 0):
        return dict(vector)
    return joined, array("d", vector.values()).tobytes()


def unpack_vector(packed: tuple[str, bytes] | dict[str, float]) -> dict[str, float]:
    """The vector :func:`pack_vector` packed."""
    if isinstance(packed, dict):
        return packed
    joined, weights = packed
    return dict(zip(joined.split(_TERMS_APART), memoryview(weights).cast("d")))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """The rounded dot product of two unit vectors, summed exactly (``math.fsum``): the same
    whichever way round, whatever order the terms are in.

    >>> cosine({"a": 0.6, "b": 0.8}, {"b": 0.6, "a": 0.8}), cosine({"a": 1.0}, {"b": 1.0})
    (0.96, 0.0)
    """
    shared = a.keys() & b.keys()
    return round(math.fsum(map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared))), SCORE_DIGITS)


def key_terms(vectors: Sequence[dict[str, float]], df: Counter[str], limit: int = KEY_TERMS) -> list[list[str]]:
    """Each vector's ``limit`` most distinctive terms: weight times IDF (``log(N / df)``),
    highest first, ties by term. A term in every vector has IDF 0 and is never a key.

    >>> vs = [{"党建": 0.6, "园区": 0.8}, {"党建": 0.8, "人才": 0.6}, {"党建": 1.0}]
    >>> key_terms(vs, Counter(chain.from_iterable(vs)), 2)
    [['园区'], ['人才'], []]
    """
    idf = {t: math.log(len(vectors) / n) for t, n in df.items()}
    keys = []
    for vec in vectors:
        scores = list(map(mul, vec.values(), map(idf.__getitem__, vec)))
        cut = max(sorted(scores, reverse=True)[limit - 1] if len(scores) >= limit else 0.0, 1e-300)
        ranked = sorted(((w, t) for w, t in zip(scores, vec) if w >= cut), reverse=True)[:limit]
        keys.append([t for _, t in ranked])
    return keys


def generic_order(vectors: Sequence[dict[str, float]], df: Counter[str]) -> list[int]:
    """Vector indices, those whose weight lies most on widely used terms first (weight times
    df, summed; ties by index): the best neighbours an article has when it shares nothing
    distinctive with any other (similarity through common vocabulary favours them).

    >>> vs = [{"党建": 0.6, "园区": 0.8}, {"党建": 0.8, "人才": 0.6}, {"人才": 1.0}]
    >>> generic_order(vs, Counter(chain.from_iterable(vs)))
    [1, 0, 2]
    """
    weight = [math.fsum(map(mul, v.values(), map(df.__getitem__, v))) for v in vectors]
    return sorted(range(len(vectors)), key=lambda i: (-weight[i], i))


def candidate_neighbours(vectors: Sequence[dict[str, float]]) -> set[tuple[int, int]]:
    """``(i, j)``, i < j: the pairs worth scoring exactly (see the module docstring). Each
    vector is indexed under its :func:`key_terms`; a term's posting list keeps the
    :data:`POSTING_MAX` vectors that weigh it most (ties: later index first); each vector's
    :data:`CANDIDATES` are those sharing the most of its key terms through those lists, ties in
    the order the lists give them (heaviest first), topped up from :func:`generic_order`.

    >>> vs = [{"a": 0.8, "x": 0.6}, {"a": 0.6, "x": 0.8}, {"b": 1.0}, {"x": 1.0}]
    >>> sorted(candidate_neighbours(vs))
    [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    """
    df = Counter(chain.from_iterable(vectors))
    keys = key_terms(vectors, df)
    postings: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i, terms in enumerate(keys):
        for t in terms:
            postings[t].append((vectors[i][t], i))
    heaviest = {t: [i for _, i in heapq.nlargest(POSTING_MAX, p)] for t, p in postings.items()}
    generic: list[int] = []  # made when first needed (an article short of candidates is rare)
    pairs = set()
    for i, terms in enumerate(keys):
        shared = Counter(chain.from_iterable(map(heaviest.__getitem__, terms)))
        shared.pop(i, None)
        near = [j for j, _ in sorted(shared.items(), key=itemgetter(1), reverse=True)[:CANDIDATES]]
        if len(near) < CANDIDATES:
            generic = generic or generic_order(vectors, df)[:CANDIDATES + 1]
            near += [j for j in generic if j != i and j not in shared][:CANDIDATES - len(near)]
        pairs.update((i, j) if i < j else (j, i) for j in near)
    return pairs


def all_pairs(n: int) -> Iterable[tuple[int, int]]:
    """Every ``(i, j)``, i < j < n.

    >>> list(all_pairs(3))
    [(0, 1), (0, 2), (1, 2)]
    """
    return ((i, j) for i in range(n) for j in range(i + 1, n))


class PairScores:
    """Scores of pairs remembered from the last build: a pair's score depends on the two
    articles' token counts alone, so a pair of unchanged articles is not scored again.
    ``digests``: id -> a digest of what the article's counts are made from; ``known``: the
    scores of the last build, by pair of digests. ``used`` collects this build's, to keep."""

    def __init__(self, digests: dict[str, str], known: dict[tuple[str, str], float] | None = None) -> None:
        self.digests, self.known = digests, known or {}
        self.used: dict[tuple[str, str], float] = {}

    def score(self, a: str, b: str, compute: Callable[[], float]) -> float:
        """The score of articles ``a`` and ``b`` (ids): remembered, else ``compute()``d."""
        x, y = self.digests[a], self.digests[b]
        pair = (x, y) if x <= y else (y, x)
        score = self.known.get(pair)
        if score is None:
            score = compute()
        self.used[pair] = score
        return score


def related_pairs(articles: list[Article], counts: Sequence[Counter[str]] | None = None,
                  scores: PairScores | None = None, vectors: Sequence[dict[str, float]] | None = None,
                  ) -> dict[str, list[tuple[float, str]]]:
    """id -> [(score, other id)] of the other articles scoring at least :data:`RELATED_FLOOR`
    among those scored: every pair up to :data:`EXHAUSTIVE_MAX` articles, else the candidates
    of :func:`candidate_neighbours`. ``counts`` are the articles' :func:`token_counts`, or
    ``vectors`` their :func:`article_vector`, in the order given, when the caller has them (say,
    cached); else they are computed here. ``scores``: the pairs scored in the last build
    (:class:`PairScores`)."""
    order = sorted(range(len(articles)), key=lambda i: articles[i].id)
    ordered = [articles[i] for i in order]
    if vectors is None:
        if counts is None:
            counts = [token_counts(a) for a in articles]
        vectors = [_normalised(counts[i]) for i in order]
    else:
        vectors = [vectors[i] for i in order]
    pairs = all_pairs(len(vectors)) if len(vectors) <= EXHAUSTIVE_MAX else sorted(candidate_neighbours(vectors))
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for i, j in pairs:
        if scores is None:
            score = cosine(vectors[i], vectors[j])
        else:
            score = scores.score(ordered[i].id, ordered[j].id, lambda: cosine(vectors[i], vectors[j]))
        if score >= RELATED_FLOOR:
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
    return "".join(_HAN_RUN.findall("".join(p for p in parts if p)))


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


@lru_cache(maxsize=None)
def anchor_chars(every: int) -> frozenset[str]:
    """The Han characters a sampled shingle starts with: one in ``every``, those whose crc32
    is a multiple of ``every`` (so the anchors of a multiple of ``every`` are among them). The
    sample depends on the text alone: a passage two articles share is sampled alike in both.

    >>> len(anchor_chars(8)) * 8 // len(anchor_chars(1)), anchor_chars(32) <= anchor_chars(8)
    (1, True)
    """
    return frozenset(chr(c) for lo, hi in _HAN_RANGES for c in range(lo, hi + 1)
                     if zlib.crc32(chr(c).encode("utf-8")) % every == 0)


@lru_cache(maxsize=None)
def _sampler(every: int) -> re.Pattern[str]:
    return re.compile(f"(?=([{''.join(sorted(anchor_chars(every)))}][{_HAN}]{{{SHINGLE - 1}}}))")


def sample(text: str, every: int = SAMPLE_EVERY) -> list[str]:
    """The :data:`SHINGLE`-character runs of Han characters in ``text`` that start at an
    anchor (:func:`anchor_chars`): about one shingle in ``every``, found by one regular
    expression (no Python work per shingle). Each is a shingle of the text's Han characters.

    >>> text = "青岛高新区坚持以党建引领产业发展，推动党建工作与业务工作深度融合。"  # Han runs of 16 and 15
    >>> all(s in shingles("".join(_HAN_RUN.findall(text))) for s in sample(text, 1)), len(sample(text, 1))
    (True, 17)
    """
    return _sampler(every).findall(text)


def duplicate_keys(sampled: list[str]) -> list[str]:
    """The shingles an article is indexed under for near-duplicate search, from its
    :func:`sample`: the :data:`DUPLICATE_KEYS` smallest by crc32 of those that start at a key
    anchor (one Han character in :data:`KEY_EVERY`), or of the whole sample when it holds fewer
    of those (a short text). Which shingles are keys does not depend on where they are printed.

    >>> sampled = sample("青岛高新区坚持以党建引领产业发展推动党建工作与业务工作深度融合" * 3)
    >>> keys = duplicate_keys(sampled)
    >>> 0 < len(keys) <= DUPLICATE_KEYS and set(keys) <= set(sampled) and duplicate_keys(sampled[::-1]) == keys
    True
    """
    keyed = set(compress(sampled, map(anchor_chars(KEY_EVERY).__contains__, map(itemgetter(0), sampled))))
    pool = keyed if len(keyed) >= DUPLICATE_KEYS else set(sampled)
    return [key for _, key in sorted(zip(map(zlib.crc32, map(str.encode, pool)), pool))[:DUPLICATE_KEYS]]


#: What near-duplicate search reads of one article (:func:`duplicate_sample`).
DuplicateSample = tuple[str, tuple[str, ...]]


def duplicate_sample(text: str) -> DuplicateSample:
    """What near-duplicate search reads of one text (Han characters only): its :func:`sample`,
    the shingles written one after another, and its :func:`duplicate_keys`. Nothing for a text
    too short to share :data:`DUPLICATE_MIN_SHARED` shingles. A function of the text alone, so
    a pipeline can compute and cache it per article.

    >>> joined, keys = duplicate_sample("青岛高新区坚持以党建引领产业发展推动党建工作与业务工作深度融合" * 3)
    >>> len(joined) % SHINGLE, set(keys) <= set(_SHINGLES.findall(joined)), duplicate_sample("短文")
    (0, True, ('', ()))
    """
    sampled = sample(text) if len(text) >= DUPLICATE_MIN_SHARED + SHINGLE - 1 else []
    return "".join(sampled), tuple(duplicate_keys(sampled))


_SHINGLES = re.compile(f".{{{SHINGLE}}}", re.S)  # the shingles of a joined sample, in order


def candidate_duplicates(texts: Sequence[str]) -> set[tuple[int, int]]:
    """``(i, j)``, i < j: the pairs of texts (Han characters only) worth measuring exactly (see
    the module docstring): :func:`candidate_duplicate_samples` of their samples.

    >>> base = "青岛高新区坚持以党建引领产业发展推动党建工作与业务工作深度融合" * 2
    >>> sorted(candidate_duplicates([base, "与此无关的另一篇短文" * 5, "前言" + base + "后记"]))
    [(0, 2)]
    """
    return candidate_duplicate_samples([duplicate_sample(text) for text in texts])


def candidate_duplicate_samples(samples: Sequence[DuplicateSample]) -> set[tuple[int, int]]:
    """``(i, j)``, i < j: the pairs worth measuring exactly, from each text's
    :func:`duplicate_sample`: the sample of one holds :data:`CANDIDATE_MIN_SHARED` of the
    other's keys, and at least :data:`KEY_SHARE` of them, leaving out keys printed in more than
    :data:`SHINGLE_MAX_DF` texts (stock phrases).

    Counted with array operations over every sampled shingle of the archive at once (3 million
    at 10,000 articles: 0.3 s, where dictionaries and counters of strings took 1.8 s): each
    shingle is a 64-bit hash of its eight characters (:func:`shingle_hashes`). Two different
    shingles hashing alike (about one chance in ten million for an archive of that size) can
    only add a pair to measure, or, in the count of texts printing a key, make a stock phrase
    of a key a little early.

    >>> base = duplicate_sample("青岛高新区坚持以党建引领产业发展推动党建工作与业务工作深度融合" * 2)
    >>> other = duplicate_sample("前言" + "青岛高新区坚持以党建引领产业发展推动党建工作与业务工作深度融合" * 2)
    >>> sorted(candidate_duplicate_samples([base, duplicate_sample("与此无关的另一篇短文" * 5), other]))
    [(0, 2)]
    """
    import numpy as np

    n = len(samples)
    if n < 2:
        return set()
    sampled = shingle_hashes("".join(joined for joined, _ in samples))
    sample_of = np.repeat(np.arange(n), [len(joined) // SHINGLE for joined, _ in samples])
    key_counts = np.array([len(keys) for _, keys in samples])
    keys = shingle_hashes("".join(chain.from_iterable(keys for _, keys in samples)))
    key_of = np.repeat(np.arange(n), key_counts)
    need = np.maximum(CANDIDATE_MIN_SHARED, np.ceil(KEY_SHARE * key_counts)).astype(np.int64)
    known = np.unique(keys)  # every key, sorted; a key is known by its place here
    if not len(known):
        return set()
    # held: (text, key) for every key in a text's sample, once. Most sampled shingles are no
    # key: a table of the keys' low bits sets those aside before the binary search.
    table = np.zeros(1 << 22, dtype=bool)
    table[known & np.uint64((1 << 22) - 1)] = True
    maybe = np.flatnonzero(table[sampled & np.uint64((1 << 22) - 1)])
    place = np.minimum(np.searchsorted(known, sampled[maybe]), len(known) - 1)
    found = known[place] == sampled[maybe]
    held = np.unique(sample_of[maybe[found]] * len(known) + place[found])
    held_text, held_key = np.divmod(held, len(known))
    printed = np.bincount(held_key, minlength=len(known))  # texts whose sample holds the key
    common = printed[held_key] <= SHINGLE_MAX_DF
    held_text, held_key = held_text[common], held_key[common]
    # holders of each key (texts it is a key of), grouped by key
    key_place = np.searchsorted(known, keys)
    order = np.argsort(key_place, kind="stable")
    holders = key_of[order]
    first = np.searchsorted(key_place[order], np.arange(len(known)))
    count = np.bincount(key_place, minlength=len(known))
    # every (text, holder of one of its held keys), counted
    per = count[held_key]
    text = np.repeat(held_text, per)
    at = np.repeat(first[held_key] - np.concatenate(([0], np.cumsum(per)[:-1])), per) + np.arange(per.sum())
    pair, shared = np.unique(text * n + holders[at], return_counts=True)
    i, j = np.divmod(pair, n)
    hit = (i != j) & (shared >= need[j])
    return {(a, b) if a < b else (b, a) for a, b in zip(i[hit].tolist(), j[hit].tolist())}


_MIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)  # splitmix64's constants


def shingle_hashes(joined: str):
    """A 64-bit hash (numpy ``uint64``) of each :data:`SHINGLE`-character shingle of ``joined``
    (shingles written one after another, Han characters: one UTF-16 unit each), from the
    exact bits of its characters (64 bits per four, read in place), mixed as splitmix64 mixes
    (:data:`SHINGLE` is a multiple of 4).

    >>> h = shingle_hashes("青岛高新区党建引领青岛高新区党建引领"[:16] + "青岛高新区党建引")
    >>> len(h), bool(h[0] == h[2]), bool(h[0] != h[1])
    (3, True, True)
    """
    import numpy as np

    quarters = np.frombuffer(joined.encode("utf-16-le"), dtype="<u8").reshape(-1, SHINGLE // 4)  # 4 characters each
    x = quarters[:, 0].copy()
    for column in range(1, SHINGLE // 4):
        x = x * np.uint64(_MIX[0]) ^ quarters[:, column]
    x ^= x >> np.uint64(30)
    x *= np.uint64(_MIX[1])
    x ^= x >> np.uint64(27)
    x *= np.uint64(_MIX[2])
    x ^= x >> np.uint64(31)
    return x


def duplicate_pairs(articles: list[Article], samples: Sequence[DuplicateSample] | None = None,
                    ) -> dict[str, list[tuple[float, str]]]:
    """id -> [(containment, other id)] of the articles it near-duplicates (both directions).
    ``samples``: the articles' :func:`duplicate_sample` of their :func:`han_text`, in the order
    given, when the caller has them (say, cached)."""
    order = sorted(range(len(articles)), key=lambda i: articles[i].id)
    ordered = [articles[i] for i in order]
    if len(ordered) <= EXHAUSTIVE_MAX:
        pairs: Iterable[tuple[int, int]] = all_pairs(len(ordered))
        shingle_set = [shingles(han_text(a)) for a in ordered].__getitem__
    else:  # candidates come sorted, so the lower index's set is reused; a few hundred sets at most
        if samples is None:
            samples = [duplicate_sample(han_text(a)) for a in articles]
        pairs = sorted(candidate_duplicate_samples([samples[i] for i in order]))
        shingle_set = lru_cache(maxsize=256)(lambda i: shingles(han_text(ordered[i])))
    found: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for i, j in pairs:
        a, b = shingle_set(i), shingle_set(j)
        if min(len(a), len(b)) < DUPLICATE_MIN_SHARED:
            continue
        inter = len(a & b)
        score = round(inter / min(len(a), len(b)), SCORE_DIGITS)
        if inter >= DUPLICATE_MIN_SHARED and score >= DUPLICATE_MIN:
            found[ordered[i].id].append((score, ordered[j].id))
            found[ordered[j].id].append((score, ordered[i].id))
    return found


# --- the stage ------------------------------------------------------------------------------

PARALLEL_MIN = 2_000  # articles from which near-duplicates are searched in a second process


def link_all(articles: list[Article], counts: Sequence[Counter[str]] | None = None,
             scores: PairScores | None = None, vectors: Sequence[dict[str, float]] | None = None,
             samples: Sequence[DuplicateSample] | None = None,
             duplicates: Callable[[], dict[str, list[tuple[float, str]]]] | None = None,
             related: Callable[[], dict[str, list[tuple[float, str]]]] | None = None) -> list[Article]:
    """The articles, in the order given, with ``related``, ``related_scores`` and
    ``near_duplicates`` filled from the whole list (an article is never its own neighbour).
    ``counts`` (:func:`token_counts`) or ``vectors`` (:func:`article_vector`): the articles',
    when the caller has them; ``scores``: pair scores remembered from the last build (see
    :func:`related_pairs`); ``samples``: their :func:`duplicate_sample` (see
    :func:`duplicate_pairs`); ``duplicates`` and ``related``: functions giving
    :func:`duplicate_pairs` and :func:`related_pairs` of these articles, when the caller is
    computing them already (say, in processes of their own)."""
    from .pipeline import forked, paused_gc  # the two searches are independent: one is forked

    with paused_gc(), forked(partial(duplicate_pairs, samples=samples), articles,
                             when=duplicates is None and len(articles) >= PARALLEL_MIN) as duplicates_of:
        near = related() if related is not None else related_pairs(articles, counts, scores, vectors)
        found = (duplicates or duplicates_of)()
    out = []
    for a in articles:
        best = best_related([c for c in near.get(a.id, ()) if c[1] != a.id])
        dups = sorted((c for c in found.get(a.id, ()) if c[1] != a.id), key=lambda c: (-c[0], c[1]))
        out.append(evolve(
            a,
            related=tuple(i for _, i in best),
            related_scores=tuple(s for s, _ in best),
            near_duplicates=tuple(i for _, i in dups),
        ))
    return out
