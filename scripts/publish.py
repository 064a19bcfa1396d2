"""Site-wide generated pages beyond articles and indexes: the home page, the data page, the
metadata CSV and the feeds.

:func:`site_pages` is called by ``write.write_all`` after everything else is written and returns
``{path relative to docs/: text}``; ``write_all`` writes them with write-if-changed:

=====================  =========================================================================
``index.md``           home: what the archive holds (counts), the newest articles, two charts
                       (articles per year, per province; inline SVG from ``scripts/charts.py``),
                       how the texts were cleaned, where to go next
``data.md``            the downloads, each described (what a row is, the fields, in Chinese)
``data/articles.csv``  one row per article: the metadata only (UTF-8 with BOM, for Excel)
``feed.xml``           RSS 2.0, the ``FEED_SIZE`` newest articles
``atom.xml``           Atom 1.0, the same articles
=====================  =========================================================================

Links in the feeds are absolute when ``mkdocs.yml`` has a ``site_url``, else relative to the
feed (``a/<id>/``; Atom resolves them against the feed's address, most RSS readers do too).
Entry ids do not depend on the address: ``urn:uuid:`` + a UUID-5 of the article id.
"""
from __future__ import annotations

import html
import os
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import yaml

from .charts import Bar, bar_chart, legend_swatch
from .model import Article, BuildReport

PROJECT = Path(__file__).resolve().parent.parent
MKDOCS_YML = PROJECT / "mkdocs.yml"
FEED_SIZE = 20
NEWEST_ON_HOME = 10
TIMEZONE = "+08:00"  # the newspapers' (China Standard Time); dates carry no time of day
ARTICLES_CSV_COLUMNS = ("id", "url", "title", "title_inferred", "kind", "date", "date_basis", "zones",
                        "authors", "tags", "topics", "source_file")
LIST_JOIN = "、"  # list-valued CSV cells, as in figures.csv
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "gxq-dangjian-archive")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


# --- configuration -------------------------------------------------------------------------

class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without executing anything: ``!ENV`` is resolved like MkDocs does,
    every other tag (``!!python/name:…``) is read as plain data."""


def _env(loader: yaml.SafeLoader, node: yaml.Node):
    names = [node.value] if isinstance(node, yaml.ScalarNode) else [n.value for n in node.value]
    *variables, default = names if len(names) > 1 else (*names, None)
    return next((os.environ[v] for v in variables if v in os.environ), default)


def _other(loader: yaml.SafeLoader, suffix: str, node: yaml.Node):
    return None


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_multi_constructor("", _other)


def mkdocs_config(path: Path = MKDOCS_YML) -> dict:
    """The top-level keys of mkdocs.yml (``{}`` when it is missing or unreadable)."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}  # noqa: S506
    except (OSError, yaml.YAMLError):
        return {}


def base_url(config: dict) -> str:
    """``site_url`` with a trailing slash, or ``""`` (links then stay relative).

    >>> base_url({"site_url": "https://example.org/gxq"}), base_url({})
    ('https://example.org/gxq/', '')
    """
    url = (config.get("site_url") or "").strip()
    return url if not url or url.endswith("/") else url + "/"


# --- what the archive holds ----------------------------------------------------------------

@dataclass(frozen=True)
class Holdings:
    """The counts the home page shows."""

    articles: int  # records of kind "article"
    photos: int  # captioned photos that belong to no article
    pages: int  # newspaper pages (source files) published
    zones: int
    provinces: int  # provinces of the zones that are in the gazetteer
    years: int  # distinct publication years (recorded or inferred)
    authors: int
    inferred_dates: int
    undated: int
    first_year: str | None
    last_year: str | None


