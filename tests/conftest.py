"""Shared fixtures: the real seed pages run through the real pipeline (once per session)."""
from __future__ import annotations

from pathlib import Path

import pytest

from scripts.model import Article, BuildReport, PageResult
from scripts.pipeline import PROJECT, collect

SEEDS = PROJECT / "seeds"


@pytest.fixture(scope="session")
def seed_report() -> BuildReport:
    return collect(SEEDS, root=PROJECT)


def page_of(report: BuildReport, prefix: str) -> PageResult:
    """The result for the seed page whose file name starts with ``prefix`` (e.g. "003")."""
    found = [p for p in report.pages if Path(p.file).name.startswith(prefix)]
    assert len(found) == 1, f"no single page for {prefix}: {[p.file for p in report.pages]}"
    return found[0]


def full_text(article: Article) -> str:
    """Everything printed as the article's running text: lead, then body paragraphs and headings."""
    parts = [article.lead or ""] + [p.text for p in article.paragraphs]
    return "\n".join(parts)


def by_title(page: PageResult, fragment: str) -> Article:
    found = [a for a in page.articles if fragment in a.title]
    assert len(found) == 1, f"{fragment!r} matches {[a.title for a in page.articles]}"
    return found[0]
