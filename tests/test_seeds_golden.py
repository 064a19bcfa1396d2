"""Golden tests for the five seed pages, written by hand from reading the raw pages.

Every expected value below was read off ``seeds/00{0..4}_*.txt`` (with ``cat -n``) and written
in its cleaned form: wrapped lines joined, no space between two Han characters or between a Han
character and a digit/Latin run, half-width punctuation in Chinese context made full-width,
straight double quotes made “ ”, the OCR slip 人驻 corrected to 入驻. Nothing here was copied
from pipeline output.

Line numbers in comments are 1-based raw line numbers of the page.
"""
from __future__ import annotations

import re

import pytest

from scripts.model import Article, Author, PageResult

from .conftest import by_title, full_text, page_of

PAGES = ["000", "001", "002", "003", "004"]

HAN = "\u4e00-\u9fff"
HAN_SPACE_HAN = re.compile(rf"[{HAN}]\s+[{HAN}]")
HALFWIDTH_AFTER_HAN = re.compile(rf"[{HAN}][,;:?]")
HALFWIDTH_PAREN_NEXT_TO_HAN = re.compile(rf"[{HAN}][()]|[()][{HAN}]")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def squash(text: str | None) -> str:
    """Text with all whitespace removed (for "must not appear" and caption checks)."""
    return re.sub(r"\s+", "", text or "")


def colon_norm(text: str | None) -> str:
    """Squashed, with full-width colons made half-width (furniture is compared this way)."""
    return squash(text).replace("：", ":")


def running_texts(article: Article) -> list[str]:
    """The lead and every body paragraph (headings included) of one record."""
    return [article.lead or ""] + [p.text for p in article.paragraphs]


def page_running_text(page: PageResult) -> str:
    return "\n".join(t for a in page.articles for t in running_texts(a))


def all_fields(article: Article) -> list[str]:
    """Every printed field of a record: headline, byline, running text, captions and credits."""
    out = [article.title or "", article.kicker or "", article.subtitle or "", article.byline or ""]
    out += running_texts(article)
    for c in article.captions:
        out += [c.text or "", c.credit or ""]
    return out


def caption_blob(article: Article) -> str:
    return "\n".join(c.text for c in article.captions)


def headings(article: Article) -> list[str]:
    return [p.text for p in article.paragraphs if p.kind == "heading"]


def norm_kicker(kicker: str | None) -> str | None:
    """A kicker printed as ``…——`` may keep or drop its trailing dash; both are accepted."""
    if kicker is None:
        return None
    return kicker.rstrip("—").rstrip()


def find_by_text(page: PageResult, fragment: str) -> Article:
    found = [a for a in page.articles if a.kind == "article" and fragment in full_text(a)]
    assert len(found) == 1, (
        f"expected exactly one article whose text contains {fragment!r}, "
        f"got {[a.title for a in found]}"
    )
    return found[0]


def find_photo(page: PageResult, fragment: str) -> Article:
    found = [a for a in page.articles if fragment in squash(caption_blob(a))]
    assert len(found) == 1, (
        f"expected exactly one record with a caption containing {fragment!r}, "
        f"got {[(a.kind, a.title) for a in found]}"
    )
    return found[0]


# How each record of the seeds is found: (page, how, fragment).
RECORDS = {
    "000-qingdao": ("000", "title", "青岛高新区聚力高企党员队伍体系建设"),
    "000-baoji": ("000", "text", "宝鸡高新创业服务中心有限公司"),  # no printed headline
    "000-jining": ("000", "title", "济宁高新区党建引领政务服务升级"),
    "001": ("001", "title", "青岛高新区体系化党建激发科创产业活力"),
    "002": ("002", "title", "打造“党建+”体系"),
    "003": ("003", "title", "党建引领高质量发展走深走实"),
    "004-yantai": ("004", "title", "产业链党建新格局"),
    "004-xiamen": ("004", "title", "厦门火炬高新区"),
    "004-baoding": ("004", "title", "保定高新区"),
    "004-baoji": ("004", "title", "宝鸡高新区"),
    "004-urumqi": ("004", "title", "强化楼宇党建"),
    "004-photo-suzhou": ("004", "caption", "广交会"),
    "004-photo-hangzhou": ("004", "caption", "滨滨有理"),
}


def record(report, key: str) -> Article:
    prefix, how, fragment = RECORDS[key]
    page = page_of(report, prefix)
    if how == "title":
        return by_title(page, fragment)
    if how == "text":
        return find_by_text(page, fragment)
    return find_photo(page, fragment)


# --------------------------------------------------------------------------------------------
# records per page
# --------------------------------------------------------------------------------------------

# page -> (articles, photos)
EXPECTED_COUNTS = {"000": (3, 0), "001": (1, 0), "002": (1, 0), "003": (1, 0), "004": (5, 2)}


@pytest.mark.parametrize("prefix", PAGES)
def test_record_counts_and_kinds(seed_report, prefix):
    page = page_of(seed_report, prefix)
    kinds = [a.kind for a in page.articles]
    want_articles, want_photos = EXPECTED_COUNTS[prefix]
    assert set(kinds) <= {"article", "photo"}, f"{prefix}: unexpected record kinds {kinds}"
    assert (kinds.count("article"), kinds.count("photo")) == (want_articles, want_photos), (
        f"{prefix}: expected {want_articles} articles and {want_photos} photos, got kinds {kinds} "
        f"(titles {[a.title for a in page.articles]})"
    )


