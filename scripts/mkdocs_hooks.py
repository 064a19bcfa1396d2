"""MkDocs hooks (``hooks:`` in mkdocs.yml): run the archive build before MkDocs reads ``docs/``.

- ``on_pre_build``: the previous site is moved aside (:func:`set_aside`), then ``seeds/`` ->
  ``docs/a/*.md``, ``docs/articles.md``, ``docs/data/*.jsonl``; every diagnostic is logged,
  errors and warnings as warnings so ``mkdocs build --strict`` fails. ``mkdocs serve`` skips
  the pipeline when ``seeds/`` is as its last build left it (``pipeline.build_unless_built``).
- ``on_startup``, ``on_shutdown``: ``mkdocs serve`` runs its builds' pipeline in a process of
  its own (``scripts/builder.py``).
- ``on_serve``: watch ``seeds/``, so editing a page file rebuilds the site, and of ``docs/`` only
  what is not generated (:func:`on_serve`). Generated files are only rewritten when their
  content changes, so a rebuild does not trigger itself again through the top-level pages.
- ``on_page_markdown``: on an article page (front matter with ``id``, ``kind`` and ``source``),
  ``page.meta["archive_cite"]`` gets what ``overrides/main.html`` shows: the citation texts, the
  Highwire ``citation_*`` tags and the JSON-LD (``scripts/cite.py``), cited from the raw front
  matter, with ``site_url`` when mkdocs.yml has one (else relative URLs) and today's date as the
  access date (``SOURCE_DATE_EPOCH`` when set). On article and source pages (``a/``, ``src/``),
  links of raw HTML (``<a href="../tags/t-1.md">``, which MkDocs leaves alone) are resolved as
  MkDocs resolves Markdown links; a missing target is a warning, so ``--strict`` fails. Then,
  since MkDocs and Material print ``page.meta["title"]`` as HTML without escaping and our front
  matter holds the raw printed title, it is HTML-escaped for the templates.
- ``on_page_context``: the citation box's heading goes into the page's table of contents.
- ``on_files``, ``on_nav``, ``on_env``, ``on_post_build``: the bulk generated pages (articles,
  raw-text pages, tag/topic/zone/author/year pages) are not rendered by MkDocs but stamped into
  the site after the build (``scripts/stamp.py``), with the same citation data as above.

``ARCHIVE_PIPELINE=off`` skips the pipeline (``docs/`` is used as it is: the benchmark runs the
pipeline itself); ``ARCHIVE_STAMP=off`` lets MkDocs render every page (the reference).
"""
from __future__ import annotations

import html
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # MkDocs loads this file by path, not as part of the package
    sys.path.insert(0, str(PROJECT))

from scripts.cite import page_data  # noqa: E402
from scripts.builder import build_in_builder, start_builder, stop_builder  # noqa: E402
from scripts.pipeline import UNCHANGED  # noqa: E402
from scripts import stamp  # noqa: E402
from scripts.cache import cache_enabled  # noqa: E402
from scripts.stamp import resolve_links  # noqa: E402

SEEDS = PROJECT / "seeds"
PIPELINE_ENV = "ARCHIVE_PIPELINE"  # "off": use docs/ as it is, do not run the pipeline
# Front-matter keys that MkDocs/Material templates insert into HTML unescaped.
HTML_META_KEYS = ("title", "subtitle", "description", "author")
CITE_KEY = "archive_cite"  # page.meta key read by overrides/main.html
HELP_PAGE = "cite.md"  # 关于与引用, linked from the citation box
RAW_LINK_DIRS = ("a/", "src/")  # generated pages whose raw HTML links to other pages

log = logging.getLogger("mkdocs.plugins.archive")


