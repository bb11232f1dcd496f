"""The gazetteer (`index.regions`): which written forms name a province, city or county, with their parents, and
which look-alikes (common words, word fragments, garbled suffixes) name none."""

from __future__ import annotations

import csv

import pytest

from index.regions import _DATA, CITY, COUNTY, PROVINCE, Gazetteer, _ethnic_names, regions_of, short_form


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def names(gaz: Gazetteer, text: str, context: bool = True) -> list[tuple[str, str]]:
    return [(p.form, p.name) for p in gaz.find(text, context)]


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("广西壮族自治区", PROVINCE, "广西"),
        ("新疆维吾尔自治区", PROVINCE, "新疆"),
        ("宁夏回族自治区", PROVINCE, "宁夏"),
        ("内蒙古自治区", PROVINCE, "内蒙古"),
        ("香港特别行政区", PROVINCE, "香港"),
        ("湖北省", PROVINCE, "湖北"),
        ("武汉市", CITY, "武汉"),
        ("恩施土家族苗族自治州", CITY, "恩施"),
        ("巴音郭楞蒙古自治州", CITY, "巴音郭楞"),
        ("荣昌区", COUNTY, "荣昌"),
        ("浦东新区", COUNTY, "浦东"),
        ("鄂温克族自治旗", COUNTY, "鄂温克"),
        ("忠县", COUNTY, None),
    ],
)
def test_short_forms_by_rule(name, level, short):
    assert short_form(name, level, _ethnic_names()) == short


def test_autonomous_regions_full_and_short(gaz):
    text = "广西壮族自治区教育厅、内蒙古自治区教育厅、宁夏回族自治区教育厅"
    assert names(gaz, text) == [
        ("广西壮族自治区", "广西壮族自治区"),
        ("内蒙古自治区", "内蒙古自治区"),
        ("宁夏回族自治区", "宁夏回族自治区"),
    ]
    assert names(gaz, "广西、内蒙古、宁夏和新疆的学校") == [
        ("广西", "广西壮族自治区"),
        ("内蒙古", "内蒙古自治区"),
        ("宁夏", "宁夏回族自治区"),
        ("新疆", "新疆维吾尔自治区"),
    ]
    assert [p.level for p in gaz.find("广西")] == [PROVINCE]


def test_garbled_suffix_names_no_region(gaz):
    assert gaz.find("族自治区教育厅") == []
    assert gaz.find("壮族自治区") == []


def test_municipality_district_with_parent(gaz):
    rongchang = gaz.find("重庆市荣昌区教育委员会")
    assert [(p.form, p.name, p.level, p.province, p.city) for p in rongchang] == [
        ("重庆市", "重庆市", PROVINCE, "", ""),
        ("荣昌区", "荣昌区", COUNTY, "重庆市", ""),
    ]
    assert rongchang[1].parents == ("重庆市",)
    assert names(gaz, "荣昌区学校") == [("荣昌区", "荣昌区")]
    assert names(gaz, "北京市海淀区；北京海淀") == [
        ("北京市", "北京市"),
        ("海淀区", "海淀区"),
        ("北京", "北京市"),
        ("海淀", "海淀区"),
    ]


def test_province_short_form_and_city_parent(gaz):
    assert names(gaz, "湖北的学校") == [("湖北", "湖北省")]
    assert names(gaz, "湖北省教育厅") == [("湖北省", "湖北省")]
    [wuhan] = gaz.find("武汉市教育局")
    assert (wuhan.name, wuhan.level, wuhan.province, wuhan.city, wuhan.parents) == (
        "武汉市",
        CITY,
        "湖北省",
        "",
        ("湖北省",),
    )
    assert [p.parents for p in gaz.find("湖北省武汉市江夏区")] == [(), ("湖北省",), ("武汉市", "湖北省")]


def test_county_short_form_needs_its_province_or_city(gaz):
    # 江夏 is also a frequent word: alone it is only a candidate (sure=False), beside 武汉 it is the district.
    assert gaz.find("江夏的学校") == []
    [alone] = gaz.find("江夏的学校", context=False)
    assert (alone.name, alone.sure) == ("江夏区", False)
    assert names(gaz, "武汉的学校，江夏的学校") == [("武汉", "武汉市"), ("江夏", "江夏区")]
    # 柳林站 (a station), 杜亚东 (a person): county short forms with nothing of Shanxi or Tibet around them.
    assert names(gaz, "郑州柳林站的旅客") == [("郑州", "郑州市")]
    assert gaz.find("理事长杜亚东说") == []


