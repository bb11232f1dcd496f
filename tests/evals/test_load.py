"""The load script: how it judges a response, drives the Gradio queue like the browser, reads memory, and reports;
and one short run against a real server on loopback (integration)."""

from __future__ import annotations

import json
import os
import threading
import time

import httpx
import pytest

from evals.load import GradioSession, LoadReport, Tally, ask_once, rss_mib, run_load


def _chat_transport(stream_body: str, status: int = 200) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["stream"]:
            return httpx.Response(status, text=stream_body, headers={"content-type": "text/event-stream"})
        return httpx.Response(status, json={"choices": [{"message": {"content": "答"}}]} if status == 200 else {})

    return httpx.MockTransport(handler)


CLEAN_STREAM = 'data: {"choices": [{"delta": {"content": "答"}}]}\n\ndata: [DONE]\n\n'


@pytest.mark.parametrize(
    ("stream_body", "status", "turn", "expected"),
    [
        (CLEAN_STREAM, 200, 0, None),
        (CLEAN_STREAM, 200, 1, None),
        ('data: {"choices": []}\n\n', 200, 1, "stream did not end cleanly: ['{\"choices\": []}']"),
        ('data: {"error": {"message": "x"}}\n\ndata: [DONE]\n\n', 200, 1, "stream did not end cleanly"),
        ("", 500, 0, "HTTP 500: {}"),
    ],
)
def test_a_response_counts_as_an_error_unless_it_is_a_clean_completion(stream_body, status, turn, expected):
    with httpx.Client(transport=_chat_transport(stream_body, status), base_url="http://app") as http:
        error = ask_once(http, "班主任每月能多拿多少钱?", turn)
    if expected is None:
        assert error is None
    else:
        assert error is not None and error.startswith(expected)


CONFIG = {
    "components": [
        {"id": 1, "type": "state", "props": {}},
        {"id": 2, "type": "textbox", "props": {"elem_id": "staff-password"}},
        {"id": 3, "type": "button", "props": {"elem_id": "staff-login"}},
        {"id": 4, "type": "markdown", "props": {"elem_id": "login-status"}},
    ],
    "dependencies": [
        {"id": 0, "targets": [[2, "submit"]], "inputs": [2], "backend_fn": True},
        {"id": 1, "targets": [[3, "click"]], "inputs": [2, 1], "backend_fn": True},
    ],
}


def test_a_staff_event_is_found_by_elem_id_and_state_inputs_are_sent_as_null():
    joined = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/config":
            return httpx.Response(200, json=CONFIG)
        if request.url.path == "/gradio_api/queue/join":
            joined.append(json.loads(request.content))
            return httpx.Response(200, json={"event_id": "e1"})
        assert request.url.path == "/gradio_api/queue/data"
        assert request.url.params["session_hash"] == joined[0]["session_hash"]
        events = [
            {"msg": "estimation", "event_id": "e1"},
            {"msg": "process_completed", "event_id": "other", "success": True, "output": {"data": ["no"]}},
            {"msg": "process_completed", "event_id": "e1", "success": True, "output": {"data": [True, "已登录"]}},
        ]
        return httpx.Response(200, text="".join(f"data: {json.dumps(e)}\n\n" for e in events))

    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://app") as http:
        out = GradioSession(http).call("staff-login", "click", {"staff-password": "secret"})
    assert out == [True, "已登录"]
    assert joined[0]["fn_index"] == 1 and joined[0]["trigger_id"] == 3
    assert joined[0]["data"] == ["secret", None]


def test_server_memory_is_read_from_proc():
    now, peak = rss_mib(os.getpid())
    assert 10 < now <= peak


def test_the_report_names_requests_errors_latency_staff_and_memory():
    report = LoadReport(
        20,
        90.2,
        1500,
        [],
        410.0,
        980.4,
        2100.0,
        {"uploads": 9, "deletes": 9, "checks": 18},
        [],
        510,
        540,
        560,
        (5, 4, 3),
    )
    assert report.summary() == (
        "20 clients for 90 s: 1500 requests, 0 errors\n"
        "latency p50 410 ms, p95 980 ms, max 2100 ms\n"
        "staff: 9 uploads, 9 deletes, 18 API checks, 0 failures\n"
        "server RSS 510 MiB before, 540 MiB after (peak 560 MiB); load average 5.0 4.0 3.0"
    )


def test_the_tally_counts_from_many_threads():
    tally = Tally()
    threads = [threading.Thread(target=lambda: [tally.request(1.0, None) for _ in range(500)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tally.latencies_ms) == 4000 and tally.errors == []


@pytest.mark.integration
def test_a_short_run_against_a_real_server_on_loopback_has_no_errors():
    import socket

    import uvicorn

    from assistant.api import create_api_app
    from assistant.conversation import Condenser
    from assistant.models import Answer

    class Quick:
        def ask(self, question, sources=None):
            return Answer(question, "按照每班每月900元标准增加绩效工资总量。[1]", False)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_api_app(Quick(), Condenser()), port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        report = run_load(f"http://127.0.0.1:{port}", os.getpid(), None, clients=3, seconds=1.5, pause=0.1)
    finally:
        server.should_exit = True
        thread.join(10)
    assert report.errors == []
    assert report.requests > 3
    assert report.staff_errors == ["no staff password given: no uploads or deletes"]
    assert 0 < report.p50_ms <= report.p95_ms <= report.max_ms
