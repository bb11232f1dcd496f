"""Questions about a document itself — 文号, 发文机关, 印发/落款日期, 施行日期, 有效期 — answered from the facts the
parser read from its header, signature and closing clause, each cited to the line it came from.

Such questions name no clause content, so retrieval and the evidence judge cannot answer them (the 文号 line is
not a clause at all). `fact_asked` tells them apart from content questions that share their words ("什么时候报名",
"哪个部门负责课后服务"): a word that only ever means the document's metadata (文号, 发文机关, 施行日期) is enough;
a word that could be about anything ("什么时候发布", "有效期") counts only when the question is about the document
(这份通知, 《…》, a document noun as its subject). `DocFactAnswerer` answers from the candidate documents it is
given, or says which fact the document does not state.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from difflib import SequenceMatcher

from assistant.models import Answer, Citation
from index.facts import DOC_TYPE, find_validity
from index.models import Document, Fact
from index.text import detect_script, to_simplified, to_traditional

LABELS = {
    "doc_number": "文号",
    "issuers": "发文机关",
    "date": "印发日期",
    "effective_date": "施行日期",
    "validity": "有效期",
}
# A refusal's reason code (`Answer.reason`) and the reason it shows, as in the pipeline's REASONS.
MISSING = {f"no_{kind}": f"文件没有写明{label}" for kind, label in LABELS.items()}

_DOC_NOUN = (
    r"(?:文件|通知(?!书|单)|办法|方案|意见|细则|规定|规划|计划|决定|条例|公告|通告|政策|措施|指南|纲要|要点|批复)"
)
# The question is about a document: a quoted title, "这份通知", or a document noun as its subject ("办法是谁发的").
_DOC_SUBJECT = re.compile(
    rf"《[^》]{{2,}}》|(?:这|该|本|此|上述|那)(?:个|份|篇|项|则|一|道)?{_DOC_NOUN}"
    rf"|^[^，,。？?！!]{{0,40}}?{_DOC_NOUN}(?=的|是|由|于|在|哪|什么|何|从|自|有效|几|啥|还|管|，|,)"
)
_PUBLISH = r"(?:发布|公布|颁布|出台|下发|发出|发的|出的|印的|发文|印发)"
_START = r"(?:施行|生效|实施|执行|实行)"
_WHEN = r"(?:什么时候|啥时候|何时|哪天|哪一天|哪年|几月几[日号]|几号)"


def _attached(words: str) -> str:
    """Words said of the document noun itself ("办法的有效期", "通知还有效吗"), not of something it mentions
    ("通知规定许可证有效期…")."""
    return rf"(?:{_DOC_NOUN}|》)(?:是|的|还|将|会|要|从|自|在|于|到)*(?:{words})"


def _ending(words: str) -> str:
    """Words that end the question ("是哪个部门发布的？"), so they have no object of their own ("发布招生信息")."""
    return rf"(?:{words})(?=[的了吗呢？?，,。]|$)"


# (kind, words that only ever ask about the document, words that do only when the question is about a document).
_ASKS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "doc_number",
        re.compile(r"文号|发文字号|发文编号|文件编号|文件字号|几号文|第几号文"),
        re.compile(_attached(r"编号|字号|第几号")),
    ),
    (
        "issuers",
        re.compile(
            r"发文机关|发文单位|发文部门|印发单位|印发机关|印发部门|发布单位|发布机关|发布部门|落款单位|制发机关"
            r"|(?:哪|什么)(?:个|些|家)?(?:部门|单位|机关|机构)(?:联合)?(?:印发|发文)|谁(?:印发|发文)"
            rf"|(?:哪|什么)(?:个|些|家)?(?:部门|单位|机关|机构)的{_DOC_NOUN}"
        ),
        re.compile(
            _ending(rf"(?:哪|什么)(?:个|些|家)?(?:部门|单位|机关|机构)(?:联合)?{_PUBLISH}|谁{_PUBLISH}")
            + "|"
            + _attached("落款")
        ),
    ),
    (
        "validity",
        re.compile(r"有效期限|试行期|执行期限|实施期限"),
        re.compile(
            _attached(
                rf"有效期|管多久|管几年|管多长|有效(?:几|多少|多长|多久)|还有效|仍然有效|是否有效|过期"
                rf"|{_WHEN}?(?:失效|废止|到期|截止)|(?:执行|实施|施行|有效|用)?到(?:什么时候|何时|哪天|哪年|几)"
            )
        ),
    ),
    (
        "effective_date",
        re.compile(rf"(?:施行|生效)(?:日期|时间)|{_WHEN}(?:起|开始)?(?:施行|生效)|从{_WHEN}(?:起|开始)?(?:施行|生效)"),
        re.compile(_ending(rf"从?{_WHEN}(?:起|开始)?{_START}") + "|" + _attached(r"(?:实施|执行)日期")),
    ),
    (
        "date",
        re.compile(rf"(?:印发|发文|成文|落款|签发)的?(?:日期|时间)|{_WHEN}(?:印发|发文|签发)"),
        re.compile(
            _ending(rf"{_WHEN}(?:被)?{_PUBLISH}|是{_WHEN}的") + "|" + _attached(rf"(?:{_PUBLISH})?的?(?:日期|时间)")
        ),
    ),
)


def fact_asked(question_simplified: str) -> str | None:
    """Which document fact the question asks for ("doc_number", "issuers", "date", "effective_date",
    "validity"), or None for a question about the content of the clauses."""
    q = re.sub(r"\s+", "", question_simplified)
    about_document = bool(_DOC_SUBJECT.search(q))
    for kind, always, with_document in _ASKS:
        if always.search(q) or (about_document and with_document.search(q)):
            return kind
    return None


def _normalise(text: str) -> str:
    return re.sub(r"[\s《》〈〉“”\"'「」『』()（）【】\[\]、，,。.:：;；？?！!]+", "", to_simplified(text))


# What titles of one district share and so cannot tell apart: the place they start with, the 关于…的通知 wrapper.
_TITLE_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,4}?(?:市|州|盟))?(?:[\u4e00-\u9fff]{2,3}?(?:区|县|旗))?"
)


def title_match(question: str, records: Iterable) -> list[str]:
    """Sources of the documents whose title the question names, best first: the question (or the 《title》 it
    quotes) must share with the title, its place name and 关于…的通知 wrapper left out, a run of at least 6
    characters covering half of it ("课后服务管理办法" names "青山区中小学课后服务管理办法"; "管理办法" and
    "青山区中小学" name nothing)."""
    scored = [(size, size / len(core), source) for size, core, _, source in _title_runs(question, records)]
    return [source for _, _, source in sorted(scored, key=lambda s: (-s[0], -s[1], s[2]))]


# A title that ends in a document type (the parser's list), when the question names a document by its name.
_ENDS_IN_TYPE = re.compile(rf"(?:{DOC_TYPE.pattern})$")


def documents_named(question: str, records: Iterable) -> list[tuple[str, str]]:
    """(source, the words naming it) for each document the question names as a document, which it is then about.

    Like a place name, the words choose the document and need not be repeated by its clauses. A document is named by
    the end of its title with its document type ("按基础教育建设指导意见，…" names 关于进一步深化基础教育建设指导意见;
    "开展教师培训工作的通知里…" names 关于开展教师培训工作的通知), or by a 《quote》 of at least four fifths of its
    title (its words kept: a quote says what it quotes). A run from inside a title names an author or a topic, not
    the document ("国家卫生健康委" of the headline "民政部、国家卫生健康委联合印发通知"; "全市单位食堂疫情防控工作" of a
    通知 about it), so it scopes nothing."""
    plain = _normalise(question)
    found = []
    # Without a quote only a run that ends the title can name it: titles whose end the question lacks are skipped
    # before any matching, which keeps this cheap on every question of a large library.
    for size, core, ends, source in _title_runs(question, records, ending="《" not in question):
        run = core[-size:] if ends else ""
        wrapper = re.search(re.escape(run) + r"的?(?:通知|通告|公告)", plain) if run else None
        if (ends and _ENDS_IN_TYPE.search(core)) or wrapper:
            found.append((source, wrapper.group() if wrapper else run))
        elif "《" in question and size * 5 >= len(core) * 4:
            found.append((source, ""))
    return found


@functools.lru_cache(maxsize=100_000)
def _title_core(title: str) -> str:
    """The part of a title that tells it apart: its place name and 关于…的通知 wrapper left out. Cached: every question
    reads every title in scope."""
    core = re.sub(r"^关于(?:印发|转发)?|的?(?:通知|通告|公告)$", "", _normalise(title))
    return core[_TITLE_PLACE.match(core).end() :] or core


def _title_runs(question: str, records: Iterable, ending: bool = False) -> Iterator[tuple[int, str, bool, str]]:
    """(run length, title core, whether the run ends the core, source) for each title the question shares a run
    of at least 6 characters with, covering half of the core; the question's 《quotes》 are read instead of it.
    `ending`: only titles whose last six characters the question holds (a run of six that ends the title does)."""
    quoted = re.findall(r"《([^》]+)》", question)
    asked = [_normalise(q) for q in quoted] or [_normalise(question)]
    for record in records:
        core = _title_core(record.title)
        if ending and not any(core[-6:] in text for text in asked):
            continue
        best, ends = 0, False
        for text in asked:
            m = SequenceMatcher(None, text, core, autojunk=False).find_longest_match(0, len(text), 0, len(core))
            if m.size >= 6 and m.size * 2 >= len(core) and m.size > best:
                best, ends = m.size, m.b + m.size == len(core)
        if best:
            yield best, core, ends, record.source


def _cn_date(iso: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
    return f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日" if m else iso


class DocFactAnswerer:
    """Answers a question about a document's own facts from the first candidate document that states the fact."""

    def __init__(self, documents: Callable[[str], Document | None]) -> None:
        self.documents = documents

    def __call__(self, question: str, sources: Sequence[str]) -> Answer | None:
        """None when the question is not about a document fact or no candidate document can be loaded; otherwise
        the answer, or a refusal naming the fact the most relevant document does not state."""
        kind = fact_asked(to_simplified(question))
        if kind is None:
            return None
        docs = [d for d in (self.documents(s) for s in dict.fromkeys(sources)) if d is not None]
        if not docs:
            return None
        script = detect_script(question)
        first = docs[0]
        for doc in docs:
            found = _stated(doc, kind)
            if found:
                text, citations = _answer_text(doc, kind, found)
                if doc is not first:
                    # The most relevant document does not state it: say so before answering from another one.
                    text = f"《{first.title}》没有写明{LABELS[kind]}；" + text
                return Answer(question, _in_script(text, script), False, citations, reason="doc_fact", script=script)
        text = f"《{first.title}》没有写明{LABELS[kind]}，无法据此作答。"
        return Answer(
            question, _in_script(text, script), True, [], _nearest(first, kind), reason=f"no_{kind}", script=script
        )


