"""The real site: seed pages -> pipeline -> ``mkdocs build --strict`` in a temporary copy.

The copy holds mkdocs.yml, docs/, overrides/ and also scripts/ and seeds/, because mkdocs.yml's
hook (scripts/mkdocs_hooks.py) runs the pipeline on the seeds/ folder next to it; one seed copy
gets a hostile line injected, which must come out as text.

A second copy (``enriched_site``) is built from the seed articles with every enrich field filled
(``tests.test_indexes.enrich_for_test``) and linked (``scripts.link.link_all``), its hook reduced
to the title escaping, so that every kind of generated page and section is built strictly and
link-checked whatever the enrich modules produce today (its bulk pages stamped by the real hooks). Both sites pass an internal link check:
every ``href``/``src`` of every HTML file, resolved against the page's URL, names a file that
exists under ``site/`` (external ``http(s)`` links are skipped; for ``#anchors`` only the file
part is checked).
"""
from __future__ import annotations

import dataclasses
import html
import os
import posixpath
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest

from scripts.model import BuildReport
from scripts.pipeline import PROJECT, build, collect

pytestmark = pytest.mark.site

HOSTILE_LINE = "<script>alert(1)</script> # 井号 *星号* | 竖线"
INJECT_INTO = "000_"  # a UTF-8 seed page


def article_text(a) -> str:
    parts = [a.title, a.kicker, a.subtitle, a.lead, *(p.text for p in a.paragraphs),
             *(c.text for c in a.captions)]
    return "\n".join(p for p in parts if p)


def inject(path: Path) -> None:
    """Put the hostile line, as a paragraph of its own, in the middle of the page."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    middle = next(i for i in range(len(lines) // 2, len(lines)) if not lines[i].strip())
    lines[middle:middle] = ["", HOSTILE_LINE, ""]
    path.chmod(0o644)
    path.write_text("\n".join(lines), encoding="utf-8")


GENERATED = ("a", "tags", "topics", "zones", "authors", "years", "data")


def copy_project(tmp: Path) -> None:
    shutil.copy(PROJECT / "mkdocs.yml", tmp / "mkdocs.yml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", *GENERATED, "articles.md")
    for folder in ("docs", "overrides", "scripts", "seeds"):
        if (PROJECT / folder).is_dir():
            # generated docs/ folders are left out: the build must produce them itself
            shutil.copytree(PROJECT / folder, tmp / folder,
                            ignore=ignore if folder == "docs" else shutil.ignore_patterns("__pycache__", "*.pyc"))


def mkdocs_build(tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp / "mkdocs.yml"),
                           "-d", str(tmp / "site")], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=600)


def hostile_project(tmp: Path) -> None:
    """A copy of the project whose first UTF-8 seed page holds the hostile line."""
    copy_project(tmp)
    [seed] = (tmp / "seeds").glob(INJECT_INTO + "*.txt")
    inject(seed)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("project")
    hostile_project(tmp)

    report = build(tmp / "seeds", tmp / "docs", root=tmp)
    generated = [p for p in (tmp / "docs").rglob("*") if p.is_file() and p.relative_to(tmp / "docs").parts[0]
                 in (*GENERATED, "articles.md")]
    for p in generated:
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))

    proc = mkdocs_build(tmp)
    return SimpleNamespace(root=tmp, report=report, proc=proc, generated=generated)


TITLE_ONLY_HOOK = """\
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# no on_pre_build: docs/ is ready; the bulk pages are stamped as in the real site
from scripts.mkdocs_hooks import on_env, on_files, on_nav, on_page_markdown, on_post_build  # noqa: E402,F401
"""


@pytest.fixture(scope="module")
def enriched_site(tmp_path_factory):
    """The seeds with every enrich field filled and linked, written by write_all, built strictly."""
    from scripts.write import write_all
    from tests.test_indexes import enrich_for_test

    tmp = tmp_path_factory.mktemp("enriched")
    copy_project(tmp)
    report = collect(tmp / "seeds", root=tmp)
    articles = {a.id: a for a in enrich_for_test([a for p in report.pages for a in p.articles])}
    pages = tuple(dataclasses.replace(p, articles=tuple(articles[a.id] for a in p.articles)) for p in report.pages)
    report = BuildReport(pages, report.diagnostics)
    write_all(report, tmp / "docs")
    (tmp / "title_hook.py").write_text(TITLE_ONLY_HOOK, encoding="utf-8")
    config = (tmp / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - scripts/mkdocs_hooks.py" in config
    (tmp / "mkdocs.yml").write_text(config.replace("  - scripts/mkdocs_hooks.py", "  - title_hook.py"),
                                    encoding="utf-8")
    proc = mkdocs_build(tmp)
    return SimpleNamespace(root=tmp, report=report, proc=proc, articles=articles)


# --- internal link check ----------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("href", "src") and v is not None]


def resolve(page: str, url: str) -> str | None:
    """The file under site/ that ``url`` on page ``page`` (path under site/) points to; None for
    external links and pure anchors; a path starting with ``../`` when it leaves the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:  # http(s), mailto, data, javascript, //host: not ours
        return None
    path = unquote(parts.path)
    if not path:
        return None  # "#anchor" or "?query" on the same page
    if path.startswith("/"):
        target = posixpath.normpath(path.lstrip("/")) if path != "/" else "."
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if path.endswith("/") or target == ".":
        target = posixpath.join(target, "index.html")
    return posixpath.normpath(target)


