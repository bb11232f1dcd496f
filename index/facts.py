"""Document facts read from a document's own header and signature lines: title, issuing bodies, 文号, dates,
region, addressees, attachments. Every value keeps the line it came from, so `index inspect` can show where.

The header is everything before the first clause (发文机关标志 "XX局文件", 文号, title, 主送); the signature is
the run of issuing bodies right above a date line, or on the date's own line ("交通运输部 2020年2月12日"), wherever
it stands (an annex may follow it). The body gives the date in force ("自2024年1月1日起施行", or the phrase itself
when it names no date: "自印发之日起施行") and the period of validity ("有效期5年", "暂执行至2020年6月30日止"), both
only from a sentence about the document itself ("本办法…", "以上措施…"), never from one about a measure or another
document. A 文号 in the opening text counts only when it stands apart: "（京政办发〔2020〕7号）" after a cited title
is another document's number.
"""

from __future__ import annotations

import re

from index.models import DocFacts, Fact
from index.regions import Gazetteer
from index.text import to_simplified

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d{1,4}\s*[号號]")
DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# A date written in Chinese numerals, as under a signature: 二〇二三年十二月五日.
_CN_DIGIT = "〇零一二三四五六七八九○Ｏ"
DATE_CN_NUM = re.compile(
    rf"([{_CN_DIGIT}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,2}})\s*月\s*([一二三四五六七八九十]{{1,3}})\s*日"
)
_DATE_LINE = re.compile(rf"\s*(?:{DATE_CN.pattern}|{DATE_CN_NUM.pattern})\s*")
# "国家卫生健康委 2020年2月15日 （信息公开形式：主动公开）": a flattened signature keeps its disclosure note.
_SIGNED_DATE = re.compile(
    rf"(\S.{{1,80}}?)\s*(?:{DATE_CN.pattern}|{DATE_CN_NUM.pattern})\s*"
    r"(?:[（(]\s*(?:信息公开形式|公开方式|公開方式|此件)[^()（）]{0,12}[)）])?\s*"
)
EFFECTIVE = re.compile(
    r"((?:自|从|從)\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|"
    r"(?:印发|印發|发布|發布|公布|颁布|頒布|下发|下發|发文|發文)之日|即日|今日)"
    r"\s*起?\s*(?:正式|暂|暫|开始|開始)?\s*(?:施行|执行|執行|实施|實施|生效|试行|試行))"
)
# What a sentence about the document itself opens with: "本办法", "以上措施", "此通知", after an optional clause
# number ("第八条", "五、"). A bare "自印发之日起施行。" is such a sentence too.
_SELF_SUBJECT = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+条|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])?"
    r"\s*(?P<subject>(?:本|此|以上|上述)[^，,。；;\s]{0,14})?"
)
# The period of validity in such a sentence. A value stops at a comma or an opening bracket (the exceptions that
# follow are another sentence's business).
VALIDITY = re.compile(
    r"((?:有效期限|有效期|试行期限|試行期限|试行期|試行期|执行期限|執行期限|实施期限|實施期限)"
    r"\s*(?:为|為|是|至|到)?[^，,。；;（(]{1,40}"
    r"|(?:暂|暫)?(?:执行|執行|实施|實施|施行)(?:至|到)[^，,。；;（(]{1,30}"
    r"|(?:待|至)[^，,。；;（(]{1,30}(?:自行|自动|自動)(?:废止|廢止|失效))"
)
_SENTENCE_SPLIT = re.compile(r"[^。；;！？!?\n]+")
ORG_SUFFIX = (
    r"(?:办公室|辦公室|办公厅|辦公廳|人民政府|政府|委员会|委員會|教育局|教育厅|教育廳|教育委员会|教委|党委|黨委|党工委|"
    r"市委|区委|區委|县委|縣委|州委|省委|管委会|管委會|办事处|辦事處|局|厅|廳|"
    # Ministries, commissions, 总署, 国务院, 扶贫办, 指挥部, 领导小组: bodies that sign national and emergency
    # documents. "干部" and "全部" end in 部 without naming a body.
    r"委|(?<![干全内外])部|署|院|办|辦|中心|小组|小組|工作组|监管组|专班|银行|銀行|分行|监会|監會|联合会|聯合會|"
    r"协会|協會|工会|工會|红十字会|紅十字會)"
)
_ORG_END = re.compile(rf"{ORG_SUFFIX}$")
_ORG_START = re.compile(r"^(中共|国家|國家|国务院|國務院|[\u4e00-\u9fff]{2,4}?(?:省|市|自治区))")
# Anonymised documents write a place as XX / ×× / ＸＸ; those letters count as part of the name.
_ORG_NAME = re.compile(rf"(?:中共)?[\u4e00-\u9fffA-ZＡ-Ｚ×]{{2,30}}?{ORG_SUFFIX}")
# "XX市教育局文件" / "XX市教育局 XX市财政局文件": the issuing-body mark at the head of an official document.
_ISSUER_MARK = re.compile(r"^(.{2,60}?)\s*文\s*件$")
# "关于印发《X》的通知", and a body's own "XX委印发《X》的通知": the document is X. A headline that ends at 》
# ("生态环境部印发《X》") is news about X, and keeps its own wording.
TITLE_NOTICE = re.compile(
    r"(?:关于|關於)(?:印发|转发|印發|轉發)[《<](.+?)(?:[》>]|$)"
    r"|(?:印发|转发|印發|轉發)[《<](.+?)[》>]的?(?:通知|通告|公告|函)$"
)
# "…的通知（黔发改服务〔2020〕111号）": a title that carries its own 文号 at its end.
_TITLE_NUMBER = re.compile(rf"[（(]\s*({DOC_NUMBER.pattern})\s*[)）]\s*$")
# What may follow a title's document type: its number or period in brackets (（第6号）, (2023—2025年)) or 第N号.
TITLE_TAIL = re.compile(r"(?:\s*(?:[（(〔\[][^（）()〔〕\[\]]*[)）〕\]]|第[\d一二三四五六七八九十百〇零]+号))+$")
# Document types a title ends with (simplified and traditional); a header line naming one is the title.
DOC_TYPE = re.compile(
    r"(通知|办法|辦法|规定|規定|意见|意見|方案|细则|細則|规划|規劃|决定|決定|条例|條例|规则|規則|纲要|綱要|要点|要點|"
    r"计划|計劃|指南|指引|公告|通告|批复|批覆|函|制度|标准|標準|章程|措施|决议|決議)"
)
REGION = re.compile(
    r"((?:[\u4e00-\u9fff]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,4}?(?:市|州|盟))?[\u4e00-\u9fff]{2,3}?(?:区|县|旗|區|縣))"
    r"|([\u4e00-\u9fff]{2,4}?(?:市|州))"
)
# Words that end like a region but are not one ("城区", "校区", "学区" …).
NOT_REGION = re.compile(r"(城区|校区|学区|园区|社区|片区|辖区|地区|区域|高新区|开发区|实验区|示范区|经济圈)$")


