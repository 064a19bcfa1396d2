"""Broad topics (组织建设, 人才, 工会 …), assigned by the documented rules of
``scripts/data/topics.yml``: each topic lists keywords and a minimum number of hits.

Hits are counted on the plain text, without segmentation: each keyword as a substring, the
longest keyword first, occurrences never overlapping; a hit in the heading counts double. A
topic fires when its hits reach its ``min_hits``; an article gets the topics that fire,
strongest first (ties in file order), at most ``max_topics``.

>>> assign_topics("两家新业态工会同日揭牌成立", "工会组织364个、工会会员3.74万人。")
['工会']
>>> assign_topics("一则短讯", "天气晴。")
[]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

TOPICS_FILE = Path(__file__).resolve().parent / "data" / "topics.yml"
HEADING_WEIGHT = 2


@dataclass(frozen=True)
class Topic:
    name: str
    keywords: tuple[str, ...]
    min_hits: int
    about: str = ""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """One alternation of the keywords, longest first (so the longest one matches); built
        once per topic."""
        words = sorted(set(self.keywords), key=lambda w: (-len(w), w))
        return re.compile("|".join(map(re.escape, words)))

    def hits(self, heading: str, text: str) -> int:
        """Keyword occurrences in ``text``, plus those in ``heading`` counted double.

        >>> Topic("党员队伍", ("党员先锋岗", "先锋"), 1).hits("设立党员先锋岗", "先锋；党员先锋岗")
        4
        """
        find = self.pattern.findall
        return len(find(text)) + HEADING_WEIGHT * len(find(heading))


@lru_cache(maxsize=4)
def load_topics(path: Path = TOPICS_FILE) -> tuple[tuple[Topic, ...], int]:
    """The topics of a rules file, in file order, and the most an article gets.

    >>> topics, most = load_topics()
    >>> [t.name for t in topics][:3], most
    (['组织建设', '党员队伍', '人才'], 3)
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    topics = []
    for i, entry in enumerate(data.get("topics") or [], 1):
        if not entry.get("name") or not entry.get("keywords"):
            raise ValueError(f"{path}: topic #{i} needs a name and keywords")
        topics.append(Topic(str(entry["name"]), tuple(str(k) for k in entry["keywords"]),
                            int(entry.get("min_hits", 1)), str(entry.get("about", ""))))
    return tuple(topics), int(data.get("max_topics", 3))


def topic_strengths(title: str, text: str, path: Path = TOPICS_FILE) -> dict[str, int]:
    """Hits of every topic whose rule fires, by topic name (file order)."""
    topics, _ = load_topics(path)
    hits = {t.name: t.hits(title, text) for t in topics}
    return {t.name: hits[t.name] for t in topics if hits[t.name] >= t.min_hits}


FALLBACK_MIN_HITS = 2  # a short text (a brief, a photo caption) that no rule reaches


def assign_topics(title: str, text: str, path: Path = TOPICS_FILE) -> list[str]:
    """The article's topics, strongest first (ties in file order), at most ``max_topics``.

    When no rule fires, as with a short brief or a photo caption, the one topic with the most
    keyword hits is given, if it has at least :data:`FALLBACK_MIN_HITS`."""
    topics, most = load_topics(path)
    strengths = topic_strengths(title, text, path)
    if not strengths:
        hits = {t.name: t.hits(title, text) for t in topics}
        best = max(hits, key=lambda n: hits[n], default=None)
        return [best] if best is not None and hits[best] >= FALLBACK_MIN_HITS else []
    order = list(strengths)
    return sorted(order, key=lambda n: (-strengths[n], order.index(n)))[:most]
