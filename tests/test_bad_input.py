"""Bad input, end to end: one real seed page plus one bad file (or manifest) through the whole build.

Whatever the bad input, the build must not raise, the good page must still be published, and
the report must say what happened, naming the file (and line).
"""
from __future__ import annotations

import codecs
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from scripts.__main__ import main
from scripts.model import BuildReport, Diagnostic
from scripts.pipeline import PROJECT, build

SEEDS = PROJECT / "seeds"
GOOD = "004_af9ed2a9fbe09997.txt"
MANIFEST = "seeds/manifest.yml"

TRADITIONAL = """\
高新區黨建引領產業發展

本報訊 近年來，這個高新區堅持以黨建為引領，把黨組織建在產業鏈上，為企業發展注入強勁動能。

園區黨工委負責人表示，黨建工作與經濟發展緊密結合，實現了組織覆蓋和工作覆蓋。目前，區內已成立企業黨支部四十餘個，選派黨建指導員二十名。

下一步，該區將繼續深化黨建聯建，開創高質量發展新局面。
"""


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def big_page() -> str:
    """A seed page's paragraphs repeated to more than 5 MB."""
    paras = paragraphs(seed_text("003_9a181a58ee905e99.txt"))
    chunk = "\n\n".join(paras) + "\n\n"
    return chunk * (5_000_000 // len(chunk.encode("utf-8")) + 1)


def png_bytes() -> bytes:
    rng = random.Random(11)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(8192))


@dataclass(frozen=True)
class Case:
    """One bad input: what to write into the seeds folder, and what the build must report."""

    name: str  # file written into seeds/
    data: Callable[[], bytes]
    unreadable: bool = False  # the page must be skipped with an error naming it
    encoding: str | None = None  # the page must be published with this encoding
    note: str | None = None  # a diagnostic about the file must contain this
    line: int | None = None  # ... at this line (manifest problems)


CASES = [
    Case("100_gb18030.txt", lambda: seed_text("001_6d4246282dc5ecd1.txt").encode("gb18030"),
         encoding="gb18030", note="decoded as GB18030"),
    Case("101_utf16.txt", lambda: codecs.BOM_UTF16_LE + seed_text("002_fbe408a056bf63f5.txt").encode("utf-16-le"),
         encoding="utf-16-le", note="decoded as UTF-16 LE"),
    Case("102_utf16be_nobom.txt", lambda: seed_text("000_a691e7d89ea48c5a.txt").encode("utf-16-be"),
         encoding="utf-16-be", note="decoded as UTF-16 BE"),
    Case("103_bom_crlf.txt",
         lambda: codecs.BOM_UTF8 + seed_text("003_9a181a58ee905e99.txt").replace("\n", "\r\n").encode("utf-8"),
         encoding="utf-8-sig", note="byte-order mark"),
    Case("104_empty.txt", lambda: b"", unreadable=True, note="empty page"),
    Case("105_binary.txt", png_bytes, unreadable=True, note="not a text file"),
    Case("106_big.txt", lambda: big_page().encode("utf-8"), encoding="utf-8", note="page is large"),
    Case("107_one_line.txt", lambda: seed_text("001_6d4246282dc5ecd1.txt").replace("\n", "").encode("utf-8"),
         encoding="utf-8", note="page is one single line"),
    Case("108_traditional.txt", lambda: TRADITIONAL.encode("utf-8"),
         encoding="utf-8", note="traditional Chinese"),
    Case("manifest.yml", lambda: f"pages:\n  {GOOD}:\n    column: 党建\n   notes: [x\n".encode("utf-8"),
         note="not valid YAML", line=4),
    Case("manifest.yml", lambda: f"pages:\n  {GOOD}:\n    column: 党建\n  999_gone.txt:\n    page: 3\n".encode(),
         note="999_gone.txt", line=4),
]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def file_name(record: dict) -> str:
    """The page file name an articles.jsonl or sources.jsonl record comes from."""
    return Path(record.get("file") or record["source"]["file"]).name


