"""The build, top to bottom: decode -> clean/segment -> check -> permalinks -> enrich/link -> write.

Everything is built in memory first; writing is the last step, so every page sees consistent
data and a failure in one page never leaves half-written output for the others.

The per-page work (decode, segment, check) and the per-article part of enrich are pure
functions of their input: they run in a pool of forked worker processes (``ARCHIVE_WORKERS``,
default one per CPU; ``1`` runs everything in this process) and their results are cached by
content hash under ``<root>/.cache/archive/`` (``scripts/cache.py``; ``ARCHIVE_CACHE=off``), so
a rebuild after one page changes redoes that page only. Results keep the order of the pages
whatever runs them. The archive-wide steps (permalinks, page-mates' dates, tag IDF, link) run
here, on everything.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence, TypeVar

from .cache import MISSING, PROTOCOL, Cache, FileDigests, Packed, Unpacked, UnpackedMap
from .model import Article, BuildReport, DecodedPage, Diagnostic, PageError, PageMeta, PageResult, evolve

if TYPE_CHECKING:
    from .link import PairScores
    from .registry import Registry
    from .write import Bases

log = logging.getLogger("archive")

PROJECT = Path(__file__).resolve().parent.parent
WORKERS_ENV = "ARCHIVE_WORKERS"  # worker processes; 1 = no pool
MIN_PARALLEL = 8  # fewer tasks than this run in this process: a pool would cost more than it saves
REGISTRY = "permalinks.yml"  # the permalink registry in the seeds folder: the one file there a build writes
# Niceness added to the archive-wide steps forked beside the related-article search, the
# longest (pipeline.enrich_report): with four processes on two cores it gets a core to itself.
BESIDE_NICE = 10
CHUNKS_PER_WORKER = 4  # tasks are handed out in this many chunks per worker (pages vary in size)

T = TypeVar("T")
R = TypeVar("R")
PageOutcome = tuple[PageResult | None, list[Diagnostic]]


def page_files(seeds_dir: Path) -> list[Path]:
    """The page files of a seeds folder, in a stable order (manifest and dot-files excluded)."""
    return sorted(p for p in seeds_dir.glob("*.txt") if p.is_file() and not p.name.startswith("."))


def display_path(path: Path, root: Path, resolved_root: Path | None = None) -> str:
    """``path`` relative to ``root`` (``resolved_root``: ``root.resolve()``, if known), else
    as given."""
    try:
        return path.resolve().relative_to(resolved_root or root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def process_page(path: Path, name: str, meta: PageMeta) -> PageOutcome:
    """Decode, segment and check one page. A page that cannot be read, or that would lose
    text, gives ``None`` and errors naming the file; it never stops the other pages."""
    from .decode import read_page

    try:
        page = read_page(path, name)
    except PageError as err:
        return None, [Diagnostic(err.file, err.message, err.line, "error")]
    return process_decoded(page, meta)


def process_bytes(data: bytes, name: str, meta: PageMeta) -> PageOutcome:
    """:func:`process_page` for a page file already read."""
    from .decode import decode_bytes

    try:
        page = decode_bytes(data, name)
    except PageError as err:
        return None, [Diagnostic(err.file, err.message, err.line, "error")]
    return process_decoded(page, meta)


def process_task(task: tuple[bytes, str, PageMeta]) -> PageOutcome:
    """:func:`process_bytes` on ``(data, name, meta)``: one task of the worker pool."""
    return process_bytes(*task)


def process_decoded(page: DecodedPage, meta: PageMeta) -> PageOutcome:
    """Segment and check a decoded page."""
    from .account import check_page
    from .segment import segment_page

    try:
        result = segment_page(page, meta)
    except Exception as err:  # a bug on one page must not take the archive down
        log.exception("segmenting %s failed", page.file)
        return None, [Diagnostic(page.file, f"segmentation failed: {type(err).__name__}: {err}", None, "error")]
    problems = check_page(page.text, result)
    diagnostics = list(result.diagnostics) + problems
    if any(d.level == "error" for d in problems):
        return None, diagnostics  # a page that loses text is not published
    return result, diagnostics


def worker_count() -> int:
    """How many worker processes: ``ARCHIVE_WORKERS``, else one per CPU. 1 (no pool) where
    processes are not forked (not Linux), inside a pool's worker (it may have no children), and
    while other threads run: a child forked then could wait forever on a lock one of them held
    (``mkdocs serve``'s threads: its builds run in a process forked before them,
    ``scripts/builder.py``)."""
    if (not sys.platform.startswith("linux") or multiprocessing.current_process().daemon
            or threading.active_count() > 1):
        return 1
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return os.cpu_count() or 1


def pool_size(tasks: int) -> int:
    """Worker processes for ``tasks`` tasks; 1 means: run them here, a pool would not pay."""
    return 1 if tasks < MIN_PARALLEL else min(worker_count(), tasks)


def parallel_map(func: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``func`` over ``items``, results in the order of the items: in a pool of forked workers
    (each inherits this process's loaded modules and caches), or here when there are only a few
    items or one worker. ``func``, the items and the results cross processes pickled."""
    workers = pool_size(len(items))
    if workers == 1:
        return [func(item) for item in items]
    chunk = -(-len(items) // (workers * CHUNKS_PER_WORKER))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(func, items, chunksize=chunk)


@contextmanager
def forked(func: Callable[..., R], *args: object, when: bool = True, nice: int = 0) -> Iterator[Callable[[], R]]:
    """``func(*args)`` in a child process forked on entry, while this one goes on; yields a
    function that waits for the result (or raises what the child raised). The child inherits
    ``args`` (never pickled); only the result comes back, pickled through a pipe. No thread is
    started, so the child may fork pools of its own and this process may fork others meanwhile.
    When ``when`` is false (the work is too small to pay for a fork) or the pipeline forks no
    workers (``worker_count() < 2``) the call runs here, when the result is asked for. On
    leaving, a child whose result was not asked for is stopped. (The function's ``pid`` is the
    child's.) ``nice``: added to the child's niceness, so that work which is not the longest
    yields the CPU to work that is (on two cores, four processes otherwise share them alike
    and the longest ends last).

    >>> with forked(sum, [1, 2, 3]) as result:
    ...     result()
    6
    """
    if not when or worker_count() < 2:
        yield partial(func, *args)
        return
    name = getattr(func, "__name__", repr(func))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running this process's exit handlers
        status = 0
        try:
            os.close(read_end)
            if nice:
                try:
                    os.nice(nice)
                except OSError:  # not allowed here: the work runs at this priority
                    pass
            try:
                outcome = (True, func(*args))
            except BaseException as err:  # sent to the parent, raised there
                outcome = (False, err)
            with os.fdopen(write_end, "wb") as out:
                try:
                    pickle.dump(outcome, out, protocol=PROTOCOL)
                except Exception as err:  # an exception or result that cannot be pickled
                    pickle.dump((False, RuntimeError(f"{name}: {type(err).__name__}: {err}")), out)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    reader = os.fdopen(read_end, "rb")
    waited = False

    def result() -> R:
        nonlocal waited
        data = reader.read()
        waited = True
        os.waitpid(pid, 0)
        if not data:
            raise RuntimeError(f"{name}: the forked process ended without a result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    result.pid = pid  # type: ignore[attr-defined]
    try:
        yield result
    finally:
        reader.close()
        if not waited:
            import signal

            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def compute_and_store(func: Callable[[T], R], cache: Cache, task: tuple[T, str]) -> bytes:
    """``func(item)`` for ``task = (item, key)``, pickled and stored under ``key``: a worker
    writes the entry itself and hands the parent the same bytes."""
    item, key = task
    blob = pickle.dumps(func(item), protocol=PROTOCOL)
    cache.put_blob(key, blob)
    return blob


def cached_map(func: Callable[[T], R], items: Sequence[T], keys: Sequence[str], cache: Cache,
               valid: Callable[[object], bool] = lambda value: True,
               prepare: Callable[[], None] = lambda: None, found: list | None = None) -> list[R]:
    """``func`` over ``items`` in order, each result taken from ``cache`` under its key when
    there is a ``valid`` one, else computed (in the pool, see :func:`parallel_map`, after
    ``prepare()`` has loaded here what the workers should inherit) and stored. ``found``: what
    the caller read from the cache already for each key (:data:`MISSING`: to compute)."""
    with paused_gc():
        results: list = list(found) if found is not None else [cache.get(key, valid) for key in keys]
    todo = [i for i, value in enumerate(results) if value is MISSING]
    if pool_size(len(todo)) == 1:  # no pickling needed but for the cache
        for i in todo:
            results[i] = func(items[i])
            cache.put(keys[i], results[i])
        return results
    prepare()
    store = partial(compute_and_store, func, Cache(cache.directory, cache.fingerprint))  # not the used keys
    blobs = parallel_map(store, [(items[i], keys[i]) for i in todo])
    with paused_gc():
        for i, blob in zip(todo, blobs):
            results[i] = pickle.loads(blob)
    return results


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside (back on after, if it was on): unpickling thousands
    of records, or the link stage's millions of vectors, samples and posting lists, allocates
    objects that hold no cycles, and the collector's passes over them would double the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def is_page_outcome(value: object) -> bool:
    """Whether a cached value has the shape :func:`process_page` returns."""
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], list)
            and (value[0] is None or isinstance(value[0], PageResult)))


