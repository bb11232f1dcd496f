"""Staff access: the password check with backoff and lockout per client, and the feedback export served once to
the staff member who asked for it.

`LoginGuard` refuses a client that has just failed for a doubling backoff time, and locks it out for a longer time
after several failures; while refused, the password is not even compared, so the right password does not work
either. `ExportTokens` hands a logged-in staff member a random single-use link that expires within a minute; the
route streams the feedback rows from SQLite, so no export file is ever written to disk.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

MAX_TRACKED_CLIENTS = 10_000  # failures are remembered for this many addresses at most; the oldest are forgotten
EXPORT_ROUTE = "/staff/feedback.jsonl"


@dataclass(frozen=True)
class LoginResult:
    """Whether the login succeeded, what to tell the user, and how long the client must wait before trying again."""

    ok: bool
    message: str
    retry_after_s: float = 0.0


@dataclass
class _Failures:
    count: int = 0
    next_try: float = 0.0
    locked_until: float = 0.0


class LoginGuard:
    """The staff password check, rate-limited per client address.

    After the n-th failure a client waits `backoff_s * 2**(n-1)` seconds; after `max_failures` failures it is locked
    out for `lockout_s` seconds. Attempts while waiting or locked out are refused unchecked and do not count.
    """

    def __init__(
        self,
        password: str | None,
        max_failures: int,
        backoff_s: float,
        lockout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_failures < 1 or backoff_s < 0 or lockout_s < 0:
            raise ValueError("max_failures must be at least 1 and the waiting times not negative")
        self.password = password or ""
        self.max_failures, self.backoff_s, self.lockout_s = max_failures, backoff_s, lockout_s
        self.clock = clock
        self._clients: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.password)

    def __call__(self, client: str, password: str) -> LoginResult:
        if not self.enabled:
            return LoginResult(False, "未设置工作人员密码，文件管理未启用。")
        with self._lock:
            now = self.clock()
            state = self._clients.get(client)
            if state is not None and state.locked_until:
                if now < state.locked_until:
                    wait = state.locked_until - now
                    return LoginResult(False, f"密码错误次数过多，已锁定，请 {_seconds(wait)} 后再试。", wait)
                del self._clients[client]
                state = None
            if state is not None and now < state.next_try:
                wait = state.next_try - now
                return LoginResult(False, f"尝试过于频繁，请 {_seconds(wait)} 后再试。", wait)
            if hmac.compare_digest((password or "").encode(), self.password.encode()):
                self._clients.pop(client, None)
                return LoginResult(True, "已登录为工作人员。")
            return self._fail(client, state, now)

    def _fail(self, client: str, state: _Failures | None, now: float) -> LoginResult:
        if state is None:
            if len(self._clients) >= MAX_TRACKED_CLIENTS:
                self._clients.pop(next(iter(self._clients)))
            state = self._clients[client] = _Failures()
        state.count += 1
        if state.count >= self.max_failures:
            state.locked_until = now + self.lockout_s
            return LoginResult(False, f"密码不正确。错误次数过多，已锁定 {_seconds(self.lockout_s)}。", self.lockout_s)
        wait = self.backoff_s * 2 ** (state.count - 1)
        state.next_try = now + wait
        left = self.max_failures - state.count
        return LoginResult(False, f"密码不正确。请 {_seconds(wait)} 后再试（再错 {left} 次将被锁定）。", wait)


def _seconds(s: float) -> str:
    return f"{s:.0f} 秒" if s >= 1 else f"{s:.1f} 秒"


class ExportTokens:
    """Single-use download links for the feedback export, valid for `ttl_s` seconds."""

    def __init__(self, ttl_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s, self.clock = ttl_s, clock
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self.clock()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.ttl_s
        return token

    def redeem(self, token: str) -> bool:
        """True once for a token that was issued and has not expired; it cannot be used again."""
        with self._lock:
            expires = self._tokens.pop(token or "", None)
        return expires is not None and self.clock() < expires


def export_link(token: str) -> str:
    # Relative, so the link also works when the app is served under a path prefix by a reverse proxy.
    return f"{EXPORT_ROUTE.lstrip('/')}?token={token}"


def add_export_route(app, tokens: ExportTokens, feedback) -> None:
    """GET /staff/feedback.jsonl?token=…: the feedback rows streamed as JSON lines, for a valid token only."""

    def export(request: Request):
        if not tokens.redeem(request.query_params.get("token", "")):
            body = {"error": {"message": "link expired or invalid: export again as staff", "type": "forbidden"}}
            return JSONResponse(body, status_code=403)
        name = f"feedback-{datetime.now():%Y%m%d-%H%M%S}.jsonl"
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
        return StreamingResponse(feedback.iter_jsonl(), media_type="application/x-ndjson", headers=headers)

    app.add_api_route(EXPORT_ROUTE, export, methods=["GET"], include_in_schema=False)
