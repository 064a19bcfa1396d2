"""MkDocs hook (``hooks:`` in mkdocs.yml): the article search index, written at every build.

``on_post_build`` installs the chunked character n-gram index of ``scripts/search_index.py``,
built from ``<docs_dir>/data/articles.jsonl`` (written by the pipeline before the build), into
``<site_dir>/search/archive/``. Articles are not MkDocs pages, so Material's search plugin never
sees them; its ``search/search_index.json`` is what Material's search box loads and posts to
the search worker (SETUP), so it is rewritten small:

- ``config.archive``: where the index is and how to read it (shards, metadata chunk size, the
  number of results listed, a token that changes with the index, for caching), and ``more``,
  the page a "more results" entry links to (the article list);
- ``docs``: the entries of the pages Material still renders (about, data, …), searched in the
  worker by substring; a listing page (the article list, the tag, zone, author, year and topic
  overviews) keeps only its title entry, so that its list of names neither bloats the payload
  nor answers every query; jieba's U+200B cuts are removed.

The worker is ``docs/assets/search/worker.js``: ``overrides/main.html`` (``{% block config %}``)
points Material's ``search`` setting at it.

With Material's offline plugin (``scripts/mkdocs-offline.yml``; pages opened from ``file://``,
where nothing can be fetched) the index is written as scripts the worker loads with
``importScripts``, and result links are ``a/<id>.html``; the offline plugin, which runs after
this hook, inlines the rewritten ``search_index.json`` as it always does.

The index is built in a separate process (``python -m scripts.search_index``), started as soon
as the pipeline has written ``articles.jsonl`` (a listener of ``scripts/events.py``, before the
pipeline writes its index pages and exports; ``on_files`` when the pipeline did not run), so that
it runs on another core while the pipeline finishes and MkDocs renders the pages;
``on_post_build`` waits for it and copies its files into the site.
It depends only on ``articles.jsonl`` and the two settings above, and is kept in
``.cache/search/<hash of them>/`` (with the previous one): a build (or a ``mkdocs serve``
rebuild) whose articles did not change copies it instead of building it; one whose articles
changed in place (no article added, removed or moved by its date) updates the last index
(``scripts/search_index.py``, :func:`~scripts.search_index.update_index`): a one-page change
takes about a second at 10,000 articles, where building it whole takes about 10 s of one core.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # MkDocs loads this file by path, not as part of the package
    sys.path.insert(0, str(PROJECT))

from scripts import events  # noqa: E402
from scripts.search_index import (INDEX_DIR, STATE_SUFFIX, VERSION, build_index, link_or_copy,  # noqa: E402
                                  load_records, write_index)

ARTICLES = "data/articles.jsonl"  # under docs_dir
# Pages that list other pages, and their numbered pages (articles-2/): only their title is
# searched (what they list is in the index).
LISTING_PAGES = ("articles", "tags", "zones", "authors", "years", "topics")
_LISTING = re.compile(rf"^(?:{'|'.join(LISTING_PAGES)})(?P<number>-\d+)?(?:\.html|/(?P<rest>[^#]+)|/)?(?:#|$)")
ARTICLE_DIRS = ("a/", "src/")  # article and raw-text pages: searched through the index only
MORE_PAGE = "articles"  # where the "more results" entry links: the article list
CACHE = Path(".cache") / "search"  # the indexes last built, by what they were built from
KEEP_OTHERS = 1  # indexes kept in the cache besides the one just installed
LISTENER = "search index"  # this hook's name among the listeners of scripts/events.py

log = logging.getLogger("mkdocs.plugins.archive.search")


@dataclass
class Build:
    """An index in the cache: ``folder/archive/`` (the files) and ``folder/archive.json`` (its
    config), complete once ``process`` (writing into ``partial``) has finished."""
    folder: Path
    process: subprocess.Popen | None = None
    partial: Path | None = None
    outcome: str = "from the cache"  # or what the process said: built whole, updated

    @property
    def files(self) -> Path:
        return self.folder / INDEX_DIR

    def wait(self) -> None:
        """Wait for the process and move its output into place; raise when it failed."""
        if self.process is None:
            return
        out, err = self.process.communicate()
        self.process = None
        self.outcome = out.decode(errors="replace").strip()
        if self.partial is None or not (self.partial / f"{INDEX_DIR}.json").is_file():
            self.stop()
            raise RuntimeError(f"search index build failed: {err.decode(errors='replace')[-2000:]}")
        if (self.folder / f"{INDEX_DIR}.json").is_file():  # another build of the same finished first
            shutil.rmtree(self.partial, ignore_errors=True)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
            os.replace(self.partial, self.folder)
        self.partial = None

    def stop(self) -> None:
        """Kill an unfinished build and remove what it wrote."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        if self.partial is not None:
            shutil.rmtree(self.partial, ignore_errors=True)
            self.partial = None


