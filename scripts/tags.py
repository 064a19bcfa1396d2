"""Tags: 5–10 keywords per article, by TF-IDF over the archive itself.

**Candidates** are the words :mod:`scripts.nlp` cuts from the heading and text that a
researcher could click: nouns and noun-like words (jieba tags ``n nz vn l j``) and the terms of
the domain user dictionary; at least two characters; never a stopword, a number or a word with a
digit or Latin letter (unless it is a user-dictionary term such as ``1+2+N``), the name of a
person (``nr``), place (``ns``) or organisation (``nt``, also in the user dictionary), or of a
zone (zones have their own index).

**Score** of a candidate in an article: ``(1 + log tf) * idf * bonus``, where ``tf`` counts the
word in the text plus ``TITLE_WEIGHT`` times in the heading (kicker, title, subtitle),
``idf = log((N+1)/(df+1)) + 1`` over the N articles of the archive (:meth:`Tagger.fit`), and
``bonus`` is ``USERDICT_BONUS`` for user-dictionary terms. Tags are the ``k`` best (5–10,
default 8), by score, then by the term; fewer only when the article has fewer candidates.

**Editorial rules** (``seeds/tags.yml``, :func:`load_tag_rules`): ``merge`` maps synonyms to a
canonical term before counting (so their counts add up), ``ban`` removes terms, ``rename``
changes the label last.

>>> tagger = Tagger().fit(["园区设立党员先锋岗。", "企业成立工会。", "工会组织覆盖。"])
>>> tagger.tags_for("党员先锋岗", "园区设立党员先锋岗，设立孵化器。", k=5)
['党员先锋岗', '孵化器']
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from operator import mul
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import yaml

from . import nlp
from .model import Article

TITLE_WEIGHT = 3  # a word in the title counts as this many words of text
USERDICT_BONUS = 1.5
DEFAULT_K = 8
MIN_TAGS, MAX_TAGS = 5, 10
#: jieba tags of words that can be tags: noun, other proper noun, verbal noun, set phrase,
#: abbreviation. Names of people (nr*), places (ns) and organisations (nt) never are, not even
#: when they are in the user dictionary.
CANDIDATE_POS = frozenset({"n", "nz", "vn", "l", "j"})
NAME_POS = ("nr", "ns", "nt")
_HAN = re.compile(r"[\u3400-\u9fff]")
_DIGIT_OR_LATIN = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ.%+\-]")


@dataclass(frozen=True)
class TagRules:
    """What an editor decided in ``tags.yml``: synonyms merged, terms renamed, terms banned."""

    merge: dict[str, str] = field(default_factory=dict)  # synonym -> canonical
    rename: dict[str, str] = field(default_factory=dict)  # old label -> new label
    ban: frozenset[str] = frozenset()


def load_tag_rules(path: Path | str) -> TagRules:
    """The rules of a ``tags.yml``; a missing file means no rules. Raises ``ValueError`` naming
    the file for anything that is not the documented format.

    >>> load_tag_rules("/nonexistent/tags.yml")
    TagRules(merge={}, rename={}, ban=frozenset())
    """
    path = Path(path)
    if not path.is_file():
        return TagRules()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(data, dict) or set(data) - {"merge", "rename", "ban"}:
        found = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"{path}: expected a mapping with the keys merge, rename, ban; found {found}")
    maps = {}
    for key in ("merge", "rename"):
        value = data.get(key) or {}
        if not isinstance(value, dict):
            raise ValueError(f"{path}: {key} must map a term to a term")
        maps[key] = {str(k).strip(): str(v).strip() for k, v in value.items()}
    ban = data.get("ban") or []
    if not isinstance(ban, list):
        raise ValueError(f"{path}: ban must be a list of terms")
    return TagRules(maps["merge"], maps["rename"], frozenset(str(b).strip() for b in ban))


@lru_cache(maxsize=1)
def _excluded() -> frozenset[str]:
    """Zone names and the places zones are named after (青岛, 青岛高新区…), and generic zone words."""
    from .zones import GENERIC, places

    return nlp.zone_words() | places() | GENERIC


def is_candidate(word: str, pos: str) -> bool:
    """Whether a word (with its jieba part of speech) may be a tag.

    >>> is_candidate("党员先锋岗", "nz"), is_candidate("1+2+N", "nz"), is_candidate("2720", "m")
    (True, True, False)
    >>> is_candidate("工作", "vn"), is_candidate("刘森", "nr"), is_candidate("青岛高新区", "ns")
    (False, False, False)
    """
    if len(word) < 2 or word in nlp.stopwords() or word in _excluded() or pos.startswith(NAME_POS):
        return False
    if word in nlp.user_words():
        return True
    return pos in CANDIDATE_POS and bool(_HAN.search(word)) and not _DIGIT_OR_LATIN.search(word)


@lru_cache(maxsize=1)
def _candidate_words() -> nlp.WordMemo:
    """word -> :func:`is_candidate` with its part of speech, decided once per word."""
    tags = nlp.word_tags()
    return nlp.WordMemo(lambda word: is_candidate(word, tags[word]))


@lru_cache(maxsize=1 << 12)  # Tagger.fit_parts then tags_for cut each text once
def candidates(text: str) -> tuple[str, ...]:
    """The candidate words of ``text``, in order, repeated as often as they occur. Without the
    hidden Markov model a word's part of speech depends on the word alone, so each distinct
    word is judged once (:func:`scripts.nlp.word_tags`).

    >>> candidates("青岛高新区设立党员先锋岗120个，担任“两代表一委员”")
    ('党员先锋岗', '两代表一委员')
    """
    return tuple(filter(_candidate_words().__getitem__, nlp.tokenize(text, hmm=False)))


_DAMPED = [0.0] + [1 + math.log(n) for n in range(1, 256)]  # 1 + log tf for the common counts


def _damped(n: int) -> float:
    """``1 + log(n)``, looked up for the common counts (the same float as computed).

    >>> _damped(3) == 1 + math.log(3), _damped(1000) == 1 + math.log(1000)
    (True, True)
    """
    return _DAMPED[n] if n < len(_DAMPED) else 1 + math.log(n)


class Tagger:
    """Ranks an article's candidate words against the archive (``fit`` first, then ``tags_for``)."""

    def __init__(self, rules: TagRules | None = None):
        self.rules = rules or TagRules()
        self.n_docs = 0
        self.df: Counter[str] = Counter()
        self._term_of = nlp.WordMemo(self._term)
        self._idf_of = nlp.WordMemo(self.idf)

    def _term(self, word: str) -> str:
        """The term a candidate word counts as: ``merge`` applied; ``""`` when it is banned."""
        term = self.rules.merge.get(word, word)
        return "" if term in self.rules.ban else term

    def _terms(self, text: str) -> list[str]:
        """Candidates of ``text`` after ``merge``, without banned terms."""
        return self._terms_of(candidates(text))

    def _terms_of(self, words: Iterable[str]) -> list[str]:
        """Candidate words (:func:`candidates`) after ``merge``, without banned terms."""
        return list(filter(None, map(self._term_of.__getitem__, words)))

    def fit(self, texts: list[str]) -> Tagger:
        """Document frequencies over the archive: each text is one article (title included)."""
        self.n_docs, self.df, self._idf_of = len(texts), Counter(), nlp.WordMemo(self.idf)
        for text in texts:
            self.df.update(set(self._terms(text)))
        return self

    def fit_parts(self, parts: list[tuple[str, str]]) -> Tagger:
        """``fit`` over ``(heading, text)`` pairs, segmenting each part once (``tags_for`` on
        the same parts then reuses the segmentation)."""
        return self.fit_words([(candidates(heading), candidates(text)) for heading, text in parts])

    def fit_words(self, words: list[tuple[Iterable[str], Iterable[str]]]) -> Tagger:
        """``fit`` over each article's candidate words (:func:`article_words`)."""
        return self._fit_terms([(self._terms_of(heading), self._terms_of(text)) for heading, text in words])

    def _fit_terms(self, terms: list[tuple[list[str], list[str]]]) -> Tagger:
        """``fit`` over each article's terms (:meth:`_terms_of`) of its heading and of its text."""
        self.n_docs, self.df, self._idf_of = len(terms), Counter(), nlp.WordMemo(self.idf)
        for heading, text in terms:
            self.df.update(set(heading).union(text))
        return self

    def idf(self, term: str) -> float:
        """``log((N+1)/(df+1)) + 1``: 1 for a term in every article, more for rarer ones."""
        return math.log((self.n_docs + 1) / (self.df[term] + 1)) + 1

    def scores(self, title: str, text: str) -> dict[str, float]:
        """Every candidate of the article with its score (see the module's docstring)."""
        return self.scores_of(candidates(title), candidates(text))

    def scores_of(self, title: Iterable[str], text: Iterable[str]) -> dict[str, float]:
        """:meth:`scores` from the candidate words of the heading and of the text."""
        return self._scored(self._terms_of(title), self._terms_of(text))

    def _scored(self, title: list[str], text: list[str]) -> dict[str, float]:
        """:meth:`scores_of` from the terms (:meth:`_terms_of`) of the heading and of the text.
        Each score is ``damped tf * idf``, times :data:`USERDICT_BONUS` for a user-dictionary
        word: multiplied in C over the whole article, then the few user words scaled (the same
        floats as one product per term, in that order)."""
        tf = Counter(text)
        for term in title:
            tf[term] += TITLE_WEIGHT
        counts = tf.values()
        damped = map(_DAMPED.__getitem__ if max(counts, default=0) < len(_DAMPED) else _damped, counts)
        scores = dict(zip(tf, map(mul, damped, map(self._idf_of.__getitem__, tf))))  # idf once per term
        for term in nlp.user_words().intersection(scores):
            scores[term] *= USERDICT_BONUS
        return scores

    def tags_for(self, title: str, text: str, k: int = DEFAULT_K) -> list[str]:
        """The ``k`` (5–10) best tags of one article, best first, renamed as the rules say."""
        return self.tags_of(candidates(title), candidates(text), k)

    def tags_of(self, title: Iterable[str], text: Iterable[str], k: int = DEFAULT_K) -> list[str]:
        """:meth:`tags_for` from the candidate words of the heading and of the text."""
        return self._ranked(self._terms_of(title), self._terms_of(text), k)

    def _ranked(self, title: list[str], text: list[str], k: int) -> list[str]:
        """:meth:`tags_of` from the terms (:meth:`_terms_of`) of the heading and of the text."""
        k = max(MIN_TAGS, min(MAX_TAGS, k))
        scores = self._scored(title, text)
        if len(scores) > k:  # the best terms first: those scoring at least the k-th best score
            floor = sorted(scores.values(), reverse=True)[k - 1]
            tags = self._labels([t for t, score in scores.items() if score >= floor], scores, k)
            if len(tags) == k:  # else renames merged some of them: rank every term
                return tags
        return self._labels(scores, scores, k)

    def _labels(self, terms: Iterable[str], scores: dict[str, float], k: int) -> list[str]:
        """The first ``k`` labels of ``terms`` ranked by score (then by term), renamed, each once."""
        tags: list[str] = []
        for term in sorted(terms, key=lambda t: (-scores[t], t)):
            label = self.rules.rename.get(term, term)
            if label not in tags:  # two terms renamed alike give one tag
                tags.append(label)
            if len(tags) == k:
                break
        return tags