def holdings(report: BuildReport, articles: list[Article]) -> Holdings:
    from .indexes import OTHER_PROVINCE, year_of, zone_province

    zones = {z for a in articles for z in a.zones}
    provinces = {zone_province(z) for z in zones} - {OTHER_PROVINCE}
    years = sorted({y for a in articles if (y := year_of(a))})
    return Holdings(
        articles=sum(a.kind == "article" for a in articles),
        photos=sum(a.kind == "photo" for a in articles),
        pages=len({a.source_file for a in articles} | {p.file for p in report.pages}),
        zones=len(zones),
        provinces=len(provinces),
        years=len(years),
        authors=len({au.name for a in articles for au in a.authors}),
        inferred_dates=sum(bool(a.date) and a.date_basis == "inferred" for a in articles),
        undated=sum(not a.date for a in articles),
        first_year=years[0] if years else None,
        last_year=years[-1] if years else None,
    )


def year_bars(articles: list[Article]) -> list[Bar]:
    """Articles per year, oldest first, undated last; the inferred part drawn lighter."""
    from .indexes import UNKNOWN_YEAR_TITLE, year_of

    by_year: dict[str, list[Article]] = {}
    for a in articles:
        by_year.setdefault(year_of(a) or "", []).append(a)
    bars = []
    for year in sorted(by_year, key=lambda y: (y == "", y)):
        arts = by_year[year]
        inferred = sum(a.date_basis == "inferred" for a in arts) if year else 0
        bars.append(Bar(year or UNKNOWN_YEAR_TITLE, len(arts), inferred,
                        f"其中 {inferred} 篇日期为推断" if inferred else ""))
    return bars


def province_bars(articles: list[Article]) -> list[Bar]:
    """Articles per province of the zones they name (an article naming zones in two provinces
    counts in both), most first; zones outside the gazetteer under 其他, last."""
    from .indexes import OTHER_PROVINCE, zone_province

    counts: Counter[str] = Counter()
    for a in articles:
        counts.update({zone_province(z) for z in a.zones})
    order = sorted(counts, key=lambda p: (p == OTHER_PROVINCE, -counts[p], p))
    return [Bar(short_province(p), counts[p], note="" if short_province(p) == p else p) for p in order]


_PROVINCE_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")


def short_province(name: str) -> str:
    """The short form charts use (the full name is in the bar's tooltip).

    >>> short_province("新疆维吾尔自治区"), short_province("山东省"), short_province("北京市"), short_province("其他")
    ('新疆', '山东', '北京', '其他')
    """
    return _PROVINCE_SUFFIX.sub("", name) or name


# --- pages ---------------------------------------------------------------------------------

def _front_matter(data: dict) -> str:
    from .write import front_matter

    return front_matter(data)


def _article_line(a: Article) -> str:
    """A list item of the home page (at the site root): linked title · date (推断) · zones."""
    from .write import KIND_LABELS, date_text, escape_inline

    details = [date_text(a)]
    if a.kind != "article":
        details.append(KIND_LABELS.get(a.kind, a.kind))
    if a.zones:
        details.append("、".join(a.zones))
    return f"- [{escape_inline(a.title)}](a/{a.id}.md) · " + escape_inline(" · ".join(details))


def _figure(svg: str, caption: str) -> str:
    """A chart as one raw HTML block (no blank line inside, so Markdown leaves it alone)."""
    return f'<figure class="gxq-figure" style="width:100%">\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>'


CLEANING_TEXT = """\
## 文本是怎样整理的

原始材料是从报纸版面中提取出来的纯文本，排版造成的断行、多余空格、重复标题、
编辑署名等都混在正文里。这些文本由程序自动清理和切分：

- 拼接被版面拆断的句子，去掉汉字之间多余的空格；
- 把一个版面切分成多篇文章，识别标题、引题、副题、作者、电头、图片说明；
- 版面上的非正文内容（版头、栏目名、编辑署名等）和有意舍弃的文字都单独记录并注明原因；
- 对识别错误的字所作的修正都逐条记录，可以核查。

**原文的每一个字都有下落**：要么在某篇文章里，要么作为版面信息或舍弃内容记录在案。
若有文字对不上，该版面不会发布。每篇文章页面末尾注明它来自哪个文件的哪几行。"""


