"""Index pages: the archive's taxonomies (tags, topics, zones, authors, years) and their pages.

Hugo's model: a taxonomy has terms, a term has articles. A :class:`Term` is one tag, topic,
zone, author or year with its articles (newest first); :class:`Site` holds every taxonomy of a
build and is what article pages link through. :func:`index_pages` renders the Markdown of every
index page; ``scripts/write.py`` writes them (only when changed) and removes stale ones.

Pages, all under ``docs/`` (URL = path without ``.md``, plus ``/``):

=====================  =========================================================================
``tags/index.md``      every tag with its count (count descending, then name); ``tags/<slug>.md``
``topics/index.md``    the same for topics; ``topics/<slug>.md``
``zones/index.md``     zones grouped by province (gazetteer), zones not in the gazetteer under 其他;
                       ``zones/<slug>.md``: full name, city, province, aliases, articles
``authors/index.md``   every author with roles and count; ``authors/<slug>.md``
``years/index.md``     years, newest first; ``years/<year>.md``; ``years/unknown.md`` (日期未知)
=====================  =========================================================================

A list longer than :data:`PAGE_SIZE` entries (the articles of a term, the terms of an overview)
is split into pages ``<slug>.md``, ``<slug>-2.md`` … (``index.md``, ``index-2.md`` …), each with
a pager line above and below the list, so that no page grows with the archive.

Article lists are newest first: date descending (``2024-05-03`` before ``2024-05`` before
``2024``), undated last, then title, then id. An inferred date is shown as ``…（推断）``.

Slugs are ASCII, short, and depend on the name only (not on order or on the other names):
a one-letter prefix per taxonomy and the first 8 hex digits of the SHA-1 of the UTF-8 name:

>>> slug("t", "党员先锋岗")
't-92a4b372'

Should two names of one taxonomy ever share those 8 digits (about a 1 % chance among 10,000
names), both get 16 digits; a year's slug is the year itself.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

from .model import Article
from .write import ARTICLE_DIR, KIND_LABELS, date_text, escape_inline, front_matter

TAXONOMY_DIRS = ("tags", "topics", "zones", "authors", "years")
PAGE_SIZE = 200  # entries of one list page; longer lists (a tag of 3,000 articles) get a pager
UNKNOWN_YEAR = "unknown"
UNKNOWN_YEAR_TITLE = "日期未知"
OTHER_PROVINCE = "其他"
_YEAR = re.compile(r"^(\d{4})(?:-|$)")


# --- terms ----------------------------------------------------------------------------------

def slug(prefix: str, name: str, digits: int = 8) -> str:
    """``prefix-`` + the first ``digits`` hex digits of the SHA-1 of ``name`` (UTF-8).

    >>> slug("z", "青岛高新区") == slug("z", "青岛高新区"), slug("a", "戈清平").isascii()
    (True, True)
    """
    return f"{prefix}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:digits]}"


def slugs(prefix: str, names: Iterable[str]) -> dict[str, str]:
    """name -> slug for a taxonomy; names whose 8-digit slugs collide get 16 digits."""
    names = sorted(set(names))
    short = {n: slug(prefix, n) for n in names}
    taken = Counter(short.values())
    return {n: s if taken[s] == 1 else slug(prefix, n, 16) for n, s in short.items()}


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Date descending (undated last), then title, then id.

    >>> from scripts.model import Article
    >>> def art(i, date, title):
    ...     return Article(i, "article", title, False, None, None, None, (), None, None, (), (), (),
    ...                    date, "manifest" if date else None, "f", "", (1, 1))
    >>> [a.id for a in newest_first([art("a", None, "A"), art("b", "2024", "B"), art("c", "2024-05-01", "C"),
    ...                              art("d", "2024-05-01", "D"), art("e", "2023-12-31", "E")])]
    ['c', 'd', 'b', 'e', 'a']
    """
    by_title = sorted(articles, key=lambda a: (a.title, a.id))
    return sorted(by_title, key=lambda a: a.date or "", reverse=True)  # stable: title order kept


def year_of(a: Article) -> str | None:
    """The year of the article's date (``YYYY``), or None when undated or unreadable."""
    m = _YEAR.match(a.date or "")
    return m.group(1) if m else None


@dataclass(frozen=True)
class Term:
    """One tag, topic, zone, author or year: its name, page slug and articles (newest first)."""

    name: str
    slug: str
    articles: tuple[Article, ...]


def build_terms(articles: Iterable[Article], names_of: Callable[[Article], Iterable[str]],
                prefix: str) -> dict[str, Term]:
    """name -> Term, for every name that ``names_of`` gives for at least one article."""
    members: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        for name in dict.fromkeys(n.strip() for n in names_of(a) if n and n.strip()):
            members[name].append(a)
    slug_of = slugs(prefix, members)
    return {n: Term(n, slug_of[n], tuple(newest_first(arts))) for n, arts in sorted(members.items())}


