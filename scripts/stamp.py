"""Stamp the bulk pages into the built site: Material's page once, every generated page into it.

An archive of 10,000 articles has some 30,000 generated pages (articles ``a/``, raw-text pages
``src/``, one page per tag, topic, zone, author and year). MkDocs would run each through
Python-Markdown (whose HTML parser re-reads every raw block) and Material's full Jinja template;
that is about 13 ms a page, six minutes for the archive. These pages differ only in their title,
content, table of contents and an article's citation tags, and every one of a folder sits at the
same depth, so their Material chrome (header, navigation, footer, asset links) is the same.

So (hooks in ``scripts/mkdocs_hooks.py``):

1. ``on_files``: the generated pages of :data:`STAMP_DIRS` (not their folders' ``index.md``)
   are marked *excluded*: MkDocs neither renders nor serves them, but they stay in its file
   list, so Markdown links to them from the pages it does render are still checked and
   rewritten (MkDocs logs each such link at INFO; :class:`ExcludedLinkFilter` drops those lines).
2. ``on_post_build``: :func:`stamp_site` renders Material's ``main.html`` once per folder for a
   virtual page of that folder whose title, content, heading ids and TOC entry are tokens
   (:func:`render_shell`), then, for every excluded page, renders its Markdown with
   ``scripts/fastmd.py`` (Python-Markdown's output for the subset the pipeline writes), resolves
   its ``.md`` links as MkDocs would (a missing target is a warning, so ``--strict`` fails),
   builds the citation box and head tags of an article from the same partials the theme uses,
   and replaces the tokens in one pass (the content is never re-scanned). Stamped pages are
   added to ``sitemap.xml``.

Finished pages are cached in ``.cache/stamp/`` beside ``mkdocs.yml`` (not with
``ARCHIVE_CACHE=off``): a page whose file, shell and citation data are unchanged is hard-linked
from there, so a rebuild after one page file changed renders only the pages that changed.

``ARCHIVE_STAMP=off`` turns this off: MkDocs renders every page itself (slow; the reference
``tests/test_stamp.py`` compares against, page by page).
"""
from __future__ import annotations

import gzip
import hashlib
import html
import logging
import os
import posixpath
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import yaml

from . import fastmd
from .write import DATA_DIR, read_front_matter

STAMP_DIRS = ("a", "src", "tags", "topics", "zones", "authors", "years")
# Generated pages at the top of the site: the further pages of the article list (articles-2.md …).
_STAMP_TOP = re.compile(r"articles-\d+\.md")
STAMP_ENV = "ARCHIVE_STAMP"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Tokens put into the shell where a page's own values go: plain lowercase ASCII letters, so
# that no escaping or URL handling in the templates changes them.
T_TITLE, T_CONTENT, T_H1, T_ITEMS, T_ITEM_ID, T_ITEM_TITLE, T_HEAD, T_STEM = (
    "zzstamptitlezz", "zzstampcontentzz", "zzstamph1zz", "zzstampitemszz", "zzstampitemidzz",
    "zzstampitemtitlezz", "zzstampheadzz", "zzstampstemzz")
_H1_GUARD = "<h1></h1>"
_TOKENS = re.compile("|".join((T_TITLE, T_CONTENT, T_H1, T_ITEMS, T_HEAD, T_STEM)))
# An <a> tag's href in HTML. Page text never holds one: its "<" is escaped.
_HREF = re.compile(r'(<a\s[^<>]*?\bhref=")([^"#][^"]*)(")')  # not a bare #fragment
_FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)

log = logging.getLogger("mkdocs.plugins.archive")


def enabled() -> bool:
    return os.environ.get(STAMP_ENV, "").lower() not in ("off", "0", "false", "no")


def is_stamped(src_uri: str) -> bool:
    """A generated page MkDocs leaves to this module: ``<folder>/<name>.md`` of a stamped
    folder, not the folder's overview ``index.md``; a further page of the article list.

    >>> is_stamped("a/0123abcd.md"), is_stamped("tags/index.md"), is_stamped("cite.md")
    (True, False, False)
    >>> is_stamped("articles-2.md"), is_stamped("articles.md"), is_stamped("x/articles-2.md")
    (True, False, False)
    """
    folder, _, name = src_uri.partition("/")
    if not name:
        return _STAMP_TOP.fullmatch(folder) is not None
    return folder in STAMP_DIRS and name.endswith(".md") and "/" not in name and name != "index.md"


