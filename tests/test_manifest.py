"""scripts.manifest: reading seeds/manifest.yml, and every way it can be wrong without stopping the build."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from scripts.manifest import load_manifest
from scripts.model import Diagnostic, PageMeta
from scripts.pipeline import PROJECT, page_files

DISPLAY = "seeds/manifest.yml"
PAGES = ["000_a.txt", "001_b.txt", "002_c.txt"]


def load(tmp_path: Path, text: str, pages: list[str] = PAGES) -> tuple[dict[str, PageMeta], list[Diagnostic]]:
    path = tmp_path / "manifest.yml"
    path.write_text(text, encoding="utf-8")
    return load_manifest(path, pages, DISPLAY)


def only(diagnostics: list[Diagnostic], level: str) -> Diagnostic:
    assert [d.level for d in diagnostics] == [level], [str(d) for d in diagnostics]
    return diagnostics[0]


VALID = """\
# a comment
pages:
  000_a.txt:
    newspaper: 中国高新技术产业导报
    date: 2024-04-22
    page: 4
    column: 党建
    notes: |
      两篇报道
      一张图片
  001_b.txt:
    date: 2024-04
    page: "04"
  002_c.txt:
"""


def test_valid_manifest(tmp_path):
    metas, diagnostics = load(tmp_path, VALID)
    assert diagnostics == []
    assert metas["000_a.txt"] == PageMeta(newspaper="中国高新技术产业导报", date="2024-04-22", page="4",
                                          column="党建", notes="两篇报道\n一张图片")
    assert metas["001_b.txt"] == PageMeta(date="2024-04", page="04")
    assert metas["002_c.txt"] == PageMeta()


def test_year_only_date_and_null_fields(tmp_path):
    metas, diagnostics = load(tmp_path, "pages:\n  000_a.txt:\n    date: 2024\n    newspaper: ~\n")
    assert diagnostics == []
    assert metas == {"000_a.txt": PageMeta(date="2024")}


def test_pages_not_named_have_no_entry(tmp_path):
    metas, _ = load(tmp_path, "pages:\n  000_a.txt:\n    column: 党建\n")
    assert set(metas) == {"000_a.txt"}


def test_missing_manifest(tmp_path):
    assert load_manifest(tmp_path / "manifest.yml", PAGES, DISPLAY) == ({}, [])


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "pages:\n"])
def test_empty_manifest(tmp_path, text):
    assert load(tmp_path, text) == ({}, [])


def test_bom_and_crlf_manifest(tmp_path):
    path = tmp_path / "manifest.yml"
    path.write_bytes(codecs.BOM_UTF8 + "pages:\r\n  000_a.txt:\r\n    column: 党建\r\n".encode("utf-8"))
    assert load_manifest(path, PAGES, DISPLAY) == ({"000_a.txt": PageMeta(column="党建")}, [])


@pytest.mark.parametrize("text, line", [
    ("pages:\n  000_a.txt:\n    column: 党建\n   notes: [x\n", 4),
    ("pages:\n  000_a.txt: {column: 党建\n  001_b.txt:\n", 3),
    ("pages:\n\t000_a.txt:\n", 2),
    ("pages:\n  000_a.txt:\n    notes: \"unclosed\n\n\n", 6),
])
def test_yaml_error_names_the_manifest_and_line(tmp_path, text, line):
    metas, diagnostics = load(tmp_path, text)
    assert metas == {}
    error = only(diagnostics, "error")
    assert error.file == DISPLAY
    assert error.line == line
    assert str(error).startswith(f"{DISPLAY}:{line}: error: manifest is not valid YAML: ")
    assert error.message.endswith("; building without it")


def test_entry_for_a_missing_file(tmp_path):
    text = "pages:\n  000_a.txt:\n    column: 党建\n  999_gone.txt:\n    column: 党建\n"
    metas, diagnostics = load(tmp_path, text)
    assert metas == {"000_a.txt": PageMeta(column="党建")}
    warning = only(diagnostics, "warning")
    assert warning.file == DISPLAY and warning.line == 4
    assert "999_gone.txt" in warning.message
    assert str(warning).startswith(f"{DISPLAY}:4: warning: ")


def test_unknown_field(tmp_path):
    metas, diagnostics = load(tmp_path, "pages:\n  000_a.txt:\n    column: 党建\n    titel: 标题\n")
    assert metas == {"000_a.txt": PageMeta(column="党建")}
    warning = only(diagnostics, "warning")
    assert warning.line == 4 and "'titel'" in warning.message and "000_a.txt" in warning.message


def test_unknown_top_level_key(tmp_path):
    metas, diagnostics = load(tmp_path, "paper: x\npages:\n  000_a.txt: {page: 2}\n")
    assert metas == {"000_a.txt": PageMeta(page="2")}
    warning = only(diagnostics, "warning")
    assert warning.line == 1 and "'paper'" in warning.message


@pytest.mark.parametrize("date", ["2024-02-30", "2024-13", "2024-4-22", "22.04.2024", "2024-04-22 10:00", "去年"])
def test_bad_date_is_ignored_with_a_warning(tmp_path, date):
    metas, diagnostics = load(tmp_path, f"pages:\n  000_a.txt:\n    page: 4\n    date: {date}\n")
    assert metas == {"000_a.txt": PageMeta(page="4")}
    warning = only(diagnostics, "warning")
    assert warning.line == 4 and date in warning.message and "000_a.txt" in warning.message


def test_field_that_is_not_text(tmp_path):
    metas, diagnostics = load(tmp_path, "pages:\n  000_a.txt:\n    page: [3, 4]\n    column: 党建\n")
    assert metas == {"000_a.txt": PageMeta(column="党建")}
    assert only(diagnostics, "warning").line == 3


@pytest.mark.parametrize("text, line", [
    ("- 000_a.txt\n- 001_b.txt\n", 1),
    ("pages:\n  - 000_a.txt\n", 2),
    ("just a sentence\n", 1),
])
def test_wrong_shape_is_an_error(tmp_path, text, line):
    metas, diagnostics = load(tmp_path, text)
    assert metas == {}
    error = only(diagnostics, "error")
    assert error.file == DISPLAY and error.line == line


def test_entry_that_is_not_a_mapping_is_skipped(tmp_path):
    metas, diagnostics = load(tmp_path, "pages:\n  000_a.txt: 党建版\n  001_b.txt:\n    page: 2\n")
    assert metas == {"001_b.txt": PageMeta(page="2")}
    error = only(diagnostics, "error")
    assert error.line == 2 and "000_a.txt" in error.message


def test_repeated_entry_warns_and_the_later_wins(tmp_path):
    metas, diagnostics = load(tmp_path, "pages:\n  000_a.txt: {page: 1}\n  000_a.txt: {page: 2}\n")
    assert metas == {"000_a.txt": PageMeta(page="2")}
    assert only(diagnostics, "warning").line == 3


def test_manifest_that_is_not_text(tmp_path):
    path = tmp_path / "manifest.yml"
    path.write_bytes(b"pages:\n\x00\x01\x02\xff\x00")
    metas, diagnostics = load_manifest(path, PAGES, DISPLAY)
    assert metas == {}
    assert "not a text file" in only(diagnostics, "error").message


def test_project_manifest_loads_cleanly():
    seeds = PROJECT / "seeds"
    names = [p.name for p in page_files(seeds)]
    metas, diagnostics = load_manifest(seeds / "manifest.yml", names, DISPLAY)
    assert diagnostics == []
    assert sorted(metas) == sorted(names) and len(names) == 5
    for name, meta in metas.items():
        assert meta.notes and "\n" not in meta.notes, name
