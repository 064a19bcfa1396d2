"""People named with their titles, and organisations, in an article's running text.

Both are found by patterns alone; when ``scripts/nlp.py`` (the project's segmenter) is
available its part-of-speech tags only add candidates: a name tagged ``nr`` after a title, an
organisation tagged ``nt``. Everything returned is a substring of the text.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, compress

from .bylines import NOT_NAMES, is_name
from .model import Person

HAN = "\u4e00-\u9fff"

#: Title words, longest first so that 副书记 wins over 书记 and 总经理 over 经理.
TITLES = sorted(set(
    "书记 副书记 主任 副主任 部长 副部长 局长 副局长 董事长 副董事长 总经理 副总经理 经理 "
    "负责人 总理 副总理 委员 常委 科长 处长 社长 院长 副院长 校长 理事长 主席 副主席 会长 "
    "秘书长 厂长 所长 站长 总监 总裁 行长 区长 市长 县长 镇长 省长 队长 组长 主委 总工程师 "
    "首席科学家 创始人 党支部书记".split()), key=len, reverse=True)
_TITLE_RE = re.compile("|".join(TITLES))

#: What may directly follow a name: speech and action verbs, function words (``刘森如此总结``).
FOLLOWERS = tuple(sorted(
    "说 表示 介绍 指出 认为 强调 谈到 告诉 坦言 称 如此 宣读 代表 兼任 考察 调研 主持 出席 参加 "
    "带领 带队 率队 一行 同志 等 和 与 及 在 对 向 也 还 就 都 则 为 充满 坚持 带头 感慨 回忆 "
    "透露 提出 要求 希望 讲 作 指导 看来 接受 详细".split(), key=len, reverse=True))

#: Where a title's organisation ends (the title starts after it): ``…有限公司党委副书记``.
_TITLE_LEFT_EDGE = re.compile(
    r"有限公司|公司|集团|高新区|新区|街道|社区|院(?!长)|厅|局(?!长)|大学|学院|中心|"
    r"[市省县镇村区](?![委长])|[的和与及由为对向在将把被让了是]|任命|担任|兼任|选举")


def find_people(text: str) -> tuple[Person, ...]:
    """People the text names after a title, by first mention; one entry per name, longest title.

    >>> find_people("烟台高新区党工委书记、管委会主任刘森如此总结。刘森说。")
    (Person(name='刘森', title='党工委书记、管委会主任'),)
    >>> find_people("东方蓝天钛金科技有限公司党委副书记田文广表示，……董事长王建军说。")
    (Person(name='田文广', title='党委副书记'), Person(name='王建军', title='董事长'))
    >>> find_people("会上，喀什东路街道党工委书记依明江·亚森宣读楼宇党委成立批复。")
    (Person(name='依明江·亚森', title='党工委书记'),)
    >>> find_people("乌鲁木齐高新区（新市区）委常委、组织部部长桑建刚说")
    (Person(name='桑建刚', title='委常委、组织部部长'),)
    >>> find_people("2020年6月1日，国务院总理李克强考察烟台高新区")
    (Person(name='李克强', title='总理'),)

    A title before an ordinary word names nobody:

    >>> find_people("党支部书记高度重视，相关负责人表示，书记和主任双重身份")
    ()
    """
    found: dict[str, tuple[int, str]] = {}
    nr = _tagged_names(text)
    for m in _TITLE_RE.finditer(text):
        name = _name_at(text, m.end(), nr)
        if not name:
            continue
        title = _title_before(text, m.start(), m.end())
        first, old = found.get(name, (m.end(), ""))
        found[name] = (first, title if len(title) > len(old) else old)
    return tuple(Person(n, t or None) for n, (_, t) in sorted(found.items(), key=lambda kv: kv[1][0]))


#: :func:`scripts.bylines.is_name`, remembered: the same candidates recur after title words.
_is_name = lru_cache(maxsize=1 << 16)(is_name)


def _follows(text: str, q: int) -> bool:
    return q >= len(text) or not re.match(f"[{HAN}]", text[q]) or text.startswith(FOLLOWERS, q)


def _name_at(text: str, p: int, nr: set[tuple[int, str]]) -> str | None:
    """The personal name starting at ``p``, if any: ``X·Y`` or a surname and given name."""
    m = re.match(f"[{HAN}]{{1,5}}·", text[p:p + 6])
    if m:
        for k in range(4, 0, -1):
            q = p + m.end() + k
            if q <= len(text) and re.fullmatch(f"[{HAN}]{{{k}}}", text[p + m.end():q]) and _follows(text, q):
                return text[p:q]
        return None
    for k in (4, 3, 2):
        cand = text[p:p + k]
        if len(cand) == k and cand not in NOT_NAMES and ((p, cand) in nr or (_is_name(cand) and _follows(text, p + k))):
            return cand
    return None


def _title_before(text: str, start: int, end: int) -> str:
    """The title chain ending with the title word ``text[start:end]``: ``党工委书记、管委会主任``."""
    i = start
    while i > 0 and start - i < 20 and re.match(f"[{HAN}、]", text[i - 1]):
        i -= 1
    chain = text[i:end]
    cut = max((m.end() for m in _TITLE_LEFT_EDGE.finditer(chain[: start - i])), default=0)
    title = chain[cut:].strip("、")
    return title if len(title) <= 16 else text[start:end]


# --- organisations ---------------------------------------------------------------------------

#: How organisation names end, longest first.
ORG_SUFFIXES = sorted(set(
    "股份有限公司 有限责任公司 有限公司 公司 集团 股份 大学 学院 研究院 研究所 党工委 党委 党总支 "
    "党支部 党组 党校 管委会 委员会 联合会 工会 协会 商会 联盟 中心 医院 银行 局 厅".split()), key=len, reverse=True)
_SUFFIX_RE = re.compile("|".join(ORG_SUFFIXES))
_SUFFIX_END_RE = re.compile(f"(?:{_SUFFIX_RE.pattern})$")
#: A suffix followed by these is part of another word: 党组织, 大学生, 公司法, 局面, 中心组.
_NOT_SUFFIX = re.compile(r"党组(?=织)|大学(?=生)|公司(?=法)|局(?=[面长势部])|中心(?=[组任城区])|集团(?=化)|股份(?=制)"
                         r"|(?:%s)(?=项目|产业|组织)" % "|".join(ORG_SUFFIXES))
_BAD_ENDINGS = ("格局", "布局", "大局", "全局", "开局", "新局", "当局", "结局", "大厅", "展厅", "餐厅", "建工会",
                "加工中心")
#: Party and union bodies of an organisation: ``XX有限公司党委`` also names ``XX有限公司``.
PARTY_ORGANS = ("党委", "党总支", "党支部", "党工委", "党组", "工会")

#: Where an organisation's name cannot reach further left: prepositions, conjunctions, verbs,
#: counted nouns (``58家``), ordinals. The name starts after the last one.
ORG_LEFT_STOPS = (
    "对 与 和 同 跟 及 或 由 在 为 从 向 将 把 被 让 给 于 到 至 的 了 是 等 并 即 且 还 也 都 又 再 如 据 "
    "已有 已 根据 经审定 通过 依托 依靠 联合 联动 促成 参观 走进 来到 前往 到访 覆盖 组建 成立 建立 "
    "建成 打造 选派 推动 引进 担任 兼任 任命 召开 举办 举行 开展 发布 公布 支持 设立 入驻 加入 落户 "
    "投资建设 揭牌 启用 授牌 包括 囊括 涵盖 整合 吸纳 培育 代表 其中 目前 近日 日前 同时 此外 随后 "
    "以及 作为 位于 原有 新组建 我们 该 各 没有 时 构建起 构建 健全 使 加大 进一步 发挥 充分 大力 全面"
).split()
_ORG_STOP_RE = re.compile(
    "|".join(sorted(ORG_LEFT_STOPS, key=len, reverse=True))
    + r"|企业(?!家)|建设(?!银行|部)|以(?!色列)|\d+(?:\.\d+)?(?![\dA-Za-z])[万亿]?[余多]?[个家名支所项座栋条处]?"
    + r"|[一二两三四五六七八九十百千几多]+[个家名支所项座栋条]|第[\d一二三四五六七八九十]+[届次期批]")
#: Words that make no name: an organisation made only of them (``党群服务中心``) is generic.
GENERIC = sorted(set(
    "党群 服务 企业 园区 技术 创新 产业 产业链 推进 政务 政企 楼宇 区级 市级 省级 孵化器 重点 科创 "
    "平台 基层 社区 街道 综合 非公 联合 互联网 链上 上市 单位 机关 行业 区域 项目 工作 党建 中心 "
    "国家级 新型 研发 机构 优秀 工会 行业性 区域性 科研院所".split()), key=len, reverse=True)
_GENERIC_RE = re.compile(f"(?:{'|'.join(GENERIC)})+")
ORG_MAX = 20


def find_organizations(text: str) -> tuple[str, ...]:
    """Companies and institutions the text names, by first mention, each once.

    >>> find_organizations("对青岛智腾科技有限公司、青岛立菲生物产业有限公司等58家重点高企党组织进行指导")
    ('青岛智腾科技有限公司', '青岛立菲生物产业有限公司')
    >>> find_organizations("促成青岛高测股份与青岛科技大学等校企合作；已有软控股份、高测股份两家上市公司")
    ('青岛高测股份', '青岛科技大学', '软控股份', '高测股份')
    >>> find_organizations("宝鸡高新科技创新园入驻企业陕西四维衡器科技有限公司董事长王建军说")
    ('陕西四维衡器科技有限公司',)
    >>> find_organizations("在宝鸡高新创业中心党支部指导下，联合生物医药产业联盟、青年企业家协会等党组织")
    ('宝鸡高新创业中心', '宝鸡高新创业中心党支部', '生物医药产业联盟', '青年企业家协会')
    >>> find_organizations("位于青岛高新区的埃地沃兹真空泵制造（青岛）有限公司主动提出追加投资")
    ('埃地沃兹真空泵制造（青岛）有限公司',)

    Generic bodies and words that only end like a name are left out:

    >>> find_organizations("建设党群服务中心，打造产业链党建新格局，12个孵化器党支部，推动企业建工会")
    ()
    """
    spans: list[tuple[int, str]] = []  # (start, name) of every name the patterns find
    for m in _SUFFIX_RE.finditer(text):
        name = None if _NOT_SUFFIX.match(text, m.start()) else _org_ending_at(text, m.start(), m.end())
        if name:
            spans.append((m.end() - len(name), name))
    # Of names starting at one place keep the longest (``…中心有限公司``, not ``…中心``), and a
    # body as well as its party committee (``XX有限公司`` and ``XX有限公司党委``).
    longest = {s: n for s, n in sorted(spans, key=lambda sn: len(sn[1]))}
    kept = [(s, n) for s, n in spans if n == longest[s] or longest[s][len(n):] in PARTY_ORGANS]
    for start, word in _tagged_orgs(text):  # only where the patterns found nothing
        if not any(s < start + len(word) and start < s + len(n) for s, n in kept):
            kept.append((start, word))
    return tuple(dict.fromkeys(n for _, n in sorted(kept, key=lambda sn: (sn[0], len(sn[1])))))


_ORG_RUN_END = re.compile(f"[{HAN}A-Za-z0-9·]*\\Z")  # the name characters just before a position
_HAN_RUN = re.compile(f"[{HAN}]+")
_ALNUM = re.compile(r"[\dA-Za-z]+")


def _org_start(text: str, s: int) -> int:
    """Where a name ending at ``s`` can start: back over Han, Latin, digits and ``·``, and over
    a short parenthesised place (``制造（青岛）有限公司``), at most 30 characters.

    >>> text = "签约，埃地沃兹真空泵制造（青岛）有限公司"
    >>> text[_org_start(text, text.index("有限公司")):]
    '埃地沃兹真空泵制造（青岛）有限公司'
    """
    i = s
    while i > 0 and s - i < 30:
        if text[i - 1] == "）" and (j := text.rfind("（", max(0, i - 8), i)) >= 0 \
                and _HAN_RUN.fullmatch(text, j + 1, i - 1):
            i = j
            continue
        run = _ORG_RUN_END.search(text, max(0, s - 30), i).start()
        if run == i:
            break
        i = run
    return i


def _org_ending_at(text: str, s: int, e: int) -> str | None:
    prefix = text[_org_start(text, s):s]
    cut = max((m.end() for m in _ORG_STOP_RE.finditer(prefix)), default=0)
    prefix = prefix[cut:].lstrip("·")
    name = prefix + text[s:e]
    if len(prefix) < 2 or len(name) > ORG_MAX or name.endswith(_BAD_ENDINGS):
        return None
    if _GENERIC_RE.fullmatch(prefix) or _ALNUM.fullmatch(prefix):
        return None
    return name


# --- optional part-of-speech tags ------------------------------------------------------------

def _nlp():
    """The project's segmenter ``scripts.nlp``, or ``None`` when it cannot be imported."""
    try:
        from . import nlp
    except ImportError:
        return None
    return nlp


