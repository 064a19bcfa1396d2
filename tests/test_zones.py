"""The zone gazetteer (scripts/data/zones.yml), find_zones, and the surname list."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scripts import zones
from scripts.zones import Zone, _norm, find_zones, load_gazetteer, surnames

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


# --- find_zones on sentences from the seed pages -------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # 004: half-width parentheses, the canonical name has full-width ones
    ("“乌鲁木齐高新区(新市区)‘三新’领域主体丰富、人员众多,是支撑辖区经济社会发展高质量发展的重要力量。”"
     "乌鲁木齐高新区(新市区)委常委、组织部部长桑建刚说", ["乌鲁木齐高新区（新市区）"]),
    # 004: the short form at the end of the same article is the same zone
    ("为高新区(新市区)经济社会高质量发展注入强劲动力。", ["乌鲁木齐高新区（新市区）"]),
    # 004: 厦门火炬高新区 is one mention, not also one of 厦门高新区
    ("此次厦门火炬高新区上榜企业及其项目案例分别为:瀚亭科技为厦门火炬高新区管委会建设的“政策兑现智能审批解决方案”",
     ["厦门火炬高新区"]),
    # 004: the name is broken over two lines in print
    ("4月15日,由杭州高新区\n\n(滨江)党委宣传部主办的“拔节生长向春行”领导宣讲活动在北航杭州研究院举行。",
     ["杭州高新区（滨江）"]),
    ("在北航杭州研究院举行……杭州高新区(滨江)党委", ["杭州高新区（滨江）"]),
    ("图片来源:杭州高新区(滨江)", ["杭州高新区（滨江）"]),
    ("图片来源:杭州高新区（滨江）", ["杭州高新区（滨江）"]),
    # 004: generic references alone are not zones
    ("截至目前,该高新区已录入工会组织364个", []),
    ("此外,不断加大该高新区新就业形态劳动者集聚的乡镇(街道)、村(社区)、开发区(园区)等区域性工会联合会的组建力度", []),
    ("来自高新区企业、科研院所的青年宣讲员代表走上舞台", []),
    ("在全国高新区中位列前茅，最新公布的国家高新区综合排名", []),
    ("本高新区", []),
    # 004 / 000 / 003
    ("本报讯 4月10日,保定高新区举办工会基层组织应建尽建工作推进会", ["保定高新区"]),
    ("今年以来,宝鸡高新区持续聚焦陕西省秦创原“科学家+工程师”队伍建设", ["宝鸡高新区"]),
    ("展现出苏州高新区新兴产业高质量发展的强劲实力。图为参观者驻足苏州高新区企业莱克电气展位。", ["苏州高新区"]),
    ("活动中，大家参观了济宁高新区廉洁教育基地", ["济宁高新区"]),
    ("烟台高新区：党建引领高质量发展走深走实", ["烟台高新区"]),
    # 002: a typesetting space inside the name
    ("务,截至目前,青 岛高新区已有软控股份等企业", ["青岛高新区"]),
    ("", []),
])
def test_find_zones_seed_sentences(text, expected):
    assert find_zones(text) == expected


def test_most_mentioned_first_ties_by_first_mention():
    text = "济宁高新区与青岛高新区签约。青岛高新区、烟台高新区、青岛高新区；烟台高新区。"
    assert find_zones(text) == ["青岛高新区", "烟台高新区", "济宁高新区"]
    # a tie: first mentioned first
    assert find_zones("宝鸡高新区、保定高新区") == ["宝鸡高新区", "保定高新区"]
    assert find_zones("保定高新区、宝鸡高新区") == ["保定高新区", "宝鸡高新区"]


def test_aliases_full_names_and_derived_forms_map_to_canonical():
    assert find_zones("厦门高新区") == ["厦门火炬高新区"]
    assert find_zones("厦门火炬高技术产业开发区") == ["厦门火炬高新区"]
    assert find_zones("滨江高新区、杭州高新区、杭州高新技术产业开发区") == ["杭州高新区（滨江）"]
    assert find_zones("青岛国家高新区、青岛市高新区、青岛高新技术产业开发区") == ["青岛高新区"]
    assert find_zones("武汉东湖新技术开发区（东湖高新区）") == ["东湖高新区"]
    assert find_zones("上海张江高新区") == ["张江高新区"]
    assert find_zones("中关村国家自主创新示范区") == ["中关村科技园区"]
    assert find_zones("杨凌农业高新技术产业示范区") == ["杨凌示范区"]
    assert find_zones("马鞍山高新区") == ["马鞍山慈湖高新区"]  # not 鞍山高新区
    assert find_zones("长春净月高新区和长春高新区") == ["长春净月高新区", "长春高新区"]


def test_unknown_zones_by_place_pattern_are_returned_as_written():
    assert find_zones("日照高新区") == ["日照高新区"]
    assert find_zones("东营高新区") == ["东营高新区"]  # 东营 is the city of 黄河三角洲农高区
    assert find_zones("雄安高新区与保定高新区") == ["雄安高新区", "保定高新区"]
    assert find_zones("北京高新区") == ["北京高新区"]  # a gazetteer city; not a known alias
    assert find_zones("某某高新区") == []


def test_seed_page_004_zones():
    path = SEEDS / "004_af9ed2a9fbe09997.txt"
    if not path.exists():
        pytest.skip("seed page not present")
    found = find_zones(path.read_text(encoding="utf-8", errors="replace"))
    assert found[0] == "烟台高新区"
    assert set(found) == {"烟台高新区", "厦门火炬高新区", "乌鲁木齐高新区（新市区）", "保定高新区",
                          "苏州高新区", "宝鸡高新区", "杭州高新区（滨江）"}


def test_find_zones_is_fast():
    import time
    text = "烟台高新区坚持把党支部建在产业链上，该高新区……厦门火炬高新区、乌鲁木齐高新区(新市区)。" * 2000
    find_zones("预热")
    start = time.perf_counter()
    found = find_zones(text)
    assert found == ["烟台高新区", "厦门火炬高新区", "乌鲁木齐高新区（新市区）"]
    assert time.perf_counter() - start < 1.0


# --- the gazetteer --------------------------------------------------------------------------

def test_yaml_loads_and_every_entry_is_complete():
    data = yaml.safe_load(zones.ZONES_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"zones", "other_places"}
    assert len(data["zones"]) >= 170
    for entry in data["zones"]:
        for key in ("canonical", "full_name", "city", "province"):
            assert isinstance(entry.get(key), str) and entry[key].strip(), (entry, key)
        assert isinstance(entry.get("aliases", []), list), entry
        assert entry.get("level") == "national", entry
        assert set(entry) <= {"canonical", "full_name", "aliases", "city", "province", "level", "note"}
    assert all(isinstance(p, str) and p and not p.endswith("市") for p in data["other_places"])


def test_load_gazetteer_gives_frozen_zones():
    gaz = load_gazetteer()
    assert all(isinstance(z, Zone) for z in gaz)
    assert load_gazetteer() == gaz
    with pytest.raises(AttributeError):
        gaz[0].canonical = "x"  # type: ignore[misc]
    z = next(z for z in gaz if z.canonical == "青岛高新区")
    assert (z.full_name, z.city, z.province, z.level) == ("青岛高新技术产业开发区", "青岛市", "山东省", "national")
    assert isinstance(z.aliases, tuple)


def test_canonical_names_unique_and_full_width():
    names = [z.canonical for z in load_gazetteer()]
    assert len(names) == len(set(names))
    assert not any(c in n for n in names for c in "() ")


def test_no_alias_maps_to_two_zones():
    owner: dict[str, str] = {}
    for z in load_gazetteer():
        for name in z.names():
            assert owner.setdefault(name, z.canonical) == z.canonical, name
    # the derived forms too: every matchable name has one canonical name
    for name, canonical in zones._index().items():
        assert name not in zones.GENERIC
        assert canonical in {z.canonical for z in load_gazetteer()}


def test_gazetteer_has_the_seed_zones_and_well_known_ones():
    canon = {z.canonical for z in load_gazetteer()}
    assert {"青岛高新区", "宝鸡高新区", "济宁高新区", "烟台高新区", "苏州高新区", "厦门火炬高新区",
            "保定高新区", "杭州高新区（滨江）", "乌鲁木齐高新区（新市区）", "中关村科技园区", "张江高新区",
            "东湖高新区", "西安高新区", "成都高新区", "深圳高新区", "杨凌示范区", "莱芜高新区",
            "黄河三角洲农高区", "天津滨海高新区", "燕郊高新区"} <= canon
    assert not any("工业园区" in z.canonical or "工业园区" in z.full_name for z in load_gazetteer())


def test_normalisation():
    assert _norm("杭州高新区(滨江)") == "杭州高新区（滨江）"
    assert _norm("Hello world") == "Hello world"


# --- surnames -------------------------------------------------------------------------------

def test_surnames():
    s = surnames()
    assert {"王", "李", "张", "刘", "欧阳", "诸葛", "司马", "上官", "谷", "戈", "于", "代", "桑", "雷"} <= s
    assert not {"的", "了", "是", "依"} & s
    assert len([n for n in s if len(n) == 1]) >= 400
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{1,2}", n) for n in s)