def home_page(report: BuildReport, articles: list[Article], config: dict | None = None) -> str:
    """``docs/index.md``. Kept out of the search index: it only repeats titles and numbers."""
    from .indexes import newest_first

    config = mkdocs_config() if config is None else config
    name = config.get("site_name") or "高新区党建报道数字档案"
    h = holdings(report, articles)
    span = (f"{h.first_year}–{h.last_year} 年" if h.first_year != h.last_year else f"{h.first_year} 年") \
        if h.first_year else "尚无确定年份"
    dated_note = []
    if h.inferred_dates:
        dated_note.append(f"其中 {h.inferred_dates} 篇的日期由正文推断")
    if h.undated:
        dated_note.append(f"{h.undated} 篇日期未知")
    facts = [
        f"- **{h.articles}** 篇文章" + (f"，另有 **{h.photos}** 则图片报道（不属于任何文章的图片说明）" if h.photos else ""),
        f"- 出自 **{h.pages}** 个报纸版面",
        f"- 涉及 **{h.zones}** 个高新区，分布在 **{h.provinces}** 个省级行政区",
        f"- 发表时间跨 **{h.years}** 个年份（{span}"
        + ("；" + "，".join(dated_note) if dated_note else "") + "）",
        f"- **{h.authors}** 位署名作者",
    ]
    newest = newest_first(articles)[:NEWEST_ON_HOME]
    years = year_bars(articles)
    provinces = province_bars(articles)
    no_zone = sum(not a.zones for a in articles)
    blocks = [
        f"# {html.escape(name, quote=False)}",
        "本档案收录报纸上关于高新区党建工作的报道：每一个版面文件被整理成一篇篇独立的文章，"
        "每篇文章有自己的页面，列出标题、作者、日期、涉及的高新区和原始出处。",
        "## 档案收录",
        "\n".join(facts),
        "## 最新文章",
        "按发表日期排列，最新的在前；由正文推断的日期注明“推断”。",
        "\n".join(_article_line(a) for a in newest) if newest else "目前还没有文章。",
        f"[按年份浏览全部文章](years/index.md) · [按版面浏览](articles.md) · "
        f"订阅：[RSS](feed.xml) · [Atom](atom.xml)",
        "## 年份与地区",
        _figure(bar_chart(years, "每年的文章数", "chart-years"),
                "每年的文章数：" + legend_swatch("日期有档案登记") + "　" + legend_swatch("日期由正文推断", part=True)
                if any(b.part for b in years) else "每年的文章数。"),
        _figure(bar_chart(provinces, "各省份的文章数", "chart-provinces"),
                "各省份的文章数，按文章提到的高新区所在省份统计；一篇文章提到几个省份的高新区，"
                "在每个省份各计一次" + (f"；另有 {no_zone} 篇没有提到具体的高新区" if no_zone else "") + "。"),
        CLEANING_TEXT,
        "## 浏览与下载",
        "\n".join([
            "- [文章](years/index.md)：按发表年份列出，也可[按版面](articles.md)浏览。",
            "- [标签](tags/index.md)与[主题](topics/index.md)：按专题归类的文章。",
            "- [高新区](zones/index.md)：按省份列出报道涉及的高新区，每个高新区一页。",
            "- [作者](authors/index.md)：按署名列出文章。",
            "- 每篇文章页面末尾列出相关文章（按用词相似度）、同一高新区的其他文章和疑似重复的报道。",
            "- [数据](data.md)：全部文章的结构化数据（JSON Lines、CSV）和处理记录，附字段说明。",
        ]),
    ]
    # No title: the home page's <title> is the site name. Search: see the docstring.
    return _front_matter({"search": {"exclude": True}}) + "\n" + "\n\n".join(blocks) + "\n"


def _field_table(rows: list[tuple[str, str]]) -> str:
    from .write import escape_inline

    return "\n".join(["| 字段 | 含义 |", "| --- | --- |"]
                     + [f"| `{k}` | {escape_inline(v)} |" for k, v in rows])


