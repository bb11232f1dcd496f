"""The LLM backend against a stand-in server (tests/assistant/stand_in_llm.py): a real chat-completions HTTP server
on 127.0.0.1, plain and streamed, started by these tests. It stands in for an LLM: it checks the protocol, the
citation guard and the fallbacks, not a model's quality."""

from __future__ import annotations

import time

import pytest

from assistant.conversation import Condenser
from assistant.library import SharedAssistant
from assistant.llm import ChatClient
from assistant.llm_stages import OVERRIDABLE
from assistant.pipeline import build_assistant
from tests.assistant.stand_in_llm import Reply, StandInLLM, clauses_in
from tests.assistant.test_small_corpus import A, B  # the offline chain's corpus: both speak of one set of clauses
from tests.conftest import make_index

pytestmark = pytest.mark.integration

FEE = "课后服务每课时补助多少钱?"
FEE_CLAUSE = "1.课后服务经费。按照生均每年80元标准落实课后服务经费,确保每课时不低于50元的补助。"
TIME_CLAUSE = "2.服务时间。课后服务结束时间原则上不早于当地正常下班时间。"
TIMEOUT = 1.5
MARGIN = 1.5  # thread hand-off and the extractive answer, on a loaded 2-core machine


def echo(user: str) -> str:
    """A rewrite that adds nothing: the question as it was asked."""
    return user.rsplit("问题：", 1)[-1].strip()


def number_of(user: str, needle: str) -> int:
    return next(n for n, text in clauses_in(user).items() if needle in text)


def grounded(user: str) -> str:
    """The answer a good model gives: the time clause first, then the fee clause (so markers must be renumbered)."""
    return (
        f"课后服务结束时间原则上不早于当地正常下班时间[{number_of(user, '下班')}]。"
        f"确保每课时不低于50元的补助。[{number_of(user, '50元')}]"
    )


@pytest.fixture(scope="module")
def server():
    stand_in = StandInLLM().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    settings, _store, report, embedder = make_index(tmp_path_factory.mktemp("llm"), {"a.txt": A, "b.txt": B})
    assert report.added == ["a.txt", "b.txt"]
    return settings, embedder


@pytest.fixture(scope="module")
def offline(corpus):
    settings, embedder = corpus
    return build_assistant(settings, embedder=embedder)


@pytest.fixture(scope="module")
def assistant(corpus, server):
    settings, embedder = corpus
    configured = settings.model_copy(
        update={"llm_base_url": server.url, "llm_model": "stand-in", "llm_timeout": TIMEOUT}
    )
    return build_assistant(configured, embedder=embedder)


@pytest.fixture(autouse=True)
def _fresh(server):
    server.reset()


def test_grounded_answer_passes_with_markers_remapped_to_citations(assistant, server):
    server.reset(rewrite=Reply("课后服务补助标准"), answer=Reply(grounded))
    answer = assistant.ask(FEE)
    assert server.kinds() == ["rewrite", "answer"]
    assert answer.generator == "llm:stand-in"
    # The LLM's own numbers (the fee clause came first in its prompt) become citation numbers in order of use.
    assert number_of(server.seen[1].user, "50元") == 1
    assert answer.text == "课后服务结束时间原则上不早于当地正常下班时间。[1]确保每课时不低于50元的补助。[2]"
    assert [(c.n, c.clause, c.text) for c in answer.citations] == [
        (1, "一、 2.", TIME_CLAUSE),
        (2, "一、 1.", FEE_CLAUSE),
    ]
    assert answer.dropped == [] and answer.notice == ""
    assert answer.as_dict()["generator"] == "llm:stand-in"


def test_streamed_answer_gives_each_guarded_sentence_then_the_answer(assistant, server):
    server.reset(rewrite=Reply("课后服务补助标准"), answer=Reply(grounded, piece_chars=3))
    items = list(assistant.ask_stream(FEE))
    assert server.seen[-1].stream is True
    assert items[:-1] == ["课后服务结束时间原则上不早于当地正常下班时间。[1]", "确保每课时不低于50元的补助。[2]"]
    assert items[-1].text == "".join(items[:-1]) and items[-1].generator == "llm:stand-in"


def test_an_invented_figure_is_dropped(assistant, server):
    invent = Reply(
        lambda u: f"确保每课时不低于50元的补助。[{number_of(u, '50元')}]每月另发300元交通补贴。[{number_of(u, '50元')}]"
    )
    server.reset(rewrite=Reply("课后服务补助标准"), answer=invent)
    answer = assistant.ask(FEE)
    assert answer.generator == "llm:stand-in"
    assert answer.text == "确保每课时不低于50元的补助。[1]"
    assert answer.dropped == ["每月另发300元交通补贴。[1]"]
    assert answer.as_dict()["dropped"] == ["每月另发300元交通补贴。[1]"]


def test_a_marker_to_a_clause_not_given_is_dropped(assistant, server):
    server.reset(
        rewrite=Reply("课后服务补助标准"),
        answer=Reply(lambda u: f"确保每课时不低于50元的补助。[{number_of(u, '50元')}]另有交通补贴。[9]"),
    )
    answer = assistant.ask(FEE)
    assert answer.text == "确保每课时不低于50元的补助。[1]"
    assert answer.dropped == ["另有交通补贴。[9]"]
    assert [c.clause for c in answer.citations] == ["一、 1."]


