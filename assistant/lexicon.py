"""Tokenising for BM25 and evidence checks: OpenCC-simplified text, jieba with domain words, stop words and a small
table of everyday ↔ policy wording (the words parents and teachers use are not the words documents use)."""

from __future__ import annotations

import logging
import re

import jieba

from index.text import to_simplified

jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" banner would pollute CLI output

DOMAIN_WORDS = [
    "绩效工资",
    "奖励性绩效工资",
    "班主任",
    "课后服务",
    "校外培训",
    "区管校聘",
    "县管校聘",
    "交流轮岗",
    "职称评聘",
    "师德师风",
    "生均公用经费",
    "公办幼儿园",
    "普惠性幼儿园",
    "学前教育",
    "义务教育",
    "普通高中",
    "中等职业",
    "毛入园率",
    "毛入学率",
    "巩固率",
    "牵头单位",
    "责任单位",
    "集团化办学",
    "智慧校园",
    "心理健康",
    "特殊教育",
    "继续教育",
    "教师培训",
    "乡村教师",
    "寄宿制",
    "非寄宿制",
    "双减",
    "五育并举",
    "总校制",
    "思政课",
    "劳动教育",
    "体育特色学校",
    "艺术特色学校",
    "科技工作室",
    "在园幼儿",
    "专任教师",
    "近视防控",
    "营养餐",
    "校园安全",
    "山海协作",
    "二级保健",
    "特级教师",
    "正高级教师",
    "校长职级制",
    "教育督导",
    "督学",
    "课时",
    "补助",
    "津贴",
    "经费",
]

STOP = set(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "有",
        "对",
        "为",
        "将",
        "把",
        "被",
        "由",
        "等",
        "中",
        "上",
        "下",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "呀",
        "哪些",
        "哪个",
        "哪",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "多少",
        "几",
        "是否",
        "能否",
        "可以",
        "能",
        "会",
        "要",
        "需要",
        "应该",
        "应当",
        "请问",
        "一下",
        "关于",
        "我",
        "我们",
        "你",
        "你们",
        "他",
        "她",
        "它",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "文件",
        "规定",
        "政策",
        "有没有",
        "有无",
        "没有",
        "说",
        "提到",
        "提出",
        "里",
        "内",
        "其",
        "之",
        "所",
        "以",
        "而",
        "并",
        "也",
        "都",
        "还",
        "又",
        "就",
        "给",
        "从",
        "到",
        "向",
        "按照",
        "年",
        "月",
        "日",
        "个",
        "项",
        "条",
        "款",
        "次",
        "一",
        "，",
        "。",
        "？",
        "!",
        "！",
        "、",
        "：",
        "；",
        "（",
        "）",
        "(",
        ")",
        "“",
        "”",
        "「",
        "」",
        "《",
        "》",
        ",",
        ".",
        "?",
        ":",
        ";",
    ]
)

# Whom a figure is for: a figure stated for one of these does not answer a question about another.
SUBJECT_WORDS = frozenset(
    "校长 副校长 园长 班主任 教师 老师 乡村教师 特级教师 正高级教师 骨干教师 教研员 辅导员 少先队辅导员 督学 "
    "学生 幼儿 儿童 残疾学生 研究生 家长 教职工 "
    "幼儿园 小学 初中 高中 普通高中 中职 职业学校 高职 特殊教育学校 民办学校 公办学校 寄宿制学校 非寄宿制学校".split()
)