def folder_of(src_uri: str) -> str:
    """The folder whose shell a page is stamped into: ``""`` for the top of the site.

    >>> folder_of("a/0123abcd.md"), folder_of("articles-2.md")
    ('a', '')
    """
    return posixpath.dirname(src_uri)


class ExcludedLinkFilter(logging.Filter):
    """Drops MkDocs' INFO line for a link to a stamped page ("… which is excluded from the
    built site"): the page is built, by :func:`stamp_site`."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if "which is excluded from the built site" not in msg:
            return True
        m = re.search(r"contains a link to '([^']*)'", msg)
        return not (m and is_stamped(m.group(1)))


def split_front_matter(text: str) -> tuple[dict, str]:
    """``(meta, body)`` as MkDocs splits a page (YAML between ``---`` lines).

    >>> split_front_matter("---\\ntitle: 标题\\n---\\n# 标题\\n")
    ({'title': '标题'}, '# 标题\\n')
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    meta = read_front_matter(m.group(1))  # the pipeline's own front matter, read fast
    if meta is None:
        meta = yaml.load(m.group(1), Loader=LOADER)
    return (meta if isinstance(meta, dict) else {}), text[m.end():]


def resolve_links(content: str, src_uri: str, url_of: Callable[[str], str | None], page_url: str,
                  warn: Callable[[str], None] = log.warning, targets: dict | None = None) -> str:
    """``href="x.md#frag"`` -> the URL of ``x.md`` relative to the page, as MkDocs rewrites
    Markdown links (a link to any other file of the site, e.g. ``../data/figures.csv``, too); a
    ``.md`` link to no file is logged as a warning (``--strict`` fails) and left.

    >>> urls = {"tags/t-1.md": "tags/t-1/", "data/f.csv": "data/f.csv"}.get
    >>> resolve_links('<a href="../tags/t-1.md#x">标签</a>', "a/x.md", urls, "a/x/")
    '<a href="../../tags/t-1/#x">标签</a>'
    >>> resolve_links('<a href="../data/f.csv">数据</a> <a href="#p1">¶</a>', "a/x.md", urls, "a/x/")
    '<a href="../../data/f.csv">数据</a> <a href="#p1">¶</a>'

    ``targets``: where each href of a folder leads, kept across the pages of one build (the
    pages of a folder link to the same tag, zone and article pages again and again).
    """
    done: dict[str, str] = {}
    targets = {} if targets is None else targets
    folder = posixpath.dirname(src_uri)

    def resolve(m: re.Match[str]) -> str:
        if m.group(2) not in done:
            done[m.group(2)] = resolve_href(m.group(2))
        return m.group(1) + done[m.group(2)] + m.group(3)

    def target_of(href: str) -> tuple[str | None, str, str | None]:
        """``(url of the target or None, its #fragment, the missing target or None)``."""
        parts = urlsplit(html.unescape(href))
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return None, "", None
        target = posixpath.normpath(posixpath.join(folder, parts.path))
        url = url_of(target)
        missing = target if url is None and parts.path.endswith(".md") else None
        return url, f"#{parts.fragment}" if parts.fragment else "", missing

    def resolve_href(href: str) -> str:
        key = (folder, href)
        if key not in targets:
            targets[key] = target_of(href)
        url, fragment, missing = targets[key]
        if missing is not None:
            warn(f"Doc file '{src_uri}' contains a link '{href}', but the target '{missing}' "
                 "is not found among documentation files.")
        if url is None:
            return href  # not a file of the site (MkDocs leaves such links alone too), or missing
        return html.escape(relative_url(url, page_url) + fragment)

    return _HREF.sub(resolve, content)


