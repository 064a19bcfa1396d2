"""Benchmark: synthetic archives built from the seed pages' material, through the real pipeline
and site build, against a stock Material set-up on the same Markdown.

    python -m scripts.bench                 # N = 1,000 and 10,000 articles
    python -m scripts.bench --n 200 --no-stock

Prints a table: seconds and MB/s per pipeline stage (decode, segment + clean + check,
permalinks, enrich + link, write; cold, in this process), peak RSS, the site build (MkDocs with
the stamping and search hooks), site size and growth per 1,000 articles, bytes of an article
page, the search index and what queries download; then the whole build as users run it
(``mkdocs build`` from raw pages, no cache), a rebuild after one page file changed (warm cache;
the median of three, each after another change),
``mkdocs serve`` (its CPU while idle, and an edit's time to reload; :func:`serve_figures`),
and the same build with a stock set-up (default Material, full navigation, lunr search) on the
same Markdown, as a ratio (stopped after ``--stock-timeout`` seconds: a lower bound). It is a
benchmark, not a test: nothing here asserts a time.

Synthetic pages are made from the seed articles' material: paragraphs walked through a
word-bigram model of the seed text (the seeds' vocabulary, new sentences), seed headlines and
captions, with zone names, numbers and people varied per page, several articles per page, and three layouts seen
in the seeds (double-spaced column wrap at varying widths, one paragraph per line,
spaces left at wrap points).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .pipeline import PROJECT, UNCHANGED, collect, enrich_report

ARTICLE_CHARS = 2650  # average article length of the reference measurements
REBUILDS = 3  # rebuilds after one page changed: the median is the figure


@dataclass
class Material:
    paragraphs: list[str]
    titles: list[str]
    captions: list[str]
    zones: list[str]
    names: list[str]
    chain: dict[str, list[str]] | None = None  # word -> words seen after it in the seeds


def word_chain(paragraphs: list[str]) -> dict[str, list[str]]:
    """A word-bigram model of the seed text (jieba words): generated text keeps the seeds'
    vocabulary and its spread, but its sentences are new, so pages do not share passages."""
    from .nlp import tokenize

    chain: dict[str, list[str]] = {}
    for p in paragraphs:
        words = ["<s>"] + tokenize(p)
        for a, b in zip(words, words[1:]):
            chain.setdefault(a, []).append(b)
    return chain


def babble(rnd: random.Random, chain: dict[str, list[str]], length: int) -> str:
    """About ``length`` characters of text walked through the word chain, ending a sentence."""
    out, size, word = [], 0, "<s>"
    while size < length or out[-1] not in "。！？":
        nxt = chain.get(word) or chain["<s>"]
        word = rnd.choice(nxt)
        out.append(word)
        size += len(word)
        if size > 3 * length:
            out.append("。")
            break
    return "".join(out)


def seed_material() -> Material:
    """Paragraphs, titles and captions of the seed articles, and names to vary them with."""
    from .bylines import surnames
    from .zones import load_gazetteer

    report = collect(PROJECT / "seeds", root=PROJECT)
    articles = [a for p in report.pages for a in p.articles]
    paragraphs = [p.text for a in articles for p in a.paragraphs if p.kind == "text" and len(p.text) > 40]
    paragraphs += [a.lead for a in articles if a.lead]
    titles = [a.title for a in articles if not a.title_inferred]
    captions = [c.text for a in articles for c in a.captions]
    zones = sorted(z.canonical for z in load_gazetteer() if "（" not in z.canonical)
    given = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国新宏志红"
    singles = sorted(s for s in surnames() if len(s) == 1)
    rnd = random.Random(7)
    names = sorted({rnd.choice(singles) + "".join(rnd.sample(given, rnd.choice([1, 2]))) for _ in range(400)})
    return Material(paragraphs, titles, captions, zones, names, word_chain(paragraphs))


def vary(text: str, rnd: random.Random, zone: str, m: Material) -> str:
    """The same kind of sentence, other facts: the zone and the numbers change."""
    for z in m.zones:
        if z in text:
            text = text.replace(z, zone)
    out, digits = [], "0123456789"
    for ch in text:
        out.append(rnd.choice(digits[1:]) if ch in digits and rnd.random() < 0.5 else ch)
    return "".join(out)


def synthetic_article(rnd: random.Random, m: Material) -> tuple[str, list[str], str, str]:
    """(headline, paragraphs, byline, caption) of one synthetic article of ~ARTICLE_CHARS."""
    zone = rnd.choice(m.zones)
    paras, size = [], 0
    while size < ARTICLE_CHARS * rnd.uniform(0.7, 1.3):
        p = vary(babble(rnd, m.chain, rnd.randint(60, 260)), rnd, zone, m)
        paras.append(p)
        size += len(p)
    title = vary(rnd.choice(m.titles), rnd, zone, m)
    byline = " ".join(rnd.sample(m.names, rnd.choice([1, 2])))
    caption = vary(rnd.choice(m.captions), rnd, zone, m) if m.captions and rnd.random() < 0.4 else ""
    return title, paras, byline, caption


def wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def layout_page(articles: list[tuple[str, list[str], str, str]], rnd: random.Random) -> str:
    """One page in one of the seed layouts."""
    style = rnd.choice(["wrapped", "per-line", "spaced"])
    width = rnd.randint(13, 28)
    lines: list[str] = []
    for title, paras, byline, caption in articles:
        lines += [title, "", byline, ""]
        for k, p in enumerate(paras):
            text = ("本报讯 " + p) if k == 0 else p
            if style == "wrapped":
                for piece in wrap(text, width):
                    lines += [piece, ""]
            elif style == "spaced":
                lines += [" ".join(wrap(text, width)), ""]
            else:
                lines += [text, ""]
        if caption:
            lines += ["", "", caption, "", "图片来源:" + title[:5], ""]
    return "\n".join(lines)


def make_archive(n: int, root: Path, seed: int = 1) -> int:
    """Write about ``n`` articles as pages (1-4 articles each) under ``root/seeds``; bytes."""
    m = seed_material()
    rnd = random.Random(seed)
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    made, page, total = 0, 0, 0
    while made < n:
        k = min(rnd.randint(1, 4), n - made)
        text = layout_page([synthetic_article(rnd, m) for _ in range(k)], rnd)
        data = text.encode("utf-8")
        (seeds / f"{page:06d}.txt").write_bytes(data)
        total += len(data)
        made += k
        page += 1
    return total


def copy_site_config(root: Path) -> None:
    for name in ("mkdocs.yml",):
        shutil.copy(PROJECT / name, root / name)
    generated = shutil.ignore_patterns("a", "tags", "zones", "years", "authors", "topics", "src", "data",
                                       "articles*.md", "index.md", "data.md", "*.xml", "__pycache__")
    for name in ("docs", "overrides", "scripts"):
        if (PROJECT / name).exists():
            shutil.copytree(PROJECT / name, root / name, dirs_exist_ok=True,
                            ignore=generated if name == "docs" else shutil.ignore_patterns("__pycache__"))


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def mkdocs_build(config: Path, site: Path, env: dict, timeout: float | None = None) -> float | None:
    """Seconds of ``mkdocs build`` (None when it ran out of ``timeout``)."""
    t = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                       cwd=config.parent, env=env, check=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - t


def stock_config(root: Path) -> Path:
    """Default Material with full navigation on the same Markdown (no hooks, no pruning)."""
    config = root / "stock.yml"
    config.write_text("site_name: stock\ndocs_dir: docs\ntheme:\n  name: material\n  language: zh\n"
                      "plugins:\n  - search:\n      lang: zh\n", encoding="utf-8")
    return config


def median_page_kb(folder: Path, sample: int = 200) -> float:
    """Median size of the ``*/index.html`` pages of ``folder`` (a sample), in KB."""
    pages = sorted(folder.glob("*/index.html"))[:sample]
    sizes = sorted(p.stat().st_size for p in pages)
    return sizes[len(sizes) // 2] / 1e3 if sizes else 0.0


def settle_after_build(site: Path, timeout: float = 600) -> None:
    """Wait until the old sites set aside beside ``site`` are deleted (``mkdocs_hooks.set_aside``),
    then flush the page cache's writes."""
    end = time.monotonic() + timeout
    while any(site.parent.glob(f".{site.name}.old-*")) and time.monotonic() < end:
        time.sleep(0.5)
    os.sync()


