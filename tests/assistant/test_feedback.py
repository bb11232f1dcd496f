"""The SQLite feedback store: exact rows, validation, persistence and the JSONL export."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from assistant.feedback import Feedback, FeedbackStore

CITES = [
    {"n": 1, "source": "004.txt", "title": "关于新时代聊城教育高质量发展的意见", "clause": "二、 7.", "score": 0.8}
]
WHEN = datetime(2025, 3, 1, 8, 30, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "data" / "feedback.sqlite3")


def test_rows_are_stored_exactly(store):
    first = store.add("班主任每月能多拿多少钱?", "每班每月900元。[1]", CITES, 1, created=WHEN)
    second = store.add(
        "那校长呢?",
        "文件未明确规定。",
        [],
        -1,
        comment="  没有回答校长的问题  ",
        condensed="校长每月能多拿多少钱?",
        created=WHEN + timedelta(minutes=1),
    )
    assert first == Feedback(
        1, "2025-03-01T08:30:00+00:00", 1, "班主任每月能多拿多少钱?", "", "每班每月900元。[1]", CITES, ""
    )
    assert second.comment == "没有回答校长的问题"
    assert store.all() == [first, second]
    assert store.count() == 2


def test_timestamps_are_utc(store):
    beijing = datetime(2025, 3, 1, 16, 30, 0, tzinfo=timezone(timedelta(hours=8)))
    row = store.add("问", "答", [], 1, created=beijing)
    assert row.created == "2025-03-01T08:30:00+00:00"


def test_default_timestamp_is_now(store):
    before = datetime.now(UTC).replace(microsecond=0)
    row = store.add("问", "答", [], 1)
    assert before <= datetime.fromisoformat(row.created) <= datetime.now(UTC)


def test_a_comment_without_rating_is_allowed(store):
    row = store.add("问", "答", [], 0, comment="引用的条款不对")
    assert (row.rating, row.comment) == (0, "引用的条款不对")


@pytest.mark.parametrize(("rating", "comment"), [(2, ""), (-2, "x"), (0, ""), (0, "   ")])
def test_invalid_feedback_is_rejected(store, rating, comment):
    with pytest.raises(ValueError):
        store.add("问", "答", [], rating, comment=comment)
    assert store.count() == 0


def test_rows_survive_reopening(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).add("问", "答", CITES, -1, created=WHEN)
    rows = FeedbackStore(path).all()
    assert [(r.question, r.rating, r.citations) for r in rows] == [("问", -1, CITES)]


def test_citations_are_json_in_the_table(store):
    store.add("问", "答", CITES, 1, created=WHEN)
    with sqlite3.connect(store.path) as db:
        raw = db.execute("SELECT citations FROM feedback").fetchone()[0]
    assert json.loads(raw) == CITES
    assert "聊城" in raw  # stored readable, not \\u-escaped


def test_export_jsonl(store, tmp_path):
    store.add("班主任每月能多拿多少钱?", "每班每月900元。[1]", CITES, 1, created=WHEN)
    store.add(
        "那校长呢?", "文件未明确规定。", [], -1, comment="没答到", condensed="校长每月能多拿多少钱?", created=WHEN
    )
    out = tmp_path / "export" / "feedback.jsonl"
    assert store.export_jsonl(out) == 2
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "id": 1,
            "created": "2025-03-01T08:30:00+00:00",
            "rating": 1,
            "question": "班主任每月能多拿多少钱?",
            "condensed": "",
            "answer": "每班每月900元。[1]",
            "citations": CITES,
            "comment": "",
        },
        {
            "id": 2,
            "created": "2025-03-01T08:30:00+00:00",
            "rating": -1,
            "question": "那校长呢?",
            "condensed": "校长每月能多拿多少钱?",
            "answer": "文件未明确规定。",
            "citations": [],
            "comment": "没答到",
        },
    ]
    assert "班主任" in lines[0]


def test_export_of_an_empty_store_is_an_empty_file(store, tmp_path):
    out = tmp_path / "empty.jsonl"
    assert store.export_jsonl(out) == 0
    assert out.read_text(encoding="utf-8") == ""


def test_changing_a_vote_keeps_one_row_with_the_latest_rating(store):
    store.vote("conv:0", "问", "答", CITES, 1)
    store.vote("conv:0", "问", "答", CITES, -1)
    assert [(r.question, r.rating) for r in store.all()] == [("问", -1)]


def test_a_comment_written_after_voting_is_saved_and_survives_a_changed_vote(store):
    store.vote("conv:0", "问", "答", CITES, 1)
    assert store.comment("conv:0", "  引用准确  ")
    store.vote("conv:0", "问", "答", CITES, -1)
    assert [(r.rating, r.comment) for r in store.all()] == [(-1, "引用准确")]


def test_a_comment_without_a_vote_to_attach_to_is_not_saved(store):
    assert not store.comment("conv:9", "没有评价过")
    assert store.count() == 0


def test_votes_on_different_answers_are_different_rows(store):
    store.vote("conv:0", "第一问", "答", [], 1)
    store.vote("conv:1", "第二问", "答", [], -1)
    store.vote("other:0", "第一问", "答", [], -1)
    assert [(r.question, r.rating) for r in store.all()] == [("第一问", 1), ("第二问", -1), ("第一问", -1)]


def test_a_withdrawn_vote_removes_its_row_unless_it_holds_a_comment(store):
    store.vote("a:0", "问", "答", [], 1)
    store.vote("a:0", "问", "答", [], 0)
    store.vote("b:0", "问", "答", [], 1, comment="有用")
    store.vote("b:0", "问", "答", [], 0)
    assert [(r.rating, r.comment) for r in store.all()] == [(0, "有用")]


def test_a_table_made_before_votes_had_keys_gains_the_column(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    old_schema = (
        "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, "
        "rating INTEGER NOT NULL CHECK (rating IN (-1, 0, 1)), question TEXT NOT NULL, "
        "condensed TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL, citations TEXT NOT NULL DEFAULT '[]', "
        "comment TEXT NOT NULL DEFAULT '')"
    )
    with sqlite3.connect(path) as db:
        db.execute(old_schema)
        db.execute("INSERT INTO feedback (created, rating, question, answer) VALUES ('2025-01-01', 1, '旧', '答')")
    store = FeedbackStore(path)
    store.vote("conv:0", "新", "答", [], -1)
    store.vote("conv:0", "新", "答", [], 1)
    assert [(r.question, r.rating) for r in store.all()] == [("旧", 1), ("新", 1)]


def test_the_streamed_export_is_the_same_as_the_file_export(store, tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.feedback.EXPORT_PAGE", 2)  # several pages
    for i in range(5):
        store.add(f"问{i}", "答", CITES, 1, created=WHEN)
    out = tmp_path / "feedback.jsonl"
    store.export_jsonl(out)
    assert "".join(store.iter_jsonl()) == out.read_text(encoding="utf-8")
    assert len(list(store.iter_jsonl())) == 5