def relative_url(url: str, from_url: str) -> str:
    """``url`` relative to the page at ``from_url`` (both site-relative), as MkDocs writes it.

    >>> relative_url("tags/t-1/", "a/x/"), relative_url("a/y/", "a/x/"), relative_url("cite/", "a/x.html")
    ('../../tags/t-1/', '../y/', '../cite/')
    """
    from mkdocs.utils import get_relative_url

    return get_relative_url(url, from_url)


@dataclass
class Shell:
    """Material's page for one folder, with tokens where a page's values go."""
    with_toc: str   # the TOC's entries replaced by T_ITEMS
    no_toc: str     # a page whose only heading is its h1
    item: str       # one TOC entry, with T_ITEM_ID and T_ITEM_TITLE

    def fill(self, title: str, content: str, toc: list[tuple[str, str]], h1_id: str, head: str, stem: str) -> str:
        items = "".join(self.item.replace(T_ITEM_ID, i).replace(T_ITEM_TITLE, t) for i, t in toc)
        values = {T_TITLE: title, T_CONTENT: content, T_H1: h1_id, T_ITEMS: items, T_HEAD: head, T_STEM: stem}
        return _TOKENS.sub(lambda m: values[m.group()], self.with_toc if toc else self.no_toc)


def render_shell(folder: str, config, pages: list, nav, env) -> Shell:
    """Material's ``main.html`` for a virtual page ``<folder>/<T_STEM>.md``, as MkDocs renders a
    page (``mkdocs.commands.build._build_page``), with tokens for the page's own values.
    ``pages``: the site's ``files.documentation_pages()``, which MkDocs' context lists (found
    once per build: among 30,000 files it takes 40 ms, and there are two shells per folder)."""
    from mkdocs.commands.build import get_context
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import AnchorLink, TableOfContents

    def render(with_item: bool) -> str:
        path = f"{folder}/{T_STEM}.md" if folder else f"{T_STEM}.md"
        file = File(path, config["docs_dir"], config["site_dir"], config["use_directory_urls"])
        page = Page(T_TITLE, file, config)
        page.meta = {"title": T_TITLE}
        page.content = T_CONTENT + _H1_GUARD  # Material adds an <h1> to content without one
        h1 = AnchorLink(T_TITLE, T_H1, 1)
        if with_item:
            h1.children = [AnchorLink(T_ITEM_TITLE, T_ITEM_ID, 2)]
        page.toc = TableOfContents([h1])
        page.active = True
        try:
            context = get_context(nav, pages, config, page)
            out = env.get_template("main.html").render(context)
            out = config.plugins.on_post_page(out, page=page, config=config)
        finally:
            page.active = False
        if out.count("</head>") != 1:
            raise RuntimeError("the theme's page has no single </head>")
        if out.count(T_CONTENT + _H1_GUARD) != 1:
            raise RuntimeError("the theme's page does not show its content once")
        return out.replace(T_CONTENT + _H1_GUARD, T_CONTENT).replace("</head>", T_HEAD + "</head>", 1)

    with_toc, no_toc = render(True), render(False)
    start = with_toc.rfind('<li class="md-nav__item">', 0, with_toc.index(T_ITEM_ID))
    end = with_toc.index("</li>", with_toc.index(T_ITEM_ID)) + len("</li>")
    return Shell(with_toc[:start] + T_ITEMS + with_toc[end:], no_toc, with_toc[start:end])


