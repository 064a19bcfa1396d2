"""An article's date: the manifest's when an archivist recorded one, else inferred from the text.

Inference is conservative: a wrong date is worse than a bare year, and a bare year is worse than
no date when the text only bounds it. Years the text names are read as one of:

* **this year** (``今年是建党百年``, ``今年（2024年）``): the article's year, with confidence;
* **event**: an anniversary or congress from :data:`EVENTS` (``庆祝建党100周年`` -> 2021), with
  confidence unless the text also names a later year (then the mention is a look back);
* **current**: a year planned for (``将2024年确定为``), named in a ``近日``/``日前`` sentence
  (``近日，…公布2024年度…名单``) or in the sentence of a month-day event (``4月15日，…2024年…``);
* **completed**: a year reported as finished (``截至2025年年底``, ``仅2020年一年``, a clause
  ``2023年，`` giving a statistic): the text was written after it ended, so the year after;
* **past**: any other year (``自2019年改革以来``, ``2020年6月1日``): only a lower bound.

The date is the latest of the this-year, event, current and completed years; a text with past
years only is not dated. Future years (``到2025年``, ``力争2030年``, ``2025年前``) are ignored.
``今年``/``去年`` on their own are relative to an unknown present and date nothing.
A month is added only to a year held with confidence, from the latest month-day the text gives
(``5月14日``; ``七一前夕`` = late June): the article was printed after it, within the same month
unless the day is after the 24th (then the year alone). The day itself is never used: it is the
day of the event, not of the printing.
"""
from __future__ import annotations

import dataclasses
import re
from typing import NamedTuple

from .model import Article

#: Named events with their year: (pattern, year, kind, words). ``event``: texts naming it are
#: from that year (celebrations, eves); ``floor``: texts naming it are from that year or later.
#: Every match contains one of the ``words``: a text with none of them skips the pattern (the
#: optional first words, 庆祝…, would make the regex engine try it at every character).
EVENTS: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    (r"(?:庆祝|向|迎接|喜迎)?(?:中国共产党成立|建党)(?:100|一百)周年|(?:庆祝|向|迎接)?建党百年", 2021, "event",
     ("100周年", "一百周年", "建党百年")),
    (r"(?:庆祝)?(?:新中国|中华人民共和国)成立70周年", 2019, "event", ("成立70周年",)),
    (r"(?:庆祝)?(?:新中国|中华人民共和国)成立75周年", 2024, "event", ("成立75周年",)),
    (r"(?:庆祝)?改革开放40周年", 2018, "event", ("改革开放40周年",)),
    (r"(?:喜迎|迎接)(?:党的)?二十大", 2022, "event", ("二十大",)),
    (r"党的二十大", 2022, "floor", ("党的二十大",)),
    (r"党的二十届三中全会", 2024, "floor", ("党的二十届三中全会",)),
    (r"党史学习教育", 2021, "floor", ("党史学习教育",)),
)
_EVENT_RE = [(re.compile(p), y, k, words) for p, y, k, words in EVENTS]
_EVENT_ANY = "|".join(p for p, _, _, _ in EVENTS)

_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?=年|全国|中国|世界|国际)")
_MONTH_DAY = re.compile(r"(?<![\d年])(1[0-2]|[1-9])月([1-3]?\d)日")
_LATE_JUNE = re.compile(r"七一前夕|七一到来之际")
_NEAR = re.compile(r"近日|日前")
_STAT = re.compile(r"\d[\d.]*[万亿]?[余多]?(?:个|家|名|件|项|元|%|人|次|场|套|亩)")
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
_HANDIGIT = re.compile(r"[\u4e00-\u9fff\d]{0,5}")


class Clue(NamedTuple):
    year: int
    kind: str  # "this-year" | "event" | "current" | "completed" | "past" | "floor"
    phrase: str
    confident: bool = False