def _cn_number(text: str) -> int:
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)
    return int("".join(str(digits[c]) for c in text))


def iso_date(text: str) -> str | None:
    m = DATE_CN.search(text) or DATE_ISO.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = DATE_CN_NUM.search(text)
        if not m:
            return None
        y, mo, d = (_cn_number(g) for g in m.groups())
    if not (1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_date_line(text: str) -> bool:
    """A line that is one date and nothing else (the date under a signature), or the signature with its date on one
    line ("财政部 生态环境部 2020年2月20日")."""
    if iso_date(text) is None:
        return False
    return bool(_DATE_LINE.fullmatch(text)) or bool(signers(text))


def signers(line: str) -> list[str]:
    """The issuing bodies that sign a date on the same line: '国务院扶贫办 财政部 2020年2月17日' → both. A body
    wrapped across a space ("四川省应对新型冠状病毒 肺炎疫情应急指挥部") is read joined."""
    m = _SIGNED_DATE.fullmatch(line.strip())
    if not m:
        return []
    names = m.group(1).strip()
    if is_org_name(names):
        return [i for part in org_parts(names) for i in split_issuers(part)]
    joined = re.sub(r"\s+", "", names)
    return split_issuers(joined) if is_org_name(joined) else []


def is_org_name(text: str) -> bool:
    """A line that names one issuing body (or several separated by spaces) and nothing else."""
    parts = org_parts(text)
    # "关于表彰青山区教育局" is the first line of a wrapped title, not a body.
    return (
        bool(parts)
        and len(text) <= 60
        and all(_ORG_NAME.fullmatch(p) and not DOC_TYPE.search(p) and not re.search("关于|關於", p) for p in parts)
    )


def org_parts(text: str) -> list[str]:
    """The space-separated bodies of a line; one body when a space breaks a name that is not two names
    ("泰州市海陵区应对新型冠状病毒感染 肺炎疫情工作领导小组", wrapped where a PDF put a line break)."""
    parts = text.split()
    if len(parts) > 1 and not all(_ORG_NAME.fullmatch(p) for p in parts) and _ORG_NAME.fullmatch("".join(parts)):
        return ["".join(parts)]
    return parts


def split_issuers(text: str) -> list[str]:
    """'中共重庆市荣昌区委办公室重庆市荣昌区人民政府办公室' → the two offices; spaces also separate. A national
    agency's local office ('国家税务总局深圳市税务局', '国家外汇管理局江苏省分局') is one body, not two."""
    out: list[str] = []
    for part in org_parts(text):
        start = 0
        for p in range(2, len(part) - 1):
            head = part[start:p]
            # "…区委" + "办公室重庆市…": a suffix that goes on ("委" → "委办公室") is no place to cut.
            goes_on = any(_ORG_END.search(part[start : p + k]) for k in (1, 2, 3) if p + k <= len(part))
            if _ORG_END.search(head) and _ORG_START.match(part[p:]) and not goes_on and not _is_branch(head, part[p:]):
                out.append(head)
                start = p
        out.append(part[start:])
    return [o for o in out if o]


def _is_branch(head: str, rest: str) -> bool:
    return bool(re.match(r"^(国家|國家).*(总局|總局)$", head)) or bool(
        re.match(r"^[\u4e00-\u9fff]{2,8}?(分局|分行|支行|分署|分会|分會)", rest)
    )


def title_issuers(text: str) -> list[str]:
    """The issuing bodies written before 关于 in a title line ('市市场监管委印发关于…'), or none when that text is
    not bodies: a forwarded document's issuer ('转发XX厅关于…') is not this document's, and a sentence is not."""
    text = DOC_NUMBER.sub("", text).strip(" 　:：")
    if not text or re.match(r"^(转发|轉發)", text):
        return []
    text = re.sub(r"(联合|聯合)?(印发|印發|发布|發布|转发|轉發|出台|出臺|下发|下發)?\s*[《<]?$", "", text).strip()
    names = split_issuers(text)
    return names if names and all(is_org_name(n) for n in names) else []


def find_region(*texts: str) -> str | None:
    for text in texts:
        if not text:
            continue
        text = re.sub(r"^中共", "", text)
        for m in REGION.finditer(text):
            value = m.group(0)
            value = re.sub(r"^(关于|關於|印发|出台|出臺)", "", value)
            if value and not NOT_REGION.search(value) and len(value) >= 3:
                return value
    return None


def _line_of(text: str, start: int) -> str:
    """The line of a (multi-line) clause text that holds position `start`."""
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin : end if end >= 0 else len(text)].strip()


