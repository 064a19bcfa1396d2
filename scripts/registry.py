"""The permalink registry ``seeds/permalinks.yml``: every id the archive has published, pinned to
its article, so that ``a/<id>/`` never breaks.

An article's computed id (``scripts/segment.py``) is a hash of its page's bytes and opening
text: it changes whenever a page file is re-extracted or the cleaning improves. The registry
(committed, sorted by id) remembers each published id with a **content fingerprint**, and
``assign_ids`` gives every article of a build the registered id whose fingerprint it matches:

- fingerprint: a bottom-k MinHash sketch, the ``SKETCH_SIZE`` smallest 32-bit hashes of the
  distinct ``SHINGLE``-character shingles of the article's Han characters (lead, body paragraphs
  and section headings, captions). Punctuation, spaces, Latin text and paragraph breaks do not
  count, so re-cleaning leaves it nearly unchanged; a corrected character changes only the
  shingles around it.
- match: estimated Jaccard similarity at least ``THRESHOLD`` with a **live** entry; one-to-one,
  entries of the same page file first, then the most similar pairs, ties by id (deterministic,
  whatever order the pages were read in). An article whose sketch is exactly that of one entry
  of its page file (the usual case of a rebuild) is paired by a lookup; of the rest, only pairs
  that can reach the threshold are scored: such a pair shares at least ``THRESHOLD`` of the
  larger sketch's values, so the rarest values of each sketch (a *prefix*,
  :func:`prefix_length`) have one in common (prefix filtering). This is exact, no match is
  missed, and each value is looked up in a short list, so matching takes about linear time in
  the archive's size, not the product of entries and articles. Hashing every shingle of every
  article is the costly part: ``assign_ids`` takes fingerprints computed elsewhere (say, cached
  with their page), and remembers those it computes (:func:`remembered_sketch`).
- an article that matches nothing keeps its computed id (derived anew if a registered id already
  has it) and is added to the registry;
- a live id that no article matches is an error naming the id, its title and its page: the
  permalink would disappear. The editor either fixes the cause or marks the entry
  ``status: retired`` with ``redirect_to: <id>``; the old URL then redirects (``redirect_pages``).

Retired entries are never matched and their ids are never reused. The build stamps no dates:
the registry is a pure function of its previous state and the seeds, so every build of the same
commit writes the same bytes (``git log -S <id> seeds/permalinks.yml`` tells when an id was
added). A ``first_seen`` date written by an editor is kept as it is.
"""
from __future__ import annotations

import hashlib
import html
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import compress
from pathlib import Path, PurePosixPath

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .clean import han_only
from .manifest import line_of, scalar_text
from .model import Article, Diagnostic, evolve

THRESHOLD = 0.6  # estimated Jaccard similarity an article needs to keep a registered id
SKETCH_SIZE = 32  # hash values kept per fingerprint
SHINGLE = 4  # characters per shingle
STATUSES = ("live", "retired")
FIELDS = ("id", "status", "redirect_to", "note", "file", "title", "first_seen", "fingerprint")
REDIRECT_MARK = '<meta name="generator" content="archive permalink redirect">'
# libyaml's reader and writer when PyYAML has them: the same nodes, lines and text as PyYAML's
# own, five times faster on a registry of 10,000 entries
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

HEADER = f"""\
# Permalink registry: every article id the archive has published (page a/<id>/), pinned to its
# article. Committed. The build (scripts/registry.py) reads it before anything else and rewrites
# it only when something changed: new articles are added, matched ones get their current file,
# title and fingerprint. Sorted by id; never delete an entry (ids are never reused).
#
# An article keeps a live id when its content fingerprint is at least {THRESHOLD:.0%} similar
# (estimated Jaccard) to the entry's: the {SKETCH_SIZE} smallest 32-bit hashes (hex) of the
# {SHINGLE}-character shingles of its Han characters (lead, body, captions), so punctuation,
# spacing, paragraph joins and a few corrected characters do not change the id.
#
# A live id that no article matches fails the build. If the article is really gone (merged,
# split, re-cut), set `status: retired` and `redirect_to: <id of its successor>`: the old URL
# then redirects there. Give the reason in `note:`; comments below this header are not kept.
"""


@dataclass(frozen=True)
class Entry:
    """One published id."""

    id: str
    status: str  # "live" | "retired"
    file: str  # the page file name, e.g. "000_a691e7d89ea48c5a.txt"
    title: str
    fingerprint: tuple[int, ...]  # ascending
    first_seen: str | None = None  # optional, written by an editor; the build stamps no dates
    redirect_to: str | None = None  # retired entries only
    note: str | None = None  # the editor's reason (comments are not kept when the file is rewritten)


