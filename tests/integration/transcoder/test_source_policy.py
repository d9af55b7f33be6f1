"""Sources on private networks: refused by default, read when the deployment allows it.

A real HTTP server on 127.0.0.1 (byte ranges, redirects, a log of who asked what) plays
the source host; ``kinema transcode`` runs as the Job runs it. The one thing not real is
in the redirect test: the start host is *said* to be public (the DNS answer is given), so
that where the redirect leads is what gets refused.
"""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kinema.ffmpeg import ffmpeg_path, ffprobe_path
from kinema_transcoder import netguard
from kinema_transcoder.errors import SourceUnreachable
from kinema_transcoder.sources import MAX_REDIRECTS, NO_REDIRECTS, get_checked
from tests.utils.media import SRT_SAMPLE, Source

pytestmark = pytest.mark.integration

ALLOW = "KINEMA_ALLOW_PRIVATE_SOURCES"


@dataclass
class Host:
    """The server's base URL and every request it got: (path, User-Agent)."""

    base: str
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    """``/NAME`` serves a file (with Range), ``/go/NAME`` redirects to it, ``/to?url=U``
    redirects to ``U``, ``/loop/N`` redirects to ``/loop/N+1`` forever."""

    def __init__(self, *args: Any, host: Host, **kwargs: Any) -> None:
        self.host = host
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.host.requests.append((self.path, self.headers.get("User-Agent", "")))
        url = urlsplit(self.path)
        if url.path.startswith("/go/"):
            return self._redirect(url.path.removeprefix("/go"))
        if url.path == "/to":
            return self._redirect(parse_qs(url.query)["url"][0])
        if url.path.startswith("/loop/"):
            return self._redirect(f"/loop/{int(url.path.rpartition('/')[2]) + 1}")
        data = self.host.files.get(url.path.lstrip("/"))
        if data is None:
            self.send_error(404)
            return None
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        start, end = 0, len(data) - 1
        if wanted:
            start = int(wanted[1])
            end = min(int(wanted[2]), end) if wanted[2] else end
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.wfile.write(data[start : end + 1])
        return None


@pytest.fixture
def host() -> Iterator[Host]:
    site = Host("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, host=site))
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="source-host", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def movie(host: Host, source) -> Path:
    src: Path = source(Source(duration=2.0, audio_languages=()))
    host.files["movie.mp4"] = src.read_bytes()
    host.files["de.srt"] = SRT_SAMPLE.encode()
    return src


def _one_error_line(run) -> str:
    assert run.returncode == 1, run.stderr
    lines: list[str] = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_a_loopback_source_is_refused_before_it_is_asked_anything(
    host: Host, movie: Path, transcode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW, raising=False)
    url = f"{host.base}/movie.mp4"
    run = transcode(url)
    assert _one_error_line(run) == (
        f"error: source {url} refused: 127.0.0.1 is a loopback address; "
        f"set {ALLOW}=true to fetch sources from private networks"
    )
    assert run.report["status"] == "failed"
    assert run.report["error"]["code"] == "source_unreachable"
    assert host.requests == []


def test_a_sidecar_on_a_loopback_host_is_refused(
    host: Host, movie: Path, transcode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW, raising=False)
    run = transcode(movie, "--no-quality", "--subtitle", f"de={host.base}/de.srt")
    line = _one_error_line(run)
    assert f"source {host.base}/de.srt refused: 127.0.0.1 is a loopback address" in line, line
    assert host.requests == []


def test_with_the_setting_a_redirected_source_is_read_at_its_final_url(
    host: Host, movie: Path, transcode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW, "true")
    run = transcode(
        f"{host.base}/go/movie.mp4", "--no-quality", "--subtitle", f"de={host.base}/go/de.srt"
    )
    assert run.returncode == 0, run.stderr
    assert run.report["status"] == "complete"
    assert "00:00:00.500 --> 00:00:01.500" in (run.outdir / "subtitles" / "de.vtt").read_text()
    # ffmpeg and ffprobe (User-Agent Lavf/...) were handed the end of the redirect.
    by_ffmpeg = {path for path, agent in host.requests if agent.startswith("Lavf")}
    assert by_ffmpeg == {"/movie.mp4"}, host.requests


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://localhost:{port}/movie.mp4", "localhost resolves to"),
        ("http://[::ffff:10.0.0.1]/x", "is a private address"),
        ("file:///etc/passwd", "only http:// and https:// URLs"),
    ],
)
def test_a_redirect_from_a_public_host_to_a_private_one_is_refused(
    host: Host, movie: Path, target: str, refused: str
) -> None:
    port = host.base.rpartition(":")[2]
    target = target.format(port=port)
    start = f"{host.base}/to?url={target}"

    def start_is_public(name: str) -> list[str]:
        return ["93.184.216.34"] if name == "127.0.0.1" else netguard.resolve(name)

    with (
        httpx.Client(follow_redirects=False) as client,
        pytest.raises(SourceUnreachable) as caught,
    ):
        get_checked(client, start, allow_private=False, resolve=start_is_public)
    message = str(caught.value)
    assert message.startswith(f"source {start} refused: it redirects to "), message
    assert refused in message and "\n" not in message, message
    assert len(host.requests) == 1 and host.requests[0][0].startswith("/to?"), host.requests


def test_redirects_are_followed_a_bounded_number_of_times(host: Host, movie: Path) -> None:
    with (
        httpx.Client(follow_redirects=False) as client,
        pytest.raises(SourceUnreachable, match=f"redirects more than {MAX_REDIRECTS} times"),
    ):
        get_checked(client, f"{host.base}/loop/0", allow_private=True)
    assert len(host.requests) == MAX_REDIRECTS + 1


def test_ffmpeg_and_ffprobe_follow_no_redirect_with_the_source_options(
    host: Host, movie: Path
) -> None:
    def probe(url: str, options: tuple[str, ...]) -> int:
        args = [str(ffprobe_path()), "-v", "error", *options, "-show_format", url]
        return subprocess.run(args, capture_output=True, timeout=60, check=False).returncode

    def decode(url: str, options: tuple[str, ...]) -> int:
        args = [str(ffmpeg_path()), "-nostdin", "-v", "error", *options, "-i", url]
        args += ["-frames:v", "1", "-f", "null", "-"]
        return subprocess.run(args, capture_output=True, timeout=60, check=False).returncode

    for tool in (probe, decode):
        assert tool(f"{host.base}/go/movie.mp4", ()) == 0, tool  # ffmpeg's default follows
        assert tool(f"{host.base}/movie.mp4", NO_REDIRECTS) == 0, tool
        assert tool(f"{host.base}/go/movie.mp4", NO_REDIRECTS) != 0, tool
