"""Which high-tech zones (高新区) an article names, and the surname list for bylines.

The data are two files beside this module, edited by archivists, not by code:

* ``scripts/data/zones.yml``: the gazetteer of national high-tech zones (国家高新区). Each
  entry has a ``canonical`` name (what the archive shows), the official ``full_name``, the
  ``aliases`` the press uses, ``city``, ``province`` and ``level``; ``other_places`` lists
  further place names for zones that are not in the gazetteer.
* ``scripts/data/surnames.txt``: Chinese surnames, single and compound, one per line.

:func:`find_zones` matches every name of every zone with one regular expression, compiled once
(an alternation factored by common prefixes), longest name first, so that ``厦门火炬高新区`` is one mention of 厦门火炬高新区 and not also one
of ``厦门高新区``:

>>> find_zones("此次厦门火炬高新区上榜企业……厦门高新区管委会")
['厦门火炬高新区']
>>> find_zones("图片来源:杭州高新区(滨江)")
['杭州高新区（滨江）']

Zones outside the gazetteer are recognised by the pattern ``<place>高新区`` (or ``<place>市高新区``,
``<place>国家高新区``), where the place is a gazetteer city (without 市) or one of ``other_places``;
they are reported as written:

>>> find_zones("日照高新区与青岛高新区签约，日照高新区……")
['日照高新区', '青岛高新区']

Generic references are not zones:

>>> find_zones("截至目前,该高新区已录入工会组织364个；全国高新区、国家高新区")
[]
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
ZONES_FILE = DATA_DIR / "zones.yml"
SURNAMES_FILE = DATA_DIR / "surnames.txt"

#: Words that name no particular zone; no name in the gazetteer may be one of them.
GENERIC = frozenset({
    "高新区", "国家高新区", "全国高新区", "该高新区", "本高新区", "各高新区", "省级高新区",
    "国家级高新区", "高新技术产业开发区", "国家高新技术产业开发区",
})

# Whitespace between two CJK characters or parentheses is a line break or a typesetting space
# inside a word (``青 岛高新区``, ``杭州高新区\n(滨江)``): it is dropped before matching.
_INNER_SPACE = re.compile(r"(?<=[\u3400-\u9fff（）])\s+(?=[\u3400-\u9fff（）])")


@dataclass(frozen=True)
class Zone:
    """One national high-tech zone of the gazetteer."""

    canonical: str
    full_name: str
    aliases: tuple[str, ...] = ()
    city: str = ""
    province: str = ""
    level: str = "national"
    note: str = ""

    def names(self) -> tuple[str, ...]:
        """Canonical name, full name and aliases, normalised, without duplicates.

        >>> Zone("杭州高新区（滨江）", "杭州高新技术产业开发区", ("杭州高新区(滨江)", "滨江高新区")).names()
        ('杭州高新区（滨江）', '杭州高新技术产业开发区', '滨江高新区')
        """
        return tuple(dict.fromkeys(_norm(n) for n in (self.canonical, self.full_name, *self.aliases)))


def _norm(text: str) -> str:
    """``text`` as it is matched: full-width parentheses, no whitespace inside words.

    >>> _norm("杭州高新区\\n\\n(滨江)党委"), _norm("青 岛高新区")
    ('杭州高新区（滨江）党委', '青岛高新区')
    """
    text = text.replace("(", "（").replace(")", "）")  # canonical names use full-width ones
    return _drop_inner_space(text).strip()


def _drop_inner_space(text: str) -> str:
    """``_INNER_SPACE.sub("", text)``; when the only whitespace is the ASCII space (fields of an
    article joined by spaces), by splitting at the spaces rather than trying every position.

    >>> _drop_inner_space(" 青 岛  高新区 Made in （滨江） ")
    ' 青岛高新区 Made in （滨江） '
    """
    if not text.isprintable():  # other whitespace than " " (isprintable is false for all of it)
        return _INNER_SPACE.sub("", text)
    if " " not in text:
        return text
    out: list[str] = []
    spaces = 0
    for n, piece in enumerate(text.split(" ")):
        spaces += n > 0
        if not piece:
            continue  # inside a run of spaces
        if spaces and not (out and _joins(out[-1][-1]) and _joins(piece[0])):
            out.append(" " * spaces)
        spaces = 0
        out.append(piece)
    out.append(" " * spaces)
    return "".join(out)


def _joins(ch: str) -> bool:
    """True for a character whitespace between two of which is dropped: CJK or a parenthesis."""
    return "\u3400" <= ch <= "\u9fff" or ch in "（）"


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Zone, ...], tuple[str, ...]]:
    # libyaml's loader when PyYAML has it: the gazetteer is read by every process that needs
    # it, and the pure-Python loader took 0.18 s of it
    data = yaml.load(ZONES_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    zones = []
    for i, entry in enumerate(data.get("zones") or [], 1):
        missing = [k for k in ("canonical", "full_name", "city", "province") if not entry.get(k)]
        if missing:
            raise ValueError(f"{ZONES_FILE.name}: zone #{i} ({entry.get('canonical')}) lacks {missing}")
        zones.append(Zone(
            canonical=str(entry["canonical"]).strip(),
            full_name=str(entry["full_name"]).strip(),
            aliases=tuple(str(a).strip() for a in entry.get("aliases") or ()),
            city=str(entry["city"]).strip(),
            province=str(entry["province"]).strip(),
            level=str(entry.get("level") or "national").strip(),
            note=str(entry.get("note") or "").strip(),
        ))
    places = tuple(str(p).strip() for p in data.get("other_places") or () if str(p).strip())
    return tuple(zones), places


def load_gazetteer() -> list[Zone]:
    """The zones of ``scripts/data/zones.yml``, in file order (read once, then cached).

    >>> zones = load_gazetteer()
    >>> len(zones) > 150
    True
    >>> next(z for z in zones if z.canonical == "青岛高新区").province
    '山东省'
    """
    return list(_load()[0])


def _city_short(city: str) -> str:
    return city[:-1] if city.endswith("市") and len(city) > 2 else city


def _derived(zone: Zone, name: str) -> list[str]:
    """Forms the press builds from ``name``: 国家 inserted, the city written with 市.

    >>> z = Zone("青岛高新区", "青岛高新技术产业开发区", city="青岛市")
    >>> _derived(z, "青岛高新区")
    ['青岛国家高新区', '青岛市高新区', '青岛市国家高新区']
    """
    forms = [name]
    for suffix in ("高新区", "高新技术产业开发区"):
        if name.endswith(suffix) and len(name) > len(suffix) and not name.endswith("国家" + suffix):
            forms.append(name[: -len(suffix)] + "国家" + suffix)
    short = _city_short(zone.city)
    if zone.city.endswith("市") and short != zone.city and name.startswith(short) \
            and not name.startswith(zone.city):
        forms += [zone.city + f[len(short):] for f in list(forms)]
    return forms[1:]


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Every matchable name (normalised) -> canonical name of its zone.

    Names written in the gazetteer must belong to one zone only (a ValueError says which do
    not); a derived form that two zones would share is left out.
    """
    zones, _ = _load()
    index: dict[str, str] = {}
    for zone in zones:
        for name in zone.names():
            if name in GENERIC:
                raise ValueError(f"{ZONES_FILE.name}: {zone.canonical}: {name!r} is a generic word")
            other = index.get(name)
            if other is not None and other != zone.canonical:
                raise ValueError(f"{ZONES_FILE.name}: {name!r} names both {other} and {zone.canonical}")
            index[name] = zone.canonical
    derived: dict[str, set[str]] = {}
    for zone in zones:
        for name in zone.names():
            for form in _derived(zone, name):
                if form not in index:
                    derived.setdefault(form, set()).add(zone.canonical)
    for form, owners in derived.items():
        if len(owners) == 1 and form not in GENERIC:
            index[form] = next(iter(owners))
    return index