# --------------------------------------------------------------------------------------------
# headline: title, kicker, subtitle, title_inferred
# --------------------------------------------------------------------------------------------

# key -> (title or None when inferred, kicker, title_inferred)
HEADLINES = {
    # 000 line 1 (printed twice on the line; one copy is dropped)
    "000-qingdao": ("青岛高新区聚力高企党员队伍体系建设", None, False),
    # 000 has no headline for the 宝鸡 brief: the title is derived from its text
    "000-baoji": (None, None, True),
    # 000 lines 429-430: kicker + title, printed after the text
    "000-jining": ("济宁高新区党建引领政务服务升级", "以“党建红”引领“科技蓝”", False),
    # 001 lines 3, 5 (## markers are extraction heading markers)
    "001": ("青岛高新区体系化党建激发科创产业活力", "“党建红”赋能“科技蓝”", False),
    # 002 line 8: 青岛高新区: 打造"党建+"体系 助力发展出"乘"效
    "002": ("青岛高新区：打造“党建+”体系 助力发展出“乘”效", None, False),
    # 003 lines 380, 382: printed after the text
    "003": ("烟台高新区：党建引领高质量发展走深走实", "赓续红色基因 凝聚磅礴伟力", False),
    # 004 lines 5, 7 (kicker ends with ——)
    "004-yantai": ("打造“1+2+N”产业链党建新格局", "烟台高新区凝聚更强向心力", False),
    # 004 lines 63/65, 79/81, 95/97: "X高新区:" joined with the next heading line
    "004-xiamen": ("厦门火炬高新区：4企入选全国“人工智能”创新案例", None, False),
    "004-baoding": ("保定高新区：两家新业态工会同日揭牌成立", None, False),
    "004-baoji": ("宝鸡高新区：省市秦创原“科学家+工程师”队伍共15支", None, False),
    # 004 lines 117, 119
    "004-urumqi": ("强化楼宇党建 激活“红色引擎”", "乌鲁木齐高新区（新市区）夯基础优服务强示范", False),
    # captioned photos that belong to no article
    "004-photo-suzhou": (None, None, True),
    "004-photo-hangzhou": (None, None, True),
}


@pytest.mark.parametrize("key", list(HEADLINES))
def test_headline(seed_report, key):
    art = record(seed_report, key)
    title, kicker, inferred = HEADLINES[key]
    kind = "photo" if "photo" in key else "article"
    assert art.kind == kind, f"{key}: expected kind {kind!r}, got {art.kind!r}"
    assert art.title_inferred is inferred, f"{key}: expected title_inferred={inferred}, got {art.title_inferred}"
    if title is not None:
        assert art.title == title, f"{key}: expected title {title!r}, got {art.title!r}"
    else:
        assert art.title and art.title.strip(), f"{key}: an inferred title must not be empty"
        assert "#" not in art.title and not art.title.startswith("本报讯"), f"{key}: bad inferred title {art.title!r}"
    assert norm_kicker(art.kicker) == kicker, f"{key}: expected kicker {kicker!r}, got {art.kicker!r}"
    assert art.subtitle is None, f"{key}: no subtitle is printed, got {art.subtitle!r}"


def test_inferred_title_of_baoji_brief_names_baoji(seed_report):
    art = record(seed_report, "000-baoji")
    assert "宝鸡" in art.title, f"the 宝鸡 brief's derived title should name 宝鸡, got {art.title!r}"


# --------------------------------------------------------------------------------------------
# authors, byline, dateline
# --------------------------------------------------------------------------------------------

# key -> (authors, dateline)
ATTRIBUTION = {
    "000-qingdao": ((), None),
    "000-baoji": ((Author("谷星佐"),), "本报讯"),  # line 337 "献。 谷星佐"
    "000-jining": ((Author("张昕"),), "本报讯"),  # line 427 "色动能。 张昕"
    "001": ((Author("高东"), Author("刘文研")), None),  # line 7 "► 高东 刘文研"
    "002": ((Author("刘文研"), Author("戈清平", "本报记者")), None),  # line 10
    "003": ((), None),
    "004-yantai": ((Author("王宏伟"), Author("孙达")), None),  # line 9, before the text
    "004-xiamen": ((Author("林露虹"),), "本报讯"),  # line 77 "…新质生产力。林露虹"
    "004-baoding": ((Author("代可友"), Author("赵祎诺")), "本报讯"),  # line 93, own line after
    "004-baoji": ((Author("高欣"),), "本报讯"),  # line 105 "…支撑。高欣"
    "004-urumqi": ((Author("于秀"),), "本报讯"),  # line 147, last line
    "004-photo-suzhou": ((), None),
    "004-photo-hangzhou": ((), None),
}


@pytest.mark.parametrize("key", list(ATTRIBUTION))
def test_authors_and_dateline(seed_report, key):
    art = record(seed_report, key)
    authors, dateline = ATTRIBUTION[key]
    assert tuple(art.authors) == authors, f"{key}: expected authors {authors}, got {art.authors}"
    assert art.dateline == dateline, f"{key}: expected dateline {dateline!r}, got {art.dateline!r}"
    if dateline:
        assert not (art.lead or "").lstrip().startswith(dateline), f"{key}: {dateline} left in the lead: {art.lead!r}"