@pytest.mark.parametrize(
    "text",
    [
        "城区、新区、学区、校区、社区、全区、本市、开发区、高新区",
        "和平发展",  # 和平区 (Tianjin)
        "平安校园",  # 平安区 (Qinghai)
        "新建学校",  # 新建区 (Nanchang)
        "会同有关部门",  # 会同县 (Hunan)
        "公安部门",  # 公安县 (Hubei), listed in resources/place_words.csv
        "确保定期开展",  # 保定 across two words
        "学校和政府",  # 和政 across two words
        "中华人民共和国教育法",  # 共和
        "省、市和县级",  # 和县 not after its city or province
        "中山路、城关镇",  # a road and a town named after a place
        "大城市和中国市场",  # 大城 + 市, 中国 + 市
        "各省、自治区、直辖市及新疆生产建设兵团",  # an addressee, not Xinjiang
        "老城区改造",
    ],
)
def test_common_words_are_not_regions(gaz, text):
    assert gaz.find(text) == []


def test_everyday_short_form_counts_with_its_suffix(gaz):
    assert names(gaz, "天津市和平区") == [("天津市", "天津市"), ("和平区", "和平区")]
    assert names(gaz, "马鞍山市和县") == [("马鞍山市", "马鞍山市"), ("和县", "和县")]
    assert names(gaz, "阳泉市城区") == [("阳泉市", "阳泉市"), ("城区", "城区")]
    assert names(gaz, "洛阳市老城区") == [("洛阳市", "洛阳市"), ("老城区", "老城区")]


def test_shared_name_resolved_by_the_other_places_named(gaz):
    beijing = gaz.find("北京市朝阳区")[1]
    changchun = gaz.find("长春市朝阳区")[1]
    [alone] = gaz.find("朝阳区")
    assert (beijing.province, beijing.city) == ("北京市", "")
    assert (changchun.province, changchun.city) == ("吉林省", "长春市")
    assert (alone.name, alone.province, alone.city, alone.adcode) == ("朝阳区", "", "", "")
    assert names(gaz, "吉林") == [("吉林", "吉林省")]
    assert names(gaz, "吉林市") == [("吉林市", "吉林市")]


def test_renamed_and_added_units(gaz):
    # 梁平县 became 梁平区 after the table's snapshot; 荣昌县 is 荣昌区's old name.
    assert [(p.form, p.name, p.province) for p in gaz.find("梁平区")] == [("梁平区", "梁平县", "重庆市")]
    assert [(p.form, p.name) for p in gaz.find("荣昌县")] == [("荣昌县", "荣昌区")]
    [pidu] = gaz.find("郫都区")  # resources/places_added.csv
    assert (pidu.level, pidu.province, pidu.city) == (COUNTY, "四川省", "成都市")


def test_unlisted_name_with_a_place_stem(gaz):
    [old] = gaz.find("襄樊市教育局")  # 襄樊 is a place name in jieba's dictionary; the table has 襄阳市
    assert (old.name, old.level, old.adcode, old.parents) == ("襄樊市", CITY, "", ())
    assert gaz.find("创建教育强县") == []


def test_regions_of_reads_traditional_script():
    assert regions_of("四川省成都市龍泉驛區教育局關於開展工作的通知") == ["四川省", "成都市", "龙泉驿区"]
    assert regions_of("重庆市荣昌区；荣昌区；重庆") == ["重庆市", "荣昌区"]


def test_forms_of(gaz):
    assert gaz.forms_of("广西壮族自治区") == ["广西壮族自治区", "广西"]
    assert gaz.forms_of("荣昌区") == ["荣昌区", "荣昌"]


def test_word_boundaries_follow_jieba(gaz):
    assert sorted(gaz.words.cuts("学校和政府")) == [0, 2, 3, 5]
    assert gaz.words.whole_word("北京海淀", 2, 4)
    assert not gaz.words.whole_word("确保定期", 1, 3)


def test_data_tables_are_well_formed(gaz):
    with open(_DATA / "places_added.csv", encoding="utf-8", newline="") as fh:
        added = list(csv.DictReader(fh))
    assert added and all(r["provenance"] and r["level"] == COUNTY for r in added)
    assert all(gaz.by_name[r["name"]][0].province for r in added)
    with open(_DATA / "place_words.csv", encoding="utf-8", newline="") as fh:
        words = list(csv.DictReader(fh))
    assert words and all(r["use"] in ("never", "context") and r["evidence"] for r in words)