def infer_date(text: str) -> tuple[str, str] | None:
    """``(date, evidence)`` inferred from ``text``, or ``None``.

    >>> infer_date("“今年是建党百年，我们已将今年确定为基层党建‘全域提升攻坚年’。”")
    ('2021', '今年是建党百年')
    >>> infer_date("青岛高新区庆祝建党100周年暨园区企业党支部集中授牌仪式。5月14日，企业一行到访。")
    ('2021-05', '庆祝建党100周年；5月14日')
    >>> infer_date("庆祝中国共产党成立100周年。5月14日，到访。优秀党员代表七一前夕参加集体宣誓仪式。")
    ('2021', '庆祝中国共产党成立100周年')
    >>> infer_date("烟台高新区将2024年确定为“招商建设年”。2023年，拨付企业各类扶持资金2.1亿元。")
    ('2024', '将2024年确定为；2023年，拨付企业各类扶持资金2.1亿元')
    >>> infer_date("2025年以来已助力400余家企业。截至2025年年底，青岛高新区拥有高新技术企业超670家。")
    ('2026', '截至2025年年底')
    >>> infer_date("截止到2023年底，全区拥有企业100家。")
    ('2024', '截止到2023年底')
    >>> infer_date("近日，陕西省科技厅公布2024年度陕西省秦创原队伍入选名单。")
    ('2024', '近日，陕西省科技厅公布2024年度陕西省')
    >>> infer_date("4月15日，由党委宣传部主办的“2024年滨青开讲吧领导宣讲活动”举行。")
    ('2024-04', '2024年滨青开讲；4月15日')

    Past years alone, bare month-days and ``今年`` only bound the date; they date nothing:

    >>> infer_date("2020年6月1日，国务院总理李克强考察。自2019年改革以来……") is None
    True
    >>> infer_date("根据2022年、2023年纳税企业名单。4月10日，举办推进会。今年以来……") is None
    True
    >>> infer_date("4月10日，园区举办推进会，2019年以来已建工会30个。") is None
    True

    Future years are no evidence; an anniversary named beside a later year is a look back:

    >>> infer_date("到2025年，将建成党群服务中心10个。") is None
    True
    >>> infer_date("在建党百年之际，回顾……。2023年，全区新增企业50家。")
    ('2024', '2023年，全区新增企业50家')
    """
    clues = _clues(text)
    past = max((c.year for c in clues if c.kind in ("past", "floor")), default=0)
    dating = [c for c in clues if c.kind not in ("past", "floor")]
    later = max((c.year for c in dating if c.kind != "event"), default=0)
    dating = [c for c in dating if c.kind != "event" or c.year >= max(past, later)]
    if not dating:
        return None
    year = max(c.year for c in dating)
    if past > year:
        return None  # the text speaks of a later year than any clue dates it to
    chosen = [c for c in dating if c.year == year]
    confident = any(c.confident for c in chosen)
    if confident:
        chosen = [c for c in chosen if c.confident]
    phrases = list(dict.fromkeys(c.phrase for c in chosen))[:2]
    date = str(year)
    if confident:
        month = _month(text, year)
        if month:
            date, phrases = f"{year}-{month[0]:02d}", phrases + [month[1]]
    return date, "；".join(phrases)


def _clues(text: str) -> list[Clue]:
    clues: list[Clue] = []
    for m in re.finditer(rf"今年是(?:({_EVENT_ANY})|((?:19|20)\d\d)年)|今年（((?:19|20)\d\d)年）", text):
        year = int(m.group(2) or m.group(3)) if not m.group(1) else _event_year(m.group(1))
        clues.append(Clue(year, "this-year", m.group(0), True))
    for rx, year, kind, words in _EVENT_RE:
        if not any(word in text for word in words):
            continue
        for m in rx.finditer(text):
            if not any(c.phrase.endswith(m.group(0)) for c in clues):
                clues.append(Clue(year, kind, m.group(0), kind == "event"))
    for m in _YEAR.finditer(text):
        clue = _year_clue(text, m)
        if clue:
            clues.append(clue)
    return clues


def _event_year(phrase: str) -> int:
    return next(y for rx, y, _, _ in _EVENT_RE if rx.fullmatch(phrase) or rx.search(phrase))


