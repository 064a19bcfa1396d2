"""The write stage: a finished ``BuildReport`` -> Markdown pages and the data export in ``docs/``.

Writing is the last, dumb step: every value is already decided, this module only formats it.

- ``docs/a/<id>.md``: one page per article (URL ``a/<id>/``), YAML front matter, then kicker,
  headline, subtitle, a metadata panel, the lead and body (every paragraph numbered ``p1``, ``p2``
  … with a ¶ link, so that one paragraph can be cited), captions as figures, people,
  organisations, key figures, related articles, other articles of the same zone and suspected
  duplicates; the first mention of each of its zones links to the zone's page. The citation box
  and the head's citation tags come from the front matter, in the theme (``overrides/``);
- ``docs/src/<id>.md``: the raw page text of each article and what the cleaner changed
  (``scripts/provenance.py``), written when the page file can be read back unchanged;
- ``docs/articles.md``: the list of all articles, grouped by source page;
- index pages (``scripts/indexes.py``): ``docs/{tags,topics,zones,authors,years}/``;
- ``docs/data/articles.jsonl`` and ``docs/data/sources.jsonl``: the data export, one JSON object
  per line, UTF-8, sorted (pages by file, articles by source file and first line);
  ``docs/data/figures.csv``: every key figure, one per row (UTF-8 with BOM, for Excel).

Files are rewritten only when their content changes, so ``mkdocs serve`` (whose ``on_pre_build``
hook runs the build) does not rebuild in a loop; stale ``*.md`` pages are removed from the
generated folders (``a/``, ``src/`` and the index folders) and nowhere else. All links between
generated pages are relative ``.md`` links, which MkDocs checks (``--strict``) and rewrites.

Article text in the raw-HTML blocks of a page (metadata panel, paragraphs, figures) is escaped
with ``html.escape``; everything else with :func:`escape_markdown`. The raw blocks' own links are
``.md`` paths too (``<a href="../tags/t-….md">``): MkDocs rewrites only Markdown links, so the
hook (``scripts/mkdocs_hooks.py``) resolves these the same way and fails ``--strict`` on a missing
target.
"""
from __future__ import annotations

import csv
import html
import io
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import yaml

# libyaml's emitter when PyYAML has it (about ten times faster); the same safe subset either way.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

from .cache import MISSING, Cache, value_bytes, write_atomically
from .events import tell_articles_written
from .model import Article, BuildReport, PageResult, Paragraph, field_names

if TYPE_CHECKING:  # scripts/indexes.py imports this module; it is imported lazily below
    from .indexes import Site

log = logging.getLogger("archive")

ARTICLE_DIR = "a"  # docs/a/<id>.md -> /a/<id>/
DATA_DIR = "data"
KIND_LABELS = {"article": "文章", "photo": "图片"}
INFERRED_TITLE_NOTE = "标题为整理者据正文拟定"
DATE_BASIS_LABELS = {"manifest": "档案登记", "inferred": "推断"}
SAME_ZONE_MAX = 10  # other articles of the same zone listed on an article page, per zone
FIGURES_CSV_COLUMNS = ("id", "title", "zone", "date", "date_basis", "subject", "value", "unit", "sentence")


@dataclass(frozen=True)
class PageLinks:
    """All an article page shows of the rest of the archive (:func:`page_links`): the page is
    a function of the article and this, so the write stage can key a page by both and skip
    writing it when neither changed.

    ``slugs``: (folder, name) -> page slug of the article's authors, zones, tags and topics
    that have a page; ``related``: (id, title, score) of its related articles, best first;
    ``same_zone``: per zone, (zone, slug, articles on the zone's page, the first others as
    (id, title, date text)); ``duplicates``: (id, title, date text)."""

    slugs: tuple[tuple[str, str, str], ...] = ()
    related: tuple[tuple[str, str, float], ...] = ()
    same_zone: tuple[tuple[str, str, int, tuple[tuple[str, str, str], ...]], ...] = ()
    duplicates: tuple[tuple[str, str, str], ...] = ()

    @cached_property
    def slug(self) -> dict[tuple[str, str], str]:
        return {(folder, name): slug for folder, name, slug in self.slugs}

    def fields(self) -> tuple:
        """Every field, in order, as a tuple: a page key spells them out (``cache.value_bytes``),
        without the dataclass around them."""
        return self.slugs, self.related, self.same_zone, self.duplicates


def page_links(a: Article, site: Site) -> PageLinks:
    """What the page of ``a`` shows of ``site`` (see :class:`PageLinks`)."""
    slugs = []
    for folder, names, terms in (("authors", [au.name for au in a.authors], site.authors),
                                 ("zones", a.zones, site.zones), ("tags", a.tags, site.tags),
                                 ("topics", a.topics, site.topics)):
        slugs += [(folder, n, terms[n].slug) for n in names if n in terms]
    related = tuple((i, site.articles[i].title, s) for i, s in zip(a.related, a.related_scores)
                    if i in site.articles)
    same = []
    for zone in a.zones:
        term = site.zones.get(zone)
        if term:
            # the first SAME_ZONE_MAX others, without walking a zone's whole list for every
            # article (the article is on its own zones' lists: Site.build puts it there)
            shown = [o for o in term.articles[:SAME_ZONE_MAX + 1] if o.id != a.id][:SAME_ZONE_MAX]
            same.append((zone, term.slug, len(term.articles), tuple((o.id, o.title, date_text(o)) for o in shown)))
    duplicates = tuple((d.id, d.title, date_text(d)) for d in (site.articles[i] for i in a.near_duplicates
                                                                if i in site.articles))
    return PageLinks(tuple(slugs), related, tuple(same), duplicates)


# Characters that are Markdown or HTML syntax wherever they appear. Backslash escapes where
# Python-Markdown accepts them (``|`` is escapable because MkDocs always loads ``tables``),
# entities for HTML. One ``str.translate`` pass, so no replacement is escaped twice.
_ANYWHERE = str.maketrans({
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "{": "\\{", "}": "\\}",
    "[": "\\[", "]": "\\]", "#": "\\#", "|": "\\|",
    "&": "&amp;", "<": "&lt;", ">": "&gt;",
})
# Whether a text holds any of them: most text has none, which a search finds at C speed where
# translate looks up every character.
_ANYWHERE_FOUND = re.compile("[" + re.escape("".join(map(chr, _ANYWHERE))) + "]")
# Syntax that only counts at the start of a line: indentation (code block), list markers,
# ``1.`` (ordered list), ``=``/``-`` (setext heading, rule), ``~~~`` (fenced code).
_LINE_START = re.compile(r"^(?:(?P<space>[ \t])|(?P<mark>[-+])|(?P<entity>[=~])|(?P<num>\d+)\.)", re.M)


