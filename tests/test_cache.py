"""The content-hash cache (``scripts/cache.py``) as the pipeline uses it: a rebuild from the
cache gives the same report, a broken entry is rebuilt, one changed page is the only page
processed again, stale entries are pruned, and the cache lives under the build's root.

The code fingerprint is pinned here (``pinned`` fixture): other people editing ``scripts/``
while the tests run would otherwise, rightly, switch the cache off.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import cache as cache_mod
from scripts import pipeline
from scripts.cache import CACHE_DIR, MISSING, Cache, code_fingerprint, write_atomically
from scripts.pipeline import PROJECT, collect, enrich_report

CHANGED = "003_9a181a58ee905e99.txt"


@pytest.fixture
def pinned(monkeypatch):
    """Cache on, whatever the environment says, with a fixed code fingerprint."""
    monkeypatch.delenv("ARCHIVE_CACHE", raising=False)
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda *args, **kwargs: "pinned")


@pytest.fixture
def project(tmp_path: Path, pinned) -> Path:
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    return tmp_path


@pytest.fixture
def processed(monkeypatch) -> list[str]:
    """The names of the pages decoded and segmented (not taken from the cache), in order."""
    seen: list[str] = []
    real = pipeline.process_task

    def counting(task):
        seen.append(task[1])
        return real(task)

    monkeypatch.setattr(pipeline, "process_task", counting)
    monkeypatch.setenv("ARCHIVE_WORKERS", "1")  # the hook must run in this process to count
    return seen


def build_report(project: Path):
    report = collect(project / "seeds", root=project)
    return enrich_report(report, project / "seeds" / "tags.yml", project)


def cache_counts(caplog, stage: str) -> tuple[int, int, int]:
    """(reused, computed, removed) from the last ``cache <stage>:`` log line."""
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"cache {stage}:")]
    reused, computed, removed = map(int, re.findall(r"\d+", lines[-1]))
    return reused, computed, removed


def entries(project: Path, namespace: str) -> list[Path]:
    return sorted((project / CACHE_DIR / namespace).glob("*.pickle"))


def test_cache_hit_gives_the_same_report(project, caplog):
    with caplog.at_level(logging.INFO, logger="archive"):
        first = build_report(project)
        assert cache_counts(caplog, "pages") == (0, 5, 0)
        second = build_report(project)
        assert cache_counts(caplog, "pages") == (5, 0, 0)
        n = sum(len(p.articles) for p in first.pages)
        assert cache_counts(caplog, "articles") == (n, 0, 0)
    assert second == first
    assert len(entries(project, "pages")) == 5 and len(entries(project, "articles")) == n


def test_cached_report_is_the_seed_report(project, seed_report):
    collect(project / "seeds", root=project)
    assert collect(project / "seeds", root=project) == seed_report


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95\xff\xff", "truncate"])
def test_a_broken_entry_is_rebuilt(project, caplog, damage):
    first = build_report(project)
    for namespace in ("pages", "articles"):
        path = entries(project, namespace)[1]
        path.write_bytes(path.read_bytes()[:40] if damage == "truncate" else damage)
    with caplog.at_level(logging.INFO, logger="archive"):
        assert build_report(project) == first
    assert cache_counts(caplog, "pages") == (4, 1, 0)
    assert cache_counts(caplog, "articles")[1] == 1
    with caplog.at_level(logging.INFO, logger="archive"):
        build_report(project)  # the rewritten entries are good again
    assert cache_counts(caplog, "pages") == (5, 0, 0)


def test_an_entry_of_the_wrong_shape_is_rebuilt(project, caplog):
    first = collect(project / "seeds", root=project)
    import pickle

    entries(project, "pages")[0].write_bytes(pickle.dumps({"not": "an outcome"}))
    with caplog.at_level(logging.INFO, logger="archive"):
        assert collect(project / "seeds", root=project) == first
    assert cache_counts(caplog, "pages") == (4, 1, 0)


def test_one_changed_page_is_the_only_one_processed(project, processed, caplog):
    build_report(project)
    assert len(processed) == 5
    processed.clear()
    page = project / "seeds" / CHANGED
    page.write_text(page.read_text(encoding="utf-8") + "\n本报讯 园区党工委召开专题会议。\n", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="archive"):
        changed = build_report(project)
    assert processed == [f"seeds/{CHANGED}"]
    reused, computed, removed = cache_counts(caplog, "pages")
    assert (reused, computed, removed) == (4, 1, 1)  # the old entry of that page is pruned
    on_page = sum(len(p.articles) for p in changed.pages if p.file == f"seeds/{CHANGED}")
    assert 1 <= cache_counts(caplog, "articles")[1] <= on_page
    assert len(entries(project, "pages")) == 5


def test_manifest_metadata_is_part_of_the_key(project, processed):
    collect(project / "seeds", root=project)
    processed.clear()
    manifest = project / "seeds" / "manifest.yml"
    text = manifest.read_text(encoding="utf-8")
    entry = f"  {CHANGED}:\n    notes: "
    assert entry in text
    manifest.write_text(text.replace(entry, f"  {CHANGED}:\n    date: 2021-06-28\n    notes: "), encoding="utf-8")
    report = collect(project / "seeds", root=project)
    assert processed == [f"seeds/{CHANGED}"]
    page = next(p for p in report.pages if p.file == f"seeds/{CHANGED}")
    assert {a.meta.date for a in page.articles} == {"2021-06-28"}


def test_the_cache_lives_under_the_builds_root(project):
    collect(project / "seeds", root=project)
    assert len(entries(project, "pages")) == 5


def test_archive_cache_off_writes_nothing(project, monkeypatch):
    monkeypatch.setenv("ARCHIVE_CACHE", "off")
    collect(project / "seeds", root=project)
    assert not (project / ".cache").exists()


def test_a_renamed_page_is_processed_again(project, processed):
    """Results name their file, so the name is part of the key."""
    collect(project / "seeds", root=project)
    processed.clear()
    (project / "seeds" / CHANGED).rename(project / "seeds" / f"009_{CHANGED}")
    report = collect(project / "seeds", root=project)
    assert processed == [f"seeds/009_{CHANGED}"]
    assert f"seeds/009_{CHANGED}" in {p.file for p in report.pages}


# --- the cache module ------------------------------------------------------------------------

def test_get_put_and_prune(tmp_path):
    cache = Cache(tmp_path / "ns", "v1")
    a, b = cache.key("a"), cache.key("b")
    cache.put(a, 1)
    cache.put(b, 2)
    assert Cache(tmp_path / "ns", "v1").get(a) == 1
    fresh = Cache(tmp_path / "ns", "v1")
    assert fresh.get(b) == 2
    (tmp_path / "ns" / ".leftover.tmp").write_bytes(b"x")
    assert fresh.prune() == 2  # a's entry and the stray temporary file
    assert [p.name for p in (tmp_path / "ns").iterdir()] == [f"{b}.pickle"]


def test_keys_depend_on_the_fingerprint(tmp_path):
    assert Cache(tmp_path, "v1").key("x") != Cache(tmp_path, "v2").key("x")


def test_a_cache_that_cannot_be_written_is_only_slower(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    cache = Cache(blocker / "ns", "v1")  # a folder under a file: never creatable
    cache.put(cache.key("a"), 1)
    assert cache.get(cache.key("a")) is MISSING


def test_write_atomically_leaves_no_temporary_file(tmp_path):
    write_atomically(tmp_path / "x.pickle", b"data")
    write_atomically(tmp_path / "x.pickle", b"more")
    assert [p.name for p in tmp_path.iterdir()] == ["x.pickle"]
    assert (tmp_path / "x.pickle").read_bytes() == b"more"


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path):
    (tmp_path / "x.pickle").mkdir()  # renaming a file over a folder fails
    with pytest.raises(OSError):
        write_atomically(tmp_path / "x.pickle", b"data")
    assert [p.name for p in tmp_path.iterdir()] == ["x.pickle"]


def test_a_cache_whose_folder_was_removed_makes_it_again(tmp_path):
    """The folder is made when a write finds it missing (not before every entry): also when
    it was removed after the first entry."""
    cache = Cache(tmp_path / "ns", "v1")
    cache.put(cache.key("a"), 1)
    shutil.rmtree(tmp_path / "ns")
    cache.put(cache.key("b"), 2)
    assert Cache(tmp_path / "ns", "v1").get(cache.key("b")) == 2


def scripts_copy(tmp_path: Path) -> Path:
    scripts = tmp_path / "scripts"
    (scripts / "data").mkdir(parents=True)
    (scripts / "segment.py").write_text("X = 1\n", encoding="utf-8")
    (scripts / "data" / "zones.yml").write_text("zones: []\n", encoding="utf-8")
    return scripts


def test_fingerprint_follows_code_and_data(tmp_path):
    scripts = scripts_copy(tmp_path)
    later = time.time() + 3600
    first = code_fingerprint(scripts, since=later)
    assert first and code_fingerprint(scripts, since=later) == first
    (scripts / "data" / "zones.yml").write_text("zones: [x]\n", encoding="utf-8")
    second = code_fingerprint(scripts, since=later)
    assert second != first
    (scripts / "segment.py").write_text("X = 2\n", encoding="utf-8")
    assert code_fingerprint(scripts, since=later) not in (first, second)


def test_no_fingerprint_for_code_changed_after_the_start(tmp_path):
    """The loaded modules may be older than the files: the cache must not vouch for them."""
    scripts = scripts_copy(tmp_path)
    past = time.time() - 3600
    os.utime(scripts / "segment.py", (past - 10, past - 10))
    os.utime(scripts / "data" / "zones.yml", (past - 10, past - 10))
    assert code_fingerprint(scripts, since=past) is not None
    (scripts / "segment.py").write_text("X = 3\n", encoding="utf-8")  # mtime: now
    assert code_fingerprint(scripts, since=past) is None


def test_the_real_fingerprint_is_stable():
    assert code_fingerprint(since=time.time() + 3600) == code_fingerprint(since=time.time() + 3600)


def docs_files(docs: Path) -> dict[str, bytes]:
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}


def test_a_rebuild_after_one_page_changed_gives_the_files_of_a_build_from_nothing(project, tmp_path, monkeypatch):
    """Every shortcut of a rebuild (cached pages, fingerprints and enrichment keyed by their
    page's key and place, pages keyed by their enrich keys, remembered pair scores) gives the
    same files as a build without any cache, from the same inputs (registry included)."""
    seeds, docs = project / "seeds", project / "docs"
    pipeline.build(seeds, docs, root=project)
    page = seeds / CHANGED
    text = page.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if len(ln.strip()) > 20)
    page.write_text(text.replace(line, line[:10] + "科技创新" + line[10:], 1) + "\n\n本报讯 编辑补充的一句话。\n",
                    encoding="utf-8")
    pipeline.build(seeds, docs, root=project)
    cold = tmp_path / "cold"
    shutil.copytree(seeds, cold / "seeds")  # with the registry the rebuild wrote
    monkeypatch.setenv("ARCHIVE_CACHE", "off")
    pipeline.build(cold / "seeds", cold / "docs", root=cold)
    assert not (cold / CACHE_DIR).exists()
    warm_files, cold_files = docs_files(docs), docs_files(cold / "docs")
    assert warm_files.keys() == cold_files.keys()
    assert [k for k in warm_files if warm_files[k] != cold_files[k]] == []
    assert "科技创新" in warm_files["data/articles.jsonl"].decode("utf-8")


# --- mkdocs serve: no pipeline run for a rebuild with the seeds as the last build left them ---

@pytest.fixture
def builds(tmp_path, monkeypatch):
    """``pipeline.build`` replaced by one that records its calls, rewrites the registry (as a
    build giving a new id does) and runs ``during`` (something done to the seeds meanwhile)."""
    seeds, docs = tmp_path / "seeds", tmp_path / "docs"
    seeds.mkdir()
    (seeds / "001.txt").write_text("本报讯 第一版。", encoding="utf-8")
    (seeds / pipeline.REGISTRY).write_text("# registry\n", encoding="utf-8")
    calls: list[Path] = []
    during: list = []

    def fake_build(seeds_dir, docs_dir, manifest_path=None, root=None):
        calls.append(docs_dir)
        registry = seeds_dir / pipeline.REGISTRY
        registry.write_text(registry.read_text(encoding="utf-8") + "new-id:\n", encoding="utf-8")
        for act in during:
            act()
        return pipeline.BuildReport((), (pipeline.Diagnostic("seeds/001.txt", "fyi", 1, "info"),))

    monkeypatch.setattr(pipeline, "build", fake_build)
    monkeypatch.setattr(pipeline, "_built_from", {})
    return seeds, docs, calls, during


def test_a_rebuild_with_the_seeds_unchanged_reuses_the_last_build(builds):
    seeds, docs, calls, _ = builds
    first = pipeline.build_unless_built(seeds, docs)
    again = pipeline.build_unless_built(seeds, docs)  # the registry the first build wrote changed nothing
    assert len(calls) == 1 and not first.reused and again.reused
    assert again.diagnostics == first.diagnostics and again.articles == first.articles == 0


def test_a_changed_added_or_removed_seed_file_builds_again(builds):
    seeds, docs, calls, _ = builds
    pipeline.build_unless_built(seeds, docs)
    (seeds / "001.txt").write_text("本报讯 第一版，改过。", encoding="utf-8")
    pipeline.build_unless_built(seeds, docs)
    (seeds / "002.txt").write_text("本报讯 第二版。", encoding="utf-8")
    pipeline.build_unless_built(seeds, docs)
    (seeds / "002.txt").unlink()
    pipeline.build_unless_built(seeds, docs)
    assert len(calls) == 4
    pipeline.build_unless_built(seeds, docs)
    assert len(calls) == 4


def test_a_seed_file_changed_while_building_builds_again(builds):
    seeds, docs, calls, during = builds
    during.append(lambda: (seeds / "001.txt").write_text("本报讯 编辑在构建时改了这一页。", encoding="utf-8"))
    pipeline.build_unless_built(seeds, docs)
    during.clear()
    assert not pipeline.build_unless_built(seeds, docs).reused
    assert pipeline.build_unless_built(seeds, docs).reused and len(calls) == 2


def test_another_docs_folder_is_built(builds, tmp_path):
    seeds, docs, calls, _ = builds
    pipeline.build_unless_built(seeds, docs)
    pipeline.build_unless_built(seeds, tmp_path / "other-docs")
    assert calls == [docs, tmp_path / "other-docs"]


def test_the_words_and_samples_of_cached_articles_stay_pickled_until_read(project):
    """The enrich entries read back hold each article's tag words and near-duplicate sample
    pickled (``cache.Packed``): the tags and the near-duplicate search, in processes of their
    own for a large archive, unpickle them there."""
    from scripts.enrich import archive_reads

    report = collect(project / "seeds", root=project)
    articles = [a for p in report.pages for a in p.articles]
    pipeline.enrich_articles(articles, project)
    _, reads, _ = pipeline.enrich_articles(articles, project)  # from the cache
    assert reads and not any(words.unpickled or sample.unpickled for words, _, sample in reads)
    assert [(w.value, v, s.value) for w, v, s in reads] == [
        (w.value, v, s.value) for w, v, s in map(archive_reads, [a for a in articles])]


# --- file digests ---------------------------------------------------------------------------

def test_a_file_digest_is_remembered_while_the_file_stays_as_it_was(tmp_path, monkeypatch):
    """Remembered by inode, size and times: not read again; any write reads it again (its
    change time moves even when its size and modification time are put back)."""
    import hashlib

    monkeypatch.setattr(cache_mod, "RACY_NS", -1)
    cache = Cache(tmp_path / "files", "code")
    page = tmp_path / "page.txt"
    page.write_bytes("本报讯 青岛高新区".encode())
    first = cache_mod.FileDigests(cache)
    assert first.get(str(page)) == (hashlib.sha256(page.read_bytes()).hexdigest(), page.read_bytes())
    first.keep()
    assert cache_mod.FileDigests(cache).get(str(page)) == (first.seen[str(page)][1], None)  # not read
    before = page.stat()
    time.sleep(0.01)
    page.write_bytes("本报讯 烟台高新区".encode())  # the same size
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = cache_mod.FileDigests(cache).get(str(page))
    assert again == (hashlib.sha256(page.read_bytes()).hexdigest(), page.read_bytes())
    assert cache_mod.FileDigests(cache).get(str(tmp_path / "gone.txt")) is None


def test_a_file_changed_just_before_it_was_read_is_not_remembered(tmp_path):
    """Git's racily clean rule: a change within the same tick of the file system's clock
    could leave the file's state as it was."""
    cache = Cache(tmp_path / "files", "code")
    page = tmp_path / "page.txt"
    page.write_bytes("本报讯".encode())
    digests = cache_mod.FileDigests(cache)
    assert digests.get(str(page))[1] is not None and digests.seen == {}


def test_pages_the_digests_vouch_for_are_not_read_unless_their_results_are_gone(project, monkeypatch, seed_report):
    monkeypatch.setattr(cache_mod, "RACY_NS", -1)
    assert collect(project / "seeds", root=project) == seed_report
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: read.append(p.name) or real(p))
    assert collect(project / "seeds", root=project) == seed_report
    assert not [n for n in read if n.endswith(".txt")]
    for entry in entries(project, "pages"):
        entry.unlink()
    assert collect(project / "seeds", root=project) == seed_report  # read, keyed by what was read
    assert len([n for n in read if n.endswith(".txt")]) == len(seed_report.pages)


