"""A pasted paragraph holding several questions, answered part by part.

`split_questions(text)` cuts a paragraph into its questions; `combine(parts)` joins the answers of the parts into
one `Answer` whose text answers part by part ("1. <part>：<answer>"), with the [n] markers renumbered across parts
so that each points to the right clause, and a part the documents do not answer said to be absent, with its reason.

Where a paragraph is cut, in this order:
* at line breaks and at list markers: 1. 2. / 1、 / （1） / ① / 一是 二是 / 第一，第二，;
* after each question mark (？ ?) and full stop, and at a comma before 另外 / 此外 / 还有 / 再问一下;
* never at a comma otherwise: "孩子明年上小学，入学要准备啥材料" is one question.

What a piece becomes:
* a statement that asks nothing ("我是荣昌的老师。") is context: it is put before the next question. An
  announcement ("想问两个问题：") and thanks ("谢谢！") are dropped;
* an elliptical follow-up naming a new topic ("幼儿园呢？") is made standalone by the conversation condenser from
  the question before it ("小学入学有什么规定？幼儿园呢？" → "幼儿园入学有什么规定？");
* a follow-up without a subject of its own ("能多拿多少钱", "标准是多少", "由哪个部门负责") stays with the question
  before it, as one question: "当班主任一个月有补助吗？能多拿多少钱" is asked whole. Guessing which noun of the
  earlier part is its subject would put words in the user's mouth; asked whole, the question keeps them all. So
  does one that points back at it ("这项任务由哪个单位牵头？");
* a question naming no place is asked about the place an earlier question named (with a condenser that knows the
  indexed regions): a paragraph about 玉泉区 stays about 玉泉区.
A paragraph that holds one question comes back whole, exactly as written (stripped).
"""

from __future__ import annotations

import re

from assistant.conversation import Condenser, QuestionCondenser
from assistant.models import Answer, Citation
from assistant.numbers import quantities
from index.text import to_simplified, to_traditional

# A list marker: （1） and ① wherever they stand; 1. 1、 一是 第一， only at the start of a piece or after a sentence
# end or comma, so that "1.5万元", "2025." and "统一是" are no markers.
LIST_MARKER = re.compile(
    r"\s*(?:[（(]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])"
    r"|(?:^|(?<=[。；;？?！!，,：:\s]))\s*(?:\d{1,2}\s*[.、．)）](?!\d)|[一二三四五六七八九十][是、]|第[一二三四五六七八九十][，,、：:])"
)
# A question ends at its question mark; a statement at its full stop (then it is context for what follows).
QUESTION_END = re.compile(r"(?<=[？?。；;！!])")
# A new question opened mid-sentence: "班主任补助多少，另外绩效工资怎么分配".
# "还有没有名额" asks whether there is any left: that 还有 opens nothing.
OPENER_BREAK = re.compile(r"(?<=[，,])(?=\s*(?:另外|此外|还有(?!没有)|再问一下|顺便问一下|还想问|我还想问))")
OPENERS = re.compile(
    r"^(?:另外|此外|还有就是|还有(?!没有)|以及|再问一下|顺便问一下|我还想问|还想问|请问|问一下)[，,、：:\s]*"
)
ASKS = re.compile(
    r"[？?]|吗|呢|什么|多少|几[个年月天次所名项门岁点]|哪|谁|怎|如何|啥|咋|为什么|为何|是否|能否|可否|有没有|是不是|能不能"
    r"|可不可以|会不会|要不要|何时|多久|多长|多大|多高"
)
ANNOUNCEMENT = re.compile(
    r"^(?:[我想请问咨询一下下面以几个两三些如有点]|问题|事情|件事|方面|情况|关于|这些)*[：:，,。]?$"
)
# "我是聊城的老师，想问：" is context ("我是聊城的老师，") and an announcement.
ASKING_TAIL = re.compile(
    r"[，,]?(?:我)?(?:还)?(?:想|要)?(?:请问|问一下|问问|问|咨询一下|咨询)(?:一下)?(?:[几两三]个|以下|下面)?(?:问题)?[：:，,。]?$"
)
THANKS = re.compile(r"^(?:谢谢|多谢|感谢|麻烦了|麻烦您了|辛苦了|拜托了)[您你们大家了啊！!。.~～\s]*$")
# Question words, pronouns, particles and the aspect a follow-up asks about (标准, 材料, 部门): what is left of a
# piece once these are taken out is its own subject, if any.
FOLLOW_UP_WORDS = re.compile(
    "|".join(
        sorted(
            """请问 那么 那 这个 这些 这 它 其 他们 她们 我们 我 你们 您 能不能 可不可以 会不会 是不是 有没有 要不要
            能否 是否 可以 能 会 要 需要 应该 该 得 是 有 没有 多少钱 多少 几 什么时候 什么 啥 咋 怎么样 怎么 怎样 如何
            哪些 哪个 哪里 哪儿 哪 谁 何时 多久 多长时间 多长 为什么 吗 呢 吧 啊 呀 嘛 了 的 地 还 又 也 都 再 就 才
            多拿 能拿 拿 领 给 发 补 多 少 大概 一般 具体 一共 总共 每月 每年 一个月 一年 每个月 每次 标准 金额 钱 元 块
            时间 期限 条件 要求 流程 程序 手续 材料 资料 办法 规定 政策 怎么办 申请 办理 准备 提交 报名 开始 结束 负责
            牵头 部门 单位 比例 数量 额度 范围 对象 情况 包括 分别 各 一下 问 分配 发放 计算 认定 审批 核定 缴纳 交 收
            算 评 定 到账 生效 执行 实施 落实 截止 调整 享受 使用 用 由 牵头单位 责任单位 责任 目标 指标 年度 加 扣 分
            增加 提高 最多 最少 至少""".split(),
            key=len,
            reverse=True,
        )
    )
)
CJK = re.compile(r"[\u4e00-\u9fff]")
# "这项任务由哪个单位牵头" points back at the question before it.
POINTS_BACK = re.compile(r"^(?:这|该|其(?![他它])|此|那|它|上述|以上)")
NOT_STATED = "文件未明确规定"
# A paragraph is answered part by part; more parts than this is not a question but a load ("小学呢？" × 400 costs
# one retrieval each), so it is refused before any is answered.
MAX_PARTS = 8