def escape_markdown(text: str) -> str:
    r"""Escape raw page text so Markdown renders every character literally.

    Page text is data, never markup. Chinese text and full-width punctuation are untouched.

    >>> escape_markdown("# 标题 *重点* a|b [链接](http://x)")
    '\\# 标题 \\*重点\\* a\\|b \\[链接\\](http://x)'
    >>> escape_markdown("<script>alert(1)</script> & ok")
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp; ok'
    >>> escape_markdown("1. 第一\n- 项\n> 引\n    缩进\n~~~\n===")
    '1\\. 第一\n\\- 项\n&gt; 引\n&#32;   缩进\n&#126;~~\n&#61;=='
    >>> escape_markdown("高新区“党建红”引领“科技蓝”，2024-05-01，3~5年。")
    '高新区“党建红”引领“科技蓝”，2024-05-01，3~5年。'
    """
    if _ANYWHERE_FOUND.search(text):
        text = text.translate(_ANYWHERE)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(m: re.Match[str]) -> str:
    if m["space"]:
        return f"&#{ord(m['space'])};"
    if m["mark"]:
        return "\\" + m["mark"]
    if m["entity"]:
        return f"&#{ord(m['entity'])};"
    return m["num"] + "\\."


def escape_inline(text: str) -> str:
    """Escape text that must stay on one line (headings, emphasis, list items).

    >>> escape_inline("第一行\\n第二行")
    '第一行 第二行'
    """
    return escape_markdown(" ".join(text.splitlines()))


# --- records (the data export) -------------------------------------------------------------

def article_url(a: Article) -> str:
    return f"{ARTICLE_DIR}/{a.id}/"


def article_body(a: Article) -> str:
    """The article after the lead as Markdown: paragraphs escaped, headings as ``##``."""
    parts = []
    for p in a.paragraphs:
        parts.append(f"## {escape_inline(p.text)}" if p.kind == "heading" else escape_markdown(p.text))
    return "\n\n".join(parts)


def article_record(a: Article) -> dict:
    """One line of ``articles.jsonl``; keys in the documented order."""
    return {
        "id": a.id,
        "url": article_url(a),
        "kind": a.kind,
        "title": a.title,
        "title_inferred": a.title_inferred,
        "kicker": a.kicker,
        "subtitle": a.subtitle or None,
        "byline": a.byline,
        "authors": [au.name for au in a.authors],
        "author_roles": [{"name": au.name, "role": au.role} for au in a.authors],
        "dateline": a.dateline,
        "zones": list(a.zones),
        "date": a.date,
        "date_basis": a.date_basis,
        "date_evidence": a.date_evidence,
        "newspaper": a.meta.newspaper,
        "page": a.meta.page,
        "column": a.meta.column,
        "lead": a.lead,
        "body": article_body(a),
        "captions": [{"text": c.text, "credit": c.credit} for c in a.captions],
        "people": [{"name": p.name, "title": p.title} for p in a.people],
        "organizations": list(a.organizations),
        "tags": list(a.tags),
        "topics": list(a.topics),
        "figures": [{"subject": f.subject, "value": f.value, "unit": f.unit, "sentence": f.sentence}
                    for f in a.figures],
        "related": list(a.related),
        "near_duplicates": list(a.near_duplicates),
        "source": {"file": a.source_file, "sha256": a.source_sha256, "lines": [a.lines[0], a.lines[1]]},
    }


def article_order(a: Article) -> tuple:
    return (a.source_file, a.lines[0], a.id)


def source_record(p: PageResult) -> dict:
    """One line of ``sources.jsonl``: what one page file turned into."""
    return {
        "file": p.file,
        "sha256": p.sha256,
        "encoding": p.encoding,
        "articles": [a.id for a in sorted(p.articles, key=article_order)],
        "furniture": [{"text": f.text, "line": f.line, "kind": f.kind} for f in p.furniture],
        "dropped": [{"text": d.text, "line": d.line, "reason": d.reason} for d in p.dropped],
        "corrections": [{"line": c.line, "before": c.before, "after": c.after, "rule": c.rule}
                        for c in p.corrections],
        "diagnostics": [str(d) for d in p.diagnostics],
    }


# Characters that json.dumps leaves raw but that readers split lines at (Python's
# str.splitlines, JavaScript's line terminators): escaped, so one record stays one line.
_LINE_BREAKING = re.compile("[\x85\u2028\u2029]")


def json_lines(records: list[dict]) -> str:
    """One JSON object per line, not ASCII-escaped, but for the characters some readers break
    lines at (U+0085, U+2028, U+2029), which are written as ``\\uXXXX`` escapes.

    >>> json_lines([{"title": "党建", "n": 1}])
    '{"title": "党建", "n": 1}\\n'
    >>> json_lines([{"text": "甲\\u2028乙"}])
    '{"text": "甲\\\\u2028乙"}\\n'
    """
    return "".join(_LINE_BREAKING.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(r, ensure_ascii=False)) + "\n"
                   for r in records)


# --- pages ----------------------------------------------------------------------------------

FRONT_MATTER_KEYS = ("id", "kind", "title", "title_inferred", "kicker", "subtitle", "byline", "authors",
                     "author_roles", "dateline", "zones", "date", "date_basis", "date_evidence", "newspaper",
                     "page", "column", "captions", "people", "organizations", "tags", "topics", "figures",
                     "related", "near_duplicates", "source")


def front_matter(data: dict) -> str:
    """A YAML front-matter block (``---`` … ``---``) that MkDocs reads back to ``data``.

    >>> print(front_matter({"title": "是: 否", "zones": ["青岛高新区"]}), end="")
    ---
    title: "是: 否"
    zones:
    - 青岛高新区
    ---
    """
    return "---\n" + "".join(line + "\n" for line in _yaml_mapping(data, "")) + "---\n"


# --- a YAML emitter for front matter ----------------------------------------------------------
# PyYAML's representer is pure Python even with libyaml (22 s for the 20,000 pages of a
# 10,000-article archive). Front matter holds only strings, numbers, booleans, None, lists and
# dicts, so it is written here: block style like PyYAML's, a string plain when it starts with a
# Han character and holds nothing YAML could read otherwise, else double-quoted with JSON's
# escapes (valid YAML) plus escapes for what YAML reads as a line break or does not allow.
# tests/test_write.py round-trips random data through yaml.safe_load.

_PLAIN = re.compile(r"[\u4e00-\u9fff\u2018-\u201d\u3001-\u303f\uff01-\uff5e][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff:#'\"\\]*(?<! )")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def yaml_scalar(value) -> str:
    """One scalar as YAML reads it back.

    >>> [yaml_scalar(v) for v in ("青岛高新区", "是: 否", "2024", None, True, 3)]
    ['青岛高新区', '"是: 否"', '"2024"', 'null', 'true', '3']
    """
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return yaml.dump(value, Dumper=SAFE_DUMPER).split("\n")[0]
    text = str(value)
    if _PLAIN.fullmatch(text):
        return text
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


