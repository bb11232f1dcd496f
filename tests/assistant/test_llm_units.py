"""The LLM backend's parts without a server: prompts, the statement cutter and stream guard, rank fusion, the
opinion parser, the bounded client, settings, and the extractive default left as it was."""

from __future__ import annotations

import shutil
import threading
import time
from types import SimpleNamespace

import pytest

from assistant.guard import Statements, StreamGuard, normalise_markers
from assistant.llm import ChatClient, LLMError, number_clauses
from assistant.llm_stages import OVERRIDABLE, LLMStages, parse_opinion
from assistant.models import Answer, Hit
from assistant.pipeline import REASONS, build_assistant
from assistant.prompts import PROMPTS_DIR, VARIABLES, PromptError, PromptLibrary
from assistant.rewrite import fuse, one_line
from index.models import Chunk

CLAUSE = "按照生均每年80元标准落实课后服务经费,确保每课时不低于50元的补助。(牵头单位:区教委;责任单位:区财政局)"


# -- prompts -----------------------------------------------------------------------------------------------------


def test_every_prompt_loads_with_its_own_task_line():
    prompts = PromptLibrary()
    assert set(prompts.prompts) == set(VARIABLES)
    tasks = [prompts[n].task for n in VARIABLES if n != "system"]
    assert len(set(tasks)) == len(tasks)


def test_answer_prompt_numbers_clauses_and_asks_for_a_marker_after_every_fact():
    text = PromptLibrary().render("answer", clauses="[1]《通知》一、：条款", question="问题?")
    assert "[1]《通知》一、：条款" in text and "问题：问题?" in text
    assert "每一句陈述事实的话，句末都要写出它依据的条款编号" in text
    assert "不能写出条款中没有的事实" in text


def test_rendering_with_a_missing_or_unknown_variable_fails_loudly():
    prompts = PromptLibrary()
    with pytest.raises(PromptError, match="missing variable.*clauses"):
        prompts.render("answer", question="问题?")
    with pytest.raises(PromptError, match="not in the template.*history"):
        prompts.render("rewrite", question="问题?", history="")


def test_a_prompt_file_naming_a_wrong_variable_or_missing_fails_at_load(tmp_path):
    for f in PROMPTS_DIR.glob("*.zh.txt"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "rewrite.zh.txt").write_text("任务：改写。\n问题：{questoin}\n", encoding="utf-8")
    with pytest.raises(PromptError, match=r"rewrite.zh.txt: names \['questoin'\]"):
        PromptLibrary(tmp_path)
    (tmp_path / "rewrite.zh.txt").unlink()
    with pytest.raises(PromptError, match="rewrite.zh.txt is missing"):
        PromptLibrary(tmp_path)


def test_clauses_are_numbered_from_one_with_title_and_clause():
    chunk = _chunk("c1", CLAUSE, "关于课后服务的通知", "一、 1.")
    supports = [SimpleNamespace(hit=Hit(chunk, 1.0))]
    assert number_clauses(supports) == f"[1]《关于课后服务的通知》一、 1.：{CLAUSE}"


# -- statements and the stream guard --------------------------------------------------------------------------------


def test_statements_complete_only_once_something_follows_their_markers():
    cutter = Statements()
    out = []
    for ch in "每课时不低于50元[1]。1. 牵头单位是区教委【1、2】\n另有奖励":
        out += cutter.feed(ch)
    assert out == ["每课时不低于50元。[1]", "牵头单位是区教委[1][2]"]
    assert cutter.close() == ["另有奖励"]


def test_marker_spellings_become_bracket_markers():
    assert normalise_markers("甲【1】乙[1, 2]丙［3］丁[^4]") == "甲[1]乙[1][2]丙[3]丁[4]"