def _stated(doc: Document, kind: str) -> list[Fact]:
    """The facts of that kind the document states (several for joint issuers)."""
    facts = doc.facts
    if kind == "issuers":
        return list(facts.issuers)
    if kind == "validity":
        # The parser stops reading clauses once it has the date in force, and a record stored without the field
        # loads without it: a validity sentence in a later clause is still the document's.
        found = getattr(facts, "validity", None) or next(
            filter(None, (find_validity(c.text) for c in doc.clauses)), None
        )
        return [found] if found else []
    if kind == "date" and facts.date and _date_source(doc, facts.date) is None:
        return []  # an upload date says nothing about when the document was issued
    fact = getattr(facts, kind)
    return [fact] if fact else []


# What a date is follows from the line it was read from: a signature or 印发 line dates the document itself, a web
# page's date is when the page published it, an upload date is neither (None).
_DATE_SOURCES: dict[str, tuple[str, str] | None] = {
    "fact:落款": ("成文日期", "落款"),
    "fact:成文日期": ("成文日期", "文件信息·成文日期"),
    "fact:印发": ("印发日期", "文件信息·印发日期"),
    "dated-source": ("发布日期", "文件信息·发布日期"),
    "publish-info": ("发布日期", "文件信息·发布日期"),
    "upload-header": None,
}


