"""The link stage (scripts/link.py): related articles and near-duplicates on the seed articles.

Every property is checked with the real tokenizer (``scripts.nlp``, or the fallback when it is
missing) and with the character-bigram fallback forced, so the tests pass either way; and both
ways pairs are found: comparing every pair (a small archive, the seeds) and through the
candidate indexes a large archive uses (forced here with ``EXHAUSTIVE_MAX = 0``).
"""
from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts import link
from scripts.link import (DUPLICATE_MIN, RELATED_MAX, RELATED_MIN, char_bigrams, containment, duplicate_pairs,
                          han_text, link_all, related_pairs, shingles)
from scripts.model import Article, Caption, Paragraph


@pytest.fixture(params=["nlp", "bigrams"])
def tokenizer(request, monkeypatch):
    if request.param == "bigrams":
        monkeypatch.setattr(link, "_tokenizer", lambda: (char_bigrams, frozenset()))
    return request.param


@pytest.fixture(params=["every pair", "indexed"])
def search(request, monkeypatch):
    if request.param == "indexed":
        monkeypatch.setattr(link, "EXHAUSTIVE_MAX", 0)
    return request.param


@pytest.fixture(scope="module")
def seeds(seed_report) -> list[Article]:
    return [a for p in seed_report.pages for a in p.articles]


def by_id(articles):
    return {a.id: a for a in articles}


def longest(articles: list[Article]) -> Article:
    return max(articles, key=lambda a: (len(a.paragraphs), a.id))


# --- related --------------------------------------------------------------------------------

def test_related_excludes_self_and_respects_limit_and_threshold(seeds, tokenizer, search):
    linked = link_all(seeds)
    assert [a.id for a in linked] == [a.id for a in seeds]  # order kept, nothing else changed
    for before, a in zip(seeds, linked):
        assert dataclasses.replace(a, related=(), related_scores=(), near_duplicates=()) == before
        assert a.id not in a.related and len(set(a.related)) == len(a.related)
        assert len(a.related) == len(a.related_scores) <= RELATED_MAX
        strong = [s for s in a.related_scores if s >= link.RELATED_MIN]
        assert all(s >= link.RELATED_FLOOR for s in a.related_scores)
        # weaker neighbours only top up an article with fewer than RELATED_FILL strong ones
        assert len(strong) == len(a.related_scores) or len(a.related_scores) <= link.RELATED_FILL
        ranked = sorted(zip(a.related, a.related_scores), key=lambda r: (-r[1], r[0]))
        assert list(zip(a.related, a.related_scores)) == ranked
    assert any(a.related for a in linked)


def test_related_scores_are_symmetric(seeds, tokenizer, search):
    pairs = related_pairs(seeds)
    scores = {(x, other): s for x, found in pairs.items() for s, other in found}
    assert scores
    for (x, y), s in scores.items():
        assert scores[(y, x)] == s
    linked = by_id(link_all(seeds))
    for a in linked.values():
        for other, s in zip(a.related, a.related_scores):
            b = linked[other]
            if a.id in b.related:
                assert b.related_scores[b.related.index(a.id)] == s


def test_related_is_deterministic(seeds, tokenizer, search):
    one = link_all(seeds)
    two = by_id(link_all(list(reversed(seeds))))
    for a in one:
        b = two[a.id]
        assert (a.related, a.related_scores, a.near_duplicates) == (b.related, b.related_scores, b.near_duplicates)
    assert link_all(seeds) == one