@lru_cache(maxsize=None)
def _plain_key(key: str) -> bool:
    """``key`` written plain reads back as this string (not ``null``, ``true``, ``on`` …)."""
    return bool(_KEY.fullmatch(key)) and yaml.resolver.Resolver().resolve(
        yaml.ScalarNode, key, (True, False)) == "tag:yaml.org,2002:str"


def _yaml_key(key) -> str:
    return key if isinstance(key, str) and _plain_key(key) else yaml_scalar(key)


def _yaml_mapping(data: dict, indent: str) -> list[str]:
    lines = []
    for key, value in data.items():
        head = f"{indent}{_yaml_key(key)}:"
        if isinstance(value, dict) and value:
            lines.append(head)
            lines += _yaml_mapping(value, indent + "  ")
        elif isinstance(value, (list, tuple)) and value:
            lines.append(head)
            lines += _yaml_sequence(value, indent)
        else:
            lines.append(f"{head} {_yaml_empty(value)}")
    return lines


def _yaml_sequence(items, indent: str) -> list[str]:
    lines = []
    for value in items:
        if isinstance(value, dict) and value:
            sub = _yaml_mapping(value, indent + "  ")
        elif isinstance(value, (list, tuple)) and value:
            sub = _yaml_sequence(value, indent + "  ")
        else:
            lines.append(f"{indent}- {_yaml_empty(value)}")
            continue
        lines.append(f"{indent}- {sub[0][len(indent) + 2:]}")
        lines += sub[1:]
    return lines


def _yaml_empty(value) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return yaml_scalar(value)


# --- and its reader ----------------------------------------------------------------------------
# Reading front matter back with PyYAML costs a millisecond a page (its constructor is Python
# even with libyaml): a quarter of stamping 20,000 pages. read_front_matter reads exactly what
# the emitter above writes; anything else (a hand-edited block, a flow collection, a comment)
# gives None and the caller uses PyYAML. tests/test_write.py checks, on random blocks, that it
# never reads a block differently from yaml.safe_load.

_JSON = json.JSONDecoder()
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?= |$)")


class _NotEmitted(ValueError):
    """A block (or a line of it) that the emitter does not write."""


def read_front_matter(block: str) -> dict | None:
    r"""The mapping of a YAML block as :func:`front_matter` writes it (without its ``---``
    lines), or None for a block the emitter would not write (read it with PyYAML then).

    >>> read_front_matter('id: "0a1b"\ntitle: 标题\nzones:\n- 青岛高新区\npeople:\n- name: 王强\n  title: null\nn: 3\n')
    {'id': '0a1b', 'title': '标题', 'zones': ['青岛高新区'], 'people': [{'name': '王强', 'title': None}], 'n': 3}
    >>> read_front_matter("title: 标题 # 注\n"), read_front_matter("tags: [a, b]\n")
    (None, None)
    """
    lines = block.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or _YAML_UNSAFE.search(block) or "\t" in block or "\r" in block:
        return None
    try:
        value, end = _read_mapping(lines, 0, 0)
    except (_NotEmitted, ValueError, IndexError):
        return None
    return value if end == len(lines) else None


def _read_mapping(lines: list[str], i: int, indent: int, first: str | None = None) -> tuple[dict, int]:
    """The mapping whose entries start at line ``i``, ``indent`` spaces in (``first``: the
    text of line ``i`` after them, when it follows a sequence's ``- ``)."""
    out: dict = {}
    pad = " " * indent
    while i < len(lines):
        if first is not None:
            rest, first = first, None
        elif lines[i].startswith(pad) and not lines[i].startswith(pad + " ") and not lines[i].startswith(pad + "-"):
            rest = lines[i][indent:]
        elif len(lines[i]) - len(lines[i].lstrip(" ")) < indent:
            break  # the mapping ended
        else:
            raise _NotEmitted(lines[i])
        key, after = _read_key(rest)
        i += 1
        if after:
            out[key] = _read_scalar(after[1:])
        elif i < len(lines) and lines[i].startswith(pad + "- "):
            out[key], i = _read_sequence(lines, i, indent)
        elif i < len(lines) and lines[i].startswith(pad + "  ") and not lines[i].startswith(pad + "   "):
            out[key], i = _read_mapping(lines, i, indent + 2)
        else:
            raise _NotEmitted(rest)
    return out, i


def _read_sequence(lines: list[str], i: int, indent: int) -> tuple[list, int]:
    out = []
    pad = " " * indent + "- "
    while i < len(lines) and lines[i].startswith(pad):
        item = lines[i][len(pad):]
        if not item or item.startswith((" ", "- ")) or item == "-":
            raise _NotEmitted(lines[i])  # a nested sequence: the emitter hardly writes one
        if (item.startswith('"') and _after_string(item).startswith(":")) or _KEY_LINE.match(item):
            value, i = _read_mapping(lines, i, indent + 2, first=item)
            out.append(value)
        else:
            out.append(_read_scalar(item))
            i += 1
    return out, i


def _after_string(text: str) -> str:
    return text[_JSON.raw_decode(text)[1]:]


def _read_key(rest: str) -> tuple[str, str]:
    """``(key, what follows its colon)``: empty, or a space and a scalar."""
    if rest.startswith('"'):
        key, end = _JSON.raw_decode(rest)
        after = rest[end:]
        if not after.startswith(":"):
            raise _NotEmitted(rest)
        after = after[1:]
    else:
        m = _KEY_LINE.match(rest)
        if not m or not _plain_key(m.group(1)):
            raise _NotEmitted(rest)
        key, after = m.group(1), rest[m.end():]
    if after and not after.startswith(" "):
        raise _NotEmitted(rest)
    return key, after


def _read_scalar(text: str):
    """One scalar as :func:`yaml_scalar` writes it (and as YAML reads it)."""
    if text.startswith('"'):
        value, end = _JSON.raw_decode(text)
        if end != len(text) or not isinstance(value, str):
            raise _NotEmitted(text)
        return value
    if text in ("null", "true", "false", "{}", "[]"):
        return {"null": None, "true": True, "false": False, "{}": {}, "[]": []}[text]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _PLAIN.fullmatch(text):
        return text
    raise _NotEmitted(text)


def date_text(a: Article) -> str:
    """The date as shown in lists: an inferred date is labelled 推断.

    >>> from dataclasses import replace
    >>> from scripts.model import Article
    >>> a = Article("x", "article", "t", False, None, None, None, (), None, None, (), (), (), "2024-04-22",
    ...             "inferred", "f", "", (1, 1))
    >>> date_text(a), date_text(replace(a, date_basis="manifest")), date_text(replace(a, date=None))
    ('2024-04-22（推断）', '2024-04-22', '日期未知')
    """
    if not a.date:
        return "日期未知"
    return f"{a.date}（推断）" if a.date_basis == "inferred" else a.date


