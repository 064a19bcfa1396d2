"""A fast renderer for the small Markdown subset the pipeline writes, giving Python-Markdown's HTML.

The generated pages (articles, raw-text pages, tag/zone/author/year/topic pages: thousands of
them) are mostly raw HTML blocks with a few headings, lists, one table and paragraphs of escaped
text. Python-Markdown spends most of its time re-parsing those raw HTML blocks (its HTML
extractor runs Python's ``HTMLParser`` over every tag); this module renders the same subset with
a handful of regular expressions, about fifty times faster, and refuses anything outside it:

- blocks separated by blank lines;
- a raw HTML block: a line starting with a block-level tag, up to the line that closes it
  (kept byte for byte, blank lines inside included);
- ATX headings ``#`` … ``######`` with the toc extension's ids (``slugify_unicode``, ``_1``
  suffixes for repeats) and its ``¶`` permalink;
- bullet lists (``- item``, one line each), pipe tables (header row, ``---`` row, body rows)
  and paragraphs;
- inline: backslash escapes, ``**strong**``, ``[text](url)`` links, entities and inline HTML.

Anything else (emphasis with ``*`` or ``_``, code spans, block quotes, ordered lists, indented
code, line breaks, a bare ``&`` or ``<``…) raises :class:`Unsupported`, and the caller renders
that page with Python-Markdown instead (:func:`render` does so itself). ``tests/test_stamp.py``
checks the two agree on every generated page of the seed archive (600 pages of a synthetic
archive of 1,000 articles agreed too, checked once by hand).

>>> html, toc = render("# 标题\\n\\n正文 \\\\*不是强调\\\\*，[链接](a/x.md)。\\n\\n- 一\\n- **二**")
>>> print(html)
<h1 id="标题">标题<a class="headerlink" href="#标题" title="Permanent link">&para;</a></h1>
<p>正文 *不是强调*，<a href="a/x.md">链接</a>。</p>
<ul>
<li>一</li>
<li><strong>二</strong></li>
</ul>
>>> toc
[{'level': 1, 'id': '标题', 'name': '标题', 'children': []}]
"""
from __future__ import annotations

import html as _html
import re
from functools import lru_cache

from markdown.extensions.toc import slugify_unicode

#: Python-Markdown's block-level tags (``markdown.Markdown().block_level_elements``): a line
#: starting with one of these opens a raw HTML block.
BLOCK_TAGS = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 "
    "h6 header hgroup hr main menu nav ol p pre section table ul canvas colgroup dd body dt group html iframe "
    "li legend math map noscript output object option progress script style summary tbody td textarea tfoot "
    "th thead tr video center".split())
#: Characters Python-Markdown unescapes after a backslash (with the tables extension's ``|``).
ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!|")
PERMALINK = '<a class="headerlink" href="#{id}" title="Permanent link">&para;</a>'

_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_RAW_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(?=[\s>/])")
_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*$")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_INLINE_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_LINK = re.compile(r"\[((?:\\.|[^\[\]\\])*)\]\(([^()\s]*)\)")
_STRONG = re.compile(r"\*\*(?=\S)((?:\\.|[^*\\])+?)(?<=\S)\*\*")
_ESCAPE = re.compile(r"\\(.)")
# After links, strong, escapes, tags and entities are taken out, none of these may be left.
_UNSUPPORTED_INLINE = re.compile(r"[*_`<>\[\]]|&|  $|\\", re.M)
# A paragraph line starting like this would be another block (list, quote, rule, setext
# underline, fence, indented code, ordered list).
_BLOCK_START = re.compile(r"[-+*](?:\s|$)|[>=~]|[ \t]|\d+[.)]\s|```")
# Any character an inline rule below acts on (or rejects), and a hard break: without one of
# these, a text is its own HTML.
_INLINE_SYNTAX = re.compile(r"[*_`<>\[\]&\\\x02]|  $", re.M)
_STASH = "\x02{}\x03"
_STASHED = re.compile("\x02(\\d+)\x03")


class Unsupported(ValueError):
    """The text uses Markdown outside this module's subset."""


def _text_of(fragment: str) -> str:
    """Visible text of an HTML fragment, entities decoded (what the toc extension slugifies).

    >>> _text_of('<a href="x">党建</a> &amp; 工会')
    '党建 & 工会'
    """
    return _html.unescape(_INLINE_TAG.sub("", fragment))


def inline(text: str) -> str:
    r"""One paragraph, list item, cell or heading of the subset as HTML.

    >>> inline(r'\#1 \[图\] **[标题](a/x.md)** &lt;b&gt; <span class="x">注</span>')
    '#1 [图] <strong><a href="a/x.md">标题</a></strong> &lt;b&gt; <span class="x">注</span>'
    >>> inline("a * b")
    Traceback (most recent call last):
    ...
    scripts.fastmd.Unsupported: inline markup in 'a * b'
    """
    if not _INLINE_SYNTAX.search(text):  # plain text (most table cells): nothing to do
        return text
    return _inline_rules(text)