def test_byline_as_printed_002(seed_report):
    art = record(seed_report, "002")
    assert art.byline == "刘文研 本报记者 戈清平", f"002: expected byline '刘文研 本报记者 戈清平', got {art.byline!r}"


# --------------------------------------------------------------------------------------------
# leads (exact)
# --------------------------------------------------------------------------------------------

LEADS = {
    # 000 lines 3-20
    "000-qingdao": (
        "近年来，青岛高新区以党建为引领，全力打造高新技术企业党员队伍建设新高地，以“党建红”引领"
        "“科技蓝”，为区域高质量发展注入强劲动能。截至目前，青岛高新区拥有基层党组织320个，党员"
        "2720名，其中高新技术企业党组织210个，党员1680名，高企党建已成为推动区域科技创新的关键力量。"
    ),
    # 000 lines 203-223, after 本报讯
    "000-baoji": (
        "指导企业设立党员先锋岗攻克“卡脖子”技术，党员科研团队带头实现技术突破……近日，从宝鸡高新"
        "创业服务中心有限公司（以下简称“宝鸡高新创业中心”）了解到，该中心创新推行“红色领航，四心融合”"
        "工作法，推动党建与企业发展深度融合，为企业高质量发展注入强劲动能。"
    ),
    # 000 lines 339-351, after 本报讯 ("活力 迸发": a space between Han characters, removed)
    "000-jining": (
        "为深化党建引领政务服务效能提升，推动党建与业务深度融合，进一步优化营商环境，近日，济宁市行政"
        "审批服务局党支部与济宁高新区行政审批服务局党支部联合共建，共同走进济宁高新区廉洁教育基地、"
        "均和云谷产业园区，开展“奋进担当‘青’活力迸发服务‘政’能量”主题党日活动。"
    ),
    # 001 line 9 (standfirst)
    "001": (
        "面对科技创新攻关、产业集群培育、高端人才集聚等艰巨任务，青岛高新区坚持以高质量党建引领产业"
        "高质量发展，开展体系化党建创新工程，以党建统领布局、以党建凝聚人才、以党建优化服务，将党的"
        "政治优势、组织优势转化为园区的创新优势、发展优势，探索党建与科技创新、产业发展深度融合新路径。"
    ),
    # 002 line 12 (standfirst)
    "002": (
        "自2019年改革以来，青岛高新区全面贯彻落实中央、省市各项重大工作部署，聚焦主责主业，以党的"
        "政治建设为统领，将党建工作全面融入到从项目招商、建设竣工到培育壮大的全周期“闭环服务”体系中，"
        "用“党建+”体系的高新打法助力高质量发展出“乘”效。"
    ),
    # 003 lines 1-5
    "003": (
        "2020年6月1日，国务院总理李克强考察烟台高新区蓝色智谷党群服务中心，高度评价这里的党建工作和"
        "创新力量，指出这里是：“蓝色智谷，创造高地”。"
    ),
    # 004 line 11 (standfirst)
    "004-yantai": (
        "建立健全产业链党建联盟，产业链企业由最初的12家发展至如今56家；出台并形成“3+N”招商惠企政策"
        "体系，在烟台市率先打通“四证并发”通道；聚焦关键核心技术难题，产业链综合党委组织产业链企业开展"
        "联合攻关……"
    ),
    # 004 line 67
    "004-xiamen": "近日2024全国“人工智能+”行动创新案例百强榜单发布，厦门火炬高新区4家企业榜上有名。",
    # 004 line 83
    "004-baoding": (
        "4月10日，保定高新区举办工会基层组织应建尽建工作推进会，高新科技园联合工会、3S双创社区园区"
        "联合工会同日揭牌。截至目前，该高新区已录入工会组织364个、工会会员3.74万人。"
    ),
    # 004 line 99
    "004-baoji": (
        "近日，陕西省科技厅公布2024年度陕西省秦创原“科学家+工程师”队伍入选名单，宝鸡高新区两支队伍"
        "入选。截至目前，宝鸡高新区拥有陕西省秦创原“科学家+工程师”队伍6支、宝鸡市级秦创原"
        "“科学家+工程师”队伍9支。"
    ),
    # 004 line 121
    "004-urumqi": (
        "今年以来，乌鲁木齐高新区（新市区）持续加强“三新”组织党的建设，大力开展巩固提升行动，在夯基础、"
        "优服务、强示范上持续用力，率先探索楼宇党建新模式，带动“三新”组织党建工作整体提升，以高质量"
        "党建推动经济社会高质量发展。"
    ),
}


@pytest.mark.parametrize("key", list(LEADS))
def test_lead_exact(seed_report, key):
    art = record(seed_report, key)
    assert art.lead == LEADS[key], f"{key}: expected lead\n  {LEADS[key]!r}\ngot\n  {art.lead!r}"


# --------------------------------------------------------------------------------------------
# sentences that must come out re-joined (wraps, column breaks, interleaved captions)
# --------------------------------------------------------------------------------------------

