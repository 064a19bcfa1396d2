"""The article search index (scripts/search_index.py) and its worker (docs/assets/search/worker.js).

Without MkDocs: the index is built from article records (the seeds through the real pipeline,
plus hand-made records with hostile text) and read back the way the worker reads it.

- encoding: varints, posting lists (gaps and bitmaps) and shard entries round-trip;
- recall: every substring of an article's own text (2–6 characters of a run, and single
  characters) finds every article that contains it; every tag and zone name finds all its
  articles, those carrying it as a keyword ranked first;
- ranking: headline matches before body matches, newest first among equals;
- the worker (headless Chromium, skipped without it): the same normalisation, keys and hashes as
  Python, Material's message protocol, the same result order as :func:`search`, and page text
  (``<script>``, ``#``, ``|``, ``&``) shown as text, the query in ``<mark>``.
"""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
import threading

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from scripts.search_index import (Reader, build_index, decode_list, decode_shard, encode_entry, encode_list,
                                  fnv1a, inverted, listed, newest_first, normalize, own_texts, query_keys, read_varint,
                                  runs, search, text_keys, varint, write_index)
from tests.conftest import SEEDS

HOSTILE = "<script>alert(1)</script> #标题 a|b & “党建”"


# --- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def records(seed_report):
    """The seed articles as ``articles.jsonl`` records, enriched (zones, tags) by the real stages."""
    from scripts.pipeline import enrich_report
    from scripts.write import article_record

    report = enrich_report(seed_report, SEEDS / "tags.yml")
    return [article_record(a) for p in report.pages for a in p.articles]


@pytest.fixture(scope="module")
def index(records):
    return build_index(records)


def reader(index) -> Reader:
    return Reader.of(index)


def containing(records: list[dict], text: str) -> set[int]:
    """Article numbers (newest-first order) whose own text contains ``text`` once normalised."""
    needle = normalize(text)
    return {n for n, r in enumerate(newest_first(records))
            if any(needle in run for run in runs("\n".join(t for t in own_texts(r) if t)))}


def hostile_record(i: int, **fields) -> dict:
    base = {"id": f"h{i:04d}", "url": f"a/h{i:04d}/", "kind": "article", "title": f"标题{i}", "kicker": None,
            "subtitle": None, "byline": None, "authors": [], "dateline": None, "zones": [], "date": None,
            "lead": None, "body": "", "captions": [], "people": [], "organizations": [], "tags": [], "topics": []}
    return {**base, **fields}


# --- encoding ----------------------------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=2 ** 40))
def test_varint_round_trip(n):
    data = varint(n) + b"\xff"
    assert read_varint(data, 0) == (n, len(data) - 1)


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=20_000), max_size=400).map(sorted))
def test_posting_list_round_trip_and_smallest_form(docs):
    data = encode_list(docs)
    assert decode_list(data) == docs
    if docs:
        assert len(data) <= docs[-1] // 8 + 2  # never larger than the bitmap


def test_dense_lists_are_bitmaps_sparse_ones_gaps():
    assert encode_list(list(range(0, 10_000, 2)))[0] == 1 and len(encode_list(list(range(0, 10_000, 2)))) == 1251
    assert encode_list([5, 9_000])[0] == 0


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=2),
                       st.tuples(*[st.sets(st.integers(0, 5_000), max_size=50).map(sorted)] * 3), max_size=20))
def test_shard_round_trip(entries):
    data = b"".join(encode_entry(k, *lists) for k, lists in sorted(entries.items()))
    assert decode_shard(data) == {k: tuple(v) for k, v in entries.items()}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.none() | st.text(alphabet="党建高新区aB1，。 \n", max_size=12), max_size=4))
def test_keys_are_every_one_to_three_characters_of_every_run(texts):
    expected = {run[i:i + n] for t in texts if t for run in runs(t) for n in (1, 2, 3)
                for i in range(len(run) - n + 1)}
    assert text_keys(texts) == expected


