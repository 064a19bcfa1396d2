"""The nothing-lost check: it holds on every seed page, and it can fail."""
from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.account import check_page, countable, same_characters
from scripts.decode import decode_bytes
from scripts.model import PageMeta
from scripts.pipeline import page_files
from scripts.segment import segment_page
from tests.conftest import SEEDS

SEED_FILES = page_files(SEEDS)


def segment(path):
    page = decode_bytes(path.read_bytes(), f"seeds/{path.name}")
    return page, segment_page(page, PageMeta())


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
def test_every_seed_page_accounts_for_every_character(path):
    page, result = segment(path)
    assert check_page(page.text, result) == []


def test_check_fails_naming_page_and_line_when_a_paragraph_is_lost():
    page, result = segment(SEEDS / "003_9a181a58ee905e99.txt")
    article = result.articles[0]
    lost = article.paragraphs[5]
    broken = dataclasses.replace(article, paragraphs=article.paragraphs[:5] + article.paragraphs[6:])
    problems = check_page(page.text, dataclasses.replace(result, articles=(broken,) + result.articles[1:]))
    assert problems and all(p.level == "error" for p in problems)
    message = str(problems[0])
    assert message.startswith("seeds/003_9a181a58ee905e99.txt:")
    assert problems[0].line is not None and lost.lines[0] <= problems[0].line <= lost.lines[1], message


def test_check_fails_when_text_is_counted_twice():
    page, result = segment(SEEDS / "004_af9ed2a9fbe09997.txt")
    article = result.articles[0]
    doubled = dataclasses.replace(article, lead=article.lead + article.lead)
    problems = check_page(page.text, dataclasses.replace(result, articles=(doubled,) + result.articles[1:]))
    assert any("more often" in p.message for p in problems)


def test_check_fails_when_furniture_is_forgotten():
    page, result = segment(SEEDS / "002_fbe408a056bf63f5.txt")
    problems = check_page(page.text, dataclasses.replace(result, furniture=result.furniture[1:]))
    assert problems and problems[0].level == "error"


def test_pipeline_refuses_to_publish_a_page_that_loses_text(tmp_path, monkeypatch):
    from scripts import pipeline, segment as segment_module

    real = segment_module.segment_page

    def lossy(page, meta):
        result = real(page, meta)
        a = result.articles[0]
        return dataclasses.replace(result, articles=(dataclasses.replace(a, paragraphs=a.paragraphs[1:]),) + result.articles[1:])

    monkeypatch.setattr(segment_module, "segment_page", lossy)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "p.txt").write_bytes((SEEDS / "001_6d4246282dc5ecd1.txt").read_bytes())
    report = pipeline.collect(seeds, root=tmp_path)
    assert report.pages == ()
    assert any(d.level == "error" and d.file == "seeds/p.txt" for d in report.diagnostics)


def relayout(text: str, rnd: random.Random) -> str:
    """The same page text laid out differently: lines re-wrapped at another width, blank lines
    added or removed, stray spaces inside words."""
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        width = rnd.choice([8, 13, 17, 22, 30, 60, 400])
        pieces = [line[i : i + width] for i in range(0, len(line), width)]
        for piece in pieces:
            if rnd.random() < 0.1 and len(piece) > 3:
                k = rnd.randrange(1, len(piece))
                piece = piece[:k] + " " + piece[k:]
            out.append(piece)
            out.extend([""] * rnd.choice([0, 1, 1, 1, 2, 3]))
    return "\n".join(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEED_FILES), st.integers(0, 10**6))
def test_relaid_out_pages_never_crash_and_never_lose_text(path, seed):
    text = relayout(path.read_text(encoding="utf-8"), random.Random(seed))
    page = decode_bytes(text.encode("utf-8"), "relaid.txt")
    result = segment_page(page, PageMeta())
    assert check_page(page.text, result) == []
    assert result.articles


def reference_countable(text: str) -> str:
    """``countable`` by its definition: NFKC of the whole text, then Han, ASCII letters and digits."""
    import unicodedata

    from scripts.clean import han_only

    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if (ch.isascii() and ch.isalnum()) or han_only(ch))


# Page-like text plus the characters NFKC treats specially: full-width forms, circled numbers,
# compatibility ideographs, combining marks, kana voicing marks, Hangul jamo.
FOLDING = st.sampled_from(list("党建高新区，。：“”（）、…—·２０Ａｚ①㈠㍻\uf900\ufa0e\u3000 aZ9\u0301\u0308\u3099\u309aか\u1100\u1161\u11a8가ㄱㅏ\u00a8ﾟ"))


@settings(max_examples=500, deadline=None)
@given(st.lists(FOLDING, max_size=40).map("".join))
def test_countable_is_nfkc_then_filter(text):
    assert countable(text) == reference_countable(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_countable_is_nfkc_then_filter_on_any_text(text):
    assert countable(text) == reference_countable(text)


def test_every_character_of_one_codepoint_counts_as_nfkc_says():
    """Each character alone and between two others, as the fold table and fast path assume; no
    canonical decomposition lies beyond the planes ``_composition_seconds`` reads."""
    import sys
    import unicodedata

    from scripts.account import _DECOMPOSED_BELOW

    assert not any(unicodedata.decomposition(chr(cp)) for cp in range(_DECOMPOSED_BELOW, sys.maxunicode + 1))
    for cp in range(0x30000):
        if not 0xD800 <= cp < 0xE000:
            text = f"a{chr(cp)}党"
            assert countable(text) == reference_countable(text), hex(cp)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="党建引领发展12ab", max_size=3000), st.randoms(use_true_random=False), st.integers(0, 3))
def test_same_characters_is_counting(text, rnd, edits):
    """Texts cut in pieces, some moved, a few characters changed, against counting every one."""
    from collections import Counter

    cuts = sorted(rnd.sample(range(len(text) + 1), min(len(text) + 1, rnd.randrange(1, 12))))
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    for _ in range(rnd.randrange(3)):
        pieces.append(pieces.pop(rnd.randrange(len(pieces))))
    other = list("".join(pieces))
    for _ in range(edits):
        if other:
            other[rnd.randrange(len(other))] = rnd.choice("党建ab")
    other = "".join(other)
    assert same_characters(text, other) == (Counter(text) == Counter(other))