@dataclass(frozen=True)
class Registry:
    entries: tuple[Entry, ...] = ()  # sorted by id
    display: str = "seeds/permalinks.yml"  # how diagnostics name the file
    lines: tuple[tuple[str, int], ...] = ()  # (id, line of its entry) as read
    ok: bool = True  # False when the file could not be read in full: it must not be rewritten

    def line(self, eid: str) -> int | None:
        return self._lines.get(eid)

    @cached_property
    def _lines(self) -> dict[str, int]:
        return dict(self.lines)

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        """id -> entry (built once: redirects are resolved for every retired id)."""
        return {e.id: e for e in self.entries}


# --- fingerprints ---------------------------------------------------------------------------

def fingerprint_text(a: Article) -> str:
    """The text an article is recognised by: the Han characters of its lead, body and captions
    (its title and kicker when it has none of these)."""
    parts = [a.lead or "", *(p.text for p in a.paragraphs), *(c.text for c in a.captions)]
    text = han_only("".join(parts))
    if not text:
        text = han_only((a.kicker or "") + a.title) or "".join((a.title or a.id).split())
    return text


def sketch(text: str, k: int = SKETCH_SIZE, n: int = SHINGLE) -> tuple[int, ...]:
    """The ``k`` smallest 32-bit hashes of the distinct ``n``-character shingles of ``text``.

    >>> s = sketch("高新区党建引领产业发展")
    >>> len(s), s == tuple(sorted(s)), s == sketch("高新区党建引领产业发展")
    (8, True, True)
    >>> len(sketch("党建")), sketch("")
    (1, ())
    """
    if not text:
        return ()
    if _THREE_BYTES.fullmatch(text):  # every character 3 bytes in UTF-8 (BMP Han): cut the bytes
        data, step = text.encode("utf-8"), 3 * n
        shingles = {data[i:i + step] for i in range(0, max(3, len(data) - step + 3), 3)}
    else:
        shingles = {s.encode("utf-8") for s in (text[i:i + n] for i in range(max(1, len(text) - n + 1)))}
    blake2b = hashlib.blake2b
    digests = sorted({blake2b(s, digest_size=4).digest() for s in shingles})  # big-endian: sorted as numbers
    return tuple(int.from_bytes(d, "big") for d in digests[:k])


def fingerprint(a: Article) -> tuple[int, ...]:
    return remembered_sketch(fingerprint_text(a))


def remembered_sketch(text: str) -> tuple[int, ...]:
    """:func:`sketch`, remembered per text in this process (:data:`MEMO_SIZE` of them): hashing
    every shingle is the costly part, and a rebuild under ``mkdocs serve`` sees mostly the same
    texts again. The key is a digest of the text, so the memo holds no article text.

    >>> s = remembered_sketch("高新区党建引领产业发展")
    >>> s == sketch("高新区党建引领产业发展") and remembered_sketch("高新区党建引领产业发展") is s
    True
    """
    key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        found = _MEMO[key] = sketch(text)
    return found


_THREE_BYTES = re.compile("[\u0800-\ud7ff\ue000-\uffff]*")  # characters UTF-8 writes in 3 bytes
MEMO_SIZE = 20_000  # sketches remembered (about 1.3 KB each)
_MEMO: dict[bytes, tuple[int, ...]] = {}


