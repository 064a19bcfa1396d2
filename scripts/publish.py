"""Site-wide generated pages beyond articles and indexes: the home page, feeds, the data page,
and provenance pages. Called by ``write.write_all`` after everything else is written.

Each function returns ``{path relative to docs/: text}``; ``write_all`` writes them with
write-if-changed. Filled in by the publish work (issue: site).
"""
from __future__ import annotations

from .model import Article, BuildReport


def site_pages(report: BuildReport, articles: list[Article]) -> dict[str, str]:
    """Generated site pages (home, feeds, data, provenance), by path under ``docs/``."""
    return {}
