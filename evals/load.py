"""Load test: N concurrent API clients against the running app for a bounded time, with staff uploads and deletes.

    python -m evals.load --serve [--clients 20] [--seconds 90]          # starts app.py on a free loopback port
    python -m evals.load --url http://127.0.0.1:7860 --pid PID --password …   # an app that is already running

Each client asks gold questions through `POST /v1/chat/completions` in a loop (every other request streamed, every
third a follow-up with an earlier turn). Meanwhile one staff session logs in and uploads a small new document,
checks through the API that it can be asked about (`sources` naming it answers 200), deletes it and checks that it
is gone (400 `unknown_source`), again and again. Staff actions go through the same Gradio queue protocol the
browser uses (`/gradio_api/upload`, `/gradio_api/queue/join`, `/gradio_api/queue/data`): the events are private
to the page, so `gradio_client` cannot call them, and the events are found by their components' `elem_id`.

The report: requests and errors, latency p50/p95/max, uploads and deletes done and failed, and the server's resident
memory (VmRSS) before and after, with its peak (VmHWM). `--serve` copies the seeds into a temporary documents
folder and uses a temporary data folder, so the repository's data/ is never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from evals.bench import percentile

ROOT = Path(__file__).resolve().parent.parent
FOLLOW_UPS = ("那幼儿园呢?", "那校长呢?", "那2024年呢?")
NEW_DOC = """{name}教育局关于压力测试第{n}号的通知
一、总则
1.测试津贴。{name}对参加压力测试的教师每人每月发放{money}元测试津贴。
2.实施时间。本通知自印发之日起施行。
"""


def rss_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB: its resident memory now and at its peak."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


@dataclass
class Tally:
    """What the clients and the staff session saw; appended from many threads under one lock."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    staff: dict[str, int] = field(default_factory=lambda: {"uploads": 0, "deletes": 0, "checks": 0})
    staff_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            if error:
                self.errors.append(error)

    def staff_done(self, kind: str, error: str | None = None) -> None:
        with self.lock:
            if error:
                self.staff_errors.append(f"{kind}: {error}")
            else:
                self.staff[kind] += 1


@dataclass(frozen=True)
class LoadReport:
    clients: int
    seconds: float
    requests: int
    errors: list[str]
    p50_ms: float
    p95_ms: float
    max_ms: float
    staff: dict[str, int]
    staff_errors: list[str]
    rss_before_mib: float
    rss_after_mib: float
    rss_peak_mib: float
    load_avg: tuple[float, float, float]

    def summary(self) -> str:
        lines = [
            f"{self.clients} clients for {self.seconds:.0f} s: {self.requests} requests, {len(self.errors)} errors",
            f"latency p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, max {self.max_ms:.0f} ms",
            f"staff: {self.staff['uploads']} uploads, {self.staff['deletes']} deletes, {self.staff['checks']} API "
            f"checks, {len(self.staff_errors)} failures",
            f"server RSS {self.rss_before_mib:.0f} MiB before, {self.rss_after_mib:.0f} MiB after "
            f"(peak {self.rss_peak_mib:.0f} MiB); load average {' '.join(f'{x:.1f}' for x in self.load_avg)}",
        ]
        lines += [f"  error: {e}" for e in (self.errors + self.staff_errors)[:10]]
        return "\n".join(lines)


def ask_once(http: httpx.Client, question: str, turn: int) -> str | None:
    """One chat completion; None when it succeeded, else what went wrong."""
    messages = [{"role": "user", "content": question}]
    if turn % 3 == 2:
        messages += [{"role": "assistant", "content": "…"}, {"role": "user", "content": FOLLOW_UPS[turn % 7 % 3]}]
    body = {"model": "policy-rag", "messages": messages, "stream": turn % 2 == 1}
    if not body["stream"]:
        r = http.post("/v1/chat/completions", json=body)
        if r.status_code != 200:
            return f"HTTP {r.status_code}: {r.text[:120]}"
        return None if "choices" in r.json() else "no choices in the response"
    with http.stream("POST", "/v1/chat/completions", json=body) as r:
        if r.status_code != 200:
            return f"HTTP {r.status_code} (stream): {r.read()[:120]!r}"
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    if not events or events[-1] != "[DONE]" or any('"error"' in e[:12] for e in events):
        return f"stream did not end cleanly: {events[-2:]!r}"
    return None