def test_stream_guard_keeps_supported_statements_renumbered_and_lists_the_rest():
    guard = StreamGuard({1: "班主任津贴每月900元。", 2: CLAUSE})
    assert guard("每课时不低于50元。[2]") == "每课时不低于50元。[1]"
    assert guard("每月另发300元。[2]") is None
    assert guard("由区人力社保局负责。[2]") is None
    assert guard("津贴每月900元。[1][2]") == "津贴每月900元。[2][1]"
    assert guard("另有奖励。[3]") is None
    assert guard("文件没有明确规定。") is None
    assert guard.order == [2, 1]
    assert guard.dropped == ["每月另发300元。[2]", "由区人力社保局负责。[2]", "另有奖励。[3]", "文件没有明确规定。"]


# -- rewriting, opinions ------------------------------------------------------------------------------------------


def _chunk(cid: str, text: str, title: str = "t", path: str = "") -> Chunk:
    return Chunk(cid, "a.txt", title, path or cid, "", text, 0, len(text), "simplified", "clause", "")


def _hits(*ids: str) -> list[Hit]:
    return [Hit(_chunk(i, i), 1.0 - n / 10) for n, i in enumerate(ids)]


def test_fusion_ranks_by_reciprocal_rank_and_the_original_wins_ties():
    fused = fuse(_hits("a", "b", "c"), _hits("x", "b", "a"), k=4)
    # a: 1/61 + 1/63 > b: 2/62 > x: 1/61 > c: 1/63
    assert [h.chunk.id for h in fused] == ["a", "b", "x", "c"]
    assert fused[0].score == 1.0  # a keeps the Hit (and score) of the original query
    assert [h.chunk.id for h in fuse(_hits("a"), _hits("x"), k=2)] == ["a", "x"]


def test_a_rewrite_is_one_line_without_lead_in_or_quotes():
    assert one_line("改写后的检索语句：「义务教育阶段学生收费」\n说明：…", 120) == "义务教育阶段学生收费"
    assert one_line("\n\n", 120) is None
    assert one_line("很" * 200, 120) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"answering": [2, 1, 2]}', [2, 1]),
        ('好的。{"answering": [3]}', [3]),
        ('{"answering": [7, 1]}', [1]),  # a clause it was not given is no opinion
        ('{"answering": []}', []),
        ('{"answering": "1"}', None),
        ("第1条", None),
    ],
)
def test_answerability_opinion_is_read_strictly(text, expected):
    assert parse_opinion(text, given=3) == expected


def test_only_wording_refusals_can_be_overridden():
    assert {"absent_terms", "focus_absent"} == OVERRIDABLE
    assert {"unknown_region", "year_absent", "no_money", "no_department"} <= set(REASONS) - OVERRIDABLE


# -- the client, without a server -----------------------------------------------------------------------------------