def similarity(a: tuple[int, ...], b: tuple[int, ...], k: int = SKETCH_SIZE) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two sketches: of the ``k``
    smallest hashes of both together, the share present in both (exact for short texts).

    >>> x = sketch("高新区党建引领产业发展")
    >>> similarity(x, x), similarity(x, sketch("高新区党建引领产业发展企业")), similarity(x, ())
    (1.0, 0.8, 0.0)
    """
    if not a or not b:
        return 0.0
    union = sorted(set(a) | set(b))[:k]
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


def shared_needed(n: int, threshold: float = THRESHOLD) -> int:
    """How many values a sketch of ``n`` values shares with any sketch it matches at
    ``threshold``: :func:`similarity` counts shared values among the ``min(k, |a ∪ b|)``
    smallest of both sketches, never fewer than either sketch holds, so at least
    ``ceil(threshold * n)`` of them.

    >>> shared_needed(32), shared_needed(5), shared_needed(1), shared_needed(0)
    (20, 3, 1, 0)
    """
    return max(1, math.ceil(threshold * n - 1e-9)) if n > 0 else 0  # the slack only ever lowers it


def prefix_length(n: int, threshold: float = THRESHOLD) -> int:
    """How many of a sketch's ``n`` values, taken rarest first, hold one value shared with
    every sketch it can match: when every sketch lists its values in one global order, two
    sketches sharing ``t`` values share one among their first ``n - t + 1`` (the prefix filter
    of set-similarity joins: Chaudhuri, Ganti and Kaushik 2006; Bayardo, Ma and Srikant 2007).
    Rarest first keeps the lists of sketches holding a prefix value short.

    >>> prefix_length(32), prefix_length(5), prefix_length(1), prefix_length(0)
    (13, 3, 1, 0)
    """
    return n - shared_needed(n, threshold) + 1 if n > 0 else 0


def prefixes(sketches: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Each sketch's :func:`prefix_length` rarest values, rarity counted over all ``sketches``
    (ties by value), so every sketch is ordered the same way.

    >>> prefixes([(1, 2, 3, 4, 5), (1, 2, 3, 4, 6), (1, 7)])
    [(5, 2, 3), (6, 2, 3), (7,)]
    """
    df = Counter(h for s in sketches for h in s)
    rank = {h: (count << 32) | h for h, count in df.items()}  # rarity first, then the value
    return [tuple(r & 0xFFFFFFFF for r in sorted(map(rank.__getitem__, s))[:prefix_length(len(s))])
            for s in sketches]


def candidate_pairs(left: Sequence[tuple[int, ...]], right: Sequence[tuple[int, ...]]) -> list[tuple[int, int]]:
    """``(i, j)``, in order: every pair of ``left[i]`` and ``right[j]`` that can score at least
    :data:`THRESHOLD`, and a few more. Exact: no such pair is left out. A sketch is looked up
    by its prefix values only (:func:`prefix_length`), and a pair found that way is kept when
    it shares :func:`shared_needed` values (a set intersection, much cheaper than
    :func:`similarity`).

    >>> a, b, c = sketch("高新区党建引领产业发展"), sketch("高新区党建引领产业发展企业"), sketch("完全不同的内容")
    >>> candidate_pairs([a, c], [c, b, a])
    [(0, 1), (0, 2), (1, 0)]
    """
    heads = prefixes([*left, *right])
    holders: dict[int, list[int]] = defaultdict(list)
    for j, head in enumerate(heads[len(left):]):
        for h in head:
            holders[h].append(j)
    sets = [frozenset(s) for s in right]
    pairs = []
    for i, head in enumerate(heads[:len(left)]):
        near = list(set().union(*(holders.get(h, ()) for h in head)))
        if near:  # shared values counted with C-level maps: near can hold hundreds of sketches
            shared = map(len, map(frozenset(left[i]).intersection, map(sets.__getitem__, near)))
            pairs += [(i, j) for j in compress(near, map(shared_needed(len(left[i])).__le__, shared))]
    return sorted(pairs)


def format_fingerprint(fp: tuple[int, ...]) -> str:
    """How the registry writes a fingerprint: 8-digit hex values, ascending.

    >>> format_fingerprint((1, 255))
    '00000001 000000ff'
    """
    return " ".join(f"{h:08x}" for h in fp)


def parse_fingerprint(text: str) -> tuple[int, ...]:
    """The registry's text back to a fingerprint; ``ValueError`` when it is not one.

    >>> parse_fingerprint("000000ff 00000001")
    (1, 255)
    """
    values = [int(word, 16) for word in text.split()]
    if any(not 0 <= v < 1 << 32 for v in values) or len(values) > SKETCH_SIZE:
        raise ValueError("not 32-bit hex values")
    return tuple(sorted(set(values)))


# --- the file -------------------------------------------------------------------------------