def change_one_page(seeds: Path) -> Path:
    """An editor's fix to one page: a sentence added to the middle page of the archive."""
    files = sorted(seeds.glob("*.txt"))
    page = files[len(files) // 2]
    page.write_text(page.read_text(encoding="utf-8") + "\n\n本报讯 编辑补充的一句话，用于测量重建时间。\n",
                    encoding="utf-8")
    return page


def serve_figures(root: Path, env: dict, wait: float = 900, idle: float = 10) -> dict:
    """``mkdocs serve`` on the archive (warm cache), as an editor uses it: its CPU while idle
    (over ``idle`` seconds; 0: not measured), then, after one page file changed, the seconds until browsers are told to reload (the
    watcher's polling and MkDocs' settling delay included) and how many more rebuilds that one
    edit set off (none is right: a rebuild must not set off another)."""
    import queue
    import signal
    import socket
    import threading

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=lambda: [lines.put((time.perf_counter(), line)) for line in proc.stderr],
                     daemon=True).start()

    def logged(text: str, timeout: float) -> tuple[float | None, list[str]]:
        """When the server logged a line holding ``text`` (None: not within ``timeout``
        seconds), and the lines it logged until then."""
        end, seen = time.perf_counter() + timeout, []
        while (left := end - time.perf_counter()) > 0:
            try:
                at, line = lines.get(timeout=left)
            except queue.Empty:
                break
            seen.append(line)
            if text in line:
                return at, seen
        return None, seen

    def cpu_s() -> float:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    out: dict = {}
    try:
        if logged("Serving on", wait)[0] is None:
            return {"serve": "did not start"}
        if idle and Path(f"/proc/{proc.pid}/stat").exists():
            time.sleep(2)
            used, t = cpu_s(), time.perf_counter()
            time.sleep(idle)
            out["serve: CPU while idle %"] = 100 * (cpu_s() - used) / (time.perf_counter() - t)
        t = time.perf_counter()
        change_one_page(root / "seeds")
        reloaded = logged("Reloading browsers", wait)[0]
        out["serve: one page changed -> browsers reload s"] = reloaded - t if reloaded else f"> {wait:.0f}"
        more = skipped = 0  # the edit's build rewrote files the server watches (the registry)
        while logged("Detected file changes", 5)[0] is not None:  # polled twice a second
            more += 1
            skipped += any(UNCHANGED in line for line in logged("Reloading browsers", wait)[1])
        out["serve: further rebuilds set off by that edit"] = more
        out["serve: of those, pipeline skipped (seeds unchanged)"] = skipped
    finally:
        proc.send_signal(signal.SIGINT)  # MkDocs removes its temporary site on the way out
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def pipeline_stages(root: Path, out: dict) -> None:
    """The pipeline stage by stage, in this process, cold (no cache yet): seconds per stage."""
    from .decode import read_page
    from .pipeline import register_ids, write_redirects
    from .write import write_all

    seeds = root / "seeds"
    t = time.perf_counter()
    for p in sorted(seeds.glob("*.txt")):
        read_page(p, p.name)
    out["decode s"] = time.perf_counter() - t
    t = time.perf_counter()
    origins: dict = {}
    report = collect(seeds, root=root, origins=origins)
    out["segment+clean+check s"] = time.perf_counter() - t
    t = time.perf_counter()
    report, registry = register_ids(report, seeds / "permalinks.yml", root, origins)
    out["permalinks s"] = time.perf_counter() - t
    t = time.perf_counter()
    bases: dict = {}
    report = enrich_report(report, seeds / "tags.yml", root, bases, origins)
    out["enrich+link s"] = time.perf_counter() - t
    t = time.perf_counter()
    write_all(report, root / "docs", root=root, bases=bases)
    write_redirects(registry, report, root / "docs")
    out["write s"] = time.perf_counter() - t
    out["articles"] = sum(len(p.articles) for p in report.pages)


