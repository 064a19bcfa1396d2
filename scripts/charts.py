"""Bar charts drawn at build time as inline SVG: no chart service, no JavaScript, no fonts.

A chart is a list of :class:`Bar` rows drawn as horizontal bars, label on the left and the count
on the right, so it reads on a phone as well as on a desktop (the SVG scales to the column width;
text stays between about 11 and 16 px). A bar can have a lighter part (``part``), e.g. the
articles of a year whose date is inferred; the caption says what it means.

Colours come from Material's CSS variables (``--md-primary-fg-color``, ``currentColor`` for
text), so the charts follow the light and dark palettes. Every label is XML-escaped; each bar is
a ``<g class="bar">`` with ``data-label``/``data-value`` and a ``<title>`` (the tooltip and what a
screen reader says), and the whole chart has a ``<title>`` and ``<desc>`` listing every value.

>>> svg = bar_chart([Bar("2024", 3, part=1), Bar("日期<未知>", 1)], "每年的文章数", "years")
>>> import xml.etree.ElementTree as ET
>>> root = ET.fromstring(svg)
>>> [g.get("data-label") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "bar"]
['2024', '日期<未知>']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 400  # viewBox width: about 1:1 on a phone, scaled up to MAX_WIDTH_PX on a desktop
MAX_WIDTH_PX = 560
FONT = 13  # px in viewBox units
ROW = 24  # height of one row
BAR = 15  # height of one bar
PAD = 6
BAR_COLOR = "var(--md-primary-fg-color, #4051b5)"
PART_OPACITY = 0.4
_ID = re.compile(r"[^a-z0-9-]+")
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


@dataclass(frozen=True)
class Bar:
    """One row: ``label``, its ``value`` and the part of it drawn lighter (``part`` ≤ value)."""

    label: str
    value: int
    part: int = 0
    note: str = ""  # added to the bar's tooltip, e.g. "其中 3 篇日期为推断"


def text_width(text: str, size: float = FONT) -> float:
    """Approximate rendered width: CJK and full-width characters 1 em, others 0.6 em.

    >>> text_width("2024"), text_width("山东省")
    (31.2, 39.0)
    """
    wide = len(_WIDE.findall(text))
    return round((wide + 0.6 * (len(text) - wide)) * size, 1)


def bar_chart(bars: list[Bar], title: str, chart_id: str, unit: str = "篇") -> str:
    """An SVG bar chart, one ``<g class="bar">`` per row, in the order given.

    ``chart_id`` (ASCII) keeps the ids of the title and description unique on the page.
    """
    cid = _ID.sub("-", chart_id.lower()).strip("-") or "chart"
    label_w = max([text_width(b.label) for b in bars] + [0]) + PAD
    value_w = max([text_width(f"{b.value} {unit}") for b in bars] + [0]) + PAD
    x0 = PAD + label_w
    span = max(WIDTH - x0 - value_w - PAD, 40)
    top = max([b.value for b in bars] + [1])
    height = PAD * 2 + ROW * max(len(bars), 1)
    desc = "；".join(f"{b.label}：{b.value} {unit}" + (f"（{b.note}）" if b.note else "") for b in bars) or "没有数据"
    out = [f'<svg xmlns="{SVG_NS}" class="gxq-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
           f'height="{height}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
           f'style="width:100%;max-width:{MAX_WIDTH_PX}px;height:auto;font-size:{FONT}px">',
           f'<title id="{cid}-title">{escape(title)}</title>',
           f'<desc id="{cid}-desc">{escape(desc)}</desc>']
    for i, b in enumerate(bars):
        y = PAD + i * ROW
        mid = y + ROW / 2
        whole = round(span * b.value / top, 1) if b.value else 0
        part = round(span * min(b.part, b.value) / top, 1) if b.value else 0
        tip = f"{b.label}：{b.value} {unit}" + (f"，{b.note}" if b.note else "")
        out.append(f'<g class="bar" data-label={quoteattr(b.label)} data-value="{b.value}">'
                   f"<title>{escape(tip)}</title>")
        out.append(f'<text x="{x0 - PAD}" y="{mid}" dy="0.35em" text-anchor="end" fill="currentColor">'
                   f"{escape(b.label)}</text>")
        bar_y = round(mid - BAR / 2, 1)
        if whole - part > 0:
            out.append(f'<rect x="{x0}" y="{bar_y}" width="{round(whole - part, 1)}" height="{BAR}" '
                       f'style="fill:{BAR_COLOR}"/>')
        if part > 0:
            out.append(f'<rect class="part" x="{round(x0 + whole - part, 1)}" y="{bar_y}" width="{part}" '
                       f'height="{BAR}" style="fill:{BAR_COLOR};fill-opacity:{PART_OPACITY}"/>')
        out.append(f'<text x="{round(x0 + whole + PAD, 1)}" y="{mid}" dy="0.35em" fill="currentColor">'
                   f"{b.value} {escape(unit)}</text></g>")
    out.append("</svg>")
    return "".join(out)


def legend_swatch(text: str, part: bool = False) -> str:
    """A small inline SVG square in the bar colour (lighter for ``part``) followed by ``text``,
    for a chart's caption.

    >>> "fill-opacity" in legend_swatch("推断", part=True)
    True
    """
    opacity = f";fill-opacity:{PART_OPACITY}" if part else ""
    return (f'<svg xmlns="{SVG_NS}" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" '
            f'style="vertical-align:-1px"><rect width="12" height="12" style="fill:{BAR_COLOR}{opacity}"/></svg>'
            f" {escape(text)}")