def broken_links(site_dir: Path) -> list[str]:
    broken, checked = [], 0
    for page in sorted(site_dir.rglob("*.html")):
        rel = page.relative_to(site_dir).as_posix()
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            target = resolve(rel, url)
            if target is None:
                continue
            checked += 1
            file = site_dir / target
            if target.startswith("../") or not (file.is_file() or (file / "index.html").is_file()):
                broken.append(f"{rel}: {url}")
    assert checked > 100, checked  # the check did look at links
    return broken


def test_resolve():
    assert resolve("a/x/index.html", "../../zones/z-1/") == "zones/z-1/index.html"
    assert resolve("a/x/index.html", "../y/#related") == "a/y/index.html"
    assert resolve("index.html", "assets/app.js?v=1") == "assets/app.js"
    assert resolve("a/x/index.html", "#top") is None
    assert resolve("a/x/index.html", "https://example.com/") is None
    assert resolve("index.html", "../outside.html") == "../outside.html"
    assert resolve("a/x/index.html", "../..") == "index.html"


def test_strict_build_succeeds(site):
    assert site.proc.returncode == 0, site.proc.stdout + site.proc.stderr
    assert not site.report.failed, [str(d) for d in site.report.diagnostics]


def test_one_page_per_article(site):
    articles = [a for p in site.report.pages for a in p.articles]
    assert articles
    for a in articles:
        page = site.root / "site" / "a" / a.id / "index.html"
        assert page.is_file(), a.id
        assert f"<title>{html.escape(a.title)} - " in page.read_text(encoding="utf-8")
    built = {p.name for p in (site.root / "site" / "a").iterdir() if p.is_dir()}
    assert built == {a.id for a in articles}
    for name in ("articles/index.html", "index.html", "data/articles.jsonl", "data/sources.jsonl"):
        assert (site.root / "site" / name).is_file(), name


