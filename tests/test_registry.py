"""The permalink registry (scripts/registry.py, seeds/permalinks.yml): ids survive re-cleaning and
re-extraction, never depend on build order, and a vanished id fails the build by name.

Builds run on temporary copies of the seeds with the committed registry copied in, so the
project's own ``seeds/permalinks.yml`` is only ever read here.
"""
from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.clean import HAN
from scripts.model import Article, Paragraph
from scripts.pipeline import PROJECT, build, collect
import yaml

from scripts import registry as registry_module
from scripts.registry import (REDIRECT_MARK, SKETCH_SIZE, THRESHOLD, Registry, assign_ids, candidate_pairs,
                              dump_registry, fingerprint, load_registry, redirect_pages, similarity)

SEEDS = PROJECT / "seeds"
REGISTRY = SEEDS / "permalinks.yml"
PHOTO = "参观者驻足苏州高新区企业莱克电气展位"  # a captioned photo of page 004, one line of its own
PHOTO_LINE = "图为参观者驻足苏州高新区企业莱克电气展位。"


@pytest.fixture(scope="module")
def seeds(seed_report) -> list[Article]:
    return [a for p in seed_report.pages for a in p.articles]


@pytest.fixture(scope="module")
def committed() -> Registry:
    registry, diagnostics = load_registry(REGISTRY)
    assert diagnostics == []
    return registry


def copy_seeds(tmp: Path) -> Path:
    seeds = tmp / "seeds"
    shutil.copytree(SEEDS, seeds, ignore=shutil.ignore_patterns(".*"))
    for p in seeds.iterdir():
        p.chmod(0o644)
    return seeds


def article_ids(docs: Path) -> dict[str, str]:
    """id -> title, from the build's data export."""
    lines = (docs / "data" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r["title"] for r in map(json.loads, lines)}


def live_ids(registry: Registry) -> set[str]:
    return {e.id for e in registry.entries if e.status == "live"}