def read_or_none(path: Path) -> bytes | None:
    """The bytes of a page file, or ``None`` when it cannot be read (process_page says why)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def process_pages(jobs: list[tuple[Path, str, PageMeta]], cache: Cache, digests: FileDigests | None = None,
                  ) -> list[tuple[PageOutcome, str | None]]:
    """:func:`process_page` for every ``(path, name, meta)``, in order, each with its key (None
    for a page that cannot be read): cached by the digest of the file's bytes, its name and its
    manifest metadata, the rest run in the pool. ``digests``: the files' digests as of the last
    build (:class:`scripts.cache.FileDigests`): a file they vouch for is read only when its
    result is not in the cache (and then keyed by what was read)."""
    digests = digests or FileDigests(Cache(None))
    outcomes: list = [MISSING] * len(jobs)
    keys: list[str | None] = [None] * len(jobs)
    data: list[bytes] = [b""] * len(jobs)
    with paused_gc():
        for i, (path, name, meta) in enumerate(jobs):
            read = digests.get(os.path.abspath(path))
            if read is not None:
                keys[i] = cache.key(read[0], name, repr(meta))
                outcomes[i] = cache.get(keys[i], is_page_outcome)
                if outcomes[i] is MISSING and read[1] is None:  # vouched for, no result: read it
                    read = digests.read(os.path.abspath(path))
                    key = read and cache.key(read[0], name, repr(meta))
                    if key and key != keys[i]:  # changed meanwhile
                        keys[i], outcomes[i] = key, cache.get(key, is_page_outcome)
            if read is None:  # unreadable: the error comes from reading it again, never cached
                outcomes[i], keys[i] = process_page(path, name, meta), None
            elif outcomes[i] is MISSING:
                data[i] = read[1] or b""
    fresh = [i for i, outcome in enumerate(outcomes) if outcome is MISSING]
    tasks = [(data[i], jobs[i][1], jobs[i][2]) for i in fresh]
    computed = cached_map(process_task, tasks, [keys[i] for i in fresh], cache, is_page_outcome,
                          found=[MISSING] * len(fresh))
    for i, outcome in zip(fresh, computed):
        outcomes[i] = outcome
    digests.keep()
    return list(zip(outcomes, keys))


#: page file -> the key of its page's result (a digest of all it is made of): see :func:`collect`.
Origins = dict[str, str]


def origins_of(pages: Sequence[PageResult], origins: Origins | None) -> list[tuple[str, int]] | None:
    """Each article's ``(page key, place on its page)``, in page order: a name for everything
    the article was made of, taken from ``origins``; ``None`` when there are no origins or one
    page has none."""
    if origins is None or any(p.file not in origins for p in pages):
        return None
    return [(origins[p.file], i) for p in pages for i in range(len(p.articles))]


def collect(seeds_dir: Path, manifest_path: Path | None = None, root: Path | None = None,
            origins: Origins | None = None) -> BuildReport:
    """Decode and segment every page; never raises for a bad page, it is reported instead.
    Pages run in worker processes and are cached under ``root`` (see the module's docstring).
    ``origins``, when given, is filled with each page's key by its file: the later stages
    key their caches by it, rather than by the text of every article."""
    from .manifest import load_manifest

    root = root or seeds_dir.parent
    manifest_path = manifest_path if manifest_path is not None else seeds_dir / "manifest.yml"
    files = page_files(seeds_dir)
    metas, diagnostics = load_manifest(manifest_path, [p.name for p in files], display_path(manifest_path, root))
    load_stages()
    cache, files_cache = Cache.open(root, "pages"), Cache.open(root, "files")
    base = root.resolve()
    jobs = [(path, display_path(path, root, base), metas.get(path.name, PageMeta())) for path in files]
    pages: list[PageResult] = []
    for (result, diags), key in process_pages(jobs, cache, FileDigests(files_cache)):
        diagnostics.extend(diags)
        if result is not None:
            pages.append(result)
            if origins is not None and key is not None:
                origins[result.file] = key
    log_cache("pages", cache)
    files_cache.prune()
    return BuildReport(tuple(pages), tuple(diagnostics))


def load_stages() -> None:
    """Import the modules the workers run before the cache takes its code fingerprint and the
    pool forks: what runs is what was fingerprinted, and no worker imports them again."""
    from . import account, decode, enrich, segment  # noqa: F401


def log_cache(stage: str, cache: Cache) -> None:
    """Prune the entries this run did not use, and say how the cache did."""
    removed = cache.prune()
    if cache.enabled:
        log.info("cache %s: %d reused, %d computed, %d stale removed", stage, cache.hits, cache.misses, removed)


def is_enrich_work(value: object) -> bool:
    """Whether a cached value has the shape :func:`scripts.enrich.enrich_work` returns."""
    if not (isinstance(value, tuple) and len(value) == 2):
        return False
    changes, reads = value
    return (isinstance(changes, Packed) and isinstance(reads, tuple) and len(reads) == 3
            and all(isinstance(r, Packed) for r in reads))


def enrich_changes_of(articles: list[Article], work: list) -> list[Article]:
    """The articles with what :func:`scripts.enrich.enrich_one` changes (from ``work``, what
    :func:`enriched_work` gives), unpickled here."""
    from dataclasses import fields

    names = {f.name for f in fields(Article)}
    out = []
    with paused_gc():
        for a, (changes, _) in zip(articles, work):
            c = changes.value
            if not (isinstance(c, dict) and c.keys() <= names):
                raise ValueError(f"{a.id}: enrichment names fields an article does not have: {sorted(c)}")
            out.append(evolve(a, **c) if c else a)
    return out


def enrich_articles(articles: list[Article], root: Path, origins: list[tuple[str, int]] | None = None,
                    ) -> tuple[list[Article], list, list[str]]:
    """:func:`scripts.enrich.enrich_work` over the articles, in order: the articles with what
    :func:`scripts.enrich.enrich_one` changes, what the archive-wide steps read of each
    (``archive_reads``), and each one's key (see :func:`enriched_work`)."""
    work, keys = enriched_work(articles, root, origins)
    return enrich_changes_of(articles, work), [r for _, r in work], keys


def enriched_work(articles: list[Article], root: Path, origins: list[tuple[str, int]] | None = None,
                  ) -> tuple[list, list[str]]:
    """:func:`scripts.enrich.enrich_work` over the articles, in order, still pickled, and each
    one's key (a digest of everything it holds: its ``origins`` (:func:`origins_of`) and what
    ``register_ids`` set, else its whole text). Cached by those keys; the rest run in the pool."""
    from .enrich import enrich_input, enrich_work, warm_up

    cache = Cache.open(root, "articles")
    if origins is None:
        keys = [cache.key(enrich_input(a)) for a in articles]
    else:  # register_ids set the id (and the ids in related and near_duplicates) alone
        keys = [cache.key(page, str(place), a.id, repr(a.related), repr(a.near_duplicates))
                for a, (page, place) in zip(articles, origins)]
    work = cached_map(enrich_work, articles, keys, cache, is_enrich_work, warm_up)
    log_cache("articles", cache)
    return work, keys


def enrich_report(report: BuildReport, tag_rules: Path, root: Path | None = None,
                  bases: Bases | None = None, origins: Origins | None = None) -> BuildReport:
    """The enrich and link stages over every article of the archive, pages kept as they are.
    The per-article part (enrichment, and cutting the texts the archive-wide tags and related
    articles count) is cached under ``root`` (default: the folder above ``tag_rules``' folder,
    as ``collect`` defaults to the one above the seeds). ``bases``, when given, is filled with
    each article as enriched alone and its enrich key, which decides it (for ``write.write_all``).
    ``origins``: the page keys ``collect`` gave, when ``report`` is ``register_ids``' result
    of that collect."""
    from .enrich import enrich_archive

    root = root or tag_rules.resolve().parent.parent
    articles = [a for p in report.pages for a in p.articles]
    try:
        from .link import link_all
    except ImportError:  # pragma: no cover - the link stage is optional until it lands
        link_all = None
    load_stages()
    work, keys = enriched_work(articles, root, origins_of(report.pages, origins))
    words = {a.id: words for a, (_, (words, _, _)) in zip(articles, work)}
    if link_all is None:
        each = enrich_changes_of(articles, work)
        enriched = enrich_archive(each, tag_rules, words=UnpackedMap(words))
    else:
        from .enrich import DEFAULT_K, TAGS_BESIDE_MIN, load_tag_rules, tag_articles
        from .link import PARALLEL_MIN, duplicate_pairs

        samples = Unpacked([sample for _, (_, _, sample) in work])
        vectors = Unpacked([vector for _, (_, vector, _) in work])
        digests = {a.id: k[:32] for a, k in zip(articles, keys)}
        big = len(articles) >= PARALLEL_MIN
        # A large archive's tags, near-duplicates and related articles are each computed in a
        # process forked now, before this one unpickles the enrichment: each unpickles only
        # what it reads (words, samples, vectors), none reads what enrich_one sets, and the
        # pages this process fills next are its own (no copy-on-write faults).
        with forked(tag_articles, articles, load_tag_rules(tag_rules), DEFAULT_K, UnpackedMap(words),
                    when=len(articles) >= TAGS_BESIDE_MIN, nice=BESIDE_NICE) as tags_of, \
                forked(partial(duplicate_pairs, samples=samples), articles, when=big, nice=BESIDE_NICE) as duplicates_of, \
                forked(related_remembered, articles, vectors, digests, root, when=big) as related_of:
            each = enrich_changes_of(articles, work)

            def link(dated: list[Article]) -> list[Article]:
                return link_all(dated, duplicates=duplicates_of, related=related_of)

            enriched = enrich_archive(each, tag_rules, words=UnpackedMap(words), link=link, tags=tags_of)
    if bases is not None:
        bases.update((a.id, (a, k)) for a, k in zip(each, keys))  # the key decides the enriched article
    by_id = {a.id: a for a in enriched}
    pages = tuple(replace(p, articles=tuple(by_id[a.id] for a in p.articles)) for p in report.pages)
    return replace(report, pages=pages)


def related_remembered(articles: list[Article], vectors: Sequence, digests: dict[str, str],
                       root: Path) -> dict[str, list[tuple[float, str]]]:
    """``link.related_pairs`` of the articles (``vectors``: theirs, in order, as
    ``link.pack_vector`` packs them), pair scores remembered from the last build
    (:func:`remembered_scores`) and this build's kept."""
    from .link import related_pairs, unpack_vector

    scores, keep = remembered_scores(digests, root)
    with paused_gc():
        found = related_pairs(articles, scores=scores, vectors=[unpack_vector(vectors[i]) for i in range(len(articles))])
    keep()
    return found


def remembered_scores(digests: dict[str, str], root: Path) -> tuple[PairScores, Callable[[], None]]:
    """The related-article pair scores of the last build (:class:`scripts.link.PairScores`) for
    articles identified by ``digests`` (their enrich keys: what their token counts are made
    from), and a function that keeps this build's pairs for the next (only those, so the
    entry does not grow with pairs of the past)."""
    from .link import PairScores

    cache = Cache.open(root, "scores")
    key = cache.key("related pair scores")
    known = cache.get(key, lambda v: isinstance(v, dict))
    scores = PairScores(digests, None if known is MISSING else known)

    def keep() -> None:
        if scores.used != scores.known:
            cache.put(key, scores.used)
        log_cache("scores", cache)

    return scores, keep


def article_prints(articles: list[Article], root: Path, origins: list[tuple[str, int]] | None = None,
                   ) -> list[tuple[int, ...]]:
    """The articles' permalink fingerprints (``scripts/registry.py``), cached by the text they
    are made from (or by their ``origins``, :func:`origins_of`, which decide it) and computed
    in the pool: hashing every shingle is the costly part of matching permalinks (16 s for
    10,000 articles), and a rebuild needs only the changed ones."""
    from .registry import fingerprint_text, sketch

    cache = Cache.open(root, "prints")
    if origins is None:
        texts: Sequence[str] = [fingerprint_text(a) for a in articles]
        keys = [cache.key(text) for text in texts]
    else:  # the text is made when needed: a rebuild needs few
        texts = _Texts(articles, fingerprint_text)
        keys = [cache.key("print", page, str(place)) for page, place in origins]
    prints = cached_map(sketch, texts, keys, cache, lambda v: isinstance(v, tuple))
    log_cache("prints", cache)
    return prints


class _Texts(Sequence[str]):
    """``make(article)`` for each article, made when asked for."""

    def __init__(self, articles: list[Article], make: Callable[[Article], str]) -> None:
        self.articles, self.make = articles, make

    def __len__(self) -> int:
        return len(self.articles)

    def __getitem__(self, i):  # type: ignore[override]
        return self.make(self.articles[i])


def register_ids(report: BuildReport, registry_path: Path, root: Path,
                 origins: Origins | None = None) -> tuple[BuildReport, Registry]:
    """Every article takes its registered permalink id (``scripts/registry.py``); new articles
    are added to the registry, which is written back only when it changed (and was readable).
    Runs before enrich and link, so no article refers to another by id yet."""
    from .registry import as_read_back, assign_ids, dump_registry, load_registry
    from .write import write_if_changed

    display = display_path(registry_path, root)
    cache = Cache.open(root, "registry")
    data = read_or_none(registry_path)
    key = cache.key(data, display) if data is not None else None
    read = cache.get(key, is_read_registry) if key else MISSING
    # Parsing 10,000 entries with PyYAML, and dumping them, take a second each: once per content.
    registry, diagnostics, canonical = load_registry(registry_path, display) + (None,) if read is MISSING else read
    articles = [a for p in report.pages for a in p.articles]
    prints = article_prints(articles, root, origins_of(report.pages, origins))
    renamed, new_registry, problems = assign_ids(articles, registry, prints=prints)
    ids = iter(renamed)
    pages = tuple(replace(p, articles=tuple(next(ids) for _ in p.articles)) for p in report.pages)
    same = new_registry.entries == registry.entries
    if registry.ok and (new_registry.entries or registry_path.is_file()) and not (same and canonical):
        text = dump_registry(new_registry)
        if write_if_changed(registry_path, text) and not diagnostics:  # deterministic: a rerun writes nothing
            written = as_read_back(new_registry, text)  # what the next build reads: not parsed again
            if written is not None:
                cache.put(cache.key(text.encode("utf-8"), display), (written, [], True))
        if same and data is not None:
            canonical = text.encode("utf-8") == data  # the file is its registry's dump
    if key and (read is MISSING or bool(canonical) != read[2]):
        cache.put(key, (registry, diagnostics, bool(canonical)))
    log_cache("registry", cache)
    return BuildReport(pages, report.diagnostics + tuple(diagnostics) + tuple(problems)), new_registry


def is_read_registry(value: object) -> bool:
    """Whether a cached value is what :func:`register_ids` keeps of a registry file: the
    registry, its diagnostics, and whether the file is exactly its dump."""
    from .registry import Registry

    return (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], Registry)
            and isinstance(value[1], list) and isinstance(value[2], bool))