def load_registry(path: Path, display: str = "seeds/permalinks.yml") -> tuple[Registry, list[Diagnostic]]:
    """Read the registry; a missing file is an empty registry. Problems are errors naming the
    line, and a registry with any error is marked not to be rewritten (``ok=False``)."""
    if not path.is_file():
        return Registry(display=display), []
    diags: list[Diagnostic] = []

    def error(message: str, node: Node | None = None) -> None:
        diags.append(Diagnostic(display, message, line_of(node) if node is not None else None, "error"))

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        mark = getattr(err, "problem_mark", None)
        diags.append(Diagnostic(display, f"not a readable registry: {err}".splitlines()[0],
                                mark.line + 1 if mark else None, "error"))
        return Registry(display=display, ok=False), diags
    if root is None:
        return Registry(display=display), []
    items = None
    if isinstance(root, MappingNode):
        items = next((v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "permalinks"), None)
    if items is not None and items.tag == "tag:yaml.org,2002:null":
        return Registry(display=display), []
    if not isinstance(items, SequenceNode):
        error("expected `permalinks:` followed by a list of entries", root)
        return Registry(display=display, ok=False), diags

    entries: dict[str, Entry] = {}
    lines: list[tuple[str, int]] = []
    for node in items.value:
        entry = _read_entry(node, error, diags, display)
        if entry is None:
            continue
        if entry.id in entries:
            error(f"permalink {entry.id} is registered twice", node)
            continue
        entries[entry.id] = entry
        lines.append((entry.id, line_of(node)))
    for e in entries.values():
        if e.redirect_to is not None and e.redirect_to not in entries:
            diags.append(Diagnostic(display, f"permalink {e.id} redirects to {e.redirect_to}, which is not a "
                                    "registered id", dict(lines)[e.id], "error"))
    registry = Registry(tuple(sorted(entries.values(), key=lambda e: e.id)), display, tuple(sorted(lines)),
                        ok=not any(d.level == "error" for d in diags))
    return registry, diags


def _read_entry(node: Node, error, diags: list[Diagnostic], display: str) -> Entry | None:
    if not isinstance(node, MappingNode):
        error("a registry entry must be a mapping (id, status, file, title, fingerprint …)", node)
        return None
    values: dict[str, str | None] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name not in FIELDS:
            diags.append(Diagnostic(display, f"unknown field {name!r} ignored", line_of(key), "warning"))
        elif not isinstance(value, ScalarNode):
            error(f"field {name!r} must be text", value)
            return None
        else:
            values[name] = scalar_text(value)
    eid, status = values.get("id"), values.get("status") or "live"
    if not eid:
        error("registry entry without an id", node)
        return None
    if status not in STATUSES:
        error(f"permalink {eid}: status must be live or retired, not {status!r}", node)
        return None
    redirect = values.get("redirect_to")
    if status == "retired" and not redirect:
        error(f"permalink {eid} is retired but has no redirect_to", node)
        return None
    if status == "live" and redirect:
        diags.append(Diagnostic(display, f"permalink {eid} is live; its redirect_to is ignored", line_of(node),
                                "warning"))
        redirect = None
    try:
        fp = parse_fingerprint(values.get("fingerprint") or "")
    except ValueError:
        error(f"permalink {eid}: fingerprint must be up to {SKETCH_SIZE} hex values", node)
        return None
    return Entry(eid, status, values.get("file") or "", values.get("title") or "", fp,
                 values.get("first_seen"), redirect, values.get("note"))


def dump_registry(registry: Registry) -> str:
    """The registry file's text: header, then the entries sorted by id, fields in a fixed order."""
    items = []
    for e in sorted(registry.entries, key=lambda e: e.id):
        item = {"id": e.id, "status": e.status}
        if e.redirect_to:
            item["redirect_to"] = e.redirect_to
        if e.note:
            item["note"] = e.note
        item.update({"file": e.file, "title": e.title})
        if e.first_seen:
            item["first_seen"] = e.first_seen
        item["fingerprint"] = format_fingerprint(e.fingerprint)
        items.append(item)
    body = yaml.dump({"permalinks": items}, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=1 << 30)
    return HEADER + "\n" + body


def as_read_back(registry: Registry, text: str) -> Registry | None:
    """The registry :func:`load_registry` reads from ``text``, :func:`dump_registry`'s text of
    ``registry``, without parsing it: the same entries, with the lines of the dump. An entry
    starts each line that begins with ``- `` (the dump's values are indented or on one line),
    in the order of the entries, sorted by id. ``None`` when the count does not agree.

    >>> r = Registry((Entry("b2", "live", "p.txt", "标题", (1, 2)), Entry("a1", "live", "p.txt", "- 题", (3,))))
    >>> as_read_back(r, dump_registry(r)).lines
    (('a1', 16), ('b2', 21))
    """
    starts = [n for n, line in enumerate(text.split("\n"), 1) if line.startswith("- ")]
    ordered = sorted(registry.entries, key=lambda e: e.id)
    if len(starts) != len(ordered):
        return None
    return replace(registry, entries=tuple(ordered), lines=tuple(sorted(zip((e.id for e in ordered), starts))),
                   ok=True)


