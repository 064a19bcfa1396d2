"""The real site: seed pages -> pipeline -> ``mkdocs build --strict`` in a temporary copy.

The copy holds mkdocs.yml, docs/, overrides/ and also scripts/ and seeds/, because mkdocs.yml's
hook (scripts/mkdocs_hooks.py) runs the pipeline on the seeds/ folder next to it; one seed copy
gets a hostile line injected, which must come out as text.
"""
from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from scripts.pipeline import PROJECT, build

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


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("project")
    shutil.copy(PROJECT / "mkdocs.yml", tmp / "mkdocs.yml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("docs", "overrides", "scripts", "seeds"):
        if (PROJECT / folder).is_dir():
            shutil.copytree(PROJECT / folder, tmp / folder, ignore=ignore)
    [seed] = (tmp / "seeds").glob(INJECT_INTO + "*.txt")
    inject(seed)

    report = build(tmp / "seeds", tmp / "docs", root=tmp)
    generated = [p for p in (tmp / "docs").rglob("*") if p.is_file() and p.name != "index.md"]
    for p in generated:
        os.utime(p, ns=(1_000_000_000, 1_000_000_000))

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp / "mkdocs.yml"),
                           "-d", str(tmp / "site")], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=600)
    return SimpleNamespace(root=tmp, report=report, proc=proc, generated=generated)


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
    from scripts.model import BuildReport, Diagnostic

    diags = (Diagnostic("seeds/x.txt", "bad", 3, "error"), Diagnostic("seeds/x.txt", "odd", None, "warning"),
             Diagnostic("seeds/x.txt", "fyi", 4, "info"))
    monkeypatch.setattr(hooks, "build", lambda *args, **kwargs: BuildReport((), diags))
    with caplog.at_level("INFO", logger="mkdocs.plugins.archive"):
        hooks.on_pre_build({"docs_dir": str(tmp_path)})
    got = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "mkdocs.plugins.archive"]
    assert got[:3] == [("WARNING", "seeds/x.txt:3: error: bad"), ("WARNING", "seeds/x.txt: warning: odd"),
                       ("INFO", "seeds/x.txt:4: info: fyi")]
