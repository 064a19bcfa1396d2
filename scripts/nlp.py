"""Chinese word segmentation for the archive: the only module that segments Chinese.

It uses rjieba 0.2.2 (the Python binding of jieba-rs, jieba ported to Rust) rather than jieba:
the same main dictionary, dictionary-file format and ``add_word(word, freq, tag)``, the same
accurate mode (a DAG of dictionary words, the most probable path, an HMM for unknown words),
and much faster: on a synthetic 1,000-article archive (2.6 M characters) ``tokenize`` takes
0.3 s instead of jieba's 5.2 s, ``pos_tag(hmm=False)`` 0.7 s instead of 7.6 s. That is what
lets tags, organisations and related articles scale to 10,000 articles. Measured against
jieba 0.42.1 with the same additions (``tests/test_nlp.py``): without HMM the words are
identical (100% on the seed pages and the 1,000 articles) and so are the tags, but for digit
runs (rjieba ``m``, jieba ``eng``); with HMM 99.97% of jieba's words are cut alike (Latin runs
such as ``CD-MO`` stay whole). Only ``pos_tag`` with HMM differs more (96.7% of the pairs):
jieba's ``posseg`` has its own HMM that also tags unknown words (``nr`` …), rjieba tags them
``x``; the pipeline uses it only in short windows after title words (``scripts/people.py``),
where names are also found by pattern. jieba stays installed for Material's search plugin;
the pipeline never imports it.

One private ``rjieba.Jieba`` (rjieba's module-level instance is never touched), built lazily
on first use and cached: jieba's main dictionary, then the domain user dictionary
``scripts/data/userdict.txt`` (party-building and high-tech-zone terms; the site search is
meant to segment with the same file), then every zone name of the gazetteer, so that
``青岛高新区`` is one word. A user-dictionary entry without a frequency gets jieba's
``suggest_freq`` (jieba-rs computes it alike), one without a tag is tagged ``x``, as in jieba.

>>> tokenize("青岛高新区设立党员先锋岗120个")
['青岛高新区', '设立', '党员先锋岗', '120', '个']
>>> ("两代表一委员", "nz") in pos_tag("推选27名党员骨干担任“两代表一委员”")
True
>>> {"的", "工作", "进一步"} <= stopwords()
True
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import rjieba

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT_FILE = DATA_DIR / "userdict.txt"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"

#: jieba frequency and tag given to zone names, so they win over their parts (青岛 + 高新区).
ZONE_FREQ, ZONE_TAG = 20000, "ns"
CUTS_REMEMBERED = 8  # texts whose words tokenize remembers (the parts of the article at hand)


def _entries(path: Path) -> list[tuple[str, int | None, str | None]]:
    """``(word, freq, tag)`` for each line ``word [freq] [tag]`` of a jieba dictionary file;
    blank lines and ``#`` comments are skipped (jieba's own loader would read them as words).

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
    ...     _ = f.write("# comment\\n科技红娘 2000 nz\\n链主企业\\n\\n")
    >>> _entries(Path(f.name)); os.unlink(f.name)
    [('科技红娘', 2000, 'nz'), ('链主企业', None, None)]
    """
    entries = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        word, rest = parts[0], parts[1:]
        freq = int(rest.pop(0)) if rest and rest[0].isdigit() else None
        entries.append((word, freq, rest[0] if rest else None))
    return entries


@lru_cache(maxsize=1)
def user_words() -> frozenset[str]:
    """The words of the user dictionary (not the zone names).

    >>> {"党员先锋岗", "两代表一委员", "科技红娘", "链主企业", "新质生产力", "秦创原"} <= user_words()
    True
    """
    return frozenset(word for word, _, _ in _entries(USERDICT_FILE))


@lru_cache(maxsize=1)
def zone_words() -> frozenset[str]:
    """Every name of every gazetteer zone (canonical, full name, aliases).

    >>> {"青岛高新区", "厦门火炬高新区"} <= zone_words()
    True
    """
    from .zones import load_gazetteer

    return frozenset(name for zone in load_gazetteer() for name in zone.names())


def _dictionary() -> list[tuple[str, int | None, str | None]]:
    """Every ``(word, freq, tag)`` added to the main dictionary, in order: the user dictionary,
    then the zone names it does not list (at :data:`ZONE_FREQ`, tagged :data:`ZONE_TAG`)."""
    users = user_words()
    zones = [(name, ZONE_FREQ, ZONE_TAG) for name in sorted(zone_words()) if name not in users]
    return _entries(USERDICT_FILE) + zones


@lru_cache(maxsize=1)
def _tokenizer() -> rjieba.Jieba:
    """Our own ``rjieba.Jieba`` (rjieba's module-level instance stays as rjieba made it)."""
    tokenizer = rjieba.Jieba()
    for word, freq, tag in _dictionary():
        tokenizer.add_word(word, freq, tag)  # freq None: jieba's suggest_freq, as jieba does
    return tokenizer


@lru_cache(maxsize=1)
def _retagged() -> dict[str, str]:
    """Tags rjieba would give differently from jieba's ``posseg`` after the same additions:
    jieba-rs keeps the main dictionary's tag when a word is added again (``楼宇`` stays ``nr``
    where our dictionary says ``n``), and tags a new word added without a tag ``""`` (jieba:
    ``x``).

    >>> _retagged()["楼宇"], _retagged()["东湖新技术开发区"]
    ('n', 'ns')
    """
    tokenizer, out = _tokenizer(), {}
    for word, _, tag in _dictionary():
        alone = tokenizer.tag(word, False)
        has = alone[0][1] if len(alone) == 1 else None
        want = tag or has or "x"
        if want != has:
            out[word] = want
    return out


def tokenize(text: str, hmm: bool = True) -> list[str]:
    """``text`` cut into words (jieba's accurate mode; ``hmm`` also finds words that are in
    no dictionary, at a small cost). The last few texts' words are remembered
    (:func:`_remembered_cut`): an article's running text is cut once, for its organisations,
    its tags and its related-article vector.

    >>> tokenize("以“党建红”引领“科技蓝”")
    ['以', '“', '党建红', '”', '引领', '“', '科技蓝', '”']
    >>> tokenize("")
    []
    """
    return list(_remembered_cut(text, hmm))


@lru_cache(maxsize=CUTS_REMEMBERED)
def _remembered_cut(text: str, hmm: bool) -> tuple[str, ...]:
    """The words of ``text``, as a tuple (each caller gets a list of its own)."""
    return tuple(_tokenizer().cut(text, hmm))


def pos_tag(text: str, hmm: bool = True) -> list[tuple[str, str]]:
    """``text`` cut into ``(word, part of speech)`` pairs (jieba's tag set: n, nz, vn, nr …);
    user-dictionary words carry the tag written in the dictionary. A word found by the hidden
    Markov model (``hmm=True``, not in any dictionary) is tagged ``x``; ``hmm=False`` cuts
    dictionary words only.

    >>> pos_tag("秦创原“科学家+工程师”队伍")
    [('秦创原', 'nz'), ('“', 'x'), ('科学家+工程师', 'nz'), ('”', 'x'), ('队伍', 'n')]
    >>> pos_tag("楼宇党委进驻楼宇")
    [('楼宇党委', 'nz'), ('进驻', 'v'), ('楼宇', 'n')]
    """
    retag = _retagged()
    return [(w, retag.get(w, f)) for w, f in _tokenizer().tag(text, hmm)]


class WordMemo(dict):
    """``word -> f(word)``, each computed on first lookup: ``list(filter(memo.__getitem__,
    words))`` filters a text's words at the cost of a dictionary lookup each (a text's words
    repeat; the vocabulary is bounded by the dictionary).

    >>> long = WordMemo(lambda w: len(w) > 1)
    >>> list(filter(long.__getitem__, ["在", "青岛高新区", "在"])), sorted(long)
    (['青岛高新区'], ['在', '青岛高新区'])
    """

    def __init__(self, f):
        super().__init__()
        self.f = f

    def __missing__(self, word: str):
        value = self[word] = self.f(word)
        return value


def _tag_alone(word: str) -> str:
    tags = pos_tag(word, hmm=False)
    return tags[0][1] if len(tags) == 1 else "x"


@lru_cache(maxsize=1)
def word_tags() -> WordMemo:
    """word -> the tag :func:`pos_tag` gives it without the hidden Markov model, where a word's
    tag depends on the word alone: with ``tokenize(text, hmm=False)`` it gives what
    ``pos_tag(text, hmm=False)`` gives, a dictionary lookup per word instead of a tuple.

    >>> word_tags()["党员先锋岗"], word_tags()["楼宇"], word_tags()["的"]
    ('nz', 'n', 'uj')
    >>> [w for w in tokenize("青岛高新区设立党员先锋岗", hmm=False) if word_tags()[w] == "nz"]
    ['党员先锋岗']
    """
    return WordMemo(_tag_alone)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words never used as tags: function words and generic words (``scripts/data/stopwords.txt``).

    >>> "党员先锋岗" in stopwords(), "发展" in stopwords()
    (False, True)
    """
    words: set[str] = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8-sig").splitlines():
        if not line.lstrip().startswith("#"):
            words.update(line.split())
    return frozenset(words)
