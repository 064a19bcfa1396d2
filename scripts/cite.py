"""How to cite an article: reference texts, Highwire Press ``<meta>`` tags and schema.org JSON-LD.

Everything here works on an article's record (``write.article_record``, whose keys the page's
front matter repeats, so the MkDocs hook can cite a page from ``page.meta`` alone):

- :func:`citations`: the article in five forms, keyed by ``FORMATS``:

  ``gbt7714``      GB/T 7714—2015, newspaper: ``作者.题名[N].报纸名,出版日期(版次).``
  ``gbt7714-url``  the same seen online: ``作者.题名[N/OL].报纸名,出版日期(版次)[引用日期].URL``
  ``apa``          APA 7th edition, newspaper article (names and title in their own script)
  ``bibtex``       ``@article`` with ``journal`` = the newspaper (BibTeX and biblatex fields)
  ``ris``          ``TY  - NEWS`` … ``ER  - `` (EndNote, Zotero, Mendeley)

- :func:`highwire`: ``citation_*`` meta tags (Google Scholar, Zotero); :func:`json_ld`: a
  schema.org ``NewsArticle``; :func:`page_data`: all of it for one page, as the templates use it.

What the archive does not know is said, never guessed: no newspaper in the manifest ->
``[报纸名不详]`` (and no ``citation_journal_title``, no ``publisher``); no date ->
``[出版日期不详]`` / ``n.d.``; a date inferred from the text is marked (``（推断）`` in GB/T,
``ca.`` in APA, ``note = {date inferred from text}`` in BibTeX and RIS); a title the archive
derived from the text (``title_inferred``) is put in square brackets, the convention for
information the cataloguer supplies. No authors: GB/T starts with the title, APA moves the title
to the author position.

The URL is ``<site_url>a/<id>/`` when MkDocs has a ``site_url``; without one the texts carry the
site-relative path ``a/<id>/`` (the page's script, ``docs/assets/archive.js``, replaces it with
the address the reader sees) and the head tags use page-relative URLs.
"""
from __future__ import annotations

import html
import json
import re
from datetime import date as Date
from typing import Mapping

from .model import Article

FORMATS = (
    ("gbt7714", "GB/T 7714—2015"),
    ("gbt7714-url", "GB/T 7714—2015（电子资源）"),
    ("apa", "APA（第 7 版）"),
    ("bibtex", "BibTeX"),
    ("ris", "RIS（EndNote、Zotero）"),
)
ARCHIVE_NAME = "高新区党建报道数字档案"
UNKNOWN_NEWSPAPER = "[报纸名不详]"
UNKNOWN_DATE = "[出版日期不详]"
INFERRED_DATE_MARK = "（推断）"
INFERRED_DATE_NOTE = "date inferred from text"
INFERRED_TITLE_NOTE = "title supplied by the archive"
GBT_MAX_AUTHORS = 3  # GB/T 7714: the first three, then "等"
APA_MAX_AUTHORS = 20  # APA 7: up to 20 names; beyond, the first 19, "…", the last
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Marks standing in for the URL and the access date while a text is turned into HTML: the page
# wraps both in <span>s that the script updates. NUL never occurs in decoded page text.
_URL_MARK, _DATE_MARK = "\x00url\x00", "\x00date\x00"


# --- the record ---------------------------------------------------------------------------

def record_of(a: Article | Mapping) -> Mapping:
    """The article's record: ``a`` itself when it is one (e.g. a page's front matter)."""
    if isinstance(a, Mapping):
        return a
    from .write import article_record

    return article_record(a)


def article_url(article_id: str, site_url: str | None) -> str:
    """The article's address: absolute under ``site_url``, else the path from the site's root.

    >>> article_url("0af460c448", "https://example.org/archive"), article_url("0af460c448", None)
    ('https://example.org/archive/a/0af460c448/', 'a/0af460c448/')
    """
    path = f"a/{article_id}/"
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _date_parts(value: str | None) -> tuple[str, str | None, str | None] | None:
    m = _DATE.match(value or "")
    return (m.group(1), m.group(2), m.group(3)) if m else None


def _inferred(rec: Mapping) -> bool:
    return bool(rec.get("date")) and rec.get("date_basis") == "inferred"


