"""The site's article search index: character n-grams (1–3), sharded, fetched in chunks on demand.

Written from ``docs/data/articles.jsonl`` only (no MkDocs), by :func:`build_index`; the hook
``scripts/search_hooks.py`` writes it into ``<site>/search/archive/`` at every build, and the
search worker ``docs/assets/search/worker.js`` queries it in the browser behind Material's own
search box (its worker protocol, result list and keyboard handling are unchanged).

Why our own index, and why character n-grams
--------------------------------------------
Researchers search phrases: any few characters of a text, across word boundaries (``招商``
inside ``精准招商``, ``区党`` in ``高新区党建``). Material's lunr search (jieba at build time, a
greedy cut of the query in the browser) misses a query cut differently from the text, and its
one ``search_index.json`` was 47.6 MB at 1,000 articles. Pagefind's extended build (1.5.2) does
fetch its index in chunks, but it segments Chinese into its own dictionary's words, with no user
dictionary, and matches words: measured on the seeds (``python -m scripts.search_recall
--pagefind``, same queries, same article pages) it finds 91.0 % of the relevant articles (tags
89.4 %, zone names 84.6 %, body substrings 86.4 %; ``营商环境`` misses 5 of its 5 articles),
against 100 % here, and a query downloads 75–120 KB plus 155 KB of start-up files (at 1,010
articles 127–417 KB a query, index 15.6 MB; ours 37–119 KB, index 3.4 MB). An n-gram index
needs no segmenter: segmentation is the same at index and query time by construction, and every
word of the user dictionary (``scripts/data/userdict.txt``) is found because every substring is.

- **Text** is normalised (full-width letters and digits to ASCII, lower case) and cut into
  *runs* of word characters (Han, kana, Hangul, Latin letters, digits); punctuation and spaces
  separate runs. Every 1, 2 and 3 adjacent characters of a run are keys.
- **Query**: each run of the query is looked up by itself when it has one to three characters
  (an exact answer), else by the intersection of its trigrams from every third character plus
  the last (they cover the run; at most ``MAX_KEYS``). That is every article containing the
  run, plus those where its trigrams occur apart: measured precision on body substrings is
  100 % on the seeds, 76 % on the synthetic 1,010 articles (whose vocabulary is a seed-text
  word model, so common trigrams are everywhere); bigrams alone gave 31 % there, for half the
  index size. Several runs (``青岛 人才``) are OR-ed and ranked by how many match, as
  Material does (its result list shows the missing ones struck out); at most ``MAX_RUNS``.
- **Fields**: every key's posting list holds the articles that contain it anywhere in their own
  text (headline lines, byline, lead, body, captions, people, organisations, zones, tags,
  topics), plus two sub-lists: those with it in a headline line (kicker, title, subtitle) and in
  a keyword (tags, zones, topics).
- **Ranking**: more matching runs first; then, per run, a headline match counts 4, a keyword
  match 2, any match 1; ties newest first. Articles are numbered newest first (date, then id),
  so "newest first" is "lowest number first" and needs no data.
- **Encoding**: a posting list is sorted article numbers, either gaps as varints (``gap =
  number - previous - 1``) or, when smaller, a bitmap (a key in most articles, ``党建``, costs
  one bit per article). A key's entry is ``varint len, key (UTF-8), list, headline list, keyword
  list``, each list ``varint byte length, kind byte (0 gaps, 1 bitmap), bytes``.
- **Shards**: keys are spread over ``shards`` files by FNV-1a (32-bit, UTF-8 bytes) modulo a
  power of two, chosen so that a shard averages about ``SHARD_BYTES``; a query downloads one
  shard per key, whatever the size of the archive.
- **Metadata** (what a result shows: url, title, kicker, subtitle, date, zones, the start of the
  lead) sits in chunks of ``META_CHUNK`` articles by number; the worker fetches the chunks of the
  results it lists, the best ``LIMIT``, then one entry says how many more there are (Material's
  list shows every item it is given, so every item must carry its title). The query is marked in
  the title, headline lines, zones and that excerpt where it occurs there; no full text is
  downloaded. A query thus downloads at most about ``MAX_RUNS × MAX_KEYS`` shards and ``LIMIT``
  metadata chunks, independent of the number of articles (figures: ``scripts/search_recall.py``).
- **Offline folder** (Material's offline plugin, ``file://``, no fetch): the same files are written
  as scripts (``format: "js"``) that the worker loads with ``importScripts`` (Material's
  iframe-worker shim provides it); each calls ``__archiveChunk(name, data)`` with the shard as
  base64 or the metadata as JSON.

Everything is sorted and hashed without randomness: the same records give the same bytes.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

SHARD_BYTES = 8_000  # target average shard size: what one key of a query downloads
META_CHUNK = 4  # articles per metadata chunk
LIMIT = 20  # results listed with their metadata (a request each, at worst); the rest are counted
MAX_KEYS = 6  # bigrams looked up per query run (spread over the run, covering it)
MAX_RUNS = 3  # query runs searched (the rest are ignored)
EXCERPT_CHARS = 80  # characters of the lead kept for a result's text
MAX_ZONES = 3  # zones shown with a result
VERSION = 1
INDEX_DIR = "archive"  # under <site>/search/

TITLE, KEYWORD = 1, 2  # field bits
# Word characters: digits, Latin (with accents), Greek, Cyrillic, 〇, kana, CJK, Hangul. The
# worker uses the same class (docs/assets/search/worker.js, UNIT).
UNIT_CLASS = ("0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3007\u3040-\u30ff\u3400-\u4dbf"
              "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")
_RUN = re.compile(f"[{UNIT_CLASS}]+")
_ONE, _TWO, _THREE = (re.compile(f"(?=([{UNIT_CLASS}]{{{n}}}))") for n in (1, 2, 3))
_HEADING = re.compile(r"^#{1,6} ", re.M)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#|+\-.!<>~=])")
_SPACE = re.compile(r"\s+")
_FULLWIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # ０-９ Ａ-Ｚ ａ-ｚ


# --- text ---------------------------------------------------------------------------------------

def normalize(text: str) -> str:
    """What is indexed and searched: full-width letters and digits as ASCII (as an input method
    in full-width mode types them), lower case. The worker normalises queries the same way.

    >>> normalize("ＧＤＰ增长２０％，Ａ股")
    'gdp增长20％，a股'
    """
    return _FULLWIDTH.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text).lower()


def runs(text: str) -> list[str]:
    """The runs of word characters of normalised ``text``.

    >>> runs("高新区“党建+”，5G基站 e企")
    ['高新区', '党建', '5g基站', 'e企']
    """
    return _RUN.findall(normalize(text))


def plain(markdown: str | None) -> str:
    r"""The text of an exported Markdown body: heading marks, backslash escapes and HTML entities
    undone (the body is data: ``scripts/write.py`` escapes it for Markdown).

    >>> plain("## 小标题\n\n党员\\*先锋\\* \\#1 a&lt;b&gt; &#32;  x")
    '小标题\n\n党员*先锋* #1 a<b>    x'
    """
    if not markdown:
        return ""
    return html.unescape(_MD_ESCAPE.sub(r"\1", _HEADING.sub("", markdown)))


def text_keys(texts: Iterable[str | None]) -> set[str]:
    """The keys of several texts: every character, every 2 and 3 adjacent characters of a run
    (each text is cut into runs on its own: no key spans two runs or two texts).

    >>> sorted(text_keys(["党建", None, "e企炬"]))
    ['e', 'e企', 'e企炬', '企', '企炬', '党', '党建', '建', '炬']
    """
    text = normalize("\n".join(t for t in texts if t))
    keys = set(_ONE.findall(text))
    keys.update(_TWO.findall(text))  # overlapping matches: a lookahead that captures
    keys.update(_THREE.findall(text))
    return keys


def query_keys(run: str, max_keys: int = MAX_KEYS) -> list[str]:
    """The keys a query run is looked up by: itself when one to three characters; else its
    trigrams from every third character, and the last (together they cover every character),
    thinned evenly to ``max_keys``. The worker does exactly this.

    >>> query_keys("党"), query_keys("高新区"), query_keys("高新区党"), query_keys("青岛高新区党建")
    (['党'], ['高新区'], ['高新区', '新区党'], ['青岛高', '新区党', '区党建'])
    >>> query_keys("一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑", 4)
    ['一二三', '七八九', '己庚辛', '癸子丑']
    """
    chars = list(run)
    if len(chars) <= 3:
        return [run]
    starts = list(range(0, len(chars) - 3, 3)) + [len(chars) - 3]
    if len(starts) > max_keys:
        step = (len(starts) - 1) / (max_keys - 1)
        starts = [starts[round(i * step)] for i in range(max_keys)]
    return list(dict.fromkeys("".join(chars[i:i + 3]) for i in starts))


# --- records --------------------------------------------------------------------------------------

def headline_texts(r: dict) -> list[str | None]:
    return [r.get("kicker"), r.get("title"), r.get("subtitle")]


def keyword_texts(r: dict) -> list[str]:
    return [*r.get("tags", []), *r.get("zones", []), *r.get("topics", [])]


def own_texts(r: dict) -> list[str | None]:
    """Everything an article's page says about the article itself: headline lines, byline,
    dateline, lead, body, captions and credits, authors, people, organisations, keywords."""
    captions = r.get("captions", [])
    return [*headline_texts(r), r.get("byline"), r.get("dateline"), r.get("lead"), plain(r.get("body")),
            *(c.get("text") for c in captions), *(c.get("credit") for c in captions),
            *r.get("authors", []), *(f"{p.get('name')} {p.get('title') or ''}" for p in r.get("people", [])),
            *r.get("organizations", []), *keyword_texts(r)]


def number_order(dated: list[tuple[str, str | None]]) -> list[int]:
    """Positions of ``(id, date)`` pairs in article-number order: newest date first
    (``2024-04-22`` before ``2024-04`` before ``2024``), undated last, then by id.

    >>> number_order([("b", "2024"), ("c", None), ("a", "2024-05"), ("d", "2024"), ("a0", None)])
    [2, 0, 3, 4, 1]
    """
    by_id = sorted(range(len(dated)), key=lambda i: dated[i][0])
    with_date = [i for i in by_id if dated[i][1]]
    with_date.sort(key=lambda i: dated[i][1], reverse=True)  # stable: ties stay in id order
    return with_date + [i for i in by_id if not dated[i][1]]


def newest_first(records: list[dict]) -> list[dict]:
    """Records in article-number order (:func:`number_order`)."""
    return [records[i] for i in number_order([(r["id"], r.get("date")) for r in records])]


def excerpt(r: dict, size: int = EXCERPT_CHARS) -> str:
    """The start of the article's text (lead, else body, else captions), spaces collapsed."""
    text = r.get("lead") or plain(r.get("body")) or " ".join(c.get("text") or "" for c in r.get("captions", []))
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= size else text[:size] + "…"


