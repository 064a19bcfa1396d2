"""The segmenter (``scripts/nlp.py``, rjieba): the same words as jieba with the same dictionary,
the domain terms whole, and never jieba itself in the pipeline.

jieba is imported here only as the reference the switch to rjieba is measured against.
"""
from __future__ import annotations

import logging
import re
import subprocess
import sys
import textwrap

import pytest

from scripts import nlp
from scripts.pipeline import PROJECT
from scripts.tags import article_parts

jieba = pytest.importorskip("jieba")
jieba.setLogLevel(logging.WARNING)

#: What jieba's accurate mode can keep in one word (its ``re_han_default``); a name with other
#: characters, such as ``乌鲁木齐高新区（新市区）``, is cut at them by jieba and rjieba alike.
JIEBA_WORD = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")


@pytest.fixture(scope="module")
def reference():
    """jieba 0.42.1 set up as ``scripts/nlp.py`` set it up before the switch to rjieba."""
    import jieba.posseg

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word, freq, tag in nlp._dictionary():
        tokenizer.add_word(word, freq, tag)
    return tokenizer, jieba.posseg.POSTokenizer(tokenizer)


@pytest.fixture(scope="module")
def seed_texts(seed_report):
    return [part for page in seed_report.pages for a in page.articles for part in article_parts(a) if part]


def _spans(words):
    """``{(start, word)}`` of a segmentation."""
    out, at = set(), 0
    for word in words:
        out.add((at, word))
        at += len(word)
    return out


def test_rjieba_cuts_the_seed_texts_as_jieba_does(reference, seed_texts):
    tokenizer, _ = reference
    same = total = 0
    for text in seed_texts:
        assert nlp.tokenize(text, hmm=False) == tokenizer.lcut(text, HMM=False)
        theirs = _spans(tokenizer.lcut(text, HMM=True))
        same += len(theirs & _spans(nlp.tokenize(text)))
        total += len(theirs)
    # measured: 10,438 of 10,441 (99.97%); the rest is one Latin run (CD-MO kept whole)
    assert same / total >= 0.999, (same, total)


def test_tags_without_hmm_are_jiebas_but_for_numbers(reference, seed_texts):
    _, pos_tokenizer = reference
    for text in seed_texts:
        theirs = [(p.word, p.flag) for p in pos_tokenizer.lcut(text, HMM=False)]
        ours = nlp.pos_tag(text, hmm=False)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        for (word, flag), (_, their_flag) in zip(ours, theirs):
            # jieba tags a digit run found without HMM "eng", rjieba "m" (numeral)
            assert flag == their_flag or (flag, their_flag) == ("m", "eng"), (word, flag, their_flag)


def test_word_tags_give_what_pos_tag_gives(seed_texts):
    for text in seed_texts:
        words = nlp.tokenize(text, hmm=False)
        assert list(zip(words, map(nlp.word_tags().__getitem__, words))) == nlp.pos_tag(text, hmm=False)


def test_user_words_and_zone_names_are_cut_whole_with_their_tag():
    tags = {word: tag for word, _, tag in nlp._dictionary()}
    for word in sorted(nlp.user_words() | nlp.zone_words()):
        if JIEBA_WORD.fullmatch(word):
            assert nlp.tokenize(word) == [word]
            assert nlp.pos_tag(word, hmm=False) == [(word, tags[word])]


def test_a_word_listed_without_frequency_gets_jiebas_suggested_frequency(reference):
    import rjieba

    tokenizer, _ = reference
    stock = rjieba.Jieba()
    for word in ("链主企业服务", "党建新质生产力", "科技红娘驿站", "高新区党群服务", "两代表一委员工作室"):
        assert stock.suggest_freq(word) == tokenizer.suggest_freq(word, False), word


def test_pipeline_never_imports_jieba_nor_touches_rjiebas_own_instance():
    code = textwrap.dedent("""
        import sys
        import rjieba
        from scripts import enrich, link, nlp, pipeline
        assert nlp.tokenize("设立党员先锋岗") == ["设立", "党员先锋岗"]
        assert ("秦创原", "nz") in nlp.pos_tag("秦创原平台")
        assert nlp._tokenizer() is not rjieba._DEFAULT_JIEBA
        assert not rjieba.has_word("党员先锋岗")
        assert not [m for m in sys.modules if m == "jieba" or m.startswith("jieba.")]
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