# --- ids ------------------------------------------------------------------------------------

def _file_name(a: Article) -> str:
    return PurePosixPath(a.source_file).name


def _derive(aid: str, taken: set[str]) -> str:
    """A fresh id for ``aid`` when it is taken: the first free hash of ``aid:n``."""
    n = 0
    new = aid
    while new in taken:
        n += 1
        new = hashlib.sha1(f"{aid}:{n}".encode()).hexdigest()[:10]
    return new


def assign_ids(articles: list[Article], registry: Registry,
               prints: Sequence[tuple[int, ...]] | None = None) -> tuple[list[Article], Registry, list[Diagnostic]]:
    """Give each article its registered id (see the module docstring).

    Returns the articles in the order given, with ids replaced (also inside ``related`` and
    ``near_duplicates``), the registry to write back, and diagnostics: an error for each live
    id that no article matches, errors for redirects that lead nowhere. ``prints`` are the
    articles' fingerprints when the caller has them already (say, cached with their page),
    in the order of ``articles``; else they are computed here.
    """
    names = [_file_name(a) for a in articles]
    order = sorted(range(len(articles)), key=lambda i: (names[i], articles[i].lines, articles[i].id))
    prints = [fingerprint(a) for a in articles] if prints is None else list(prints)
    if len(prints) != len(articles):
        raise ValueError(f"{len(prints)} fingerprints for {len(articles)} articles")
    live = [e for e in registry.entries if e.status == "live"]
    given = _unchanged(live, prints, names)
    used = {e.id for e in given.values()}
    given.update(_matched([e for e in live if e.id not in used],
                          [i for i in range(len(articles)) if i not in given], articles, prints, names))
    used = {e.id for e in given.values()}

    taken = {e.id for e in registry.entries}
    new_ids: dict[int, str] = {i: given[i].id for i in given}
    entries = dict(registry.by_id)
    for i in order:
        a = articles[i]
        if i in given:
            old = given[i]
            entries[old.id] = replace(old, file=names[i], title=a.title, fingerprint=prints[i])
            continue
        new = _derive(a.id, taken)
        taken.add(new)
        new_ids[i] = new
        entries[new] = Entry(new, "live", names[i], a.title, prints[i])

    renamed = {articles[i].id: new_ids[i] for i in order}
    out = [evolve(a, id=new_ids[i], related=tuple(renamed.get(r, r) for r in a.related),
                   near_duplicates=tuple(renamed.get(r, r) for r in a.near_duplicates))
           for i, a in enumerate(articles)]
    new_registry = replace(registry, entries=tuple(sorted(entries.values(), key=lambda e: e.id)))

    gone = [entry for entry in live if entry.id not in used]
    diags = [_vanished(entry, registry, closest) for entry, closest in zip(gone, _closest(gone, out, prints))]
    diags += _redirect_problems(new_registry)
    return out, new_registry, diags


def _unchanged(live: list[Entry], prints: list[tuple[int, ...]], names: list[str]) -> dict[int, Entry]:
    """article index -> entry, for each article whose fingerprint is that of one live entry of
    its page file and of no other article or entry: the usual case of a rebuild, found by a
    dict lookup. Only identical sketches score 1.0, so such a pair is the best of both sides
    (same file, highest score) and :func:`_matched` would pair them too."""
    entries: dict[tuple[int, ...], list[Entry]] = defaultdict(list)
    for e in live:
        entries[e.fingerprint].append(e)
    holders: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for i, fp in enumerate(prints):
        holders[fp].append(i)
    return {same[0]: e for fp, (e, *others) in entries.items()
            if fp and not others and len(same := holders.get(fp, ())) == 1 and names[same[0]] == e.file}


def _matched(live: list[Entry], indices: list[int], articles: list[Article], prints: list[tuple[int, ...]],
             names: list[str]) -> dict[int, Entry]:
    """article index -> entry, one to one, for the ``live`` entries and the articles at
    ``indices`` that score at least :data:`THRESHOLD`: pairs of the same page file first, then
    the most similar, ties by entry id and article id."""
    pairs = []
    for k, n in candidate_pairs([e.fingerprint for e in live], [prints[i] for i in indices]):
        entry, i = live[k], indices[n]
        score = similarity(entry.fingerprint, prints[i])
        if score >= THRESHOLD:
            pairs.append((entry.file != names[i], -score, entry.id, articles[i].id, entry, i))
    pairs.sort(key=lambda p: p[:4])
    given: dict[int, Entry] = {}
    used: set[str] = set()
    for _, _, eid, _, entry, i in pairs:  # best pairs first, each entry and article once
        if eid not in used and i not in given:
            given[i] = entry
            used.add(eid)
    return given