def places() -> frozenset[str]:
    """Place names for the ``<place>高新区`` pattern: gazetteer cities without 市, other_places.

    >>> {"青岛", "乌鲁木齐", "日照"} <= places()
    True
    """
    zones, other = _load()
    return frozenset({_city_short(z.city) for z in zones} | set(other))


def _trie_pattern(words: list[str]) -> str:
    """One regular expression matching any of ``words``, the longest one where several match.

    The alternation is factored by common prefixes (a trie), so the engine tries one branch per
    character instead of every name in turn; at each step a longer name is tried before a name
    that ends there, which makes the match the longest word at that position.

    >>> _trie_pattern(["青岛高新区", "青岛国家高新区", "青海高新区"])
    '青(?:岛(?:国家高新区|高新区)|海高新区)'
    >>> [m.group() for m in re.finditer(_trie_pattern(["厦门高新区", "厦门火炬高新区", "厦门"]), "厦门火炬高新区")]
    ['厦门火炬高新区']
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a word

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:  # a word ends here: the longer ones first, then stop (greedy ``?``)
            return body + "?" if len(alts) == 1 and len(body) == 1 else "(?:" + body + ")?"
        return body

    return build(trie)


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """All zone names and every ``<place>高新区`` (also ``…市高新区``, ``…国家高新区``)."""
    words = set(_index())
    words.update(p + suffix for p in places() for suffix in ("高新区", "市高新区", "国家高新区"))
    return frozenset(words)


@lru_cache(maxsize=1)
def _matcher() -> re.Pattern[str]:
    """Every name of ``_names``, compiled once."""
    return re.compile(_trie_pattern(sorted(_names())))


@lru_cache(maxsize=1)
def _ends() -> tuple[re.Pattern[str], dict[str, int], int]:
    """The endings of the names (their last two characters: 新区, 发区, 园区, 江）, …) as a
    pattern; for each ending, the furthest it stands from the start of a name holding it
    (新区 in ``…高新区（滨江）``); and the longest name's length."""
    words = _names()
    size = min(2, *map(len, words))
    endings = sorted({w[-size:] for w in words})
    reach = {b: max(i for w in words for i in range(len(w) - size + 1) if w.startswith(b, i)) for b in endings}
    return re.compile("|".join(map(re.escape, endings))), reach, max(map(len, words))