ARTICLES_CSV_FIELDS = [
    ("id", "文章编号，稳定不变；文章页面地址为 a/<id>/"),
    ("url", "文章页面相对于网站根目录的地址"),
    ("title", "标题（报上印的；无标题的简讯为整理者拟定）"),
    ("title_inferred", "true 表示标题为整理者据正文拟定"),
    ("kind", "article 为文章，photo 为不属于任何文章的图片报道"),
    ("date", "发表日期，YYYY-MM-DD、YYYY-MM 或 YYYY；空白表示未知"),
    ("date_basis", "日期来源：manifest 为档案登记，inferred 为由正文推断"),
    ("zones", "涉及的高新区（规范名称），提及最多的在前，以“、”分隔"),
    ("authors", "作者姓名，按署名顺序，以“、”分隔"),
    ("tags", "关键词标签，以“、”分隔"),
    ("topics", "主题，最多三个，以“、”分隔"),
    ("source_file", "文章所出自的版面文件"),
]
ARTICLES_JSONL_FIELDS = [
    ("id、url、kind、title、title_inferred", "同 articles.csv"),
    ("kicker、subtitle", "引题（标题上方的一行）、副题（标题下方的一行）；没有为 null"),
    ("byline、authors、author_roles", "署名原文；作者姓名列表；每位作者的姓名和身份（如“本报记者”）"),
    ("dateline", "电头，如“本报讯”"),
    ("zones", "涉及的高新区（规范名称），提及最多的在前"),
    ("date、date_basis、date_evidence", "发表日期、日期来源，以及推断日期所依据的原文词句"),
    ("newspaper、page、column", "报纸名、版次、栏目（据档案登记）"),
    ("lead、body", "导语（纯文本）和导语之后的正文（Markdown：段落以空行分隔，小标题以 ## 开头）"),
    ("captions", "图片说明及图片来源"),
    ("people、organizations", "文中提到的人物（姓名、职务）和机构"),
    ("tags、topics", "关键词标签；主题"),
    ("figures", "关键数据：项目、数值、单位和所在的原句"),
    ("related、near_duplicates", "相关文章的编号（按相似度）；大段文字相同的疑似重复报道的编号"),
    ("source", "出处：版面文件、文件的 SHA-256 校验值、文章所在的起止行号"),
]
FIGURES_CSV_FIELDS = [
    ("id、title", "文章编号和标题"),
    ("zone", "文章涉及的高新区，以“、”分隔"),
    ("date、date_basis", "文章的发表日期和日期来源"),
    ("subject、value、unit", "数据项目、数值（“超”“近”“约”等限定词保留在数值中）、单位"),
    ("sentence", "数据所在的原句"),
]
SOURCES_JSONL_FIELDS = [
    ("file、sha256、encoding", "版面文件、原始字节的 SHA-256 校验值、识别出的文字编码"),
    ("articles", "从这个版面切分出的文章编号，按版面顺序"),
    ("furniture", "未归入文章的版面信息（版头、栏目名、编辑署名、图片来源等），附行号和类别"),
    ("dropped", "有意舍弃的文字（重复的标题、引语等），附行号和原因"),
    ("corrections", "逐条记录的文字修正：行号、修正前、修正后、规则"),
    ("diagnostics", "处理这个版面时的提示信息"),
]