def metadata(r: dict, url: str) -> list:
    """What the result list shows: ``[url, title, kicker, subtitle, date, zones, excerpt]``."""
    return [url, r.get("title") or "", r.get("kicker") or "", r.get("subtitle") or "", r.get("date") or "",
            r.get("zones", [])[:MAX_ZONES], excerpt(r)]


# --- encoding ----------------------------------------------------------------------------------

def varint(n: int) -> bytes:
    """LEB128: seven bits a byte, low bits first, high bit set on all but the last.

    >>> varint(0), varint(127), varint(128), varint(300)
    (b'\\x00', b'\\x7f', b'\\x80\\x01', b'\\xac\\x02')
    """
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    n = shift = 0
    while True:
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return n, pos
        shift += 7


GAPS, BITMAP = 0, 1


def encode_list(docs: list[int]) -> bytes:
    """A sorted list of article numbers, as gaps or as a bitmap, whichever is smaller; empty
    for no articles.

    >>> encode_list([]), encode_list([3, 200]), encode_list([0, 1, 5])
    (b'', b'\\x00\\x03\\xc4\\x01', b'\\x01#')
    """
    if not docs:
        return b""
    size = docs[-1] // 8 + 2  # bitmap bytes, with its kind byte
    if len(docs) + 1 < size:
        gaps = [b - a - 1 for a, b in zip([-1, *docs], docs)]
        data = bytes([GAPS, *gaps]) if max(gaps) < 0x80 else bytes([GAPS]) + b"".join(map(varint, gaps))
        if len(data) <= size:
            return data
    bitmap = bytearray(size)
    bitmap[0] = BITMAP
    for d in docs:
        bitmap[1 + (d >> 3)] |= 1 << (d & 7)
    return bytes(bitmap)