def about(report: BuildReport, display: str) -> list[Diagnostic]:
    return [d for d in report.diagnostics if d.file == display]


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A tmp project: seeds/ holding one real seed page, and an empty docs/."""
    seeds, docs = tmp_path / "seeds", tmp_path / "docs"
    seeds.mkdir()
    docs.mkdir()
    shutil.copy(SEEDS / GOOD, seeds / GOOD)
    return seeds, docs


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name if c.name != "manifest.yml" else f"manifest-{c.note}")
def test_bad_input_does_not_stop_the_build(project, tmp_path, case):
    seeds, docs = project
    (seeds / case.name).write_bytes(case.data())
    display = f"seeds/{case.name}"

    report = build(seeds, docs, root=tmp_path)  # must not raise

    articles = read_jsonl(docs / "data" / "articles.jsonl")
    sources = read_jsonl(docs / "data" / "sources.jsonl")
    assert any(file_name(a) == GOOD for a in articles), "the good page lost its articles"
    assert all(isinstance(a["source"]["file"], str) for a in articles)
    diagnostics = about(report, display)
    notes = [d for d in diagnostics if case.note in d.message]
    assert notes, f"no diagnostic about {display} mentions {case.note!r}: {[str(d) for d in report.diagnostics]}"

    if case.unreadable:
        assert any(d.level == "error" and display in str(d) for d in notes)
        assert report.failed
        assert not any(file_name(a) == case.name for a in articles)
        assert not any(file_name(s) == case.name for s in sources)
    if case.encoding:
        [record] = [s for s in sources if file_name(s) == case.name]
        assert record["encoding"] == case.encoding
        assert not any(d.level == "error" for d in diagnostics), [str(d) for d in diagnostics]
    if case.encoding and case.note.startswith(("decoded", "byte-order")):
        assert any(file_name(a) == case.name for a in articles), "a re-encoded seed page lost its articles"
    if case.line:
        assert any(d.line == case.line and str(d).startswith(f"{MANIFEST}:{case.line}: ") for d in notes)


def test_good_page_builds_the_same_next_to_a_bad_one(project, tmp_path):
    seeds, docs = project
    build(seeds, docs, root=tmp_path)
    alone = [a for a in read_jsonl(docs / "data" / "articles.jsonl") if file_name(a) == GOOD]
    (seeds / "105_binary.txt").write_bytes(png_bytes())
    build(seeds, docs, root=tmp_path)
    beside = [a for a in read_jsonl(docs / "data" / "articles.jsonl") if file_name(a) == GOOD]
    assert alone and beside == alone


def test_cli_exit_code_is_0_when_all_is_fine(project, capsys):
    seeds, docs = project
    assert main(["build", "--seeds", str(seeds), "--docs", str(docs)]) == 0
    assert "0 errors" in capsys.readouterr().out


def test_cli_exit_code_is_1_for_an_unreadable_page(project, capsys):
    seeds, docs = project
    (seeds / "104_empty.txt").write_bytes(b"")
    assert main(["build", "--seeds", str(seeds), "--docs", str(docs)]) == 1
    err = capsys.readouterr().err
    assert "104_empty.txt" in err and "empty page" in err
    assert any(file_name(a) == GOOD for a in read_jsonl(docs / "data" / "articles.jsonl"))


def test_a_page_the_segmenter_fails_on_is_an_error_naming_its_file(monkeypatch):
    """A bug met on one page (an exception inside segmentation) is reported against that page's
    file; it does not escape and stop the archive."""
    import scripts.segment
    from scripts.model import DecodedPage, PageMeta
    from scripts.pipeline import process_decoded

    def broken(page, meta):
        raise ValueError("boom")

    monkeypatch.setattr(scripts.segment, "segment_page", broken)
    page = DecodedPage("seeds/bad.txt", "0" * 64, "utf-8", "青岛高新区党建\n")
    result, diags = process_decoded(page, PageMeta())
    assert result is None
    assert [(d.file, d.level) for d in diags] == [("seeds/bad.txt", "error")]
    assert "ValueError: boom" in diags[0].message