def _year_clue(text: str, m: re.Match) -> Clue | None:
    year, i, j = int(m.group(1)), m.start(), m.end()
    before, after = text[max(0, i - 2):i], text[j:j + 6]
    by = re.search(r"截[至止]到?$", text[max(0, i - 3):i])
    if re.search(r"(?:到|至|于|力争|预计|计划|争取|目标)$", before) and not by:
        return None  # a target year
    if re.match(r"年(?:底|年底|末)?前", after):
        return None
    if by and (end := re.match(r"年(?:年底|年末|底|末|(?=，))", after)):
        return Clue(year + 1, "completed", text[max(0, i - 3) + by.start():j + end.end()])
    if re.match(r"年(?:全年|一年)", after):
        return Clue(year + 1, "completed", text[i:j + 3])
    sentence = next(s for s in _SENTENCE.finditer(text) if s.start() <= i < s.end())
    rest = text[j:sentence.end()]
    if (i == sentence.start() or text[i - 1] in "，；仅") and rest.startswith("年，"):
        clause = re.match(r"年，[^，；。！？]*", rest).group(0)
        if _STAT.search(clause) and not re.search(r"将|计划|预计|力争|目标", clause):
            return Clue(year + 1, "completed", (text[i:j] + clause)[:24])
    if before.endswith("将") and not after.startswith("年前"):
        return Clue(year, "current", text[i - 1:j] + _HANDIGIT.match(text, j).group(0))
    phrase = text[i:j] + _HANDIGIT.match(text, j).group(0)
    if re.match(r"年(?:\d{1,2}月|以来|来|起|开始)", after) or re.search(r"[自从]$", before):
        return Clue(year, "past", phrase)  # a full date, or a start: 自2019年改革以来
    s_text = sentence.group(0)
    near = _NEAR.search(s_text)
    if near and sentence.start() + near.start() < i:
        start = sentence.start() + near.start()
        span = text[start:i + len(phrase)]
        return Clue(year, "current", span if len(span) <= 24 else phrase)
    if _MONTH_DAY.search(s_text):
        return Clue(year, "current", phrase, True)
    return Clue(year, "past", phrase)


def _month(text: str, year: int) -> tuple[int, str] | None:
    """The month of the latest event of ``year`` the text dates, with its phrase."""
    events: list[tuple[int, int, str]] = []
    for m in _MONTH_DAY.finditer(text):
        before = text[max(0, m.start() - 3):m.start()]
        if re.search(r"去年|明年|前年|将于|将在|计划", before):
            continue
        events.append((int(m.group(1)), int(m.group(2)), m.group(0)))
    for m in re.finditer(rf"{year}年(1[0-2]|[1-9])月([1-3]?\d)日", text):
        events.append((int(m.group(1)), int(m.group(2)), m.group(0)))
    for m in _LATE_JUNE.finditer(text):
        events.append((6, 30, m.group(0)))
    if not events:
        return None
    month, day, phrase = max(events)
    return (month, phrase) if day <= 24 else None


def article_text(a: Article) -> str:
    """Everything printed with an article that can date it: headline group, text, captions."""
    parts = [a.kicker, a.title, a.subtitle, a.lead, *(p.text for p in a.paragraphs)]
    parts += [c.text for c in a.captions]
    return "\n".join(p for p in parts if p)


def date_article(a: Article) -> Article:
    """The article with ``date``, ``date_basis`` and ``date_evidence`` set.

    The manifest wins; otherwise the date is inferred from the text (:func:`infer_date`), or
    left unknown.
    """
    if a.meta.date:
        return dataclasses.replace(a, date=a.meta.date, date_basis="manifest", date_evidence=None)
    found = infer_date(article_text(a))
    if found is None:
        return dataclasses.replace(a, date=None, date_basis=None, date_evidence=None)
    return dataclasses.replace(a, date=found[0], date_basis="inferred", date_evidence=found[1])


def date_from_page(articles: list[Article]) -> list[Article]:
    """A newspaper page is printed on one day: an article whose own text gives no date takes
    the year its page-mates were dated to, when they agree (a month too, when they agree on
    it). The evidence says so, naming the page-mate's phrase.

    >>> from scripts.model import Article
    >>> def art(i, date, ev):
    ...     return Article(i, "article", "t", False, None, None, None, (), None, "x", (), (), (), date,
    ...                    "inferred" if date else None, "p.txt", "", (1, 1), date_evidence=ev)
    >>> out = date_from_page([art("a", "2024", "将2024年确定为"), art("b", None, None)])
    >>> out[1].date, out[1].date_basis, out[1].date_evidence
    ('2024', 'inferred', '同版文章：将2024年确定为')
    """
    by_page: dict[str, list[Article]] = {}
    for a in articles:
        by_page.setdefault(a.source_file, []).append(a)
    filled: dict[str, Article] = {}
    for page in by_page.values():
        dated = [a for a in page if a.date]
        years = {a.date[:4] for a in dated}
        if len(years) != 1:
            continue  # no page-mate dated, or they disagree: leave undated
        months = {a.date[:7] for a in dated if len(a.date) >= 7}
        date = months.pop() if len(months) == 1 and all(len(a.date) >= 7 for a in dated) else years.pop()
        source = dated[0]
        evidence = "同版文章：" + (source.date_evidence or source.date)
        for a in page:
            if not a.date:
                filled[a.id] = dataclasses.replace(a, date=date, date_basis="inferred", date_evidence=evidence)
    return [filled.get(a.id, a) for a in articles]