def decode_list(data: bytes) -> list[int]:
    """The article numbers of :func:`encode_list`'s bytes.

    >>> decode_list(encode_list([3, 200, 201, 70000])), decode_list(encode_list(list(range(0, 40, 2))))
    ([3, 200, 201, 70000], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38])
    """
    if not data:
        return []
    if data[0] == BITMAP:
        return [8 * i + b for i, byte in enumerate(data[1:]) if byte for b in range(8) if byte >> b & 1]
    docs, pos, prev = [], 1, -1
    while pos < len(data):
        g, pos = read_varint(data, pos)
        prev += g + 1
        docs.append(prev)
    return docs


def encode_entry(key: str, docs: list[int], title: list[int], keyword: list[int]) -> bytes:
    """One key's entry in a shard: the key, then its three posting lists, each length-prefixed."""
    raw = key.encode("utf-8")
    out = bytearray(varint(len(raw)) + raw)
    for lst in (docs, title, keyword):
        data = encode_list(lst)
        out += varint(len(data)) + data
    return bytes(out)


def decode_shard(data: bytes) -> dict[str, tuple[list[int], list[int], list[int]]]:
    """``{key: (articles, in a headline, in a keyword)}`` of a shard's bytes."""
    out, pos = {}, 0
    while pos < len(data):
        n, pos = read_varint(data, pos)
        key = data[pos:pos + n].decode("utf-8")
        pos += n
        lists = []
        for _ in range(3):
            n, pos = read_varint(data, pos)
            lists.append(decode_list(data[pos:pos + n]))
            pos += n
        out[key] = tuple(lists)
    return out


