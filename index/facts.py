"""Document facts read from a document's own header and signature lines: title, issuing bodies, 文号, dates,
region, addressees, attachments. Every value keeps the line it came from, so `index inspect` can show where.

The header is everything before the first clause (发文机关标志 "XX局文件", 文号, title, 主送); the signature is
the run of issuing bodies right above a date line, wherever it stands (an annex may follow it). The body gives the
date in force ("自2024年1月1日起施行", or the phrase itself when it names no date: "自印发之日起施行").
"""

from __future__ import annotations

import re

from index.models import DocFacts, Fact

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d{1,4}\s*[号號]")
DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# A date written in Chinese numerals, as under a signature: 二〇二三年十二月五日.
_CN_DIGIT = "〇零一二三四五六七八九○Ｏ"
DATE_CN_NUM = re.compile(
    rf"([{_CN_DIGIT}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,2}})\s*月\s*([一二三四五六七八九十]{{1,3}})\s*日"
)
_DATE_LINE = re.compile(rf"\s*(?:{DATE_CN.pattern}|{DATE_CN_NUM.pattern})\s*")
EFFECTIVE = re.compile(
    r"((?:自|从|從)\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:印发|印發|发布|發布|公布|颁布|頒布|下发|下發)之日)"
    r"\s*起\s*(?:正式)?\s*(?:施行|执行|執行|实施|實施|生效))"
)
ORG_SUFFIX = (
    r"(?:办公室|辦公室|办公厅|辦公廳|人民政府|政府|委员会|委員會|教育局|教育厅|教育廳|教育委员会|教委|党委|黨委|党工委|"
    r"市委|区委|區委|县委|縣委|州委|省委|管委会|管委會|办事处|辦事處|局|厅|廳)"
)
_ORG_END = re.compile(rf"{ORG_SUFFIX}$")
_ORG_START = re.compile(r"^(中共|[\u4e00-\u9fff]{2,4}?(?:省|市|自治区))")
# Anonymised documents write a place as XX / ×× / ＸＸ; those letters count as part of the name.
_ORG_NAME = re.compile(rf"(?:中共)?[\u4e00-\u9fffA-ZＡ-Ｚ×]{{2,24}}?{ORG_SUFFIX}")
# "XX市教育局文件" / "XX市教育局 XX市财政局文件": the issuing-body mark at the head of an official document.
_ISSUER_MARK = re.compile(r"^(.{2,60}?)\s*文\s*件$")
TITLE_NOTICE = re.compile(r"关于(?:印发|转发|印發|轉發)[《<](.+?)(?:[》>]|$)")
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
    """A line that is one date and nothing else: the date under a signature."""
    return bool(_DATE_LINE.fullmatch(text)) and iso_date(text) is not None


def is_org_name(text: str) -> bool:
    """A line that names one issuing body (or several separated by spaces) and nothing else."""
    parts = text.split()
    # "关于表彰青山区教育局" is the first line of a wrapped title, not a body.
    return (
        bool(parts)
        and len(text) <= 60
        and all(_ORG_NAME.fullmatch(p) and not DOC_TYPE.search(p) and not re.search("关于|關於", p) for p in parts)
    )


def split_issuers(text: str) -> list[str]:
    """'中共重庆市荣昌区委办公室重庆市荣昌区人民政府办公室' → the two offices; spaces also separate."""
    out: list[str] = []
    for part in text.split():
        start = 0
        for p in range(2, len(part) - 1):
            if _ORG_END.search(part[start:p]) and _ORG_START.match(part[p:]):
                out.append(part[start:p])
                start = p
        out.append(part[start:])
    return [o for o in out if o]


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


class FactCollector:
    """Collects facts from header lines (before the body) and signature lines (after it)."""

    def __init__(self) -> None:
        self.facts = DocFacts()
        self._printed: Fact | None = None  # the 印发 date, used as the issue date when no signature date exists

    def title_line(self, line: str, follows_title: bool = False) -> str:
        """One short header line: the issuing-body mark, an issuing body, the title or the rest of a wrapped one.
        Returns what the line was taken as (发文机关, 标题, 成文日期), for the parser's list of removed lines."""
        clean = re.sub(r"\.(docx?|pdf|txt|html?|md)$", "", line.strip(), flags=re.I)
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
            inner = TITLE_NOTICE.search(clean)
            if inner:
                title = inner.group(1)
                # A scrape may cut the title inside its parenthesised years: drop the dangling part.
                if title.count("(") + title.count("（") > title.count(")") + title.count("）"):
                    title = re.sub(r"[(（][^()（）]*$", "", title)
                issuer_text = clean[: inner.start()].strip()
            else:
                m = re.search(r"关于|關於", clean)
                title = clean[m.start() :] if m and m.start() > 0 else clean
                issuer_text = clean[: m.start()].strip() if m and m.start() > 0 else ""
            self.facts.title = Fact(title.strip(), line.strip())
            for issuer in split_issuers(issuer_text):
                self.issuer(issuer, line.strip())
            return "标题"
        title = self.facts.title
        if follows_title and not DOC_TYPE.search(title.value[-4:]) and DOC_TYPE.search(clean[-4:]):
            # A title wrapped onto a second header line ("XX区中小学教师" / "绩效工资管理办法").
            self.facts.title = Fact(title.value + clean, title.where + "\n" + clean)
        elif is_org_name(clean):
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

    def date_line(self, line: str, kind: str = "date") -> bool:
        value = iso_date(line)
        if not value:
            return False
        current = getattr(self.facts, kind)
        # A signature date (issue date) outranks a web page's publication or upload date.
        if current is None or (kind == "date" and is_date_line(line)):
            setattr(self.facts, kind, Fact(value, line.strip()))
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
            m = EFFECTIVE.search(text)
            if m:
                value = iso_date(m.group(1)) or re.sub(r"\s+", "", m.group(1))
                self.facts.effective_date = Fact(value, _line_of(text, m.start()))
        if self.facts.doc_number is None:
            m = DOC_NUMBER.search(text[:200])
            if m:
                self.facts.doc_number = Fact(re.sub(r"\s+", "", m.group(0)), _line_of(text, m.start()))

    def publish_info(self, line: str) -> None:
        """'发文单位:荣昌区教育委员会 发布地区:重庆市 发布日期:2023-03-22' style lines from policy portals."""
        for key, value in re.findall(r"(发文单位|发布地区|发布日期|发布机构|成文日期|时间|日期)\s*[:：]\s*(\S+)", line):
            if key in ("发布日期", "成文日期", "时间", "日期"):
                self.date_line(value)
            elif key == "发布地区" and self.facts.region is None:
                self.facts.region = Fact(value, line.strip())

    def finish(self) -> DocFacts:
        f = self.facts
        if f.date is None and self._printed is not None:
            f.date = self._printed
        title = f.title.value if f.title else ""
        region = find_region(*(i.value for i in f.issuers), title)
        if region:
            where = next((i.where for i in f.issuers if region in re.sub(r"^中共", "", i.value)), None)
            f.region = Fact(region, where or (f.title.where if f.title else region))
        return f
