"""Dates, people, organisations and figures of the seed articles.

Every expectation below was written from reading ``seeds/00{0..4}_*.txt``, not from program
output. People and organisations are checked twice: with patterns alone and, when
``scripts/nlp.py`` can be imported, with its jieba part-of-speech tags adding candidates.
"""
from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scripts.people as people_mod
from scripts.dates import article_text, date_article, infer_date
from scripts.figures import find_figures
from scripts.model import Article, PageMeta
from scripts.people import find_organizations, find_people

from .conftest import by_title, page_of


def running(a: Article) -> str:
    """The running text: lead and body paragraphs (no section headings)."""
    return "\n".join([a.lead or ""] + [p.text for p in a.paragraphs if p.kind == "text"])


def article(report, prefix: str, fragment: str) -> Article:
    return by_title(page_of(report, prefix), fragment)


@pytest.fixture(params=["patterns", "jieba"])
def tagger(request, monkeypatch):
    """Run a test with patterns alone, then with the project's tagger (if it is there)."""
    if request.param == "patterns":
        monkeypatch.setattr(people_mod, "_nlp", lambda: None)
    else:
        pytest.importorskip("scripts.nlp")
    return request.param


# --- dates ------------------------------------------------------------------------------------

def test_manifest_date_wins(seed_report):
    a = article(seed_report, "003", "烟台高新区：党建引领")  # the text alone says 2021
    a = dataclasses.replace(a, meta=PageMeta(date="2021-06-28"))
    d = date_article(a)
    assert (d.date, d.date_basis, d.date_evidence) == ("2021-06-28", "manifest", None)


def test_003_centenary_year(seed_report):
    # “今年是建党百年……” (刘森); 仅2020年一年; “向建党100周年献礼”; 2020年6月1日 is a look back.
    d = date_article(article(seed_report, "003", "烟台高新区：党建引领"))
    assert (d.date, d.date_basis) == ("2021", "inferred")
    assert "今年是建党百年" in d.date_evidence


def test_002_centenary_with_may_and_eve_of_july_first(seed_report):
    # Caption 庆祝建党100周年; 5月14日 in the text; a caption 七一前夕 (late June) is later, so the
    # month is not certain: 2021 (2021-05 would also be acceptable, never another year).
    d = date_article(article(seed_report, "002", "打造“党建+”体系"))
    assert d.date in ("2021", "2021-05") and d.date_basis == "inferred"
    assert "100周年" in d.date_evidence


def test_001_year_end_figures_date_the_next_year(seed_report):
    # 截至2025年年底 …拥有高新技术企业超670家: written after 2025 ended -> 2026 (documented rule).
    d = date_article(article(seed_report, "001", "体系化党建"))
    assert (d.date, d.date_basis, d.date_evidence) == ("2026", "inferred", "截至2025年年底")


def test_004_lead_article_and_photo(seed_report):
    # 将2024年确定为“招商建设年”; 2023年，拨付…2.1亿元 (a finished year).
    d = date_article(article(seed_report, "004", "产业链党建新格局"))
    assert (d.date, d.date_basis) == ("2024", "inferred") and "2024" in d.date_evidence
    # 4月15日 … “…2024年滨青开讲吧领导宣讲活动” in the same sentence: April 2024.
    d = date_article(article(seed_report, "004", "滨滨有理"))
    assert d.date == "2024-04" and "4月15日" in d.date_evidence


def test_undated_texts_stay_undated(seed_report):
    # 济宁: no year at all; 宝鸡创业中心: only 去年; 保定: 2022年、2023年 lists are past, 4月10日 has no year.
    for prefix, fragment in (("000", "济宁高新区"), ("000", "宝鸡高新创业中心"), ("004", "保定高新区")):
        d = date_article(article(seed_report, prefix, fragment))
        assert (d.date, d.date_basis, d.date_evidence) == (None, None, None), fragment
    assert infer_date("近日，园区召开党建工作会议，今年以来新增党员20名。") is None