def test_a_digest_that_no_longer_matches_the_bytes_never_keys_their_result(project, monkeypatch, seed_report):
    """A file whose remembered digest is wrong (changed between the state taken and the read)
    is keyed by the bytes read: its result is never stored under the digest of other bytes."""
    monkeypatch.setattr(cache_mod, "RACY_NS", -1)
    collect(project / "seeds", root=project)
    for entry in entries(project, "pages"):
        entry.unlink()
    real_get, real_key, wrong = cache_mod.FileDigests.get, Cache.key, []
    monkeypatch.setattr(cache_mod.FileDigests, "get", lambda self, path: (("0" * 64, None) if path.endswith(".txt")
                                                                            else real_get(self, path)))
    monkeypatch.setattr(Cache, "key", lambda self, *parts: (k := real_key(self, *parts),
                                                            parts[:1] == ("0" * 64,) and wrong.append(k))[0])
    assert collect(project / "seeds", root=project) == seed_report
    stored = {e.name.removesuffix(".pickle") for e in entries(project, "pages")}
    assert len(wrong) == len(seed_report.pages) and len(stored) == len(seed_report.pages)
    assert not stored & set(wrong)


def test_digests_vouched_for_stay_remembered_build_after_build(project, monkeypatch, seed_report):
    """A digest used without reading the file is kept for the next build too."""
    monkeypatch.setattr(cache_mod, "RACY_NS", -1)
    collect(project / "seeds", root=project)
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: read.append(p.name) or real(p))
    for _ in range(2):
        assert collect(project / "seeds", root=project) == seed_report
    assert not [n for n in read if n.endswith(".txt")]


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner), max_leaves=20))
def test_value_bytes_tell_values_apart_whatever_objects_they_share(value):
    """Equal values give the same bytes, also when one holds the same object twice and the
    other two equal copies (as a fresh article and one read back from the cache may); bytes
    read back are the value."""
    import copy
    import pickle

    from scripts.cache import value_bytes

    shared = [value, value]
    copies = [value, copy.deepcopy(value)]
    assert value_bytes(shared) == value_bytes(copies)
    assert pickle.loads(value_bytes(value)) == value
