"""Enrich: metadata for every article, some of which needs the whole archive (tag IDF).

Per article, each step in a module of its own: zones (canonical, primary first: already set by
segment) -> date (manifest, else inferred with its evidence, else the date its page-mates were
inferred to: ``dates``) -> people and
organisations (``people``) -> key figures (``figures``) -> tags (``tags``, IDF over the whole
archive, editorial rules from ``seeds/tags.yml``) -> topics (``topics``). Articles are frozen;
each step returns new ones.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .dates import date_article, date_from_page
from .figures import find_figures
from .model import Article
from .people import find_organizations, find_people
from .tags import article_parts, load_tag_rules, tag_articles
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


def enrich_all(articles: list[Article], tag_rules: Path) -> list[Article]:
    """Every enrichment step over the whole archive; ``tag_rules`` is the editors' tags.yml."""
    articles = date_from_page([enrich_one(a) for a in articles])
    tags = tag_articles(articles, load_tag_rules(tag_rules))
    return [replace(a, tags=tuple(tags[a.id])) for a in articles]
