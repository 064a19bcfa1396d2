"""Search recall: does the site's search find every article that contains what was typed?

Material's search segments Chinese with jieba when the site is BUILT (words joined by U+200B in
``search/search_index.json``); in the browser the query is cut greedily into keys of the index
(``segment`` in Material's worker) and each piece becomes a prefix query. A query cut
differently from the text of an article is silently not found. This module measures it:

- queries: every tag, every zone name, and 2–4 character words sampled deterministically from
  the article bodies (``words``: jieba words, as a reader would type them; ``substrings``: any
  2–4 Han characters of a body, the hardest case);
- an article is *relevant* to a query when its own text (headline lines, byline, lead, body,
  captions, and the zones, tags, topics, people and organisations its page lists) contains the
  query as a substring;
- recall = relevant articles whose page the search returns / relevant articles, summed over the
  queries of a category. Precision (returned article pages that are relevant) is shown beside it:
  Material joins the pieces of a query with OR, so recall alone can be bought with noise.

The search is the real one: the built site is served on 127.0.0.1, opened in headless Chromium
(Playwright), and every query is posted to Material's own search worker exactly as its search box
does (``{type: QUERY, data: <text typed>}``); a few queries are also typed into the search box to
check that the count the page shows matches. Requests to any other host are blocked and listed.

    python -m scripts.search_recall [SITE_DIR] [--baseline] [--wire]

Without SITE_DIR a temporary copy of the project is built (``--baseline``: with the n-gram hook
of ``scripts/publish.py`` off, i.e. Material's own search; ``--wire``: with the hook wired even
if ``scripts/mkdocs_hooks.py`` does not import it yet). Exit status 0 when the targets are met
(tags and zone names 100 %, overall at least 95 %).
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

PROJECT = Path(__file__).resolve().parent.parent
GRAMS_ENV = "ARCHIVE_SEARCH_GRAMS"  # scripts.publish.GRAMS_ENV
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SEED = 20240422  # the sampling seed: the same articles always give the same queries
SAMPLE = {"words": 120, "substrings": 120}
CATEGORIES = ("tags", "zones", "words", "substrings")
TARGETS = {"tags": 1.0, "zones": 1.0, "overall": 0.95}

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]#|+\-.!])")
_ARTICLE_URL = re.compile(r"^a/([^/#.]+)(?:/|\.html)?(?:#.*)?$")

# Material's worker protocol (src/templates/assets/javascripts/integrations/search/worker/message)
SETUP, READY, QUERY, RESULT = 0, 1, 2, 3

# A search worker of its own, set up exactly as Material's page does (bundle.ts: the index from
# ``search/search_index.json``, ``options.suggest`` from the features; worker/_/index.ts: a SETUP
# message, then one QUERY message per text typed), so the page's own search box is left alone.
_RUN_QUERIES = """
async (queries) => {
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
  worker.postMessage({type: %d, data: {config: index.config, docs: index.docs,
                      options: {suggest: config.features.includes("search.suggest")}}});
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


def load_records(path: Path) -> list[dict]:
    """The records of ``data/articles.jsonl``."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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
    return {r["id"] for r in records if needle in own_text(r).lower()}


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


def run_queries(page, texts: list[str]) -> dict[str, list[list[str]]]:
    """Each query posted to Material's search worker; result groups of locations per query."""
    return page.evaluate(_RUN_QUERIES, texts)


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
        for q in (queries[:: max(1, len(queries) // ui_sample)][:ui_sample] if ui_sample else []):
            ui_checks.append((q.text, typed_count(page, q.text), len(results[q.text])))
    scores = {c: Score() for c in CATEGORIES if any(q.category == c for q in queries)}
    for q in queries:
        got = article_ids(loc for group in results[q.text] for loc in group)
        scores[q.category].add(q.text, relevant(records, q.text), got)
    return Measurement(scores, blocked, ui_checks)


COPIED = ("mkdocs.yml", "overrides", "scripts", "seeds", "docs")
GENERATED_DOCS = ("a", "src", "tags", "topics", "zones", "authors", "years", "data")
HOOKS_FILE = "scripts/mkdocs_hooks.py"
WIRING = "\nfrom scripts.publish import on_post_build  # noqa: E402,F401  (search n-grams)\n"


def search_hook_wired(project: Path = PROJECT) -> bool:
    """Whether the project's MkDocs hooks run ``scripts.publish.on_post_build``."""
    text = (project / HOOKS_FILE).read_text(encoding="utf-8")
    return bool(re.search(r"^from scripts\.publish import .*\bon_post_build\b", text, re.M))


def copy_project(dest: Path, project: Path = PROJECT, wire: bool = False) -> Path:
    """A copy of what the build reads, generated docs/ folders left out (the build makes them).

    ``wire``: make the copy's hooks run the search n-grams hook if the project's do not yet.
    A placeholder ``docs/cite.md`` is added when the project has none (the nav names it).
    """
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
    if wire and not search_hook_wired(dest):
        with (dest / HOOKS_FILE).open("a", encoding="utf-8") as f:
            f.write(WIRING)
    return dest


def build_site(dest: Path, project: Path = PROJECT, grams: bool = True) -> Path:
    """``mkdocs build --strict`` of ``project`` into ``dest``; the site folder. ``grams=False``
    builds with the search n-grams hook off (Material's own search index)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", GRAMS_ENV: "on" if grams else "off"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                           str(project / "mkdocs.yml"), "-d", str(dest)],
                          cwd=project, capture_output=True, text=True, env=env, timeout=900)
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
        lines.append(f"search box: {text!r}: page says {said!r}; worker returned {groups} pages")
    misses = m.overall.missed
    if misses:
        lines.append(f"{len(misses)} queries miss articles, e.g.:")
        lines += [f"  {t!r}: {', '.join(ids)}" for t, ids in misses[:missed]]
    lines.append("requests to other hosts: " + (", ".join(sorted(set(m.blocked))) or "none"))
    lines.append("targets (tags 100%, zones 100%, overall ≥ 95%): " + ("met" if m.meets_targets() else "NOT met"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.search_recall [SITE_DIR] [--baseline] [--wire]``.

    Without SITE_DIR, a temporary copy of the project is built (docs/ is left alone);
    ``--baseline``: with the n-grams hook off (Material's own search); ``--wire``: with the hook
    wired even if scripts/mkdocs_hooks.py does not import it yet.
    """
    argv = sys.argv[1:] if argv is None else argv
    flags = {a for a in argv if a.startswith("--")}
    paths = [a for a in argv if not a.startswith("--")]
    if not chromium_available():
        print(f"search recall needs Playwright and {CHROMIUM}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        if paths:
            site_dir = Path(paths[0])
        else:
            project = copy_project(Path(tmp) / "project", wire="--wire" in flags)
            site_dir = build_site(Path(tmp) / "site", project, grams="--baseline" not in flags)
            if not search_hook_wired(project):
                print("note: scripts/mkdocs_hooks.py does not run scripts.publish.on_post_build: "
                      "this is Material's own search (use --wire to measure the fix)")
        m = measure(site_dir)
        print(report(m))
    return 0 if m.meets_targets() else 1


if __name__ == "__main__":
    sys.exit(main())