_current: list[Build] = []  # the build for the MkDocs build under way (on_files -> on_post_build)
#: Once this MkDocs build's pipeline wrote articles.jsonl (:func:`listen`): a function that waits
#: until the index it started is under way.
_written: list[Callable[[], None]] = []


def offline(config) -> bool:
    """Whether Material's offline plugin is on (the site is read from ``file://``)."""
    plugin = config["plugins"].get("material/offline") or config["plugins"].get("offline")
    return bool(plugin and plugin.config.get("enabled", True))


def settings(config) -> tuple[bool, str]:
    """``(use_directory_urls, format)``: result links ``a/<id>/`` and fetched files, or, for the
    offline folder, ``a/<id>.html`` and scripts."""
    return bool(config.get("use_directory_urls", True)), "js" if offline(config) else "bin"


def listing(location: str) -> str | None:
    """``"first"`` for an entry of a listing page (an overview of articles or of terms),
    ``"more"`` for one of its numbered pages (``articles-2/``) or term pages, else None; offline
    URLs too.

    >>> [listing(x) for x in ("tags/", "tags/#党建", "tags.html", "tags/t-1a2b/", "articles-12/#x", "cite/")]
    ['first', 'first', 'first', 'more', 'more', None]
    """
    m = _LISTING.match(location)
    if m is None:
        return None
    return "more" if m["number"] or m["rest"] else "first"


def site_docs(docs: list[dict]) -> list[dict]:
    """Material's entries kept for the worker: no article or raw-text pages; a listing page by
    its first page's title entry only (its numbered pages and sections dropped); jieba's U+200B
    removed."""
    kept = []
    for doc in docs:
        location = str(doc.get("location", ""))
        if location.startswith(ARTICLE_DIRS):
            continue
        kind = listing(location)
        if kind == "more" or (kind == "first" and "#" in location):
            continue
        if kind == "first":
            doc = {**doc, "text": ""}
        kept.append({k: (v.replace("\u200b", "") if isinstance(v, str) else v) for k, v in doc.items()})
    return kept


def cache_dir(config) -> Path:
    """``.cache/search/`` next to mkdocs.yml (the build's root; git ignores ``.cache/``)."""
    return Path(config["config_file_path"]).parent / CACHE


def latest(cache: Path) -> Path | None:
    """The index folder (``<hash>/archive``) of the last finished build in the cache that can be
    updated (it kept its state), or None."""
    entries = list(cache.iterdir()) if cache.is_dir() else []
    done = [p for p in entries if ".partial" not in p.name and (p / f"{INDEX_DIR}{STATE_SUFFIX}").is_file()]
    return max(done, key=lambda p: p.stat().st_mtime) / INDEX_DIR if done else None


def index_folder(articles: Path, directory_urls: bool, fmt: str, cache: Path) -> Path:
    """Where the cache keeps the index of ``articles`` with these settings."""
    digest = hashlib.sha256(articles.read_bytes())
    digest.update(f"{directory_urls} {fmt} {VERSION}".encode())
    return cache / digest.hexdigest()[:20]