def run(n: int, stock: bool, stock_timeout: float, smaller: dict | None = None) -> dict:
    """Every figure for an archive of ``n`` articles. ``smaller``: the figures of a smaller run,
    whose measured stock build bounds this one's when it is stopped (a stock build is at least
    linear in the number of pages: every page is rendered, with the whole navigation)."""
    root = Path(tempfile.mkdtemp(prefix=f"bench{n}-"))
    raw_bytes = make_archive(n, root)
    copy_site_config(root)
    out: dict = {"articles": n, "raw MB": raw_bytes / 1e6}
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    config = root / "mkdocs.yml"

    # 1. The pipeline stage by stage (cold), then MkDocs on its output (hooks on, pipeline off:
    #    stamping and the search index are part of the site build).
    pipeline_stages(root, out)
    stages = ("decode s", "segment+clean+check s", "permalinks s", "enrich+link s", "write s")
    pipeline_s = sum(out[k] for k in stages)
    for k in stages:
        out[k.replace(" s", " MB/s")] = raw_bytes / 1e6 / out[k] if out[k] else 0
    out["pipeline s"] = pipeline_s
    out["pipeline MB/s"] = raw_bytes / 1e6 / pipeline_s
    out["peak RSS MB (pipeline)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Again, as a fresh process with the cache those stages left (nothing changed): the pipeline
    # part of every rebuild, and of `mkdocs serve` after an edit that changes nothing downstream.
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scripts", "build"], cwd=root, env=env, capture_output=True)
    out["pipeline s (warm cache, nothing changed)"] = time.perf_counter() - t
    out["pipeline MB/s (warm cache)"] = raw_bytes / 1e6 / out["pipeline s (warm cache, nothing changed)"]
    out["site build s (MkDocs + stamping + search)"] = mkdocs_build(config, root / "site",
                                                                  dict(env, ARCHIVE_PIPELINE="off"))
    site = root / "site"
    out["site MB"] = dir_bytes(site) / 1e6
    out["site MB per 1,000 articles"] = out["site MB"] / n * 1000
    out["article page KB (median)"] = median_page_kb(site / "a")
    out["raw-text page KB (median)"] = median_page_kb(site / "src")
    search = site / "search"
    out["search files MB (all chunks)"] = dir_bytes(search) / 1e6 if search.exists() else 0
    try:
        from .search_recall import search_figures
    except ImportError:
        search_figures = None
    if search_figures is not None:
        for k, v in search_figures(site).items():
            out[f"search: {k}"] = v

    # 2. The whole build as users run it, from raw pages (cold: no cache, no generated pages),
    #    then again after one page file changed (warm cache).
    shutil.rmtree(root / ".cache", ignore_errors=True)
    for name in ("a", "src", "tags", "topics", "zones", "authors", "years", "data"):
        shutil.rmtree(root / "docs" / name, ignore_errors=True)
    out["full build s (raw pages -> site, cold)"] = mkdocs_build(config, root / "site", env)
    change_one_page(root / "seeds")
    # The cold build's leftovers are finished first: the old site it set aside, deleted by a
    # detached process (about a minute for 30,000 folders here), and its 1.2 GB of writes,
    # flushed (os.sync). An editor's next build comes minutes later, and both belong to the
    # cold build, which is not charged with them either.
    # The first rebuild, then two more, each after another page changed: the median of the
    # three is the figure (on a shared machine one run can be a second off either way).
    settle_after_build(root / "site")
    rebuilds = [mkdocs_build(config, root / "site", env)]
    for _ in range(REBUILDS - 1):
        change_one_page(root / "seeds")
        settle_after_build(root / "site")
        rebuilds.append(mkdocs_build(config, root / "site", env))
    out["rebuild after one page changed s"] = statistics.median(rebuilds)
    out[f"rebuild after one page changed s, each of {REBUILDS}"] = " / ".join(f"{t:.2f}" for t in rebuilds)
    out["peak RSS MB (mkdocs)"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out.update(serve_figures(root, env))

    # 3. Stock Material (full navigation, lunr + jieba search) on the same Markdown.
    if stock:
        took = mkdocs_build(stock_config(root), root / "stock-site", env, timeout=stock_timeout)
        if took is None:
            bound = stock_timeout
            out["stock build s"] = f"> {stock_timeout:.0f} (stopped)"
            known = smaller and smaller.get("stock build s at least")  # measured, or the smaller run's bound
            if known:
                linear = known * n / smaller["articles"]
                out[f"stock build s, lower bound (linear from N={smaller['articles']:,})"] = f"> {linear:.0f}"
                bound = max(bound, linear)
            out["stock build s at least"] = bound
            out["full build speed-up vs stock"] = f"> {bound / out['full build s (raw pages -> site, cold)']:.1f}×"
        else:
            out["stock build s"] = out["stock build s at least"] = took
            out["stock site MB"] = dir_bytes(root / "stock-site") / 1e6
            out["stock article page KB (median)"] = median_page_kb(root / "stock-site" / "a")
            index = root / "stock-site" / "search" / "search_index.json"
            out["stock search index MB (one file, every query)"] = index.stat().st_size / 1e6 if index.exists() else 0
            out["full build speed-up vs stock"] = took / out["full build s (raw pages -> site, cold)"]
    shutil.rmtree(root, ignore_errors=True)
    return out


def yardstick(rounds: int = 3) -> float:
    """Seconds for a fixed piece of pure-Python work (counting, sorting and hashing words), the
    best of ``rounds``: how fast the machine is right now, so that runs on a busier or slower
    machine can be told apart (each size's run is bracketed by two): 0.25–0.29 s on this
    machine's fast days, 0.34–0.44 s on its slow ones."""
    words = [f"党建{i % 5003}园区{i % 7919}" for i in range(300_000)]
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        counts: dict[str, int] = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        hashlib.sha256("".join(words).encode()).hexdigest()
        best = min(best, time.perf_counter() - started)
    return best


def cell(v) -> str:
    return f"{v:,.2f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-stock", action="store_true", help="skip the stock Material comparison")
    parser.add_argument("--stock-timeout", type=float, default=900,
                        help="stop the stock build after this many seconds and report a lower bound")
    args = parser.parse_args(argv)
    rows = []
    for n in args.n:
        before = yardstick()
        rows.append(run(n, not args.no_stock, args.stock_timeout, rows[-1] if rows else None))
        rows[-1]["machine yardstick s, before / after (fixed pure-Python work)"] = f"{before:.2f} / {yardstick():.2f}"
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr, flush=True)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    print("| figure | " + " | ".join(f"N={r['articles']:,}" for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for k in keys:
        if k != "articles":
            print(f"| {k} | " + " | ".join(cell(r.get(k, "")) for r in rows) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
