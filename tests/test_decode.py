"""scripts.decode: every encoding a page has arrived in, and every way a file can fail to be a page."""
from __future__ import annotations

import codecs
import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.decode import decode_bytes, read_page
from scripts.model import DecodedPage, PageError
from scripts.pipeline import PROJECT

SEED = PROJECT / "seeds" / "004_af9ed2a9fbe09997.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
NAME = "seeds/page.txt"

# A real paragraph, with the page's own line breaks.
PARAGRAPH = (
    "烟台高新区坚持把党支部建在产业链上，新成立链上企业党支部38个，选派党建指导员18名，\n"
    "建立健全产业链党建联盟，强化资源整合和产业协同，产业链企业由最初12家发展至如今56家。\n"
    "“党建做实了就是生产力，做强了就是竞争力，做细了就是凝聚力。”\n"
)
TRADITIONAL = (
    "這是國家高新區黨建工作的一個縮影。\n"
    "近年來，園區黨組織與企業攜手發展，為實體經濟注入動能。\n"
    "會議指出，要把黨的建設與產業發展緊密結合，開創新局面。\n"
)


def messages(page: DecodedPage) -> list[str]:
    return [d.message for d in page.diagnostics]


def decode_error(data: bytes, name: str = NAME) -> PageError:
    with pytest.raises(PageError) as caught:
        decode_bytes(data, name)
    return caught.value


# --- text that decodes ---------------------------------------------------------------------

def test_utf8_seed_page_is_unchanged_and_quiet():
    data = SEED.read_bytes()
    page = read_page(SEED, "seeds/004_af9ed2a9fbe09997.txt")
    assert page.encoding == "utf-8"
    assert page.text == SEED_TEXT
    assert page.sha256 == hashlib.sha256(data).hexdigest()
    assert page.file == "seeds/004_af9ed2a9fbe09997.txt"
    assert page.diagnostics == ()


def test_utf8_bom_and_crlf_are_removed():
    data = codecs.BOM_UTF8 + PARAGRAPH.replace("\n", "\r\n").encode("utf-8")
    page = decode_bytes(data, NAME)
    assert page.encoding == "utf-8-sig"
    assert page.text == PARAGRAPH
    assert "\r" not in page.text and "\ufeff" not in page.text
    assert page.sha256 == hashlib.sha256(data).hexdigest()  # of the raw bytes, BOM and all
    assert any("byte-order mark" in m for m in messages(page))


def test_lone_cr_line_endings_become_lf():
    page = decode_bytes(PARAGRAPH.replace("\n", "\r").encode("utf-8"), NAME)
    assert page.text == PARAGRAPH
    assert "line endings normalised to LF (found CR)" in messages(page)


def test_gb18030_page():
    page = decode_bytes(SEED_TEXT.encode("gb18030"), NAME)
    assert page.encoding == "gb18030"
    assert page.text == SEED_TEXT
    assert messages(page) == ["decoded as GB18030"]
    assert all(d.level == "info" and d.file == NAME for d in page.diagnostics)


def test_gbk_page_reads_as_gb18030():
    page = decode_bytes(PARAGRAPH.encode("gbk"), NAME)
    assert (page.encoding, page.text) == ("gb18030", PARAGRAPH)


def test_short_gb18030_that_is_also_valid_utf8_is_read_as_chinese():
    # The GB18030 bytes of 路 are the UTF-8 bytes of ·, and those of 小 are Cyrillic С.
    for text in ("路路路\n", "小小小\n", "昆明路 12号\n"):
        page = decode_bytes(text.encode("gb18030"), NAME)
        assert (page.encoding, page.text) == ("gb18030", text)


@pytest.mark.parametrize("bom, codec, encoding", [
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
])
def test_utf16_with_bom(bom, codec, encoding):
    page = decode_bytes(bom + PARAGRAPH.replace("\n", "\r\n").encode(codec), NAME)
    assert page.encoding == encoding
    assert page.text == PARAGRAPH
    name = encoding.upper().replace("-LE", " LE").replace("-BE", " BE")
    assert f"decoded as {name} (byte-order mark removed)" in messages(page)
    assert "line endings normalised to LF (found CR)" in messages(page)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    page = decode_bytes(SEED_TEXT.encode(codec), NAME)
    assert page.encoding == codec
    assert page.text == SEED_TEXT
    name = codec.upper().replace("-LE", " LE").replace("-BE", " BE")
    assert messages(page) == [f"decoded as {name} (no byte-order mark; detected from NUL bytes)"]


# --- files that are not pages --------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b" \n\t\r\n  \n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n",
                                  codecs.BOM_UTF16_LE + " \n ".encode("utf-16-le")])
def test_empty_or_blank_page_is_an_error(data):
    err = decode_error(data)
    assert err.file == NAME
    assert "empty page" in err.message
    assert str(err).startswith(f"{NAME}: ")


def test_png_is_not_a_text_file():
    rng = random.Random(7)
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4096))
    err = decode_error(data, "seeds/photo.txt")
    assert "not a text file" in err.message
    assert str(err).startswith("seeds/photo.txt:")


def test_nul_bytes_are_not_text_and_the_line_is_given():
    data = PARAGRAPH.encode("utf-8") + b"abc\x00\x01\x02def\x00\x00\x07" * 20
    err = decode_error(data)
    assert "not a text file (found NUL bytes)" in err.message
    assert err.line == 4
    assert str(err).startswith(f"{NAME}:4: ")