def fnv1a(key: str) -> int:
    """FNV-1a, 32 bits, of the key's UTF-8 bytes (the worker computes the same).

    >>> fnv1a(""), fnv1a("a"), fnv1a("党建")
    (2166136261, 3826002220, 367872943)
    """
    h = 0x811C9DC5
    for b in key.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_count(total_bytes: int, target: int = SHARD_BYTES) -> int:
    """The power of two that makes shards about ``target`` bytes on average (at least 1).

    >>> shard_count(0), shard_count(8_000), shard_count(16_000), shard_count(1_000_000)
    (1, 1, 2, 128)
    """
    n = 1
    while total_bytes / n > target * 1.5:
        n *= 2
    return n


# --- the index ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchIndex:
    """The built index: ``config`` goes into ``search_index.json`` (``config.archive``), the
    ``files`` (path under ``search/archive/`` -> bytes) next to it. ``entry_bytes``: the size
    of all key entries, which decides the number of shards."""
    config: dict
    files: dict[str, bytes]
    entry_bytes: int = 0

    @property
    def total_bytes(self) -> int:
        return sum(len(b) for b in self.files.values())


# Keys as numbers, for building the index at C speed (numpy): a key of one to three characters
# is its code points, 21 bits each, first character highest: ``c1 << 42 | c2 << 21 | c3``. Every
# word character is at least "0" (U+0030), so the number of characters shows in the magnitude.
CODE_BITS = 21
_CODE_MASK = (1 << CODE_BITS) - 1


def _unit_table() -> np.ndarray:
    """Whether each code point (0 … U+10FFFF) is a word character of :data:`UNIT_CLASS`."""
    table = np.zeros(0x110000, dtype=bool)
    for lo, hi in re.findall(r"(.)(?:-(.))?", UNIT_CLASS, re.S):
        table[ord(lo):ord(hi or lo) + 1] = True
    return table


_UNIT = _unit_table()


def key_codes(text: str) -> np.ndarray:
    """The keys of normalised ``text`` (:func:`text_keys`) as sorted distinct numbers.

    >>> [key_text(int(c)) for c in key_codes("党建、e企")]
    ['e', '企', '党', '建', 'e企', '党建']
    """
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    unit = _UNIT[points]
    pair = unit[:-1] & unit[1:]
    triple = pair[:-1] & unit[2:]
    return np.unique(np.concatenate((
        points[unit],
        (points[:-1] << CODE_BITS | points[1:])[pair],
        (points[:-2] << 2 * CODE_BITS | points[1:-1] << CODE_BITS | points[2:])[triple])))


def key_text(code: int) -> str:
    """The key a number of :func:`key_codes` stands for.

    >>> key_text(0x515A), key_text(0x515A << 21 | 0x5EFA)
    ('党', '党建')
    """
    chars = [code >> 2 * CODE_BITS, code >> CODE_BITS & _CODE_MASK, code & _CODE_MASK]
    return "".join(map(chr, (c for c in chars if c)))


INVERT_BLOCK = 2048  # texts inverted at a time: bounds the arrays' memory (about 30 MB a block at 10k)


def inverted(texts: list[str], block: int = INVERT_BLOCK) -> dict[str, list[int]]:
    """``{key: numbers of the texts holding it, ascending}`` for normalised ``texts``: the same as
    appending each text's number to the list of each of its :func:`text_keys` (several times
    faster: see :func:`_inverted_block`), ``block`` texts at a time.

    >>> inverted(["党建", "建", "", "e建"], block=2)
    {'党': [0], '建': [0, 1, 3], '党建': [0], 'e': [3], 'e建': [3]}
    """
    shared = np.array(range(len(texts)), dtype=object)  # one int object per number, as list appends share
    lists: dict[int, list[int]] = {}
    for start in range(0, len(texts), block):
        for code, numbers in _inverted_block(texts[start:start + block], shared[start:start + block]):
            found = lists.get(code)
            if found is None:
                lists[code] = numbers
            else:
                found.extend(numbers)
    return {key_text(code): numbers for code, numbers in lists.items()}


def _inverted_block(texts: list[str], numbers_of: np.ndarray) -> Iterable[tuple[int, list[int]]]:
    """:func:`inverted` of a few texts, numbered ``numbers_of``, keys as numbers: every text's
    keys, all sorted by key at once (stable: the texts stay in order), cut where the key changes."""
    parts = [key_codes(t) for t in texts]
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    positions = np.repeat(np.arange(len(parts), dtype=np.int32), [len(p) for p in parts])
    order = np.argsort(codes, kind="stable")
    codes, numbers = codes[order], numbers_of[positions[order]]
    first = np.ones(len(codes), dtype=bool)  # where a key's run of numbers starts
    first[1:] = codes[1:] != codes[:-1]
    starts = np.flatnonzero(first)
    bounds = [*starts.tolist(), len(codes)]
    return ((k, numbers[bounds[i]:bounds[i + 1]].tolist()) for i, k in enumerate(codes[starts].tolist()))


