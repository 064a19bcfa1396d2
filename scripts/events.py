"""What a build tells listeners while it runs, so that work depending on one output can start
as soon as that output exists rather than when the whole stage ends.

- :data:`articles_written`: called with the path of ``data/articles.jsonl`` as soon as the
  write stage has written it, before the index pages and exports. The search hook
  (``scripts/search_hooks.py``) starts building the search index there, so that the index
  build runs on a free core while the rest of the write stage runs on one.

Listeners are plain callables; a listener that raises fails the build as the stage would.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

articles_written: dict[str, Callable[[Path], None]] = {}  # listener name -> listener


def tell_articles_written(path: Path) -> None:
    """Call every :data:`articles_written` listener with ``path``.

    >>> seen = []
    >>> articles_written["test"] = seen.append
    >>> tell_articles_written(Path("docs/data/articles.jsonl")); seen
    [PosixPath('docs/data/articles.jsonl')]
    >>> del articles_written["test"]
    """
    for listener in list(articles_written.values()):
        listener(path)