def _about_itself(prefix: str) -> bool:
    """Whether the words before a phrase make its sentence one about the document itself: nothing but a clause
    number, or a subject naming the document ("本办法", "以上政策措施"; not "本市", not "许可证")."""
    prefix = prefix.strip()
    m = _SELF_SUBJECT.fullmatch(prefix)
    if m and not m.group("subject"):
        return True
    # The subject may follow a heading run into the line ("四、其他 本意见自…") or a lead clause before a comma.
    for candidate in (prefix, re.split(r"[，,\s]+", prefix)[-1]):
        m = _SELF_SUBJECT.fullmatch(candidate)
        subject = m.group("subject") if m else None
        if subject and (DOC_TYPE.search(subject) or re.search("政策|文件|规范|規範|通报|通報", subject)):
            return True
    return False


def _sentences(text: str):
    for m in _SENTENCE_SPLIT.finditer(text):
        yield m.start(), m.group(0)


def find_effective(text: str) -> Fact | None:
    """'本办法自2024年1月1日起施行' → 2024-01-01; '以上措施自印发之日起实施' → the phrase. Only in a sentence
    about the document itself."""
    for start, sentence in _sentences(text):
        m = EFFECTIVE.search(sentence)
        if m and _about_itself(sentence[: m.start()]):
            value = iso_date(m.group(1)) or re.sub(r"\s+", "", m.group(1))
            return Fact(value, _line_of(text, start + m.start()))
    return None


