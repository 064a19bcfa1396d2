"""MkDocs hooks (``hooks:`` in mkdocs.yml): run the archive build before MkDocs reads ``docs/``.

- ``on_pre_build``: ``seeds/`` -> ``docs/a/*.md``, ``docs/articles.md``, ``docs/data/*.jsonl``;
  every diagnostic is logged, errors and warnings as warnings so ``mkdocs build --strict`` fails.
- ``on_serve``: also watch ``seeds/``, so editing a page file rebuilds the site. Generated files
  are only rewritten when their content changes, so the rebuild does not trigger itself again.
- ``on_page_markdown``: on an article page (front matter with ``id``, ``kind`` and ``source``),
  ``page.meta["archive_cite"]`` gets what ``overrides/main.html`` shows: the citation texts, the
  Highwire ``citation_*`` tags and the JSON-LD (``scripts/cite.py``), cited from the raw front
  matter, with ``site_url`` when mkdocs.yml has one (else relative URLs) and today's date as the
  access date (``SOURCE_DATE_EPOCH`` when set). On article and source pages (``a/``, ``src/``),
  links of raw HTML (``<a href="../tags/t-1.md">``, which MkDocs leaves alone) are resolved as
  MkDocs resolves Markdown links; a missing target is a warning, so ``--strict`` fails. Then,
  since MkDocs and Material print ``page.meta["title"]`` as HTML without escaping and our front
  matter holds the raw printed title, it is HTML-escaped for the templates.
- ``on_page_context``: the citation box's heading goes into the page's table of contents.
"""
from __future__ import annotations

import html
import logging
import os
import posixpath
import re
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # MkDocs loads this file by path, not as part of the package
    sys.path.insert(0, str(PROJECT))

from scripts.cite import page_data  # noqa: E402
from scripts.pipeline import build  # noqa: E402
from scripts.publish import on_post_build  # noqa: E402,F401  (search index: character n-grams)

SEEDS = PROJECT / "seeds"
# Front-matter keys that MkDocs/Material templates insert into HTML unescaped.
HTML_META_KEYS = ("title", "subtitle", "description", "author")
CITE_KEY = "archive_cite"  # page.meta key read by overrides/main.html
HELP_PAGE = "cite.md"  # 关于与引用, linked from the citation box
RAW_LINK_DIRS = ("a/", "src/")  # generated pages whose raw HTML links to other pages
# An <a> tag's href in raw HTML. Page text never holds one: it is escaped ("<" -> "&lt;").
_RAW_HREF = re.compile(r'(<a\s[^<>]*?\bhref=")([^"]*)(")')

log = logging.getLogger("mkdocs.plugins.archive")


def on_pre_build(config) -> None:
    report = build(SEEDS, Path(config["docs_dir"]), root=PROJECT)
    for diag in report.diagnostics:
        if diag.level == "info":
            log.info(str(diag))
        else:  # "error" | "warning": --strict turns these into a failed build
            log.warning(str(diag))
    n = sum(len(p.articles) for p in report.pages)
    log.info(f"archive: {n} articles from {len(report.pages)} pages")


def on_serve(server, config, builder):
    server.watch(str(SEEDS))
    return server


def access_date() -> date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), timezone.utc).date() if epoch.isdigit() else date.today()


def is_article(meta: dict) -> bool:
    return isinstance(meta.get("source"), dict) and bool(meta.get("id")) and "kind" in meta


def resolve_raw_links(markdown: str, page, files) -> str:
    """``href="x.md#frag"`` in raw HTML -> the URL of ``x.md`` relative to the page, as MkDocs
    does for Markdown links; a link to no file is logged as a warning and left as it is."""
    src = page.file.src_uri

    def resolve(m: re.Match[str]) -> str:
        parts = urlsplit(html.unescape(m.group(2)))
        if parts.scheme or parts.netloc or not parts.path.endswith(".md") or parts.path.startswith("/"):
            return m.group()
        target = posixpath.normpath(posixpath.join(posixpath.dirname(src), parts.path))
        file = files.get_file_from_path(target)
        if file is None:
            log.warning(f"Doc file '{src}' contains a raw HTML link '{m.group(2)}', but the target '{target}' "
                        "is not found among documentation files.")
            return m.group()
        url = file.url_relative_to(page.file) + (f"#{parts.fragment}" if parts.fragment else "")
        return m.group(1) + html.escape(url) + m.group(3)

    return _RAW_HREF.sub(resolve, markdown)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if is_article(page.meta):
        data = page_data(page.meta, page.url, config.get("site_url"), access_date(),
                         config.get("site_name") or "高新区党建报道数字档案")
        help_page = files.get_file_from_path(HELP_PAGE) if files is not None else None
        data["help_url"] = help_page.url_relative_to(page.file) if help_page else None
        page.meta[CITE_KEY] = data
    file = getattr(page, "file", None)
    if file is not None and files is not None and file.src_uri.startswith(RAW_LINK_DIRS):
        markdown = resolve_raw_links(markdown, page, files)
    for key in HTML_META_KEYS:
        if isinstance(page.meta.get(key), str):
            page.meta[key] = html.escape(page.meta[key])
    return markdown


def on_page_context(context, page, config, nav):
    """The citation box (added by the theme after the content) gets an entry in the page's TOC."""
    if page.meta.get(CITE_KEY):
        from mkdocs.structure.toc import AnchorLink

        items = page.toc.items
        entries = items[0].children if items and items[0].level == 1 else items  # as Material shows it
        entries.append(AnchorLink("引用本文", "cite", 2))
    return context