def test_hostile_text_is_shown_as_text(site):
    [a] = [a for p in site.report.pages for a in p.articles if "alert(1)" in article_text(a)]
    page = (site.root / "site" / "a" / a.id / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "*星号*" in page and "<em>星号" not in page
    assert "# 井号" in page and "| 竖线" in page
    for built in (site.root / "site").rglob("*"):
        if built.is_file() and built.suffix in (".html", ".json", ".xml"):
            assert "<script>alert" not in built.read_text(encoding="utf-8"), built


def test_hook_does_not_rewrite_unchanged_files(site):
    """The hook reruns the pipeline; nothing changed, so nothing is rewritten (no serve loop)."""
    assert site.proc.returncode == 0
    assert {p: p.stat().st_mtime_ns for p in site.generated} == {p: 1_000_000_000 for p in site.generated}


def test_hook_escapes_html_in_page_titles():
    from scripts.mkdocs_hooks import on_page_markdown

    page = SimpleNamespace(meta={"title": "<script>alert(1)</script> & “引号”", "zones": ["<b>"]})
    assert on_page_markdown("text", page=page, config={}, files=None) == "text"
    assert page.meta == {"title": "&lt;script&gt;alert(1)&lt;/script&gt; &amp; “引号”", "zones": ["<b>"]}


def test_hook_logs_diagnostics(tmp_path, monkeypatch, caplog):
    import scripts.mkdocs_hooks as hooks
    from scripts.model import Diagnostic
    from scripts.pipeline import BuildSummary

    diags = (Diagnostic("seeds/x.txt", "bad", 3, "error"), Diagnostic("seeds/x.txt", "odd", None, "warning"),
             Diagnostic("seeds/x.txt", "fyi", 4, "info"))
    monkeypatch.setattr(hooks, "build_in_builder", lambda *args, **kwargs: BuildSummary(diags, 0, 0))
    with caplog.at_level("INFO", logger="mkdocs.plugins.archive"):
        hooks.on_pre_build({"docs_dir": str(tmp_path)})
    got = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "mkdocs.plugins.archive"]
    assert got[:3] == [("WARNING", "seeds/x.txt:3: error: bad"), ("WARNING", "seeds/x.txt: warning: odd"),
                       ("INFO", "seeds/x.txt:4: info: fyi")]


def watches(server) -> set[tuple[Path, bool]]:
    """What a ``LiveReloadServer`` polls: (path, recursively) of its observer's emitters."""
    return {(Path(e.watch.path), e.watch.is_recursive) for e in server.observer.emitters}


def serving(tmp_path: Path, monkeypatch, pipeline: str):
    """A ``mkdocs serve`` server after the hooks' ``on_serve``, on a docs/ folder with
    generated folders, a hand-written one and a top-level page."""
    from mkdocs.livereload import LiveReloadServer

    import scripts.mkdocs_hooks as hooks

    docs = tmp_path / "docs"
    for folder in ("a", "src", "data", "tags", "years", "assets/search"):
        (docs / folder).mkdir(parents=True)
    (docs / "cite.md").write_text("关于", encoding="utf-8")
    monkeypatch.setenv(hooks.PIPELINE_ENV, pipeline)
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    server.watch(str(docs))  # as mkdocs serve does before on_serve
    assert hooks.on_serve(server, {"docs_dir": str(docs)}, None) is server
    return server, docs, hooks.SEEDS


def test_serve_watches_what_people_edit_not_what_the_build_writes(tmp_path, monkeypatch):
    server, docs, seeds = serving(tmp_path, monkeypatch, "")
    assert watches(server) == {(seeds, True), (docs, False), (docs / "assets", True)}


def test_serve_watches_all_of_docs_when_the_pipeline_is_off(tmp_path, monkeypatch):
    server, docs, seeds = serving(tmp_path, monkeypatch, "off")
    assert watches(server) == {(seeds, True), (docs, True)}


def test_serve_rebuilds_once_after_an_edit(tmp_path):
    """``mkdocs serve`` on a copy of the project: a seed page edited, browsers reload after one
    rebuild; the pages that rebuild wrote into docs/ set off no other, and the registry it
    rewrote one that skips the pipeline."""
    from scripts.bench import serve_figures

    copy_project(tmp_path)
    got = serve_figures(tmp_path, {**os.environ, "NO_MKDOCS_2_WARNING": "1"}, wait=300, idle=0)
    assert isinstance(got.get("serve: one page changed -> browsers reload s"), float), got
    # the edit's build rewrote the registry (a new article): at most one more rebuild, without the pipeline
    assert got["serve: further rebuilds set off by that edit"] <= 1
    assert got["serve: of those, pipeline skipped (seeds unchanged)"] == got["serve: further rebuilds set off by that edit"]


