"""A local HTTP fake of Anthropic's Messages API, speaking the real wire format.

``POST /v1/messages`` checks the API key and the ``anthropic-version`` header (401 /
400 bodies as the real API sends them). The key may come as ``x-api-key`` or, as the
``anthropic`` SDK 2.x sends it, ``Authorization: Bearer`` and answers from a script: each entry is a
status and a JSON body, or a text the "assistant" says (wrapped in a real Message with
``usage``). An empty script answers 500. Every request is recorded.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kinema.settings import Settings

API_KEY = "sk-ant-test-key-0123456789"


def error_body(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


RATE_LIMITED = (
    429,
    error_body("rate_limit_error", "Number of requests has exceeded your rate limit"),
)
OVERLOADED = (529, error_body("overloaded_error", "Overloaded"))
SERVER_ERROR = (500, error_body("api_error", "Internal server error"))


@dataclass
class FakeMessages:
    url: str = ""
    script: list[tuple[int, dict[str, Any]] | str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    input_tokens: int = 1200
    output_tokens: int = 150

    def answer(self, text: str) -> None:
        self.script.append(text)

    def fail(self, status: int, body: dict[str, Any]) -> None:
        self.script.append((status, body))

    def message(self, model: str, text: str) -> dict[str, Any]:
        return {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens},
        }


def _handler(fake: FakeMessages, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", f"req_{uuid.uuid4().hex[:16]}")
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            if self.path.split("?")[0] != "/v1/messages":
                self._send(404, error_body("not_found_error", f"no route {self.path}"))
                return
            bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
            if API_KEY not in (self.headers.get("x-api-key"), bearer):
                self._send(401, error_body("authentication_error", "invalid x-api-key"))
                return
            if not self.headers.get("anthropic-version"):
                self._send(400, error_body("invalid_request_error", "anthropic-version missing"))
                return
            body = json.loads(raw)
            if not body.get("model") or not body.get("max_tokens") or not body.get("messages"):
                self._send(400, error_body("invalid_request_error", "model, max_tokens, messages"))
                return
            with lock:
                fake.requests.append(body)
                fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                step = fake.script.pop(0) if fake.script else SERVER_ERROR
            if isinstance(step, str):
                self._send(200, fake.message(body["model"], step))
            else:
                self._send(*step)

    return Handler


@contextmanager
def fake_messages_api() -> Iterator[FakeMessages]:
    fake = FakeMessages()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake, threading.Lock()))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def claude_settings(settings: Settings, fake: FakeMessages, **overrides: Any) -> Settings:
    """``settings`` with Claude keyed and pointed at ``fake`` (a test model, quick backoff)."""
    from pydantic import SecretStr

    return settings.model_copy(
        update={
            "anthropic_api_key": SecretStr(API_KEY),
            "anthropic_base_url": fake.url,
            "anthropic_model": "claude-test-model",
            "anthropic_backoff_s": 0.01,
            **overrides,
        }
    )