def find_validity(text: str) -> Fact | None:
    """'有效期5年', '有效期至疫情解除', '暂执行至2020年6月30日止', '待…后自行废止': in the sentence that puts the
    document in force, or in one whose subject is the document; the words right before it must not name something
    else ('许可证有效期顺延' is about licences)."""
    for start, sentence in _sentences(text):
        effective = EFFECTIVE.search(sentence)
        if effective and not _about_itself(sentence[: effective.start()]):
            effective = None
        for m in VALIDITY.finditer(sentence):
            before = sentence[: m.start()]
            chunk = re.split(r"[，,]", before)[-1].strip()
            joined = effective is not None and (
                m.start() <= effective.end() or chunk in ("", "其余", "其馀", "并", "且")
            )
            if joined or _about_itself(before):
                value = re.sub(r"\s+", "", m.group(1)).rstrip("、")
                return Fact(value, _line_of(text, start + m.start()))
    return None


def own_doc_number(text: str) -> Fact | None:
    """The document's own 文号 in its opening text: one set apart by spaces or a line break. A number in brackets,
    or run into a sentence, belongs to a cited document ('根据《…》（京政办发〔2020〕7号）')."""
    for m in DOC_NUMBER.finditer(text):
        before = text[m.start() - 1] if m.start() > 0 else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if (before.isspace() or before in ":：") and not re.match(r"[）)》】\]”\u4e00-\u9fff]", after):
            return Fact(re.sub(r"\s+", "", m.group(0)), _line_of(text, m.start()))
    return None


# A line naming where a news item was first published ("来源：江西日报"); not an author's or editor's line.
_OUTLET = re.compile(r"^(来源|來源|信息来源|信息來源|文章来源|文章來源)\s*[:：]")


