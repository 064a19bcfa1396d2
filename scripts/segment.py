"""STUB (being replaced): one article per page, every non-blank line a paragraph."""
from __future__ import annotations

import hashlib

from .model import Article, DecodedPage, PageMeta, PageResult, Paragraph


def segment_page(page: DecodedPage, meta: PageMeta) -> PageResult:
    lines = [(i, l.strip()) for i, l in enumerate(page.text.split("\n"), 1) if l.strip()]
    paras = tuple(Paragraph(t, "text", (i, i)) for i, t in lines)
    aid = hashlib.sha1(page.sha256.encode()).hexdigest()[:10]
    art = Article(aid, "article", paras[0].text[:20] if paras else "", True, None, None, None, (), None,
                  None, paras, (), (), meta.date, "manifest" if meta.date else None, page.file,
                  page.sha256, (lines[0][0], lines[-1][0]) if lines else (0, 0), meta)
    return PageResult(page.file, page.sha256, page.encoding, (art,), (), (), (), page.diagnostics)