# Characters of every kind the keys treat differently: Han (BMP and beyond it), full-width
# letters and digits (normalised), Latin with accents and upper case, kana, Hangul, digits,
# punctuation, spaces and line breaks (run boundaries), a lone surrogate (not a word character).
MIXED = st.text(alphabet=st.sampled_from([*"党建高新区𠀀𠮷ＧＤＰ２ａÀéZ1かア한〇，。 \n#", "\ud800"]), max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(MIXED, max_size=7), st.integers(min_value=1, max_value=3))
def test_inverted_is_each_text_number_appended_to_its_keys(texts, block):
    """The array-built lists are exactly the plain definition: each text's number appended to
    the list of each of its keys, in text order (whatever the block size)."""
    expected: dict[str, list[int]] = {}
    for n, t in enumerate(texts):
        for key in text_keys([t]):
            expected.setdefault(key, []).append(n)
    assert inverted([normalize(t) for t in texts], block=block) == expected


def test_index_is_deterministic_and_sharded(records, index):
    again = build_index(list(reversed(records)))
    assert again.files == index.files and again.config == index.config
    shards = [n for n in index.files if n.startswith("s/")]
    assert 1 <= len(shards) <= index.config["shards"]
    assert all(fnv1a(k) % index.config["shards"] == int(name[2:-4])
               for name in shards for k in decode_shard(index.files[name]))


def test_written_files_and_config(tmp_path, index):
    write_index(index, tmp_path / "archive")
    assert json.loads((tmp_path / "archive.json").read_text(encoding="utf-8")) == index.config
    assert sorted(str(p.relative_to(tmp_path / "archive")) for p in (tmp_path / "archive").rglob("*.*")) \
        == sorted(index.files)


# --- recall and ranking -------------------------------------------------------------------------------

def test_every_substring_finds_every_article_that_contains_it(records, index):
    """Every 1–6 character piece of every run of every article (a deterministic sample): the
    intersection of its keys' lists returns at least every article containing it."""
    r = reader(index)
    pieces = set()
    for rec in records:
        for run in runs("\n".join(t for t in own_texts(rec) if t)):
            for size in (1, 2, 3, 4, 6):
                pieces.update(run[i:i + size] for i in range(0, max(1, len(run) - size + 1), 7))
    assert len(pieces) > 2000
    for piece in sorted(pieces):
        found = set(search(r, piece))
        assert containing(records, piece) <= found, piece


def test_tags_and_zone_names_find_all_their_articles_keyword_holders_first(records, index):
    r = reader(index)
    ordered = newest_first(records)
    names = {t for rec in records for t in rec["tags"]} | {z for rec in records for z in rec["zones"]}
    assert len(names) > 20
    for name in sorted(names):
        found = search(r, name)
        assert containing(records, name) <= set(found), name
        top = ordered[found[0]]
        shown = [*top["tags"], *top["zones"], top["kicker"], top["title"], top["subtitle"]]
        assert all(any(run in normalize(t or "") for t in shown) for run in runs(name)), name


def test_headline_matches_first_then_newest():
    recs = [hostile_record(1, date="2020", body="青岛高新区召开会议"),
            hostile_record(2, date="2024", body="青岛高新区召开会议"),
            hostile_record(3, date="2019", title="青岛高新区召开会议"),
            hostile_record(4, date="2023", body="与此无关")]
    idx = build_index(recs)
    got = [listed_id for listed_id in (m[0] for m in listed(reader(idx), "高新区召开"))]
    assert got == ["a/h0003/", "a/h0002/", "a/h0001/"]


def test_more_runs_matched_rank_first_and_limit_lists_the_best():
    recs = [hostile_record(i, date=f"20{10 + i}", body="人才" + ("党建" if i % 3 == 0 else "")) for i in range(1, 13)]
    idx = build_index(recs)
    order = search(reader(idx), "人才 党建")
    ordered = newest_first(recs)
    both = [ordered[n]["id"] for n in order[:4]]
    assert both == ["h0012", "h0009", "h0006", "h0003"]
    assert len(listed(reader(idx), "人才", limit=5)) == 5


def test_markup_in_text_stays_text_in_the_metadata():
    """The body is escaped Markdown in the export: the metadata holds the text as printed (the
    worker escapes it for Material's list: tests below)."""
    from scripts.write import escape_markdown

    rec = hostile_record(1, title=HOSTILE, lead=None, body="## 小标题\n\n" + escape_markdown(HOSTILE + " 1. 一"))
    idx = build_index([rec])
    meta = listed(reader(idx), "alert")[0]
    assert meta[1] == HOSTILE
    assert meta[-1] == "小标题 " + HOSTILE + " 1. 一"
    assert search(reader(idx), "<script>") == [0] and search(reader(idx), "#标题") == [0]


