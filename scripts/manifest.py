"""``seeds/manifest.yml``: what an archivist knows about each page file (all of it optional).

Format::

    pages:
      000_a691e7d89ea48c5a.txt:        # a page file in the seeds folder (file name only)
        newspaper: 中国高新技术产业导报
        date: 2024-04-22               # YYYY-MM-DD, YYYY-MM or YYYY
        page: "4"                      # page number or name, kept as text
        column: 党建
        notes: free text

Every field is optional, and so is every entry: a page file the manifest does not name still
builds, just without metadata. A missing or empty manifest means "nothing recorded".

Values are read as the archivist typed them (the YAML scalar's text), so ``page: 04`` stays
``"04"`` and ``date: 2024-04-22`` stays ``"2024-04-22"`` instead of becoming a number or a
``datetime.date``; ``~``/``null``/an empty value means "not recorded".

Problems never stop the build. A manifest that is not valid YAML gives one error and is
ignored as a whole; a part of the wrong shape (``pages`` or an entry that is not a mapping)
gives an error and that part is skipped; an entry for a file that is not in the seeds folder,
an unknown field, a repeated entry or field, a value that is not text and a malformed date
give warnings and only that item is ignored. Every message names the manifest and the line.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from .decode import EMPTY_PAGE, decode_text
from .model import Diagnostic, PageError, PageMeta

FIELDS = ("newspaper", "date", "page", "column", "notes")
NULL_TAG = "tag:yaml.org,2002:null"
SHAPE = "pages:\n  <page file>.txt:\n    newspaper: …\n    date: YYYY-MM-DD"
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def line_of(node: Node) -> int:
    """The 1-based line a YAML node starts on.

    >>> line_of(yaml.compose("a: 1\\nb: 2\\n").value[1][0])
    2
    """
    return node.start_mark.line + 1


def scalar_text(node: Node) -> str | None:
    """A scalar's text as written (``None`` for a YAML null); not called for other nodes.

    >>> [scalar_text(v) for _, v in yaml.compose("a: 04\\nb: 2024-04-22\\nc:\\nd: ' x '\\n").value]
    ['04', '2024-04-22', None, 'x']
    """
    if node.tag == NULL_TAG:
        return None
    text = str(node.value).strip()
    return text or None


def iso_date(value: str) -> str | None:
    """``value`` if it is a real date written YYYY-MM-DD, YYYY-MM or YYYY; else ``None``.

    >>> iso_date("2024-04-22"), iso_date("2024-04"), iso_date("2024")
    ('2024-04-22', '2024-04', '2024')
    >>> iso_date("2024-02-30"), iso_date("2024-13"), iso_date("22.4.2024"), iso_date("2024-4-22")
    (None, None, None, None)
    """
    match = _DATE.fullmatch(value)
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return value


def yaml_error(err: yaml.YAMLError, display: str) -> Diagnostic:
    """The one error for a manifest PyYAML cannot parse, at the line PyYAML points to."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    parts = [getattr(err, "context", None), getattr(err, "problem", None)]
    reason = ", ".join(p for p in parts if p) or str(err)
    reason = " ".join(reason.split())
    line = mark.line + 1 if mark is not None else None
    return Diagnostic(display, f"manifest is not valid YAML: {reason}; building without it", line, "error")


def read_field(name: str, key: str, node: Node, display: str) -> tuple[str | None, list[Diagnostic]]:
    """One field's value (``None`` if not recorded or not usable) and any warning about it."""
    if not isinstance(node, ScalarNode):
        return None, [Diagnostic(display, f"field {key!r} of {name} must be text, not a list or "
                                          f"mapping; field ignored", line_of(node))]
    value = scalar_text(node)
    if key == "date" and value is not None and iso_date(value) is None:
        return None, [Diagnostic(display, f"date {value!r} of {name} is not a date written YYYY-MM-DD, "
                                          f"YYYY-MM or YYYY; field ignored", line_of(node))]
    return value, []


def read_entry(name: str, node: MappingNode, display: str) -> tuple[PageMeta, list[Diagnostic]]:
    """One page's ``PageMeta`` from its entry mapping, with warnings about what was ignored."""
    values: dict[str, str | None] = {}
    first_line: dict[str, int] = {}
    diagnostics: list[Diagnostic] = []
    for key_node, value_node in node.value:
        key = scalar_text(key_node) if isinstance(key_node, ScalarNode) else None
        line = line_of(key_node)
        if key not in FIELDS:
            diagnostics.append(Diagnostic(display, f"unknown field {key!r} in the entry for {name}; ignored "
                                                   f"(known fields: {', '.join(FIELDS)})", line))
            continue
        if key in first_line:
            diagnostics.append(Diagnostic(display, f"field {key!r} of {name} given twice (first on line "
                                                   f"{first_line[key]}); the later one is used", line))
        first_line[key] = line
        values[key], problems = read_field(name, key, value_node, display)
        diagnostics.extend(problems)
    return PageMeta(**values), diagnostics