def postings(records: list[dict]) -> dict[str, tuple[list[int], list[int], list[int]]]:
    """``{key: (articles, in a headline, in a keyword)}``, articles numbered in list order."""
    every, title, keyword = (inverted([normalize("\n".join(t for t in texts_of(r) if t)) for r in records])
                             for texts_of in FIELDS)
    return {k: (docs, title.get(k, []), keyword.get(k, [])) for k, docs in every.items()}


def shard_files(entries: dict[str, bytes], shards: int) -> dict[int, bytes]:
    """Entries grouped into shards by key hash, keys sorted within a shard."""
    grouped: dict[int, list[str]] = {}
    for key in entries:
        grouped.setdefault(fnv1a(key) % shards, []).append(key)
    return {s: b"".join(entries[k] for k in sorted(keys)) for s, keys in sorted(grouped.items())}


def as_script(name: str, payload: str) -> bytes:
    """A chunk as a script for the offline folder: ``__archiveChunk(name, payload)``."""
    return f"__archiveChunk({json.dumps(name)},{payload});\n".encode("utf-8")


def article_url(r: dict, directory_urls: bool = True) -> str:
    """An article's page relative to the site root: ``a/<id>/``, or ``a/<id>.html`` when MkDocs'
    ``use_directory_urls`` is off (the offline folder).

    >>> article_url({"id": "0af460c448"}), article_url({"id": "0af460c448"}, False)
    ('a/0af460c448/', 'a/0af460c448.html')
    """
    return f"a/{r['id']}/" if directory_urls else f"a/{r['id']}.html"