def test_everything_dropped_falls_back_to_the_extractive_answer(assistant, offline, server):
    server.reset(rewrite=Reply("课后服务补助标准"), answer=Reply("每课时补助60元。[1]文件没有明确规定。"))
    answer = assistant.ask(FEE)
    expected = offline.ask(FEE)
    assert answer.generator == "extractive"
    assert answer.text == expected.text
    assert [c.clause for c in answer.citations] == [c.clause for c in expected.citations]
    assert answer.dropped == ["每课时补助60元。[1]", "文件没有明确规定。"]
    assert answer.notice == "大模型回答所写的句子都没有通过引用核对，以下为从条款中摘录的答案。"


def test_a_timeout_falls_back_within_bound(assistant, offline, server):
    server.reset(rewrite=Reply("课后服务补助标准"), answer=Reply(grounded, delay=TIMEOUT + 5))
    t0 = time.monotonic()
    answer = assistant.ask(FEE)
    elapsed = time.monotonic() - t0
    assert elapsed < TIMEOUT + MARGIN
    assert answer.generator == "extractive" and answer.text == offline.ask(FEE).text
    assert "超时" in answer.notice


def test_a_hung_server_costs_one_timeout_for_the_whole_question(assistant, server):
    # The rewrite already takes the whole budget: the answer is not asked at all.
    server.reset(rewrite=Reply("课后服务补助标准", delay=TIMEOUT + 5), answer=Reply(grounded))
    t0 = time.monotonic()
    answer = assistant.ask(FEE)
    assert time.monotonic() - t0 < TIMEOUT + MARGIN
    assert server.kinds() == ["rewrite"]
    assert "超时" in answer.notice and not answer.refused


def test_a_streamed_timeout_falls_back_within_bound(assistant, offline, server):
    server.reset(rewrite=Reply("课后服务补助标准"), answer=Reply(grounded, delay=TIMEOUT + 5))
    t0 = time.monotonic()
    items = list(assistant.ask_stream(FEE))
    assert time.monotonic() - t0 < TIMEOUT + MARGIN
    assert items[-1].generator == "extractive" and "超时" in items[-1].notice
    assert "".join(items[:-1]) == offline.ask(FEE).text


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(body="this is not a completion"), "返回的内容无法读取"),
        (Reply(body='{"id": "x", "choices": "nope"}'), "返回的内容无法读取"),
        (Reply(status=429), "请求过多（HTTP 429）"),
        (Reply(status=503), "服务出错（HTTP 503）"),
        (Reply(""), "返回为空"),
    ],
    ids=["garbage", "not-a-completion", "429", "503", "empty"],
)
def test_garbage_429_5xx_and_empty_fall_back(assistant, offline, server, reply, said):
    server.reset(rewrite=Reply("课后服务补助标准"), answer=reply)
    answer = assistant.ask(FEE)
    assert answer.generator == "extractive"
    assert answer.text == offline.ask(FEE).text
    assert answer.notice == f"大模型回答{said}，以下为从条款中摘录的答案。"


def test_a_stream_cut_mid_way_falls_back_after_a_notice(assistant, offline, server):
    # Cut after the first sentence and a piece of the second: the first was already given out.
    server.reset(rewrite=Reply("课后服务补助标准"), answer=Reply(grounded, piece_chars=4, cut_after=8))
    items = list(assistant.ask_stream(FEE))
    answer = items[-1]
    expected = offline.ask(FEE).text
    assert items[0] == "课后服务结束时间原则上不早于当地正常下班时间。[1]"
    assert items[1] == f"\n\n{answer.notice}\n\n"
    assert "".join(items[2:-1]) == expected
    assert answer.generator == "extractive" and answer.text == expected
    assert answer.notice == "大模型回答输出中途中断，以下为从条款中摘录的答案。"


def test_a_stream_of_garbage_falls_back(assistant, offline, server):
    server.reset(rewrite=Reply("课后服务补助标准"), answer=Reply(body="data: {not json\n\n"))
    items = list(assistant.ask_stream(FEE))
    assert items[-1].generator == "extractive" and items[-1].notice
    assert "".join(items[:-1]) == offline.ask(FEE).text


def test_query_rewriting_is_retrieved_and_fused(assistant, server, monkeypatch):
    asked: list[str] = []
    real = assistant.retriever.retrieve

    def spy(text, k, sources=None):
        asked.append(text)
        return real(text, k, sources)

    monkeypatch.setattr(assistant.retriever, "retrieve", spy)
    server.reset(rewrite=Reply("改写后的检索语句：课后服务结束时间"), answer=Reply(grounded))
    assistant.ask("看护服务几点收尾?")
    assert server.seen[0].kind == "rewrite" and "看护服务几点收尾?" in server.seen[0].user
    assert asked == ["看护服务几点收尾?", "课后服务结束时间"]  # the lead-in the model added is gone