class TooManyQuestions(ValueError):
    """A pasted paragraph holds more than MAX_PARTS questions."""

    def __init__(self) -> None:
        super().__init__(f"一次最多回答 {MAX_PARTS} 个问题，请把问题分开提问")


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for line in text.splitlines():
        for chunk in LIST_MARKER.split(line):
            for part in QUESTION_END.split(OPENER_BREAK.sub("\n", chunk)):
                pieces.extend(p.strip(" \t，,；;") for p in part.split("\n"))
    return [p for p in pieces if p]


def asks(piece: str) -> bool:
    """Whether a piece asks something (a question mark or a question word), as opposed to stating context."""
    return bool(ASKS.search(to_simplified(piece)))


def has_subject(piece: str) -> bool:
    """Whether a question names something of its own: "绩效工资怎么分配" does, "能多拿多少钱" and "标准是多少" do not."""
    rest = FOLLOW_UP_WORDS.sub("", OPENERS.sub("", to_simplified(piece)))
    return len(CJK.findall(rest)) >= 2


def _regions(text: str, condenser: QuestionCondenser) -> list[str]:
    """The places a question names, as the condenser knows them (the app's knows the indexed regions)."""
    terms = getattr(condenser, "terms", None)
    if terms is None:
        return []
    return [t.text for t in terms(to_simplified(text)) if t.kind == "region"]


def _follow_up(previous: str, body: str, condenser: QuestionCondenser) -> str | None:
    """The standalone form of an elliptical follow-up, or None. The rule-based condenser is trusted only where it
    swaps a school stage, persona, year or place ("幼儿园呢？"); "2024年公办在园幼儿占比呢？" names a new subject
    that it would tack onto the earlier question ("…毛入园率目标是多少，公办在园幼儿占比呢？"), so that one is
    asked on its own."""
    rewritten = condenser.condense([(previous, "")], body)
    if rewritten == body:
        return None
    if isinstance(condenser, Condenser):
        topic = to_simplified(condenser.topic(body) or "")
        for term in condenser.terms(topic, topic_mode=True):
            topic = topic.replace(term.text, "")
        if CJK.search(topic.replace("年", "")):
            return None
    return rewritten


