"""Each seed record's primary zone (the one it is about), written from reading the pages."""
from __future__ import annotations

import pytest

from tests.conftest import page_of

EXPECTED = {
    "000": ["青岛高新区", "宝鸡高新区", "济宁高新区"],
    "001": ["青岛高新区"],
    "002": ["青岛高新区"],
    "003": ["烟台高新区"],
    "004": ["烟台高新区", "苏州高新区", "厦门火炬高新区", "保定高新区", "宝鸡高新区", "杭州高新区（滨江）", "乌鲁木齐高新区（新市区）"],
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_primary_zone_of_every_record(seed_report, prefix):
    page = page_of(seed_report, prefix)
    assert [a.zones[0] if a.zones else None for a in page.articles] == EXPECTED[prefix]


def test_a_zone_named_in_passing_comes_after_the_primary_one(seed_report):
    jining = [a for a in page_of(seed_report, "000").articles if a.title.startswith("济宁")][0]
    assert jining.zones[0] == "济宁高新区"