def retire(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    entry = f"- id: {old}\n  status: live\n"
    assert entry in text
    path.write_text(text.replace(entry, f"- id: {old}\n  status: retired\n  redirect_to: {new}\n"
                                        "  note: photo no longer printed\n"), encoding="utf-8")


# --- re-cleaning ------------------------------------------------------------------------------

def punctuation_changed(text: str) -> str:
    return text.replace("，", ",").replace("。", ". ").replace("“", '"').replace("”", '"')


def corrected(text: str, every: int = 150) -> str:
    """Every ``every``-th Han character replaced (an OCR slip fixed, or made)."""
    count = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "囗" if count % every == 0 else m.group()

    return re.sub(f"[{HAN}]", swap, text)


def recleaned(a: Article) -> Article:
    """The article as a changed cleaning stage might give it: punctuation and spacing changed,
    the body re-joined into different paragraphs, a character in 150 corrected, a new id."""
    body = [p.text for p in a.paragraphs if p.kind == "text"]
    joined = "".join(body)
    cut = len(joined) // 3
    paragraphs = tuple(Paragraph(corrected(punctuation_changed(t))) for t in (joined[:cut], joined[cut:]) if t)
    headings = tuple(p for p in a.paragraphs if p.kind == "heading")
    return dataclasses.replace(a, id="0" * 10, lead=corrected(punctuation_changed(a.lead or "")) or None,
                               paragraphs=headings + paragraphs,
                               captions=tuple(dataclasses.replace(c, text=" ".join(c.text)) for c in a.captions))


def test_fingerprint_survives_recleaning(seeds):
    scores = {a.id: similarity(fingerprint(a), fingerprint(recleaned(a))) for a in seeds}
    assert min(scores.values()) >= THRESHOLD + 0.2, scores
    for a in seeds:  # punctuation, spaces and paragraph breaks alone change nothing
        same = dataclasses.replace(a, lead=punctuation_changed(a.lead or "") or None,
                                   paragraphs=(Paragraph(" ".join(p.text for p in a.paragraphs)),))
        assert fingerprint(same) == fingerprint(a), a.id


def test_different_seed_articles_do_not_match(seeds):
    scores = [similarity(fingerprint(a), fingerprint(b)) for i, a in enumerate(seeds) for b in seeds[i + 1:]]
    assert len(scores) == len(seeds) * (len(seeds) - 1) // 2
    assert max(scores) < THRESHOLD / 3, max(scores)


def test_recleaned_articles_keep_their_registered_ids(seeds, committed):
    changed = [recleaned(a) for a in seeds]
    for i, a in enumerate(changed):
        changed[i] = dataclasses.replace(a, id=f"{i:010d}")  # computed ids all changed
    out, registry, diagnostics = assign_ids(changed, committed)
    assert diagnostics == []
    assert [a.id for a in out] == [a.id for a in seeds]
    assert live_ids(registry) == live_ids(committed)


def change_page(path: Path) -> None:
    """Re-extract a page with small differences: punctuation style, letter-spaced words, a
    corrected character every 200, a line wrapped at another place."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("，", ",", 20).replace(",", "，", 10)
    text = text.replace("党组织", "党 组 织", 3)
    text = corrected(text, every=200)
    path.write_text(text, encoding="utf-8")


def test_recleaned_pages_keep_every_id(tmp_path, committed):
    seeds = copy_seeds(tmp_path)
    for page in sorted(seeds.glob("*.txt")):
        change_page(page)
    computed = {a.id for p in collect(seeds, root=tmp_path).pages for a in p.articles}
    assert not computed & live_ids(committed)  # every page's bytes changed, so every computed id did

    report = build(seeds, tmp_path / "docs", root=tmp_path)

    assert not report.failed, [str(d) for d in report.diagnostics if d.level == "error"]
    assert set(article_ids(tmp_path / "docs")) == live_ids(committed)
    after, _ = load_registry(seeds / "permalinks.yml")
    assert live_ids(after) == live_ids(committed)  # nothing added: every article was recognised


# --- vanished and retired ids -----------------------------------------------------------------

def drop_photo(seeds: Path) -> Path:
    """Page 004 without the line that holds the photo's caption (the photo record goes)."""
    [page] = seeds.glob("004_*.txt")
    text = page.read_text(encoding="utf-8")
    start = text.index(PHOTO_LINE)
    line_start = text.rindex("\n", 0, start) + 1
    page.write_text(text[:line_start] + text[text.index("\n", start) + 1:], encoding="utf-8")
    return page


def test_vanished_id_fails_the_build_naming_it(tmp_path, committed):
    seeds = copy_seeds(tmp_path)
    drop_photo(seeds)
    [photo] = [e for e in committed.entries if e.title == PHOTO]

    report = build(seeds, tmp_path / "docs", root=tmp_path)

    assert report.failed
    [error] = [d for d in report.diagnostics if d.level == "error"]
    assert error.file == "seeds/permalinks.yml" and error.line == committed.line(photo.id)
    assert f"permalink a/{photo.id}/ would disappear" in error.message
    assert PHOTO in error.message and "004_af9ed2a9fbe09997.txt" in error.message
    assert "mark it retired with redirect_to in seeds/permalinks.yml" in error.message
    assert str(error).startswith(f"seeds/permalinks.yml:{error.line}: error: permalink a/{photo.id}/")
    after, _ = load_registry(seeds / "permalinks.yml")
    assert photo in after.entries  # kept, still live: restoring the page restores the id


def test_retired_id_redirects_to_its_successor(tmp_path, committed):
    seeds = copy_seeds(tmp_path)
    page = drop_photo(seeds)
    [photo] = [e for e in committed.entries if e.title == PHOTO]
    successor = next(e for e in committed.entries if e.file == photo.file and e.id != photo.id)
    retire(seeds / "permalinks.yml", photo.id, successor.id)
    docs = tmp_path / "docs"

    report = build(seeds, docs, root=tmp_path)

    assert not report.failed, [str(d) for d in report.diagnostics if d.level == "error"]
    assert photo.id not in article_ids(docs) and not (docs / "a" / f"{photo.id}.md").exists()
    redirect = docs / "a" / photo.id / "index.html"
    page_html = redirect.read_text(encoding="utf-8")
    url = f"../{successor.id}/"  # relative: works under a sub-path and with mkdocs serve
    assert f'<meta http-equiv="refresh" content="0; url={url}">' in page_html
    assert f'<link rel="canonical" href="{url}">' in page_html
    assert f'<a href="{url}">' in page_html and REDIRECT_MARK in page_html
    after, _ = load_registry(seeds / "permalinks.yml")
    [kept] = [e for e in after.entries if e.id == photo.id]
    assert (kept.status, kept.redirect_to, kept.note) == ("retired", successor.id, "photo no longer printed")

    mtime = redirect.stat().st_mtime_ns
    build(seeds, docs, root=tmp_path)  # write_all's stale-page removal leaves the redirect alone
    assert redirect.stat().st_mtime_ns == mtime

    text = (seeds / "permalinks.yml").read_text(encoding="utf-8")  # un-retired: the redirect goes
    (seeds / "permalinks.yml").write_text(text.replace(f"  redirect_to: {successor.id}\n", "")
                                          .replace("status: retired", "status: live"), encoding="utf-8")
    page.write_text((SEEDS / page.name).read_text(encoding="utf-8"), encoding="utf-8")
    assert not build(seeds, docs, root=tmp_path).failed
    assert not (docs / "a" / photo.id).exists() and (docs / "a" / f"{photo.id}.md").is_file()


def test_redirect_chains_resolve_and_loops_are_errors(seeds, committed):
    a, b, c = committed.entries[:3]
    chain = dataclasses.replace(committed, entries=tuple(
        dataclasses.replace(e, status="retired", redirect_to=b.id) if e is a else
        dataclasses.replace(e, status="retired", redirect_to=c.id) if e is b else e for e in committed.entries))
    out, registry, diagnostics = assign_ids(seeds, chain)
    assert diagnostics == []
    assert len({x.id for x in out}) == len(seeds) and not {a.id, b.id} & {x.id for x in out}
    pages = redirect_pages(registry, out)
    assert set(pages) == {f"a/{a.id}/index.html", f"a/{b.id}/index.html"}
    assert all(f'url=../{c.id}/"' in p for p in pages.values())  # straight to the live id

    loop = dataclasses.replace(chain, entries=tuple(
        dataclasses.replace(e, redirect_to=a.id) if e.id == b.id else e for e in chain.entries))
    _, _, diagnostics = assign_ids(seeds, loop)
    assert {d.level for d in diagnostics} == {"error"}
    assert any(f"a/{a.id}/" in d.message and "no live id" in d.message for d in diagnostics)


def test_registry_with_a_yaml_error_is_reported_and_left_alone(tmp_path):
    seeds = copy_seeds(tmp_path)
    path = seeds / "permalinks.yml"
    broken = path.read_text(encoding="utf-8").replace("  status: live\n", "  status: [live\n", 1)
    path.write_text(broken, encoding="utf-8")
    report = build(seeds, tmp_path / "docs", root=tmp_path)
    assert report.failed
    assert any(d.file == "seeds/permalinks.yml" and d.line and d.level == "error" for d in report.diagnostics)
    assert path.read_text(encoding="utf-8") == broken


# --- stability --------------------------------------------------------------------------------

def test_ids_do_not_depend_on_file_order(seeds, committed):
    for registry in (Registry(), committed):
        first, reg1, _ = assign_ids(seeds, registry)
        for n in range(3):
            shuffled = list(seeds)
            random.Random(n).shuffle(shuffled)
            again, reg2, _ = assign_ids(shuffled, registry)
            assert {a.lines + (a.source_file,): a.id for a in again} == {a.lines + (a.source_file,): a.id
                                                                        for a in first}
            assert dump_registry(reg2) == dump_registry(reg1)


def test_a_computed_id_that_is_registered_is_derived_anew(seeds, committed):
    taken = committed.entries[0].id
    newcomer = dataclasses.replace(seeds[0], id=taken, paragraphs=(), captions=(),
                                   lead="全新的文章内容与任何已登记文章都不相同，用来检验编号冲突。")
    out, registry, _ = assign_ids([*seeds, newcomer], committed)
    assert out[-1].id != taken and re.fullmatch(r"[0-9a-f]{10}", out[-1].id)
    assert len({a.id for a in out}) == len(out)
    assert assign_ids([newcomer, *seeds], committed)[0][0].id == out[-1].id


def test_two_builds_give_the_same_ids_and_write_nothing(tmp_path):
    seeds = copy_seeds(tmp_path)
    (seeds / "permalinks.yml").unlink()
    first = build(seeds, tmp_path / "docs", root=tmp_path)
    ids = article_ids(tmp_path / "docs")
    registry = seeds / "permalinks.yml"
    stamp = registry.stat().st_mtime_ns
    assert not build(seeds, tmp_path / "docs", root=tmp_path).failed and not first.failed
    assert article_ids(tmp_path / "docs") == ids
    assert registry.stat().st_mtime_ns == stamp  # mkdocs serve watches seeds/: no rebuild loop


def test_new_articles_are_added_to_the_registry(tmp_path, committed):
    seeds = copy_seeds(tmp_path)
    [late] = seeds.glob("004_*.txt")
    held = tmp_path / late.name
    late.rename(held)
    registry = seeds / "permalinks.yml"
    registry.unlink()
    build(seeds, tmp_path / "docs", root=tmp_path)
    before, _ = load_registry(registry)
    assert before.entries and not any(e.file == late.name for e in before.entries)

    held.rename(late)
    report = build(seeds, tmp_path / "docs", root=tmp_path)

    assert not report.failed
    after, _ = load_registry(registry)
    assert set(before.entries) <= set(after.entries)
    added = [e for e in after.entries if e not in before.entries]
    assert added and all(e.file == late.name and e.status == "live" for e in added)
    assert [e.id for e in after.entries] == sorted(e.id for e in after.entries)


# --- the committed registry -------------------------------------------------------------------

def test_committed_registry_matches_the_seed_articles(seeds, committed):
    assert REGISTRY.read_text(encoding="utf-8") == dump_registry(committed)  # canonical, sorted by id
    assert REGISTRY.read_text(encoding="utf-8").startswith("# Permalink registry")
    out, registry, diagnostics = assign_ids(seeds, committed)
    assert diagnostics == []
    built = {a.id for a in out}
    assert live_ids(committed) <= built  # every live id resolves to an article of the seeds
    assert {e.id for e in registry.entries} == {e.id for e in committed.entries}  # nothing unregistered
    for e in committed.entries:
        assert re.fullmatch(r"[0-9a-f]{10}", e.id) and len(e.fingerprint) == 32, e.id


# --- matching at scale ------------------------------------------------------------------------

def sketches_near_the_threshold(rnd: random.Random) -> list[tuple[int, ...]]:
    """Sketches of random shingle sets, many pairs of them around the match threshold: each base
    set is followed by copies with a share of its values replaced (0 to 60%), some short."""
    out = []
    for _ in range(60):
        size = rnd.choice([5, 20, 40, 200, 1000])
        base = {rnd.getrandbits(32) for _ in range(size)}
        out.append(tuple(sorted(base)[:SKETCH_SIZE]))
        for share in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
            kept = rnd.sample(sorted(base), round(len(base) * (1 - share)))
            copy = set(kept) | {rnd.getrandbits(32) for _ in range(len(base) - len(kept))}
            out.append(tuple(sorted(copy)[:SKETCH_SIZE]))
    return out


def test_candidate_pairs_miss_no_match():
    """The prefix filter is exact: every pair at the threshold is a candidate."""
    rnd = random.Random(3)
    left, right = sketches_near_the_threshold(rnd), sketches_near_the_threshold(rnd)
    right += left[::3]  # some identical
    matches = {(i, j) for i, a in enumerate(left) for j, b in enumerate(right) if similarity(a, b) >= THRESHOLD}
    found = set(candidate_pairs(left, right))
    assert matches and matches <= found
    assert len(found) < 2 * len(matches) + len(left)  # and it does filter


def test_fingerprints_given_or_computed_give_the_same_ids(seeds, committed):
    given = assign_ids(seeds, committed, [fingerprint(a) for a in seeds])
    assert given == assign_ids(seeds, committed)
    with pytest.raises(ValueError):
        assign_ids(seeds, committed, [])


def test_unchanged_articles_are_matched_as_the_full_search_would(seeds, committed, monkeypatch):
    """Identical fingerprints are paired by a lookup first; the result is that of scoring every
    candidate pair, also when a fingerprint is printed twice or an article moved to another file."""
    twice = dataclasses.replace(seeds[0], id="f" * 10, lines=(900, 901))
    moved = dataclasses.replace(seeds[1], source_file="seeds/999_moved.txt")
    cases = [(seeds, committed), ([*seeds, twice], committed), ([moved, *seeds[2:]], committed),
             ([recleaned(a) for a in seeds[:4]] + seeds[4:], committed), (seeds, Registry())]
    fast = [assign_ids(articles, registry) for articles, registry in cases]
    monkeypatch.setattr(registry_module, "_unchanged", lambda *args: {})
    assert fast == [assign_ids(articles, registry) for articles, registry in cases]


def test_libyaml_reads_and_writes_the_registry_as_pyyaml_does(committed, monkeypatch):
    text = REGISTRY.read_text(encoding="utf-8")
    monkeypatch.setattr(registry_module, "LOADER", yaml.SafeLoader)
    monkeypatch.setattr(registry_module, "DUMPER", yaml.SafeDumper)
    slow, diagnostics = load_registry(REGISTRY)
    assert diagnostics == [] and slow == committed
    assert dump_registry(slow) == text


def test_the_registry_file_is_parsed_once_per_content(tmp_path, monkeypatch):
    """Parsing 10,000 entries takes a second: a rebuild with the same registry file takes what
    it read from the cache; a file edited by hand is read again, and a file that is not exactly
    the registry's dump (reformatted by hand) is written back as its dump, then left alone."""
    import scripts.registry

    seeds = copy_seeds(tmp_path)
    build(seeds, tmp_path / "docs", root=tmp_path)
    calls = []
    real = scripts.registry.load_registry
    monkeypatch.setattr(scripts.registry, "load_registry", lambda *a, **k: calls.append(a) or real(*a, **k))
    path = seeds / "permalinks.yml"
    canonical = path.read_text(encoding="utf-8")
    ids = article_ids(tmp_path / "docs")
    assert not build(seeds, tmp_path / "docs", root=tmp_path).failed
    assert calls == [] and article_ids(tmp_path / "docs") == ids

    data = yaml.safe_load(canonical)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, indent=4, sort_keys=True), encoding="utf-8")
    assert not build(seeds, tmp_path / "docs", root=tmp_path).failed
    assert len(calls) == 1 and path.read_text(encoding="utf-8") == canonical and article_ids(tmp_path / "docs") == ids
    stamp = path.stat().st_mtime_ns
    build(seeds, tmp_path / "docs", root=tmp_path)
    build(seeds, tmp_path / "docs", root=tmp_path)
    assert len(calls) == 1 and path.stat().st_mtime_ns == stamp  # the build's own dump is never parsed