def start_build(articles: Path, directory_urls: bool, fmt: str, cache: Path, folder: Path | None = None) -> Build:
    """The index of ``articles``: from the cache when it was built from the same bytes and
    settings, else being built by a new process (an update of the last one when it can be).
    ``folder``: its :func:`index_folder`, when the caller has it."""
    folder = folder or index_folder(articles, directory_urls, fmt, cache)
    if (folder / f"{INDEX_DIR}.json").is_file():
        return Build(folder)
    base = latest(cache)
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")  # several builds may share the cache
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    args = [sys.executable, "-m", "scripts.search_index", str(articles), str(partial / INDEX_DIR), "--format", fmt]
    args += ([] if directory_urls else ["--flat-urls"]) + ([] if base is None else ["--base", str(base)])
    process = subprocess.Popen(args, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return Build(folder, process, partial)


def prune(cache: Path, keep: Build, others: int = KEEP_OTHERS) -> None:
    """Remove the indexes of the cache but ``keep`` and the ``others`` most recent (another
    build in the same folder may be about to install one), and builds left unfinished an hour
    ago (a process killed with its MkDocs)."""
    entries = list(cache.iterdir()) if cache.is_dir() else []
    done = sorted((p for p in entries if ".partial" not in p.name and p != keep.folder),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    stale = [p for p in entries if ".partial" in p.name and time.time() - p.stat().st_mtime > 3600]
    for path in done[others:] + stale:
        shutil.rmtree(path, ignore_errors=True)


def build_now(articles: Path, directory_urls: bool, fmt: str, folder: Path) -> Build:
    """The index built in this process into ``folder`` (no ``on_files`` ran: a script)."""
    write_index(build_index(load_records(articles), directory_urls, fmt), folder / INDEX_DIR)
    return Build(folder)


def rewrite_material_index(path: Path, archive: dict | None) -> None:
    """Material's ``search_index.json`` with the site pages only and ``config.archive``."""
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] = site_docs(index.get("docs", []))
    if archive is not None:
        index.setdefault("config", {})["archive"] = archive
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def install(build: Build, site_dir: Path, directory_urls: bool) -> dict:
    """Copy a finished build into ``<site>/search/archive/`` (hard links: a tenth of the time of a
    copy at 10,000 articles); its config, with ``more``."""
    target = site_dir / "search" / INDEX_DIR
    shutil.rmtree(target, ignore_errors=True)  # a previous index (serve, --dirty): unlinked, not overwritten
    shutil.copytree(build.files, target, copy_function=link_or_copy)
    config = json.loads((build.folder / f"{INDEX_DIR}.json").read_text(encoding="utf-8"))
    more = f"{MORE_PAGE}/" if directory_urls else f"{MORE_PAGE}.html"
    config["more"] = more if (site_dir / more).exists() else ""
    return config


# --- MkDocs events --------------------------------------------------------------------------

def searched_site(config) -> bool:
    """Whether the site has Material's search box (and so gets the archive index)."""
    return "search" in config["plugins"] or "material/search" in config["plugins"]


def start(config) -> None:
    """Start this build's index of ``articles.jsonl`` unless the one under way is of the same
    bytes and settings (started when the pipeline wrote them, :func:`on_config`)."""
    articles = Path(config["docs_dir"]) / ARTICLES
    if not (articles.is_file() and searched_site(config)):
        return
    folder = index_folder(articles, *settings(config), cache_dir(config))
    if _current and _current[-1].folder == folder:
        return
    on_build_error(None)
    _current.append(start_build(articles, *settings(config), cache_dir(config), folder))


def on_config(config):
    """Listen for the pipeline's ``articles.jsonl`` (``scripts/events.py``): the index starts
    building as soon as it is written, beside the rest of the write stage.

    And spare Material's search plugin jieba: it cuts the Chinese of every page it indexes
    with jieba when it can import it (half a second to load the dictionary, then the cutting,
    at every build). The worker searches those pages by substring and :func:`site_docs` removes
    the cuts, so the plugin is told jieba is not there: its index is the same, made without the
    work."""
    try:
        from material.plugins.search import plugin as material_search
    except ImportError:  # pragma: no cover - Material is always installed with the project
        pass
    else:
        material_search.jieba = None
    settle()
    _written.clear()  # a new build (mkdocs serve: every rebuild loads the config again)
    if config.get("docs_dir"):
        listen(config)
    return config


def in_background(func: Callable[..., None], *args: object) -> Callable[[], None]:
    """``func(*args)`` in a thread; returns a function that waits for it and raises what it
    raised. Reading and hashing ``articles.jsonl`` (166 MB at 10,000 articles) release the
    interpreter, so the pipeline's last steps go on meanwhile. (No process is forked while
    the thread runs: ``pipeline.worker_count`` is then 1.)

    >>> seen = []
    >>> wait = in_background(seen.append, "党建")
    >>> wait(), seen
    (None, ['党建'])
    """
    failed: list[BaseException] = []

    def run() -> None:
        try:
            func(*args)
        except BaseException as err:  # raised in the thread that waits
            failed.append(err)

    thread = threading.Thread(target=run, name="archive-search-start", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed.pop()

    return wait


def settle() -> None:
    """Wait for the index the pipeline's listener is starting, if any (raises what it raised,
    once)."""
    for wait in _written:
        wait()


def listen(config) -> None:
    """Start the index when the pipeline tells it wrote this build's ``articles.jsonl``."""
    articles = (Path(config["docs_dir"]) / ARTICLES).resolve()

    def written(path: Path) -> None:
        if path.resolve() == articles:  # this build's (not another project's, in the same process)
            _written.append(in_background(start, config))

    events.articles_written[LISTENER] = written


def on_page_markdown(markdown, page, config, files):
    """Material's search plugin leaves out the numbered pages of listings (``articles-2/``,
    ``tags/index-2/`` …): :func:`site_docs` drops their entries anyway, and cutting their long
    lists into words was most of the plugin's time (about 50 such pages at 10,000 articles)."""
    if listing(page.url) == "more":
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return markdown


def on_files(files, config):
    """Start building the index if the pipeline did not (``ARCHIVE_PIPELINE=off``: docs/ built
    before; ``mkdocs serve``, whose pipeline runs in another process; the listener of
    :func:`on_config` not called). When it did, the index under way is of the file it wrote
    moments ago: not read and hashed again (a quarter of a second at 10,000 articles)."""
    if _written:
        settle()
    else:
        start(config)
    return files


def write_site_search(site_dir: Path, docs_dir: Path, directory_urls: bool = True, fmt: str = "bin",
                      build: Build | None = None) -> dict | None:
    """The search of a built site: the index of ``docs_dir/data/articles.jsonl`` (``build``, or
    built here) into ``site_dir/search/archive/``, Material's ``search_index.json`` rewritten.
    Returns the index's config, or None when the site has no search box or no articles.
    Usable without MkDocs (benchmarks: the site built, then this)."""
    material = site_dir / "search" / "search_index.json"
    articles = docs_dir / ARTICLES
    if not material.is_file():  # Material's search plugin is off: there is no search box
        return None
    archive = None
    if build is not None:
        build.wait()
        archive = install(build, site_dir, directory_urls)
    elif articles.is_file():
        with tempfile.TemporaryDirectory(prefix="archive-search-") as tmp:
            archive = install(build_now(articles, directory_urls, fmt, Path(tmp)), site_dir, directory_urls)
    rewrite_material_index(material, archive)
    return archive


def _post_build(config) -> None:
    events.articles_written.pop(LISTENER, None)
    settle()
    build = _current.pop() if _current else None
    archive = write_site_search(Path(config["site_dir"]), Path(config["docs_dir"]), *settings(config), build)
    if build is not None:
        os.utime(build.folder)  # the latest index: the next build updates it, pruning keeps it
        prune(cache_dir(config), build)
    if archive:
        outcome = f" ({build.outcome})" if build is not None else ""
        log.info(f"search: {archive['docs']} articles, {archive['shards']} shards{outcome}")


def on_build_error(error) -> None:
    """Stop a build under way (MkDocs failed, or a new build starts: :func:`start`, maybe in
    the listener's thread, which this then does not wait for)."""
    if error is not None:
        events.articles_written.pop(LISTENER, None)
        settle()
    while _current:
        _current.pop().stop()


def on_shutdown() -> None:
    events.articles_written.pop(LISTENER, None)
    settle()
    on_build_error(None)


try:  # after Material's search (priority 0) writes its index, before offline (-100) inlines it
    from mkdocs.plugins import event_priority

    on_post_build = event_priority(-50)(_post_build)
except ImportError:  # pragma: no cover - MkDocs is always installed with the project
    on_post_build = _post_build