SENTENCES = {
    "000-qingdao": [
        # 22-34: "自 2019 年" + wraps
        "自2019年青岛功能区体制机制改革以来，青岛高新区坚持将高新技术企业党员教育管理工作作为重中之重",
        # 47-53: "依托 2 个产业链党" / "委、12个孵化器党支部"
        "依托2个产业链党委、12个孵化器党支部，联合生物医药产业联盟、青年企业家协会等党组织，对高企人才进行全面摸底",
        # 73-77: "2024年" / "该高新区 2/3的"
        "并将2024年该高新区2/3的发展党员指标向高企倾斜。",
        # 79-85
        "已有74名高企高层次、高技能人才加入党组织，其中本科以上学历者占75%，研发人员占70%，青年人才占60%。",
        # 106-110: half-width comma "署推进,着力"
        "来部署推进，着力优化教育培训模式，延伸管理服务链条。",
        # 120-124: wraps without blank lines ("研学5" / "场。", "选派 26" / "名党建")
        "组织党员实地研学5场。夯实管理基础，制定高企党建工作20条基本标准，选派26名党建指导员包联指导",
        # 134-140: "问题 180 余" / "件。", "惠工 e家"
        "解决问题180余件。上线“惠工e家”平台，实现惠企政策、医学住行等10大类信息一站式发布。",
        # 193-201: "青 岛 高 新 区 将 继 续 深 化 高 企"
        "未来，青岛高新区将继续深化高企党建工作，为科技创新和产业发展凝聚更多红色力量，书写高质量发展的新篇章。",
    ],
    "000-baoji": [
        # 245-249
        "充分发挥党员在关键技术突破、重大项目建设中的模范带头作用，助推企业高质量发展。",
        # 261-267: "孵化 75家科" / "技型"
        "累计孵化75家科技型中小企业，培育出众多优质企业，并深化产学研合作，有效赋能企业生产经营。",
        # 275-279
        "去年成功研发3种新产品、申报6项专利，累计获得60余项科技成果与发明专利",
        # 285-295
        "还获评‘国家知识产权优势企业’，并参与了团体标准编制。”宝鸡高新科技创新园入驻企业陕西四维衡器科技有限公司董事长王建军说。",
        # 321-323
        "研发的“传感器产业链应用平台”被认定为陕西省首版次软件产品。",
        # 335-337: the author follows the last sentence
        "为区域经济高质量发展作出新的贡献。",
    ],
    "000-jining": [
        # 361-363: "政务" / "服务 e大厅"
        "随后，大家来到均和云谷·济宁创新谷政务服务e大厅，实地参观园区企业服务中心",
        # 375-379
        "对12家园区企业进行了专题培训，发放《惠企政策集成手册》《高频事项服务指南》等资料40余份。",
        # 391-397
        "济宁易康机械有限公司负责人说：“没想到在园区就能咨询到如何办理注册资金变更，真便利！这种‘零距离’服务让我们感受到政府优化营商环境的决心和温度。”",
        # 415-419
        "推动更多政务服务从“窗口办”转向“上门办”，从“被动受理”转向“主动服务”",
        # 423-427
        "为济宁市经济高质量发展注入红色动能。",
    ],
    "001": [
        # 19 -> 21 across a column break ("等11家" / "重点科创平台党组织")
        "目前，该党委已覆盖斯坦德检测集团、汉唐生物科技、宝佳智能、高测科技等11家重点科创平台党组织，囊括新型研发机构",
        # 29 -> 31 ("入党积" / "极分子277名")
        "储备高新技术企业入党积极分子277名。同时，实行高新技术企业党员发展计划单列，全区2/3的党员发展指标用于高新技术企业",
        # 39 -> 41 ("遇到的难" / "题。")
        "“一企一策”解决企业在规划建设、金融支持、营商服务、人才引育等方面遇到的难题。创新推出“e企炬链”服务品牌",
        # 49 -> 51
        "通过体系化党建创新实践，青岛高新区实现了党建工作与园区发展互促共进。",
        # 53: numbers stay intact, ";" -> "；"
        "累计投资金额达8.86亿美元；总投资额2.6亿元的青岛康复医疗器械CD-MO平台落地；",
        # 11
        "规划总存储量3000万份的青岛市生物样本库建设全面提速；",
        # 53
        "构建起“研发—生产—临床—服务”全产业链条。“我们要建的不只是一个工厂，而是一个能扎根的生态。”长木谷项目负责人说。",
    ],
    "002": [
        # 24 -> (captions, editor credits 28-40) -> 42; "学习百年党史 汲取奋进力量"
        "“学习百年党史汲取奋进力量”等党建标语在阳光映照下熠熠生辉。新时代党的建设是各项工作的基础",
        # 62 -> (caption 68) -> 70
        "加上已有的20多家半导体产业上下游企业，青岛高新区在半导体产业链初具规模。",
        # 86: "加快建设的 需求?"
        "如何满足项目高效服务、加快建设的需求？",
        # 88 -> 90
        "平均审批时间至少缩短30个工作日，审批效率较之前提高70%。",
        # 98: "咨询加 EPC 工程总承包模式"
        "创新采用全过程工程咨询加EPC工程总承包模式，让项目从立项批复到机械进场仅用了不到两个月",
        # 112: "埃地沃兹(青岛)公司迟迟未能充分 发挥产能"
        "埃地沃兹（青岛）公司迟迟未能充分发挥产能。",
        # 20: straight quotes, wrap spaces
        "火车跑得快，全靠车头带。“关键在党、关键在队伍建设、关键在干事创业的内生动力。”青岛高新区清醒地认识到这一点。",
        # 114: "1200 余家", "83名 素质高"
        "1200余家重点企业和载体被纳入到24个网格，由83名素质高、业务强的年轻干部担任专职网格员",
        # 76: "占 47%"
        "其中，党员人数占47%，成为团队里名副其实的攻坚克难“主力军”。",
    ],
    "003": [
        # 70-73: "非公等 7" / "个党委班子"
        "在党建难点突破方面，重新调整机关、非公等7个党委班子，优化调整基层党组织43个，新配备党务干部81名，集中轮训党组织书记350人次。",
        # 117-121
        "全面构建起烟台高新区党工委—非公企业党委—孵化器党组织—企业党支部“四级联动、上下贯通”的党建工作新机制。",
        # 129-131: "每年 5" / "万元"
        "给予每个孵化器党组织每年5万元党建经费，让党务工作人员“有钱办事、能办成事”。",
        # 146-150: "8个部门 316项"
        "建成1.2万平方米的区级党群服务中心，设有97个窗口，8个部门316项事项全部入驻，实现“进一扇门，办所有事”。",
        # 213-215: "全过程,有力"
        "贯穿党史学习教育全过程，有力有序扎实推进党史学习教育。",
        # 318-322
        "探索推行“1+1+N”党组织组建工作法，即建立1个互联网企业联合党支部，配建1个党群服务驿站，吸纳N家互联网企业党组织或党员参与其中",
        # 52-56
        "仅2020年一年，刘森就带头到农村、入社区、下企业、进院所调研达100余次，主持召开了11次党建工作领导小组会和工委会。",
        # 376-378: "建党 100 周年"
        "以更加优异的成绩向建党100周年献礼！”刘森充满自信地说。",
    ],
    "004-yantai": [
        # 19 -> 21 across a column break, in the middle of a name (田文 / 广)
        "东方蓝天钛金科技有限公司党委副书记田文广表示，作为航空航天产业链链主企业",
        # 27: "?"
        "如何持续提升为企业服务质量，让“近者悦”“远者来”？烟台高新区坚持在行政审批上做“减法”",
        # 31 -> 33 ("优" / "化流程再造")
        "“高新区通过出台一系列政策，优化流程再造，强化系统集成，有效提升政务服务标准化、规范化、便利化水平。”",
        # 43 -> 45
        "完善人才政策体系。烟台高新区在烟台市率先出台青年人3年免房租住房保障政策",
        # 13, 33: numbers intact
        "规划设计“1+2+N”的产业链党建发展新格局",
        "2023年，拨付企业各类扶持资金2.1亿元，落实减税降费2.8亿元。",
    ],
    "004-xiamen": [
        # 71 -> 73 ("一次办" / "好")
        "实现“一次办好”目标；云知声基于自主研发的山海大模型",
        # 69: parentheses and ":" / ";"
        "快商通为厦门市委党校打造的“基于AIGC（生成式人工智能）技术的会议数字助手应用”；",
        "此次厦门火炬高新区上榜企业及其项目案例分别为：瀚亭科技",
        # 75
        "该企业智慧机场解决方案已覆盖全国2/3千万级机场、1/3民用机场。",
        # 77, the author follows
        "助力企业抢占人工智能新赛道，加快形成新质生产力。",
    ],
    "004-baoding": [
        "乡镇（街道）、村（社区）、开发区（园区）等区域性、行业性工会联合会",
        "对名单中涉及的未建工会企业，联合有关单位依法推进建工会工作；对名单中不确定的企业",
        "为奋力推动现代化品质生活之城更高质量发展更有韧性贡献工会群团的智慧和力量。",
    ],
    "004-baoji": [
        # 101 -> 103 ("队伍建设" / "项目支持名单。")
        "入选陕西省秦创原“科学家+工程师”队伍建设项目支持名单。",
        # 105, the author follows
        "共同推动科研与产业深度融合，为产业创新发展提供强有力的支撑。",
    ],
    "004-urumqi": [
        # 123, 139: 人驻 -> 入驻
        "楼宇内31家入驻企业代表齐聚一堂",
        "黏合777家入驻企业，聚力37个不同类型企业党组织，形成“街道党工委—社区党委—楼宇综合党委—入驻企业党组织”四级架构体系",
        # 125 -> 127 ("攻坚" / "克难")
        "开拓创新、攻坚克难，努力开创商务楼宇经济发展新局面。",
        # 133 -> 135 ("为驻楼" / "宇企业")
        "为驻楼宇企业提供党务、政务、社务等服务，以点带面促进整体提升。",
        # 129: "说:“"
        "创新广场D座企业恒丰晟泰能源有限公司总经理李剑峰说：“几年前，我因党员组织关系不知在哪里落脚而感到苦恼",
    ],
}


