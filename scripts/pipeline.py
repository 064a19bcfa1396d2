"""The build, top to bottom: decode -> clean/segment -> check -> write.

Everything is built in memory first; writing is the last step, so every page sees consistent
data and a failure in one page never leaves half-written output for the others.
"""
from __future__ import annotations

import logging
from pathlib import Path

from .model import BuildReport, Diagnostic, PageError, PageMeta, PageResult

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


def build(seeds_dir: Path, docs_dir: Path, manifest_path: Path | None = None, root: Path | None = None) -> BuildReport:
    """The whole build: collect every page, enrich and link the articles, then write."""
    from .write import write_all

    report = enrich_report(collect(seeds_dir, manifest_path, root), seeds_dir / "tags.yml")
    write_all(report, docs_dir)
    return report