def client_loop(url: str, questions: list[str], deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=120) as http:
        turn = seed
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                error = ask_once(http, rng.choice(questions), turn)
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            tally.request((time.perf_counter() - t0) * 1000, error)
            turn += 1


class GradioSession:
    """One browser-like session on the app's Gradio queue: events are called by their trigger's elem_id, inputs
    given by elem_id; `gr.State` inputs are sent as null, so the server uses this session's state (the staff flag)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.session = uuid.uuid4().hex[:11]
        config = http.get("/config").raise_for_status().json()
        self.components = {c["id"]: c for c in config["components"]}
        self.by_elem = {c["props"].get("elem_id"): c["id"] for c in config["components"] if c["props"].get("elem_id")}
        self.events = config["dependencies"]

    def call(self, trigger: str, event: str, values: dict[str, object]) -> list:
        trigger_id = self.by_elem[trigger]
        fn_index, dep = next(
            (i, d)
            for i, d in enumerate(self.events)
            if [trigger_id, event] in [list(t) for t in d["targets"]] and d.get("backend_fn", True)
        )
        data = []
        for cid in dep["inputs"]:
            comp = self.components[cid]
            data.append(None if comp["type"] == "state" else values.get(comp["props"].get("elem_id")))
        body = {"data": data, "fn_index": dep.get("id", fn_index), "trigger_id": trigger_id}
        body |= {"session_hash": self.session, "event_data": None}
        event_id = self.http.post("/gradio_api/queue/join", json=body).raise_for_status().json()["event_id"]
        params = {"session_hash": self.session}
        with self.http.stream("GET", "/gradio_api/queue/data", params=params, timeout=300) as r:
            for line in r.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                    if not msg.get("success"):
                        raise RuntimeError(f"{trigger} failed: {msg.get('output')}")
                    return msg["output"]["data"]
        raise RuntimeError(f"{trigger}: the queue stream ended without a result")

    def upload_file(self, path: Path) -> dict:
        with path.open("rb") as f:
            r = self.http.post("/gradio_api/upload", files={"files": (path.name, f, "text/plain")})
        stored = r.raise_for_status().json()[0]
        return {"path": stored, "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def staff_loop(url: str, password: str, deadline: float, tally: Tally, pause: float) -> None:
    """Log in, then upload a new document, check it is askable, delete it, check it is gone; until the deadline."""
    with httpx.Client(base_url=url, timeout=300) as http, tempfile.TemporaryDirectory() as tmp:
        try:
            ui = GradioSession(http)
            status = ui.call("staff-login", "click", {"staff-password": password})
            if "已登录" not in _text(status):
                raise RuntimeError(f"login refused: {_text(status)[:120]}")
        except Exception as exc:  # noqa: BLE001 - the run goes on without staff actions, and says so
            tally.staff_done("login", f"{type(exc).__name__}: {exc}")
            return
        n = 0
        while time.monotonic() < deadline - pause:
            n += 1
            name = f"load_{os.getpid()}_{n}.txt"
            path = Path(tmp) / name
            path.write_text(NEW_DOC.format(name="测试市", n=n, money=100 + n), encoding="utf-8")
            try:
                out = ui.call("upload", "click", {"upload-file": ui.upload_file(path)})
                if "上传成功" not in _text(out[0]):
                    raise RuntimeError(_text(out[0])[:160])
                tally.staff_done("uploads")
                _check_askable(http, name, True, tally)
                time.sleep(pause)
                out = ui.call("delete", "click", {"delete-pick": name, "delete-confirm": True})
                if "已删除" not in _text(out[0]):
                    raise RuntimeError(_text(out[0])[:160])
                tally.staff_done("deletes")
                _check_askable(http, name, False, tally)
            except Exception as exc:  # noqa: BLE001 - one failed round is counted; the next one starts fresh
                tally.staff_done("round", f"{type(exc).__name__}: {exc}")
            time.sleep(pause)


def _check_askable(http: httpx.Client, name: str, present: bool, tally: Tally) -> None:
    body = {"messages": [{"role": "user", "content": "测试津贴每月多少元?"}], "sources": [name]}
    r = http.post("/v1/chat/completions", json=body)
    ok = r.status_code == 200 if present else r.status_code == 400 and "unknown_source" in r.text
    tally.staff_done("checks", None if ok else f"{name} present={present}: HTTP {r.status_code} {r.text[:100]}")


def run_load(url: str, pid: int, password: str | None, clients: int, seconds: float, pause: float) -> LoadReport:
    questions = [json.loads(line)["question"] for line in (ROOT / "evals" / "gold.jsonl").read_text().splitlines()]
    tally = Tally()
    with httpx.Client(base_url=url, timeout=120) as http:
        for q in questions[:3]:  # warm-up: lazily loaded dictionaries are not part of the measurement
            ask_once(http, q, 0)
    before, _ = rss_mib(pid)
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=client_loop, args=(url, questions, deadline, tally, i)) for i in range(clients)]
    if password:
        threads.append(threading.Thread(target=staff_loop, args=(url, password, deadline, tally, pause)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after, peak = rss_mib(pid)
    lat = tally.latencies_ms or [0.0]
    return LoadReport(
        clients,
        time.monotonic() - started,
        len(tally.latencies_ms),
        tally.errors,
        percentile(lat, 0.5),
        percentile(lat, 0.95),
        max(lat),
        tally.staff,
        tally.staff_errors if password else ["no staff password given: no uploads or deletes"],
        before,
        after,
        peak,
        os.getloadavg(),
    )


class ServedApp:
    """`python app.py` on a free loopback port over a copy of the seeds and a temporary data folder."""

    def __init__(self, docs: Path, tmp: Path, password: str, start_timeout: float = 600) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        shutil.copytree(docs, tmp / "docs")
        env = {**os.environ, "OMP_NUM_THREADS": "1", "POLICY_HOST": "127.0.0.1", "POLICY_PORT": str(self.port)}
        env |= {"POLICY_DOCS_DIR": str(tmp / "docs"), "POLICY_DATA_DIR": str(tmp / "data")}
        env["POLICY_STAFF_PASSWORD"] = password
        self.log = (tmp / "app.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        self.url = f"http://127.0.0.1:{self.port}"
        until = time.monotonic() + start_timeout
        while time.monotonic() < until:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}; see {tmp / 'app.log'}")
            try:
                if httpx.get(f"{self.url}/v1/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"app.py did not answer within {start_timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.load", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--serve", action="store_true", help="start app.py over a copy of --docs (temporary data)")
    where.add_argument("--url", help="a running app, e.g. http://127.0.0.1:7860 (give --pid for its memory)")
    parser.add_argument("--pid", type=int, help="the running app's process id (with --url)")
    parser.add_argument("--password", default=os.environ.get("POLICY_STAFF_PASSWORD"), help="staff password")
    parser.add_argument("--docs", default=str(ROOT / "seeds"), help="documents to serve (with --serve)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--staff-pause", type=float, default=3.0, help="seconds between staff actions")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        print("error: --clients must be at least 1 and --seconds positive", file=sys.stderr)
        return 2
    if args.url and not args.pid:
        print("error: --url needs --pid (the server's process id, for its memory)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="policy-load-") as tmp:
        app = None
        if args.serve:
            args.password = args.password or secrets.token_urlsafe(12)
            app = ServedApp(Path(args.docs), Path(tmp), args.password)
        try:
            url, pid = (app.url, app.proc.pid) if app else (args.url.rstrip("/"), args.pid)
            report = run_load(url, pid, args.password, args.clients, args.seconds, args.staff_pause)
        finally:
            if app:
                app.stop()
    print(report.summary())
    return 1 if report.errors or report.staff_errors else 0


if __name__ == "__main__":
    sys.exit(main())