def set_aside(site_dir: Path, keep: tuple[str, ...] = ()) -> Path | None:
    """Move the previous build out of ``site_dir`` (one rename) and delete it in a detached
    process; returns where it went (None if there was nothing to move). Its folders named in
    ``keep`` come back first, hidden (``stamp.kept``), where MkDocs' cleaning leaves them: the
    stamping takes back the pages that did not change (``stamp.take_back``).

    MkDocs empties ``site_dir`` before every build, one file and folder at a time. The archive
    has a folder per page (``a/<id>/index.html``), and removing a folder can take milliseconds
    (file systems mounted with ``discard`` trim at every removal: 3 ms a folder measured here),
    so cleaning 30,000 folders would take longer than building them. After the rename MkDocs
    finds the folder empty and the old files go while the build runs."""
    if not site_dir.is_dir() or not any(site_dir.iterdir()):
        return None
    trash = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    try:
        site_dir.rename(trash)
        site_dir.mkdir()
    except OSError:
        return None  # MkDocs cleans it the slow way
    for folder in keep:
        try:
            (trash / folder).rename(stamp.kept(site_dir, folder))
        except OSError:
            pass  # not there (or not movable): its pages are stamped anew
    try:
        subprocess.Popen(["rm", "-rf", "--", str(trash)], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        threading.Thread(target=shutil.rmtree, args=(trash, True), daemon=True).start()
    return trash


def stamp_cache(config, made: bool = False) -> Path | None:
    """The stamp cache (``.cache/stamp/`` beside ``mkdocs.yml``), or None when the cache is off
    or (unless ``made``: the stamping makes it) it holds nothing yet."""
    if not cache_enabled():
        return None
    folder = Path(config["config_file_path"]).resolve().parent / ".cache" / "stamp"
    if made or (folder.is_dir() and any(folder.iterdir())):
        return folder
    return None


def on_pre_build(config) -> None:
    if config.get("site_dir"):
        # The previous build's stamped pages are kept only when the stamp cache can vouch for
        # them: without it every page is stamped anew, and deleting the old ones one by one
        # would cost more than the detached process deleting them with the rest.
        keep = stamp.STAMP_DIRS if stamp.enabled() and stamp_cache(config) is not None else ()
        set_aside(Path(config["site_dir"]), keep)
    if os.environ.get(PIPELINE_ENV, "").lower() == "off":  # docs/ already built (the benchmark)
        return
    built = build_in_builder(SEEDS, Path(config["docs_dir"]), root=PROJECT)
    if built.reused:  # mkdocs serve, after a change elsewhere or the build's own registry write
        log.info(f"archive: {UNCHANGED}")
    for diag in built.diagnostics:  # again when reused: --strict judges every build alike
        if diag.level == "info":
            log.info(str(diag))
        else:  # "error" | "warning": --strict turns these into a failed build
            log.warning(str(diag))
    log.info(f"archive: {built.articles} articles from {built.pages} pages")


def on_startup(command, dirty):
    """``mkdocs serve``: the builds run in a process forked now, before the server's threads
    (``scripts/builder.py``), with the pipeline's pool and helpers as in ``mkdocs build``."""
    if command == "serve":
        start_builder()


def on_shutdown():
    stop_builder()


def on_serve(server, config, builder):
    """Watch what people edit: ``seeds/`` and the hand-written part of ``docs/`` (its top-level
    files, and its folders but those the build writes whole, ``write.generated_folders``).

    MkDocs watches all of ``docs/`` by polling: every file, twice a second. At 10,000 articles
    that is 22,000 generated pages, a third of a core while the server is idle, competing with
    every rebuild for the interpreter; and a rebuild that rewrote changed pages there set off a
    second, needless rebuild. A folder made in ``docs/`` while the server runs is not watched
    until it restarts (a new top-level page is)."""
    server.watch(str(SEEDS))
    if os.environ.get(PIPELINE_ENV, "").lower() == "off":  # docs/ is not ours: watch it all
        return server
    from scripts.write import generated_folders

    docs = Path(config["docs_dir"])
    try:
        server.unwatch(str(docs))
    except KeyError:  # not watched (MkDocs watches it first, when reloading is on)
        return server
    server.watch(str(docs), recursive=False)
    generated = set(generated_folders())
    for entry in sorted(docs.iterdir()):
        if entry.is_dir() and entry.name not in generated:
            server.watch(str(entry))
    return server


def access_date() -> date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), timezone.utc).date() if epoch.isdigit() else date.today()