def _mentions(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_matcher().finditer(text)``, found by looking only near the endings of
    names: most of a page is far from any, and the big pattern is slow to try.

    Where ``e`` is the first ending from ``pos`` on, a name starting at ``p`` between ``pos``
    and ``e`` has its own ending at ``e`` or later, so it holds the ending found at ``e``: it
    starts at most ``reach[ending]`` before ``e``, and it ends before ``e + longest`` (the
    search stops there without cutting it short). A name found after ``e`` may have been cut
    short: it is looked for again from ``e + 1``.

    >>> [m.group() for m in _mentions("日照高新区与青岛高新区签约，厦门火炬高新区")]
    ['日照高新区', '青岛高新区', '厦门火炬高新区']
    """
    if not _names():
        yield from _matcher().finditer(text)
        return
    pattern = _matcher()
    ends, reach, longest = _ends()
    pos = 0
    while (end := ends.search(text, pos)) is not None:
        e = end.start()
        m = pattern.search(text, max(pos, e - reach[end.group()]), e + longest)
        if m is not None and m.start() <= e:
            yield m
            pos = m.end()
        else:  # no name starts before e; one found after it may have been cut short
            pos = e + 1


def find_zones(text: str) -> list[str]:
    """Canonical names of the zones named in ``text``, most-mentioned first, ties by first mention.

    Half- and full-width parentheses are alike, and whitespace between two Chinese characters
    (a line break in a narrow column) does not break a name:

    >>> find_zones("乌鲁木齐高新区(新市区)委常委……为高新区（新市区）经济社会发展……烟台高新区")
    ['乌鲁木齐高新区（新市区）', '烟台高新区']
    >>> find_zones("4月15日,由杭州高新区\\n\\n(滨江)党委宣传部主办")
    ['杭州高新区（滨江）']
    >>> find_zones("")
    []
    """
    if not text:
        return []
    index = _index()
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in _mentions(_norm(text)):
        name = index.get(m.group(), m.group())  # a zone's canonical name, or as written
        counts[name] += 1
        first.setdefault(name, m.start())
    return sorted(counts, key=lambda n: (-counts[n], first[n]))


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Chinese surnames from ``scripts/data/surnames.txt``, compound ones included (cached).

    >>> s = surnames()
    >>> {"王", "欧阳", "诸葛"} <= s, "的" in s
    (True, False)
    """
    names: set[str] = set()
    for line in SURNAMES_FILE.read_text(encoding="utf-8").splitlines():
        names.update(line.split("#", 1)[0].split())
    return frozenset(names)


def zone_mentions(text: str) -> Counter[str]:
    """How often each zone is named in ``text`` (canonical names).

    >>> zone_mentions("青岛高新区……青岛高新区与济宁高新区")
    Counter({'青岛高新区': 2, '济宁高新区': 1})
    """
    index = _index()
    return Counter(index.get(m.group(), m.group()) for m in _mentions(_norm(text)))


@lru_cache(maxsize=1)
def _short_form() -> tuple[re.Pattern[str], dict[str, str]]:
    """``宝鸡高新`` followed by anything but 区/技术: the press's short form of a zone's name."""
    by_city: dict[str, str] = {}
    for zone in load_gazetteer():
        short = _city_short(zone.city)
        if len(short) >= 2 and zone.canonical == f"{short}高新区":
            by_city[short] = zone.canonical
    alternation = "|".join(sorted(map(re.escape, by_city), key=len, reverse=True))
    return re.compile(f"({alternation})高新(?![区技])"), by_city


def primary_zones(title: str, kicker: str | None, text: str) -> list[str]:
    """The zones an article is about, the primary one first: mentions in the headline count
    three times, in the kicker twice. When the text names no zone in full, the short form
    (``宝鸡高新创业中心`` -> 宝鸡高新区) stands in.

    >>> primary_zones("济宁高新区党建引领政务服务升级", None, "济宁市……青岛高新区、青岛高新区")
    ['济宁高新区', '青岛高新区']
    >>> primary_zones("", None, "从宝鸡高新创业服务中心了解到")
    ['宝鸡高新区']
    """
    counts = zone_mentions(text)
    for name, n in zone_mentions(title).items():
        counts[name] += 3 * n
    for name, n in zone_mentions(kicker or "").items():
        counts[name] += 2 * n
    if not counts:
        pattern, by_city = _short_form()
        counts.update(by_city[m.group(1)] for m in pattern.finditer(_norm(text)))
    if len(set(counts.values())) == len(counts):  # no tie: the first mentions do not matter
        return sorted(counts, key=lambda n: -counts[n])
    first = {name: i for i, name in enumerate(find_zones(" ".join([title, kicker or "", text])))}
    return sorted(counts, key=lambda n: (-counts[n], first.get(n, 1 << 30)))