def test_query_keys_cover_long_queries():
    keys = query_keys("国家高新区党建工作高质量发展")
    assert len(keys) <= 6 and keys[0] == "国家高" and keys[-1] == "量发展"
    assert set("".join(keys)) == set("国家高新区党建工作高质量发展")


# --- the worker in a browser ----------------------------------------------------------------------------

SAMPLES = ["党建", "ＧＤＰ增长２０％", "5G基站 e企", "𠀀𠀁党", "Ab·Cd—ef", "国家高新区党建工作高质量发展", "区"]


@pytest.fixture(scope="module")
def worker_site(tmp_path_factory, records):
    """A folder with the worker where the site has it, an index of the seeds plus two hostile
    records, and an empty page that loads the worker's functions."""
    from tests.browser_util import require_browser

    require_browser()
    from scripts.write import escape_markdown

    root = tmp_path_factory.mktemp("worker")
    worker = root / "assets" / "search" / "worker.js"
    worker.parent.mkdir(parents=True)
    shutil.copy(SEEDS.parent / "docs" / "assets" / "search" / "worker.js", worker)
    extra = [hostile_record(9001, title=HOSTILE, date="1999", zones=["<b>区</b>"],
                            body=escape_markdown(f"正文 {HOSTILE} 结束")),
             hostile_record(9002, title="无关", kicker="引题 #1 | 2", date="1998")]
    idx = build_index(records + extra)
    write_index(idx, root / "search" / "archive")
    (root / "index.html").write_text('<!doctype html><meta charset="utf-8"><title>t</title>'
                                     '<script src="assets/search/worker.js"></script>', encoding="utf-8")
    return root, idx, records + extra


@pytest.fixture(scope="module")
def worker_page(worker_site):
    from tests.browser_util import launch, serve

    root, _, _ = worker_site
    with serve(root) as base, launch() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "index.html")
        yield page
        assert errors == []


_ASK = """
async ([config, docs, queries, limit]) => {
  const worker = new Worker("assets/search/worker.js");
  const messages = [];
  const next = () => new Promise(resolve => worker.addEventListener("message", ev => {
    messages.push(ev.data.type); resolve(ev.data);
  }, {once: true}));
  const ready = next();
  worker.postMessage({type: 0, data: {config: {archive: config}, docs, options: {suggest: false, limit}}});
  await ready;
  const out = {};
  for (const q of queries) {
    const result = next();
    worker.postMessage({type: 2, data: q});
    out[q] = (await result).data.items;
  }
  worker.terminate();
  return {messages, out};
}
"""


def test_worker_cuts_and_hashes_as_python(worker_page):
    got = worker_page.evaluate("""samples => samples.map(s => ({
        norm: normalize(s), runs: runsOf(s), keys: runsOf(s).map(r => queryKeys(r, 6)),
        hashes: runsOf(s).flatMap(r => queryKeys(r, 6)).map(fnv1a)}))""", SAMPLES)
    for s, g in zip(SAMPLES, got):
        assert g["norm"] == normalize(s)
        assert g["runs"] == runs(s)
        assert g["keys"] == [query_keys(r) for r in runs(s)]
        assert g["hashes"] == [fnv1a(k) for r in runs(s) for k in query_keys(r)]


def test_worker_speaks_materials_protocol_and_ranks_as_python(worker_site, worker_page):
    _, idx, recs = worker_site
    queries = ["党建", "高新区", "青岛高新区", "党", "人才 党建", "楼宇党建", ""]
    pages = [{"location": "cite/", "title": "关于与引用", "text": ""},
             {"location": "cite/#如何引用", "title": "如何引用", "text": "<p>引用\u200b党建</p>"}]
    answer = worker_page.evaluate(_ASK, [idx.config, pages, queries, None])
    assert answer["messages"] == [1] + [3] * len(queries)  # READY, then one RESULT per QUERY
    ordered = newest_first(recs)
    for q in queries:
        items = answer["out"][q]
        articles = [g[0]["location"] for g in items if g[0]["location"].startswith("a/")]
        assert articles == [f"a/{ordered[n]['id']}/" for n in search(reader(idx), q)], q
    assert answer["out"][""] == []
    cite = [g for g in answer["out"]["党建"] if g[0]["location"].startswith("cite/")]
    assert cite and [i["location"] for i in cite[0]] == ["cite/#如何引用", "cite/"]  # best section, then the page
    for group in answer["out"]["人才 党建"]:
        for item in group:
            assert set(item) >= {"location", "title", "text", "score", "terms"}