def _closest(entries: list[Entry], articles: list[Article],
             prints: list[tuple[int, ...]]) -> list[tuple[float, Article] | None]:
    """For each entry, the article of the build most similar to it (ties by id), with the
    score; ``None`` when none is similar at all. Only articles sharing a hash value with the
    entry can be (:func:`similarity` is 0 otherwise), so only those are scored."""
    if not entries:
        return []
    holders: dict[int, list[int]] = defaultdict(list)
    for i, fp in enumerate(prints):
        for h in fp:
            holders[h].append(i)
    found: list[tuple[float, Article] | None] = []
    for entry in entries:
        near = {i for h in entry.fingerprint for i in holders.get(h, ())}
        scored = [(similarity(entry.fingerprint, prints[i]), articles[i]) for i in near]
        best = min(scored, key=lambda s: (-s[0], s[1].id), default=None)
        found.append(best if best is not None and best[0] > 0 else None)
    return found


def _vanished(entry: Entry, registry: Registry, closest: tuple[float, Article] | None) -> Diagnostic:
    where = f"「{entry.title}」 from {entry.file}" if entry.file else f"「{entry.title}」"
    hint = ""
    if closest is not None:
        score, best = closest
        hint = f"; the closest article now is {best.id} 「{best.title}」 (similarity {score:.2f})"
    return Diagnostic(registry.display,
                      f"permalink a/{entry.id}/ would disappear ({where}: no article of this build matches "
                      f"its fingerprint{hint}); mark it retired with redirect_to in {registry.display}",
                      registry.line(entry.id), "error")


def resolve_redirect(registry: Registry, eid: str) -> str | None:
    """The live id a retired id finally redirects to (following retired ids), None if none."""
    entries = registry.by_id
    seen = set()
    while eid in entries and entries[eid].status == "retired" and eid not in seen:
        seen.add(eid)
        eid = entries[eid].redirect_to or ""
    return eid if eid in entries and entries[eid].status == "live" else None


def _redirect_problems(registry: Registry) -> list[Diagnostic]:
    known = {e.id for e in registry.entries}
    return [Diagnostic(registry.display, f"retired permalink a/{e.id}/ redirects to {e.redirect_to}, which leads "
                       "to no live id (a loop of retired ids)", registry.line(e.id), "error")
            for e in registry.entries
            if e.status == "retired" and e.redirect_to in known and resolve_redirect(registry, e.id) is None]


# --- redirects ------------------------------------------------------------------------------

def redirect_page(target: Article) -> str:
    """A static page sending a retired permalink ``a/<old>/`` to ``a/<target>/``. Relative URLs,
    so the site works under any sub-path and with ``mkdocs serve``."""
    url = f"../{target.id}/"
    title = html.escape(target.title)
    return (
        "<!doctype html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"{REDIRECT_MARK}\n"
        f"<title>{title}</title>\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n"
        f"<link rel=\"canonical\" href=\"{url}\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n"
        f"<p>本文的永久链接已更新，请访问：<a href=\"{url}\">{title}</a></p>\n"
        "</body>\n</html>\n"
    )


def redirect_pages(registry: Registry, articles: list[Article], article_dir: str = "a") -> dict[str, str]:
    """``{"a/<old>/index.html": page}`` for every retired id whose successor is built."""
    by_id = {a.id: a for a in articles}
    pages = {}
    for e in registry.entries:
        if e.status == "retired":
            target = by_id.get(resolve_redirect(registry, e.id) or "")
            if target is not None:
                pages[f"{article_dir}/{e.id}/index.html"] = redirect_page(target)
    return pages


def stale_redirects(docs_dir: Path, keep: set[str], article_dir: str = "a") -> list[Path]:
    """Redirect pages written earlier (recognised by their generator tag) that ``keep`` lacks."""
    folder = docs_dir / article_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*/index.html")
                  if p.relative_to(docs_dir).as_posix() not in keep
                  and REDIRECT_MARK in p.read_text(encoding="utf-8", errors="replace"))