def _inline_rules(text: str) -> str:
    """:func:`inline` without its shortcut for plain text."""
    stash: list[str] = []

    def keep(piece: str) -> str:
        stash.append(piece)
        return _STASH.format(len(stash) - 1)

    def escape(m: re.Match[str]) -> str:
        if m.group(1) not in ESCAPABLE:
            raise Unsupported(f"backslash before {m.group(1)!r}")
        return keep(_html.escape(m.group(1), quote=False))

    def link(m: re.Match[str]) -> str:
        return keep(f'<a href="{_html.escape(m.group(2))}">') + m.group(1) + keep("</a>")

    out = _ESCAPE.sub(escape, text)
    out = _INLINE_TAG.sub(lambda m: keep(m.group()), out)
    out = _ENTITY.sub(lambda m: keep(m.group()), out)
    out = _LINK.sub(link, out)
    out = _STRONG.sub(lambda m: keep("<strong>") + m.group(1) + keep("</strong>"), out)
    if _UNSUPPORTED_INLINE.search(out):
        raise Unsupported(f"inline markup in {text[:60]!r}")
    while _STASHED.search(out):
        out = _STASHED.sub(lambda m: stash[int(m.group(1))], out)
    return out


def _unique(slug: str, used: set[str]) -> str:
    """The toc extension's rule: a repeated id gets ``_1``, ``_2`` …"""
    candidate, n = slug, 0
    while candidate in used or not candidate:
        n += 1
        candidate = f"{slug}_{n}"
    used.add(candidate)
    return candidate


def _raw_block(lines: list[str], i: int) -> int:
    """Index of the line after the raw HTML block opened at ``lines[i]``."""
    name = _RAW_OPEN.match(lines[i]).group(1).lower()
    tag = _tag_pattern(name)
    depth = 0
    for j in range(i, len(lines)):
        if name not in lines[j].lower():  # cheap test first: most lines of a long block
            continue
        for m in tag.finditer(lines[j]):
            depth += -1 if m.group(1) else 1
        if depth <= 0:
            if not re.search(rf"</{name}>\s*$", lines[j], re.I) and j == i and depth < 0:
                raise Unsupported(f"raw HTML at line {i + 1}")
            return j + 1
    raise Unsupported(f"unclosed <{name}> at line {i + 1}")


@lru_cache(maxsize=None)
def _tag_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){name}(?=[\s>/])", re.I)


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)]


def _table(rows: list[str]) -> str:
    head = _cells(rows[0])
    out = ["<table>", "<thead>", "<tr>"]
    out += [f"<th>{inline(c)}</th>" for c in head]
    out += ["</tr>", "</thead>", "<tbody>"]
    for row in rows[2:]:
        cells = (_cells(row) + [""] * len(head))[: len(head)]
        out += ["<tr>", *(f"<td>{inline(c)}</td>" for c in cells), "</tr>"]
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _nest(flat: list[dict]) -> list[dict]:
    """Flat ``(level, id, name)`` headings -> the toc extension's nested ``toc_tokens``."""
    root: list[dict] = []
    stack: list[dict] = []
    for token in flat:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


def render_subset(text: str) -> tuple[str, list[dict]]:
    """``text`` (Markdown of the subset, front matter removed) -> ``(html, toc_tokens)``; raises
    :class:`Unsupported` for anything else."""
    lines = text.split("\n")
    blocks: list[str] = []
    headings: list[dict] = []
    used: set[str] = set()
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        first = line[0]
        if first == "<":
            m = _RAW_OPEN.match(line)
            if not m or m.group(1).lower() not in BLOCK_TAGS:
                raise Unsupported(f"inline HTML starts a block at line {i + 1}")
            end = _raw_block(lines, i)
            blocks.append("\n".join(lines[i:end]).rstrip("\n"))
            i = end
            continue
        if first == "#":
            m = _HEADING.match(line)
            if not m:
                raise Unsupported(f"heading at line {i + 1}")
            level, content = len(m.group(1)), inline(m.group(2))
            name = _text_of(content)
            ident = _unique(slugify_unicode(name, "-"), used)
            blocks.append(f'<h{level} id="{ident}">{content}{PERMALINK.format(id=ident)}</h{level}>')
            headings.append({"level": level, "id": ident, "name": _html.escape(name, quote=False), "children": []})
            i += 1
            continue
        end = i
        while end < n and lines[end].strip():
            end += 1
        group = lines[i:end]
        if first == "-" and all(l.startswith("- ") for l in group):
            blocks.append("<ul>\n" + "\n".join(f"<li>{inline(l[2:].strip())}</li>" for l in group) + "\n</ul>")
        elif first == "|" and len(group) >= 2 and _TABLE_RULE.match(group[1]):
            blocks.append(_table(group))
        elif _BLOCK_START.match(line) or any(_BLOCK_START.match(l) or l[:1] in "#<|" for l in group[1:]):
            raise Unsupported(f"block markup at line {i + 1}")
        else:
            blocks.append(f"<p>{inline(chr(10).join(l.strip() for l in group))}</p>")
        i = end
    return "\n".join(blocks), _nest(headings)


@lru_cache(maxsize=1)
def _markdown():
    import markdown

    return markdown.Markdown(extensions=["toc", "tables", "fenced_code"],
                             extension_configs={"toc": {"permalink": True, "slugify": slugify_unicode}})


def render_markdown(text: str) -> tuple[str, list[dict]]:
    """Python-Markdown with the site's extensions (mkdocs.yml): the reference and the fallback."""
    md = _markdown()
    md.reset()
    out = md.convert(text)
    return out, _plain_toc(md.toc_tokens)


def _plain_toc(tokens: list[dict]) -> list[dict]:
    return [{"level": t["level"], "id": t["id"], "name": t["name"], "children": _plain_toc(t["children"])}
            for t in tokens]


def render(text: str) -> tuple[str, list[dict]]:
    """``text`` as HTML with its headings: this module's fast path, Python-Markdown outside it."""
    try:
        return render_subset(text)
    except Unsupported:
        return render_markdown(text)