def split_questions(text: str, *, condenser: QuestionCondenser | None = None) -> list[str]:
    """The separate questions of a pasted paragraph, each standalone; one question comes back whole (stripped).

    `condenser` rewrites an elliptical follow-up ("幼儿园呢？") from the question before it; by default the rule-based
    `Condenser` without place names. Pass the app's, which knows the indexed regions: then a question naming no place
    is asked about the place an earlier question of the paragraph named.
    """
    text = (text or "").strip()
    if not text:
        return []
    condenser = condenser or Condenser()
    questions: list[str] = []
    context = ""
    for piece in _pieces(text):
        if len(questions) > MAX_PARTS:
            raise TooManyQuestions()
        simple = to_simplified(piece)
        if THANKS.match(simple):
            continue
        if not asks(piece):
            tail = ASKING_TAIL.search(simple)
            piece = piece[: tail.start()] if tail else piece  # OpenCC keeps the length: cut the text as written
            if piece and not ANNOUNCEMENT.match(to_simplified(piece).replace(" ", "")):
                context += piece if piece.endswith(("。", "，", ",", "：", ":", "；")) else piece + "，"
            continue
        body = OPENERS.sub("", piece) or piece
        if questions and not context:
            previous = questions[-1]
            standalone = _follow_up(previous, body, condenser)
            if standalone is not None:
                questions.append(standalone)  # "幼儿园呢？" asked as the question before it, about 幼儿园
                continue
            if not has_subject(body) or POINTS_BACK.match(to_simplified(body)):
                questions[-1] = previous + ("" if previous.endswith(("？", "?", "，", ",")) else "，") + body
                continue
        if questions and not _regions(context + body, condenser):
            # "玉泉区要建几所示范校？示范校里实验班比例是多少？": the second question is about 玉泉区 too.
            named = [r for q in questions for r in _regions(q, condenser)]
            if named:
                body = named[-1] + body
        questions.append(context + body)
        context = ""
    if context and questions:
        questions[-1] += context.rstrip("，,")  # context after the last question still belongs to it
    if len(questions) > MAX_PARTS:
        raise TooManyQuestions()
    if len(questions) <= 1:
        return [text]
    return questions


# -- combining answers -----------------------------------------------------------------------------------------

MARKER = re.compile(r"\[(\d{1,3})\]")


def _script(text: str, script: str) -> str:
    return to_traditional(text) if script == "traditional" else to_simplified(text)


def renumber_markers(text: str, numbers: dict[int, int]) -> str:
    """[n] → [numbers[n]]. A marker with no citation of its part would point at another part's clause once
    renumbered, so it is dropped."""

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[{numbers[n]}]" if n in numbers else ""

    return MARKER.sub(repl, text)


def _label(part: str) -> str:
    """The part as the user asked it, to head its answer; a part that states a figure itself ("2025年…", "一个任期")
    is not echoed, so that every figure of an answer is one its cited clauses state (the guard's rule)."""
    label = part.strip().rstrip("？?。.！! ")
    return "" if quantities(label) else label


def combine(parts: list[tuple[str, Answer]], question: str = "") -> Answer:
    """One Answer for a paragraph of questions: "1. <part>：<answer>" per line, citations numbered across parts.

    A clause cited by several parts keeps one number (its used sentences merged). A refused part reads
    "文件未明确规定。<its reason and nearest clauses>" and adds its nearest clauses to the Answer's `nearest`.
    The Answer is refused only when every part is; its reason is "supported", "partly_supported", or (all refused)
    the reason of the first part. A single part comes back as it is.
    """
    if not parts:
        raise ValueError("no parts to combine")
    if len(parts) == 1:
        return parts[0][1]
    citations: list[Citation] = []
    numbers: dict[tuple[str, str, str], int] = {}
    nearest: list[Citation] = []
    lines: list[str] = []
    bodies: list[str] = []
    for i, (part, answer) in enumerate(parts, start=1):
        if answer.refused:
            why = answer.text.strip()
            stated = _script(NOT_STATED, answer.script)
            body = why if why.startswith(stated) else f"{stated}。{why}"
            for c in answer.nearest:
                if all((c.source, c.clause) != (n.source, n.clause) for n in nearest):
                    nearest.append(c)
        else:
            renumber: dict[int, int] = {}
            for c in answer.citations:
                key = (c.source, c.clause, c.text)
                if key not in numbers:
                    numbers[key] = len(citations) + 1
                    citations.append(Citation(numbers[key], c.source, c.title, c.clause, c.text, c.score, c.sentences))
                else:
                    # Cited again by a later part: one citation, with the sentences both parts used.
                    k = numbers[key] - 1
                    old = citations[k]
                    merged = old.sentences + tuple(s for s in c.sentences if s not in old.sentences)
                    citations[k] = Citation(
                        old.n, old.source, old.title, old.clause, old.text, max(old.score, c.score), merged
                    )
                renumber[c.n] = numbers[key]
            body = renumber_markers(answer.text, renumber)
        body = body.strip()
        if body in bodies:
            # Both parts are answered by the same sentences: say so rather than repeat them.
            body = _script(f"见第{bodies.index(body) + 1}问的回答。", answer.script)
        bodies.append(body)
        label = _label(part)
        lines.append(f"{i}. {label}：{body}" if label else f"{i}. {body}")
    answered = [a for _, a in parts if not a.refused]
    if len(answered) == len(parts):
        reason = "supported"
    elif answered:
        reason = "partly_supported"
    else:
        reason = parts[0][1].reason
    first = parts[0][1]
    return Answer(
        question=question or "\n".join(p for p, _ in parts),
        text="\n".join(lines),
        refused=not answered,
        citations=citations,
        nearest=nearest,
        reason=reason,
        latency_ms=sum(a.latency_ms for _, a in parts),
        script=first.script,
    )