@dataclass
class Stamper:
    """Everything a page needs beyond its own file: the shells, the site's URLs, the theme's
    citation partials, and ``extra(meta, src_uri, url)`` -> the page's ``archive_cite`` or None."""
    config: object
    files: object
    nav: object
    env: object
    extra: Callable[[dict, str, str], dict | None]

    def __post_init__(self) -> None:
        self.shells: dict[str, Shell] = {}
        self.pages: list | None = None  # the documentation pages, for the shells' context
        self.warnings: list[str] = []  # logged by the parent process (MkDocs counts them)
        self.urls = {f.src_uri: f.url for f in self.files}
        self.targets: dict = {}  # (folder, href) -> where it leads (resolve_links)
        self.cite_head = self.env.get_template("partials/cite-head.html")
        self.cite_box = self.env.get_template("partials/cite-box.html")

    def shell(self, folder: str) -> Shell:
        if folder not in self.shells:
            if self.pages is None:
                self.pages = self.files.documentation_pages()
            self.shells[folder] = render_shell(folder, self.config, self.pages, self.nav, self.env)
        return self.shells[folder]

    def page(self, src_uri: str, url: str, text: str) -> str:
        """The finished HTML of the generated page ``src_uri`` (URL ``url``) holding ``text``."""
        meta, body = split_front_matter(text)
        content, tokens = fastmd.render(body)
        content = resolve_links(content, src_uri, self.urls.get, url, self.warnings.append, self.targets)
        first = tokens[0] if tokens else None
        h1 = first if first and first["level"] == 1 else None
        entries = [(t["id"], t["name"]) for t in (h1["children"] if h1 else tokens)]
        title = meta.get("title") or (html.unescape(h1["name"]) if h1 else posixpath.basename(src_uri)[:-3])
        head = ""
        cite = self.extra(meta, src_uri, url)
        if cite:
            context = {"page": _Meta({"archive_cite": cite})}
            head = self.cite_head.render(context)
            content += self.cite_box.render(context)
            entries.append(("cite", "引用本文"))
        if "<h1" not in content:  # as Material's partials/content.html does
            content = f"<h1>{html.escape(str(title))}</h1>" + content
        stem = posixpath.basename(src_uri)[:-3]
        return self.shell(folder_of(src_uri)).fill(
            html.escape(str(title)), content, entries, h1["id"] if h1 else "", head, stem)


class _Meta:
    """What the citation partials read: ``page.meta``."""

    def __init__(self, meta: dict) -> None:
        self.meta = meta


def kept(site_dir: Path, folder: str) -> Path:
    """Where the previous build's ``folder`` waits while MkDocs builds (a hidden name, which
    MkDocs' cleaning of ``site_dir`` leaves alone)."""
    return site_dir / f".stamped-{folder}"


def take_back(site_dir: Path, pages: list) -> None:
    """Put each folder :func:`kept` from the previous build back in ``site_dir``: what MkDocs
    wrote into that folder this build replaces the old entries of the same name, and entries
    that are neither a stamped page of this build (``pages``) nor MkDocs' are removed. The
    pages left are the previous build's stamping; :func:`_from_cache` keeps one only when it
    is the cached page of this build's key."""
    wanted: dict[str, set[str]] = {}
    for f in pages:
        parts = f.dest_uri.split("/")
        if len(parts) > 1:
            wanted.setdefault(parts[0], set()).add(parts[1])
    for folder in STAMP_DIRS:
        old, fresh = kept(site_dir, folder), site_dir / folder
        if not old.is_dir():
            continue
        theirs = os.listdir(fresh) if fresh.is_dir() else []
        for name in set(os.listdir(old)) - wanted.get(folder, set()) - set(theirs):
            _remove(old / name)
        for name in theirs:
            _remove(old / name)
            os.rename(fresh / name, old / name)
        if fresh.is_dir():
            fresh.rmdir()
        os.rename(old, fresh)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def link_exports(files, folder: str = DATA_DIR) -> list[str]:
    """Hard-link the static files under ``folder`` (the pipeline's exports: 257 MB at 10,000
    articles) into the site, so that MkDocs does not copy them at every build (0.4 s at 10,000
    articles): it leaves a file whose destination already is that file (``shutil.SameFileError``,
    which it allows for plugins). The pipeline replaces an export by renaming a new file over it
    (``write.write_if_changed``, ``write.concatenate``) and never writes into one, so the site
    keeps the bytes it was built with. Where a link cannot be made (another file system, a
    file system without links) the file is left to MkDocs' copy. Returns the ``src_uri`` linked.

    Before: every build copies ``docs/data/articles.jsonl`` to ``site/data/articles.jsonl``.
    After: ``site/data/articles.jsonl`` is another name of ``docs/data/articles.jsonl``.
    """
    linked: list[str] = []
    made: set[Path] = set()
    for f in files:
        if (f.is_documentation_page() or not f.src_uri.startswith(f"{folder}/") or f.abs_src_path is None
                or not f.inclusion.is_included()):
            continue
        try:
            _make_way(Path(f.abs_dest_path), made)
            os.link(f.abs_src_path, f.abs_dest_path)
        except OSError:
            continue
        linked.append(f.src_uri)
    return linked