@pytest.mark.parametrize("key", list(SENTENCES))
def test_sentences_rejoined(seed_report, key):
    art = record(seed_report, key)
    text = full_text(art)
    missing = [s for s in SENTENCES[key] if s not in text]
    assert not missing, f"{key}: expected these re-joined, cleaned sentences in the article text:\n" + "\n".join(
        f"  {s}" for s in missing
    )


# --------------------------------------------------------------------------------------------
# text that must never be running text (lead/body) on a page
# --------------------------------------------------------------------------------------------

NOT_RUNNING_TEXT = {
    "000": [
        "青岛高新区供图", "济宁高新区供图",  # credits (lines 437, 439)
        "谷星佐", "张昕",  # authors
        "本报讯",  # dateline
        "青岛高新区聚力高企党员队伍体系建设",  # the (duplicated) heading, line 1
        "济宁高新区党建引领政务服务升级",  # title printed after the text
        "参观“科创星火”党建阵地",  # caption, line 435
        "联合开展党建联建共建活动",  # caption, lines 432-433
    ],
    "001": [
        "#", "青岛高新区供图", "蓬勃发展中的青岛高新区",  # marker, credit, caption
        "高东", "刘文研", "►",  # byline
        "青岛高新区体系化党建激发科创产业活力", "“党建红”赋能“科技蓝”",  # title, kicker
    ],
    "002": [
        "庆祝中国共产党成立100周年", "The100thAnniversary", "FoundingofTheCommunistParty",  # banner, header
        "编辑", "戈清平", "组版", "王新明", "本版图片来源",  # editor credits, page credit
        "刘文研", "本报记者",  # byline
        "庆祝建党100周年", "集中授牌仪式", "集体宣誓仪式", "促进民间投资政策宣讲活动",  # captions
        "优秀党支部定向打卡", "丰富多彩的党建活动", "党员参观党的百年历程展览",
        "助力发展出“乘”效",  # title
    ],
    "003": [
        "凝聚磅礴伟力", "党建引领高质量发展走深走实",  # kicker, title
        "创业故事分享会", "党史学习基层交流座谈会", "红色故事讲解大赛",  # captions
        "党史教育学习班暨主题党日活动", "烟台高新区全景",
        "铿锵有力。未来",  # pull quote
    ],
    "004": [
        "党建在高新",  # column banner
        "图片来源", "苏州高新区", "广交会", "莱克电气",  # photo credit and caption (苏州)
        "杭州高新区", "滨滨有理", "北航杭州研究院",  # photo caption (杭州)
        "林露虹", "代可友", "赵祎诺", "高欣", "于秀", "王宏伟", "孙达",  # authors
        "本报讯", "人驻",
    ],
}


