"""``mkdocs serve``'s build process (``scripts/builder.py``): builds run there give what they
give here, what it remembers between builds is kept, its errors are raised in the server, and
the server builds by itself when the process is gone or cannot be forked safely."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import pytest

from scripts import builder as builder_mod
from scripts import pipeline
from scripts.builder import Builder, build_in_builder
from scripts.pipeline import PROJECT, collect
from tests.test_pipeline_parallel import lone_thread  # noqa: F401  (fixture: no other thread runs)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks (Linux only)")


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    monkeypatch.setattr(pipeline, "_built_from", {})
    monkeypatch.setattr(builder_mod, "_serving", [])
    return tmp_path


@pytest.fixture
def started():
    made: list[Builder] = []

    def start() -> Builder:
        builder = Builder.start()
        assert builder is not None
        made.append(builder)
        return builder

    yield start
    for builder in made:
        builder.close()


def test_a_build_in_the_process_is_the_build_here_and_is_remembered_there(project, started):
    builder = started()
    seeds, docs = project / "seeds", project / "docs"
    there = builder.build(seeds, docs, project)
    articles = sum(len(p.articles) for p in collect(seeds, root=project).pages)
    assert (there.articles, there.reused) == (articles, False) and there.articles > 0
    assert sorted(p.stem for p in (docs / "a").glob("*.md"))  # written by the process
    assert pipeline._built_from == {}  # nothing was built in this process
    assert builder.build(seeds, docs, project).reused  # the process remembers its last build
    here = pipeline.build_unless_built(seeds, docs, project)
    assert (here.diagnostics, here.articles, here.pages) == (there.diagnostics, there.articles, there.pages)


def test_what_the_build_raises_is_raised_here(project, started):
    builder = started()
    not_a_folder = project / "docs"
    not_a_folder.write_text("a file where docs/ should be", encoding="utf-8")
    with pytest.raises(OSError):
        builder.build(project / "seeds", not_a_folder / "sub", project)
    assert builder.alive  # and it serves the next build
    assert builder.build(project / "seeds", project / "docs2", project).articles > 0


def test_a_failed_build_is_not_taken_for_a_lost_process(project, monkeypatch, started):
    monkeypatch.setattr(builder_mod, "_builder", [started()])
    (project / "docs").write_text("a file where docs/ should be", encoding="utf-8")
    with pytest.raises(OSError):
        build_in_builder(project / "seeds", project / "docs" / "sub", project)
    assert builder_mod._builder[0].alive and pipeline._built_from == {}  # not built again here


def test_mkdocs_build_just_builds(project, monkeypatch):
    """No server: one build a process, so nothing is remembered for the next (no walk of the
    seeds' state before and after it)."""
    monkeypatch.setattr(builder_mod, "_builder", [])
    monkeypatch.setattr(pipeline, "seeds_state", lambda folder: pytest.fail("the seeds' state was taken"))
    summary = build_in_builder(project / "seeds", project / "docs", project)
    assert summary.articles > 0 and not summary.reused and pipeline._built_from == {}


def test_close_ends_the_process(started):
    builder = started()
    builder.close()
    assert not builder.alive
    with pytest.raises(ChildProcessError):
        os.waitpid(builder.pid, os.WNOHANG)  # reaped


def test_without_the_process_the_server_builds_itself(project, monkeypatch, caplog):
    monkeypatch.setattr(builder_mod, "_builder", [])
    builder_mod.start_builder()
    [builder] = builder_mod._builder
    os.kill(builder.pid, signal.SIGKILL)
    os.waitpid(builder.pid, 0)
    with caplog.at_level(logging.WARNING, logger="archive"):
        summary = build_in_builder(project / "seeds", project / "docs", project)
    assert summary.articles > 0 and pipeline._built_from  # built here
    assert "the build process is gone" in caplog.text
    assert builder_mod._builder == []


def test_no_process_is_forked_beside_other_threads():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert Builder.start() is None
    finally:
        release.set()
        thread.join()


def test_the_hooks_start_it_for_serve_only(monkeypatch):
    import scripts.mkdocs_hooks as hooks

    monkeypatch.setattr(builder_mod, "_builder", [])
    hooks.on_startup(command="build", dirty=False)
    assert builder_mod._builder == []
    hooks.on_startup(command="serve", dirty=False)
    [builder] = builder_mod._builder
    assert builder.alive
    hooks.on_shutdown()
    assert builder_mod._builder == [] and not builder.alive


def test_the_servers_listeners_are_not_called_in_the_process(project, monkeypatch, started):
    """The search hook's listener starts the index build of the server's site: in the build
    process it would start one nobody waits for (the server starts its own)."""
    from scripts import events

    marker = project / "told"
    monkeypatch.setitem(events.articles_written, "test", lambda path: marker.write_text(str(path)))
    builder = started()
    assert builder.build(project / "seeds", project / "docs", project).articles > 0
    assert (project / "docs" / "data" / "articles.jsonl").is_file() and not marker.exists()