def test_random_bytes_without_nuls_are_not_text():
    rng = random.Random(3)
    err = decode_error(bytes(rng.randrange(1, 256) for _ in range(4096)))
    assert "not a text file" in err.message


def test_control_characters_are_not_text():
    err = decode_error(bytes(range(1, 32)) * 50)
    assert "not a text file" in err.message and "control characters" in err.message


def test_invalid_in_every_encoding_names_the_line():
    data = PARAGRAPH.encode("utf-8") + b"\xff\xfe\xff" + "党建\n".encode("utf-8")
    err = decode_error(data)
    assert "not a text file" in err.message and "0xff" in err.message
    assert err.line == 4


def test_broken_utf8_after_a_bom_names_the_line():
    err = decode_error(codecs.BOM_UTF8 + "党建\n引领\n".encode("utf-8") + b"\xc3(")
    assert "not a text file" in err.message and "UTF-8" in err.message
    assert err.line == 3


def test_a_few_control_characters_are_kept_with_a_warning():
    text = PARAGRAPH + "控制\x1b符\n"
    page = decode_bytes(text.encode("utf-8"), NAME)
    assert page.text == text
    [warning] = [d for d in page.diagnostics if d.level == "warning"]
    assert warning.line == 4 and "control character" in warning.message


def test_read_page_of_a_missing_file_names_it(tmp_path):
    with pytest.raises(PageError) as caught:
        read_page(tmp_path / "gone.txt", "seeds/gone.txt")
    assert str(caught.value).startswith("seeds/gone.txt: ")


# --- odd but readable pages ----------------------------------------------------------------

def test_five_megabyte_page_decodes():
    data = (SEED_TEXT * (5_000_000 // len(SEED_TEXT.encode("utf-8")) + 1)).encode("utf-8")
    assert len(data) > 5_000_000
    page = decode_bytes(data, NAME)
    assert page.encoding == "utf-8"
    assert len(page.text) == len(data.decode("utf-8"))
    assert "page is large (5.0 MB)" in messages(page)


def test_single_line_page_is_noted():
    one_line = SEED_TEXT.replace("\n", "")
    page = decode_bytes(one_line.encode("utf-8"), NAME)
    assert page.text == one_line
    assert messages(page) == ["page is one single line"]
    assert page.diagnostics[0].level == "info"


def test_traditional_chinese_is_noted_and_kept():
    page = decode_bytes(TRADITIONAL.encode("utf-8"), NAME)
    assert page.text == TRADITIONAL
    assert "text looks like traditional Chinese; kept as printed" in messages(page)


def test_traditional_text_in_gb18030_is_noted():
    page = decode_bytes(TRADITIONAL.encode("gb18030"), NAME)
    assert (page.encoding, page.text) == ("gb18030", TRADITIONAL)
    assert "text looks like traditional Chinese; kept as printed" in messages(page)


def test_simplified_page_quoting_traditional_is_not_noted():
    page = decode_bytes((SEED_TEXT + "\n（原文：這是國家高新區）\n").encode("utf-8"), NAME)
    assert not any("traditional" in m for m in messages(page))


def test_every_message_names_the_file():
    data = codecs.BOM_UTF16_LE + (TRADITIONAL.replace("\n", "\r\n") * 3 + "\x1b").encode("utf-16-le")
    page = decode_bytes(data, "seeds/odd page.txt")
    assert len(page.diagnostics) >= 4
    assert all(d.file == "seeds/odd page.txt" for d in page.diagnostics)
    assert all(str(d).startswith("seeds/odd page.txt") for d in page.diagnostics)


# --- the property --------------------------------------------------------------------------

# Every character the real seed pages use (Han, CJK and ASCII punctuation, digits, Latin).
SEED_CHARS = sorted({c for p in (PROJECT / "seeds").glob("*.txt") for c in p.read_text(encoding="utf-8")})
chinese_text = st.lists(st.sampled_from(SEED_CHARS + ["\r", "\r\n"]), min_size=1, max_size=400).map("".join)


def with_bom_be(text: str) -> bytes:
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


ENCODERS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "gb18030": lambda t: t.encode("gb18030"),
    "utf-16": lambda t: t.encode("utf-16"),
    "utf-16-be+bom": with_bom_be,
}


@settings(max_examples=300, deadline=None)
@given(text=chinese_text.filter(lambda t: any("\u4e00" <= c <= "\u9fff" for c in t)),
       codec=st.sampled_from(sorted(ENCODERS)))
def test_any_chinese_text_round_trips(text, codec):
    page = decode_bytes(ENCODERS[codec](text), NAME)
    assert page.text == text.replace("\r\n", "\n").replace("\r", "\n")


def test_decoding_keeps_nothing_of_its_callers_alive():
    """A UTF-8 page fails as GB18030 on the way: the error kept must not hold its traceback,
    whose frames lead back to the callers' data (a reference cycle: that data would live until
    the cycle collector ran, 800,000 objects in a 10,000-article rebuild)."""
    import gc
    import weakref

    from scripts.decode import decode_text

    class Marker:
        pass

    def caller():
        held = Marker()  # a caller's data
        decode_text("高新区党建工作。".encode("utf-8") * 20, "x.txt")
        return weakref.ref(held)

    enabled = gc.isenabled()
    gc.disable()
    try:
        assert caller()() is None  # freed when the caller returned
    finally:
        if enabled:
            gc.enable()
