"""Bylines and sign-offs: who wrote an article, with roles (本报记者, 通讯员) kept apart.

Forms seen in print: a byline line before the text (``刘文研 本报记者 戈清平``, ``► 高东 刘文研``),
a sign-off after the last sentence (``…注入红色动能。 张昕``, ``…新质生产力。林露虹``) or on its
own line after the text (``代可友 赵祎诺``), and ``本报讯（记者 张三）`` inside a dateline.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .model import Author

ROLES = (
    "本报特约记者", "本报记者", "本报通讯员", "特约记者", "特约通讯员", "见习记者", "实习记者",
    "实习生", "通讯员", "记者", "摄影", "文/图", "文／图", "图/文", "文", "图",
)
_ROLE_RE = "|".join(re.escape(r) for r in ROLES)
# Words that can follow a full stop at the end of a paragraph but are not names.
NOT_NAMES = frozenset(
    "同时 此外 其中 目前 近日 近年 今年 去年 明年 据悉 另外 因此 为此 随后 然后 最后 首先 其次 "
    "总之 但是 而且 并且 如今 未来 当前 下一步 与此 对此 从而 以及 还有 所以 于是 不过 高新区 "
    "党建 企业 记者 编辑 组版 供图 摄影 来源 图片".split()
)


# Function characters that do not occur in given names ("党建在" is not a person).
NOT_IN_GIVEN_NAMES = frozenset("的了在是和与及等为之其这那个们中上下不也都就而或把被从向对将于所以")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Chinese surnames (single and compound), from ``scripts/data/surnames.txt``."""
    path = Path(__file__).with_name("data") / "surnames.txt"
    if not path.exists():  # minimal fallback so the pipeline still runs without the data file
        return frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤谷戈代桑")
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        names.update(line.split())
    return frozenset(names)


def is_name(token: str) -> bool:
    """A plausible Chinese personal name: a known surname followed by one or two characters.

    >>> is_name("戈清平"), is_name("高欣"), is_name("党建在高新"), is_name("同时"), is_name("党建在")
    (True, True, False, False, False)
    """
    if not _NAME_SHAPE.fullmatch(token) or token in NOT_NAMES:
        return False
    names = surnames()
    for size in surname_lengths():  # the longest surname that leaves a one- or two-character given name
        if token[:size] in names and 1 <= len(token) - size <= 2:
            given = token[size:]
            return not any(ch in NOT_IN_GIVEN_NAMES for ch in given)
    return False


_NAME_SHAPE = re.compile(r"[\u4e00-\u9fff]{2,4}")


@lru_cache(maxsize=1)
def surname_lengths() -> tuple[int, ...]:
    """The lengths of the known surnames, longest first.

    >>> surname_lengths()[-1]
    1
    """
    return tuple(sorted({len(sn) for sn in surnames()}, reverse=True))


def parse_byline(text: str) -> tuple[Author, ...] | None:
    """Authors of a byline line, or ``None`` when the line is not a byline.

    A role applies to the names after it, until the next role.

    >>> parse_byline("刘文研 本报记者 戈清平")
    (Author(name='刘文研', role=None), Author(name='戈清平', role='本报记者'))
    >>> parse_byline("王宏伟 孙达")
    (Author(name='王宏伟', role=None), Author(name='孙达', role=None))
    >>> parse_byline("蓬勃发展中的青岛高新区") is None
    True
    """
    text = text.strip().strip("()（）")
    if not text or len(text) > 40 or _NEVER_IN_BYLINE.search(text):
        return None
    tokens = []
    for tok in text.split():
        # "记者张三" is a role glued to a name; single-character roles only stand alone.
        m = _GLUED_ROLE.match(tok)
        if m and len(m.group(1)) > 1:
            tokens.extend([m.group(1), tok[m.end():]])
        else:
            tokens.append(tok)
    authors, role = [], None
    for tok in tokens:
        tok = tok.strip("、，,：:")
        if not tok:
            continue
        if tok in ROLES:
            role = tok
        elif is_name(tok):
            authors.append(Author(tok, role))
        else:
            return None
    return tuple(authors) or None


_GLUED_ROLE = re.compile(rf"({_ROLE_RE})(?=[\u4e00-\u9fff]{{2,4}}$)")
# A byline is made of names and roles (Han, "/" in 文/图), spaces, and the 、，,：: a token may end
# with: any other character (。 “ a digit) rejects the line before it is split into tokens.
_NEVER_IN_BYLINE = re.compile(r"[^\u4e00-\u9fff/／\s、，,：:]")


def split_signoff(text: str) -> tuple[str, str] | None:
    """Split a trailing author sign-off off the last paragraph of an article.

    >>> split_signoff("为区域经济高质量发展作出新的贡献。 谷星佐")
    ('为区域经济高质量发展作出新的贡献。', '谷星佐')
    >>> split_signoff("加快形成新质生产力。林露虹")
    ('加快形成新质生产力。', '林露虹')
    >>> split_signoff("实现以党建“红”引领企业“兴”。") is None
    True
    """
    m = _SIGNOFF.search(text)
    if not m:
        return None
    if parse_byline(m.group(2)) is None:
        return None
    return text[: m.end(1)], m.group(2)


_SIGNOFF = re.compile(r"([。！？!?…”’」』）)])\s*((?:[\u4e00-\u9fff]{2,4})(?:\s+[\u4e00-\u9fff]{2,4}){0,3})\s*$")