def test_every_event_mention_has_a_word_that_lets_the_pattern_run():
    # a text without any of an event's words skips its pattern (speed): every way the pattern
    # can match must contain one of them
    from scripts.dates import EVENTS

    phrases = ("庆祝中国共产党成立100周年 向建党一百周年献礼 迎接建党百年 庆祝新中国成立70周年 "
               "中华人民共和国成立75周年 庆祝改革开放40周年 喜迎党的二十大 迎接二十大 "
               "党的二十届三中全会 党史学习教育").split()
    for pattern, _, _, words in EVENTS:
        found = [m.group(0) for p in phrases for m in re.finditer(pattern, p)]
        assert found, pattern
        assert all(any(w in f for w in words) for f in found), (pattern, found)


def test_evidence_is_printed_text(seed_report):
    for page in seed_report.pages:
        for a in page.articles:
            d = date_article(a)
            if d.date_evidence:
                for phrase in d.date_evidence.split("；"):
                    assert phrase in article_text(a), (a.title, phrase)


# --- people -----------------------------------------------------------------------------------

def test_people_003(seed_report, tagger):
    people = {p.name: p.title for p in find_people(running(article(seed_report, "003", "党建引领高质量")))}
    assert "党工委书记" in people["刘森"] and "管委会主任" in people["刘森"]
    assert people["李克强"] == "总理"


def test_people_004(seed_report, tagger):
    found = find_people(running(article(seed_report, "004", "产业链党建新格局")))
    people = {p.name: p.title for p in found}
    assert people["田文广"] == "党委副书记"
    assert "负责人" in people["张景雪"]
    found = find_people(running(article(seed_report, "004", "强化楼宇党建")))
    people = {p.name: p.title for p in found}
    assert people["依明江·亚森"] == "党工委书记"
    assert people["雷鸣"] == "党委书记"
    assert people["李剑峰"] == "总经理"
    assert "组织部部长" in people["桑建刚"]
    names = [p.name for p in found]
    assert len(names) == len(set(names))  # 依明江·亚森 is named twice, listed once
    assert names.index("依明江·亚森") < names.index("桑建刚")  # order of first mention


def test_people_000(seed_report, tagger):
    found = find_people(running(article(seed_report, "000", "宝鸡高新创业中心")))
    assert [(p.name, p.title) for p in found] == [("王建军", "董事长"), ("李三强", "总经理")]
    # “相关负责人表示” names nobody
    assert find_people(running(article(seed_report, "000", "济宁高新区"))) == ()


# --- organisations ----------------------------------------------------------------------------

ORGS = {
    ("000", "聚力高企"): ["青岛智腾科技有限公司", "青岛立菲生物产业有限公司", "生物医药产业联盟", "青年企业家协会"],
    ("000", "宝鸡高新创业中心"): ["宝鸡高新创业服务中心有限公司", "陕西四维衡器科技有限公司", "陕西棱镜网络科技有限公司"],
    ("000", "济宁高新区"): ["济宁高新区税务局", "济宁易康机械有限公司", "济宁高新区行政审批服务局党支部"],
    ("001", "体系化党建"): ["斯坦德检测集团", "青岛高测股份", "青岛科技大学", "青岛大学附属医院"],
    ("002", "打造“党建+”体系"): ["北京猎鹰安全科技有限公司", "大龙网集团", "软控股份", "高测股份",
                                  "埃地沃兹真空泵制造（青岛）有限公司", "青岛华芯晶元半导体科技有限公司"],
    ("004", "产业链党建新格局"): ["东方蓝天钛金科技有限公司", "烟台泰利汽车模具股份有限公司", "山东省工业设计研究院"],
    ("004", "保定高新区"): ["河北省总工会"],
    ("004", "宝鸡高新区"): ["陕西省科技厅", "陕西长岭纺织机电科技有限公司", "陕西瑞科新材料股份有限公司"],
    ("004", "强化楼宇党建"): ["恒丰晟泰能源有限公司", "喀什东路街道党工委", "四平路社区党委"],
}