@pytest.mark.parametrize("prefix", PAGES)
def test_not_in_running_text(seed_report, prefix):
    page = page_of(seed_report, prefix)
    leaks = []
    for a in page.articles:
        body = squash("\n".join(running_texts(a)))
        leaks += [(a.title, s) for s in NOT_RUNNING_TEXT[prefix] if squash(s) in body]
    assert not leaks, f"{prefix}: expected none of these in any lead/body, found (record, text): {leaks}"


@pytest.mark.parametrize("prefix", PAGES)
def test_captions_never_in_running_text(seed_report, prefix):
    page = page_of(seed_report, prefix)
    body = squash(page_running_text(page))
    leaks = [c.text for a in page.articles for c in a.captions if squash(c.text) and squash(c.text) in body]
    assert not leaks, f"{prefix}: expected no caption text in any lead/body, found {leaks}"


# --------------------------------------------------------------------------------------------
# section headings
# --------------------------------------------------------------------------------------------

HEADINGS = {
    "000-qingdao": [  # lines 36/37, 97/98, 142/143: two printed lines -> one heading
        "系统发力加大高企发展党员力度",
        "持续赋能提升教育管理服务质效",
        "激励担当引导党员发挥先锋模范作用",
    ],
    "000-baoji": [],
    "000-jining": [],
    "001": [  # lines 15, 25, 35, 47 (### markers)
        "重塑组织体系筑牢科技创新“桥头堡”",
        "创新育管机制锻造创新创业“先锋队”",
        "深化链上赋能打造产业发展“强引擎”",
        "夯实党建根基构筑产业发展“新高地”",
    ],
    "002": [  # lines 22, 60, 84, 108
        "抓覆盖党建引领激活经济发展“发动机”",
        "抓学习锻造铁军做好产业链式扩张“火车头”",
        "抓改革高效合作当好项目落地“传动轴”",
        "提升服务打造企业成长“加油站”",
    ],
    "003": [  # lines 33/34, 178/179, 297/298
        "“四强化四提升”助力党建提质增效",
        "赓续红色基因党史学习教育走深走实",
        "实施红色领航工程强化互联网企业党建",
    ],
    "004-yantai": ["党建链集聚发展合力", "服务链提升发展能力", "人才链释放发展活力", "创新链注入发展动力"],
    "004-xiamen": [],
    "004-baoding": [],
    "004-baoji": [],
    "004-urumqi": [],
}


@pytest.mark.parametrize("key", list(HEADINGS))
def test_section_headings(seed_report, key):
    art = record(seed_report, key)
    got = headings(art)
    want = HEADINGS[key]
    assert len(got) == len(want), f"{key}: expected {len(want)} section headings {want}, got {len(got)}: {got}"
    assert got == want, f"{key}: expected section headings {want}, got {got}"
    text = full_text(art)
    repeated = [h for h in want if text.count(h) != 1]
    assert not repeated, f"{key}: expected each heading exactly once in the text (not also as body text): {repeated}"


# --------------------------------------------------------------------------------------------
# captions
# --------------------------------------------------------------------------------------------