def build_index(records: list[dict], directory_urls: bool = True, fmt: str = "bin",
                shard_bytes: int = SHARD_BYTES) -> SearchIndex:
    """The index of ``records`` (``data/articles.jsonl``). ``directory_urls``: MkDocs' setting
    (result links ``a/<id>/`` or ``a/<id>.html``). ``fmt``: ``"bin"`` (fetched) or ``"js"``
    (scripts, for ``file://``)."""
    ordered = newest_first(records)
    entries = {k: encode_entry(k, *lists) for k, lists in postings(ordered).items()}
    entry_bytes = sum(len(e) for e in entries.values())
    shards = shard_count(entry_bytes, shard_bytes)
    files: dict[str, bytes] = {}
    for s, data in shard_files(entries, shards).items():
        files.update([shard_file(s, data, fmt)])
    for start in range(0, len(ordered), META_CHUNK):
        files.update([meta_file(start // META_CHUNK, ordered[start:start + META_CHUNK], directory_urls, fmt)])
    config = {"version": VERSION, "path": f"search/{INDEX_DIR}/", "format": fmt, "docs": len(ordered),
              "shards": shards, "meta": META_CHUNK, "limit": LIMIT, "max_keys": MAX_KEYS, "max_runs": MAX_RUNS,
              "token": token(sorted(files), files.__getitem__)}
    return SearchIndex(config, files, entry_bytes)


def shard_file(shard: int, data: bytes, fmt: str) -> tuple[str, bytes]:
    """A shard's file name and bytes: ``s/<n>.bin``, or a script for the offline folder."""
    name = f"s/{shard}"
    if fmt == "bin":
        return name + ".bin", data
    return name + ".js", as_script(name, json.dumps(base64.b64encode(data).decode("ascii")))


def meta_file(chunk: int, records: list[dict], directory_urls: bool, fmt: str) -> tuple[str, bytes]:
    """A metadata chunk's file name and bytes: what the result list shows of ``records``."""
    name = f"m/{chunk}"
    meta = json.dumps([metadata(r, article_url(r, directory_urls)) for r in records],
                      ensure_ascii=False, separators=(",", ":"))
    return (name + ".json", meta.encode("utf-8")) if fmt == "bin" else (name + ".js", as_script(name, meta))


def token(names: list[str], read: Callable[[str], bytes]) -> str:
    """What changes whenever a file does (the worker's cache key): a hash over the sorted names
    and their bytes."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + read(name))
    return digest.hexdigest()[:12]


def write_index(index: SearchIndex, folder: Path) -> None:
    """Write the index's files into ``folder`` (``<site>/search/archive``) and its config
    beside them (``folder.with_suffix(".json")``, not part of the site)."""
    for name, data in index.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    folder.with_suffix(".json").write_text(json.dumps(index.config, sort_keys=True), encoding="utf-8")


# --- updating the previous index ----------------------------------------------------------------
#
# A build keeps, beside its index, what the index read of each record (``archive.records.jsonl``,
# one line per article number) and a state (``archive.state.json``): per article number, the id,
# date and a digest of its record's line in ``articles.jsonl``. The next build compares lines: when the article numbers are unchanged (no article added,
# removed or moved by its date), only the keys whose posting lists differ (those in the old or
# new text of a changed record but not in both) are rewritten, in their shards, and the changed
# records' metadata chunks; every other file is the previous one. The result is byte for byte
# the index :func:`build_index` makes (tests/test_search_index.py); when it cannot be (numbers
# moved, the shard count changed, a setting or this file changed, a part is missing), the index
# is built whole.

STATE_SUFFIX = ".state.json"
RECORDS_SUFFIX = ".records.jsonl"
# The fields of a record the keys are cut from (own_texts, headline_texts, keyword_texts).
SEARCHED = ("kicker", "title", "subtitle", "byline", "dateline", "lead", "body", "captions", "authors", "people",
            "organizations", "tags", "zones", "topics")
FIELDS = (own_texts, headline_texts, keyword_texts)  # the three posting lists of a key, in order
CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]  # an update needs the same code


def record_lines(data: bytes) -> list[bytes]:
    """The lines of ``articles.jsonl`` (split at ``\\n`` only), blank ones left out."""
    return [line for line in data.split(b"\n") if line.strip()]


def line_digest(line: bytes) -> str:
    return hashlib.blake2b(line, digest_size=16).hexdigest()


def index_settings(directory_urls: bool, fmt: str, shard_bytes: int) -> dict:
    """Everything besides the records that the index's bytes depend on."""
    return {"code": CODE, "version": VERSION, "directory_urls": directory_urls, "format": fmt,
            "shard_bytes": shard_bytes, "meta": META_CHUNK, "limit": LIMIT, "max_keys": MAX_KEYS, "max_runs": MAX_RUNS}


def index_state(lines: list[bytes], records: list[dict], index: SearchIndex, settings: dict) -> tuple[dict, list[bytes]]:
    """What :func:`update_index` needs to know of the index built from ``lines`` (``records``):
    the state, and what the index read of each record, in article-number order."""
    order = number_order([(r["id"], r.get("date")) for r in records])
    state = {"settings": settings, "entry_bytes": index.entry_bytes,
             "articles": [[records[i]["id"], records[i].get("date"), line_digest(lines[i])] for i in order]}
    return state, [searched(records[i]) for i in order]


def searched(record: dict) -> bytes:
    """What the keys are cut from, of a record, as one line of JSON."""
    kept = {k: record[k] for k in SEARCHED if k in record}
    return json.dumps(kept, ensure_ascii=False).encode("utf-8")  # json.dumps writes no raw newline: one line


@dataclass(frozen=True)
class Update:
    """An index made from the previous one: its ``config``, the ``files`` that differ from the
    previous ones (new or rewritten), the ``names`` of all its files, its ``state`` and ``kept``
    records (see :func:`index_state`), and how many articles ``changed``."""
    config: dict
    files: dict[str, bytes]
    names: list[str]
    state: dict
    kept: list[bytes]
    changed: int


def split_shard(data: bytes) -> dict[str, bytes]:
    """A shard's entries, key -> the entry's bytes, without decoding the posting lists."""
    out, pos = {}, 0
    while pos < len(data):
        start = pos
        n, pos = read_varint(data, pos)
        key = data[pos:pos + n].decode("utf-8")
        pos += n
        for _ in range(3):
            n, pos = read_varint(data, pos)
            pos += n
        out[key] = data[start:pos]
    return out


def key_changes(old: dict, new: dict, n: int, changes: dict[str, list[dict[int, bool]]]) -> None:
    """Record in ``changes`` (key -> per field, article number -> in it or not) where article
    ``n``'s keys differ between its ``old`` and ``new`` record."""
    for f, texts_of in enumerate(FIELDS):
        before, after = text_keys(texts_of(old)), text_keys(texts_of(new))
        for keys, present in ((before - after, False), (after - before, True)):
            for key in keys:
                changes.setdefault(key, [{}, {}, {}])[f][n] = present


def update_entry(entry: bytes | None, key: str, change: list[dict[int, bool]]) -> bytes | None:
    """A key's entry with the article numbers of ``change`` added to or removed from its lists;
    None when no article holds the key any more."""
    lists = [set(x) for x in decode_shard(entry)[key]] if entry else [set(), set(), set()]
    for numbers, field_change in zip(lists, change):
        for n, present in field_change.items():
            (numbers.add if present else numbers.discard)(n)
    return encode_entry(key, *map(sorted, lists)) if lists[0] else None


def update_index(base: Path, lines: list[bytes], directory_urls: bool = True, fmt: str = "bin",
                 shard_bytes: int = SHARD_BYTES) -> Update | None:
    """The index of ``lines`` made from the one in ``base`` (a folder :func:`write_built` wrote),
    or None when it must be built whole. Raises OSError or ValueError for a damaged base."""
    settings = index_settings(directory_urls, fmt, shard_bytes)
    state = json.loads(base.with_suffix(STATE_SUFFIX).read_text(encoding="utf-8"))
    if fmt != "bin" or state.get("settings") != settings:
        return None
    config = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    known = {digest: (i, date) for i, date, digest in state["articles"]}
    digests = [line_digest(line) for line in lines]
    parsed: dict[int, dict] = {}
    dated = []
    for pos, digest in enumerate(digests):
        if digest in known:
            dated.append(known[digest])
        else:
            parsed[pos] = json.loads(lines[pos])
            dated.append((parsed[pos]["id"], parsed[pos].get("date")))
    order = number_order(dated)
    if [dated[i][0] for i in order] != [a[0] for a in state["articles"]]:
        return None  # an article added, removed or moved: every number after it changes
    changed = [(n, pos) for n, pos in enumerate(order) if digests[pos] != state["articles"][n][2]]
    kept = base.with_suffix(RECORDS_SUFFIX).read_bytes().split(b"\n")[:-1]
    if len(kept) != len(order):
        return None
    changes: dict[str, list[dict[int, bool]]] = {}
    for n, pos in changed:
        key_changes(json.loads(kept[n]), parsed[pos], n, changes)
        kept[n] = searched(parsed[pos])

    shards, entry_bytes = config["shards"], state["entry_bytes"]
    by_shard: dict[int, list[str]] = {}
    for key in changes:
        by_shard.setdefault(fnv1a(key) % shards, []).append(key)
    files: dict[str, bytes] = {}
    removed = set()
    for s, keys in by_shard.items():
        name = f"s/{s}.bin"
        entries = split_shard((base / name).read_bytes()) if (base / name).is_file() else {}
        for key in keys:
            entry = update_entry(entries.get(key), key, changes[key])
            entry_bytes += len(entry or b"") - len(entries.get(key, b""))
            if entry is None:
                entries.pop(key, None)
            else:
                entries[key] = entry
        if entries:
            files[name] = b"".join(entries[k] for k in sorted(entries))
        else:
            removed.add(name)
    if shard_count(entry_bytes, shard_bytes) != shards:
        return None

    def record(n: int) -> dict:
        pos = order[n]
        return parsed[pos] if pos in parsed else json.loads(lines[pos])

    for chunk in sorted({n // META_CHUNK for n, _ in changed}):
        numbers = range(chunk * META_CHUNK, min(len(order), (chunk + 1) * META_CHUNK))
        files.update([meta_file(chunk, [record(n) for n in numbers], directory_urls, fmt)])
    previous = [f"{d}/{p.name}" for d in ("s", "m") for p in (base / d).iterdir()]
    names = sorted(set(previous) - removed | files.keys())
    config = {**config, "token": token(names, lambda name: files[name] if name in files else (base / name).read_bytes())}
    articles = [list(a) for a in state["articles"]]
    for n, pos in changed:
        articles[n] = [dated[pos][0], dated[pos][1], digests[pos]]
    return Update(config, files, names, {**state, "entry_bytes": entry_bytes, "articles": articles}, kept, len(changed))


def link_or_copy(src: Path | str, dst: Path | str) -> None:
    """A hard link (nothing writes to an index file once written), or a copy across file systems."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_update(update: Update, base: Path, folder: Path) -> None:
    """Write an :class:`Update` of the index in ``base`` into ``folder``: changed files written,
    the others linked to the previous ones."""
    for name in update.names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name in update.files:
            path.write_bytes(update.files[name])
        else:
            link_or_copy(base / name, path)
    folder.with_suffix(".json").write_text(json.dumps(update.config, sort_keys=True), encoding="utf-8")


def write_built(folder: Path, state: dict, kept: list[bytes]) -> None:
    """Keep beside the index in ``folder`` what the next build's :func:`update_index` reads:
    its state and what it read of the records (the pipeline rewrites ``articles.jsonl``)."""
    folder.with_suffix(RECORDS_SUFFIX).write_bytes(b"".join(line + b"\n" for line in kept))
    folder.with_suffix(STATE_SUFFIX).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")


def build_or_update(articles: Path, folder: Path, base: Path | None = None, directory_urls: bool = True,
                    fmt: str = "bin", shard_bytes: int = SHARD_BYTES) -> int | None:
    """Write the index of ``articles`` into ``folder``: updated from the one in ``base`` when it
    can be, else built whole. Returns how many articles the update changed (None: built whole)."""
    data = articles.read_bytes()
    lines = record_lines(data)
    update = None
    if base is not None:
        try:
            update = update_index(base, lines, directory_urls, fmt, shard_bytes)
        except (OSError, ValueError, KeyError, TypeError, IndexError):  # a damaged or vanished base
            update = None
    if update is not None:
        try:
            write_update(update, base, folder)
        except OSError:  # the base went while its files were linked (another build pruned it)
            shutil.rmtree(folder, ignore_errors=True)
            update = None
    if update is not None:
        state, kept = update.state, update.kept
    else:
        records = [json.loads(line) for line in lines]
        index = build_index(records, directory_urls, fmt, shard_bytes)
        write_index(index, folder)
        state, kept = index_state(lines, records, index, index_settings(directory_urls, fmt, shard_bytes))
    write_built(folder, state, kept)
    return None if update is None else update.changed


# --- the query (the worker's algorithm, for tests and measurement) -------------------------------

class Reader:
    """Reads an index the way the worker does: the files a query needs, each once (``fetched``).

    ``load``: file name (``s/3.bin``, ``m/0.json``) -> bytes; ``config``: the index's config."""

    def __init__(self, config: dict, load: Callable[[str], bytes]):
        self.config = config
        self.load = load
        self.shards: dict[int, dict] = {}
        self.fetched: dict[str, int] = {}  # file -> bytes

    @classmethod
    def of(cls, index: SearchIndex) -> "Reader":
        return cls(index.config, index.files.__getitem__)

    def read(self, name: str) -> bytes:
        data = self.load(name)
        self.fetched[name] = len(data)
        return data

    def lookup(self, key: str) -> tuple[list[int], list[int], list[int]]:
        s = fnv1a(key) % self.config["shards"]
        if s not in self.shards:
            self.shards[s] = decode_shard(self.read(f"s/{s}.bin"))
        return self.shards[s].get(key, ([], [], []))

    def metadata(self, n: int) -> list:
        size = self.config["meta"]
        return json.loads(self.read(f"m/{n // size}.json"))[n % size]


def match_run(reader: Reader, run: str) -> tuple[set[int], set[int], set[int]]:
    """Articles that contain every key of ``run`` (anywhere, in a headline, in a keyword)."""
    found = None
    for key in query_keys(run, reader.config["max_keys"]):
        lists = [set(x) for x in reader.lookup(key)]
        found = lists if found is None else [a & b for a, b in zip(found, lists)]
    return tuple(found) if found else (set(), set(), set())


def search(reader: Reader, query: str) -> list[int]:
    """Article numbers matching ``query``, best first: more matching runs, then the score (a
    headline match 4, a keyword match 2, any match 1, summed over runs), then newest first."""
    score: dict[int, list[int]] = {}
    for run in list(dict.fromkeys(runs(query)))[:reader.config["max_runs"]]:
        every, title, keyword = match_run(reader, run)
        for d in every:
            s = score.setdefault(d, [0, 0])
            s[0] += 1
            s[1] += 1 + 4 * (d in title) + 2 * (d in keyword)
    return sorted(score, key=lambda d: (-score[d][0], -score[d][1], d))


def listed(reader: Reader, query: str, limit: int | None = None) -> list[list]:
    """The metadata of the results the worker lists for ``query`` (at most ``limit``, by
    default the index's), read as the worker reads them."""
    limit = reader.config["limit"] if limit is None else limit
    return [reader.metadata(n) for n in search(reader, query)[:limit]]


def load_records(path: Path) -> list[dict]:
    """The records of ``data/articles.jsonl``: one per ``\\n``-ended line (never split at other
    line breaks: a reader of older exports may meet a raw U+2028 inside a string)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.search_index ARTICLES_JSONL FOLDER [--flat-urls] [--format js]
    [--base PREVIOUS]``: build the index and write it into FOLDER (its config into FOLDER.json,
    what the next build updates from beside it), updated from the index in PREVIOUS when it can
    be. The MkDocs hook runs this in a separate process while the pages are rendered."""
    parser = argparse.ArgumentParser(prog="python -m scripts.search_index", description=main.__doc__)
    parser.add_argument("articles", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--flat-urls", action="store_true", help="links a/<id>.html (use_directory_urls: false)")
    parser.add_argument("--format", choices=("bin", "js"), default="bin")
    parser.add_argument("--base", type=Path, help="the previous build's index folder, to update from")
    args = parser.parse_args(argv)
    changed = build_or_update(args.articles, args.folder, args.base, not args.flat_urls, args.format)
    print("built whole" if changed is None else f"updated, articles changed: {changed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