def by_count(terms: Iterable[Term]) -> list[Term]:
    """Most articles first, then name."""
    return sorted(terms, key=lambda t: (-len(t.articles), t.name))


@lru_cache(maxsize=1)
def gazetteer() -> dict:
    """canonical name -> Zone, from ``scripts/data/zones.yml``."""
    from .zones import load_gazetteer

    return {z.canonical: z for z in load_gazetteer()}


@lru_cache(maxsize=1)
def _names_by_zone() -> dict[str, frozenset[str]]:
    """canonical name -> every name the matcher of ``scripts/zones.py`` knows for it."""
    from . import zones

    names: dict[str, set[str]] = defaultdict(set)
    for z in gazetteer().values():
        names[z.canonical].update((z.canonical, z.full_name, *z.aliases, *z.names()))
    index = getattr(zones, "_index", None)  # derived forms (青岛国家高新区, 青岛市高新区 …)
    if callable(index):
        for name, canonical in index().items():
            names[canonical].add(name)
    return {k: frozenset(v) for k, v in names.items()}


def zone_names(canonical: str) -> tuple[str, ...]:
    """Every way a text may write the zone, in both parenthesis widths, longest first.

    >>> zone_names("日照高新区")
    ('日照高新区',)
    >>> "杭州高新区(滨江)" in zone_names("杭州高新区（滨江）")
    True
    """
    names = set(_names_by_zone().get(canonical, ())) | {canonical}
    variants = set()
    for n in names:
        variants |= {n, n.replace("（", "(").replace("）", ")"), n.replace("(", "（").replace(")", "）")}
    return tuple(sorted((v for v in variants if v.strip()), key=lambda n: (-len(n), n)))


@dataclass(frozen=True)
class Site:
    """Every taxonomy of a build, and the articles by id: what pages link through."""

    articles: dict[str, Article]
    tags: dict[str, Term] = field(default_factory=dict)
    topics: dict[str, Term] = field(default_factory=dict)
    zones: dict[str, Term] = field(default_factory=dict)
    authors: dict[str, Term] = field(default_factory=dict)
    years: dict[str, Term] = field(default_factory=dict)
    _items: dict[tuple[str, str | None], str] = field(default_factory=dict, compare=False, repr=False)

    def item(self, a: Article, skip_zone: str | None = None) -> str:
        """:func:`article_item`, made once per article (and ``skip_zone``) of this site: an
        article is listed on the page of each of its tags, topics, authors and its year."""
        key = (a.id, skip_zone)
        made = self._items.get(key)
        if made is None:
            made = self._items[key] = article_item(a, skip_zone)
        return made

    @classmethod
    def build(cls, articles: Iterable[Article]) -> "Site":
        articles = sorted(articles, key=lambda a: a.id)
        years = {}
        for year, arts in sorted(_group(articles, lambda a: [year_of(a) or UNKNOWN_YEAR]).items()):
            name = UNKNOWN_YEAR_TITLE if year == UNKNOWN_YEAR else year
            years[name] = Term(name, year, tuple(newest_first(arts)))
        return cls(
            articles={a.id: a for a in articles},
            tags=build_terms(articles, lambda a: a.tags, "t"),
            topics=build_terms(articles, lambda a: a.topics, "s"),
            zones=build_terms(articles, lambda a: a.zones, "z"),
            authors=build_terms(articles, lambda a: [au.name for au in a.authors], "a"),
            years=years,
        )


def _group(articles: Iterable[Article], keys_of: Callable[[Article], Iterable[str]]) -> dict[str, list[Article]]:
    groups: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        for k in keys_of(a):
            groups[k].append(a)
    return groups


# --- rendering ------------------------------------------------------------------------------

def article_item(a: Article, skip_zone: str | None = None) -> str:
    """One list item of an index page (in a folder beside ``a/``): linked title · date
    (推断 when inferred) · 图片 for a photo · zones (but ``skip_zone``, the page's own)."""
    details = [date_text(a)]
    if a.kind != "article":
        details.append(KIND_LABELS.get(a.kind, a.kind))
    zones = [z for z in a.zones if z != skip_zone]
    if zones:
        details.append("、".join(zones))
    return f"- [{escape_inline(a.title)}](../{ARTICLE_DIR}/{a.id}.md) · " + escape_inline(" · ".join(details))


def article_list(articles: Iterable[Article], skip_zone: str | None = None) -> str:
    return "\n".join(article_item(a, skip_zone) for a in articles)


def count_text(articles: Iterable[Article]) -> str:
    """``共 N 篇``, with how many dates are inferred.

    >>> count_text([])
    '共 0 篇'
    """
    articles = list(articles)
    inferred = sum(a.date_basis == "inferred" and bool(a.date) for a in articles)
    return f"共 {len(articles)} 篇" + (f"，其中 {inferred} 篇日期为推断" if inferred else "")


