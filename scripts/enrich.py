"""Enrich: metadata for every article, some of which needs the whole archive (tag IDF).

Per article, each step in a module of its own: zones (canonical, primary first: already set by
segment) -> date (manifest, else inferred with its evidence, else the date its page-mates were
inferred to: ``dates``) -> people and
organisations (``people``) -> key figures (``figures``) -> tags (``tags``, IDF over the whole
archive, editorial rules from ``seeds/tags.yml``) -> topics (``topics``). Articles are frozen;
each step returns new ones.

Two parts: :func:`enrich_one` needs the article alone (a pure function of it, so the pipeline
may run it in worker processes and cache it), :func:`enrich_archive` then needs them all.
"""
from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Callable

from .cache import Packed
from .dates import date_article, date_from_page
from .figures import find_figures
from .model import Article, evolve
from .people import find_organizations, find_people
from .tags import DEFAULT_K, article_parts, load_tag_rules, tag_articles
from .topics import assign_topics


def running_text(a: Article) -> str:
    """The article's printed text: lead, body paragraphs and captions."""
    return "\n".join(t for t in [a.lead, *(p.text for p in a.paragraphs), *(c.text for c in a.captions)] if t)


def enrich_one(a: Article) -> Article:
    """Everything that depends on this article alone."""
    a = date_article(a)
    text = running_text(a)
    return replace(
        a,
        people=tuple(find_people(text)),
        organizations=tuple(find_organizations(text)),
        figures=tuple(find_figures(text)),
        topics=tuple(assign_topics(*article_parts(a))),
    )


def enrich_input(a: Article) -> str:
    """What :func:`enrich_one`'s result depends on, as text for a cache key: the whole article
    as it comes in, every field of it (``repr``: equal text, equal content, whichever process
    made the article), so a step that starts reading another field is never served a stale
    result."""
    return repr(a)


def enrich_changes(a: Article) -> dict[str, object]:
    """The fields :func:`enrich_one` changes, with their new values: what a cache keeps
    (``replace(a, **enrich_changes(a)) == enrich_one(a)``), smaller than the article."""
    out = enrich_one(a)
    return {f.name: getattr(out, f.name) for f in fields(out) if getattr(out, f.name) != getattr(a, f.name)}


#: What the archive-wide steps read of one article, cut once (see :func:`archive_reads`).
Reads = tuple[Packed, Packed, Packed]


def archive_reads(a: Article) -> Reads:
    """What the archive-wide steps read of one article, as words: its tag candidates
    (``tags.article_words``: heading, text, packed by ``tags.pack_words``), the unit vector of
    its token counts for related articles (``link.article_vector``) and its sample for
    near-duplicate search (``link.duplicate_sample``). Cutting and sampling the text are their
    costly part, and they depend on the article alone, so the pipeline does them per article,
    in workers, cached; the archive-wide steps then only count. Each is read by a process of
    its own for a large archive (``pipeline.enrich_report``): they stay pickled until then
    (``cache.Packed``).

    >>> from scripts.link import unpack_vector
    >>> from scripts.model import Article
    >>> words, vector, _ = archive_reads(Article("x", "article", "设立党员先锋岗", False, None, None, None, (), None,
    ...                                       "园区设立孵化器。", (), (), (), None, None, "f", "", (1, 1)))
    >>> words.value, {t: round(w, 3) for t, w in unpack_vector(vector.value).items()}  # counts 1, 2 (title): 1, 1 + log 2, over their norm
    (('党员先锋岗', '孵化器'), {'孵化器': 0.509, '党员先锋岗': 0.861})
    """
    from .link import article_vector, duplicate_sample, han_text, pack_vector
    from .tags import article_words, pack_words

    return (Packed(pack_words(article_words(a))), Packed(pack_vector(article_vector(a))),
            Packed(duplicate_sample(han_text(a))))


def enrich_work(a: Article) -> tuple[Packed, Reads]:
    """:func:`enrich_changes` (packed: read after the processes reading the others are forked)
    and :func:`archive_reads` of one article: all the per-article work, one cache entry (keyed
    by :func:`enrich_input`, which covers both)."""
    return Packed(enrich_changes(a)), archive_reads(a)


#: A sentence naming a zone, an office holder, an organisation, a figure and a topic's words.
WARM_UP_TEXT = "青岛高新区党工委书记王强介绍，园区党群服务中心已设立党员先锋岗120个，以党建引领产业发展。"


def warm_up() -> None:
    """Load what the per-article steps load on first use (tokenizer and dictionaries, the
    gazetteer, the topic lists) in this process, so that worker processes forked from it
    inherit them rather than each loading its own."""
    find_people(WARM_UP_TEXT)
    find_organizations(WARM_UP_TEXT)
    find_figures(WARM_UP_TEXT)
    assign_topics("", WARM_UP_TEXT)
    archive_reads(Article("warm-up", "article", WARM_UP_TEXT, False, None, None, None, (), None, WARM_UP_TEXT,
                          (), (), (), None, None, "", "", (1, 1)))


def enrich_each(articles: list[Article]) -> list[Article]:
    """:func:`enrich_one` over the articles, in order, in this process."""
    return [enrich_one(a) for a in articles]


TAGS_BESIDE_MIN = 2_000  # articles from which tags are computed in a forked process beside ``link``


def enrich_archive(articles: list[Article], tag_rules: Path,
                   words: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
                   link: Callable[[list[Article]], list[Article]] | None = None,
                   tags: Callable[[], dict[str, list[str]]] | None = None) -> list[Article]:
    """The steps that need the whole archive, after :func:`enrich_one`: the dates page-mates
    share, and tags (IDF over every article; ``tag_rules`` is the editors' tags.yml; ``words``:
    the articles' tag candidates by id, when the caller has them, see :func:`archive_reads`).
    ``link``: a step over the dated articles that neither reads nor sets tags (the related
    articles): for a large archive it runs while the tags are computed in a forked process.
    ``tags``: a function giving the tags by id, when the caller is computing them already (say,
    in a process it forked before the articles were enriched: the tags do not read what
    :func:`enrich_one` sets)."""
    from .pipeline import forked

    articles = date_from_page(articles)
    if tags is not None:  # the caller computes them (pipeline.enrich_report: in a process of their own)
        articles = link(articles) if link else articles
        by_id = tags()
    else:
        with forked(tag_articles, articles, load_tag_rules(tag_rules), DEFAULT_K, words,
                    when=link is not None and len(articles) >= TAGS_BESIDE_MIN) as tags_of:
            articles = link(articles) if link else articles
            by_id = tags_of()
    return [evolve(a, tags=tuple(by_id[a.id])) for a in articles]


def enrich_all(articles: list[Article], tag_rules: Path,
               each: Callable[[list[Article]], list[Article]] = enrich_each) -> list[Article]:
    """Every enrichment step over the whole archive. ``each`` maps :func:`enrich_one` over the
    articles, keeping their order (the pipeline's does it in worker processes, with a cache)."""
    return enrich_archive(each(articles), tag_rules)
