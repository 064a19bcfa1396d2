"""The pipeline's worker pool: pages (and the per-article part of enrich) run in forked worker
processes give exactly the report a serial run gives, in the same order, diagnostics included.

The seeds are fewer pages than the pool is worth forking for, so these tests lower
``MIN_PARALLEL``; the cache is off, so every page really runs in a worker.
"""
from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from scripts import pipeline
from scripts.pipeline import PROJECT, collect, enrich_report

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool forks (Linux only)")

BAD_PAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16  # not a text file


@pytest.fixture(autouse=True)
def lone_thread():
    """The pool is skipped while other threads run (see ``worker_count``), so these tests wait
    for threads earlier tests left finishing (a browser driver's ``waitpid`` watcher, a server's
    request handler) and name any that stay, rather than silently testing the serial path."""
    deadline = time.monotonic() + 30
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    left = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    assert not left, f"threads still running, the pool would not be used: {left}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the seeds (and one page that cannot be decoded) in a project of its own."""
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    (tmp_path / "seeds" / "002a_binary.txt").write_bytes(BAD_PAGE)
    return tmp_path


def build_report(project: Path):
    """collect, then enrich and link, over the project's seeds."""
    report = collect(project / "seeds", root=project)
    return report, enrich_report(report, project / "seeds" / "tags.yml", project)


def run(project: Path, monkeypatch, workers: str):
    """The report with ``workers`` worker processes, every page a task of the pool."""
    monkeypatch.setenv("ARCHIVE_CACHE", "off")
    monkeypatch.setenv("ARCHIVE_WORKERS", workers)
    monkeypatch.setattr(pipeline, "MIN_PARALLEL", 1)
    return build_report(project)