def data_page(report: BuildReport, articles: list[Article], config: dict | None = None) -> str:
    """``docs/data.md``: every download, what a row is, its fields."""
    config = mkdocs_config() if config is None else config
    n_figures = sum(len(a.figures) for a in articles)
    base = base_url(config)
    feeds_note = ("链接为完整网址。" if base else
                  "网站地址尚未配置（mkdocs.yml 的 site_url），订阅源中的链接是相对于订阅源文件的地址。")
    blocks = [
        "# 数据",
        "档案的全部内容都可以下载，用于检索、统计和核对。所有文件都是 UTF-8 编码；"
        "CSV 文件带 BOM，可以直接用 Excel 打开。字段名用英文，含义如下。",
        "## 文章目录 articles.csv",
        f"[articles.csv](data/articles.csv)：每行一篇文章（或一则图片报道），共 {len(articles)} 行，"
        "只含目录信息，适合在电子表格中筛选、统计。列表类字段用“、”连接。",
        _field_table(ARTICLES_CSV_FIELDS),
        "## 全部文章 articles.jsonl",
        f"[articles.jsonl](data/articles.jsonl)：每行一篇文章的完整记录（JSON Lines，一行一个 JSON 对象），"
        f"共 {len(articles)} 行，按版面文件和行号排序。除目录信息外还有正文和从正文中整理出的信息：",
        _field_table(ARTICLES_JSONL_FIELDS),
        "## 关键数据 figures.csv",
        f"[figures.csv](data/figures.csv)：文章中的关键数据，每行一项，共 {n_figures} 行，"
        "便于比较同一高新区在不同报道中的数字。",
        _field_table(FIGURES_CSV_FIELDS),
        "## 处理记录 sources.jsonl",
        f"[sources.jsonl](data/sources.jsonl)：每行一个版面文件的处理记录，共 {len(report.pages)} 行，"
        "可以据此核对原文的每一个字去了哪里。",
        _field_table(SOURCES_JSONL_FIELDS),
        "## 订阅",
        f"[RSS](feed.xml) 和 [Atom](atom.xml) 订阅源列出最新的 {FEED_SIZE} 篇文章，最新的在前。" + feeds_note
        + "只知道年份或年月的日期，Atom 按该年（月）的第一天填写；推断的日期在摘要中注明“推断”。",
    ]
    return _front_matter({"title": "数据"}) + "\n" + "\n\n".join(blocks) + "\n"


def articles_csv(articles: list[Article]) -> str:
    """``data/articles.csv``: one row per article, metadata only; starts with a BOM (Excel).

    >>> articles_csv([]).splitlines()
    ['\\ufeffid,url,title,title_inferred,kind,date,date_basis,zones,authors,tags,topics,source_file']
    """
    from .write import article_url, excel_csv

    return excel_csv(ARTICLES_CSV_COLUMNS, ([a.id, article_url(a), a.title, "true" if a.title_inferred else "false",
                                             a.kind, a.date or "", a.date_basis or "", LIST_JOIN.join(a.zones),
                                             LIST_JOIN.join(au.name for au in a.authors), LIST_JOIN.join(a.tags),
                                             LIST_JOIN.join(a.topics), a.source_file] for a in articles))


# --- feeds ---------------------------------------------------------------------------------

def _xml(text: str | None) -> str:
    """Text escaped for XML 1.0 content, characters XML cannot carry removed."""
    return escape(_XML_ILLEGAL.sub("", text or ""))


def _attr(text: str) -> str:
    return quoteattr(_XML_ILLEGAL.sub("", text))


def entry_id(a: Article) -> str:
    """A permanent id for feeds, independent of where the site is hosted.

    >>> entry_id(type("A", (), {"id": "e71762d4e9"})())
    'urn:uuid:483e7bf4-5a26-5799-8cf6-ffcf634e868b'
    """
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, 'a/' + a.id)}"