def _where_text(a: Article) -> str | None:
    m = a.meta
    parts = [f"《{m.newspaper}》" if m.newspaper else None, f"{m.page}版" if m.page else None,
             f"栏目：{m.column}" if m.column else None]
    return " ".join(p for p in parts if p) or None


def link_first_mentions(text: str, links: dict[str, tuple[str, str]], done: set[str], as_html: bool = False) -> str:
    r"""Link the first mention of each zone in already-escaped ``text`` (Markdown, or HTML when
    ``as_html``).

    ``links`` maps every way of writing a zone to ``(zone, url)``; ``done`` holds the zones
    already linked earlier on the page (updated here). Zone names hold no Markdown or HTML
    syntax, so the escaped text contains them as printed; a name right after ``!`` is skipped
    (``![`` would make a Markdown image).

    >>> links = {"青岛高新区": ("青岛高新区", "../zones/z-1.md"), "青岛国家高新区": ("青岛高新区", "../zones/z-1.md")}
    >>> done = set()
    >>> link_first_mentions("青岛国家高新区\\*党建\\*，青岛高新区", links, done)
    '[青岛国家高新区](../zones/z-1.md)\\*党建\\*，青岛高新区'
    >>> link_first_mentions("青岛高新区", links, done), done
    ('青岛高新区', {'青岛高新区'})
    >>> link_first_mentions("在青岛高新区", links, set(), as_html=True)
    '在<a href="../zones/z-1.md">青岛高新区</a>'
    """
    if not links or done >= {zone for zone, _ in links.values()}:
        return text
    pattern = _mentions(tuple(sorted(links, key=lambda n: (-len(n), n))))

    def link(m: re.Match[str]) -> str:
        zone, url = links[m.group()]
        if zone in done:
            return m.group()
        done.add(zone)
        return f'<a href="{html.escape(url)}">{m.group()}</a>' if as_html else f"[{m.group()}]({url})"

    return pattern.sub(link, text)