class FactCollector:
    """Collects facts from header lines (before the body) and signature lines (after it)."""

    def __init__(self) -> None:
        self.facts = DocFacts()
        self._printed: Fact | None = None  # the 印发 date, used as the issue date when no signature date exists
        self._open_quotes = 0  # 《 opened and not yet closed by the header lines read so far
        self._outlet: str | None = None  # a news item's "来源：江西日报" line

    def title_line(self, line: str, follows_title: bool = False) -> str:
        """One short header line: the issuing-body mark, an issuing body, the title or the rest of a wrapped one.
        Returns what the line was taken as (发文机关, 标题, 成文日期), for the parser's list of removed lines."""
        clean = re.sub(r"\.(docx?|pdf|txt|html?|md)$", "", line.strip(), flags=re.I)
        # Inside a cited title broken across lines ("转发了《国家卫生健康委" / "人力资源社会保障部" / "财政部关于…》")
        # a body's name is part of the quotation, not an issuer of this document.
        quoted = self._open_quotes > 0
        self._open_quotes = max(0, self._open_quotes + clean.count("《") - clean.count("》"))
        mark = _ISSUER_MARK.match(clean)
        if mark and is_org_name(mark.group(1)):
            for issuer in split_issuers(mark.group(1)):
                self.issuer(issuer, line.strip())
            return "发文机关"
        if self.facts.title is None and is_org_name(clean):
            # Issuing bodies printed above the title.
            for issuer in split_issuers(clean):
                self.issuer(issuer, line.strip())
            return "发文机关"
        if self.facts.title is None:
            number = _TITLE_NUMBER.search(clean)
            if number:
                self.facts.doc_number = self.facts.doc_number or Fact(re.sub(r"\s+", "", number.group(1)), line.strip())
                clean = clean[: number.start()].strip()
            inner = TITLE_NOTICE.search(clean)
            if inner:
                title = inner.group(1) or inner.group(2)
                # A scrape may cut the title inside its parenthesised years: drop the dangling part.
                if title.count("(") + title.count("（") > title.count(")") + title.count("）"):
                    title = re.sub(r"[(（][^()（）]*$", "", title)
                issuer_text = clean[: inner.start()].strip()
            else:
                m = re.search(r"关于|關於", clean)
                title = clean[m.start() :] if m and m.start() > 0 else clean
                issuer_text = clean[: m.start()].strip() if m and m.start() > 0 else ""
            self.facts.title = Fact(title.strip(), line.strip())
            for issuer in title_issuers(issuer_text):
                self.issuer(issuer, line.strip())
            return "标题"
        title = self.facts.title
        if (
            follows_title
            and not DOC_TYPE.search(TITLE_TAIL.sub("", title.value)[-4:])
            and DOC_TYPE.search(TITLE_TAIL.sub("", clean)[-4:])
        ):
            # A title wrapped onto a second header line ("XX区中小学教师" / "绩效工资管理办法"), also with its number
            # after the type ("四川省应对新型冠状病毒肺炎" / "疫情应急指挥部公告 （第6号）").
            self.facts.title = Fact(title.value + clean, title.where + "\n" + clean)
        elif is_org_name(clean) and not quoted:
            for issuer in split_issuers(clean):
                self.issuer(issuer, line.strip())
            return "发文机关"
        elif self.facts.date is None and re.fullmatch(r"[(（].*[)）]", clean) and iso_date(clean):
            # "（2023年12月5日区政府第20次常务会议审议通过）" under a regulation's title.
            self.date_line(clean)
            return "成文日期"
        return "标题"

    def issuer(self, name: str, where: str) -> None:
        if all(f.value != name for f in self.facts.issuers):
            self.facts.issuers.append(Fact(name, where))

    def date_line(self, line: str, kind: str = "date", where: str | None = None) -> bool:
        """A date read from `line`; `where` is the whole line when `line` is the value cut out of it."""
        value = iso_date(line)
        if not value:
            return False
        current = getattr(self.facts, kind)
        # A signature date (issue date) outranks a web page's publication or upload date.
        if current is None or (kind == "date" and is_date_line(line)):
            setattr(self.facts, kind, Fact(value, (where or line).strip()))
        if kind == "date":
            for name in signers(line):
                self.issuer(name, line.strip())
        return True

    def print_line(self, line: str) -> None:
        """'XX区教育局办公室　2023年5月6日印发': kept as the issue date only if no signature date is found."""
        value = iso_date(line)
        if value and self._printed is None:
            self._printed = Fact(value, line.strip())

    def doc_number(self, line: str) -> bool:
        m = DOC_NUMBER.search(line)
        if m and len(line.strip()) <= len(m.group(0)) + 4:
            self.facts.doc_number = self.facts.doc_number or Fact(re.sub(r"\s+", "", m.group(0)), line.strip())
            return True
        return False

    def attachment(self, name: str, where: str) -> None:
        self.facts.attachments.append(Fact(name.strip(), where.strip()))

    def scan_body(self, text: str) -> None:
        if self.facts.effective_date is None:
            self.facts.effective_date = find_effective(text)
        if self.facts.validity is None:
            self.facts.validity = find_validity(text)
        if self.facts.doc_number is None:
            self.facts.doc_number = own_doc_number(text[:200])

    def publish_info(self, line: str) -> None:
        """'发文单位:荣昌区教育委员会 发布地区:重庆市 发布日期:2023-03-22' style lines from policy portals."""
        for key, value in re.findall(r"(发文单位|发布地区|发布日期|发布机构|成文日期|时间|日期)\s*[:：]\s*(\S+)", line):
            if key in ("发布日期", "成文日期", "时间", "日期"):
                self.date_line(value, where=line)
            elif key == "发布地区" and self.facts.region is None:
                self.facts.region = Fact(value, line.strip())

    def source_line(self, line: str) -> None:
        """'来源：江西日报': the outlet that published a news item. It is the region's last resort: a report whose
        body says only 全省 or 我省 names its province nowhere else."""
        if self._outlet is None and _OUTLET.match(line.strip()):
            self._outlet = line.strip()

    def finish(self) -> DocFacts:
        f = self.facts
        if f.date is None and self._printed is not None:
            f.date = self._printed
        title = f.title.value if f.title else ""
        region = find_region(*(i.value for i in f.issuers), title)
        if region:
            where = next((i.where for i in f.issuers if region in re.sub(r"^中共", "", i.value)), None)
            f.region = Fact(region, where or (f.title.where if f.title else region))
        if f.region is None and self._outlet:
            places = Gazetteer.load().find(to_simplified(self._outlet))
            # The most specific place the outlet names (重庆荣昌网 → 荣昌区, not 重庆市): its parents come with it.
            inner = [p for p in places if not any(p.name in o.parents for o in places)]
            if inner:
                f.region = Fact(inner[0].name, self._outlet)
        return f