def read_pages(pages: Node, page_names: set[str], display: str) -> tuple[dict[str, PageMeta], list[Diagnostic]]:
    """Every usable entry of the ``pages:`` mapping, keyed by page file name."""
    if isinstance(pages, ScalarNode) and scalar_text(pages) is None:
        return {}, []  # "pages:" with nothing under it
    if not isinstance(pages, MappingNode):
        return {}, [Diagnostic(display, "'pages' must be a mapping of page file names to entries; "
                                        "building without the manifest", line_of(pages), "error")]
    metas: dict[str, PageMeta] = {}
    first_line: dict[str, int] = {}
    diagnostics: list[Diagnostic] = []
    for key_node, value_node in pages.value:
        line = line_of(key_node)
        name = scalar_text(key_node) if isinstance(key_node, ScalarNode) else None
        if name is None:
            diagnostics.append(Diagnostic(display, "entry key must be a page file name; entry ignored", line, "error"))
            continue
        if name in first_line:
            diagnostics.append(Diagnostic(display, f"second entry for {name} (first on line {first_line[name]}); "
                                                   f"the later one is used", line))
        first_line[name] = line
        if isinstance(value_node, ScalarNode) and scalar_text(value_node) is None:
            meta, problems = PageMeta(), []
        elif isinstance(value_node, MappingNode):
            meta, problems = read_entry(name, value_node, display)
        else:
            diagnostics.append(Diagnostic(display, f"entry for {name} must be a mapping of fields "
                                                   f"({', '.join(FIELDS)}); entry ignored", line, "error"))
            continue
        diagnostics.extend(problems)
        if name not in page_names:
            diagnostics.append(Diagnostic(display, f"entry for {name}, but there is no page file {name} "
                                                   f"in the seeds folder; entry ignored", line))
            continue
        metas[name] = meta
    return metas, diagnostics


def read_root(root: Node, page_names: set[str], display: str) -> tuple[dict[str, PageMeta], list[Diagnostic]]:
    """The whole document: a mapping with one key, ``pages``."""
    if not isinstance(root, MappingNode):
        return {}, [Diagnostic(display, "manifest must be a mapping with a 'pages:' key; building without it",
                               line_of(root), "error")]
    pages: Node | None = None
    diagnostics: list[Diagnostic] = []
    for key_node, value_node in root.value:
        key = scalar_text(key_node) if isinstance(key_node, ScalarNode) else None
        if key == "pages":
            if pages is not None:
                diagnostics.append(Diagnostic(display, "'pages' given twice; the later one is used",
                                              line_of(key_node)))
            pages = value_node
        else:
            diagnostics.append(Diagnostic(display, f"unknown top-level key {key!r}; ignored (expected 'pages')",
                                          line_of(key_node)))
    if pages is None:
        diagnostics.append(Diagnostic(display, "manifest has no 'pages:' key; no page metadata loaded", 1))
        return {}, diagnostics
    metas, problems = read_pages(pages, page_names, display)
    return metas, diagnostics + problems


def load_manifest(path: Path, page_names: list[str], display: str) -> tuple[dict[str, PageMeta], list[Diagnostic]]:
    """The metadata for each page file named in the manifest at ``path``, and what went wrong.

    ``page_names`` are the file names of the pages being built; ``display`` is the manifest's
    name in messages (e.g. ``"seeds/manifest.yml"``). Never raises for a bad manifest.
    """
    if not path.is_file():
        return {}, []
    try:
        data = path.read_bytes()
    except OSError as err:
        return {}, [Diagnostic(display, f"manifest cannot be read ({err.strerror or err}); building without it",
                               level="error")]
    try:
        text = decode_text(data, display).text
    except PageError as err:
        if err.message == EMPTY_PAGE:
            return {}, []
        return {}, [Diagnostic(display, f"manifest is {err.message}; building without it", err.line, "error")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        return {}, [yaml_error(err, display)]
    if root is None:
        return {}, []  # only comments
    return read_root(root, set(page_names), display)