def test_threshold_is_respected(seeds, tokenizer, monkeypatch, search):
    everything = link_all(seeds)
    all_scores = sorted(s for a in everything for s in a.related_scores)
    cut = all_scores[len(all_scores) // 2]
    monkeypatch.setattr(link, "RELATED_MIN", cut)
    monkeypatch.setattr(link, "RELATED_FLOOR", cut)  # no top-up below the cut either
    fewer = link_all(seeds)
    assert all(s >= cut for a in fewer for s in a.related_scores)
    assert sum(len(a.related) for a in fewer) < sum(len(a.related) for a in everything)


def test_weak_neighbours_only_top_up_to_the_fill(seeds, tokenizer, monkeypatch, search):
    monkeypatch.setattr(link, "RELATED_MIN", 0.99)  # nothing is strong
    linked = link_all(seeds)
    assert all(len(a.related) <= link.RELATED_FILL for a in linked)
    assert all(s >= link.RELATED_FLOOR for a in linked for s in a.related_scores)
    assert any(a.related for a in linked)


def test_ties_are_broken_by_id(seeds, tokenizer, search):
    base = longest(seeds)
    copies = [dataclasses.replace(base, id=i) for i in ("zz-copy", "aa-copy", "mm-copy")]
    linked = by_id(link_all([base, *copies]))
    assert linked[base.id].related == ("aa-copy", "mm-copy", "zz-copy")
    assert linked[base.id].related_scores == (1.0, 1.0, 1.0)


def title_of(articles, fragment):
    found = [a for a in articles if fragment in a.title]
    assert len(found) == 1, fragment
    return found[0].id


def test_related_articles_on_the_seeds_share_a_subject(seeds, search):
    """Expectations from reading the articles: reports on the same programme or subject are
    related, whatever zone they are on; unrelated subjects are not."""
    pytest.importorskip("scripts.nlp")
    linked = by_id(link_all(seeds))
    feature = title_of(seeds, "体系化党建")  # 001: Qingdao, party members in tech firms, industry chains
    members = title_of(seeds, "聚力高企党员队伍")  # 000: Qingdao, the same programme and figures
    chain = title_of(seeds, "产业链党建新格局")  # 004: Yantai, industry-chain Party-building
    qingdao_2021 = title_of(seeds, "党建+")  # 002: Qingdao zone-wide overview, 2021
    yantai_2021 = title_of(seeds, "走深走实")  # 003: Yantai zone-wide overview, 2021
    union = title_of(seeds, "工会")  # 004: Baoding trade unions
    photo = title_of(seeds, "广交会") if any("广交会" in a.title for a in seeds) else title_of(seeds, "参观者")
    assert members in linked[feature].related and feature in linked[members].related
    assert chain in linked[feature].related
    assert yantai_2021 in linked[qingdao_2021].related
    assert photo not in linked[union].related and union not in linked[photo].related
    for a in linked.values():
        assert a.id not in a.related
        assert list(a.related_scores) == sorted(a.related_scores, reverse=True)


def test_photos_relate_too(seeds, tokenizer, search):
    photo = next(a for a in seeds if a.kind == "photo")
    again = dataclasses.replace(photo, id="photo-again", captions=photo.captions + (Caption("现场照片"),))
    linked = by_id(link_all([*seeds, again]))
    assert linked[photo.id].related[0] == "photo-again"


def test_empty_articles_relate_to_nothing(seeds, tokenizer, search):
    empty = dataclasses.replace(seeds[0], id="empty", title="", kicker=None, subtitle=None, lead=None,
                                paragraphs=(), captions=())
    linked = by_id(link_all([*seeds, empty]))
    assert linked["empty"].related == () and linked["empty"].near_duplicates == ()
    assert all("empty" not in a.related for a in linked.values())
    assert link_all([]) == []


# --- near-duplicates ------------------------------------------------------------------------

def reprinted(original: Article, replacement: str) -> Article:
    """The article printed again elsewhere with its longest text paragraph rewritten."""
    texts = [i for i, p in enumerate(original.paragraphs) if p.kind == "text"]
    k = max(texts, key=lambda i: len(original.paragraphs[i].text))
    paragraphs = list(original.paragraphs)
    paragraphs[k] = Paragraph(replacement)
    return dataclasses.replace(original, id="reprint", paragraphs=tuple(paragraphs), source_file="seeds/zz.txt")


def test_a_reprint_with_one_paragraph_changed_is_a_near_duplicate(seeds, tokenizer, search):
    original = longest(seeds)
    other = next(a for a in seeds if a.id != original.id and a.zones != original.zones and a.lead)
    copy = reprinted(original, other.lead)
    c = containment(shingles(han_text(original)), shingles(han_text(copy)))
    assert DUPLICATE_MIN < c < 1
    linked = by_id(link_all([*seeds, copy]))
    assert linked["reprint"].near_duplicates == (original.id,)
    assert linked[original.id].near_duplicates == ("reprint",)  # symmetric
    assert linked["reprint"].related[0] == original.id
    assert all(a.near_duplicates == () for a in linked.values() if a.id not in ("reprint", original.id))


def test_a_brief_reprinted_inside_a_longer_report_is_a_near_duplicate(seeds, search):
    brief = next(a for a in seeds if a.kind == "article" and len(han_text(a)) > 300 and len(a.paragraphs) <= 4)
    host = longest(seeds)
    merged = dataclasses.replace(host, id="merged", paragraphs=host.paragraphs + (Paragraph(brief.lead or ""),)
                                 + brief.paragraphs)
    found = duplicate_pairs([*seeds, merged])
    assert (pytest.approx(1.0), brief.id) in found["merged"]


def test_different_seed_articles_are_not_near_duplicates(seeds, tokenizer, search):
    assert all(a.near_duplicates == () for a in link_all(seeds))
    # the closest different pair (two Qingdao reports sharing some sentences) stays far below
    sets = {a.id: shingles(han_text(a)) for a in seeds}
    worst = max(containment(sets[x], sets[y]) for x in sets for y in sets if x < y)
    assert 0 < worst < DUPLICATE_MIN / 2


def test_short_texts_need_a_whole_sentence_in_common(seeds, search):
    a = dataclasses.replace(seeds[0], id="s1", lead="高质量发展注入强劲动能。", paragraphs=(), captions=())
    b = dataclasses.replace(a, id="s2")
    assert duplicate_pairs([a, b]) == {}


# --- the candidate indexes of a large archive -----------------------------------------------

def test_indexed_search_finds_the_seeds_related_articles(seeds, monkeypatch):
    """On real articles the distinctive terms carry the relation: the indexes propose every
    pair that makes a related list, so the lists are those of comparing every pair."""
    pytest.importorskip("scripts.nlp")
    every = link_all(seeds)
    monkeypatch.setattr(link, "EXHAUSTIVE_MAX", 0)
    indexed = link_all(seeds)
    assert [(a.related, a.related_scores) for a in indexed] == [(a.related, a.related_scores) for a in every]


def test_remembered_pair_scores_give_the_same_lists_and_only_changed_pairs_are_scored(seeds, search, monkeypatch):
    """A pair of articles whose counts did not change keeps its score from the last build; a
    pair with a changed article is scored anew; the lists are those of scoring every pair anew."""
    from scripts.link import PairScores

    digests = {a.id: f"d-{a.id}" for a in seeds}
    first = PairScores(digests)
    plain = related_pairs(seeds)
    assert related_pairs(seeds, scores=first) == plain and first.used
    scored = []
    real = link.cosine
    monkeypatch.setattr(link, "cosine", lambda a, b: scored.append(1) or real(a, b))
    assert related_pairs(seeds, scores=PairScores(digests, first.used)) == plain
    assert scored == []  # nothing changed: every score remembered

    changed = longest(seeds)
    edited = [dataclasses.replace(a, paragraphs=a.paragraphs[1:]) if a is changed else a for a in seeds]
    expected = related_pairs(edited)
    scored.clear()
    moved = PairScores({**digests, changed.id: "d-edited"}, first.used)
    assert related_pairs(edited, scores=moved) == expected
    with_it = [pair for pair in moved.used if "d-edited" in pair]
    assert len(scored) == len(with_it) > 0  # the changed article's pairs, and only those, scored
    assert moved.used.keys() - first.used.keys() == set(with_it)


def variants(seeds: list[Article]) -> list[Article]:
    """Near-duplicates of every sort the index must find, made from the seed articles: each long
    article reprinted with a third of its text replaced by another's, and pieces of 60 to 300
    characters printed alone and again inside another report. (A piece of 40 characters, 33
    shingles, may hold too few sampled shingles to be found: the module docstring says how often.)"""
    long = sorted((a for a in seeds if len(han_text(a)) > 600), key=lambda a: a.id)
    out = []
    for n, a in enumerate(long):
        text, other = han_text(a), han_text(long[(n + 1) % len(long)])
        cut = len(text) // 3
        out.append(dataclasses.replace(a, id=f"reprint-{n}", lead=None, captions=(),
                                       paragraphs=(Paragraph(other[:cut] + text[cut:]),)))
        for size in (60, 120, 300):
            piece = text[size:2 * size]
            out.append(dataclasses.replace(a, id=f"piece-{n}-{size}", lead=None, captions=(),
                                           paragraphs=(Paragraph(piece),)))
            host = long[(n + 2) % len(long)]
            out.append(dataclasses.replace(host, id=f"host-{n}-{size}", paragraphs=host.paragraphs + (Paragraph(piece),)))
    return out


def test_indexed_near_duplicates_are_those_of_comparing_every_pair(seeds, monkeypatch):
    archive = [*seeds, *variants(seeds)]
    every = duplicate_pairs(archive)
    assert sum(len(found) for found in every.values()) > 100  # the variants do make near-duplicates
    monkeypatch.setattr(link, "EXHAUSTIVE_MAX", 0)
    assert duplicate_pairs(archive) == every


def test_stock_phrases_make_no_candidates(seeds, monkeypatch):
    """A passage printed in more articles than SHINGLE_MAX_DF is a stock phrase, not a reprint."""
    brief = next(a for a in seeds if a.kind == "article" and 300 < len(han_text(a)) and len(a.paragraphs) <= 4)
    hosts = [dataclasses.replace(h, id=f"host-{n}", paragraphs=h.paragraphs + (Paragraph(brief.lead or ""),)
                                 + brief.paragraphs) for n, h in enumerate(seeds) if h.id != brief.id]
    monkeypatch.setattr(link, "EXHAUSTIVE_MAX", 0)
    assert brief.id in {i for _, i in duplicate_pairs([brief, *hosts])["host-0"]}
    monkeypatch.setattr(link, "SHINGLE_MAX_DF", len(hosts) - 1)
    assert duplicate_pairs([brief, *hosts]) == {}


def test_near_duplicates_searched_in_a_second_process_are_the_same(seeds, monkeypatch, tmp_path):
    """link_all searches near-duplicates in a forked process beside the related articles (from
    PARALLEL_MIN articles, when the pipeline has workers): the result is the same, reprint
    found included."""
    import os

    articles = [*seeds, reprinted(longest(seeds), "这一段在转载时被整段改写了。")]
    monkeypatch.setenv("ARCHIVE_WORKERS", "1")
    alone = link.link_all(articles)
    assert any(a.near_duplicates for a in alone)
    search = link.duplicate_pairs

    def recorded(given, **options):
        (tmp_path / str(os.getpid())).touch()
        return search(given, **options)

    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    monkeypatch.setattr(link, "PARALLEL_MIN", 1)
    monkeypatch.setattr(link, "duplicate_pairs", recorded)
    assert link.link_all(articles) == alone
    assert [p.name for p in tmp_path.iterdir()] not in ([], [str(os.getpid())])  # another process searched


def test_near_duplicates_from_given_samples_are_those_sampled_here(seeds, monkeypatch):
    """``duplicate_pairs(samples=…)`` (the samples the pipeline cached per article, in the
    order of the articles given) finds what sampling the texts here finds, in any order."""
    import random

    from scripts.link import duplicate_sample

    archive = [*seeds, *variants(seeds)]
    random.Random(5).shuffle(archive)
    monkeypatch.setattr(link, "EXHAUSTIVE_MAX", 0)
    here = duplicate_pairs(archive)
    assert sum(len(found) for found in here.values()) > 100
    assert duplicate_pairs(archive, samples=[duplicate_sample(han_text(a)) for a in archive]) == here


def reference_candidates(samples):
    """``candidate_duplicate_samples`` as first written, with sets and counters of the shingles
    themselves (no hashing): the specification the array version must meet."""
    import math
    from collections import Counter, defaultdict
    from itertools import chain

    from scripts.link import (_SHINGLES, CANDIDATE_MIN_SHARED, KEY_SHARE, SHINGLE_MAX_DF)

    holders, need = defaultdict(list), {}
    for i, (_, keys) in enumerate(samples):
        need[i] = max(CANDIDATE_MIN_SHARED, math.ceil(KEY_SHARE * len(keys)))
        for key in keys:
            holders[key].append(i)
    held = [holders.keys() & _SHINGLES.findall(joined) for joined, _ in samples]
    printed = Counter(chain.from_iterable(held))
    stock = {key for key, n in printed.items() if n > SHINGLE_MAX_DF}
    pairs = set()
    for i, keys in enumerate(held):
        hits = Counter(chain.from_iterable(map(holders.__getitem__, keys - stock)))
        hits.pop(i, None)
        pairs.update((i, j) if i < j else (j, i) for j, n in hits.items() if n >= need[j])
    return pairs


HAN = "党建引领产业发展青岛高新区园区企业服务中心人才创新"  # a small alphabet: many shared shingles


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(passages=st.lists(st.text(alphabet=HAN, min_size=20, max_size=200), min_size=1, max_size=6),
       picks=st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=4), min_size=2, max_size=70))
