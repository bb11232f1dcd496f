"""The web UI's look: the theme, the style sheet (desktop and phone widths) and the one script in the page head.

Kept apart from assistant/ui.py, which builds and wires the components these rules refer to by their element ids.
"""

import gradio as gr

CSS = """
.gradio-container { max-width: 1500px !important; padding-top: 6px !important; }
#app-title h1 { font-size: 1.3rem; margin: 0; display: inline; }
#app-title p { display: inline; margin-left: 0.8rem; color: var(--body-text-color-subdued); font-size: 0.9rem; }
#sources-title h4 { margin: 0.2rem 0 0; }
#sources-panel { padding-right: 4px; }
#sources-panel details.turn { margin-bottom: 0.5rem; }
#sources-panel summary { cursor: pointer; font-weight: 600; padding: 0.25rem 0; color: var(--body-text-color-subdued); }
.src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.5rem 0.75rem;
       margin: 0.4rem 0; background: var(--background-fill-secondary); scroll-margin-top: 12px; }
.src.flash { outline: 2px solid var(--color-accent); }
.src-head { font-weight: 600; }
.src-n { color: var(--color-accent); margin-right: 0.3rem; }
.src-near .src-n { color: #9a3412; }
.src-path { font-size: 0.85rem; color: var(--body-text-color-subdued); margin: 0.1rem 0 0.3rem; }
.src-text { line-height: 1.7; font-size: 0.93rem; }
.src-text mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.notice { background: #fff7ed; border: 1px solid #fdba74; border-radius: 8px; padding: 0.5rem 0.75rem;
          font-weight: 600; color: #9a3412; }
.refused { color: #9a3412; }
.badge-refused { display: inline-block; background: #fff7ed; color: #9a3412; border: 1px solid #fdba74;
                 border-radius: 999px; padding: 0 0.6rem; font-weight: 600; font-size: 0.9rem; }
.condensed { font-size: 0.85rem; color: var(--body-text-color-subdued); border-left: 3px solid #93c5fd;
             padding-left: 0.5rem; }
a.cite { text-decoration: none; font-weight: 600; color: var(--color-accent); padding: 0 1px; cursor: pointer; }
.sources-empty { color: var(--body-text-color-subdued); padding: 1rem 0.2rem; }
#chat-controls { align-items: center; }
#examples { gap: 8px; }
.example-col { gap: 4px !important; }
.example-col p { margin: 0 !important; font-size: 0.85rem; }
.example-col button { justify-content: flex-start; text-align: left; white-space: normal; font-weight: normal; }
#feedback-status p { margin: 0; font-size: 0.85rem; color: var(--body-text-color-subdued); }
.doc-head { border-bottom: 1px solid var(--border-color-primary); padding-bottom: 0.4rem; margin-bottom: 0.4rem; }
.doc-tree h3 { margin: 0.2rem 0; }
.doc-meta { font-size: 0.85rem; color: var(--body-text-color-subdued); }
.node { display: grid; grid-template-columns: 7em 1fr; column-gap: 0.6rem; margin: 0.35rem 0; line-height: 1.6; }
.node-path { font-weight: 600; color: var(--color-accent); font-size: 0.88rem; padding-top: 0.1rem; }
.node-title { font-weight: 600; }
.node-heading { margin-top: 0.7rem; }
.node-text { font-size: 0.93rem; }
.turn-notice { font-size: 0.88rem; color: #9a3412; background: #fff7ed; border-radius: 6px; padding: 0.2rem 0.5rem; }
#show-condensed .label-text { white-space: nowrap; }
#feedback-link a { display: inline-block; padding: 0.45rem 0.9rem; border: 1px solid var(--border-color-primary);
                   border-radius: 8px; text-decoration: none; font-weight: 600; }

/* Phones: the chat column's parts and the sources column become one list, so the sources come right after the
   answer and its input; the examples and the comment box follow them. */
@media (max-width: 720px) {
  .gradio-container { padding-left: 8px !important; padding-right: 8px !important; }
  #chat-row { flex-direction: column; flex-wrap: nowrap; }
  #chat-main { display: contents; }
  #chatbot { order: 1; }
  #ask-row { order: 2; }
  #chat-controls { order: 3; flex-wrap: wrap; row-gap: 6px; }
  #sources-col { order: 4; min-width: 0 !important; }
  #comment-row { order: 5; }
  #examples { order: 6; }
  #chat-row > * { width: 100%; }
  #app-title p { display: block; margin: 0.2rem 0 0; }
  /* The document table: date and clause count at their full width, the file name column left out. */
  #doc-table th:nth-child(2), #doc-table td:nth-child(2), #doc-table .body-cell:nth-child(2) {
    width: 3.6em !important; min-width: 3.6em !important; max-width: 3.6em !important; flex: none !important; }
  #doc-table th:nth-child(3), #doc-table td:nth-child(3), #doc-table .body-cell:nth-child(3) {
    width: 6.4em !important; min-width: 6.4em !important; max-width: 6.4em !important; flex: none !important; }
  #doc-table th:nth-child(4), #doc-table td:nth-child(4), #doc-table .body-cell:nth-child(4) {
    width: 4.4em !important; min-width: 4.4em !important; max-width: 4.4em !important; flex: none !important; }
  #doc-table th:nth-child(1), #doc-table td:nth-child(1), #doc-table .body-cell:nth-child(1) {
    width: auto !important; min-width: 0 !important; max-width: none !important; flex: 1 1 0 !important; }
  #doc-table table.header-table { table-layout: fixed; width: 100% !important; }
  #doc-table th:nth-child(5), #doc-table td:nth-child(5), #doc-table .body-cell:nth-child(5) { display: none !important; }
  #chat-controls #scope { flex: 1 1 100% !important; }
  #chat-controls #show-condensed { flex: 1 1 0 !important; min-width: max-content !important; }
  #chat-controls #new-chat { flex: 0 0 auto !important; }
  /* Two lines for the question on a phone, so the placeholder's example is not cut off. */
  #question textarea { min-height: calc(2lh + 20px) !important; }
}
"""

# Citation links scroll the sources panel (opening a folded earlier answer) instead of navigating the page.
HEAD = """
<script>
document.addEventListener("click", function (event) {
  const link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  const id = link.dataset.target || (link.getAttribute("href") || "").replace(/^#/, "");
  const entry = document.getElementById(id);
  if (!entry) return;
  event.preventDefault();
  event.stopPropagation();
  const folded = entry.closest("details");
  if (folded) folded.open = true;
  entry.scrollIntoView({behavior: "smooth", block: "nearest"});
  entry.classList.add("flash");
  setTimeout(function () { entry.classList.remove("flash"); }, 1600);
}, true);
</script>
"""

FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "sans-serif")


def theme():
    # Named local fonts only: a Google font would make every page load reach out to the internet.
    return gr.themes.Soft(font=list(FONTS), font_mono=["Noto Sans Mono CJK SC", "monospace"])
