"""RegionIndex (`assistant.regions`): which documents a region named in a question selects, and which named
places no document covers, over a small inline corpus of chunks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.regions import RegionIndex


@dataclass(frozen=True)
class FakeChunk:
    source: str
    title: str
    text: str
    context: str = ""
    script: str = "simplified"


CHUNKS = [
    FakeChunk(
        "rongchang.txt", "重庆市荣昌区教育委员会关于做好学前教育资助工作的通知", "各镇街中心校：现将有关事项通知如下。"
    ),
    FakeChunk(
        "rongchang.txt",
        "重庆市荣昌区教育委员会关于做好学前教育资助工作的通知",
        "荣昌各幼儿园按月发放。",
        "一、资助标准",
    ),
    # Named only in the body, never in the title.
    FakeChunk("haidian.txt", "关于做好义务教育入学工作的通知", "北京市海淀区教育委员会负责统筹。海淀各校按学区招生。"),
    FakeChunk("wuhan.txt", "武汉市教育局关于课后服务的通知", "全市中小学开展课后服务。"),
    FakeChunk("hubei.txt", "湖北省教育厅关于教师培训的通知", "各市、州、县教育局：请做好培训。"),
    FakeChunk("guangxi.txt", "关于加强学校食堂管理的通知", "广西壮族自治区教育厅要求各地落实。"),
    FakeChunk(
        "national.txt", "教育部关于加强学校安全的通知", "各省、自治区、直辖市教育厅（教委），新疆生产建设兵团教育局："
    ),
    FakeChunk("taiwan_script.txt", "關於學前教育的通知", "重慶市永川區教育委員會：", script="traditional"),
]


@pytest.fixture(scope="module")
def regions() -> RegionIndex:
    return RegionIndex.build(CHUNKS)


def test_document_regions_from_title_and_body(regions):
    assert regions.regions("rongchang.txt") == ["重庆市", "荣昌区"]
    assert regions.regions("haidian.txt") == ["北京市", "海淀区"]
    assert regions.regions("guangxi.txt") == ["广西壮族自治区"]
    assert regions.regions("taiwan_script.txt") == ["重庆市", "永川区"]
    assert regions.regions("national.txt") == []


@pytest.mark.parametrize(
    ("question", "sources", "named"),
    [
        ("荣昌区学前教育资助标准是多少？", ["rongchang.txt"], ["荣昌区"]),
        ("重庆市荣昌区学前教育资助标准是多少？", ["rongchang.txt"], ["重庆市", "荣昌区"]),
        ("重庆荣昌的资助标准", ["rongchang.txt"], ["重庆", "荣昌"]),
        ("海淀区义务教育入学怎么办理？", ["haidian.txt"], ["海淀区"]),  # only the body names 海淀
        ("北京市海淀区义务教育入学怎么办理？", ["haidian.txt"], ["北京市", "海淀区"]),
        ("海淀的学校怎么招生？", ["haidian.txt"], ["海淀"]),
        ("广西的学校食堂怎么管？", ["guangxi.txt"], ["广西"]),
        ("广西壮族自治区的学校食堂怎么管？", ["guangxi.txt"], ["广西壮族自治区"]),
        ("武汉市课后服务怎么开展？", ["wuhan.txt"], ["武汉市"]),
        ("湖北省武汉市课后服务怎么开展？", ["wuhan.txt"], ["湖北省", "武汉市"]),
        # A document about 武汉 is about 湖北; a document about 湖北 is not about 武汉.
        ("湖北的教师培训", ["hubei.txt", "wuhan.txt"], ["湖北"]),
        ("永川区的学前教育", ["taiwan_script.txt"], ["永川区"]),
        ("重庆市有哪些学前教育政策？", ["rongchang.txt", "taiwan_script.txt"], ["重庆市"]),
    ],
)
def test_named_region_selects_the_documents_that_mention_it(regions, question, sources, named):
    match = regions.resolve(question)
    assert (match.sources, match.named, match.unknown) == (sources, named, [])


def test_real_place_no_document_mentions_is_unknown(regions):
    match = regions.resolve("海南省的学前教育资助标准是多少？")
    assert (match.sources, match.unknown, match.named) == ([], ["海南省"], ["海南省"])
    match = regions.resolve("宁夏的学校食堂怎么管？")
    assert (match.sources, match.unknown) == ([], ["宁夏"])


def test_unknown_place_beside_a_covered_one(regions):
    # 巫山县 is in Chongqing but no document names it: the Chongqing documents still answer.
    match = regions.resolve("重庆市巫山县的学前教育资助标准")
    assert (match.sources, match.unknown) == (["rongchang.txt", "taiwan_script.txt"], ["巫山县"])


def test_place_missing_from_the_gazetteer(regions):
    match = regions.resolve("襄樊市的课后服务怎么收费？")
    assert (match.sources, match.unknown, match.named) == ([], ["襄樊市"], ["襄樊市"])
    with_doc = RegionIndex.build([FakeChunk("xiangfan.txt", "襄樊市教育局关于课后服务的通知", "各校：")])
    assert with_doc.resolve("襄樊市的课后服务怎么收费？").sources == ["xiangfan.txt"]


@pytest.mark.parametrize(
    "question",
    [
        "城区学校和新区学校怎么划分学区？",
        "校区、社区、全区和本市的学校",
        "开发区的学校怎么招生？",
        "教育强县的评估标准",
        "和平发展教育",  # 和平区 is in Tianjin, 和平 alone is a word
        "柳林的学校怎么招生？",  # a county's bare short form that no document mentions: maybe a word
    ],
)
def test_common_words_name_no_region(regions, question):
    match = regions.resolve(question)
    assert (match.sources, match.unknown, match.named) == ([], [], [])


def test_extra_header_text_counts(regions):
    chunks = [FakeChunk("notice.txt", "关于做好招生工作的通知", "各校：请按要求执行。")]
    extra = {"notice.txt": ["北京市海淀区教育委员会"]}
    assert RegionIndex.build(chunks).regions("notice.txt") == []
    with_header = RegionIndex.build(chunks, extra=extra)
    assert with_header.regions("notice.txt") == ["北京市", "海淀区"]
    assert with_header.resolve("海淀区招生").sources == ["notice.txt"]