def test_candidate_duplicates_are_those_of_the_reference(passages, picks):
    """Texts made of shared passages (reprints, stock phrases printed in more than
    ``SHINGLE_MAX_DF`` texts): the array version proposes exactly the reference's pairs."""
    texts = ["".join(passages[k % len(passages)] for k in pick) for pick in picks]
    samples = [link.duplicate_sample(t) for t in texts]
    assert link.candidate_duplicate_samples(samples) == reference_candidates(samples)


def test_a_passage_sharing_fewer_keys_than_each_text_needs_is_no_candidate():
    """Two long texts sharing one passage: each sample holds a few of the other's keys, fewer
    than ``KEY_SHARE`` of them, so the pair is not measured (and the reference agrees)."""
    import random

    rnd = random.Random(7)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    words = lambda n: "".join(rnd.choice(alphabet) for _ in range(n))  # noqa: E731
    shared = words(900)
    texts = [words(5000) + shared, shared + words(5000), words(3000)]
    samples = [link.duplicate_sample(t) for t in texts]
    held = [len(set(link._SHINGLES.findall(samples[0][0])) & set(samples[1][1])),
            len(set(link._SHINGLES.findall(samples[1][0])) & set(samples[0][1]))]
    assert all(2 <= n < 7 for n in held), held  # some shared keys, not enough
    assert link.candidate_duplicate_samples(samples) == reference_candidates(samples) == set()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(alphabet=st.sampled_from("党建园区\0a"), max_size=4),
                       st.floats(allow_nan=False), max_size=12))