@lru_cache(maxsize=4096)
def _mentions(names: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern of any of ``names`` (longest first) not right after ``!``; compiled once per
    set of names (an archive has more sets than ``re``'s own cache holds)."""
    return re.compile("(?<!!)(?:" + "|".join(map(re.escape, names)) + ")")


def _zone_links(a: Article, links: PageLinks) -> dict[str, tuple[str, str]]:
    from .indexes import zone_names

    out: dict[str, tuple[str, str]] = {}
    for zone in a.zones:  # most-mentioned first: a name shared by two zones goes to the first
        slug = links.slug.get(("zones", zone))
        if slug:
            for name in zone_names(zone):
                out.setdefault(name, (zone, f"../zones/{slug}.md"))
    return out


# --- article pages: the raw-HTML parts ------------------------------------------------------

PARA_LINK_TITLE = "引用此段"
SOURCE_DIR = "src"  # docs/src/<id>.md: the raw page text and the cleaner's changes (provenance.py)
PHOTO_PLACEHOLDER = "原版面此处有照片（档案未收录图片）"


def _h(text: str | None) -> str:
    """Page text for a raw-HTML block: one line, HTML-escaped (quotes too)."""
    return html.escape(" ".join((text or "").split()))


def _html_links(names: list[str], links: PageLinks, folder: str) -> list[str]:
    """Each name escaped, linked to its term page (a ``.md`` path the hook resolves) when it has one."""
    slug = links.slug
    return [f'<a href="../{folder}/{slug[folder, n]}.md">{_h(n)}</a>' if (folder, n) in slug else _h(n)
            for n in names]


def text_units(a: Article) -> list[tuple[str | None, Paragraph | None]]:
    """The lead and body in page order, each text paragraph with its anchor: ``("p1", None)`` for
    the lead (with its dateline), ``("pN", paragraph)`` for every text paragraph of the body,
    ``(None, heading)`` for a section heading (not numbered). The article page and its source
    page (``scripts/provenance.py``) number alike through this.

    >>> from scripts.model import Article, Paragraph
    >>> a = Article("x", "article", "t", False, None, None, None, (), None, "导语", (Paragraph("小标题", "heading"),
    ...             Paragraph("正文")), (), (), None, None, "f", "", (1, 1))
    >>> [(n, p and p.text) for n, p in text_units(a)]
    [('p1', None), (None, '小标题'), ('p2', '正文')]
    """
    units: list[tuple[str | None, Paragraph | None]] = [("p1", None)] if (a.lead or a.dateline) else []
    n = len(units)
    for p in a.paragraphs:
        if p.kind == "heading":
            units.append((None, p))
        else:
            n += 1
            units.append((f"p{n}", p))
    return units


def _paragraph(anchor: str, inner: str) -> str:
    """``<p id="pN">…</p>`` with its ¶ link (kept out of the search index); ``inner`` is already
    escaped HTML."""
    return (f'<p id="{anchor}">{inner} <a class="para-link" href="#{anchor}" '
            f'title="{PARA_LINK_TITLE}（第 {anchor[1:]} 段）" data-search-exclude>¶</a></p>')


def _date_html(a: Article) -> str:
    """The date with where it comes from; an inferred one says 推断 and shows its evidence."""
    if not a.date:
        return '<span class="date-unknown">日期未知</span>'
    text = _h(a.date)
    if a.date_basis == "inferred":
        text += '<span class="date-inferred">（推断）</span>'
        if a.date_evidence:
            text += f'<span class="date-evidence">日期为推断，依据：“{_h(a.date_evidence)}”</span>'
    elif a.date_basis in DATE_BASIS_LABELS:
        text += f'<span class="date-basis">（{DATE_BASIS_LABELS[a.date_basis]}）</span>'
    return text


def _authors_html(a: Article, links: PageLinks) -> str | None:
    if a.authors:
        names = _html_links([au.name for au in a.authors], links, "authors")
        return "、".join(f'<span class="role">{_h(au.role)}</span> {n}' if au.role else n
                        for au, n in zip(a.authors, names))
    return _h(a.byline) if a.byline else None


def _where_html(a: Article) -> str:
    """Newspaper, page and column as the manifest records them; what is unknown is said."""
    m = a.meta
    parts = [f"《{_h(m.newspaper)}》" if m.newspaper else '<span class="unknown">报纸名不详</span>']
    if m.page:
        parts.append(f"第 {_h(m.page)} 版")
    if m.column:
        parts.append(f"栏目：{_h(m.column)}")
    return " · ".join(parts)


def meta_panel(a: Article, links: PageLinks, has_source: bool = False) -> str:
    """``<dl class="meta-panel">``: date (with its basis), authors with roles, zones, source
    page, tags, topics, the raw text's place (and a link to it when ``has_source``)."""
    rows = [("日期", _date_html(a))]
    authors = _authors_html(a, links)
    if authors:
        rows.append(("作者", authors))
    if a.zones:
        rows.append(("高新区", "、".join(_html_links(list(a.zones), links, "zones"))))
    rows.append(("出处", _where_html(a)))
    if a.tags:
        rows.append(("标签", "、".join(_html_links(list(a.tags), links, "tags"))))
    if a.topics:
        rows.append(("主题", "、".join(_html_links(list(a.topics), links, "topics"))))
    first, last = a.lines
    source = (f'{_h(a.source_file)}，第 {first}–{last} 行 '
              f'<span class="sha" title="原始文件 SHA-256：{_h(a.source_sha256)}">SHA-256 {_h(a.source_sha256[:12])}…</span>')
    if has_source:
        source += f' <a class="source-link" href="../{SOURCE_DIR}/{a.id}.md">查看原始版面文本</a>'
    rows.append(("原文", source))
    rows.append(("引用", '<a href="#cite">引用本文</a> · <a href="../cite.md">如何引用</a>'))
    # one row per line, label and value together: the panel reads "日期：2024-04-22（推断）"
    return '<dl class="meta-panel">\n' + "\n".join(f"<dt>{k}：</dt><dd>{v}</dd>" for k, v in rows) + "\n</dl>"


def _text_blocks(a: Article, page: PageLinks) -> list[str]:
    """Lead and body as on the page: every paragraph ``<p id="pN">`` with its ¶ link, text
    HTML-escaped, zones linked at their first mention; section headings as Markdown ``##``."""
    links, done = _zone_links(a, page), set()
    blocks = []
    for anchor, p in text_units(a):
        if p is None:  # the lead, after its dateline
            dateline = f"<strong>{_h(a.dateline)}</strong>" if a.dateline else ""
            lead = link_first_mentions(html.escape(a.lead), links, done, as_html=True) if a.lead else ""
            inner = " ".join(t for t in (dateline, lead) if t)
            blocks.append('<div class="lead">\n' + _paragraph(anchor, inner) + "\n</div>")
        elif anchor is None:
            blocks.append(f"## {escape_inline(p.text)}")
        else:
            blocks.append(_paragraph(anchor, link_first_mentions(html.escape(p.text), links, done, as_html=True)))
    return blocks


def _figures(a: Article) -> str:
    """Captions as figure captions (``f1``, ``f2`` …), each under a placeholder for its photo."""
    figures = []
    for i, c in enumerate(a.captions, 1):
        credit = f' <span class="photo-credit">—— {_h(c.credit)}</span>' if c.credit else ""
        figures.append(f'<figure class="photo" id="f{i}">\n'
                       f'<div class="photo-placeholder" aria-hidden="true" data-search-exclude>{PHOTO_PLACEHOLDER}</div>\n'
                       f'<figcaption>{_h(c.text)}{credit} <a class="para-link" href="#f{i}" '
                       f'title="{PARA_LINK_TITLE}（图 {i}）" data-search-exclude>¶</a></figcaption>\n</figure>')
    return '<div class="photos">\n' + "\n".join(figures) + "\n</div>"


FIGURES_ON_PAGE = 12  # the page shows the first ones; data/figures.csv has every figure


def _figures_table(a: Article) -> str:
    """Key figures as a table: a sentence is printed once, beside the first of its figures."""
    rows = ["| 项目 | 数值 | 单位 | 原文 |", "| --- | --- | --- | --- |"]
    seen: set[str] = set()
    for f in a.figures[:FIGURES_ON_PAGE]:
        sentence = "" if f.sentence in seen else escape_inline(f.sentence)
        seen.add(f.sentence)
        rows.append(f"| {escape_inline(f.subject)} | {escape_inline(f.value)} | {escape_inline(f.unit)} | {sentence} |")
    more = len(a.figures) - FIGURES_ON_PAGE
    note = f"\n\n另有 {more} 项，见[数据导出](../data/figures.csv)。" if more > 0 else ""
    return "\n".join(rows) + note


def _article_link(article_id: str, title: str) -> str:
    return f"[{escape_inline(title)}]({article_id}.md)"  # pages of docs/a/ link to each other


def _link_sections(links: PageLinks) -> list[str]:
    """相关文章, 同一高新区的其他文章, 疑似重复报道: only those that have something to list."""
    blocks = []
    if links.related:
        blocks.append("## 相关文章\n\n" + "\n".join(f"- {_article_link(i, t)} · 相似度 {s:.2f}"
                                                  for i, t, s in links.related))
    same = []
    for zone, slug, total, shown in links.same_zone:
        if shown:
            more = f"，[全部 {total} 篇](../zones/{slug}.md)" if total - 1 > SAME_ZONE_MAX else ""
            same.append(f"**[{escape_inline(zone)}](../zones/{slug}.md)**（另有 {total - 1} 篇{more}）\n\n"
                        + "\n".join(f"- {_article_link(i, t)} · {escape_inline(d)}" for i, t, d in shown))
    if same:
        blocks.append("## 同一高新区的其他文章\n\n" + "\n\n".join(same))
    if links.duplicates:
        blocks.append("## 疑似重复报道\n\n以下文章与本文有大段相同的文字。\n\n"
                      + "\n".join(f"- {_article_link(i, t)} · {escape_inline(d)}" for i, t, d in links.duplicates))
    return blocks


def article_page(a: Article, site: Site | None = None, has_source: bool = False) -> str:
    """The Markdown page of one article: front matter, then the text, everything escaped.

    ``site`` (``scripts.indexes.Site``) is what the page links to: zone, tag, topic and author
    pages and other articles; without it, a site of this one article. ``has_source``: the
    article's raw-text page ``src/<id>.md`` exists (``scripts/provenance.py``) and is linked.
    """
    if site is None:
        from .indexes import Site
        site = Site.build([a])
    return render_article_page(a, page_links(a, site), has_source)


def render_article_page(a: Article, links: PageLinks, has_source: bool = False, record: dict | None = None) -> str:
    """:func:`article_page` from the article and what it shows of the rest of the archive
    (``record``: its :func:`article_record`, when the caller has it)."""
    record = article_record(a) if record is None else record
    blocks = []
    if a.kicker:
        blocks.append(f'<p class="kicker">{_h(a.kicker)}</p>')
    blocks.append(f"# {escape_inline(a.title)}")
    if a.title_inferred:
        blocks.append(f'<p class="title-note">〔{INFERRED_TITLE_NOTE}〕</p>')
    if a.subtitle:
        blocks.append(f'<p class="subtitle">{_h(a.subtitle)}</p>')
    blocks.append(meta_panel(a, links, has_source))
    blocks += _text_blocks(a, links)
    if a.captions:
        blocks.append("## 图片说明")
        blocks.append(_figures(a))
    if a.people:
        blocks.append("## 人物\n\n" + "\n".join(
            f"- {escape_inline(p.name)}" + (f"，{escape_inline(p.title)}" if p.title else "") for p in a.people))
    if a.organizations:
        blocks.append("## 机构\n\n" + "\n".join(f"- {escape_inline(o)}" for o in a.organizations))
    if a.figures:
        blocks.append("## 关键数据\n\n" + _figures_table(a))
    blocks += _link_sections(links)
    meta = {k: record[k] for k in FRONT_MATTER_KEYS}
    return front_matter(meta) + "\n" + "\n\n".join(blocks) + "\n"


def figures_csv(articles: list[Article]) -> str:
    """``data/figures.csv``: one row per key figure, with its article; starts with a BOM (Excel).
    It is :data:`FIGURES_HEAD` and then :func:`figures_rows` of each page file's articles.

    >>> figures_csv([]).splitlines()
    ['\\ufeffid,title,zone,date,date_basis,subject,value,unit,sentence']
    """
    return FIGURES_HEAD + figures_rows(articles)


def figures_rows(articles: list[Article]) -> str:
    """The rows of ``data/figures.csv`` for these articles (CRLF line ends, no header)."""
    return excel_csv(FIGURES_CSV_COLUMNS, ([a.id, a.title, "、".join(a.zones), a.date or "", a.date_basis or "",
                                            f.subject, f.value, f.unit, f.sentence]
                                           for a in articles for f in a.figures))[len(FIGURES_HEAD):]


def excel_csv(columns, rows) -> str:
    r"""CSV text that Excel opens as UTF-8: a byte-order mark, CRLF line ends.

    >>> excel_csv(["a", "b"], [["党建", "1,2"]])
    '\ufeffa,b\r\n党建,"1,2"\r\n'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()


FIGURES_HEAD = excel_csv(FIGURES_CSV_COLUMNS, [])  # the BOM and the header line of figures.csv


def articles_index(report: BuildReport) -> dict[str, str]:
    """``docs/articles.md`` (``articles-2.md`` …): every article, grouped by source page (pages
    by file), about ``PAGE_SIZE`` articles a page (a source page is never split); ``{path: text}``."""
    from .indexes import PAGE_SIZE, page_paths, pager

    pages = sorted(report.pages, key=lambda p: p.file)
    n = sum(len(p.articles) for p in pages)
    groups: list[list[str]] = [[]]
    size = 0
    for p in pages:
        if size >= PAGE_SIZE:
            groups.append([])
            size = 0
        groups[-1].append(_source_block(p))
        size += max(1, len(p.articles))
    paths = page_paths("articles.md", len(groups))
    out = {}
    for k, (path, blocks) in enumerate(zip(paths, groups)):
        title = "文章" if k == 0 else f"文章（第 {k + 1} 页）"
        nav = pager(paths, k)
        body = [f"# {title}", f"共 {n} 篇，出自 {len(pages)} 个版面文件。", nav, *blocks, nav]
        out[path] = front_matter({"title": title}) + "\n" + "\n\n".join(b for b in body if b) + "\n"
    return out


def _source_block(p: PageResult) -> str:
    """One source page's heading and its articles, for :func:`articles_index`."""
    blocks = [f"## {escape_inline(p.file)}"]
    articles = sorted(p.articles, key=article_order)
    if articles and _where_text(articles[0]):
        blocks.append(escape_inline(_where_text(articles[0])))
    items = []
    for a in articles:
        details = [KIND_LABELS.get(a.kind, a.kind)]
        if a.zones:
            details.append("地区：" + "、".join(a.zones))
        if a.authors:
            details.append("作者：" + "、".join(au.name for au in a.authors))
        details.append(date_text(a))
        items.append(f"- [{escape_inline(a.title)}]({ARTICLE_DIR}/{a.id}.md) · "
                     + escape_inline(" · ".join(details)))
    blocks.append("\n".join(items) if items else "（本页没有文章）")
    return "\n\n".join(blocks)


# --- files ----------------------------------------------------------------------------------

def write_if_changed(path: Path, text: str | bytes) -> bool:
    """Write ``text`` (UTF-8, ``\\n``; or bytes) unless the file already holds exactly it; True
    if written. The file is read to compare only when its size is the new one. A new file is
    renamed over the old one (``cache.write_atomically``), never written into: a build stopped
    half-way leaves no half-written page or registry, and a hard link to the old file (the
    site's copy of an export, ``stamp.link_exports``) keeps the old bytes.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.md"
    >>> write_if_changed(path, "党建"), write_if_changed(path, "党建".encode()), write_if_changed(path, "党员")
    (True, False, True)
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)
    return True


def remove_stale(folder: Path, keep: set[str]) -> list[Path]:
    """Delete the ``*.md`` files directly in ``folder`` whose names are not in ``keep``."""
    with os.scandir(folder) as entries:  # names and types as the directory lists them: no stat per page
        stale = sorted(folder / e.name for e in entries
                       if e.name.endswith(".md") and e.name not in keep and e.is_file())
    for p in stale:
        p.unlink()
    return stale


class _ArticleWriter:
    """Writes the article and raw-text pages of the articles of one page file (read once);
    returns the ids that got a raw-text page, the files it wrote (or found written) with their
    size and modification time, and each article's line of ``data/articles.jsonl``. A plain
    object, so forked workers can run it."""

    def __init__(self, site: Site, source_dir: Path, article_dir: Path, root: Path,
                 bases: Bases | None = None) -> None:
        self.site, self.source_dir, self.article_dir, self.root = site, source_dir, article_dir, root
        self.bases = bases or {}

    def __call__(self, group: list[Article]) -> tuple[tuple[str, ...], tuple[tuple[str, int, int], ...], Parts]:
        """The group's pages written: the ids given a raw-text page, the files as written
        (:func:`file_state`) and the group's :data:`Parts` of the exports."""
        from .provenance import iter_source_pages

        sourced, files, lines = [], [], []
        for article_id, text in iter_source_pages(group, self.root):
            files.append(self.source_dir / f"{article_id}.md")
            write_if_changed(files[-1], text)
            sourced.append(article_id)
        for a in group:
            record = article_record(a)
            files.append(self.article_dir / f"{a.id}.md")
            write_if_changed(files[-1], render_article_page(a, page_links(a, self.site), a.id in sourced, record))
            lines.append(json_lines([record]))
        return tuple(sourced), tuple(file_state(f) for f in files), ("".join(lines).encode("utf-8"),
                                                                     figures_rows(group).encode("utf-8"))

    def key(self, cache: Cache, group: list[Article]) -> str:
        """What the group's pages are made of: its articles, what each shows of the rest of the
        archive (:class:`PageLinks`), the page file they come from (name, size, modification
        time: the raw-text pages read it) and where the pages go."""
        source = self.root / group[0].source_file
        try:
            stat = source.stat()
            state = f"{stat.st_size} {stat.st_mtime_ns}"
        except OSError:
            state = "unreadable"
        pages = value_bytes([(article_content(a, self.bases.get(a.id)), page_links(a, self.site).fields())
                             for a in group])
        return cache.key(str(self.source_dir), str(self.article_dir), group[0].source_file, state, pages)


#: id -> ``(base, digest)``: an earlier version of the article, and a digest of all it held (the
#: pipeline's enrich key): see :func:`article_content`.
Bases = dict[str, tuple[Article, str]]


def article_content(a: Article, base: tuple[Article, str] | None = None) -> object:
    """A value that tells ``a``'s content apart (in a key: ``cache.value_bytes``): ``a`` itself,
    or, given ``base`` (an earlier version of ``a`` and a digest of all it held), the digest and
    the fields whose value is no longer the base's own object. A field still holding the base's object holds what the
    digest vouches for (articles and their parts are immutable); the paragraphs, which are the
    most of an article, are so never spelled out again.

    >>> from dataclasses import replace
    >>> a = Article("x", "article", "标题", False, None, None, None, (), None, "正文。", (), (), (), None, None,
    ...             "f", "", (1, 1))
    >>> article_content(replace(a, tags=("党建",)), (a, "d1"))
    ('d1', [('tags', ('党建',))])
    """
    if base is None:
        return a
    old, digest = base
    return digest, [(name, value) for name in field_names(type(a))
                    if (value := getattr(a, name)) is not getattr(old, name)]


def file_state(path: Path | str) -> tuple[str, int, int]:
    """``(path, size, modification time in ns)``: how the write stage recognises a file it wrote."""
    stat = os.stat(path)
    return str(path), stat.st_size, stat.st_mtime_ns


def is_written(value: object) -> bool:
    """Whether a cached value is the first two of what :meth:`_ArticleWriter.__call__` returns,
    and the files it lists are still as they were written (not edited, touched or removed since)."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], tuple)):
        return False
    try:
        return all(file_state(path) == (path, size, mtime) for path, size, mtime in value[1])
    except (OSError, TypeError, ValueError):
        return False


#: A page file's parts of the exports (:data:`EXPORTS`), UTF-8: its articles' lines of
#: ``articles.jsonl`` and their rows of ``figures.csv``. Only ever joined and written, never decoded.
Parts = tuple[bytes, bytes]


def is_parts(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == len(EXPORTS) and all(isinstance(v, bytes) for v in value)


def write_groups(job: _ArticleWriter, groups: list[list[Article]], cache: Cache, parts: Cache,
                 ) -> tuple[set[str], list[str], dict[str, Parts]]:
    """The pages of every group (the articles of one page file): the ids that got a raw-text
    page, each group's key and the :data:`Parts` of the groups written now, by key (``parts``
    keeps them for later builds; the caller prunes it). A group whose pages were written from
    the same inputs (:meth:`_ArticleWriter.key`) and are still as written is skipped; the others
    are written in worker processes."""
    keys = [job.key(cache, g) for g in groups]
    done = [cache.get(k, is_written) for k in keys]
    todo = [i for i, d in enumerate(done) if d is MISSING]
    fresh: dict[str, Parts] = {}
    for i, result in zip(todo, map_pages(job, [groups[i] for i in todo])):
        done[i], fresh[keys[i]] = keep_written(keys[i], result, cache, parts)
    parts.used.update(keys)  # the parts of the groups kept are read only when the exports need them
    removed = cache.prune()
    if cache.enabled:
        log.info("cache pages written: %d kept, %d written, %d stale removed", cache.hits, len(todo), removed)
    return {i for sourced, _ in done for i in sourced}, keys, fresh


def keep_written(key: str, result: tuple, cache: Cache, parts: Cache) -> tuple[tuple, Parts]:
    """What :meth:`_ArticleWriter.__call__` returned for a group, kept under its key: the ids
    and files (``cache``) apart from the exports' parts (``parts``), which are read only when an
    export cannot be patched. Returns the two."""
    sourced, states, made = result
    cache.put(key, (sourced, states))
    parts.put(key, made)
    return (sourced, states), made


#: The exports made of each page file's :data:`Parts`, in article order: (name in ``data/``, the
#: bytes before the parts).
EXPORTS = (("articles.jsonl", b""), ("figures.csv", FIGURES_HEAD.encode("utf-8")))


def write_exports(data_dir: Path, keys: list[str], fresh: dict[str, Parts],
                  stored: Callable[[str], Parts], cache: Cache) -> list[Path]:
    """Each of :data:`EXPORTS` as its head and the parts of the groups ``keys``, in order; the
    files written (those whose bytes changed). ``fresh``: the parts written in this build;
    ``stored(key)``: the parts of another group (read back from the cache, else made again)."""
    written = []
    for n, (name, head) in enumerate(EXPORTS):
        part = {k: made[n] for k, made in fresh.items()}
        if concatenate(data_dir / name, head, keys, part, lambda k: stored(k)[n], cache):
            written.append(data_dir / name)
    return written


def concatenate(path: Path, head: bytes, keys: list[str], fresh: dict[str, bytes],
                stored: Callable[[str], bytes], cache: Cache) -> bool:
    """Write ``path`` as ``head`` and one part per key, in order, unless it already holds
    exactly that; True if written. ``fresh``: the parts made in this build, by key; any other
    key's part is the one of the same key in an earlier build. When the file is still as the
    last build wrote it (its layout is kept in ``cache``: the key, offset and length of every
    part), those are copied from it inside the kernel (``os.copy_file_range``): a rebuild after
    one page changed neither reads nor decodes the other 160 MB of a 10,000-article export.
    Else they come from ``stored(key)``. Written to a temporary file, then renamed over ``path``.

    >>> import tempfile
    >>> path, cache = Path(tempfile.mkdtemp()) / "x.csv", Cache(None)
    >>> concatenate(path, b"h\\n", ["a", "b"], {"a": b"1\\n", "b": b"2\\n"}, None, cache), path.read_bytes()
    (True, b'h\\n1\\n2\\n')
    """
    layout_key = cache.key("layout", str(path))
    layout = cache.get(layout_key, lambda v: isinstance(v, tuple) and len(v) == 3)
    old: dict[str, tuple[int, int]] = {}
    old_keys: list[str] = []
    if layout is not MISSING and keys and not fresh.keys() >= set(keys):
        state, old_head, spans = layout
        try:
            if old_head == head and file_state(path) == state:
                old = {k: (offset, length) for k, offset, length in spans}
                old_keys = [k for k, _, _ in spans]
        except OSError:
            pass
    lengths: list[int] = []
    if old and len(keys) == len(old_keys) and unchanged(path, keys, old_keys, old, fresh):
        written = False
        lengths = [old[k][1] if k in old else len(fresh[k]) for k in keys]
    elif old:
        written = True
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(path, "rb") as src, open(tmp, "wb", buffering=0) as out:
            _write_all(out, head)
            for k in keys:
                if k in fresh:
                    _write_all(out, fresh[k])
                    lengths.append(len(fresh[k]))
                elif k in old:
                    _copy_span(src, out, *old[k])
                    lengths.append(old[k][1])
                else:
                    data = stored(k)
                    _write_all(out, data)
                    lengths.append(len(data))
        os.replace(tmp, path)
    else:
        parts = [fresh[k] if k in fresh else stored(k) for k in keys]
        written = write_if_changed(path, head + b"".join(parts))
        lengths = [len(p) for p in parts]
    offsets = list(accumulate([len(head)] + lengths[:-1])) if lengths else []
    cache.put(layout_key, (file_state(path), head, tuple(zip(keys, offsets, lengths))))
    return written


def unchanged(path: Path, keys: list[str], old_keys: list[str], old: dict[str, tuple[int, int]],
              fresh: dict[str, bytes]) -> bool:
    """Whether the file (laid out as ``old_keys``, ``old``) already holds the parts of ``keys``:
    the same keys in the same places, but for fresh parts equal to the old ones where they are."""
    if any(k != o and k not in fresh for k, o in zip(keys, old_keys)):
        return False
    with open(path, "rb") as src:
        for k, o in zip(keys, old_keys):
            if k in fresh:
                offset, length = old[o]
                src.seek(offset)
                if length != len(fresh[k]) or src.read(length) != fresh[k]:
                    return False
    return True


def _write_all(out, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[out.write(view):]


def _copy_span(src, out, offset: int, length: int) -> None:
    """Append ``length`` bytes of ``src`` from ``offset`` to ``out`` (unbuffered), in the kernel
    where it can."""
    while length > 0:
        try:
            n = os.copy_file_range(src.fileno(), out.fileno(), length, offset)
        except (AttributeError, OSError):  # not on this system, or not between these files
            src.seek(offset)
            data = src.read(length)
            _write_all(out, data)
            n = len(data)
        if n == 0:
            raise OSError(f"{src.name} is shorter than its recorded layout")
        offset, length = offset + n, length - n


MIN_GROUPS_PER_WORKER = 50  # page files; fewer are written in this process


def map_pages(job, groups: list) -> list:
    """``[job(g) for g in groups]``, shared out to forked worker processes (the pipeline's
    ``worker_count``) when there are enough groups; results in the order of ``groups``. Unlike
    ``pipeline.parallel_map``, ``job`` is inherited by the workers, not pickled."""
    import multiprocessing

    from .pipeline import worker_count

    n = min(worker_count(), len(groups) // MIN_GROUPS_PER_WORKER)
    if n < 2:
        return [job(g) for g in groups]
    global _JOB
    _JOB = job  # inherited by the forked workers: the site is not pickled
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            return pool.map(_run_job, groups, chunksize=max(1, len(groups) // (n * 8)))
    finally:
        _JOB = None


_JOB = None


def _run_job(group):
    return _JOB(group)


def write_all(report: BuildReport, docs_dir: Path, root: Path | None = None, bases: Bases | None = None) -> None:
    """Write every generated file under ``docs_dir``; unchanged files are left alone, stale
    ``*.md`` files of the generated folders (``a/``, ``src/``, ``tags/``, ``zones/`` …) are removed.

    ``root``: the folder the articles' ``source_file`` paths are relative to, for the raw-text
    pages; by default the one holding ``docs_dir`` (the project: ``docs/`` beside ``seeds/``).
    ``bases``: earlier versions of the articles with digests (:func:`article_content`), which
    make keying the pages cheaper.
    """
    from .indexes import Site

    pages = sorted(report.pages, key=lambda p: p.file)
    articles = sorted((a for p in pages for a in p.articles), key=article_order)
    site = Site.build(articles)
    source_dir, article_dir = docs_dir / SOURCE_DIR, docs_dir / ARTICLE_DIR
    groups: dict[str, list[Article]] = {}
    for a in articles:
        groups.setdefault(a.source_file, []).append(a)
    root = docs_dir.parent if root is None else root
    job = _ArticleWriter(site, source_dir, article_dir, root, bases)
    from .pipeline import forked

    with forked(write_listings, report, pages, articles, site, docs_dir,
                when=len(articles) >= LISTINGS_BESIDE_MIN) as listings_written:
        written, parts = Cache.open(root, "written"), Cache.open(root, "exports")
        group_list = list(groups.values())  # in article order: the exports are their parts in this order
        sourced, keys, fresh = write_groups(job, group_list, written, parts)
        by_key = dict(zip(keys, group_list))

        def stored(key: str) -> Parts:  # a kept group's parts, when the exports cannot be patched
            made = parts.get(key, is_parts)
            if made is MISSING:
                _, made = keep_written(key, job(by_key[key]), written, parts)
            return made

        write_exports(docs_dir / DATA_DIR, keys, fresh, stored, parts)
        parts.prune()
        tell_articles_written(docs_dir / DATA_DIR / "articles.jsonl")  # the search index starts (scripts/events.py)
        if source_dir.is_dir():
            remove_stale(source_dir, {f"{i}.md" for i in sourced})
        if article_dir.is_dir():
            remove_stale(article_dir, {f"{a.id}.md" for a in articles})
        listings_written()


def generated_folders() -> tuple[str, ...]:
    """The folders of ``docs/`` the build writes whole (nothing in them is hand-written): the
    article and raw-text pages, the exports and the index pages.

    >>> generated_folders()
    ('a', 'src', 'data', 'tags', 'topics', 'zones', 'authors', 'years')
    """
    from .indexes import TAXONOMY_DIRS

    return (ARTICLE_DIR, SOURCE_DIR, DATA_DIR, *TAXONOMY_DIRS)


LISTINGS_BESIDE_MIN = 2_000  # articles from which write_listings runs in a forked process


def write_listings(report: BuildReport, pages: list[PageResult], articles: list[Article], site: Site,
                   docs_dir: Path) -> None:
    """Every generated file but the article and raw-text pages: the index pages, the list of
    articles, the exports and the site pages (``scripts/publish.py``), stale ones removed. They
    depend on the report alone, so a large archive writes them in a forked process while this
    one writes the article pages (``write_all``)."""
    from .indexes import TAXONOMY_DIRS, index_pages
    from .publish import site_pages

    generated = index_pages(site)
    for rel, text in generated.items():
        write_if_changed(docs_dir / rel, text)
    for folder in TAXONOMY_DIRS:
        if (docs_dir / folder).is_dir():
            remove_stale(docs_dir / folder, {Path(rel).name for rel in generated if rel.startswith(folder + "/")})
    listing = articles_index(report)
    for rel, text in listing.items():
        write_if_changed(docs_dir / rel, text)
    for stale in docs_dir.glob("articles-*.md"):
        if stale.name not in listing:
            stale.unlink()
    write_if_changed(docs_dir / DATA_DIR / "sources.jsonl", json_lines([source_record(p) for p in pages]))
    for rel, text in site_pages(report, articles).items():
        write_if_changed(docs_dir / rel, text)