def test_the_build_writes_folders_of_docs_only_among_generated_folders(site):
    """Every folder of docs/ after a build is hand-written (in git) or one of
    ``write.generated_folders``, which ``mkdocs serve`` does not watch."""
    from scripts.write import generated_folders

    tracked = subprocess.run(["git", "ls-files", "docs"], cwd=PROJECT, capture_output=True, text=True).stdout
    hand_written = {Path(p).parts[1] for p in tracked.split() if len(Path(p).parts) > 2}
    made = {p.name for p in (site.root / "docs").iterdir() if p.is_dir()} - hand_written
    assert made and made <= set(generated_folders())
    assert not hand_written & set(generated_folders())


def test_no_broken_internal_link(site):
    assert site.proc.returncode == 0
    assert broken_links(site.root / "site") == []


def test_index_pages_are_built(site):
    for folder in ("tags", "topics", "zones", "authors", "years"):
        assert (site.root / "site" / folder / "index.html").is_file(), folder
    assert (site.root / "site" / "data" / "figures.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")


# --- the enriched site ----------------------------------------------------------------------

def test_enriched_strict_build_succeeds(enriched_site):
    assert enriched_site.proc.returncode == 0, enriched_site.proc.stdout + enriched_site.proc.stderr


def test_enriched_site_has_no_broken_internal_link(enriched_site):
    assert enriched_site.proc.returncode == 0
    assert broken_links(enriched_site.root / "site") == []


def test_enriched_article_page_sections_and_links(enriched_site):
    from scripts.indexes import slug

    site = enriched_site.root / "site"
    linked = [a for a in enriched_site.articles.values() if a.related]
    assert linked
    for a in enriched_site.articles.values():
        page = (site / "a" / a.id / "index.html").read_text(encoding="utf-8")
        assert bool(re.search(r"<h2[^>]*>相关文章", page)) == bool(a.related)
        assert bool(re.search(r"<h2[^>]*>疑似重复报道", page)) == bool(a.near_duplicates)
        for other in a.related:
            assert f'href="../{other}/"' in page
        for zone in a.zones:
            assert f'href="../../zones/{slug("z", zone)}/"' in page
        if a.figures:
            assert "<table>" in page and "关键数据" in page
        if a.date_basis == "inferred":
            assert "（推断）" in page and "日期为推断，依据" in page
    qingdao = next(a for a in enriched_site.articles.values() if a.id == "0af460c448")
    page = (site / "a" / qingdao.id / "index.html").read_text(encoding="utf-8")
    # the first mention in the lead is a link; the section headings are not
    assert f'，<a href="../../zones/{slug("z", "青岛高新区")}/">青岛高新区</a>坚持' in page
    assert page.count(f'<a href="../../zones/{slug("z", "青岛高新区")}/">青岛高新区</a>') == 3  # info, text, same zone


def test_enriched_hostile_names_are_text(enriched_site):
    from scripts.indexes import slug
    from tests.test_indexes import HOSTILE_TAG

    site = enriched_site.root / "site"
    for built in site.rglob("*.html"):
        assert HOSTILE_TAG not in built.read_text(encoding="utf-8"), built
    page = (site / "tags" / slug("t", HOSTILE_TAG) / "index.html").read_text(encoding="utf-8")
    assert html.escape(HOSTILE_TAG, quote=False) in page
    assert HOSTILE_TAG not in page


def test_the_exports_in_the_site_are_the_pipelines_files(site):
    """MkDocs copies no export (``stamp.link_exports``): the site's are the same files."""
    exports = sorted((site.root / "docs" / "data").iterdir())
    assert exports
    for path in exports:
        assert os.path.samefile(path, site.root / "site" / "data" / path.name)
