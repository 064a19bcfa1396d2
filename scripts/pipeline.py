"""The build, top to bottom: decode -> clean/segment -> check -> permalinks -> enrich/link -> write.

Everything is built in memory first; writing is the last step, so every page sees consistent
data and a failure in one page never leaves half-written output for the others.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from .model import BuildReport, Diagnostic, PageError, PageMeta, PageResult

if TYPE_CHECKING:
    from .registry import Registry

log = logging.getLogger("archive")

PROJECT = Path(__file__).resolve().parent.parent


def page_files(seeds_dir: Path) -> list[Path]:
    """The page files of a seeds folder, in a stable order (manifest and dot-files excluded)."""
    return sorted(p for p in seeds_dir.glob("*.txt") if p.is_file() and not p.name.startswith("."))


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def process_page(path: Path, name: str, meta: PageMeta) -> tuple[PageResult | None, list[Diagnostic]]:
    """Decode, segment and check one page. A page that cannot be read, or that would lose
    text, gives ``None`` and errors naming the file; it never stops the other pages."""
    from .account import check_page
    from .decode import read_page
    from .segment import segment_page

    try:
        page = read_page(path, name)
    except PageError as err:
        return None, [Diagnostic(err.file, err.message, err.line, "error")]
    try:
        result = segment_page(page, meta)
    except Exception as err:  # a bug on one page must not take the archive down
        log.exception("segmenting %s failed", name)
        return None, [Diagnostic(name, f"segmentation failed: {type(err).__name__}: {err}", None, "error")]
    problems = check_page(page.text, result)
    diagnostics = list(result.diagnostics) + problems
    if any(d.level == "error" for d in problems):
        return None, diagnostics  # a page that loses text is not published
    return result, diagnostics


def collect(seeds_dir: Path, manifest_path: Path | None = None, root: Path | None = None) -> BuildReport:
    """Decode and segment every page; never raises for a bad page, it is reported instead."""
    from .manifest import load_manifest

    root = root or seeds_dir.parent
    manifest_path = manifest_path if manifest_path is not None else seeds_dir / "manifest.yml"
    files = page_files(seeds_dir)
    metas, diagnostics = load_manifest(manifest_path, [p.name for p in files], display_path(manifest_path, root))
    pages: list[PageResult] = []
    for path in files:
        name = display_path(path, root)
        result, diags = process_page(path, name, metas.get(path.name, PageMeta()))
        diagnostics.extend(diags)
        if result is not None:
            pages.append(result)
    return BuildReport(tuple(pages), tuple(diagnostics))


def enrich_report(report: BuildReport, tag_rules: Path) -> BuildReport:
    """The enrich and link stages over every article of the archive, pages kept as they are."""
    from dataclasses import replace

    from .enrich import enrich_all

    articles = [a for p in report.pages for a in p.articles]
    try:
        from .link import link_all
    except ImportError:  # pragma: no cover - the link stage is optional until it lands
        link_all = None
    enriched = enrich_all(articles, tag_rules)
    if link_all is not None:
        enriched = link_all(enriched)
    by_id = {a.id: a for a in enriched}
    pages = tuple(replace(p, articles=tuple(by_id[a.id] for a in p.articles)) for p in report.pages)
    return replace(report, pages=pages)


def register_ids(report: BuildReport, registry_path: Path, root: Path) -> tuple[BuildReport, Registry]:
    """Every article takes its registered permalink id (``scripts/registry.py``); new articles
    are added to the registry, which is written back only when it changed (and was readable).
    Runs before enrich and link, so no article refers to another by id yet."""
    from dataclasses import replace

    from .registry import assign_ids, dump_registry, load_registry
    from .write import write_if_changed

    registry, diagnostics = load_registry(registry_path, display_path(registry_path, root))
    articles = [a for p in report.pages for a in p.articles]
    renamed, new_registry, problems = assign_ids(articles, registry)
    ids = iter(renamed)
    pages = tuple(replace(p, articles=tuple(next(ids) for _ in p.articles)) for p in report.pages)
    if registry.ok and (new_registry.entries or registry_path.is_file()):
        write_if_changed(registry_path, dump_registry(new_registry))  # deterministic: a rerun writes nothing
    return BuildReport(pages, report.diagnostics + tuple(diagnostics) + tuple(problems)), new_registry


def write_redirects(registry: Registry, report: BuildReport, docs_dir: Path) -> None:
    """``docs/a/<retired id>/index.html`` for every retired id; stale ones are removed."""
    from .registry import redirect_pages, stale_redirects
    from .write import ARTICLE_DIR, write_if_changed

    pages = redirect_pages(registry, [a for p in report.pages for a in p.articles], ARTICLE_DIR)
    for rel, text in pages.items():
        write_if_changed(docs_dir / rel, text)
    for path in stale_redirects(docs_dir, set(pages), ARTICLE_DIR):
        path.unlink()
        if not any(path.parent.iterdir()):
            path.parent.rmdir()


def build(seeds_dir: Path, docs_dir: Path, manifest_path: Path | None = None, root: Path | None = None) -> BuildReport:
    """The whole build: collect every page, give the articles their permalink ids (registry
    ``seeds/permalinks.yml``), enrich and link them, then write, retired ids as redirects."""
    from .write import write_all

    root = root or seeds_dir.parent
    report, registry = register_ids(collect(seeds_dir, manifest_path, root), seeds_dir / "permalinks.yml", root)
    report = enrich_report(report, seeds_dir / "tags.yml")
    write_all(report, docs_dir)
    write_redirects(registry, report, docs_dir)
    return report
