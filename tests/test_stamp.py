"""Stamped pages (scripts/stamp.py, scripts/fastmd.py) are the pages MkDocs would have built.

One copy of the project (seed pages, one with a hostile line) goes through the pipeline once,
then through ``mkdocs build --strict`` twice: with ``ARCHIVE_STAMP=off`` (MkDocs renders every
page itself: the reference) and as published (the bulk pages stamped). Every page of the two
sites must be the same, up to whitespace between tags; the fast Markdown renderer must render
every generated page itself (no fallback) exactly as Python-Markdown does.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import fastmd, stamp
from scripts.pipeline import build
from tests.test_site import hostile_project

pytestmark = pytest.mark.site


def normalized(html: str) -> str:
    """Whitespace between tags and at line starts does not show in a browser."""
    return re.sub(r">\s+<", "><", re.sub(r"[ \t]*\n\s*", "\n", html.strip()))


def mkdocs(root: Path, site: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / site)],
                          cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "ARCHIVE_PIPELINE": "off", **env},
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("stamp")
    hostile_project(root)
    build(root / "seeds", root / "docs", root=root)
    # A further page of the article list, as the pipeline writes one past 200 articles: stamped
    # into the top of the site (the seeds have too few articles for one).
    listing = (root / "docs" / "articles.md").read_text(encoding="utf-8")
    (root / "docs" / "articles-2.md").write_text(listing.replace("# ", "# 第 2 页 ", 1), encoding="utf-8")
    ref = mkdocs(root, "site-ref", ARCHIVE_STAMP="off")
    assert ref.returncode == 0, ref.stderr[-3000:]
    stamped = mkdocs(root, "site")
    assert stamped.returncode == 0, stamped.stderr[-3000:]
    return root, stamped


def generated_pages(docs: Path) -> list[Path]:
    return sorted(p for p in docs.rglob("*.md") if stamp.is_stamped(p.relative_to(docs).as_posix()))


def test_every_page_is_what_mkdocs_builds(two_sites):
    root, _ = two_sites
    ref_pages = sorted((root / "site-ref").rglob("*.html"))
    assert len(ref_pages) > 100
    different = [p.relative_to(root / "site-ref").as_posix() for p in ref_pages
                 if normalized(p.read_text(encoding="utf-8"))
                 != normalized((root / "site" / p.relative_to(root / "site-ref")).read_text(encoding="utf-8"))]
    assert different == []


def test_bulk_pages_are_stamped_not_rendered_by_mkdocs(two_sites):
    root, proc = two_sites
    n = len(generated_pages(root / "docs"))
    assert n > 100
    assert f"archive: {n} generated pages stamped into the site" in proc.stderr
    for name in ("a", "src", "tags", "zones"):
        assert any((root / "site" / name).glob("*/index.html"))
    assert "articles-2.md" in {p.name for p in generated_pages(root / "docs")}
    assert (root / "site" / "articles-2" / "index.html").is_file()


def test_fast_markdown_renders_every_generated_page_like_python_markdown(two_sites):
    root, _ = two_sites
    for page in generated_pages(root / "docs"):
        _, body = stamp.split_front_matter(page.read_text(encoding="utf-8"))
        fast_html, fast_toc = fastmd.render_subset(body)  # raises Unsupported on a fallback
        ref_html, ref_toc = fastmd.render_markdown(body)
        assert normalized(fast_html) == normalized(ref_html), page.name
        assert fast_toc == ref_toc, page.name


def test_link_to_a_missing_page_fails_the_strict_build(two_sites, tmp_path):
    root, _ = two_sites
    [tag_page] = sorted((root / "docs" / "tags").glob("t-*.md"))[:1]
    original = tag_page.read_text(encoding="utf-8")
    try:
        tag_page.write_text(original + "\n[断链](../a/0000000000.md)\n", encoding="utf-8")
        proc = mkdocs(root, "site-broken")
    finally:
        tag_page.write_text(original, encoding="utf-8")
    assert proc.returncode != 0
    assert f"Doc file 'tags/{tag_page.name}' contains a link '../a/0000000000.md'" in proc.stderr


@pytest.mark.parametrize("text", ["正文 \\*星\\* \\| 竖线 \\# 井号 &lt;script&gt;", "zzstamptitlezz zzstampcontentzz"])
def test_page_text_is_filled_in_once_and_stays_text(text):
    shell = stamp.Shell(with_toc=f"<title>{stamp.T_TITLE}</title><main>{stamp.T_CONTENT}</main>{stamp.T_ITEMS}",
                        no_toc=f"<title>{stamp.T_TITLE}</title><main>{stamp.T_CONTENT}</main>",
                        item=f'<li><a href="#{stamp.T_ITEM_ID}">{stamp.T_ITEM_TITLE}</a></li>')
    html, _ = fastmd.render(text)
    out = shell.fill("题", html, [("x", "小节")], "h", "", "stem")
    assert out.count("<main>") == 1 and "<script>" not in out
    assert html in out and '<li><a href="#x">小节</a></li>' in out


def test_sitemap_lists_stamped_pages_only_with_a_site_url(tmp_path):
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?>\n<urlset>\n</urlset>', encoding="utf-8")
    stamp.add_to_sitemap(tmp_path, ["a/x/"], None)
    assert "<loc>" not in (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    stamp.add_to_sitemap(tmp_path, ["a/x/"], "https://example.org/archive")
    assert "<loc>https://example.org/archive/a/x/</loc>" in (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert (tmp_path / "sitemap.xml.gz").stat().st_size > 0


def test_previous_site_is_set_aside_and_removed(tmp_path):
    import time

    from scripts.mkdocs_hooks import set_aside

    site = tmp_path / "site"
    (site / "a" / "x").mkdir(parents=True)
    (site / "a" / "x" / "index.html").write_text("旧", encoding="utf-8")
    trash = set_aside(site)
    assert trash is not None and trash.parent == tmp_path
    assert site.is_dir() and not any(site.iterdir())
    for _ in range(100):  # removed by a detached process
        if not trash.exists():
            break
        time.sleep(0.05)
    assert not trash.exists()
    assert set_aside(site) is None  # nothing to move


def test_unchanged_pages_come_from_the_stamp_cache(two_sites):
    root, _ = two_sites
    proc = mkdocs(root, "site-again")  # the first build filled .cache/stamp
    assert proc.returncode == 0, proc.stderr[-2000:]
    for page in sorted((root / "site").glob("a/*/index.html")):
        again = root / "site-again" / page.relative_to(root / "site")
        assert again.read_bytes() == page.read_bytes()
        assert again.stat().st_nlink >= 2  # hard-linked from the cache, not rendered again
    cached = list((root / ".cache" / "stamp").iterdir())
    assert len(cached) == len(generated_pages(root / "docs"))


def test_link_targets_kept_across_pages_are_kept_per_folder():
    """resolve_links remembers where an href leads for the pages of a build (``targets``): the
    same href written in two folders leads to two files, each page gets its own relative URL,
    and a missing target warns on every page that links to it."""
    from scripts.stamp import resolve_links

    urls = {"tags/t-1.md": "tags/t-1/", "a/t-1.md": "a/t-1/", "a/b.md": "a/b/"}.get
    targets, warnings = {}, []
    link = '<a href="t-1.md#x">x</a> <a href="gone.md">y</a>'
    assert resolve_links(link, "tags/index-2.md", urls, "tags/index-2/", warnings.append, targets) == (
        '<a href="../t-1/#x">x</a> <a href="gone.md">y</a>')
    assert resolve_links(link, "a/b.md", urls, "a/b/", warnings.append, targets) == (
        '<a href="../t-1/#x">x</a> <a href="gone.md">y</a>')
    assert resolve_links(link, "a/c.md", urls, "a/c/", warnings.append, targets) == (
        '<a href="../t-1/#x">x</a> <a href="gone.md">y</a>')
    assert resolve_links('<a href="b.md">b</a>', "a/c.md", urls, "a/c/", warnings.append, targets) == (
        '<a href="../b/">b</a>')
    assert resolve_links('<a href="b.md">b</a>', "a/b.md", urls, "a/b/", warnings.append, targets) == (
        '<a href="./">b</a>')
    assert targets  # kept, for the next pages
    assert [w.split("'")[1] for w in warnings] == ["tags/index-2.md", "a/b.md", "a/c.md"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*"党建 a1*_`<>[]()&;#\\|!\n\x02\x03", "  \n", "\x020\x03", "&amp;", "<b>", "**"]),
               max_size=12).map("".join))
def test_inline_shortcut_for_plain_text_changes_nothing(text):
    """fastmd.inline returns a text with no inline syntax as it is: what its rules would give."""
    try:
        expected = fastmd._inline_rules(text)
    except (fastmd.Unsupported, IndexError) as error:
        expected = type(error)
    try:
        got = fastmd.inline(text)
    except (fastmd.Unsupported, IndexError) as error:
        got = type(error)
    assert got == expected


def test_a_rebuild_keeps_unchanged_stamped_pages_and_equals_a_fresh_build(tmp_path):
    """The previous build's stamped folders wait hidden while MkDocs builds and come back
    (``set_aside`` keep, ``take_back``): an unchanged page stays the same file, a changed page
    is stamped anew, a page no longer generated goes, a file MkDocs writes into such a folder
    (a retired id's redirect) is there. The site is the one a build into an empty folder makes."""
    root = tmp_path
    hostile_project(root)
    build(root / "seeds", root / "docs", root=root)
    assert mkdocs(root, "site").returncode == 0
    pages = sorted((root / "site" / "a").glob("*/index.html"))
    changed_md = root / "docs" / "a" / f"{pages[0].parent.name}.md"
    changed_md.write_text(changed_md.read_text(encoding="utf-8") + "\n补充的一段。\n", encoding="utf-8")
    inodes = {p: (p.stat().st_ino, p.stat().st_ctime_ns) for p in pages}  # a new link changes ctime
    stale = root / "site" / "a" / "gone0000" / "index.html"
    stale.parent.mkdir()
    stale.write_text("旧", encoding="utf-8")
    redirect = root / "docs" / "a" / "retired0" / "index.html"
    redirect.parent.mkdir()
    redirect.write_text('<meta http-equiv="refresh" content="0; url=../x/">', encoding="utf-8")
    again = mkdocs(root, "site")
    assert again.returncode == 0, again.stderr[-2000:]
    assert not stale.parent.exists()
    assert (root / "site" / "a" / "retired0" / "index.html").read_text(encoding="utf-8") == redirect.read_text(encoding="utf-8")
    assert "补充的一段" in pages[0].read_text(encoding="utf-8")
    assert pages[0].stat().st_ino != inodes[pages[0]][0]
    assert all((p.stat().st_ino, p.stat().st_ctime_ns) == inodes[p] for p in pages[1:])  # not placed again
    assert not [p for p in (root / "site").iterdir() if p.name.startswith(".")]
    assert mkdocs(root, "site-fresh").returncode == 0

    def tree(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}

    kept, fresh = tree(root / "site"), tree(root / "site-fresh")
    assert kept.keys() == fresh.keys()
    assert [k for k in kept if kept[k] != fresh[k]] == []


def test_stamped_folders_are_kept_only_when_the_stamp_cache_can_vouch_for_them(tmp_path, monkeypatch):
    """Without a stamp cache every page is stamped anew: the old folders go with the rest of
    the old site (deleted in the background), none is kept hidden in the site."""
    from scripts import mkdocs_hooks

    monkeypatch.setenv("ARCHIVE_PIPELINE", "off")
    monkeypatch.delenv("ARCHIVE_CACHE", raising=False)
    monkeypatch.delenv("ARCHIVE_STAMP", raising=False)
    config = {"site_dir": str(tmp_path / "site"), "config_file_path": str(tmp_path / "mkdocs.yml")}
    page = tmp_path / "site" / "a" / "x" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("旧", encoding="utf-8")
    mkdocs_hooks.on_pre_build(config)
    assert not (tmp_path / "site" / ".stamped-a").exists()
    (tmp_path / ".cache" / "stamp").mkdir(parents=True)
    (tmp_path / ".cache" / "stamp" / "k.html").write_text("页", encoding="utf-8")
    page.parent.mkdir(parents=True)
    page.write_text("旧", encoding="utf-8")
    mkdocs_hooks.on_pre_build(config)
    assert (tmp_path / "site" / ".stamped-a" / "x" / "index.html").is_file()


def test_pages_in_the_stamp_cache_are_placed_here_and_only_the_others_rendered(tmp_path, monkeypatch):
    """A rebuild finds nearly every page in the stamp cache: those are hard-linked in this
    process, and only the pages left to render count for the workers forked."""
    docs, site, cache = tmp_path / "docs", tmp_path / "site", tmp_path / "cache"

    class File:  # what stamp_site reads of a MkDocs file
        def __init__(self, name: str) -> None:
            self.src_uri, self.dest_uri, self.url = f"a/{name}.md", f"a/{name}/index.html", f"a/{name}/"
            self.abs_src_path, self.abs_dest_path = str(docs / self.src_uri), str(site / self.dest_uri)

        def is_documentation_page(self) -> bool:
            return True

    rendered, asked = [], []

    class Stamper:
        def __init__(self, *args) -> None:
            self.shells, self.warnings = {}, []

        def shell(self, folder: str) -> None:
            pass

        def page(self, src_uri: str, url: str, text: str) -> str:
            rendered.append(src_uri)
            return f"<p>{text}</p>"

    monkeypatch.setattr(stamp, "Stamper", Stamper)
    monkeypatch.setattr(stamp, "workers", lambda jobs: asked.append(jobs) or 1)
    files = [File("x"), File("y")]
    (docs / "a").mkdir(parents=True)
    for f in files:
        Path(f.abs_src_path).write_text("页", encoding="utf-8")
    assert stamp.stamp_site({"site_dir": str(site)}, files, None, None, None, cache) == 2
    assert rendered == ["a/x.md", "a/y.md"] and asked == [2]
    rendered.clear(), asked.clear()
    Path(files[1].abs_src_path).write_text("新的一页", encoding="utf-8")
    (site / "a" / "x" / "index.html").unlink()  # a page the cache holds, missing from the site
    assert stamp.stamp_site({"site_dir": str(site)}, files, None, None, None, cache) == 2
    assert rendered == ["a/y.md"] and asked == [1]
    assert (site / "a" / "x" / "index.html").read_text(encoding="utf-8") == "<p>页</p>"
    assert (site / "a" / "x" / "index.html").stat().st_nlink == 2  # the cache's file
    assert (site / "a" / "y" / "index.html").read_text(encoding="utf-8") == "<p>新的一页</p>"
    assert len(list(cache.iterdir())) == 2  # the old y page left the cache


def test_exports_are_linked_into_the_site_and_keep_the_bytes_it_was_built_with(tmp_path):
    """The exports under ``data/`` become hard links in the site, which MkDocs' copy leaves as
    they are; the pipeline's next write of an export replaces it, so the built site keeps the
    bytes it was built with. Other static files and pages are left to MkDocs."""
    from mkdocs.structure.files import File

    from scripts.write import write_if_changed

    docs, site = tmp_path / "docs", tmp_path / "site"
    names = ["data/articles.jsonl", "data/notes.md", "assets/archive.css", "database.csv"]
    files = [File(name, str(docs), str(site), use_directory_urls=True) for name in names]
    for f in files:
        Path(f.abs_src_path).parent.mkdir(parents=True, exist_ok=True)
        Path(f.abs_src_path).write_bytes("党建\n".encode("utf-8"))
    stale = site / "data" / "articles.jsonl"  # a dirty build's copy from before
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    assert stamp.link_exports(files) == ["data/articles.jsonl"]
    export = docs / "data" / "articles.jsonl"
    assert os.path.samefile(export, stale)
    for f in files:
        if not f.is_documentation_page():
            f.copy_file()  # MkDocs' copy: the linked file is left, the others copied
    assert os.path.samefile(export, stale) and stale.read_bytes() == "党建\n".encode("utf-8")
    for name in ("assets/archive.css", "database.csv"):
        assert not os.path.samefile(docs / name, site / name)
    assert not (site / "data" / "notes").exists()  # a page: neither linked nor copied here
    assert write_if_changed(export, "党建引领\n")
    assert stale.read_bytes() == "党建\n".encode("utf-8")
    assert export.read_text(encoding="utf-8") == "党建引领\n"