# key -> list of (fragment the captions must contain, whitespace-insensitive; expected credit or None)
# credit None here means "not checked"; exact credits are given where the page prints one.
CAPTIONS = {
    "000-qingdao": [("青岛高新区10余家产业园区党支部党员参观“科创星火”党建阵地。", "青岛高新区供图")],
    "000-jining": [
        ("近日，济宁市行政审批服务局党支部与济宁高新区行政审批服务局党支部联合开展党建联建共建活动。", "济宁高新区供图"),
    ],
    "001": [("蓬勃发展中的青岛高新区", "青岛高新区供图")],
    "002": [
        ("青岛高新区庆祝建党100周年暨“党建引领创新、激发企业活力”园区企业党支部集中授牌仪式。", None),
        ("“我为企业办实事”党史学习教育实践活动——", None),
        ("2021年青岛市促进民间投资政策宣讲活动。", None),
        ("青岛高新区优秀党员代表七一前夕参加集体宣誓仪式。", None),
        ("青岛高新区开展党史学习教育主题活动——“薪火相传”优秀党支部定向打卡。", None),
        ("丰富多彩的党建活动。", None),
        ("党员参观党的百年历程展览。", None),
    ],
    "003": [
        ("烟台高新区举行我与祖国共成长-创业1号国庆创业故事分享会。", None),
        ("烟台高新区举行党史学习基层交流座谈会。", None),
        ("烟台高新区参加“薪火相传，我心向党”烟台市第三届红色故事讲解大赛。", None),
        ("烟台高新区举行党史教育学习班暨主题党日活动。", None),
        ("蓝色智谷烟台高新区全景", None),
    ],
    "004-photo-suzhou": [
        ("4月15日，第135届中国进出口商品交易会（广交会）举行，苏州高新区精心组织了22家企业参展", None),
        ("图为参观者驻足苏州高新区企业莱克电气展位。", None),
    ],
    "004-photo-hangzhou": [
        ("4月15日，由杭州高新区（滨江）党委宣传部主办的", None),
        ("图为活动现场举行“滨滨有理”基层特色理论宣讲队授旗仪式。", None),
    ],
}


@pytest.mark.parametrize("key", list(CAPTIONS))
def test_captions(seed_report, key):
    art = record(seed_report, key)
    blob = squash(caption_blob(art))
    for fragment, credit in CAPTIONS[key]:
        assert squash(fragment) in blob, f"{key}: expected a caption containing {fragment!r}, captions {art.captions}"
        if credit is not None:
            holders = [c for c in art.captions if squash(fragment) in squash(c.text)]
            assert holders and all(c.credit == credit for c in holders), (
                f"{key}: expected caption {fragment!r} credited {credit!r}, got {[(c.text, c.credit) for c in holders]}"
            )


@pytest.mark.parametrize(
    "key, place",
    [("004-photo-suzhou", "苏州高新区"), ("004-photo-hangzhou", "杭州高新区")],
)
def test_photo_credit(seed_report, key, place):
    # 004 lines 59 "图片来源:苏州高新区" and 115 "图片来源:杭州高新区(滨江)"
    art = record(seed_report, key)
    credits = [c.credit for c in art.captions if c.credit]
    assert any(place in c for c in credits), f"{key}: expected a caption credit naming {place}, got {credits}"


# key -> number of captions (each printed caption block is one Caption).
# 002 prints six (lines 28, 36, 40, 68, 102, 106), all on its one article; 003 five (384-396).
CAPTION_COUNTS = {"000-qingdao": 1, "000-jining": 1, "001": 1, "002": 6, "003": 5}


@pytest.mark.parametrize("key", list(CAPTION_COUNTS))
def test_caption_count(seed_report, key):
    art = record(seed_report, key)
    want = CAPTION_COUNTS[key]
    assert len(art.captions) == want, f"{key}: expected {want} captions, got {[c.text for c in art.captions]}"


def test_articles_without_photos_have_no_captions(seed_report):
    keys = ["000-baoji", "004-yantai", "004-xiamen", "004-baoding", "004-baoji", "004-urumqi"]
    bad = {k: [c.text for c in record(seed_report, k).captions] for k in keys}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"expected no captions on these articles (their page prints no photo for them): {bad}"


def test_caption_keeps_phrase_space_003(seed_report):
    # 003 line 396: two phrases separated by one space
    art = record(seed_report, "003")
    texts = [c.text for c in art.captions]
    assert "蓝色智谷 烟台高新区全景" in texts, f"003: expected caption '蓝色智谷 烟台高新区全景', got {texts}"


def test_captions_003_have_no_credit(seed_report):
    art = record(seed_report, "003")
    credited = [(c.text, c.credit) for c in art.captions if c.credit]
    assert not credited, f"003 prints no photo credit, got {credited}"


# --------------------------------------------------------------------------------------------
# furniture
# --------------------------------------------------------------------------------------------

FURNITURE = {
    "000": set(),
    "001": set(),
    "002": {
        (4, "庆祝中国共产党成立100周年"),
        (6, "The100thAnniversaryoftheFoundingofTheCommunistPartyofChina"),
        (32, "编辑:戈清平"),
        (34, "组版:王新明"),
        (124, "本版图片来源:青岛高新区"),
    },
    "003": set(),
    "004": {(3, "党建在高新")},
}


@pytest.mark.parametrize("prefix", PAGES)
def test_furniture(seed_report, prefix):
    page = page_of(seed_report, prefix)
    got = {(f.line, colon_norm(f.text)) for f in page.furniture}
    want = FURNITURE[prefix]
    assert got == want, f"{prefix}: expected furniture (line, text) {sorted(want)}, got {sorted(got)}"


@pytest.mark.parametrize("prefix", [p for p in PAGES if FURNITURE[p]])
def test_furniture_never_in_article_fields(seed_report, prefix):
    page = page_of(seed_report, prefix)
    leaks = []
    for f in page.furniture:
        needle = colon_norm(f.text)
        for a in page.articles:
            if needle and any(needle in colon_norm(field) for field in all_fields(a)):
                leaks.append((f.text, a.title))
    assert not leaks, f"{prefix}: expected furniture text in no article field, found (furniture, record) {leaks}"