def _date_source(doc: Document, date: Fact) -> tuple[str, str] | None:
    """(what the date is, the clause label of its line), or None for an upload date."""
    label = _removed_as(doc, date.where)
    if label == "fact:日期":
        # A date alone on its line: under the signature when the issuers were read from one.
        signed = any(_removed_as(doc, i.where) == "fact:落款" for i in doc.facts.issuers)
        return ("成文日期", "落款" if signed else "文件信息·成文日期")
    return _DATE_SOURCES.get(label, ("成文日期", "文件信息·成文日期"))


def _answer_text(doc: Document, kind: str, found: list[Fact]) -> tuple[str, list[Citation]]:
    title = f"《{doc.title}》"
    citations = [_citation(1, doc, kind, found)]
    value = found[0].value
    if kind == "doc_number":
        return f"{title}的文号是{value}[1]。", citations
    if kind == "issuers":
        return f"{title}由{'、'.join(f.value for f in found)}印发[1]。", citations
    if kind == "date":
        what, _ = _date_source(doc, found[0]) or ("日期", "")
        return f"{title}的{what}是{_cn_date(value)}[1]。", citations
    if kind == "validity":
        return f"{title}{value}[1]。", citations
    # effective_date: a date, or the phrase itself ("自印发之日起施行"), which the document's date makes concrete.
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{title}自{_cn_date(value)}起施行[1]。", citations
    text = f"{title}{value}[1]"
    dated = _stated(doc, "date")
    if dated and re.search("印发|印發|发布|發布|公布|颁布|頒布|下发|下發|发文|發文", value):
        what, _ = _date_source(doc, dated[0]) or ("日期", "")
        citations.append(_citation(2, doc, "date", dated))
        text += f"，文件的{what}是{_cn_date(dated[0].value)}[2]"
    return text + "。", citations


