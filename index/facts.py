"""Document facts read from a document's own header and signature lines: title, issuing bodies, 文号, dates,
region, addressees, attachments. Every value keeps the line it came from, so `index inspect` can show where."""

from __future__ import annotations

import re

from index.models import DocFacts, Fact

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d{1,4}\s*号")
DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
EFFECTIVE = re.compile(
    r"(自\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|印发之日|发布之日|公布之日)\s*起\s*(?:施行|执行|实施|生效))"
)
ORG_SUFFIX = r"(?:办公室|办公厅|人民政府|政府|委员会|教育局|教育厅|教育委员会|教委|党委|党工委|市委|区委|县委|州委|省委|管委会|局|厅)"
_ORG_END = re.compile(rf"{ORG_SUFFIX}$")
_ORG_START = re.compile(r"^(中共|[\u4e00-\u9fff]{2,4}?(?:省|市|自治区))")
TITLE_NOTICE = re.compile(r"关于(?:印发|转发|印發|轉發)[《<](.+?)(?:[》>]|$)")
REGION = re.compile(
    r"((?:[\u4e00-\u9fff]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,4}?(?:市|州|盟))?[\u4e00-\u9fff]{2,3}?(?:区|县|旗|區|縣))"
    r"|([\u4e00-\u9fff]{2,4}?(?:市|州))"
)
# Words that end like a region but are not one ("城区", "校区", "学区" …).
NOT_REGION = re.compile(r"(城区|校区|学区|园区|社区|片区|辖区|地区|区域|高新区|开发区|实验区|示范区|经济圈)$")


def iso_date(text: str) -> str | None:
    m = DATE_CN.search(text) or DATE_ISO.search(text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


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


class FactCollector:
    """Collects facts from header lines (before the body) and signature lines (after it)."""

    def __init__(self) -> None:
        self.facts = DocFacts()

    def title_line(self, line: str) -> None:
        clean = re.sub(r"\.(docx?|pdf|txt|html?)$", "", line.strip(), flags=re.I)
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
            self.facts.title = Fact(title.strip(), line)
            for issuer in split_issuers(issuer_text):
                self.issuer(issuer, line)
        elif not self.facts.issuers and re.fullmatch(rf"(中共)?[\u4e00-\u9fff]{{2,20}}{ORG_SUFFIX}", clean):
            self.issuer(clean, line)

    def issuer(self, name: str, where: str) -> None:
        if all(f.value != name for f in self.facts.issuers):
            self.facts.issuers.append(Fact(name, where))

    def date_line(self, line: str, kind: str = "date") -> bool:
        value = iso_date(line)
        if not value:
            return False
        current = getattr(self.facts, kind)
        # A signature date (issue date) outranks a web page's publication or upload date.
        if current is None or (kind == "date" and re.fullmatch(r"\s*\d{4}\s*年.*日\s*", line)):
            setattr(self.facts, kind, Fact(value, line.strip()))
        return True

    def doc_number(self, line: str) -> bool:
        m = DOC_NUMBER.search(line)
        if m and len(line.strip()) <= len(m.group(0)) + 4:
            self.facts.doc_number = self.facts.doc_number or Fact(re.sub(r"\s+", "", m.group(0)), line.strip())
            return True
        return False

    def scan_body(self, text: str) -> None:
        if self.facts.effective_date is None:
            m = EFFECTIVE.search(text)
            if m:
                value = iso_date(m.group(1)) or m.group(1)
                self.facts.effective_date = Fact(value, m.group(0))
        if self.facts.doc_number is None:
            m = DOC_NUMBER.search(text[:200])
            if m:
                self.facts.doc_number = Fact(re.sub(r"\s+", "", m.group(0)), m.group(0))

    def publish_info(self, line: str) -> None:
        """'发文单位:荣昌区教育委员会 发布地区:重庆市 发布日期:2023-03-22' style lines from policy portals."""
        for key, value in re.findall(r"(发文单位|发布地区|发布日期|发布机构)\s*[:：]\s*(\S+)", line):
            if key == "发布日期":
                self.date_line(value)
            elif key == "发布地区" and self.facts.region is None:
                self.facts.region = Fact(value, line.strip())

    def finish(self) -> DocFacts:
        f = self.facts
        title = f.title.value if f.title else ""
        region = find_region(*(i.value for i in f.issuers), title)
        if region:
            where = next((i.where for i in f.issuers if region in re.sub(r"^中共", "", i.value)), None)
            f.region = Fact(region, where or (f.title.where if f.title else region))
        return f