def write_redirects(registry: Registry, report: BuildReport, docs_dir: Path) -> None:
    """``docs/a/<retired id>/index.html`` for every retired id; stale ones are removed."""
    from .registry import redirect_pages, stale_redirects
    from .write import ARTICLE_DIR, write_if_changed

    pages = redirect_pages(registry, [a for p in report.pages for a in p.articles], ARTICLE_DIR)
    for rel, text in pages.items():
        write_if_changed(docs_dir / rel, text)
    for path in stale_redirects(docs_dir, set(pages), ARTICLE_DIR):
        path.unlink()
        if not any(path.parent.iterdir()):
            path.parent.rmdir()


def build(seeds_dir: Path, docs_dir: Path, manifest_path: Path | None = None, root: Path | None = None) -> BuildReport:
    """The whole build: collect every page, give the articles their permalink ids (registry
    ``seeds/permalinks.yml``), enrich and link them, then write, retired ids as redirects."""
    from .write import write_all

    root = root or seeds_dir.parent
    origins: Origins = {}
    with collector_settling() as settle:
        report = collect(seeds_dir, manifest_path, root, origins)
        settle()
        report, registry = register_ids(report, seeds_dir / REGISTRY, root, origins)
        bases: Bases = {}
        report = enrich_report(report, seeds_dir / "tags.yml", root, bases, origins)
        settle()
        write_all(report, docs_dir, bases=bases)
        write_redirects(registry, report, docs_dir)
    return report