def _citation(n: int, doc: Document, kind: str, found: list[Fact]) -> Citation:
    wheres = list(dict.fromkeys(f.where for f in found))
    return Citation(n, doc.source, doc.title, _clause_label(doc, kind, found[0]), "\n".join(wheres), 1.0)


def _clause_label(doc: Document, kind: str, fact: Fact) -> str:
    """Where the fact stands: 落款 or 标题 when the parser took its line as such, the clause path when the line is
    in a clause (the closing article that puts the document in force), else 文件信息·<fact>."""
    if kind == "date":
        return (_date_source(doc, fact) or ("", "文件信息·上传时间"))[1]
    label = _removed_as(doc, fact.where)
    if label in ("fact:落款", "fact:标题"):
        return label.removeprefix("fact:")
    first_line = fact.where.split("\n")[0].strip()
    for clause in doc.clauses:
        if first_line and first_line in clause.text:
            return clause.path
    return f"文件信息·{LABELS[kind]}"


def _removed_as(doc: Document, where: str) -> str:
    """The rule the parser removed a line under ("fact:落款", "dated-source" …), or "" for a line it kept."""
    first_line = where.split("\n")[0].strip()
    for entry in doc.clutter:
        m = re.match(r"\[([^\]]+)\]\s*(.*)$", entry, flags=re.S)
        if m and m.group(2).strip() == first_line:
            return m.group(1)
    return ""


def _nearest(doc: Document, kind: str) -> list[Citation]:
    """What a refusal shows instead: the date in force for a missing 有效期, the upload date for a missing 印发日期,
    else the document's title line."""
    if kind == "validity" and doc.facts.effective_date:
        return [_citation(1, doc, "effective_date", [doc.facts.effective_date])]
    if kind == "date" and doc.facts.date:
        return [_citation(1, doc, "date", [doc.facts.date])]
    if doc.facts.title:
        return [Citation(1, doc.source, doc.title, "标题", doc.facts.title.where, 1.0)]
    return []


def _in_script(text: str, script: str) -> str:
    return to_traditional(text) if script == "traditional" else text