def stamped_files(files) -> list:
    return [f for f in files if f.is_documentation_page() and is_stamped(f.src_uri)]


def stamp_site(config, files, nav, env, extra: Callable[[dict, str, str], dict | None],
               cache_dir: Path | None = None) -> int:
    """Write every stamped page into ``site_dir``; returns how many. The pages to render are
    shared out to :func:`workers` forked processes (the shells are rendered first, in this
    one); their warnings are logged here, where MkDocs counts them for ``--strict``. Pages are
    added to the sitemap.

    ``cache_dir``: finished pages are kept there (:func:`page_key`), and a page whose key is
    unchanged is hard-linked (or copied) from it instead of rendered again, in this process
    (:func:`_from_cache`: a rebuild finds nearly every page there, and forking workers from the
    build's large process costs more than looking them up); entries this build did not use are
    removed. Pages with a warning are never cached, so they warn on every build.
    """
    global _STAMPER
    stamper = Stamper(config, files, nav, env, extra)
    pages = stamped_files(files)
    take_back(Path(config["site_dir"]), pages)
    for folder in sorted({folder_of(f.src_uri) for f in pages}):
        stamper.shell(folder)
    stamper.cache_dir = cache_dir
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        stamper.salt = _digest(repr(sorted((k, _digest(v.with_toc + v.no_toc + v.item))
                                           for k, v in stamper.shells.items())) + repr(extra_salt(config)))
    jobs = [(f.src_uri, f.url, f.abs_src_path, f.abs_dest_path) for f in pages]
    placed, jobs = _from_cache(jobs, stamper)
    n = workers(len(jobs))
    if n == 1:
        results = [placed, _stamp_chunk(jobs, stamper)]
    else:
        import multiprocessing

        _STAMPER = stamper  # inherited by the forked workers
        try:
            with multiprocessing.get_context("fork").Pool(n) as pool:
                results = [placed, *pool.map(_stamp_chunk, [jobs[k::n * 4] for k in range(n * 4)])]
        finally:
            _STAMPER = None
    for warnings, _, _ in results:
        for message in warnings:
            log.warning(message)
    if cache_dir is not None:
        used = {key for _, keys, _ in results for key in keys}
        for entry in cache_dir.iterdir():
            if entry.name not in used:
                entry.unlink(missing_ok=True)
        hits = sum(h for _, _, h in results)
        log.debug(f"stamp cache: {hits} of {len(jobs)} pages unchanged")
    add_to_sitemap(Path(config["site_dir"]), [f.url for f in pages], config.get("site_url"))
    return len(pages)


_STAMPER: Stamper | None = None
MIN_PER_WORKER = 200  # below this many pages a second process costs more than it saves


