"""The real Kinema stack for browser tests: the built web app, ``kinema up`` on a fresh
data directory, a generated clip with embedded subtitles, and helpers to drive the UI.

Shared by ``tests/e2e/web`` and the time-to-first-frame benchmark, so both measure the
same thing the README's first command serves. Nothing here is mocked: the transcode is
the real pipeline, the API the real app, the player the real build.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kinema.ffmpeg import ffmpeg_path

REPO = Path(__file__).resolve().parents[3]
WEB = REPO / "web"
DIST = WEB / "dist"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"

ADMIN_EMAIL = "admin@kinema.test"
# A throwaway account in a temporary data directory.
ADMIN_PASSWORD = "e2e-admin-password"

TITLE = "Harbour Lights"
DESCRIPTION = (
    "A lighthouse keeper befriends a stray albatross during the longest winter storm "
    "the harbour has ever seen."
)
SEARCH_WORD = "albatross"
# Cues of the embedded subtitle tracks: (start s, end s, text). Long cues, so a test
# that seeks into one has seconds to see it on screen.
CUES = {
    "eng": [(1.0, 9.0, "The lamp must never go dark."), (12.0, 20.0, "Keep the light burning.")],
    "spa": [(1.0, 9.0, "La lámpara nunca debe apagarse."), (12.0, 20.0, "Mantén la luz.")],
}


class StackError(RuntimeError):
    """The stack could not be built or started; the message says what and where."""


# --- the web build ---------------------------------------------------------------------

_BUILD_INPUTS = (
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "tsconfig.app.json",
    "tsconfig.node.json",
)


def newest_input_mtime() -> float:
    newest = 0.0
    for name in _BUILD_INPUTS:
        path = WEB / name
        if path.is_dir():
            for file in path.rglob("*"):
                if file.is_file():
                    newest = max(newest, file.stat().st_mtime)
        elif path.exists():
            newest = max(newest, path.stat().st_mtime)
    return newest


# The build the browser tests use carries their probes (``VITE_KINEMA_TEST_HOOKS=1``:
# watch together's ``window.__kinemaParty``); production builds (the image's
# ``npm run build``) do not. This file marks a ``web/dist`` built that way.
TEST_HOOKS_STAMP = DIST / ".kinema-test-hooks"


def _fresh() -> bool:
    index = DIST / "index.html"
    return (
        index.exists()
        and TEST_HOOKS_STAMP.exists()
        and index.stat().st_mtime >= newest_input_mtime()
    )


def ensure_web_build() -> Path:
    """Build ``web/dist`` (with the tests' hooks) when it is missing, older than its
    sources, or was built without the hooks (it is git-ignored, so a fresh checkout always
    builds once; one build serves every browser test)."""
    if _fresh():
        return DIST
    if not (WEB / "node_modules").is_dir():
        raise StackError("web/node_modules is missing: run scripts/bootstrap (npm ci in web/)")
    # Test workers may get here at once: one builds, the others wait and reuse its build.
    with (WEB / "node_modules" / ".kinema-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _fresh():
            return DIST
        return _build()


def _build() -> Path:
    index = DIST / "index.html"
    proc = subprocess.run(
        ["npm", "run", "build", "--silent"],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "VITE_KINEMA_TEST_HOOKS": "1"},
    )
    if proc.returncode != 0 or not index.exists():
        raise StackError(f"npm run build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    TEST_HOOKS_STAMP.write_text("built with VITE_KINEMA_TEST_HOOKS=1 for the browser tests\n")
    return DIST


# --- media -------------------------------------------------------------------------------


def _srt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def make_clip(
    dest: Path,
    *,
    seconds: float = 30,
    size: str = "640x360",
    subtitles: dict[str, list[tuple[float, float, str]]] | None = None,
    video_bitrate: str | None = None,
    noise: bool = False,
) -> Path:
    """A real H.264/AAC source made by Kinema's ffmpeg, with embedded SRT tracks (mkv)."""
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    args = [str(ffmpeg_path()), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    args += ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}"]
    args += ["-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}"]
    subs = subtitles or {}
    for lang, cues in subs.items():
        srt = dest.with_name(f"{dest.stem}.{lang}.srt")
        srt.write_text(
            "\n".join(
                f"{n}\n{_srt_time(a)} --> {_srt_time(b)}\n{text}\n"
                for n, (a, b, text) in enumerate(cues, 1)
            ),
            encoding="utf-8",
        )
        args += ["-i", str(srt)]
    args += ["-map", "0:v", "-map", "1:a", "-metadata:s:a:0", "language=eng"]
    for n, lang in enumerate(subs):
        args += ["-map", f"{2 + n}:s", f"-metadata:s:s:{n}", f"language={lang}"]
    if noise:
        # Film grain x264 cannot compress away: a file big enough to need several chunks.
        args += ["-vf", "noise=alls=40:allf=t"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25"]
    if video_bitrate:
        args += ["-b:v", video_bitrate, "-maxrate", video_bitrate, "-bufsize", video_bitrate]
    args += ["-c:a", "aac", "-b:a", "96k"]
    if subs:
        args += ["-c:s", "srt"]
    partial = dest.with_name(f"partial-{dest.name}")
    subprocess.run([*args, str(partial)], check=True, capture_output=True, timeout=300)
    partial.replace(dest)
    return dest


# --- kinema up ---------------------------------------------------------------------------


@dataclass
class KinemaUp:
    """``kinema up`` as a subprocess, with the admin account these tests log in with; or,
    with ``api=True``, ``kinema api`` (no workers) on the same data directory: a second API
    process beside a ``kinema up``, as a second replica is in a cluster."""

    data_dir: Path
    port: int
    ingest: list[Path] = field(default_factory=list)
    workers: int = 1
    # More environment for the process (say, S3 storage settings).
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None
    api: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> str:
        return "api" if self.api else "up"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"kinema-{self.command}-{self.port}.log"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def start(self, timeout_s: float = 90) -> KinemaUp:
        env = {
            **os.environ,
            "KINEMA_ADMIN_EMAIL": ADMIN_EMAIL,
            "KINEMA_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "KINEMA_WORKERS": str(self.workers),
            **self.env,
        }
        cmd = [sys.executable, "-c", "from kinema.cli import main; main()"]
        if self.api:
            env["KINEMA_DATA_DIR"] = str(self.data_dir)
            cmd += ["api", "--port", str(self.port), "--workers", "0"]
        else:
            cmd += ["up", "--port", str(self.port), "--data-dir", str(self.data_dir)]
            cmd += ["--no-demo"]
        for path in self.ingest:
            cmd += ["--ingest", str(path)]
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, text=True, env=env
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StackError(
                    f"kinema {self.command} exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise StackError(
            f"kinema {self.command} did not answer within {timeout_s:.0f}s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # SIGTERM, not SIGINT: a process started from a background shell ignores SIGINT.
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def admin(self) -> httpx.Client:
        """An API client logged in as the admin (bearer token)."""
        client = httpx.Client(base_url=self.base, timeout=30)
        r = client.post(
            "/api/v1/auth/login",
            json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "device_name": "e2e"},
        )
        if r.status_code != 200:
            raise StackError(f"admin login failed: {r.status_code} {r.text}")
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return client

    def set_plan(self, user_id: str, plan: str) -> None:
        """Put an account on ``plan`` as the admin does (no checkout)."""
        admin = self.admin()
        try:
            r = admin.put(f"/api/v1/admin/users/{user_id}/plan", json={"plan": plan})
            if r.status_code != 200:
                raise StackError(f"setting plan {plan}: {r.status_code} {r.text}")
        finally:
            admin.close()


def wait_ready(client: httpx.Client, *, timeout_s: float = 240) -> list[dict[str, Any]]:
    """Wait until every video is ready (fail fast on a failed transcode)."""
    deadline = time.monotonic() + timeout_s
    videos: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        videos = client.get("/api/v1/admin/videos").json()
        failed = [v for v in videos if v["status"] == "failed"]
        if failed:
            raise StackError(f"transcode failed: {failed[0]['error']}")
        if videos and all(v["status"] == "ready" for v in videos):
            return videos
        time.sleep(0.5)
    raise StackError(f"videos not ready after {timeout_s:.0f}s: {videos}")


# --- browser helpers -----------------------------------------------------------------------


def show_controls(page: Any) -> None:
    """Move the pointer over the player, which shows its controls."""
    page.mouse.move(400, 300)
    page.mouse.move(420, 320)


def choose(page: Any, menu: str, option: str | re.Pattern[str]) -> None:
    """Pick ``option`` in the player's ``menu`` (a popover of radio groups), as a viewer."""
    show_controls(page)
    page.get_by_role("button", name=menu, exact=True).click()
    page.get_by_role("dialog", name=menu).get_by_label(option).check()
    page.keyboard.press("Escape")


def ensure_playing(page: Any, timeout_s: float = 25) -> None:
    """Wait for playback; press the big play button if the browser refused autoplay."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    player = page.get_by_test_id("player")
    expect(player).to_have_attribute("data-ready", "true", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if player.get_attribute("data-playing") == "true":
            return
        big = page.locator(".player__big-play")
        if big.is_visible():
            # It may go away first: playback started on its own.
            with contextlib.suppress(PlaywrightError):
                big.click(timeout=2000)
        page.wait_for_timeout(250)
    raise AssertionError(f"not playing; error={player.get_attribute('data-error')}")


def login(
    page: Any, base: str, *, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD
) -> None:
    """Sign in through the UI and pick the first profile, as a viewer does."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/profiles**")
    page.get_by_test_id("profile-tile").first.click()
    page.wait_for_url(f"{base}/")


def axe_violations(
    page: Any, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """Run axe-core (from web/node_modules) in the page; violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as a <script>: the app's
        # Content-Security-Policy refuses inline scripts, as it should.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


# Reports every Content-Security-Policy violation of every document the page loads to
# the test (through a binding, so a navigation does not lose what was seen before it).
_CSP_WATCH = """document.addEventListener('securitypolicyviolation', (e) => {
    const where = `${e.sourceFile || e.documentURI}:${e.lineNumber}`;
    window.__kinemaCspViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} in ${where}`);
});"""


def watch_csp(page: Any) -> list[str]:
    """Start recording the page's CSP violations; returns the list they are added to."""
    seen: list[str] = []

    def record(violation: str) -> None:
        seen.append(violation)

    page.expose_function("__kinemaCspViolation", record)
    page.add_init_script(_CSP_WATCH)
    return seen


def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