@dataclass(frozen=True)
class BuildSummary:
    """What a build reported, kept without its articles: ``reused`` when it is the summary of
    an earlier build of the same input (:func:`build_unless_built`)."""

    diagnostics: tuple[Diagnostic, ...]
    articles: int
    pages: int
    reused: bool = False

    @classmethod
    def of(cls, report: BuildReport) -> BuildSummary:
        return cls(report.diagnostics, sum(len(p.articles) for p in report.pages), len(report.pages))


def seeds_state(seeds_dir: Path) -> tuple[tuple[str, int, int, int], ...]:
    """Every file under ``seeds_dir`` as (path, size, modification time, inode), sorted: equal
    states mean no file was added, removed, replaced or written in between.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("本报讯", encoding="utf-8")
    >>> before = seeds_state(folder)
    >>> before == seeds_state(folder), len(before)
    (True, 1)
    >>> _ = (folder / "a.txt").write_text("本报讯。", encoding="utf-8")
    >>> before == seeds_state(folder)
    False
    """
    state = []
    for path in sorted(seeds_dir.rglob("*")):
        try:
            st = path.stat()
        except OSError:  # removed meanwhile
            continue
        if path.is_file():
            state.append((path.relative_to(seeds_dir).as_posix(), st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(state)


UNCHANGED = "seeds/ unchanged since this server's last build: docs/ is current"  # logged when reused
#: (seeds folder, docs folder) -> the seeds' state a build of this process left and its summary
_built_from: dict[tuple[str, str], tuple[tuple, BuildSummary]] = {}


def build_unless_built(seeds_dir: Path, docs_dir: Path, root: Path | None = None) -> BuildSummary:
    """:func:`build`, unless this process has built ``docs_dir`` from ``seeds_dir`` as it is now
    (:func:`seeds_state`, taken before that build and again after it, with the permalink
    registry it rewrote): then the summary of that build, ``reused``.

    ``mkdocs serve`` rebuilds the site for every change it sees: an edit of ``mkdocs.yml`` or of
    a hand-written page, and also the registry the build itself rewrote. The pages ``docs/``
    holds are then still those the seeds make (a hand edit of a generated page, which the
    next change of the seeds undoes, is kept until then). A file of the seeds changed while the
    build ran makes the next call build again."""
    where = (str(seeds_dir.resolve()), str(docs_dir.resolve()))
    before = seeds_state(seeds_dir)
    last = _built_from.get(where)
    if last is not None and last[0] == before:
        return replace(last[1], reused=True)
    _built_from.pop(where, None)
    summary = BuildSummary.of(build(seeds_dir, docs_dir, root=root))
    after = seeds_state(seeds_dir)
    if [f for f in before if f[0] != REGISTRY] == [f for f in after if f[0] != REGISTRY]:
        _built_from[where] = (after, summary)
    return summary

@contextmanager
def collector_settling() -> Iterator[Callable[[], None]]:
    """Yields ``settle``: it tells Python's cycle collector that the objects alive now are
    settled (``gc.freeze``), so its later passes skip them: a stage's output (a hundred
    thousand paragraphs, tokens and dicts for a large archive) would otherwise be scanned
    again by every full collection the next stage's allocations set off (about a second a
    build at 10,000 articles). Inside, the collector does not run at all: the records a build
    makes hold no reference cycles, and a pass over what a stage has read back from the cache
    before it is settled cost half a second a rebuild. Afterwards every object is collectable
    again, and the collector runs as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