def workers(jobs: int) -> int:
    """Processes to stamp ``jobs`` pages with: the pipeline's worker count (``ARCHIVE_WORKERS``,
    one per CPU, one where forking is unsafe), and one for a small site.

    >>> workers(10)
    1
    """
    from .pipeline import worker_count

    return max(1, min(worker_count(), jobs // MIN_PER_WORKER))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def extra_salt(config) -> tuple:
    """What a page depends on beyond its file and the shells: the citation's address and day."""
    from datetime import date

    return (config.get("site_url"), config.get("site_name"), os.environ.get("SOURCE_DATE_EPOCH") or date.today())


def page_key(src_uri: str, src: str, salt: str) -> str:
    """The cache key of a page: its path, its file's size and modification time (the pipeline
    rewrites a file only when its text changes), and ``salt`` (the shells, the citation data)."""
    st = os.stat(src)
    return _digest(f"{src_uri}\0{st.st_size}\0{st.st_mtime_ns}\0{salt}") + ".html"


def _place(cached: Path, dest: Path) -> None:
    """``dest`` becomes the cached page: a hard link (same file system), else a copy."""
    try:
        os.link(cached, dest)
    except OSError:
        shutil.copyfile(cached, dest)


def _keep(page: Path, cached: Path) -> None:
    """Add a finished page to the cache: a hard link (no second copy, and a link appears whole
    or not at all), else a copy renamed into place; another build that kept it first wins."""
    try:
        os.link(page, cached)
    except FileExistsError:
        pass
    except OSError:
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        shutil.copyfile(page, tmp)
        os.replace(tmp, cached)


#: A page to stamp: (source URI, URL, source file, destination file, cache key or None).
Job = tuple[str, str, str, str, str | None]


def _from_cache(jobs: list[tuple[str, str, str, str]], stamper: Stamper,
                ) -> tuple[tuple[list[str], list[str], int], list[Job]]:
    """The pages of ``jobs`` the stamp cache holds, in place: ``(no warnings, their keys, how
    many)``, and the other jobs with their keys (None: no cache), to be rendered."""
    cache_dir = getattr(stamper, "cache_dir", None)
    if cache_dir is None:
        return ([], [], 0), [(*job, None) for job in jobs]
    keys: list[str] = []
    rest: list[Job] = []
    made: set[Path] = set()
    folder = f"{cache_dir}{os.sep}"  # paths as strings: 20,000 pages are looked up
    for src_uri, url, src, dest in jobs:
        key = page_key(src_uri, src, stamper.salt)
        cached = _stat(folder + key)
        if cached is None:
            rest.append((src_uri, url, src, dest, key))
            continue
        if _stat(dest) != cached:  # else the previous build's page, still this one
            _make_way(Path(dest), made)
            _place(cache_dir / key, Path(dest))
        keys.append(key)
    return ([], keys, len(keys)), rest


def _make_way(path: Path, made: set[Path]) -> None:
    """Make ``path``'s folder (once: ``made``) and remove what ``path`` holds: a page is never
    written through a hard link into the cache."""
    if path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        made.add(path.parent)
    if path.exists():
        path.unlink()


def _stamp_chunk(jobs: list[Job], stamper: Stamper | None = None) -> tuple[list[str], list[str], int]:
    """Render and write the pages of ``jobs`` (:func:`_from_cache` found them in no cache):
    ``(warnings, cache keys used, cache hits: none)``."""
    stamper = stamper or _STAMPER
    cache_dir = getattr(stamper, "cache_dir", None)
    warnings: list[str] = []
    keys: list[str] = []
    made: set[Path] = set()
    for src_uri, url, src, dest, key in jobs:
        path = Path(dest)
        _make_way(path, made)
        stamper.warnings = []
        out = stamper.page(src_uri, url, Path(src).read_text(encoding="utf-8-sig"))
        path.write_bytes(out.encode("utf-8", errors="xmlcharrefreplace"))
        warnings += stamper.warnings
        if key is not None and cache_dir is not None and not stamper.warnings:  # joins the cache: a link
            _keep(path, cache_dir / key)
            keys.append(key)
    return warnings, keys, 0


def _stat(path: Path | str) -> tuple[int, int] | None:
    """``(device, inode)`` of a regular file (two hard links of one file have the same), or
    None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def add_to_sitemap(site_dir: Path, urls: list[str], site_url: str | None) -> None:
    """Append ``<url>`` entries for ``urls`` to MkDocs' ``sitemap.xml`` (and ``.gz``), in the
    form MkDocs writes its own (absolute, with the build's date); like MkDocs, none without a
    ``site_url``."""
    path = site_dir / "sitemap.xml"
    if not path.is_file() or not urls or not site_url:  # MkDocs lists no page without site_url
        return
    text = path.read_text(encoding="utf-8")
    lastmod = re.search(r"<lastmod>([^<]*)</lastmod>", text)
    base = site_url.rstrip("/") + "/"
    entries = "".join(
        "    <url>\n         <loc>" + html.escape(base + u) + "</loc>\n"
        + (f"         <lastmod>{lastmod.group(1)}</lastmod>\n" if lastmod else "") + "    </url>\n"
        for u in urls)
    text = text.replace("</urlset>", entries + "</urlset>", 1)
    path.write_text(text, encoding="utf-8")
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