def _title(rec: Mapping) -> str:
    """Headline, with the subtitle after a colon (its printed dashes dropped); a title derived
    by the archive in square brackets."""
    title = _one_line(rec.get("title"))
    subtitle = _one_line(rec.get("subtitle")).lstrip("—-― ").strip()
    if subtitle:
        title = f"{title}：{subtitle}"
    return f"[{title}]" if rec.get("title_inferred") else title


def _authors(rec: Mapping) -> list[str]:
    return [n for n in (_one_line(n) for n in rec.get("authors") or ()) if n]


def _accessed(access_date: str | Date) -> str:
    return access_date.isoformat() if isinstance(access_date, Date) else str(access_date)


# --- the five texts -----------------------------------------------------------------------

def gbt7714(rec: Mapping, url: str | None = None, accessed: str | None = None) -> str:
    """GB/T 7714—2015, newspaper article; with ``url``, the electronic form ``[N/OL]``."""
    authors = _authors(rec)
    who = ",".join(authors[:GBT_MAX_AUTHORS]) + (",等" if len(authors) > GBT_MAX_AUTHORS else "")
    when = _one_line(rec.get("date")) or UNKNOWN_DATE
    if _inferred(rec):
        when += INFERRED_DATE_MARK
    page = _one_line(rec.get("page"))
    text = (f"{who}." if who else "") + f"{_title(rec)}[{'N/OL' if url else 'N'}]."
    text += f"{_one_line(rec.get('newspaper')) or UNKNOWN_NEWSPAPER},{when}" + (f"({page})" if page else "")
    return text + (f"[{accessed}].{url}" if url else ".")


def _apa_authors(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) > APA_MAX_AUTHORS:
        return ", ".join(names[:APA_MAX_AUTHORS - 1]) + ", . . . " + names[-1]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _apa_date(rec: Mapping) -> str:
    parts = _date_parts(rec.get("date"))
    if not parts:
        return "(n.d.)"
    year, month, day = parts
    text = year + (f", {MONTHS[int(month) - 1]}" if month and 1 <= int(month) <= 12 else "")
    text += f" {int(day)}" if day and month else ""
    return f"(ca. {text})" if _inferred(rec) else f"({text})"


def _end(text: str) -> str:
    return text if text.endswith(("?", "!", "？", "！", ".", "。")) else text + "."


def apa(rec: Mapping, url: str | None = None) -> str:
    """APA 7th edition, newspaper article; no authors: the title comes first."""
    authors = _authors(rec)
    title = _end(_title(rec))
    page = _one_line(rec.get("page"))
    source = (_one_line(rec.get("newspaper")) or UNKNOWN_NEWSPAPER) + (f", {page}" if page else "") + "."
    if authors:
        text = f"{_end(_apa_authors(authors))} {_apa_date(rec)}. {title} {source}"
    else:
        text = f"{title} {_apa_date(rec)}. {source}"
    return text + (f" {url}" if url else "")


_BIBTEX_SPECIAL = str.maketrans({
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
    "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
})


def bibtex_escape(text: str) -> str:
    r"""Text for a BibTeX field: LaTeX's special characters escaped, braces always balanced.

    >>> print(bibtex_escape("R&D {x} 50% a_b ~ \\"))
    R\&D \{x\} 50\% a\_b \~{} \textbackslash{}
    """
    return _one_line(text).translate(_BIBTEX_SPECIAL)


def _bibtex_url(url: str) -> str:
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20").replace("\\", "%5C")


def bibtex_key(rec: Mapping) -> str:
    return "gxqdj-" + re.sub(r"[^A-Za-z0-9_-]", "", str(rec.get("id") or ""))