def test_follow_ups_are_condensed_by_the_llm_and_by_rules_when_it_fails(assistant, server):
    shared = SharedAssistant(assistant)
    history = [("班主任津贴每月多少钱?", "按照每班每月900元标准增加绩效工资总量。[1]")]
    server.reset(condense=Reply("课后服务每课时补助多少钱?"))
    assert shared.condense(history, "那课后服务呢?") == "课后服务每课时补助多少钱?"
    assert server.kinds() == ["condense"]
    assert "班主任津贴每月多少钱?" in server.seen[0].user and "那课后服务呢?" in server.seen[0].user
    server.reset(condense=Reply(status=500))
    assert shared.condense(history, "那校长呢?") == Condenser().condense(history, "那校长呢?")  # the rules' answer
    server.reset()
    assert shared.condense([], "班主任津贴每月多少钱?") == "班主任津贴每月多少钱?"
    assert server.kinds() == []  # a first question is not sent


def test_second_opinion_turns_a_wording_refusal_into_an_answer(assistant, offline, server):
    question = "看护服务的收尾时刻怎么定?"
    assert offline.ask(question).reason in OVERRIDABLE  # "收尾" and "时刻" are no document's words
    server.reset(
        rewrite=Reply(echo),  # no rewrite: the judge sees the same clauses as offline
        answerability=Reply(lambda u: f'{{"answering": [{number_of(u, "下班")}]}}'),
        answer=Reply("课后服务结束时间原则上不早于当地正常下班时间。[1]"),
    )
    answer = assistant.ask(question)
    assert server.kinds() == ["rewrite", "answerability", "answer"]
    assert not answer.refused and answer.reason == "second_opinion"
    assert [c.clause for c in answer.citations] == ["一、 2."]


def test_second_opinion_saying_none_keeps_the_refusal(assistant, offline, server):
    server.reset(rewrite=Reply(echo), answerability=Reply('{"answering": []}'), answer=Reply(grounded))
    answer = assistant.ask("看护服务的收尾时刻怎么定?")
    assert server.kinds() == ["rewrite", "answerability"]
    assert answer.refused and answer.reason == offline.ask("看护服务的收尾时刻怎么定?").reason


@pytest.mark.parametrize(
    ("question", "reasons"),
    [
        ("广州市课后服务每课时补助多少钱?", {"unknown_region"}),
        ("2019年课后服务每课时补助多少钱?", {"year_absent"}),  # a.txt is dated 2024
        # No clause states an amount (or a time): a wording refusal may come first, but the figure check still refuses.
        ("托管收费多少钱?", {"no_money", "focus_absent", "absent_terms"}),
        ("延时服务几点结束?", {"no_number", "absent_terms"}),
    ],
)
def test_a_wrong_answerability_opinion_cannot_override_a_factual_refusal(assistant, offline, server, question, reasons):
    server.reset(answerability=Reply('{"answering": [1, 2, 3]}'), answer=Reply(grounded), rewrite=Reply(echo))
    answer = assistant.ask(question)
    assert answer.refused and answer.reason == offline.ask(question).reason
    assert answer.reason in reasons
    assert "answer" not in server.kinds() and "answerability" not in server.kinds()


def test_the_key_is_sent_as_a_bearer_token_and_never_logged(server, monkeypatch, caplog):
    from index.config import Settings

    monkeypatch.setenv("POLICY_LLM_API_KEY", "sk-stand-in-secret")
    monkeypatch.setenv("POLICY_LLM_BASE_URL", server.url)
    settings = Settings()
    client = ChatClient.from_settings(settings)
    server.reset(rewrite=Reply("课后服务"), answer=Reply(status=503))
    with caplog.at_level("DEBUG"):
        assert client.complete("系统", "任务：把问题改写成政策文件的用语。\n问题：x") == "课后服务"
        with pytest.raises(Exception, match="status"):
            client.complete("系统", "任务：根据下面编号的条款回答问题。")
    assert server.seen[0].authorization == "Bearer sk-stand-in-secret"
    assert "sk-stand-in-secret" not in caplog.text
    assert "sk-stand-in-secret" not in repr(settings) and "sk-stand-in-secret" not in str(settings.model_dump())


def test_the_api_says_which_generator_answered_plain_and_streamed(assistant, server):
    import json

    from fastapi.testclient import TestClient

    from assistant.api import create_api_app

    shared = SharedAssistant(assistant)
    client = TestClient(create_api_app(shared, shared))
    body = {"model": "policy-rag", "messages": [{"role": "user", "content": FEE}]}
    server.reset(rewrite=Reply(echo), answer=Reply(grounded))
    plain = client.post("/v1/chat/completions", json=body).json()
    assert (plain["generator"], plain["dropped"], plain["notice"]) == ("llm:stand-in", [], "")
    server.reset(rewrite=Reply(echo), answer=Reply(status=429))
    streamed = client.post("/v1/chat/completions", json={**body, "stream": True})
    events = [json.loads(line[6:]) for line in streamed.text.splitlines() if line.startswith("data: {")]
    assert events[-1]["generator"] == "extractive"
    assert events[-1]["notice"] == "大模型回答请求过多（HTTP 429），以下为从条款中摘录的答案。"