def atom_date(date: str | None) -> str | None:
    """RFC 3339 for Atom: a year or month stands for its first day.

    >>> atom_date("2024-04-22"), atom_date("2024-04"), atom_date("2024"), atom_date(None)
    ('2024-04-22T00:00:00+08:00', '2024-04-01T00:00:00+08:00', '2024-01-01T00:00:00+08:00', None)
    """
    if not date or not re.match(r"^\d{4}(-\d{2}){0,2}$", date):
        return None
    parts = (date.split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00{TIMEZONE}"


def rss_date(date: str | None) -> str | None:
    """RFC 822 for RSS ``pubDate``, only for a full date (a year alone is no day).

    >>> rss_date("2024-04-22"), rss_date("2024")
    ('Mon, 22 Apr 2024 00:00:00 +0800', None)
    """
    import datetime

    m = _FULL_DATE.match(date or "")
    if not m:
        return None
    try:
        d = datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    days, months = "Mon Tue Wed Thu Fri Sat Sun".split(), "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{days[d.weekday()]}, {d.day:02d} {months[d.month - 1]} {d.year} 00:00:00 {TIMEZONE.replace(':', '')}"


def _summary(a: Article) -> str:
    from .write import date_text

    parts = [date_text(a)]
    if a.zones:
        parts.append("、".join(a.zones))
    if a.authors:
        parts.append("作者：" + "、".join(au.name for au in a.authors))
    head = " · ".join(parts)
    text = a.lead or (a.captions[0].text if a.captions else "")
    if len(text) > 200:
        text = text[:200] + "……"
    return f"{head}。{text}" if text else head


def feed_articles(articles: list[Article]) -> list[Article]:
    from .indexes import newest_first

    return newest_first(articles)[:FEED_SIZE]


def rss_feed(articles: list[Article], config: dict) -> str:
    """``feed.xml``: RSS 2.0 of the newest articles, newest first."""
    base = base_url(config)
    name = config.get("site_name") or "高新区党建报道数字档案"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">', "<channel>",
             f"<title>{_xml(name)}</title>", f"<link>{_xml(base or './')}</link>",
             f"<description>{_xml(config.get('site_description') or name)}</description>",
             "<language>zh-CN</language>"]
    if base:
        lines.append(f'<atom:link href={_attr(base + "feed.xml")} rel="self" type="application/rss+xml"/>')
    for a in feed_articles(articles):
        lines += ["<item>", f"<title>{_xml(a.title)}</title>", f"<link>{_xml(base + f'a/{a.id}/')}</link>",
                  f'<guid isPermaLink="false">{entry_id(a)}</guid>']
        if rss_date(a.date):
            lines.append(f"<pubDate>{rss_date(a.date)}</pubDate>")
        lines.append(f"<description>{_xml(_summary(a))}</description>")
        # no <author>: RSS wants an e-mail address there; the names are in the description
        lines += [f"<category>{_xml(t)}</category>" for t in (*a.zones, *a.topics)]
        lines.append("</item>")
    lines += ["</channel>", "</rss>"]
    return "\n".join(lines) + "\n"


def atom_feed(articles: list[Article], config: dict) -> str:
    """``atom.xml``: Atom 1.0 of the newest articles, newest first."""
    base = base_url(config)
    name = config.get("site_name") or "高新区党建报道数字档案"
    entries = feed_articles(articles)
    updated = max((atom_date(a.date) for a in entries if atom_date(a.date)), default="1970-01-01T00:00:00Z")
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<title>{_xml(name)}</title>"]
    if config.get("site_description"):
        lines.append(f"<subtitle>{_xml(config['site_description'])}</subtitle>")
    lines += [f"<id>urn:uuid:{uuid.uuid5(_ID_NAMESPACE, 'feed')}</id>", f"<updated>{updated}</updated>",
              f'<link rel="alternate" type="text/html" href={_attr(base or "./")}/>',
              f'<link rel="self" type="application/atom+xml" href={_attr(base + "atom.xml")}/>',
              f"<author><name>{_xml(name)}</name></author>"]
    for a in entries:
        lines += ["<entry>", f"<title>{_xml(a.title)}</title>", f"<id>{entry_id(a)}</id>",
                  f'<link rel="alternate" type="text/html" href={_attr(base + f"a/{a.id}/")}/>',
                  f"<updated>{atom_date(a.date) or updated}</updated>"]
        lines += [f"<author><name>{_xml(au.name)}</name></author>" for au in a.authors]
        lines += [f"<category term={_attr(t)}/>" for t in (*a.zones, *a.topics)]
        lines += [f"<summary>{_xml(_summary(a))}</summary>", "</entry>"]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


# --- the extension point -------------------------------------------------------------------

def site_pages(report: BuildReport, articles: list[Article], config: dict | None = None) -> dict[str, str]:
    """Generated site pages (home, data, metadata CSV, feeds), by path under ``docs/``.

    ``config``: mkdocs.yml's keys (read from the project's mkdocs.yml when not given).
    """
    config = mkdocs_config() if config is None else config
    return {
        "index.md": home_page(report, articles, config),
        "data.md": data_page(report, articles, config),
        "data/articles.csv": articles_csv(articles),
        "feed.xml": rss_feed(articles, config),
        "atom.xml": atom_feed(articles, config),
    }