def bibtex(rec: Mapping, url: str | None = None, accessed: str | None = None) -> str:
    """``@article`` (biblatex's ``date``/``urldate`` beside BibTeX's ``year``/``month``)."""
    fields: list[tuple[str, str]] = []
    authors = _authors(rec)
    if authors:
        fields.append(("author", "{" + " and ".join("{" + bibtex_escape(n) + "}" for n in authors) + "}"))
    fields.append(("title", "{{" + bibtex_escape(_title(rec)) + "}}"))
    fields.append(("journal", "{" + bibtex_escape(_one_line(rec.get("newspaper")) or UNKNOWN_NEWSPAPER) + "}"))
    parts = _date_parts(rec.get("date"))
    if parts:
        year, month, _ = parts
        fields.append(("year", "{" + year + "}"))
        if month and 1 <= int(month) <= 12:
            fields.append(("month", BIBTEX_MONTHS[int(month) - 1]))
        fields.append(("date", "{" + rec["date"] + "}"))
    if _one_line(rec.get("page")):
        fields.append(("pages", "{" + bibtex_escape(rec["page"]) + "}"))
    if url:
        fields.append(("url", "{" + _bibtex_url(url) + "}"))
        if accessed:
            fields.append(("urldate", "{" + accessed + "}"))
    fields.append(("language", "{Chinese}"))
    notes = ([INFERRED_DATE_NOTE] if _inferred(rec) else []) + ([INFERRED_TITLE_NOTE] if rec.get("title_inferred") else [])
    if notes:
        fields.append(("note", "{" + "; ".join(notes) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@article{{{bibtex_key(rec)},\n{body},\n}}"


def ris(rec: Mapping, url: str | None = None, accessed: str | None = None, archive: str = ARCHIVE_NAME) -> str:
    """RIS, ``TY  - NEWS``: one ``XX  - value`` line per field, ``ER  - `` last."""
    lines = [("TY", "NEWS"), ("TI", _title(rec))]
    lines += [("AU", n) for n in _authors(rec)]
    lines.append(("T2", _one_line(rec.get("newspaper")) or UNKNOWN_NEWSPAPER))
    parts = _date_parts(rec.get("date"))
    if parts:
        lines += [("PY", parts[0]), ("DA", "/".join(p for p in parts if p))]
    if _one_line(rec.get("page")):
        lines.append(("SP", _one_line(rec.get("page"))))
    lines.append(("LA", "Chinese"))
    if url:
        lines.append(("UR", url))
        if accessed:
            lines.append(("Y2", accessed.replace("-", "/")))
    lines.append(("DB", archive))
    if _inferred(rec):
        lines.append(("N1", INFERRED_DATE_NOTE))
    if rec.get("title_inferred"):
        lines.append(("N1", INFERRED_TITLE_NOTE))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {_one_line(value)}" for tag, value in lines)


def citations(a: Article | Mapping, site_url: str | None, access_date: str | Date) -> dict[str, str]:
    """The article cited in every format of ``FORMATS``, by format key."""
    rec = record_of(a)
    url, accessed = article_url(str(rec.get("id")), site_url), _accessed(access_date)
    return _texts(rec, url, accessed)


def _texts(rec: Mapping, url: str, accessed: str) -> dict[str, str]:
    return {
        "gbt7714": gbt7714(rec),
        "gbt7714-url": gbt7714(rec, url, accessed),
        "apa": apa(rec, url),
        "bibtex": bibtex(rec, url, accessed),
        "ris": ris(rec, url, accessed),
    }


# --- the page's head ----------------------------------------------------------------------

def highwire_date(value: str | None) -> str | None:
    """``citation_publication_date``: ``YYYY/MM/DD``, else the year alone.

    >>> highwire_date("2024-04-22"), highwire_date("2024-04"), highwire_date(None)
    ('2024/04/22', '2024', None)
    """
    parts = _date_parts(value)
    if not parts:
        return None
    year, month, day = parts
    return f"{year}/{month}/{day}" if day else year


def highwire(rec: Mapping, url: str) -> list[tuple[str, str]]:
    """Highwire Press tags as ``(name, content)`` pairs, contents raw (the template escapes)."""
    tags = [("citation_title", _one_line(rec.get("title")))]
    tags += [("citation_author", n) for n in _authors(rec)]
    when = highwire_date(rec.get("date"))
    if when:
        tags.append(("citation_publication_date", when))
    if _one_line(rec.get("newspaper")):
        tags.append(("citation_journal_title", _one_line(rec.get("newspaper"))))
    if _one_line(rec.get("page")):
        tags.append(("citation_firstpage", _one_line(rec.get("page"))))
    tags.append(("citation_language", "zh"))
    if rec.get("tags"):
        tags.append(("citation_keywords", "; ".join(_one_line(t) for t in rec["tags"])))
    tags += [("citation_public_url", url), ("citation_abstract_html_url", url), ("citation_fulltext_html_url", url)]
    return [(name, value) for name, value in tags if value]


def script_json(data) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators as ``\\u`` escapes.

    >>> script_json({"t": "</script><b>&"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    for ch in "<>&\u2028\u2029":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def json_ld(rec: Mapping, url: str, archive_url: str, archive: str = ARCHIVE_NAME) -> dict:
    """A schema.org ``NewsArticle``: the printed article, part of this archive's collection."""
    data: dict = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": _one_line(rec.get("title"))}
    if _one_line(rec.get("subtitle")):
        data["alternativeHeadline"] = _one_line(rec.get("subtitle"))
    if rec.get("date"):
        data["datePublished"] = rec["date"]
    if _authors(rec):
        data["author"] = [{"@type": "Person", "name": n} for n in _authors(rec)]
    if _one_line(rec.get("newspaper")):
        data["publisher"] = {"@type": "Organization", "name": _one_line(rec.get("newspaper"))}
    if _one_line(rec.get("page")):
        data["printPage"] = _one_line(rec.get("page"))
    if _one_line(rec.get("column")):
        data["printSection"] = _one_line(rec.get("column"))
    if _one_line(rec.get("dateline")):
        data["dateline"] = _one_line(rec.get("dateline"))
    if rec.get("tags"):
        data["keywords"] = [_one_line(t) for t in rec["tags"]]
    data["isPartOf"] = {"@type": "Collection", "name": archive, "url": archive_url}
    data["url"] = url
    data["inLanguage"] = "zh-CN"
    return data


# --- one page -----------------------------------------------------------------------------

def _is_clean(value) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, Mapping):
        return all(_is_clean(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_is_clean(v) for v in value)
    return True


def cite_html(rec: Mapping, url: str, accessed: str, relative: bool) -> dict[str, str]:
    """Each text HTML-escaped, its URL in ``<span class="cite-url">`` and its access date in
    ``<span class="cite-date">``, which the page's script brings up to date (the reader's address
    when the URL is ``relative``, the reader's day)."""
    texts = _texts(rec, _URL_MARK, _DATE_MARK) if _is_clean(rec) else None
    out = {}
    for key, text in (texts or _texts(rec, url, accessed)).items():
        escaped = html.escape(text, quote=False)
        if texts:
            shown_url = _bibtex_url(url) if key == "bibtex" else url
            sep = "/" if key == "ris" else "-"
            escaped = escaped.replace(_URL_MARK, f'<span class="cite-url"{" data-relative" if relative else ""}>'
                                                 f"{html.escape(shown_url)}</span>")
            escaped = escaped.replace(_DATE_MARK, f'<span class="cite-date" data-sep="{sep}">'
                                                  f"{html.escape(accessed.replace('-', sep))}</span>")
        out[key] = escaped
    return out


def page_data(meta: Mapping, page_url: str, site_url: str | None, access_date: str | Date,
              archive: str = ARCHIVE_NAME) -> dict:
    """What the templates show for one article page (``overrides/main.html``), from its front
    matter (``meta``, raw values) and its URL (``page_url``, e.g. ``a/<id>/``)."""
    accessed = _accessed(access_date)
    url = article_url(str(meta.get("id")), site_url)
    depth = page_url.count("/")
    if site_url:
        head_url, archive_url = url, site_url.rstrip("/") + "/"
    else:  # relative to the page itself
        head_url = "./" if page_url.endswith("/") or not page_url else page_url.rsplit("/", 1)[-1]
        archive_url = "../" * depth or "./"
    texts, markup = _texts(meta, url, accessed), cite_html(meta, url, accessed, relative=not site_url)
    return {
        "formats": [{"key": key, "label": label, "text": texts[key], "html": markup[key]} for key, label in FORMATS],
        "highwire": highwire(meta, head_url),
        "jsonld": script_json(json_ld(meta, head_url, archive_url, archive)),
        "url": url,
        "accessed": accessed,
    }