@pytest.mark.parametrize("key", list(ORGS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_organizations(seed_report, tagger, key):
    orgs = find_organizations(running(article(seed_report, *key)))
    for name in ORGS[key]:
        assert name in orgs, (name, orgs)
    assert len(orgs) == len(set(orgs))


def test_organization_order_and_left_edge(seed_report, tagger):
    orgs = find_organizations(running(article(seed_report, "000", "聚力高企")))
    assert orgs.index("青岛智腾科技有限公司") < orgs.index("青岛立菲生物产业有限公司")
    for page in seed_report.pages:
        for a in page.articles:
            for org in find_organizations(running(a)):
                assert not re.match(r"[对与在和由从向为将把等的]", org), org
                assert len(org) <= 20, org
                assert org not in ("党群服务中心", "党支部", "党委", "上市公司", "企业党支部"), org


# --- figures ----------------------------------------------------------------------------------

def figures_of(report, prefix, fragment):
    return {(f.subject, f.value, f.unit): f.sentence for f in find_figures(running(article(report, prefix, fragment)))}


def test_figures_000(seed_report):
    figs = figures_of(seed_report, "000", "聚力高企")
    sentence = ("截至目前，青岛高新区拥有基层党组织320个，党员2720名，其中高新技术企业党组织210个，"
                "党员1680名，高企党建已成为推动区域科技创新的关键力量。")
    assert figs[("党员", "2720", "名")] == sentence
    assert figs[("基层党组织", "320", "个")] == sentence
    assert figs[("高新技术企业党组织", "210", "个")] == sentence
    assert any(v == "72" and u == "%" for _, v, u in figs)  # 占比达72%


def test_figures_001(seed_report):
    figs = figures_of(seed_report, "001", "体系化党建")
    assert figs[("高新技术企业", "超670", "家")] == "截至2025年年底，青岛高新区拥有高新技术企业超670家，科技型中小企业966家。"
    assert ("科技型中小企业", "966", "家") in figs
    assert ("签约订单", "超2亿", "元") in figs


def test_figures_004(seed_report):
    figs = figures_of(seed_report, "004", "保定高新区")
    assert figs[("工会会员", "3.74万", "人")] == "截至目前，该高新区已录入工会组织364个、工会会员3.74万人。"
    figs = figures_of(seed_report, "004", "产业链党建新格局")
    assert ("总投资额", "约85亿", "元") in figs


def test_no_year_date_or_ordinal_is_a_figure(seed_report):
    for page in seed_report.pages:
        for a in page.articles:
            text = running(a) + "\n" + "\n".join(c.text for c in a.captions)
            for f in find_figures(text):
                assert not re.fullmatch(r"(?:19|20)\d\d", f.value), f
                assert f.value + f.unit in f.sentence and f.sentence in text, f
    photo = article(seed_report, "004", "莱克电气")
    values = {f.value for f in find_figures(photo.captions[0].text)}
    assert "135" not in values and "15" not in values  # 第135届, 4月15日
    assert "684" in values  # 展览面积达684平方米


# --- properties -------------------------------------------------------------------------------

PIECES = ["书记", "主任", "董事长", "王建军", "依明江·亚森", "说", "有限公司", "股份", "党委", "对", "与",
          "在", "集团", "大学", "超", "约", "670", "3.74", "万", "亿", "家", "名", "元", "%", "年", "月", "日",
          "第", "2024", "，", "。", "、", "（", "）", "“", "”", "·", "截至", "今年是建党百年", "七一前夕",
          "高新区", "青岛", "科技", " ", "\n", "a", "3"]
TEXTS = st.one_of(st.text(max_size=80), st.lists(st.sampled_from(PIECES), max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_extractors_never_raise_and_return_substrings(text):
    for p in find_people(text):
        assert p.name in text and (p.title is None or p.title in text)
    for org in find_organizations(text):
        assert org in text
    for f in find_figures(text):
        assert f.subject in text and f.value in text and f.sentence in text
    found = infer_date(text)
    if found:
        assert re.fullmatch(r"\d{4}(?:-\d\d){0,2}", found[0])
        assert all(phrase in text for phrase in found[1].split("；"))