def is_article(meta: dict) -> bool:
    return isinstance(meta.get("source"), dict) and bool(meta.get("id")) and "kind" in meta


def resolve_raw_links(markdown: str, page, files) -> str:
    """``href="x.md#frag"`` in raw HTML -> the URL of ``x.md`` relative to the page, as MkDocs
    does for Markdown links; a link to no file is logged as a warning and left as it is."""
    def url_of(target: str) -> str | None:
        file = files.get_file_from_path(target)
        return None if file is None else file.url

    return resolve_links(markdown, page.file.src_uri, url_of, page.file.url)


def cite_data(meta: dict, url: str, config, files) -> dict | None:
    """What the citation box and head tags of an article page show (``scripts/cite.py``), or
    None for a page that is not an article."""
    if not is_article(meta):
        return None
    data = page_data(meta, url, config.get("site_url"), access_date(),
                     config.get("site_name") or "高新区党建报道数字档案")
    help_page = files.get_file_from_path(HELP_PAGE) if files is not None else None
    data["help_url"] = stamp.relative_url(help_page.url, url) if help_page else None
    return data


def on_page_markdown(markdown: str, page, config, files) -> str:
    if is_article(page.meta):
        page.meta[CITE_KEY] = cite_data(page.meta, page.url, config, files)
    file = getattr(page, "file", None)
    if file is not None and files is not None and file.src_uri.startswith(RAW_LINK_DIRS):
        markdown = resolve_raw_links(markdown, page, files)
    for key in HTML_META_KEYS:
        if isinstance(page.meta.get(key), str):
            page.meta[key] = html.escape(page.meta[key])
    return markdown


def on_page_context(context, page, config, nav):
    """The citation box (added by the theme after the content) gets an entry in the page's TOC."""
    if page.meta.get(CITE_KEY):
        from mkdocs.structure.toc import AnchorLink

        items = page.toc.items
        entries = items[0].children if items and items[0].level == 1 else items  # as Material shows it
        entries.append(AnchorLink("引用本文", "cite", 2))
    return context


# --- stamped pages (scripts/stamp.py) -------------------------------------------------------

_built: dict = {}  # files, nav and env of the build under way, for on_post_build
logging.getLogger("mkdocs.structure.pages").addFilter(stamp.ExcludedLinkFilter())


def on_files(files, config):
    """The bulk generated pages are left to ``scripts/stamp.py``: excluded from MkDocs' own
    rendering, kept in the file list so links to them are checked and rewritten. The exports
    are linked into the site, not copied (``stamp.link_exports``)."""
    from mkdocs.structure.files import InclusionLevel

    if stamp.enabled():
        for file in stamp.stamped_files(files):
            file.inclusion = InclusionLevel.EXCLUDED
    stamp.link_exports(files)
    _built["files"] = files
    return files


def on_nav(nav, config, files):
    _built["nav"] = nav
    return nav


def on_env(env, config, files):
    _built["env"] = env
    return env


def on_post_build(config) -> None:
    """Stamp the generated pages into the site (``scripts/stamp.py``)."""
    if not stamp.enabled() or "files" not in _built:
        return

    files = _built["files"]
    started = time.perf_counter()
    cache = stamp_cache(config, made=True)
    n = stamp.stamp_site(config, files, _built["nav"], _built["env"],
                         lambda meta, src_uri, url: cite_data(meta, url, config, files), cache)
    log.info(f"archive: {n} generated pages stamped into the site in {time.perf_counter() - started:.1f} s")