def test_worker_lists_limit_then_says_how_many_more(worker_site, worker_page):
    _, idx, recs = worker_site
    answer = worker_page.evaluate(_ASK, [{**idx.config, "more": "articles/"}, [], ["党"], 3])
    items = answer["out"]["党"]
    total = len(search(reader(idx), "党"))
    assert len(items) == 4 and items[-1][0]["location"] == "articles/"
    assert f"{total - 3}" in items[-1][0]["title"]


def test_worker_shows_page_text_as_text_and_marks_the_query(worker_site, worker_page):
    _, idx, _ = worker_site
    answer = worker_page.evaluate(_ASK, [idx.config, [], ["alert", "#1", "区"], None])
    hostile = next(g[0] for g in answer["out"]["alert"] if g[0]["location"] == "a/h9001/")
    assert "<script" not in hostile["title"] and "<script" not in hostile["text"]
    assert "&#60;script&#62;<mark>alert</mark>(1)&#60;/script&#62;" in hostile["title"]
    assert "#标题 a|b &#38; “党建”" in hostile["title"]
    assert re.fullmatch(r"<p>[^<]*(<mark>alert</mark>[^<]*)+</p>", hostile["text"].replace("&#60;", "").replace(
        "&#62;", ""))
    zone = next(g[0] for g in answer["out"]["区"] if g[0]["location"] == "a/h9001/")
    assert "&#60;b&#62;<mark>区</mark>&#60;/b&#62;" in zone["tags"]
    kicker = next(g[0] for g in answer["out"]["#1"] if g[0]["location"] == "a/h9002/")
    assert "引题 #<mark>1</mark> | 2" in kicker["text"]


def test_material_index_keeps_the_rendered_pages_and_points_at_the_index(tmp_path, records):
    """scripts/search_hooks.py, without MkDocs: the index is installed into a built site and
    Material's search_index.json keeps the site pages (listing pages by their title only)."""
    from scripts.search_hooks import write_site_search

    docs = tmp_path / "docs" / "data"
    docs.mkdir(parents=True)
    (docs / "articles.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                         encoding="utf-8")
    search = tmp_path / "site" / "search"
    search.mkdir(parents=True)
    (tmp_path / "site" / "articles").mkdir()
    entries = [{"location": loc, "title": "标\u200b题", "text": "正\u200b文"} for loc in
               ("cite/", "cite/#x", "a/x/", "src/x/", "articles/", "articles/#s1", "articles-2/", "tags/",
                "tags/t-1/")]
    (search / "search_index.json").write_text(json.dumps({"config": {"lang": ["zh"]}, "docs": entries}),
                                              encoding="utf-8")
    archive = write_site_search(tmp_path / "site", tmp_path / "docs")
    material = json.loads((search / "search_index.json").read_text(encoding="utf-8"))
    assert material["config"]["archive"] == archive and archive["more"] == "articles/"
    assert [(d["location"], d["title"], d["text"]) for d in material["docs"]] == [
        ("cite/", "标题", "正文"), ("cite/#x", "标题", "正文"), ("articles/", "标题", ""), ("tags/", "标题", "")]
    assert (search / "archive" / "m" / "0.json").is_file() and not (search / "archive.json").exists()


def test_materials_plugin_skips_the_numbered_pages_of_listings():
    """Their entries are dropped anyway (above); the plugin is told not to cut their lists."""
    from types import SimpleNamespace

    from scripts.search_hooks import on_page_markdown

    def meta(url: str, **given) -> dict:
        page = SimpleNamespace(url=url, meta=dict(given))
        assert on_page_markdown("# x", page, {}, None) == "# x"
        return page.meta

    for url in ("articles-2/", "tags/index-2/", "authors/index-3.html", "tags/t-1a2b/"):
        assert meta(url)["search"]["exclude"] is True
    assert meta("articles-2/", search={"boost": 2})["search"] == {"boost": 2, "exclude": True}
    for url in ("articles/", "tags/", "cite/", "", "data/"):
        assert "search" not in meta(url)


def test_a_page_with_raw_line_separators_gets_a_search_index(tmp_path):
    """A page holding U+2028 (a line break to str.splitlines) goes through the pipeline into
    ``articles.jsonl`` and into the index, its text searchable on both sides of it."""
    from scripts.pipeline import build
    from scripts.search_index import load_records

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001.txt").write_text("青岛高新区党建工作\u2028新进展\n\n本报讯 高新区党工委召开会议，部署党建工作。\n",
                                   encoding="utf-8")
    build(seeds, tmp_path / "docs", root=tmp_path)
    loaded = load_records(tmp_path / "docs" / "data" / "articles.jsonl")
    assert loaded and any("\u2028" in json.dumps(r, ensure_ascii=False) for r in loaded)
    found = Reader.of(build_index(loaded))
    assert search(found, "工作") and search(found, "新进展")


