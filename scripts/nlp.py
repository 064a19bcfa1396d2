"""Chinese word segmentation for the archive: the only module that imports jieba.

One private ``jieba.Tokenizer`` (jieba's global tokenizer ``jieba.dt`` is never touched), built
lazily on first use and cached: jieba's main dictionary, then the domain user dictionary
``scripts/data/userdict.txt`` (party-building and high-tech-zone terms; the site search is
meant to segment with the same file), then every zone name of the gazetteer, so that
``青岛高新区`` is one word. jieba's logger is silenced (it prints to stderr while building).

>>> tokenize("青岛高新区设立党员先锋岗120个")
['青岛高新区', '设立', '党员先锋岗', '120', '个']
>>> ("两代表一委员", "nz") in pos_tag("推选27名党员骨干担任“两代表一委员”")
True
>>> {"的", "工作", "进一步"} <= stopwords()
True
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT_FILE = DATA_DIR / "userdict.txt"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"

#: jieba frequency and tag given to zone names, so they win over their parts (青岛 + 高新区).
ZONE_FREQ, ZONE_TAG = 20000, "ns"

jieba.setLogLevel(logging.WARNING)  # jieba's own logger; its DEBUG lines go to stderr


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


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()  # private: jieba.dt stays as jieba made it
    tokenizer.initialize()
    for word, freq, tag in _entries(USERDICT_FILE):
        tokenizer.add_word(word, freq, tag)
    for name in sorted(zone_words()):
        if name not in user_words():
            tokenizer.add_word(name, ZONE_FREQ, ZONE_TAG)
    return tokenizer


@lru_cache(maxsize=1)
def _pos_tokenizer() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(_tokenizer())


def tokenize(text: str, hmm: bool = True) -> list[str]:
    """``text`` cut into words (jieba's accurate mode; ``hmm`` finds unknown words, about four
    times slower).

    >>> tokenize("以“党建红”引领“科技蓝”")
    ['以', '“', '党建红', '”', '引领', '“', '科技蓝', '”']
    >>> tokenize("")
    []
    """
    return _tokenizer().lcut(text, HMM=hmm)


def pos_tag(text: str, hmm: bool = True) -> list[tuple[str, str]]:
    """``text`` cut into ``(word, part of speech)`` pairs (jieba's tag set: n, nz, vn, nr …);
    user-dictionary words carry the tag written in the dictionary. ``hmm=False`` skips jieba's
    hidden Markov model for unknown words: about four times faster, dictionary words only.

    >>> pos_tag("秦创原“科学家+工程师”队伍")
    [('秦创原', 'nz'), ('“', 'x'), ('科学家+工程师', 'nz'), ('”', 'x'), ('队伍', 'n')]
    """
    return [(p.word, p.flag) for p in _pos_tokenizer().lcut(text, HMM=hmm)]


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
