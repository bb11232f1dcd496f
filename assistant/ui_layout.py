"""The web UI's components, laid out: the chat tab and the documents tab. No behaviour here; assistant/ui.py wires
the events. Element ids are what the style sheet (assistant/ui_style.py) and the browser tests refer to.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from assistant.render import ALL_DOCUMENTS, render_sources, render_tree

EXAMPLES = (
    ("教师", ("班主任每月能多拿多少钱?", "教师绩效工资怎么分配?", "乡村教师有哪些待遇保障?")),
    ("家长", ("小学入学有什么规定?", "课后服务怎么收费?", "校外培训机构怎么管理?")),
    (
        "工作人员",
        (
            "荣昌区2025年公办在园幼儿占比目标是多少?",
            "聊城市特殊教育学校教职工每月增加多少绩效工资?",
            "玉泉区怎样推进教育评价改革?",
        ),
    ),
)


@dataclass
class ChatTab:
    chatbot: object
    question: object
    ask: object
    scope: object
    show_condensed: object
    new_chat: object
    comment: object
    feedback_status: object
    examples: list
    sources: object


@dataclass
class DocumentsTab:
    table: object
    pick: object
    tree: object
    staff_box: object
    upload_file: object
    upload: object
    upload_status: object
    victim: object
    confirm: object
    delete: object
    export: object
    export_link: object
    password: object = None
    login: object = None
    login_status: object = None


def chat_tab() -> ChatTab:
    # On a phone the two columns stack; the style sheet then lays the chat column's parts and the sources column out
    # as one list, so the sources follow the answer instead of coming after the examples.
    with gr.Row(equal_height=False, elem_id="chat-row"):
        with gr.Column(scale=7, min_width=320, elem_id="chat-main"):
            chatbot = gr.Chatbot(
                height=330,
                elem_id="chatbot",
                show_label=False,
                sanitize_html=True,
                latex_delimiters=[],
                placeholder="在下面输入问题，或点一个示例问题。",
                buttons=["copy"],
            )
            with gr.Row(equal_height=True, elem_id="ask-row"):
                question = gr.Textbox(
                    placeholder="输入问题，如：班主任每月多拿多少钱？",
                    show_label=False,
                    scale=6,
                    min_width=160,
                    elem_id="question",
                )
                ask = gr.Button("提问", variant="primary", scale=1, min_width=64, elem_id="ask")
            with gr.Row(equal_height=True, elem_id="chat-controls"):
                scope = gr.Dropdown(
                    show_label=False,
                    info="检索范围",
                    choices=[("全部文件", ALL_DOCUMENTS)],
                    value=ALL_DOCUMENTS,
                    scale=3,
                    min_width=150,
                    elem_id="scope",
                    container=False,
                )
                show_condensed = gr.Checkbox(
                    label="显示改写后的问题", scale=2, min_width=150, elem_id="show-condensed", container=False
                )
                new_chat = gr.Button("新对话", scale=1, min_width=72, size="sm", elem_id="new-chat")
            with gr.Row(equal_height=True, elem_id="comment-row"):
                comment = gr.Textbox(
                    placeholder="对答案的意见（可选）：点赞/踩时一并提交，投票后写的按回车保存",
                    show_label=False,
                    scale=3,
                    elem_id="comment",
                    container=False,
                )
                feedback_status = gr.Markdown("", elem_id="feedback-status")
            examples = []
            with gr.Row(elem_id="examples"):
                for persona, questions in EXAMPLES:
                    with gr.Column(min_width=150, elem_classes="example-col"):
                        gr.Markdown(f"**{persona}常问**")
                        examples += [gr.Button(q, size="sm") for q in questions]
        with gr.Column(scale=5, min_width=320, elem_id="sources-col"):
            gr.Markdown("#### 引用条款", elem_id="sources-title")
            sources = gr.HTML(render_sources([]), elem_id="sources-panel", max_height=640)
    return ChatTab(chatbot, question, ask, scope, show_condensed, new_chat, comment, feedback_status, examples, sources)


def _staff_login() -> tuple:
    with gr.Row(equal_height=True):
        password = gr.Textbox(
            type="password",
            placeholder="工作人员密码",
            show_label=False,
            scale=3,
            elem_id="staff-password",
            container=False,
        )
        login = gr.Button("登录", scale=1, min_width=70, size="sm", elem_id="staff-login")
    return password, login, gr.Markdown("", elem_id="login-status")


def documents_tab(staff_enabled: bool) -> DocumentsTab:
    login_parts: tuple = (None, None, None)
    table = gr.Dataframe(
        headers=["标题", "地区", "日期", "条款数", "文件名"],
        interactive=False,
        elem_id="doc-table",
        max_height=250,
        column_widths=["46%", "12%", "12%", "8%", "22%"],
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=320):
            pick = gr.Dropdown(label="查看文件的条款树", choices=[], elem_id="doc-pick")
            with gr.Accordion("工作人员：上传、删除、导出反馈", open=True, elem_id="staff"):
                if staff_enabled:
                    login_parts = _staff_login()
                else:
                    gr.Markdown(
                        "文件管理未启用：没有设置环境变量 `POLICY_STAFF_PASSWORD`，本页只读（不能上传或删除）。",
                        elem_id="read-only",
                    )
                with gr.Column(visible=False) as staff_box:
                    upload_status = gr.Markdown("", elem_id="upload-status")
                    upload_file = gr.File(
                        label="上传新文件（.txt .md .docx .pdf .html）", elem_id="upload-file", height=120
                    )
                    upload = gr.Button("上传并索引", variant="primary", elem_id="upload")
                    with gr.Row(equal_height=True):
                        victim = gr.Dropdown(label="删除文件", choices=[], scale=3, elem_id="delete-pick")
                        confirm = gr.Checkbox(label="确认删除", scale=1, min_width=100, elem_id="delete-confirm")
                    delete = gr.Button("删除", variant="stop", elem_id="delete")
                    with gr.Row(equal_height=True):
                        export = gr.Button("导出反馈（JSONL）", elem_id="export-feedback")
                        export_link = gr.HTML("", visible=False, elem_id="feedback-link")
        with gr.Column(scale=8, min_width=320):
            tree = gr.HTML(render_tree(None), elem_id="doc-tree", max_height=400)
    return DocumentsTab(
        table,
        pick,
        tree,
        staff_box,
        upload_file,
        upload,
        upload_status,
        victim,
        confirm,
        delete,
        export,
        export_link,
        *login_parts,
    )