def test_a_packed_vector_reads_back_as_it_was(vector):
    """Terms (one may hold the separator, or be empty), weights and their order come back."""
    from scripts.link import pack_vector, unpack_vector

    back = unpack_vector(pickle.loads(pickle.dumps(pack_vector(vector))))
    assert list(back.items()) == list(vector.items())


PART_CHARS = "党建引领青岛高新区园区企业人才aZ5G+#&._%- \u3000\t\r，。“”"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(PART_CHARS), max_size=30), max_size=5))
def test_tokens_of_parts_joined_by_line_breaks_are_those_of_each_part(parts):
    """A line break ends every word, with either tokenizer: so ``token_counts`` may count an
    article's text part by part (the running text is then cut once for all the steps)."""
    from unittest import mock

    for tokenizer in (link._tokenizer(), (char_bigrams, frozenset())):
        with mock.patch.object(link, "_tokenizer", lambda t=tokenizer: t):
            joined = link.tokens("\n".join(parts))
            assert joined == [t for part in parts for t in link.tokens(part)], tokenizer


def test_token_counts_count_the_whole_article_text(seeds, tokenizer):
    """Counted part by part, the counts are those of the joined text (and the title's), on
    every seed article, kicker and subtitle included (the seeds print no subtitle: one is added)."""
    from collections import Counter

    with_subtitle = dataclasses.replace(longest(seeds), subtitle="楼宇党建引领企业发展 党员先锋岗")
    assert any(a.kicker for a in seeds)
    zones = link._zone_words()
    for a in [*seeds, with_subtitle]:
        text = "\n".join(t for t in [a.kicker, a.subtitle, a.lead, *(p.text for p in a.paragraphs),
                                      *(c.text for c in a.captions)] if t)
        assert link.article_text(a) == text
        want = Counter(t for t in link.tokens(text) if t not in zones)
        for t in link.tokens(a.title):
            if t not in zones:
                want[t] += link.TITLE_WEIGHT
        assert link.token_counts(a) == want, a.id


def test_an_articles_running_text_is_cut_once_for_all_its_steps(seeds, monkeypatch):
    """Organisations, tag candidates and the related-article vector read the same running
    text: ``nlp.tokenize`` cuts it once, and apart from it only the heading's parts."""
    from collections import Counter

    from scripts import nlp
    from scripts.enrich import enrich_work, running_text

    real, cuts = nlp._tokenizer(), Counter()

    class Counting:
        def cut(self, text, hmm):
            cuts[text] += 1
            return real.cut(text, hmm)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(nlp, "_tokenizer", Counting)
    nlp._remembered_cut.cache_clear()
    a = max((a for a in seeds if a.kicker), key=lambda a: (len(a.paragraphs), a.id))
    enrich_work(a)
    text, heading = running_text(a), "\n".join(h for h in (a.kicker, a.title, a.subtitle) if h)
    assert cuts[text] == 1
    assert sum(map(len, cuts)) <= len(text) + 3 * len(heading)  # nothing else long is cut
