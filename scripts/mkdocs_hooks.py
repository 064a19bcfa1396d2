"""MkDocs hooks (``hooks:`` in mkdocs.yml): run the archive build before MkDocs reads ``docs/``.

- ``on_pre_build``: ``seeds/`` -> ``docs/a/*.md``, ``docs/articles.md``, ``docs/data/*.jsonl``;
  every diagnostic is logged, errors and warnings as warnings so ``mkdocs build --strict`` fails.
- ``on_serve``: also watch ``seeds/``, so editing a page file rebuilds the site. Generated files
  are only rewritten when their content changes, so the rebuild does not trigger itself again.
- ``on_page_markdown``: MkDocs and Material print ``page.meta["title"]`` as HTML without
  escaping; our front matter holds the raw printed title, so it is HTML-escaped for the templates.
"""
from __future__ import annotations

import html
import logging
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # MkDocs loads this file by path, not as part of the package
    sys.path.insert(0, str(PROJECT))

from scripts.pipeline import build  # noqa: E402

SEEDS = PROJECT / "seeds"
# Front-matter keys that MkDocs/Material templates insert into HTML unescaped.
HTML_META_KEYS = ("title", "subtitle", "description", "author")

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


def on_page_markdown(markdown: str, page, config, files) -> str:
    for key in HTML_META_KEYS:
        if isinstance(page.meta.get(key), str):
            page.meta[key] = html.escape(page.meta[key])
    return markdown