# --- updating the previous index ------------------------------------------------------------------

def jsonl(records: list[dict]) -> bytes:
    from scripts.write import json_lines

    return json_lines(records).encode("utf-8")


def built_files(folder) -> dict[str, bytes]:
    """Every file of an index folder and its config, by name."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    return {**files, "config": folder.with_suffix(".json").read_bytes()}


def build_twice(tmp_path, before: list[dict], after: list[dict], shard_bytes: int = 600):
    """The index of ``after`` made from that of ``before`` (what :func:`build_or_update`
    returned, and the files), and ``after``'s built whole, for comparison."""
    from scripts.search_index import build_or_update

    for name, records in (("before", before), ("after", after)):
        (tmp_path / f"{name}.jsonl").write_bytes(jsonl(records))
    base, updated, whole = (tmp_path / d / "archive" for d in ("base", "updated", "whole"))
    assert build_or_update(tmp_path / "before.jsonl", base, shard_bytes=shard_bytes) is None
    changed = build_or_update(tmp_path / "after.jsonl", updated, base, shard_bytes=shard_bytes)
    assert build_or_update(tmp_path / "after.jsonl", whole, shard_bytes=shard_bytes) is None
    return changed, built_files(updated), built_files(whole)


EDITS = {
    "body appended": lambda r, text: {**r, "body": (r.get("body") or "") + "\n\n" + text},
    "body replaced": lambda r, text: {**r, "body": text},
    "title": lambda r, text: {**r, "title": text},
    "lead": lambda r, text: {**r, "lead": text},
    "tag added": lambda r, text: {**r, "tags": [*r.get("tags", []), text]},
    "keywords cleared": lambda r, text: {**r, "tags": [], "zones": [], "topics": []},
}


# No shrinking: a failing example is a few edits already, and shrinking re-runs three builds each time.
@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(sorted(EDITS)),
                                st.text(alphabet="党建高新区企业人才服务科技园青岛东湖创新ab1２", min_size=1, max_size=12)),
                      min_size=1, max_size=4))
def test_an_updated_index_is_byte_for_byte_the_index_built_whole(records, tmp_path_factory, edits):
    """Records edited in place (text, headline, keywords; ids and dates kept): the index made by
    updating the previous one equals the one built from scratch, every file and the config."""
    after = list(records)
    for i, kind, text in edits:
        after[i % len(after)] = EDITS[kind](after[i % len(after)], text)
    tmp = tmp_path_factory.mktemp("u")
    changed, updated, whole = build_twice(tmp, records, after)
    assert updated == whole
    shards = [json.loads(built_files(tmp / d / "archive")["config"])["shards"] for d in ("base", "whole")]
    # built whole only when it must be: the entries' size crossed a shard count threshold
    assert changed == (sum(a != b for a, b in zip(records, after)) if shards[0] == shards[1] else None)


def test_an_update_that_empties_a_shard_or_fills_a_new_one(tmp_path):
    """A word only one article has leaves the index with it (its keys' entries go; a shard left
    with no entry is no longer a file), and a new one comes in (a shard file appears)."""
    from scripts.search_index import decode_shard as entries_of

    before = [{"id": "a1", "date": "2024", "title": "党建引领"}, {"id": "b2", "date": "2023", "title": "喆犇骉"}]
    after = [before[0], {**before[1], "title": "鑫淼焱"}]  # as many bytes: the shard count stays
    changed, updated, whole = build_twice(tmp_path, before, after, shard_bytes=1)
    assert changed == 1 and updated == whole
    keys = set().union(*(entries_of(data) for name, data in updated.items() if name.startswith("s/")))
    assert {"鑫淼焱", "鑫淼", "淼"} <= keys and not keys & {"喆犇骉", "犇骉", "犇"}
    old = built_files(tmp_path / "base" / "archive")
    assert set(old) - set(updated) and set(updated) - set(old)  # shards went and came with the words