def _page(title: str, blocks: list[str]) -> str:
    return front_matter({"title": title}) + "\n" + "\n\n".join(b for b in blocks if b) + "\n"


def page_paths(first: str, n: int) -> list[str]:
    """The files of a list split over ``n`` pages: ``first``, then ``<stem>-2.md`` … beside it.

    >>> page_paths("tags/t-1a2b3c4d.md", 3)
    ['tags/t-1a2b3c4d.md', 'tags/t-1a2b3c4d-2.md', 'tags/t-1a2b3c4d-3.md']
    """
    stem = first[:-3]
    return [first] + [f"{stem}-{k}.md" for k in range(2, n + 1)]


def chunks(items: list, size: int = PAGE_SIZE) -> list[list]:
    """``items`` in pages of ``size``; an empty list is one empty page.

    >>> [len(c) for c in chunks(list(range(450)), 200)], chunks([], 200)
    ([200, 200, 50], [[]])
    """
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def pager(paths: list[str], k: int) -> str:
    """The line linking the pages of a list, on page ``k`` (0-based); empty for one page.

    >>> pager(["tags/t-1.md", "tags/t-1-2.md", "tags/t-1-3.md"], 1)
    '第 2 页，共 3 页：[‹ 上一页](t-1.md) · [1](t-1.md) · **2** · [3](t-1-3.md) · [下一页 ›](t-1-3.md)'
    """
    if len(paths) < 2:
        return ""
    here = posixpath.dirname(paths[k])

    def rel(i: int) -> str:
        return posixpath.relpath(paths[i], here or ".")

    links = [f"**{i + 1}**" if i == k else f"[{i + 1}]({rel(i)})" for i in range(len(paths))]
    if k > 0:
        links.insert(0, f"[‹ 上一页]({rel(k - 1)})")
    if k < len(paths) - 1:
        links.append(f"[下一页 ›]({rel(k + 1)})")
    return f"第 {k + 1} 页，共 {len(paths)} 页：" + " · ".join(links)


def paged(first: str, title: str, head: list[str], items: list[str], size: int = PAGE_SIZE) -> dict[str, str]:
    """A list page split every ``size`` items: ``{path: Markdown}``. Every page has the heading
    and ``head`` lines; the pager goes above and below the items."""
    parts = chunks(items, size)
    paths = page_paths(first, len(parts))
    pages = {}
    for k, (path, part) in enumerate(zip(paths, parts)):
        nav = pager(paths, k)
        page_title = title if k == 0 else f"{title}（第 {k + 1} 页）"
        pages[path] = _page(page_title, [f"# {escape_inline(page_title)}", *head, nav, "\n".join(part), nav])
    return pages


def term_pages(path: str, term: Term, heading: str, intro: list[str] | None = None,
               skip_zone: str | None = None, item: Callable[[Article, str | None], str] = article_item,
               ) -> dict[str, str]:
    """A term's page(s): heading, optional lines about it, the articles newest first,
    :data:`PAGE_SIZE` a page (each listed by ``item``: :func:`article_item` or ``Site.item``)."""
    items = [item(a, skip_zone) for a in term.articles]
    return paged(path, heading, [*(intro or []), f"{count_text(term.articles)}，最新的在前。"], items)


def term_page(term: Term, heading: str, intro: list[str] | None = None, skip_zone: str | None = None) -> str:
    """The first page of :func:`term_pages` (all of it, for a term of up to PAGE_SIZE articles)."""
    return next(iter(term_pages("x.md", term, heading, intro, skip_zone).values()))


def simple_index(folder: str, title: str, terms: dict[str, Term], empty: str, noun: str) -> dict[str, str]:
    """A taxonomy overview: every term with its count, most articles first, then name;
    :data:`PAGE_SIZE` terms a page (``<folder>/index.md``, ``index-2.md`` …)."""
    if not terms:
        return {f"{folder}/index.md": _page(title, [f"# {title}", empty])}
    items = [f"- [{escape_inline(t.name)}]({t.slug}.md) · {len(t.articles)} 篇" for t in by_count(terms.values())]
    return paged(f"{folder}/index.md", title, [f"共 {len(terms)} 个{noun}，按文章数排列。"], items)


def tag_pages(site: Site) -> dict[str, str]:
    pages = simple_index("tags", "标签", site.tags, "目前还没有文章带标签。", "标签")
    for t in site.tags.values():
        pages.update(term_pages(f"tags/{t.slug}.md", t, f"标签：{t.name}", item=site.item))
    return pages


def topic_pages(site: Site) -> dict[str, str]:
    pages = simple_index("topics", "主题", site.topics, "目前还没有文章归入主题。", "主题")
    for t in site.topics.values():
        pages.update(term_pages(f"topics/{t.slug}.md", t, f"主题：{t.name}", item=site.item))
    return pages


