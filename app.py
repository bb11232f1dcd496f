"""`python app.py`: the web app — the Gradio chat and documents UI plus the OpenAI-compatible API, on one server.

Settings come from `POLICY_*` environment variables (see index/config.py); the server listens on `POLICY_HOST`
(default 127.0.0.1) and `POLICY_PORT` (default 7860). `POLICY_STAFF_PASSWORD` enables upload and deletion.
On start the index is brought in line with the documents folder: an unchanged folder embeds nothing.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

# Gradio must not phone home; set before it is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

log = logging.getLogger("app")
CONCURRENCY = 4


@dataclass(frozen=True)
class ServerConfig:
    """Where to listen, and the staff password (None: the documents tab is read-only)."""

    host: str
    port: int
    staff_password: str | None

    @classmethod
    def from_env(cls) -> ServerConfig:
        port = os.environ.get("POLICY_PORT", "7860")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SystemExit(f"POLICY_PORT must be a port number, not {port!r}")
        password = os.environ.get("POLICY_STAFF_PASSWORD") or None
        return cls(os.environ.get("POLICY_HOST", "127.0.0.1"), int(port), password)


def create_app(settings, server: ServerConfig):
    """Load (or bring up to date) the index, then build the FastAPI app with the API and the mounted UI."""
    from assistant.api import create_api_app
    from assistant.feedback import FeedbackStore
    from assistant.library import Library, SharedAssistant
    from assistant.pipeline import build_assistant
    from assistant.ui import AppContext, build_ui, mount
    from index.builder import IndexBuilder
    from index.embedder import make_embedder
    from index.limits import MB
    from index.lock import IndexBusy

    t0 = time.perf_counter()
    embedder = make_embedder(settings)
    assistant = build_assistant(settings, embedder=embedder)
    builder = IndexBuilder.from_settings(settings, assistant.index.store, embedder)
    if settings.docs_dir.is_dir():
        try:
            report = builder.run(settings.docs_dir, progress=True)
        except IndexBusy as exc:  # an `index build` running elsewhere: serve what is indexed now
            log.warning("index not brought up to date at start-up: %s", exc)
        else:
            log.info("index of %s: %s", settings.docs_dir, report.summary())
            if report.added or report.updated or report.removed:
                assistant.reload()
    else:
        log.warning("documents folder %s not found: serving the index as it is", settings.docs_dir)
    log.info("index loaded: %d chunks in %.1fs", len(assistant.index.chunks), time.perf_counter() - t0)

    shared = SharedAssistant(assistant)
    ctx = AppContext(
        shared=shared,
        library=Library(shared, builder, settings.docs_dir),
        feedback=FeedbackStore(settings.data_dir / "feedback.sqlite3"),
        login=login_guard(settings, server.staff_password),
        stream_delay_s=settings.ui_stream_delay_s,
        max_file_bytes=int(settings.max_file_mb * MB),
    )
    demo = build_ui(ctx).queue(default_concurrency_limit=CONCURRENCY)
    app = create_api_app(shared, shared, settings.max_request_mb)
    return mount(app, demo, ctx)


def login_guard(settings, password: str | None):
    """The staff password check with the backoff and lockout the settings ask for."""
    from assistant.staff import LoginGuard

    return LoginGuard(
        password,
        max_failures=settings.staff_login_max_failures,
        backoff_s=settings.staff_login_backoff_s,
        lockout_s=settings.staff_login_lockout_s,
    )


def main() -> None:
    import uvicorn

    from index.config import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    server = ServerConfig.from_env()
    from index.store import StoreUnavailable

    try:
        app = create_app(Settings(), server)
    except StoreUnavailable as exc:  # a damaged index: one line, not a traceback
        raise SystemExit(f"error: {exc}") from None
    log.info("ready in %.1fs: http://%s:%d/ (API at /v1)", time.perf_counter() - started, server.host, server.port)
    uvicorn.run(app, host=server.host, port=server.port, log_level="warning")


if __name__ == "__main__":
    main()
