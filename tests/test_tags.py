"""Tags and topics of the seed articles.

The expectations below were written from reading each article (what a researcher would look it
up by), not copied from program output: a few tags each article must have, and words no article
may have as a tag.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scripts import nlp
from scripts.pipeline import PROJECT
from scripts.tags import (MAX_TAGS, MIN_TAGS, TagRules, Tagger, article_parts, load_tag_rules,
                          tag_articles)
from scripts.topics import assign_topics

from .conftest import SEEDS, by_title, page_of

# (page, title fragment) -> tags that must be among the article's tags
EXPECTED_TAGS = {
    ("000", "聚力高企党员队伍"): {"党员队伍", "高新技术企业", "发展党员"},
    ("000", "宝鸡高新创业中心"): {"党员先锋岗", "卡脖子", "红色领航"},
    ("000", "济宁高新区党建引领政务服务"): {"政务服务", "党建联建"},
    ("001", "体系化党建"): {"体系化党建", "重点科创平台党委"},
    ("002", "打造“党建+”体系"): {"党建+", "闭环服务", "招商"},
    ("003", "走深走实"): {"党史学习教育", "基层党建", "党群服务中心"},
    ("004", "1+2+N"): {"1+2+N", "产业链党建", "航空航天"},
    ("004", "莱克电气"): {"广交会", "展位"},
    ("004", "人工智能"): {"人工智能", "创新案例", "应用场景"},
    ("004", "新业态工会"): {"工会", "新业态工会", "新就业形态劳动者"},
    ("004", "秦创原"): {"秦创原", "科学家+工程师", "智能纺织装备"},
    ("004", "滨滨有理"): {"理论宣讲", "授旗仪式"},
    ("004", "楼宇党建"): {"楼宇党建", "楼宇党委", "三新领域"},  # 三新 renamed in seeds/tags.yml
}
# Generic words, the bare word 高新区, and parts of names that must never be tags.
NEVER_TAGS = {"工作", "发展", "企业", "进一步", "高新区", "党建", "推动", "实现", "高质量",
              "有限公司", "记者", "表示", "电气", "青岛", "烟台", "刘森", "新市区"}

# (page, title fragment) -> topics the article must have, and topics it must not have
EXPECTED_TOPICS = {
    ("000", "聚力高企党员队伍"): ({"党员队伍"}, {"工会"}),
    ("000", "宝鸡高新创业中心"): ({"科技创新", "党员队伍"}, {"工会", "政务服务"}),
    ("000", "济宁高新区党建引领政务服务"): ({"政务服务"}, {"工会", "人才"}),
    ("001", "体系化党建"): ({"科技创新"}, {"工会"}),
    ("002", "打造“党建+”体系"): ({"政务服务", "产业链"}, {"工会"}),
    ("003", "走深走实"): ({"组织建设", "学习教育"}, {"工会"}),
    ("004", "1+2+N"): ({"产业链", "人才"}, {"工会", "学习教育"}),
    ("004", "人工智能"): ({"科技创新"}, {"工会", "组织建设"}),
    ("004", "新业态工会"): ({"工会"}, {"科技创新", "人才"}),
    ("004", "秦创原"): ({"人才", "科技创新"}, {"工会"}),
    ("004", "滨滨有理"): ({"学习教育"}, {"工会"}),
    ("004", "楼宇党建"): ({"楼宇与新兴领域党建"}, {"工会", "人才"}),
}


@pytest.fixture(scope="module")
def articles(seed_report):
    return [a for page in seed_report.pages for a in page.articles]


@pytest.fixture(scope="module")
def rules():
    return load_tag_rules(SEEDS / "tags.yml")


@pytest.fixture(scope="module")
def seed_tags(articles, rules):
    return tag_articles(articles, rules)


def test_seed_records_are_the_thirteen_read_for_these_expectations(articles):
    assert len(articles) == 13
    assert len({k for k in EXPECTED_TAGS}) == 13


@pytest.mark.parametrize("key", sorted(EXPECTED_TAGS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_seed_article_has_expected_tags(seed_report, seed_tags, key):
    article = by_title(page_of(seed_report, key[0]), key[1])
    tags = seed_tags[article.id]
    assert EXPECTED_TAGS[key] <= set(tags), tags
    assert not NEVER_TAGS & set(tags), tags


def test_every_seed_article_gets_five_to_ten_clean_tags(articles, seed_tags):
    for article in articles:
        tags = seed_tags[article.id]
        assert MIN_TAGS <= len(tags) <= MAX_TAGS, (article.title, tags)
        assert len(set(tags)) == len(tags)
        for tag in tags:
            assert len(tag) >= 2 and not tag.isdigit(), (article.title, tag)
            assert tag not in nlp.stopwords() and tag not in nlp.zone_words(), (article.title, tag)


def test_tags_are_deterministic(articles, rules, seed_tags):
    again = tag_articles(articles, load_tag_rules(SEEDS / "tags.yml"))
    assert again == seed_tags
    # the archive's order does not matter either: IDF is a count over a set
    assert tag_articles(list(reversed(articles)), rules) == seed_tags


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_tag_is_a_stopword_single_character_or_number(articles, rules, data):
    subset = data.draw(st.lists(st.sampled_from(articles), min_size=1, max_size=len(articles),
                                unique_by=lambda a: a.id))
    for tags in tag_articles(subset, rules).values():
        assert len(tags) <= MAX_TAGS
        for tag in tags:
            assert len(tag) >= 2 and not tag.isdigit() and tag not in nlp.stopwords(), tag


# --- the editorial file ------------------------------------------------------------------------

def test_shipped_tags_yml_is_valid_and_its_targets_are_good_tags(rules):
    assert rules.merge["高企"] == "高新技术企业" and rules.rename["三新"] == "三新领域"
    for term in [*rules.merge.values(), *rules.rename.values()]:
        assert len(term) >= 2 and term not in nlp.stopwords()


def _tags_with(tmp_path, articles, yml: str) -> dict[str, list[str]]:
    path = tmp_path / "tags.yml"
    path.write_text(textwrap.dedent(yml), encoding="utf-8")
    return tag_articles(articles, load_tag_rules(path))


def test_tags_yml_merge_ban_rename_are_obeyed(tmp_path, seed_report, articles):
    building = by_title(page_of(seed_report, "004"), "楼宇党建")
    union = by_title(page_of(seed_report, "004"), "新业态工会")
    qin = by_title(page_of(seed_report, "004"), "秦创原")
    plain = _tags_with(tmp_path, articles, "{}")
    assert {"楼宇党委", "楼宇党建"} <= set(plain[building.id]) and "工会" in plain[union.id]

    edited = _tags_with(tmp_path, articles, """
        merge: {楼宇党委: 楼宇党建}
        ban: [工会]
        rename: {秦创原: 秦创原平台}
    """)
    assert "楼宇党委" not in edited[building.id] and edited[building.id][0] == "楼宇党建"
    assert "工会" not in edited[union.id] and len(edited[union.id]) >= MIN_TAGS
    assert "秦创原平台" in edited[qin.id] and "秦创原" not in edited[qin.id]


def test_merge_happens_before_ranking_so_counts_combine():
    text = "党员先锋岗、党员先锋岗、党员先锋岗。高企，高企。高新技术企业，高新技术企业。"
    texts = [text, "营商环境。", "工会组织。"]
    alone = Tagger().fit(texts).tags_for("", text)
    assert alone[0] == "党员先锋岗" and {"高企", "高新技术企业"} <= set(alone)
    merged = Tagger(TagRules(merge={"高企": "高新技术企业"})).fit(texts).tags_for("", text)
    assert merged[0] == "高新技术企业" and "高企" not in merged  # 2 + 2 beat 3


def test_rename_that_collides_keeps_one_tag():
    rules = TagRules(rename={"楼宇党委": "楼宇党建"})
    tags = Tagger(rules).tags_for("强化楼宇党建", "成立楼宇党委，楼宇党委推进楼宇党建。")
    assert tags.count("楼宇党建") == 1


def test_tags_yml_errors_name_the_file(tmp_path):
    bad = tmp_path / "tags.yml"
    bad.write_text("merge: [oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match="tags.yml"):
        load_tag_rules(bad)
    bad.write_text("merge: {a: b}\nbanned: [x]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="banned"):
        load_tag_rules(bad)
    assert load_tag_rules(tmp_path / "missing.yml") == TagRules()


# --- segmentation ------------------------------------------------------------------------------

def test_domain_terms_are_cut_whole_in_the_seed_texts(articles):
    tokens = {w for a in articles for w in nlp.tokenize("\n".join(article_parts(a)))}
    for term in ("党员先锋岗", "两代表一委员", "科技红娘", "链主企业", "新质生产力", "秦创原",
                 "科学家+工程师", "拿地即开工", "闭环服务", "党群服务中心", "楼宇党建", "主题党日",
                 "青岛高新区", "乌鲁木齐高新区"):
        assert term in tokens, term


def test_user_dictionary_size_and_format():
    entries = nlp._entries(nlp.USERDICT_FILE)
    assert 150 <= len([e for e in entries if e[2] != "nt"]) <= 320
    assert all(freq and tag for _, freq, tag in entries)
    assert len({w for w, _, _ in entries}) == len(entries), "duplicate entries"


def test_nlp_keeps_its_own_segmenter():
    # rjieba's module-level instance is never touched (tests/test_nlp.py: nor is jieba imported)
    code = textwrap.dedent("""
        import rjieba
        from scripts import nlp
        assert nlp.tokenize("设立党员先锋岗") == ["设立", "党员先锋岗"]
        assert ("秦创原", "nz") in nlp.pos_tag("秦创原平台")
        assert not rjieba.has_word("党员先锋岗") and not rjieba.has_word("秦创原")
        assert nlp._tokenizer() is not rjieba._DEFAULT_JIEBA
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- topics --------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(EXPECTED_TOPICS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_seed_article_topics(seed_report, key):
    article = by_title(page_of(seed_report, key[0]), key[1])
    topics = assign_topics(*article_parts(article))
    must, must_not = EXPECTED_TOPICS[key]
    assert must <= set(topics) and not must_not & set(topics), topics
    assert 1 <= len(topics) <= 3


def test_the_main_subject_is_the_strongest_topic(seed_report):
    page = page_of(seed_report, "004")
    assert assign_topics(*article_parts(by_title(page, "新业态工会")))[0] == "工会"
    assert assign_topics(*article_parts(by_title(page, "楼宇党建")))[0] == "楼宇与新兴领域党建"
    assert assign_topics(*article_parts(by_title(page, "人工智能")))[0] == "科技创新"


def test_a_trade_fair_photo_has_no_party_building_topic(seed_report):
    photo = by_title(page_of(seed_report, "004"), "莱克电气")
    assert assign_topics(*article_parts(photo)) == []


def test_heading_hits_count_double():
    # one 工会 in the text is below the rule's minimum of 4; in the title it counts twice
    assert assign_topics("", "成立工会。") == []
    assert assign_topics("工会工会", "成立工会。") == ["工会"]


def test_a_short_text_below_every_rule_gets_its_strongest_topic():
    from scripts.topics import FALLBACK_MIN_HITS, assign_topics

    assert assign_topics("", "新业态工会揭牌，工会会员入会。") == ["工会"]  # below 工会's min_hits
    assert assign_topics("", "参观者驻足展位。") == []  # nothing to go on
    assert FALLBACK_MIN_HITS >= 2


def test_tags_beside_the_link_step_are_the_tags_before_it(seed_report, monkeypatch):
    """From TAGS_BESIDE_MIN articles enrich_archive computes tags in a forked process while the
    link step runs here: the articles come out as when the steps run one after the other."""
    from scripts import enrich
    from scripts.link import link_all
    from scripts.pipeline import PROJECT

    articles = enrich.enrich_each([a for p in seed_report.pages for a in p.articles])
    rules = PROJECT / "seeds" / "tags.yml"
    monkeypatch.setenv("ARCHIVE_WORKERS", "1")
    serial = enrich.enrich_archive(articles, rules, link=link_all)
    assert serial == link_all(enrich.enrich_archive(articles, rules))
    assert any(a.tags for a in serial) and any(a.related for a in serial)
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    monkeypatch.setattr(enrich, "TAGS_BESIDE_MIN", 1)
    forks = []
    real = __import__("scripts.pipeline", fromlist=["forked"]).forked
    monkeypatch.setattr("scripts.pipeline.forked",  # records what is asked to run in a forked process
                        lambda *a, **k: (forks.append(a[0]) if k.get("when", True) else None) or real(*a, **k))
    assert enrich.enrich_archive(articles, rules, link=link_all) == serial
    assert forks and forks[0].__name__ == "tag_articles"


@settings(max_examples=200, deadline=None)
@given(title=st.lists(st.sampled_from("甲乙丙丁戊己庚辛壬癸"), max_size=4),
       text=st.lists(st.sampled_from("甲乙丙丁戊己庚辛壬癸子丑寅卯"), min_size=8, max_size=40),
       rename=st.dictionaries(st.sampled_from("甲乙丙丁戊己庚辛"), st.sampled_from("甲乙丙子丑"), max_size=5),
       k=st.integers(5, 10))
def test_the_best_terms_first_rank_as_every_term_ranked(title, text, rename, k):
    """``tags_of`` ranks only the terms scoring at least the k-th best score unless renames
    merge some of them: always the tags of ranking every term."""
    tagger = Tagger(TagRules(rename=rename)).fit_words([(("甲",), ("乙", "丙")), ((), ("丁",)), ((), text)])
    scores = tagger.scores_of(title, text)
    assert tagger.tags_of(title, text, k) == tagger._labels(scores, scores, k)


@settings(max_examples=200, deadline=None)
@given(title=st.lists(st.sampled_from(["党员先锋岗", "孵化器", "链主企业", "园区"]), max_size=3),
       text=st.lists(st.sampled_from(["党员先锋岗", "孵化器", "科技红娘", "园区", "企业"]), min_size=1, max_size=30),
       repeat=st.integers(1, 12))
@example(title=["园区"], text=["园区"] * 300 + ["孵化器"], repeat=1)  # counts past the looked-up ones
def test_scores_are_damped_tf_times_idf_with_the_user_word_bonus(title, text, repeat):
    """Each score is one product per term, ``damped tf * idf * bonus`` (the bonus for a word of
    the user dictionary), whatever the counts."""
    import math

    from scripts.tags import TITLE_WEIGHT, USERDICT_BONUS

    text = text * repeat
    tagger = Tagger().fit_words([(("园区",), ("企业", "孵化器")), ((), ("科技红娘",)), (title, text)])
    tf = {t: text.count(t) + TITLE_WEIGHT * title.count(t) for t in {*title, *text}}
    users = nlp.user_words()
    assert {"党员先锋岗", "科技红娘", "链主企业"} <= users and "园区" not in users
    expected = {t: (1 + math.log(n)) * tagger.idf(t) * (USERDICT_BONUS if t in users else 1) for t, n in tf.items()}
    assert tagger.scores_of(tuple(title), tuple(text)) == expected


@settings(max_examples=300, deadline=None)
@given(st.tuples(*[st.lists(st.text(alphabet=st.sampled_from("党建园区\n"), max_size=3), max_size=5)] * 2))
def test_packed_words_read_back_as_they_were(words):
    """Words (one may be empty, or hold the line break that joins them) come back in order."""
    import pickle

    from scripts.tags import pack_words, unpack_words

    back = unpack_words(pickle.loads(pickle.dumps(pack_words(words))))
    assert [list(part) for part in back] == [list(part) for part in words]