def test_a_registry_the_build_wrote_is_known_without_parsing_it(tmp_path, monkeypatch):
    """The build that writes the registry (here: every seed article new) keeps what reading
    the file back would give (``registry.as_read_back``), so the next build does not parse it:
    the entries, the line of each, nothing to report."""
    import scripts.registry
    from scripts.pipeline import register_ids

    seeds = copy_seeds(tmp_path)
    (seeds / "permalinks.yml").unlink()
    build(seeds, tmp_path / "docs", root=tmp_path)
    path = seeds / "permalinks.yml"
    read = scripts.registry.load_registry(path, "seeds/permalinks.yml")
    assert read[0].entries and read[1] == []
    calls = []
    real = scripts.registry.load_registry
    monkeypatch.setattr(scripts.registry, "load_registry", lambda *a, **k: calls.append(a) or real(*a, **k))
    known = []
    monkeypatch.setattr(scripts.registry, "assign_ids", lambda articles, registry, **k: known.append(registry)
                        or pytest.fail("stop after reading"))
    with pytest.raises(pytest.fail.Exception):
        register_ids(collect(seeds, root=tmp_path), path, tmp_path)
    assert calls == [] and known == [read[0]]


def reference_sketch(text: str, k: int = SKETCH_SIZE, n: int = 4) -> tuple[int, ...]:
    """The definition the registry's fingerprints were made with (they must never change): the
    ``k`` smallest 32-bit big-endian blake2b digests of the distinct ``n``-character shingles."""
    import hashlib

    if not text:
        return ()
    shingles = {text[i:i + n] for i in range(max(1, len(text) - n + 1))}
    return tuple(sorted(int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "big")
                        for s in shingles)[:k])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"党建高新区青岛园企业科技人才创新", "𠀀", "𠮷", "a", "1", "é"]), max_size=60))
def test_sketch_is_the_registered_definition(text):
    """The sketch is computed from the UTF-8 bytes when every character is three bytes long; a
    stored fingerprint must still match it exactly (Han beyond the BMP and Latin included)."""
    from scripts.registry import sketch

    assert sketch(text) == reference_sketch(text)
    assert sketch(text, k=5, n=2) == reference_sketch(text, k=5, n=2)
