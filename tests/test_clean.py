"""Cleaning rules: data-driven cases (with must-not-change negatives) and properties."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import clean
from scripts.clean import RULES, clean_running_text, clean_text, fix_ocr_slips, han_only, join_wrapped, join_wrapped_lines

CASES = [
    line.split("\t")
    for line in (Path(__file__).parent / "data" / "clean_cases.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]


@pytest.mark.parametrize("label,original,expected", CASES, ids=[c[0] for c in CASES])
def test_clean_case(label, original, expected):
    assert clean_running_text(original) == expected


def test_every_rule_has_a_doctest_example():
    for rule in RULES:
        assert rule.__doc__ and ">>>" in rule.__doc__, f"{rule.__name__} needs a before/after example"


def test_every_rule_is_documented_in_readme():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in {r.__name__ for r in RULES} | {"fix_ocr_slips"}:
        assert f"`{name}`" in readme, f"cleaning rule {name} is not described in README.md"


def test_titles_keep_phrase_separators_running_text_does_not():
    assert clean_text("赓续红色基因 凝聚磅礴伟力") == "赓续红色基因 凝聚磅礴伟力"
    assert clean_running_text("赓续红色基因 凝聚磅礴伟力") == "赓续红色基因凝聚磅礴伟力"


def test_ocr_slips_are_reported():
    text, slips = fix_ocr_slips("楼宇内31家人驻企业，黏合777家人驻企业")
    assert text == "楼宇内31家入驻企业，黏合777家入驻企业"
    assert slips == [("人驻", "入驻"), ("人驻", "入驻")]


# Text shaped like extracted newspaper lines: Han, digits, Latin, spaces, both punctuations.
PIECES = st.sampled_from(
    list("党建高新区青岛企业发展人才") + ["2019", "3.74", "2/3", "1+2+N", "KPI", "e", "CD-MO"]
    + [" ", "  ", ",", "，", ":", "：", ";", "?", "!", "。", '"', "“", "”", "(", ")", "（", "）", "'", "、", "——", "……", "\u3000"]
)
PAGE_TEXT = st.lists(PIECES, max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(PAGE_TEXT)
def test_cleaning_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once
    once = clean_running_text(text)
    assert clean_running_text(once) == once


@settings(max_examples=400, deadline=None)
@given(PAGE_TEXT)
def test_cleaning_never_creates_or_loses_a_han_character(text):
    assert han_only(clean_text(text)) == han_only(text)
    assert han_only(clean_running_text(text)) == han_only(text)


@settings(max_examples=400, deadline=None)
@given(PAGE_TEXT)
def test_cleaning_keeps_every_digit_and_latin_letter(text):
    kept = lambda s: re.sub(r"[^0-9A-Za-z]", "", s)  # noqa: E731
    assert kept(clean_running_text(text)) == kept(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_each_rule_keeps_han_on_any_text(text):
    for rule in RULES:
        assert han_only(rule(text)) == han_only(text), rule.__name__


@settings(max_examples=300, deadline=None)
@given(PAGE_TEXT)
def test_no_space_left_between_han_in_running_text(text):
    assert not re.search(f"[{clean.HAN}][ \\t\\u3000]+[{clean.HAN}]", clean_running_text(text))


def test_every_export_field_is_documented_in_readme(seed_report):
    """A field added to the export without a line in the README fails here."""
    from scripts.write import article_record, source_record

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    page = seed_report.pages[0]
    for key in list(article_record(page.articles[0])) + list(source_record(page)):
        assert f"- `{key}`:" in readme, f"export field {key} is not documented in README.md"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=8).map("".join), max_size=8))
def test_joining_lines_at_once_is_joining_them_one_by_one(lines):
    out = ""
    for line in lines:
        out = join_wrapped(out, line) if out else line
    assert join_wrapped_lines(lines) == out


@pytest.mark.parametrize("spaced, expected", [
    ("青　岛　高　新　区", "青岛高新区"),  # ideographic spaces (U+3000): a heading set wide
    ("记者　张　三", "记者张三"),  # a two-character name padded to the width of three
    ("青\u00a0岛\u00a0高\u00a0新\u00a0区 党建", "青岛高新区党建"),  # no-break spaces
    ("赓续红色基因\u3000凝聚磅礴伟力", "赓续红色基因\u3000凝聚磅礴伟力"),  # a gap between phrases stays
    ("姓名\t张\t三", "姓名\t张\t三"),  # tabs separate columns, not letters
])
def test_letterspacing_of_every_kind_of_space_goes_in_headings(spaced, expected):
    """Titles, kickers, captions and bylines are cleaned by clean_text (no rule removes every
    space between Han there): letter-spacing goes whatever space the PDF set it with."""
    assert clean_text(spaced) == expected