# Everyday words → the words policy documents use. Both directions are added at query time.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "老师": ("教师",),
    "孩子": ("学生", "幼儿", "儿童"),
    "家长": ("监护人", "家庭"),
    "小孩": ("学生", "幼儿", "儿童"),
    "娃": ("学生", "幼儿"),
    "上学": ("入学", "就读", "就学"),
    "入学": ("招生", "就读", "入园"),
    "入园": ("入学", "招生", "在园"),
    "读书": ("就读", "入学"),
    "钱": ("补助", "经费", "工资", "元", "标准", "费用"),
    "多拿": ("绩效", "补助", "奖励", "津贴"),
    "工资": ("绩效工资", "收入", "待遇"),
    "收入": ("工资", "待遇"),
    "待遇": ("工资", "收入"),
    "补贴": ("补助", "津贴"),
    "补助": ("补贴", "津贴"),
    "津贴": ("补贴", "补助"),
    "放学后": ("课后服务",),
    "托管": ("课后服务",),
    "看护": ("课后服务",),
    "幼儿园": ("学前教育", "在园幼儿", "幼儿"),
    "小学": ("义务教育", "普通小学"),
    "初中": ("义务教育", "普通初中"),
    "高中": ("普通高中", "高中阶段"),
    "职高": ("中等职业", "中职"),
    "中专": ("中等职业", "中职"),
    "作业": ("作业负担", "双减"),
    "补课": ("校外培训", "有偿补课"),
    "培训班": ("校外培训",),
    "近视": ("视力", "近视防控"),
    "眼睛": ("近视",),
    "心理": ("心理健康",),
    "运动": ("体育", "锻炼"),
    "锻炼": ("体育",),
    "评职称": ("职称评聘", "职称评审", "职称"),
    "职称": ("职称评聘",),
    "轮岗": ("交流轮岗", "交流"),
    "调动": ("交流轮岗", "交流"),
    "生病": ("重大疾病", "疾病"),
    "看病": ("保健", "疾病"),
    "谁负责": ("牵头单位", "责任单位"),
    "负责": ("牵头单位", "责任单位"),
    "哪个部门": ("牵头单位", "责任单位"),
    "牵头": ("牵头单位",),
    "学位": ("学位", "入学"),
    "名额": ("学位", "比例"),
    "残疾": ("特殊教育", "残疾学生"),
    "午饭": ("营养餐", "就餐"),
    "电脑": ("信息化", "智能化终端"),
    "网络": ("信息化", "宽带"),
    "学费": ("收费", "保教费"),
    "班主任": ("班主任",),
    "学习": ("培训", "研修"),
    "考核": ("考核", "考评"),
    "校长": ("校长", "校园长"),
    "退休": ("荣退",),
    "退下来": ("荣退",),
    "讲台": ("一线", "任课"),
    "上课": ("任课", "一线", "课时"),
    "教书": ("任教", "教学", "任职"),
    "念书": ("就读",),
    "打官司": ("法律援助",),
    "官司": ("法律援助",),
    "受伤": ("意外伤害",),
    "摔伤": ("意外伤害",),
    "磕伤": ("意外伤害",),
    "大病": ("重大疾病",),
    "帮扶": ("扶助", "互助金", "帮扶"),
    "公立": ("公办",),
    "私立": ("民办",),
    "伙食": ("食堂", "营养餐", "陪餐"),
    "一起吃饭": ("陪餐",),
    "吃饭": ("营养餐", "食堂", "就餐", "陪餐"),
    "奖金": ("奖励", "奖项", "资金"),
    "出钱": ("财政", "资金", "保障", "经费", "费用", "交纳"),
    "交钱": ("费用", "收费", "交纳"),
    "自费": ("费用", "交纳"),
    "评": ("评选", "评聘", "评审"),
    "中级": ("中、初级职称", "职称"),
    "本校": ("学校", "任职学校"),
    "上面": ("管理权限",),
    "拼音": ("小学化",),
    "算术": ("小学化",),
    "提前": ("小学化", "衔接"),
    "公务员": ("公务员",),
    "机关": ("公务员",),
    "缺老师": ("结构性矛盾", "缺编"),
    "课上不全": ("课程开设不齐",),
    "比赛": ("竞赛", "运动会", "赛事"),
    "运动会": ("运动会",),
    "估算": ("预判", "基数"),
    "分学校": ("划片", "就近入学"),
    "家住": ("划片", "就近入学"),
    "找上门": ("资助政策找人",),
    "上门": ("家访", "找人"),
    "多长时间": ("学时", "小时"),
    "进修": ("培训", "继续教育", "学时"),
    "小区": ("居住区",),
    "配建": ("配套",),
    "全校": ("学校",),
    "全校性": ("学校",),
    "几回": ("一次",),
}

_PUNCT = re.compile(r"^[\W_]+$")


class Lexicon:
    """jieba tokenizer (its own instance, with domain words) over simplified text."""

    def __init__(self, extra_words: tuple[str, ...] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        for w in (*DOMAIN_WORDS, *extra_words):
            self._jieba.add_word(w, freq=20000)

    def nouns(self, text: str) -> set[str]:
        """Words jieba's tagger reads as nouns (n*, vn): what a question is about, as opposed to how it asks."""
        import jieba.posseg

        if not hasattr(self, "_pos"):
            self._pos = jieba.posseg.POSTokenizer(tokenizer=self._jieba)
        return {
            w.word
            for w in self._pos.lcut(to_simplified(text))
            if (w.flag.startswith("n") and w.flag not in ("nr", "nrt")) or w.flag == "vn"
        }

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens (long words and their parts) of the simplified text, without stop words."""
        simple = to_simplified(text).lower()
        out = []
        for tok in self._jieba.lcut_for_search(simple):
            tok = tok.strip()
            if tok and tok not in STOP and not _PUNCT.match(tok):
                out.append(tok)
        return out

    def words(self, text: str) -> list[str]:
        """Whole words of the simplified text (precise mode), each once, without stop words."""
        out: list[str] = []
        for tok in self._jieba.lcut(to_simplified(text).lower()):
            tok = tok.strip()
            if tok and tok not in STOP and not _PUNCT.match(tok) and tok not in out:
                out.append(tok)
        return out

    def query_terms(self, text: str) -> list[str]:
        """Tokens of a question, each once, in order."""
        seen: list[str] = []
        for tok in self.tokens(text):
            if tok not in seen:
                seen.append(tok)
        return seen

    @staticmethod
    def expand(terms: list[str]) -> list[str]:
        out = list(terms)
        for t in terms:
            for syn in SYNONYMS.get(t, ()):
                if syn not in out:
                    out.append(syn)
        return out


def place_names() -> frozenset[str]:
    """Words jieba's dictionary tags as place names (ns): tells a real region ("海淀区") from "教育强县"."""
    names: set[str] = set()
    with open(jieba.get_dict_file().name, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "ns":
                names.add(parts[0])
    return frozenset(names)