@pytest.mark.parametrize("change", ["article added", "article removed", "date moved"])
def test_an_index_whose_article_numbers_move_is_built_whole(records, tmp_path, change):
    """Articles are numbered newest first: one added, removed or moved by its date renumbers
    those after it, and the index is built whole (still equal to a build from scratch)."""
    ordered = newest_first(records)
    after = {"article added": ordered + [{**ordered[0], "id": "zz00000000", "date": "1999-01-01"}],
             "article removed": ordered[1:],
             "date moved": [{**ordered[0], "date": "1900-01-01"}, *ordered[1:]]}[change]
    changed, updated, whole = build_twice(tmp_path, ordered, after)
    assert changed is None and updated == whole


def test_a_damaged_previous_index_is_built_whole(records, tmp_path):
    """A previous build with its kept records or state missing, or a shard gone, is no base:
    the index is built whole, never from half of one."""
    from scripts.search_index import RECORDS_SUFFIX, STATE_SUFFIX, build_or_update

    after = [{**records[0], "title": "新标题"}, *records[1:]]
    (tmp_path / "before.jsonl").write_bytes(jsonl(records))
    (tmp_path / "after.jsonl").write_bytes(jsonl(after))
    whole = tmp_path / "whole" / "archive"
    build_or_update(tmp_path / "after.jsonl", whole)
    for n, damage in enumerate((lambda b: b.with_suffix(RECORDS_SUFFIX).unlink(),
                                lambda b: b.with_suffix(STATE_SUFFIX).write_text("{", encoding="utf-8"),
                                lambda b: shutil.rmtree(b / "s"))):
        base = tmp_path / f"base{n}" / "archive"
        build_or_update(tmp_path / "before.jsonl", base)
        damage(base)
        out = tmp_path / f"out{n}" / "archive"
        assert build_or_update(tmp_path / "after.jsonl", out, base) is None
        assert built_files(out) == built_files(whole)


def test_the_hook_updates_the_last_index_in_its_cache(tmp_path, records):
    """scripts/search_hooks.py across builds sharing a cache: the first index is built whole, a
    build after one article changed updates it (in its own process), one with nothing changed
    takes it from the cache; the site gets exactly the index a build from scratch makes."""
    from scripts.search_hooks import prune, start_build, write_site_search

    cache = tmp_path / ".cache" / "search"
    articles = tmp_path / "docs" / "data" / "articles.jsonl"
    articles.parent.mkdir(parents=True)

    def build_site(records: list[dict], name: str):
        articles.write_bytes(jsonl(records))
        site = tmp_path / name
        (site / "search").mkdir(parents=True)
        (site / "search" / "search_index.json").write_text('{"docs": []}', encoding="utf-8")
        build = start_build(articles, True, "bin", cache)
        write_site_search(site, tmp_path / "docs", build=build)
        prune(cache, build)
        files = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "search").rglob("*") if p.is_file()}
        return build.outcome, files

    edited = [{**records[0], "body": (records[0].get("body") or "") + "\n\n编辑补充的一句话"}, *records[1:]]
    assert build_site(records, "site1")[0] == "built whole"
    outcome, updated = build_site(edited, "site2")
    assert outcome == "updated, articles changed: 1"
    assert build_site(edited, "site3") == ("from the cache", updated)
    again = [{**records[0], "title": "再改的标题", "tags": ["新标签"]}, *edited[1:]]  # the same article again
    outcome, updated_again = build_site(again, "site4")  # an update of an update
    assert outcome == "updated, articles changed: 1"
    shutil.rmtree(cache)
    assert build_site(edited, "site5") == ("built whole", updated)
    assert build_site(again, "site6") == ("updated, articles changed: 1", updated_again)
    shutil.rmtree(cache)
    assert build_site(again, "site7") == ("built whole", updated_again)


