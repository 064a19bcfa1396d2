"""Search recall: does the site's search find every article that contains what was typed?

The site's search (``scripts/search_index.py``, ``docs/assets/search/worker.js``) is a chunked
character n-gram index behind Material's search box. This module measures it as a reader meets
it, and how much it downloads:

- queries: every tag, every zone name, and 2–4 character words sampled deterministically from
  the article bodies (``words``: jieba words, as a reader would type them; ``substrings``: any
  2–4 Han characters of a body, the hardest case for a word index);
- an article is *relevant* to a query when its own text (headline lines, byline, lead, body,
  captions, and the zones, tags, topics, people and organisations its page lists) contains the
  query as a substring;
- recall = relevant articles whose page the search returns / relevant articles, summed over the
  queries of a category. Precision (returned article pages that are relevant) is shown beside it:
  the trigrams of a longer query can occur apart in an article that does not contain it.

The search is the real one: the built site is served on 127.0.0.1, opened in headless Chromium
(Playwright), and every query is posted to the site's search worker exactly as Material's search
box does (SETUP with ``search/search_index.json``, then ``{type: QUERY, data: <text typed>}``),
except that SETUP asks for every result rather than the first ``limit``; a few queries are also
typed into the search box to check that the count the page shows matches. Requests to any other
host are blocked and listed.

- :func:`search_figures` (no browser): index size, files, and the bytes a query downloads
  (shards and metadata chunks, read by the worker's algorithm from the files on disk) for
  typical and worst-case queries;
- :func:`first_results` (browser): per query, a fresh browser (empty cache), the milliseconds from
  the key released in the search box to the first result in the list, and the bytes fetched;
- :func:`measure_pagefind` (``--pagefind``): the same queries against Pagefind's extended build
  (``pagefind[extended]``, CJK segmentation) of the same article pages, its recall and bytes.

    python -m scripts.search_recall [SITE_DIR] [--pagefind] [--no-latency] [--no-browser]

Without SITE_DIR a temporary copy of the project is built. Exit status 0 when the targets are met
(tags and zone names 100 %, overall at least 95 %).

Measured on this 2-core machine, shared (times vary with load); synthetic archives from
``scripts.bench`` (recall at 10,129 by :func:`measure_index`, which gives the browser's figures
exactly at 1,010):

=========================  =============  ==============  ==============  ===============
figure                     seeds (13)     N = 1,010       N = 10,129      Pagefind, seeds
=========================  =============  ==============  ==============  ===============
recall tags / zones        100 / 100 %    100 / 100 %     100 / 100 %     89.4 / 84.6 %
recall words / substrings  100 / 100 %    100 / 100 %     100 / 100 %     96.1 / 86.4 %
recall overall             100 %          100 %           100 %           91.0 %
precision overall          96.3 %         95.4 %          96.0 %          44.0 %
precision substrings       100 %          75.9 %          87.8 %          29.6 %
index bytes / files        0.24 MB / 36   3.4 MB / 509    28.5 MB / 6,629 0.70 MB / 27
bytes a query, median      12 KB          40 KB           40 KB           ~100 KB + 155 KB
bytes a query, p95 / max   – / 38 KB      55 / 69 KB      52 / 60 KB      – / 121 KB
first results after typing 60–125 ms      130–350 ms      85–215 ms
=========================  =============  ==============  ==============  ===============

(bytes: over the tags, zone names and samples of 2,000 articles' queries; a query of three long
phrases reads up to 225 KB; Pagefind: its index and the fragments of the first 10 results, plus
155 KB of start-up files once; at N = 1,010 it reads 127–417 KB a query, index 15.6 MB.)
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import random
import re
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from .search_index import load_records

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SEED = 20240422  # the sampling seed: the same articles always give the same queries
SAMPLE = {"words": 120, "substrings": 120}
CATEGORIES = ("tags", "zones", "words", "substrings")
TARGETS = {"tags": 1.0, "zones": 1.0, "overall": 0.95}
# Worst cases: the most common bigrams and phrases of this archive; then typical queries.
FIGURE_QUERIES = ("党建", "高新区", "党", "发展", "党建引领", "青岛高新区", "人才 党建", "楼宇党建",
                  "国家高新区党建工作高质量发展")
INDEX_FILES = "/search/archive/"  # what a query downloads (URL part)

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]#|+\-.!])")
_ARTICLE_URL = re.compile(r"^a/([^/#.]+)(?:/|\.html)?(?:#.*)?$")

# Material's worker protocol (src/templates/assets/javascripts/integrations/search/worker/message)
SETUP, READY, QUERY, RESULT = 0, 1, 2, 3

# The site's search worker, set up as Material's page does (bundle.ts: the index from
# ``search/search_index.json``, ``options.suggest`` from the features; worker/_/index.ts: a SETUP
# message, then one QUERY message per text typed), so the page's own search box is left alone.
# ``all``: SETUP asks for every result (``options.limit: null``), not the first ``limit``.
_RUN_QUERIES = """
async ([queries, all]) => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base + "/", location.href);
  const index = await (await fetch(new URL("search/search_index.json", base))).json();
  const worker = new Worker(new URL(config.search, base));
  const next = type => new Promise(resolve => {
    const onMessage = ev => {
      if (ev.data.type !== type) return;
      worker.removeEventListener("message", onMessage);
      resolve(ev.data.data);
    };
    worker.addEventListener("message", onMessage);
  });
  const ready = next(%d);
  const options = {suggest: config.features.includes("search.suggest")};
  if (all) options.limit = null;
  worker.postMessage({type: %d, data: {config: index.config, docs: index.docs, options}});
  await ready;
  const out = {};
  for (const q of queries) {
    const result = next(%d);
    worker.postMessage({type: %d, data: q});
    out[q] = (await result).items.map(group => group.map(item => item.location));
  }
  worker.terminate();
  return out;
}
""" % (READY, SETUP, RESULT, QUERY)


# --- queries and relevance ------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    text: str
    category: str


def plain(markdown: str) -> str:
    r"""The text of an exported body: Markdown escapes and heading marks removed.

    >>> plain("## 小标题\n\n党员\\*先锋\\* a&lt;b")
    '小标题\n\n党员*先锋* a<b'
    """
    text = re.sub(r"^#{1,6} ", "", markdown, flags=re.M)
    text = _MD_ESCAPE.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def body_text(r: dict) -> str:
    """What the article printed as running text: lead and body."""
    return "\n".join(p for p in (r.get("lead"), plain(r.get("body") or "")) if p)


def own_text(r: dict) -> str:
    """Everything an article's page shows about the article itself (not the lists of other
    articles): headline lines, byline, dateline, lead, body, captions, and the zones, tags,
    topics, people and organisations it lists."""
    parts = [r.get("kicker"), r.get("title"), r.get("subtitle"), r.get("byline"), r.get("dateline"),
             body_text(r), *r.get("authors", []), *r.get("zones", []), *r.get("tags", []),
             *r.get("topics", []), *r.get("organizations", [])]
    parts += [c.get("text") for c in r.get("captions", [])] + [c.get("credit") for c in r.get("captions", [])]
    parts += [f"{p.get('name')} {p.get('title') or ''}" for p in r.get("people", [])]
    return "\n".join(p for p in parts if p)


def sample_words(records: list[dict], n: int, seed: int = SEED) -> list[str]:
    """``n`` distinct 2–4 character words of the bodies (the project's jieba tokenizer), drawn
    with a fixed seed from the sorted set of all of them."""
    from .nlp import tokenize

    words = {w for r in records for w in tokenize(body_text(r))
             if 2 <= len(w) <= 4 and _HAN_RUN.fullmatch(w)}
    pool = sorted(words)
    return sorted(random.Random(seed).sample(pool, min(n, len(pool))))


def sample_substrings(records: list[dict], n: int, seed: int = SEED) -> list[str]:
    """``n`` distinct strings of 2–4 Han characters cut anywhere in the bodies, regardless of
    word boundaries, drawn with a fixed seed."""
    grams = set()
    for r in records:
        for run in _HAN_RUN.findall(body_text(r)):
            for k in (2, 3, 4):
                grams.update(run[i:i + k] for i in range(len(run) - k + 1))
    pool = sorted(grams)
    return sorted(random.Random(seed + 1).sample(pool, min(n, len(pool))))


def query_set(records: list[dict], sample: dict[str, int] = SAMPLE) -> list[Query]:
    """Every tag, every zone name, and the sampled words and substrings (each text once, in
    the first category that has it)."""
    queries: dict[str, Query] = {}
    groups = [("tags", sorted({t for r in records for t in r.get("tags", [])})),
              ("zones", sorted({z for r in records for z in r.get("zones", [])})),
              ("words", sample_words(records, sample.get("words", 0))),
              ("substrings", sample_substrings(records, sample.get("substrings", 0)))]
    for category, texts in groups:
        for t in texts:
            queries.setdefault(t, Query(t, category))
    return list(queries.values())


def relevant(records: list[dict], text: str) -> set[str]:
    """Ids of the articles whose own text contains ``text`` (case-insensitive, like search)."""
    needle = text.lower()
    return {i for i, own in own_texts_lower(records) if needle in own}


def own_texts_lower(records: list[dict], _cache: dict = {}) -> list[tuple[str, str]]:  # noqa: B006
    """``(id, own text in lower case)`` of every record, computed once per list of records."""
    key = id(records)
    if key not in _cache or _cache[key][0] is not records:
        _cache.clear()
        _cache[key] = (records, [(r["id"], own_text(r).lower()) for r in records])
    return _cache[key][1]


# --- the browser ----------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()


def chromium_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file()


@contextlib.contextmanager
def browser_page(base: str, blocked: list[str]) -> Iterator[object]:
    """A headless Chromium page that may only talk to ``base``'s host; every other request is
    aborted and its URL appended to ``blocked``."""
    from playwright.sync_api import sync_playwright

    host = urlsplit(base).netloc

    def guard(route):
        url = route.request.url
        if urlsplit(url).netloc == host or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context()
            context.route("**/*", guard)
            page = context.new_page()
            yield page
        finally:
            browser.close()


def article_ids(locations: Iterable[str]) -> set[str]:
    """Article ids among search result locations (``a/<id>/``, ``a/<id>/#section``).

    >>> sorted(article_ids(["a/x1/", "a/x1/#sec", "tags/t-1/", "a/y2.html#s", ""]))
    ['x1', 'y2']
    """
    return {m.group(1) for loc in locations if (m := _ARTICLE_URL.match(loc))}


def run_queries(page, texts: list[str], every: bool = True) -> dict[str, list[list[str]]]:
    """Each query posted to the site's search worker; result groups of locations per query.
    ``every``: all results, not only those the search box lists (``limit``)."""
    return page.evaluate(_RUN_QUERIES, [texts, every])


def typed_count(page, text: str) -> str:
    """Type ``text`` into the search box and return what the result header then says."""
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    box.fill(text)
    box.press("End")  # the box reacts to keyup (as after an IME commits), not to fill()
    meta = page.locator("[data-md-component=search-result] .md-search-result__meta")
    said, stable = None, 0
    for _ in range(50):  # until the header has stopped changing for 0.5 s
        page.wait_for_timeout(100)
        now = meta.inner_text()
        stable = stable + 1 if now == said else 0
        said = now
        if stable >= 5:
            break
    return said


# --- the measurement ------------------------------------------------------------------------

@dataclass
class Score:
    relevant: int = 0
    found: int = 0
    returned: int = 0  # article pages returned
    returned_relevant: int = 0
    queries: int = 0
    missed: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.relevant if self.relevant else 1.0

    @property
    def precision(self) -> float:
        return self.returned_relevant / self.returned if self.returned else 1.0

    def add(self, text: str, want: set[str], got: set[str]) -> None:
        self.queries += 1
        self.relevant += len(want)
        self.found += len(want & got)
        self.returned += len(got)
        self.returned_relevant += len(got & want)
        if want - got:
            self.missed.append((text, sorted(want - got)))


@dataclass
class Measurement:
    scores: dict[str, Score]
    blocked: list[str]
    ui_checks: list[tuple[str, str, int]]  # query, what the page says, groups from the worker

    @property
    def overall(self) -> Score:
        total = Score()
        for s in self.scores.values():
            total.relevant += s.relevant
            total.found += s.found
            total.returned += s.returned
            total.returned_relevant += s.returned_relevant
            total.queries += s.queries
            total.missed += s.missed
        return total

    def table(self) -> str:
        rows = [f"{'category':<11} {'queries':>7} {'pairs':>6} {'recall':>8} {'precision':>9}"]
        for name, s in [*self.scores.items(), ("overall", self.overall)]:
            rows.append(f"{name:<11} {s.queries:>7} {s.relevant:>6} {s.recall:>8.1%} {s.precision:>9.1%}")
        return "\n".join(rows)

    def meets_targets(self) -> bool:
        return (all(self.scores[c].recall >= t for c, t in TARGETS.items() if c in self.scores)
                and self.overall.recall >= TARGETS["overall"])


def measure(site_dir: Path, records: list[dict] | None = None, sample: dict[str, int] = SAMPLE,
            ui_sample: int = 3) -> Measurement:
    """Run every query of :func:`query_set` against the built site's real search."""
    records = records if records is not None else load_records(site_dir / "data" / "articles.jsonl")
    queries = query_set(records, sample)
    blocked: list[str] = []
    with serve(site_dir) as base, browser_page(base, blocked) as page:
        page.goto(base, wait_until="load")
        results = run_queries(page, [q.text for q in queries])
        ui_checks = []
        typed = queries[:: max(1, len(queries) // ui_sample)][:ui_sample] if ui_sample else []
        listed = run_queries(page, [q.text for q in typed], every=False)
        for q in typed:
            ui_checks.append((q.text, typed_count(page, q.text), len(listed[q.text])))
    scores = {c: Score() for c in CATEGORIES if any(q.category == c for q in queries)}
    for q in queries:
        got = article_ids(loc for group in results[q.text] for loc in group)
        scores[q.category].add(q.text, relevant(records, q.text), got)
    return Measurement(scores, blocked, ui_checks)


def measure_index(site_dir: Path, records: list[dict] | None = None, sample: dict[str, int] = SAMPLE) -> Measurement:
    """:func:`measure` without a browser: the queries answered by the worker's algorithm in
    Python (``scripts.search_index.search``, which tests/test_search_index.py checks returns
    what the worker returns) from the index files of the built site; for large archives, where
    posting every query to the worker for every result would fetch every metadata chunk."""
    from .search_index import newest_first, search

    records = records if records is not None else load_records(site_dir / "data" / "articles.jsonl")
    reader = index_reader(site_dir)
    ids = [r["id"] for r in newest_first(records)]
    queries = query_set(records, sample)
    scores = {c: Score() for c in CATEGORIES if any(q.category == c for q in queries)}
    for q in queries:
        scores[q.category].add(q.text, relevant(records, q.text), {ids[n] for n in search(reader, q.text)})
    return Measurement(scores, [], [])


# --- what a query downloads, how soon it shows ----------------------------------------------------

def index_reader(site_dir: Path):
    """A :class:`scripts.search_index.Reader` of the index in a built site."""
    from .search_index import Reader

    config = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]["archive"]
    folder = site_dir / config["path"]
    return Reader(config, lambda name: (folder / name).read_bytes())


def query_bytes(site_dir: Path, query: str) -> int:
    """Bytes of the index files the worker fetches for ``query`` with an empty cache: a shard per
    key, the metadata chunks of the results it lists."""
    from .search_index import listed

    reader = index_reader(site_dir)
    listed(reader, query)
    return sum(reader.fetched.values())


def search_figures(site_dir: Path, queries: Iterable[str] = FIGURE_QUERIES) -> dict:
    """The index in numbers: total bytes and files, shards, the SETUP payload
    (``search_index.json``), the largest shard and metadata chunk, and the bytes one query
    downloads (``bytes <query>``; ``bytes max``: the largest of them)."""
    root = site_dir / "search"
    archive = json.loads((root / "search_index.json").read_text(encoding="utf-8"))["config"]["archive"]
    files = [f for f in (site_dir / archive["path"]).rglob("*") if f.is_file()]
    shards = [f.stat().st_size for f in files if f.parent.name == "s"]
    meta = [f.stat().st_size for f in files if f.parent.name == "m"]
    out = {"articles": archive["docs"], "index bytes": sum(shards) + sum(meta), "files": len(files),
           "shards": len(shards), "largest shard bytes": max(shards, default=0),
           "largest metadata chunk bytes": max(meta, default=0),
           "search_index.json bytes": (root / "search_index.json").stat().st_size}
    per_query = {q: query_bytes(site_dir, q) for q in queries}
    out.update({f"bytes {q}": b for q, b in per_query.items()})
    out["bytes max"] = max(per_query.values(), default=0)
    return out


_FIRST_RESULT = """
() => { window.__firstResult = new Promise(resolve => {
  const input = document.querySelector("input[data-md-component=search-query]");
  const result = document.querySelector("[data-md-component=search-result]");
  const meta = result.querySelector(".md-search-result__meta");
  const placeholder = meta.textContent;
  let start = null;
  document.addEventListener("keyup", ev => { if (ev.target === input && start === null) start = performance.now(); },
                            {capture: true});
  new MutationObserver((_, observer) => {  // the first item, or a header saying there is none
    if (start !== null && (result.querySelector(".md-search-result__item") || meta.textContent !== placeholder)) {
      observer.disconnect();
      resolve(performance.now() - start);
    }
  }).observe(result, {childList: true, subtree: true, characterData: true});
}); }
"""


def response_bytes(response) -> int:
    """A response's body size from its headers (the local server sends Content-Length; reading
    the body from an event handler of Playwright's sync API would block)."""
    return int(response.headers.get("content-length") or 0)


def wait_search_ready(page) -> None:
    """Until Material shows "type to start searching": the worker is set up."""
    config = json.loads(page.locator("#__config").text_content())
    page.wait_for_function(
        "text => document.querySelector('.md-search-result__meta').textContent.trim() === text",
        arg=config["translations"]["search.result.placeholder"], timeout=30_000)


def first_results(site_dir: Path, queries: Iterable[str] = FIGURE_QUERIES) -> dict[str, tuple[float, int]]:
    """Per query: milliseconds from the key released in the search box to the first result in
    the list, and bytes of index files fetched; each in a fresh browser context (empty cache),
    the page loaded and the worker set up before typing (as a reader who opens the page, then
    types). Headless Chromium, the site served on 127.0.0.1."""
    blocked: list[str] = []
    out = {}
    with serve(site_dir) as base, browser_page(base, blocked) as page:
        browser = page.context.browser
        for q in queries:
            context = browser.new_context()
            tab = context.new_page()
            fetched: list[int] = []
            tab.on("response", lambda r: INDEX_FILES in r.url and fetched.append(response_bytes(r)))
            tab.goto(base, wait_until="load")
            box = tab.locator("input[data-md-component=search-query]")
            box.click()
            wait_search_ready(tab)
            tab.evaluate(_FIRST_RESULT)
            box.fill(q)
            box.press("End")  # Material reads the box on keyup (as after an input method commits)
            ms = tab.evaluate("window.__firstResult")
            tab.wait_for_timeout(300)  # let the last fetches finish before counting
            out[q] = (ms, sum(fetched))
            context.close()
    return out


# --- Pagefind, measured the same way ----------------------------------------------------------------

PAGEFIND_DIR = "_pagefind"

_PAGEFIND_QUERIES = """
async ([bundle, queries, shown]) => {
  const pagefind = await import(bundle + "pagefind.js");
  await pagefind.options({baseUrl: "/"});
  await pagefind.init();
  const out = {};
  for (const q of queries) {
    const search = await pagefind.search(q);
    const data = await Promise.all(search.results.slice(0, shown).map(r => r.data()));
    out[q] = {urls: data.map(d => d.url), count: search.results.length, ids: search.results.map(r => r.id)};
  }
  return out;
}
"""


def pagefind_index(site_dir: Path) -> Path:
    """Pagefind's extended build (CJK segmentation) of the article pages of ``site_dir``
    (``a/*/index.html``, the ``<article>`` element), into ``site_dir/_pagefind/``."""
    bundle = site_dir / PAGEFIND_DIR
    shutil.rmtree(bundle, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", PAGEFIND_DIR,
                    "--glob", "a/**/*.html", "--root-selector", "article", "--force-language", "zh", "--quiet"],
                   check=True, capture_output=True, timeout=1800)
    return bundle


def measure_pagefind(site_dir: Path, records: list[dict] | None = None, sample: dict[str, int] = SAMPLE,
                     bytes_queries: Iterable[str] = FIGURE_QUERIES, recall: bool = True) -> tuple[Measurement, dict]:
    """Recall and precision of Pagefind on the queries of :func:`query_set` (every result's page
    read; ``recall=False``: none), and the bytes a query downloads with an empty cache (index and
    the fragments of the first 10 results, as its UI shows them; the start-up files counted once,
    apart)."""
    records = records if records is not None else load_records(site_dir / "data" / "articles.jsonl")
    queries = query_set(records, sample) if recall else []
    bundle = pagefind_index(site_dir)
    blocked: list[str] = []
    try:
        with serve(site_dir) as base, browser_page(base, blocked) as page:
            page.goto(base, wait_until="load")
            results = page.evaluate(_PAGEFIND_QUERIES, [f"/{PAGEFIND_DIR}/", [q.text for q in queries], 10_000])
            figures = {"index bytes": sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file()),
                       "files": sum(1 for f in bundle.rglob("*") if f.is_file())}
            for q in bytes_queries:
                context = page.context.browser.new_context()
                tab = context.new_page()
                fetched: dict[str, int] = {}
                tab.on("response", lambda r: PAGEFIND_DIR in r.url and fetched.__setitem__(r.url, response_bytes(r)))
                tab.goto(base, wait_until="load")
                tab.evaluate(_PAGEFIND_QUERIES, [f"/{PAGEFIND_DIR}/", [q], 10])
                start = sum(b for u, b in fetched.items() if u.endswith((".js", ".wasm")) or "pagefind-entry" in u
                            or ".pf_meta" in u or "wasm." in u)
                figures["start-up bytes"] = start
                figures[f"bytes {q}"] = sum(fetched.values()) - start
                context.close()
    finally:
        shutil.rmtree(bundle, ignore_errors=True)
    scores = {c: Score() for c in CATEGORIES if any(q.category == c for q in queries)}
    for q in queries:
        got = article_ids(u.lstrip("/") for u in results[q.text]["urls"])
        scores[q.category].add(q.text, relevant(records, q.text), got)
    return Measurement(scores, blocked, []), figures


COPIED = ("mkdocs.yml", "overrides", "scripts", "seeds", "docs")
GENERATED_DOCS = ("a", "src", "tags", "topics", "zones", "authors", "years", "data")


def copy_project(dest: Path, project: Path = PROJECT) -> Path:
    """A copy of what the build reads, generated docs/ folders left out (the build makes them).
    A placeholder ``docs/cite.md`` is added when the project has none (the nav names it)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = project / name
        if src.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", *(GENERATED_DOCS if name == "docs" else ()))
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copy(src, dest / name)
    cite = dest / "docs" / "cite.md"
    if not cite.exists():
        cite.write_text("# 关于与引用\n", encoding="utf-8")
    return dest


def build_site(dest: Path, project: Path = PROJECT) -> Path:
    """``mkdocs build --strict`` of ``project`` into ``dest``; the site folder."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                           str(project / "mkdocs.yml"), "-d", str(dest)],
                          cwd=project, capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode:
        raise RuntimeError(f"mkdocs build failed:\n{proc.stderr[-4000:]}")
    return dest


def said_count(said: str) -> int:
    """The number in the search box's result header (``没有找到…`` is 0).

    >>> said_count("找到 1 个符合条件的结果"), said_count("22 个符合条件的结果"), said_count("没有找到符合条件的结果")
    (1, 22, 0)
    """
    m = re.search(r"\d+", said.replace(",", ""))
    return int(m.group()) if m else 0


def report(m: Measurement, missed: int = 15) -> str:
    lines = [m.table()]
    for text, said, groups in m.ui_checks:
        lines.append(f"search box: {text!r}: page says {said!r}; worker listed {groups} results")
    misses = m.overall.missed
    if misses:
        lines.append(f"{len(misses)} queries miss articles, e.g.:")
        lines += [f"  {t!r}: {', '.join(ids[:8])}{' …' if len(ids) > 8 else ''}" for t, ids in misses[:missed]]
    lines.append("requests to other hosts: " + (", ".join(sorted(set(m.blocked))) or "none"))
    lines.append("targets (tags 100%, zones 100%, overall ≥ 95%): " + ("met" if m.meets_targets() else "NOT met"))
    return "\n".join(lines)


def figures_table(figures: dict) -> str:
    return "\n".join(f"{k:<42} {v:>12,}" for k, v in figures.items())


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.search_recall [SITE_DIR] [--pagefind] [--no-latency] [--no-browser]``.

    Without SITE_DIR, a temporary copy of the project is built (docs/ is left alone).
    ``--pagefind``: also measure Pagefind's extended build of the same article pages.
    ``--no-latency``: skip the first-results timing. ``--no-browser``: recall by the worker's
    algorithm in Python (:func:`measure_index`), no timing (large archives).
    """
    argv = sys.argv[1:] if argv is None else argv
    flags = {a for a in argv if a.startswith("--")}
    paths = [a for a in argv if not a.startswith("--")]
    browser = "--no-browser" not in flags
    if browser and not chromium_available():
        print(f"search recall needs Playwright and {CHROMIUM} (or --no-browser)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        if paths:
            site_dir = Path(paths[0])
        else:
            site_dir = build_site(Path(tmp) / "site", copy_project(Path(tmp) / "project"))
        m = measure(site_dir) if browser else measure_index(site_dir)
        print(report(m))
        print("\nthe index (bytes a query downloads with an empty cache):")
        print(figures_table(search_figures(site_dir)))
        if browser and "--no-latency" not in flags:
            print("\nfirst results after typing, headless Chromium (ms, bytes fetched):")
            for q, (ms, size) in first_results(site_dir).items():
                print(f"  {q:<24} {ms:8.1f} ms {size:>10,} B")
        if "--pagefind" in flags:
            pf, figures = measure_pagefind(site_dir)
            print("\nPagefind 1.5.2 (extended) on the same article pages:")
            print(report(pf))
            print(figures_table(figures))
    return 0 if m.meets_targets() else 1


if __name__ == "__main__":
    sys.exit(main())