def _pos_tags(text: str, hmm: bool = True) -> list[tuple[int, str, str]]:
    """``(start, word, flag)`` from ``scripts.nlp.pos_tag``, or nothing when it is unavailable."""
    nlp = _nlp()
    if nlp is None:
        return []
    try:
        out, pos = [], 0
        for word, flag in nlp.pos_tag(text, hmm=hmm):
            at = text.find(word, pos)
            if at < 0:
                continue
            out.append((at, word, flag))
            pos = at + len(word)
        return out
    except Exception:  # a tagger failure must never cost the pattern results
        return []


# Names are tagged only in a short window after each title word; organisation names (dictionary
# words tagged nt, HMM off) only in the first POS_TAG_LIMIT characters.
NAME_WINDOW = 12
POS_TAG_LIMIT = 20_000


def _tagged_names(text: str) -> set[tuple[int, str]]:
    out = set()
    for m in _TITLE_RE.finditer(text):
        start = m.end()
        window = text[start : start + NAME_WINDOW]
        out.update((start + at, w) for at, w, f in _pos_tags(window) if f.startswith("nr") and 2 <= len(w) <= 4)
    return out


def _is_tagged_org(word: str) -> bool:
    """Whether a dictionary word tagged ``nt`` names an organisation here: 4 to ORG_MAX
    characters, no left stop inside, more than a generic word before its suffix.

    >>> _is_tagged_org("中国科学院"), _is_tagged_org("国务院"), _is_tagged_org("党群服务中心")
    (True, False, False)
    """
    if not 4 <= len(word) <= ORG_MAX or _ORG_STOP_RE.search(word):
        return False
    core = _SUFFIX_END_RE.sub("", word)
    return len(core) >= 2 and not _GENERIC_RE.fullmatch(core) and not word.endswith(_BAD_ENDINGS)



@lru_cache(maxsize=1)
def _org_words():
    """word -> whether it is tagged ``nt`` and names an organisation, decided once per word."""
    nlp = _nlp()
    tags = nlp.word_tags()
    return nlp.WordMemo(lambda word: tags[word] == "nt" and _is_tagged_org(word))


def _tagged_orgs(text: str) -> list[tuple[int, str]]:
    """``(start, word)`` of the organisation names among the dictionary words of ``text``.

    >>> _tagged_orgs("他来到中国科学院参观")
    [(3, '中国科学院')]
    """
    nlp = _nlp()
    if nlp is None:
        return []
    try:
        words = nlp.tokenize(text[:POS_TAG_LIMIT], hmm=False)  # without HMM: a tag per word
        keep = list(map(_org_words().__getitem__, words))
    except Exception:  # a tagger failure must never cost the pattern results
        return []
    if not any(keep):
        return []
    ends = list(accumulate(map(len, words)))
    return [(ends[i] - len(words[i]), words[i]) for i in compress(range(len(words)), keep)]