def test_the_index_starts_when_the_pipeline_writes_the_articles(tmp_path, records, monkeypatch):
    """The hook listens for ``articles.jsonl`` (scripts/events.py): its index process starts
    there (in a thread), MkDocs' ``on_files`` keeps that process (without reading the file
    again), the site gets the index, and the listener is gone after the build. A file of
    another docs folder starts nothing. The next build's ``on_files`` starts its own when no
    pipeline told it."""
    from scripts import events, search_hooks

    docs = tmp_path / "docs"
    articles = docs / "data" / "articles.jsonl"
    articles.parent.mkdir(parents=True)
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / "search" / "search_index.json").write_text('{"docs": []}', encoding="utf-8")
    config = {"plugins": {"search": object()}, "docs_dir": str(docs), "site_dir": str(site),
              "config_file_path": str(tmp_path / "mkdocs.yml"), "use_directory_urls": True}
    search_hooks.on_config(config)
    try:
        articles.write_bytes(jsonl(records))
        other = tmp_path / "other" / "data" / "articles.jsonl"
        other.parent.mkdir(parents=True)
        other.write_bytes(jsonl(records))
        events.tell_articles_written(other)
        assert search_hooks._current == []
        threads = []
        real_start = search_hooks.start
        monkeypatch.setattr(search_hooks, "start", lambda c: threads.append(threading.current_thread()) or real_start(c))
        events.tell_articles_written(articles)
        search_hooks.settle()
        assert threads and threads[0] is not threading.current_thread()  # in the background
        assert len(search_hooks._current) == 1 and search_hooks._current[0].process is not None
        early = search_hooks._current[0]
        with monkeypatch.context() as m:
            m.setattr(search_hooks, "index_folder", lambda *a: pytest.fail("articles.jsonl hashed again"))
            search_hooks.on_files([], config)
        assert search_hooks._current == [early]
        search_hooks.on_post_build(config)
        assert search_hooks.LISTENER not in events.articles_written
        assert early.outcome == "built whole"
        installed = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert installed["config"]["archive"]["docs"] == len(records)
        search_hooks.on_config(config)  # the next build: docs/ as they are, no pipeline
        search_hooks.on_files([], config)
        assert len(search_hooks._current) == 1 and search_hooks._current[0].folder == early.folder
    finally:
        search_hooks.on_shutdown()


def test_materials_plugin_does_not_cut_chinese_with_jieba():
    """Its cuts would be removed again (site_docs): the hook spares the plugin the work."""
    from material.plugins.search import plugin as material_search

    from scripts.search_hooks import on_config

    config = {"plugins": {}}
    assert on_config(config) is config
    assert material_search.jieba is None


def test_a_previous_index_that_goes_while_it_is_read_is_built_whole(records, tmp_path, monkeypatch):
    """Another build may prune the cache entry an update links its files from: the index is
    then built whole, never left half written."""
    import scripts.search_index as search_index

    after = [{**records[0], "title": "新标题"}, *records[1:]]
    (tmp_path / "before.jsonl").write_bytes(jsonl(records))
    (tmp_path / "after.jsonl").write_bytes(jsonl(after))
    base, out, whole = (tmp_path / d / "archive" for d in ("base", "out", "whole"))
    search_index.build_or_update(tmp_path / "before.jsonl", base)
    search_index.build_or_update(tmp_path / "after.jsonl", whole)
    real = search_index.write_update

    def pruned_meanwhile(update, base_folder, folder):
        shutil.rmtree(base_folder / "s")
        real(update, base_folder, folder)

    monkeypatch.setattr(search_index, "write_update", pruned_meanwhile)
    assert search_index.build_or_update(tmp_path / "after.jsonl", out, base) is None
    assert built_files(out) == built_files(whole)


def test_records_are_read_one_per_newline_even_with_a_raw_line_separator(tmp_path):
    """An export written before U+2028 was escaped holds it raw inside a string: still one record."""
    from scripts.search_index import load_records

    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "a", "body": "甲\u2028乙"}\n{"id": "b"}\n', encoding="utf-8")
    assert load_records(path) == [{"id": "a", "body": "甲\u2028乙"}, {"id": "b"}]


def test_what_fails_in_the_background_is_raised_by_the_wait():
    from scripts.search_hooks import in_background

    def fail() -> None:
        raise OSError("articles.jsonl could not be read")

    wait = in_background(fail)
    with pytest.raises(OSError, match="could not be read"):
        wait()