def article_parts(article: Article) -> tuple[str, str]:
    """``(heading, text)`` of an :class:`~scripts.model.Article`: the heading is the kicker,
    title and subtitle; the text is the lead, the body paragraphs and the picture captions (a
    photo record has nothing else)."""
    heading = [article.kicker, article.title, article.subtitle]
    text = [article.lead, *(p.text for p in article.paragraphs), *(c.text for c in article.captions)]
    return "\n".join(h for h in heading if h), "\n".join(t for t in text if t)


def article_words(article: Article) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The candidate words of an article's heading and of its text (:func:`article_parts`):
    all tagging reads of it, so a pipeline can compute (and cache) them per article.

    >>> from scripts.model import Article
    >>> article_words(Article("x", "article", "设立党员先锋岗", False, None, None, None, (), None, "园区设立孵化器。",
    ...                       (), (), (), None, None, "f", "", (1, 1)))
    (('党员先锋岗',), ('孵化器',))
    """
    heading, text = article_parts(article)
    cut = candidates.__wrapped__  # not remembered: each text is cut once here
    return cut(heading), cut(text)


#: An article's candidate words as :func:`article_words` gives them, or as :func:`pack_words` packs them.
Words = tuple[Sequence[str], Sequence[str]]
_WORDS_APART = "\n"  # joins packed words: no candidate word holds a line break (pack_words checks)


def pack_words(words: Words) -> Words | tuple[str, str]:
    """An article's candidate words (heading, text) as two strings, each part's words joined by
    a line break: unpickled and split again (:func:`unpack_words`) in a third of the time a
    tuple of 600 strings takes to unpickle. Words that an empty word or a line break would
    confuse are kept as they are.

    >>> pack_words((("党员先锋岗",), ("孵化器", "党员先锋岗"))), pack_words(((), ("楼宇党建",)))
    (('党员先锋岗', '孵化器\\n党员先锋岗'), ('', '楼宇党建'))
    >>> unpack_words(pack_words((("党员先锋岗",), ()))), unpack_words((("a\\nb",), ()))
    ((['党员先锋岗'], []), (('a\\nb',), ()))
    """
    joined = (_WORDS_APART.join(words[0]), _WORDS_APART.join(words[1]))
    if any("" in part or j.count(_WORDS_APART) != max(len(part) - 1, 0) for part, j in zip(words, joined)):
        return words
    return joined


def unpack_words(words: Words | tuple[str, str]) -> Words:
    """The words :func:`pack_words` packed (words not packed are given back as they are)."""
    heading, text = words
    if not isinstance(heading, str):
        return words
    return (heading.split(_WORDS_APART) if heading else [], text.split(_WORDS_APART) if text else [])


def tag_articles(articles: Iterable[Article], rules: TagRules | None = None,
                 k: int = DEFAULT_K, words: Mapping[str, Words | tuple[str, str]] | None = None,
                 ) -> dict[str, list[str]]:
    """Tags of every article, by id, with IDF computed over exactly these articles. ``words``:
    the :func:`article_words` of the articles, by id, when the caller has them (say, cached;
    packed or not, :func:`pack_words`); the others are cut here."""
    given = words or {}
    cut = {a.id: unpack_words(given[a.id]) if a.id in given else article_words(a) for a in articles}  # one per id
    tagger = Tagger(rules)
    terms = {i: (tagger._terms_of(heading), tagger._terms_of(text)) for i, (heading, text) in cut.items()}
    tagger._fit_terms(list(terms.values()))  # each article's words made terms once, for both passes
    return {i: tagger._ranked(heading, text, k) for i, (heading, text) in terms.items()}