class HangingOpenAI:
    """An `openai` client stand-in whose calls hang until released: no socket is opened."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self.create))

    def create(self, **kwargs):
        self.calls += 1
        self.release.wait(30)
        raise RuntimeError("released")


def test_a_hanging_call_times_out_within_bound_and_spends_the_budget():
    fake = HangingOpenAI()
    client = ChatClient("http://127.0.0.1:9/v1", "m", 0.3, client=fake)
    budget = client.budget()
    t0 = time.monotonic()
    with pytest.raises(LLMError) as failed:
        client.complete("系统", "问题", budget)
    assert time.monotonic() - t0 < 0.3 + 1.0
    assert failed.value.kind == "timeout" and budget.failure is failed.value
    with pytest.raises(LLMError):
        list(client.stream("系统", "问题", budget))  # no second call in the same question
    assert fake.calls == 1
    fake.release.set()


def test_no_base_url_means_no_llm_and_nothing_changes(tiny_index, monkeypatch):
    from assistant.conversation import Condenser
    from assistant.library import SharedAssistant

    monkeypatch.delenv("POLICY_LLM_BASE_URL", raising=False)
    settings, _store, _report, embedder = tiny_index(
        {"a.txt": "甲市教育局通知\n一、课后服务\n2024年起确保每课时不低于50元的补助。\n"}
    )
    assert ChatClient.from_settings(settings) is None and LLMStages.from_settings(settings) is None
    assistant = build_assistant(settings, embedder=embedder)
    assert assistant.llm is None
    assert type(SharedAssistant(assistant).condenser) is Condenser
    answer = assistant.ask("课后服务每课时补助多少钱?")
    assert answer.generator == "extractive" and answer.dropped == [] and answer.notice == ""
    items = list(assistant.ask_stream("课后服务每课时补助多少钱?"))
    assert isinstance(items[-1], Answer) and items[-1].text == answer.text == "".join(items[:-1])
    refused = list(assistant.ask_stream("2019年课后服务每课时补助多少钱?"))
    assert refused[-1].refused and "".join(refused[:-1]) == refused[-1].text


def test_the_key_comes_from_the_environment_and_is_never_shown(monkeypatch):
    from index.config import Settings

    monkeypatch.setenv("POLICY_LLM_API_KEY", "sk-unit-secret")
    settings = Settings(llm_base_url="http://127.0.0.1:11434/v1")
    assert settings.llm_api_key.get_secret_value() == "sk-unit-secret"
    assert "sk-unit-secret" not in repr(settings) and "sk-unit-secret" not in settings.model_dump_json()
    assert ChatClient.from_settings(settings).name == "llm:qwen2.5:7b-instruct"


def test_answer_json_says_which_generator_answered():
    d = Answer("q", "a[1]", False, generator="llm:m", dropped=["x[9]"], notice="").as_dict()
    assert (d["generator"], d["dropped"], d["notice"]) == ("llm:m", ["x[9]"], "")
    assert Answer("q", "a", True).as_dict()["generator"] == "extractive"


# -- evals ------------------------------------------------------------------------------------------------------------


def test_evals_generator_llm_says_when_no_llm_is_configured(monkeypatch, capsys):
    from evals.__main__ import main

    monkeypatch.delenv("POLICY_LLM_BASE_URL", raising=False)
    assert main(["run", "--generator", "llm", "--set", "seeds-dev", "--quiet"]) == 2
    assert "no LLM is configured" in capsys.readouterr().err


def test_evals_generator_llm_reaches_the_runner_when_configured(monkeypatch, tmp_path):
    from evals import report, runner
    from evals.__main__ import main

    seen = {}

    def fake_run(*args, **kwargs):
        seen.update(kwargs, settings=args[2])
        return {"meta": {"runtime_s": 0}}

    monkeypatch.setenv("POLICY_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setattr(runner, "run", fake_run)
    monkeypatch.setattr(report, "write_outputs", lambda results, out: {})
    monkeypatch.setattr(report, "stdout_table", lambda results: "")
    assert main(["run", "--generator", "llm", "--set", "seeds-dev", "--quiet", "--out", str(tmp_path)]) == 0
    assert seen["generator"] == "llm" and seen["settings"].llm_base_url == "http://127.0.0.1:11434/v1"


def test_evals_runner_refuses_llm_without_a_base_url():
    from evals.runner import run
    from index.config import Settings

    with pytest.raises(ValueError, match="POLICY_LLM_BASE_URL"):
        run(("seeds-dev",), ("hybrid",), Settings(llm_base_url=None), generator="llm", progress=False)


def test_the_chat_shows_a_notice_when_the_llm_fell_back():
    from assistant.render import Turn, render_message

    turn = Turn("问题?", "问题?")
    turn.answer = Answer("问题?", "每课时不低于50元。[1]", False, notice="大模型回答超时，以下为从条款中摘录的答案。")
    assert '<div class="turn-notice answer-notice">大模型回答超时，以下为从条款中摘录的答案。</div>' in render_message(
        turn, 0, False
    )
    turn.answer.notice = ""
    assert "answer-notice" not in render_message(turn, 0, False)


def test_a_reasoning_models_thinking_is_not_part_of_the_answer():
    cutter = Statements()
    out = cutter.feed("<think>用户问每月300元？") + cutter.feed("</think>每课时不低于50元。[1]")
    assert out == [] and cutter.close() == ["每课时不低于50元。[1]"]
    assert Statements().close() == []
