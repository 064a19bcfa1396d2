"""Numeric facts in running text: subject, value as printed, unit, and the sentence.

A figure is a number (``320``, ``3.74``, with ``万``/``亿`` and ``余``/``多`` as printed) with a
unit from :data:`UNITS`, optionally after a qualifier that changes what the number means
(``超`` ``近`` ``约`` ``逾`` …, kept in the value). Connectors that do not (``达`` ``占`` ``共有``
``累计``) are dropped. The subject is the noun printed before the number (``党员2720名``) or, when
the unit is followed by a noun, after it (``设立120个党员先锋岗``); it is cut at punctuation and at
the verbs and function words of :data:`STOPS` (:data:`AFTER_STOPS`). Years (``2024年``), dates (``5月14日``), ordinals
(``第135届``), fractions (``2/3``) and durations (``2个月``) are not figures.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .model import Figure

HAN = "\u4e00-\u9fff"
UNITS = sorted(set(
    "平方公里 平方米 万人次 人次 个百分点 美元 元 % ％ 个 名 家 人 项 件 次 场 支 亩 套 期 处 份 条 座 户 "
    "所 栋 种 台 批 天 小时 公里 吨 辆 篇 倍".split()), key=len, reverse=True)
QUALIFIERS = ("超过", "将近", "不到", "不足", "超", "近", "约", "逾", "仅")
_QUALIFIER_ENDS = frozenset(q[-1] for q in QUALIFIERS)
#: A number and its unit; the qualifier before it is read by :func:`_qualifier` (a pattern
#: that starts with a digit lets the regex engine skip to the next digit at C speed).
_FIGURE = re.compile(
    rf"(?P<n>\d(?<![\d./／第]\d)\d*(?:\.\d+)?)(?![\d./／])"
    rf"(?P<x>[余多]?[万亿]?[余多]?)(?P<u>{'|'.join(re.escape(u) for u in UNITS)})")
#: Connectors between a subject and its number, dropped from the end of the subject.
_CONNECTOR = re.compile(r"(?:达到|达|为|是|占|共有|共计|共|累计|总计|合计|高达|多达|突破|有|提高|提升|增长|增加|下降|减少)$")
#: Where a subject before the number cannot reach further: verbs, prepositions, time words.
#: Words that also end nouns (组织 in 党组织, 研发 in 研发人员, 投资 in 投资金额) are not here.
STOPS = (
    "拥有 其中 新增 累计 实现 引进 培育 设立 选派 选聘 组建 建立 建成 成立 新成立 开展 推选 发展至 储备 "
    "助力 帮助 解决 提供 发放 拨付 落实 录入 收集 落地 引育 撬动 吸纳 入选 获批 获得 取得 申报 举办 召开 "
    "新配备 集中轮训 轮训 优化调整 确定 出台 助推 揭牌启用 打造 下发 依托 选育 联动 追加 升级改造 参与 "
    "参观 进行 对接 落户 加入 担任 集聚 已有 已 再 对 和 与 及 以及 等 的 在 从 向 由 将 把 被 让 "
    "目前 截至目前 今年 去年 如今 最初 当前 近年来 近年 先后 共同 具有 为 并 也 还"
).split()
#: Where a subject after the unit ends: ``500多名党员到社区报到`` -> ``党员``.
AFTER_STOPS = (
    "的 和 与 及 等 对 到 在 为 向 从 由 将 把 被 开展 进行 参观 参展 参与 加入 担任 落户 对接 齐聚 "
    "开工 投产 包联 获评 提供 实现 入选 榜上有名 全部 共同 先后"
).split()
_STOP_RE = re.compile("|".join(sorted(STOPS, key=len, reverse=True)))
_AFTER_STOP_RE = re.compile("|".join(sorted(AFTER_STOPS, key=len, reverse=True)))
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
_HAN_RUN_END = re.compile(f"[{HAN}]{{0,30}}\\Z")  # the Han characters just before a position
_HAN_RUN = re.compile(f"[{HAN}]{{1,14}}")
_HAN_CHAR = re.compile(f"[{HAN}]")
_BOUND_AFTER = re.compile(f"以[上下][{HAN}]")


def find_figures(text: str) -> tuple[Figure, ...]:
    """Every figure of ``text`` with a subject, in order of appearance.

    >>> for f in find_figures("截至目前，青岛高新区拥有基层党组织320个，党员2720名。"):
    ...     print(f.subject, f.value, f.unit)
    基层党组织 320 个
    党员 2720 名
    >>> [(f.subject, f.value, f.unit) for f in find_figures("拥有高新技术企业超670家，工会会员3.74万人，签约订单超2亿元。")]
    [('高新技术企业', '超670', '家'), ('工会会员', '3.74万', '人'), ('签约订单', '超2亿', '元')]
    >>> [(f.subject, f.value, f.unit) for f in find_figures("技术革新项目占比达72%，总投资额约85亿元。设立120个党员先锋岗。")]
    [('技术革新项目占比', '72', '%'), ('总投资额', '约85亿', '元'), ('党员先锋岗', '120', '个')]
    >>> find_figures("2024年5月14日，第135届广交会举行，比预期提前2个月，2/3的指标。")
    ()
    >>> find_figures("党员2720名，其中高新技术企业党组织210个。")[1].sentence
    '党员2720名，其中高新技术企业党组织210个。'
    """
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    starts = [s for s, _ in sentences]
    out = []
    for m in _FIGURE.finditer(text):
        after = text[m.end():m.end() + 3]
        if m.group("u") == "个" and after.startswith("月") or _BOUND_AFTER.match(after):
            continue  # a duration (2个月) or a bound inside a noun phrase (25人以上企业)
        qualifier = _qualifier(text, m.start())
        start = m.start() - len(qualifier)
        before, behind = _subject_before(text, start), _subject_after(text, m.end())
        noun_follows = _HAN_CHAR.match(after) and not after.startswith(("的", "以", "其中"))
        subject = (behind or before) if noun_follows else (before or behind)
        if not subject:
            continue
        value = qualifier + m.group("n") + m.group("x")
        s, e = sentences[bisect_right(starts, start) - 1]
        out.append(Figure(subject, value, m.group("u"), text[s:e].strip().lstrip("”’")))
    return tuple(out)


def _qualifier(text: str, i: int) -> str:
    """The qualifier printed just before the number at ``i`` (the longest), or ``""``.

    >>> _qualifier("高新技术企业超过670家", 8), _qualifier("企业670家", 2), _qualifier("近5个", 1)
    ('超过', '', '近')
    """
    if not i or text[i - 1] not in _QUALIFIER_ENDS:
        return ""
    return next((q for q in QUALIFIERS if len(q) <= i and text.startswith(q, i - len(q))), "")


def _subject_before(text: str, i: int) -> str | None:
    """The noun printed just before the number: ``青岛高新区拥有基层党组织`` -> ``基层党组织``."""
    left = _HAN_RUN_END.search(text, max(0, i - 30), i).group(0)
    left = _CONNECTOR.sub("", left)
    if "较" in left:
        left = left[: left.index("较")]  # 审批效率较之前提高 -> 审批效率
    left = left[max((m.end() for m in _STOP_RE.finditer(left)), default=0):]
    return left if 2 <= len(left) <= 12 else None


def _subject_after(text: str, j: int) -> str | None:
    """The noun printed just after the unit: ``设立120个党员先锋岗`` -> ``党员先锋岗``."""
    if text.startswith("的", j):
        j += 1
    m = _HAN_RUN.match(text, j)
    if not m or re.match(r"以[上下内]|左右", m.group(0)):
        return None
    right = m.group(0)
    stop = next((s for s in _AFTER_STOP_RE.finditer(right) if s.start() >= 2), None)
    right = right[: stop.start()] if stop else right
    if _AFTER_STOP_RE.match(right) or _STOP_RE.match(right):
        return None
    return right if 2 <= len(right) <= 12 else None