def test_the_pool_is_used(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    monkeypatch.setattr(pipeline, "MIN_PARALLEL", 1)
    assert pipeline.pool_size(6) == 2
    monkeypatch.setenv("ARCHIVE_WORKERS", "1")
    assert pipeline.pool_size(6) == 1


def test_a_handful_of_tasks_runs_here(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    assert pipeline.pool_size(pipeline.MIN_PARALLEL - 1) == 1


def test_parallel_and_serial_reports_are_identical(project, monkeypatch):
    serial, serial_enriched = run(project, monkeypatch, "1")
    parallel, parallel_enriched = run(project, monkeypatch, "2")
    assert parallel == serial
    assert parallel_enriched == serial_enriched
    assert [p.file for p in parallel.pages] == sorted(p.file for p in parallel.pages)
    assert any(d.level == "error" and d.file == "seeds/002a_binary.txt" for d in parallel.diagnostics)


def test_parallel_report_is_the_seed_report(project, monkeypatch, seed_report):
    """Under the pool, the real seed pages give what the golden tests check."""
    (project / "seeds" / "002a_binary.txt").unlink()
    parallel, _ = run(project, monkeypatch, "2")
    assert parallel == seed_report


def pid(_: object) -> int:
    return os.getpid()


def test_parallel_map_runs_in_workers(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    pids = set(pipeline.parallel_map(pid, range(pipeline.MIN_PARALLEL * 4)))
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_parallel_map_keeps_order(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    items = list(range(40, 0, -1))
    assert pipeline.parallel_map(str, items) == [str(i) for i in items]


def test_no_pool_while_other_threads_run(monkeypatch):
    """Forking beside running threads can deadlock the child (mkdocs serve's rebuilds)."""
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert pipeline.worker_count() == 1
    finally:
        release.set()
        thread.join()
    assert pipeline.worker_count() == 2


def test_pooled_cached_enrich_is_plain_enrich(tmp_path, monkeypatch, seed_report):
    """enrich_one's changes and the words the archive-wide steps read, computed in the pool or
    read back from the cache, are exactly what enrich_one and archive_reads give; and the
    stage built on them (tags and related articles from those words) is the plain one."""
    from scripts.enrich import archive_reads, enrich_all, enrich_each
    from scripts.link import link_all

    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    monkeypatch.setattr(pipeline, "MIN_PARALLEL", 1)
    articles = [a for p in seed_report.pages for a in p.articles]
    plain = (enrich_each(articles), [archive_reads(a) for a in articles])
    assert pipeline.enrich_articles(articles, tmp_path)[:2] == plain  # computed
    assert pipeline.enrich_articles(articles, tmp_path)[:2] == plain  # from the cache (if the code is unchanged)
    rules = PROJECT / "seeds" / "tags.yml"
    staged = [a for p in pipeline.enrich_report(seed_report, rules, tmp_path).pages for a in p.articles]
    assert staged == link_all(enrich_all(articles, rules))
    again = [a for p in pipeline.enrich_report(seed_report, rules, tmp_path).pages for a in p.articles]
    assert again == staged  # with the related-pair scores remembered from the first


def test_the_collector_settles_stage_outputs_and_is_whole_again_after():
    """``collector_settling``: the collector is off during the build, and objects alive when
    ``settle`` is called are left out of its passes (``gc.freeze``) until the build ends; then
    it is as it was, also when the build fails."""
    import gc

    assert gc.isenabled()
    with pipeline.collector_settling() as settle:
        assert not gc.isenabled()  # no pass at all during the build
        kept = [[i] for i in range(1000)]
        settle()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    with pytest.raises(RuntimeError), pipeline.collector_settling() as settle:
        settle()
        raise RuntimeError("a stage failed")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.disable()
    try:  # left off when it was off
        with pipeline.collector_settling():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def whose(tag: str) -> tuple[str, int]:
    return tag, os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def test_forked_runs_in_a_child_and_hands_back_its_result(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    with pipeline.forked(whose, "x") as result:
        here = os.getpid()
        tag, pid = result()
    assert tag == "x" and pid != here


def test_forked_runs_its_child_as_nice_as_asked(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    here = os.nice(0)
    with pipeline.forked(os.nice, 0, nice=3) as niced, pipeline.forked(os.nice, 0) as plain:
        assert (niced(), plain()) == (min(here + 3, 19), here)


def test_forked_raises_what_the_child_raised(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    with pytest.raises(ValueError, match="a page was wrong"), pipeline.forked(fail, "a page was wrong") as result:
        result()


def test_forked_runs_here_without_workers(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "1")
    with pipeline.forked(whose, "y") as result:
        assert result() == ("y", os.getpid())


def test_forked_runs_here_when_told_the_work_is_small(monkeypatch):
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    with pipeline.forked(whose, "z", when=False) as result:
        assert result() == ("z", os.getpid())


def test_forked_stops_a_child_nobody_waits_for(monkeypatch, tmp_path):
    """Leaving the block early (say, the other half of the work failed) stops the child: no
    process is left behind, and the block does not wait for the child's work."""
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    started = time.monotonic()
    with pytest.raises(RuntimeError), pipeline.forked(time.sleep, 60) as result:
        child = result.pid
        raise RuntimeError("the other half failed")
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # stopped and reaped: no such child any more


def test_tags_duplicates_and_related_forked_before_enriching_give_the_plain_report(tmp_path, monkeypatch, seed_report):
    """``enrich_report``: from ``TAGS_BESIDE_MIN`` (tags) and ``PARALLEL_MIN`` (near-duplicates,
    related articles) articles each is computed in a process forked before this one unpickles
    the enrichment; the report is the one computed all here, and they did run elsewhere."""
    from scripts import enrich, link

    monkeypatch.setenv("ARCHIVE_CACHE", "off")
    monkeypatch.setenv("ARCHIVE_WORKERS", "1")
    plain = enrich_report(seed_report, PROJECT / "seeds" / "tags.yml", tmp_path)
    ran = tmp_path / "ran"
    ran.mkdir()

    def recording(real):
        def run(*args, **kwargs):
            (ran / f"{real.__name__}-{os.getpid()}-{os.nice(0)}").touch()
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(enrich, "tag_articles", recording(enrich.tag_articles))
    monkeypatch.setattr(link, "duplicate_pairs", recording(link.duplicate_pairs))
    monkeypatch.setattr(link, "related_pairs", recording(link.related_pairs))
    monkeypatch.setattr(enrich, "TAGS_BESIDE_MIN", 1)
    monkeypatch.setattr(link, "PARALLEL_MIN", 1)
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    assert enrich_report(seed_report, PROJECT / "seeds" / "tags.yml", tmp_path) == plain
    assert sorted(p.name.split("-")[0] for p in ran.iterdir()) == ["duplicate_pairs", "related_pairs", "tag_articles"]
    assert all(p.name.split("-")[1] != str(os.getpid()) for p in ran.iterdir())  # in other processes
    here = os.nice(0)  # the longest, the related articles, keeps the priority; the others yield to it
    assert {p.name.split("-")[0]: int(p.name.split("-")[2]) - here for p in ran.iterdir()} == {
        "duplicate_pairs": pipeline.BESIDE_NICE, "tag_articles": pipeline.BESIDE_NICE, "related_pairs": 0}