def test_photo_credits_are_not_furniture_004(seed_report):
    page = page_of(seed_report, "004")
    wrong = [f.text for f in page.furniture if "图片来源" in f.text]
    assert not wrong, f"004: photo credits belong to their captions, not furniture: {wrong}"


# --------------------------------------------------------------------------------------------
# dropped text: duplicates and the pull quote
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "line, text",
    [
        (1, "青岛高新区聚力高企党员队伍体系建设"),  # heading printed twice on line 1
        (437, "青岛高新区供图"),  # credit printed twice on line 437
        (439, "济宁高新区供图"),  # credit printed twice on line 439
    ],
)
def test_duplicates_dropped_000(seed_report, line, text):
    page = page_of(seed_report, "000")
    hits = [d for d in page.dropped if d.line == line and squash(d.text) == text and "duplicate" in d.reason.lower()]
    assert len(hits) == 1, (
        f"000: expected one dropped duplicate {text!r} at line {line}, "
        f"dropped is {[(d.line, d.text, d.reason) for d in page.dropped]}"
    )


def test_pull_quote_dropped_003(seed_report):
    page = page_of(seed_report, "003")
    pq = sorted((d for d in page.dropped if "pull quote" in d.reason.lower()), key=lambda d: d.line)
    assert pq, f"003: expected the pull quote (lines 398-415) dropped, dropped is {[(d.line, d.reason) for d in page.dropped]}"
    assert all(398 <= d.line <= 415 for d in pq), f"003: pull-quote drops outside lines 398-415: {[d.line for d in pq]}"
    assert pq[0].line == 398, f"003: expected the pull quote to start at line 398, got {pq[0].line}"
    joined = squash("".join(d.text for d in pq))
    assert "铿锵有力。未来，烟台高新区将只争朝夕" in joined, f"003: dropped pull-quote text is {joined!r}"


def test_pull_quote_text_appears_once_003(seed_report):
    text = full_text(record(seed_report, "003"))
    for phrase in ("党建的深入开展让烟台高新区的“高新”底色更清晰", "只争朝夕、不负韶华，咬定青山、久久为功"):
        n = text.count(phrase)
        assert n == 1, f"003: expected {phrase!r} (repeated by the pull quote) exactly once in the body, found {n}"


# --------------------------------------------------------------------------------------------
# the 人驻 -> 入驻 correction
# --------------------------------------------------------------------------------------------

def test_renzhu_corrections_recorded_004(seed_report):
    page = page_of(seed_report, "004")
    fixes = [c for c in page.corrections if "人驻" in c.before and "入驻" in c.after]
    assert {c.line for c in fixes} == {123, 139}, (
        f"004: expected 人驻->入驻 corrections on lines 123 and 139, got {[(c.line, c.before, c.after) for c in fixes]}"
    )


def test_renzhu_nowhere(seed_report):
    for prefix in PAGES:
        page = page_of(seed_report, prefix)
        bad = [a.title for a in page.articles if any("人驻" in f for f in all_fields(a))]
        assert not bad, f"{prefix}: the OCR slip 人驻 survives in {bad}"
        if prefix != "004":
            wrong = [(c.line, c.before) for c in page.corrections if "人驻" in c.before]
            assert not wrong, f"{prefix}: no 人驻 is printed on this page, got corrections {wrong}"


# --------------------------------------------------------------------------------------------
# page-wide cleaning checks on every record
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", PAGES)
def test_no_space_between_han(seed_report, prefix):
    page = page_of(seed_report, prefix)
    bad = [(a.title, m.group()) for a in page.articles for t in running_texts(a) for m in HAN_SPACE_HAN.finditer(t)]
    assert not bad, f"{prefix}: expected no whitespace between two Han characters in lead/body, found {bad[:10]}"


@pytest.mark.parametrize("prefix", PAGES)
def test_no_halfwidth_punctuation_in_chinese(seed_report, prefix):
    page = page_of(seed_report, prefix)
    bad = []
    for a in page.articles:
        for t in running_texts(a):
            bad += [(a.title, m.group()) for m in HALFWIDTH_AFTER_HAN.finditer(t)]
            bad += [(a.title, m.group()) for m in HALFWIDTH_PAREN_NEXT_TO_HAN.finditer(t)]
            if '"' in t:
                bad.append((a.title, '"'))
        bad += [(a.title, t) for t in (a.title, a.kicker or "", *(c.text for c in a.captions)) if '"' in t]
    assert not bad, (
        f"{prefix}: expected full-width , ; : ? ( ) in lead/body and curly quotes everywhere, found {bad[:10]}"
    )


@pytest.mark.parametrize("prefix", PAGES)
def test_no_markdown_markers(seed_report, prefix):
    page = page_of(seed_report, prefix)
    bad = []
    for a in page.articles:
        if (a.lead or "").lstrip().startswith("#"):
            bad.append(("lead", a.lead))
        bad += [(p.kind, p.text) for p in a.paragraphs if p.text.lstrip().startswith("#")]
        bad += [("title/kicker", t) for t in (a.title, a.kicker) if t and "#" in t]
    assert not bad, f"{prefix}: expected no '#' heading markers in titles or at the start of any paragraph, found {bad}"