def author_roles(term: Term) -> list[str]:
    """The roles printed with this author's name across their articles, sorted."""
    return sorted({au.role for a in term.articles for au in a.authors if au.name == term.name and au.role})


def author_pages(site: Site) -> dict[str, str]:
    if not site.authors:
        pages = {"authors/index.md": _page("作者", ["# 作者", "目前还没有署名的文章。"])}
    else:
        items = []
        for t in by_count(site.authors.values()):
            roles = author_roles(t)
            extra = f" · {escape_inline('、'.join(roles))}" if roles else ""
            items.append(f"- [{escape_inline(t.name)}]({t.slug}.md){extra} · {len(t.articles)} 篇")
        pages = paged("authors/index.md", "作者",
                      [f"共 {len(site.authors)} 位作者，按文章数排列。同名作者未加区分。"], items)
    for t in site.authors.values():
        roles = author_roles(t)
        intro = [escape_inline("署名身份：" + "、".join(roles))] if roles else []
        pages.update(term_pages(f"authors/{t.slug}.md", t, t.name, intro, item=site.item))
    return pages


def zone_province(name: str) -> str:
    z = gazetteer().get(name)
    return z.province if z else OTHER_PROVINCE


def zone_pages(site: Site) -> dict[str, str]:
    blocks = ["# 高新区"]
    if not site.zones:
        blocks.append("目前还没有文章提到具体的高新区。")
    else:
        n = len({a.id for t in site.zones.values() for a in t.articles})
        blocks.append(f"{len(site.zones)} 个高新区，{n} 篇文章提到它们；按省份分组，"
                      f"不在国家高新区名录中的列在“{OTHER_PROVINCE}”。")
        provinces = _group(site.zones.values(), lambda t: [zone_province(t.name)])
        order = sorted(provinces, key=lambda p: (p == OTHER_PROVINCE,
                                                 -sum(len(t.articles) for t in provinces[p]), p))
        for province in order:
            terms = by_count(provinces[province])
            total = len({a.id for t in terms for a in t.articles})
            blocks.append(f"## {escape_inline(province)}（{total} 篇）")
            items = []
            for t in terms:
                z = gazetteer().get(t.name)
                city = f" · {escape_inline(z.city)}" if z and z.city else ""
                items.append(f"- [{escape_inline(t.name)}]({t.slug}.md){city} · {len(t.articles)} 篇")
            blocks.append("\n".join(items))
    pages = {"zones/index.md": _page("高新区", blocks)}
    for t in site.zones.values():
        z = gazetteer().get(t.name)
        if z:
            facts = [f"全称：{z.full_name}", f"所在地：{z.province}{'' if z.city == z.province else z.city}"]
            aliases = [a for a in dict.fromkeys(z.aliases) if a not in (z.canonical, z.full_name)]
            if aliases:
                facts.append("别称：" + "、".join(aliases))
            intro = ["\n".join(f"- {escape_inline(f)}" for f in facts)]
        else:
            intro = ["未收入国家高新区名录（按文中写法列出）。"]
        pages.update(term_pages(f"zones/{t.slug}.md", t, t.name, intro, skip_zone=t.name, item=site.item))
    return pages


def year_heading(t: Term) -> str:
    return t.name if t.slug == UNKNOWN_YEAR else f"{t.name} 年"


def year_pages(site: Site) -> dict[str, str]:
    blocks = ["# 年份"]
    if not site.years:
        blocks.append("目前还没有文章。")
    else:
        dated = sorted((t for t in site.years.values() if t.slug != UNKNOWN_YEAR), key=lambda t: t.slug,
                       reverse=True)
        undated = [t for t in site.years.values() if t.slug == UNKNOWN_YEAR]
        blocks.append("按发表年份列出文章；日期为推断的注明“推断”。")
        blocks.append("\n".join(f"- [{escape_inline(year_heading(t))}]({t.slug}.md) · {count_text(t.articles)}"
                                for t in dated + undated))
    pages = {"years/index.md": _page("年份", blocks)}
    for t in site.years.values():
        heading = year_heading(t)
        intro = ["这些文章的发表日期尚未确定。"] if t.slug == UNKNOWN_YEAR else []
        pages.update(term_pages(f"years/{t.slug}.md", t, heading, intro, item=site.item))
    return pages


def index_pages(site: Site) -> dict[str, str]:
    """Every index page: path under ``docs/`` -> Markdown. Each taxonomy's ``index.md`` is
    always there (the nav points to it); a term page exists only for a term with articles."""
    pages: dict[str, str] = {}
    for render in (tag_pages, topic_pages, zone_pages, author_pages, year_pages):
        pages.update(render(site))
    return pages
