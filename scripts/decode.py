"""Raw page bytes -> ``DecodedPage``: find the encoding, drop the BOM, normalise line endings.

Detection order (the first that applies wins):

1. a UTF-8 byte-order mark -> ``"utf-8-sig"``;
2. a UTF-16 byte-order mark -> ``"utf-16-le"`` / ``"utf-16-be"``;
3. NUL bytes: UTF-16 without a mark if the NULs sit (almost) all in the odd byte positions
   (little-endian) or all in the even ones (big-endian) and the result reads as text;
   any other NUL bytes mean the file is not text;
4. strict UTF-8 -> ``"utf-8"``;
5. strict GB18030 -> ``"gb18030"``, only if the result is plausibly Chinese text
   (see ``plausible_share``).

Short texts can be valid in both UTF-8 and GB18030 (the GB18030 bytes of ``"小"`` are UTF-8
for Cyrillic ``"С"``, those of ``"路"`` UTF-8 for ``"·"``). Then both readings are scored
(``reading_score``: how much looks like Chinese text, and how much of it is common Chinese)
and GB18030 wins only by a clear margin. Very short texts stay truly ambiguous (a UTF-8 file
whose only non-ASCII character is ``"·"`` reads as GB18030 ``"路"``); whole newspaper pages
never are in practice: GB18030 text is almost never valid UTF-8 and vice versa.

Errors (``PageError``, the page is skipped): an empty or blank file; a file that is not text
(stray NUL bytes, more than 1% control characters, or invalid in every candidate encoding),
with the line where the problem starts when there is one. Notes on a page that decoded, all
``info``: the encoding when it is not plain UTF-8, CR line endings, text that looks like
traditional Chinese (see ``looks_traditional``), a page that is one single line, a page over
1 MB; and a ``warning`` for the few control characters a page may keep.

Nothing else in the text is changed: no Unicode normalisation, no traditional -> simplified
conversion, no whitespace trimming. Everything here is linear in the size of the page (the
character-class counts run in the ``re`` engine), so a 5 MB page decodes quickly.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple

from .model import DecodedPage, Diagnostic, PageError

EMPTY_PAGE = "empty page"
NOT_TEXT = "not a text file"

LARGE_PAGE_BYTES = 1_000_000  # pages above this (1 MB) get an info diagnostic
MIN_PLAUSIBLE = 0.9  # share of non-blank characters that must look like Chinese/ASCII text
MAX_CONTROL_SHARE = 0.01  # above this share of control characters a page is binary
UTF16_NUL_SIDE = 0.9  # share of NUL bytes that must sit on one side (odd/even) for UTF-16
GB18030_MARGIN = 0.9  # how much better the GB18030 reading must score when UTF-8 is valid too

BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "gb18030": "GB18030",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
}

# Characters a Chinese newspaper page is made of: blanks, printable ASCII, Han (BMP, extension
# A, compatibility), CJK punctuation, kana/bopomofo, fullwidth forms, general punctuation and
# the symbol blocks GB2312 uses (①, ■, ★, →, ×, ·, °, ...). The supplementary-plane Han
# (extension B on) are left out: a page hardly ever uses them, while GB18030 bytes misread as
# UTF-8 produce them (黏 is F0 A4, the start of a four-byte UTF-8 sequence).
_PLAUSIBLE = (
    "\t\n\x0b\x0c\r\x20-\x7e"
    "\u00a0\u00b0\u00b1\u00b7\u00d7\u00f7"
    "\u2000-\u206f\u2100-\u23ff\u2460-\u27bf"
    "\u3000-\u303f\u3040-\u312f\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe6f\uff00-\uffef"
)
_PLAUSIBLE_RUN = re.compile(f"[{_PLAUSIBLE}]+")
# Common Chinese: the 3,755 level-1 characters of GB2312 (rows 0xB0-0xD7) and CJK punctuation.
_LEVEL1 = bytes(b for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF) for b in (hi, lo)).decode(
    "gb2312", errors="ignore")
_COMMON_RUN = re.compile(f"[{_LEVEL1}\u3000-\u303f\uff01-\uff5e\u2014\u2026\u2018\u2019\u201c\u201d]+")
_ASCII_OR_BLANK_RUN = re.compile(r"[\x00-\x7f\s]+")
_BLANK_RUN = re.compile(r"\s+")
# C0 controls except tab, LF, VT, FF, CR; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# Common characters that exist only in traditional Chinese, each paired with its simplified
# form. A page "looks traditional" when it has at least TRADITIONAL_MIN of the traditional
# forms and more of them than of the simplified ones (so a simplified page quoting a
# traditional name or two is not flagged).
TRADITIONAL = "這們國區會黨經業發與為實點開關"
SIMPLIFIED = "这们国区会党经业发与为实点开关"
TRADITIONAL_MIN = 3
_TRADITIONAL_RE = re.compile(f"[{TRADITIONAL}]")
_SIMPLIFIED_RE = re.compile(f"[{SIMPLIFIED}]")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes.

    >>> normalise_newlines("a\\r\\nb\\rc\\n")
    'a\\nb\\nc\\n'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_at(text: str, pos: int) -> int:
    """The 1-based line of character ``pos`` in ``text`` (CR, CRLF and LF all end a line).

    >>> line_at("ab\\ncd\\r\\nef", 0), line_at("ab\\ncd\\r\\nef", 3), line_at("ab\\ncd\\r\\nef", 8)
    (1, 2, 3)
    """
    return normalise_newlines(text[:pos]).count("\n") + 1


def line_at_byte(data: bytes, pos: int, codec: str = "latin-1") -> int:
    """The 1-based line of byte ``pos``; ``codec`` must keep the newline bytes apart.

    Latin-1 works for UTF-8 and GB18030, whose multi-byte sequences never contain CR or LF.

    >>> line_at_byte(b"ab\\r\\ncd\\xff", 6)
    2
    >>> line_at_byte("ab\\ncd".encode("utf-16-le"), 8, "utf-16-le")
    2
    """
    prefix = data[:pos].decode(codec, errors="replace")
    return line_at(prefix, len(prefix))


def bom_of(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces, and the mark's length; ``None`` if none.

    >>> bom_of(b"\\xef\\xbb\\xbfabc"), bom_of(b"\\xff\\xfea\\x00"), bom_of(b"abc")
    (('utf-8-sig', 3), ('utf-16-le', 2), None)
    """
    for mark, encoding in BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` if the NUL bytes follow UTF-16's pattern, else ``None``.

    ASCII characters (digits, newlines, spaces) in UTF-16 have a NUL high byte: in the odd
    positions for little-endian, the even ones for big-endian. Random binary spreads its NULs.

    >>> utf16_without_bom("2024年\\n".encode("utf-16-le")), utf16_without_bom("2024年\\n".encode("utf-16-be"))
    ('utf-16-le', 'utf-16-be')
    >>> utf16_without_bom(b"a\\x00\\x00b"), utf16_without_bom(b"odd\\x00"[:3]) is None
    (None, True)
    """
    if len(data) < 2 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    nuls = even + odd
    if not nuls:
        return None
    if odd >= UTF16_NUL_SIDE * nuls:
        return "utf-16-le"
    if even >= UTF16_NUL_SIDE * nuls:
        return "utf-16-be"
    return None


def plausible_share(text: str) -> float:
    """The share of non-blank characters that look like Chinese newspaper text (1.0 if none).

    >>> plausible_share("党建引领，ABC 123。")
    1.0
    >>> plausible_share("ССС")
    0.0
    """
    blanks = len(text) - len(_BLANK_RUN.sub("", text))
    visible = len(text) - blanks
    if not visible:
        return 1.0
    odd = len(_PLAUSIBLE_RUN.sub("", text))
    return 1.0 - odd / visible


def common_share(text: str) -> float:
    """The share of non-ASCII, non-blank characters that are common Chinese (1.0 if none).

    >>> common_share("党建·引领 ABC"), common_share("···"), round(common_share("鍏氬缓路寮曢"), 2)
    (0.8, 0.0, 0.33)
    """
    rest = _ASCII_OR_BLANK_RUN.sub("", text)
    if not rest:
        return 1.0
    return 1.0 - len(_COMMON_RUN.sub("", rest)) / len(rest)


def reading_score(text: str) -> float:
    """How much a decoding reads like Chinese newspaper text: 0.0 (gibberish) to 2.0.

    >>> reading_score("路路路"), reading_score("···"), reading_score("ССС")
    (2.0, 1.0, 0.0)
    """
    return plausible_share(text) + common_share(text)


def control_count(text: str) -> int:
    """How many control characters (other than tab, newlines, VT and FF) ``text`` holds.

    >>> control_count("a\\tb\\n\\x01c\\x7f")
    2
    """
    return len(text) - len(_CONTROL.sub("", text))


def looks_traditional(text: str) -> bool:
    """True if the text uses common traditional-only characters more than their simplified forms.

    >>> looks_traditional("這是國家高新區的黨建工作")
    True
    >>> looks_traditional("这是国家高新区的党建工作，引用「國」字")
    False
    """
    traditional = len(_TRADITIONAL_RE.findall(text))
    return traditional >= TRADITIONAL_MIN and traditional > len(_SIMPLIFIED_RE.findall(text))


def _strict(data: bytes, codec: str) -> str | UnicodeDecodeError:
    """``data`` decoded strictly, or the error that stopped it, without its traceback: the
    traceback's frames lead back through every caller, so the caller holding the error would
    hold them in a reference cycle, and with them all the build's data until the collector
    runs (800,000 objects kept, and one collection of a second, after decoding one UTF-8
    page, which fails as GB18030, in a 10,000-article rebuild)."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        return err.with_traceback(None)


def _with_bom(data: bytes, file: str, encoding: str, skip: int) -> str:
    """The text after a byte-order mark, which must decode strictly in the announced encoding."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    body = data[skip:]
    text = _strict(body, codec)
    if isinstance(text, UnicodeDecodeError):
        line = line_at_byte(body, text.start, "latin-1" if codec == "utf-8" else codec)
        raise PageError(file, f"{NOT_TEXT} (starts with a {ENCODING_NAMES[encoding]} byte-order mark "
                              f"but is not valid {ENCODING_NAMES[encoding]})", line)
    return text


def _with_nuls(data: bytes, file: str) -> tuple[str, str]:
    """Bytes holding NULs: UTF-16 without a mark, or else not text at all."""
    encoding = utf16_without_bom(data)
    if encoding is not None:
        text = _strict(data, encoding)
        if isinstance(text, str) and plausible_share(text) >= MIN_PLAUSIBLE:
            return encoding, text
    raise PageError(file, f"{NOT_TEXT} (found NUL bytes)", line_at_byte(data, data.index(0)))


def _utf8_or_gb18030(data: bytes, file: str) -> tuple[str, str]:
    """Bytes without NULs or a mark: UTF-8, else GB18030 if it reads as Chinese text.

    >>> _utf8_or_gb18030("路路路".encode("gb18030"), "x.txt"), _utf8_or_gb18030("党建·引领".encode(), "x.txt")
    (('gb18030', '路路路'), ('utf-8', '党建·引领'))
    """
    utf8 = _strict(data, "utf-8")
    if isinstance(utf8, str) and data.isascii():
        return "utf-8", utf8
    gb = _strict(data, "gb18030")
    if isinstance(utf8, str):
        if isinstance(gb, str) and reading_score(gb) >= reading_score(utf8) + GB18030_MARGIN:
            return "gb18030", gb
        return "utf-8", utf8
    line = line_at_byte(data, utf8.start)
    if isinstance(gb, str) and plausible_share(gb) >= MIN_PLAUSIBLE:
        return "gb18030", gb
    bad = data[utf8.start]
    why = "does not read as Chinese text in GB18030" if isinstance(gb, str) else "is not valid GB18030 either"
    raise PageError(file, f"{NOT_TEXT} (byte 0x{bad:02x} is not valid UTF-8, and the file {why})", line)


class Decoded(NamedTuple):
    """What ``decode_text`` found out about a page's bytes."""

    encoding: str
    text: str  # BOM removed, line endings normalised
    had_bom: bool
    had_cr: bool  # the raw text used CRLF or CR line endings


def decode_text(data: bytes, file: str) -> Decoded:
    """Decode ``data``: the text with the BOM removed and line endings normalised.

    Raises ``PageError`` naming ``file`` (and the line, when the problem has one) for an empty
    page or one that is not text.

    >>> decode_text("党建\\r\\n".encode("gb18030") * 3, "x.txt")
    Decoded(encoding='gb18030', text='党建\\n党建\\n党建\\n', had_bom=False, had_cr=True)
    """
    bom = bom_of(data)
    if bom is not None:
        encoding, skip = bom
        text = _with_bom(data, file, encoding, skip)
    elif 0 in data:
        encoding, text = _with_nuls(data, file)
    else:
        encoding, text = _utf8_or_gb18030(data, file)
    had_cr = "\r" in text
    text = normalise_newlines(text)
    if not text.strip():
        raise PageError(file, EMPTY_PAGE)
    controls = control_count(text)
    if controls > MAX_CONTROL_SHARE * len(text):
        first = _CONTROL.search(text)
        line = line_at(text, first.start()) if first else None
        raise PageError(file, f"{NOT_TEXT} ({controls} control characters)", line)
    return Decoded(encoding, text, bom is not None, had_cr)


def page_notes(data: bytes, decoded: Decoded, file: str) -> list[Diagnostic]:
    """The info (and warning) diagnostics for a page that decoded."""
    notes: list[Diagnostic] = []
    encoding, text = decoded.encoding, decoded.text
    if encoding == "utf-8-sig":
        notes.append(Diagnostic(file, "decoded as UTF-8 with a byte-order mark (mark removed)", level="info"))
    elif encoding == "gb18030":
        notes.append(Diagnostic(file, "decoded as GB18030", level="info"))
    elif encoding != "utf-8":
        how = "byte-order mark removed" if decoded.had_bom else "no byte-order mark; detected from NUL bytes"
        notes.append(Diagnostic(file, f"decoded as {ENCODING_NAMES[encoding]} ({how})", level="info"))
    if decoded.had_cr:
        notes.append(Diagnostic(file, "line endings normalised to LF (found CR)", level="info"))
    controls = control_count(text)
    if controls:
        first = _CONTROL.search(text)
        notes.append(Diagnostic(file, f"{controls} control character(s) kept as is",
                                line_at(text, first.start()) if first else None, "warning"))
    if looks_traditional(text):
        notes.append(Diagnostic(file, "text looks like traditional Chinese; kept as printed", level="info"))
    if "\n" not in text.strip():
        notes.append(Diagnostic(file, "page is one single line", level="info"))
    if len(data) > LARGE_PAGE_BYTES:
        notes.append(Diagnostic(file, f"page is large ({len(data) / 1_000_000:.1f} MB)", level="info"))
    return notes


def decode_bytes(data: bytes, file: str) -> DecodedPage:
    """Decode one page's raw bytes; ``file`` is the name used in every message.

    >>> page = decode_bytes("\\ufeff党建\\r\\n引领".encode("utf-8"), "seeds/x.txt")
    >>> page.encoding, page.text, [d.message for d in page.diagnostics]
    ('utf-8-sig', '党建\\n引领', ['decoded as UTF-8 with a byte-order mark (mark removed)', 'line endings normalised to LF (found CR)'])
    """
    try:
        decoded = decode_text(data, file)
    except PageError as err:
        raise PageError(file, f"{err.message}; skipped", err.line) from None
    return DecodedPage(
        file=file,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        text=decoded.text,
        diagnostics=tuple(page_notes(data, decoded, file)),
    )


def read_page(path: Path, file: str) -> DecodedPage:
    """Read and decode the page at ``path``; ``file`` is its display name."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PageError(file, f"cannot be read ({err.strerror or err}); skipped") from None
    return decode_bytes(data, file)
