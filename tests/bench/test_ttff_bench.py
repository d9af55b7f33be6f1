"""Time to first frame in Chromium: Kinema's watch page vs a plain <video> + hls.js page.

Both play the same transcoded CMAF output of the same clip on the same machine. Kinema is
measured as a viewer gets it, from navigation to the first ``playing`` event of any
media element: the watch page's shell, its boot script, the signed playback URL from the
API (the session checked), the manifests and the first segments through the API's
streaming route, played by the boot's quick start before Shaka takes over (see
docs/performance.md). The baseline is a static page with hls.js reading the very same
files from a plain static server. Each run uses a fresh browser context (cold HTTP
cache). Medians are printed side by side; nothing is asserted about speed.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Playwright

from tests.e2e.web import webapp
from tests.utils.browser import CHROMIUM_ARGS
from tests.utils.ports import free_port
from tests.utils.static_http import serve_directory

pytestmark = [pytest.mark.bench, pytest.mark.e2e]
RUNS = 7

# Records the first `playing` of any media element, in ms since navigation started.
TTFF_PROBE = """
window.__ttff = null;
document.addEventListener('playing', () => {
  if (window.__ttff === null) window.__ttff = performance.now();
}, true);
"""

BASELINE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hls.js baseline</title>
<script src="/hls.min.js"></script></head>
<body style="margin:0;background:#000">
<video id="v" style="width:100vw;height:100vh" autoplay playsinline></video>
<script>
  const video = document.getElementById('v');
  const hls = new Hls();
  hls.loadSource('/media/master.m3u8');
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
</script></body></html>
"""


@pytest.fixture(scope="module")
def bench_stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[webapp.KinemaUp, dict[str, Any]]]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("ttff")
    clip = webapp.make_clip(root / "media" / "ttff-clip.mp4", seconds=30, size="1280x720")
    up = webapp.KinemaUp(data_dir=root / "data", port=free_port(), ingest=[clip], workers=2)
    up.start()
    try:
        admin = up.admin()
        try:
            video = webapp.wait_ready(admin)[0]
        finally:
            admin.close()
        yield up, video
    finally:
        up.stop()


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):7.0f} ms  (min {min(samples):.0f}, max {max(samples):.0f})"


def test_time_to_first_frame_kinema_vs_hlsjs(
    bench_stack: tuple[webapp.KinemaUp, dict[str, Any]],
    tmp_path: Path,
    playwright_driver: Playwright,
) -> None:
    up, video = bench_stack
    processed = sorted(
        (up.data_dir / "media" / "processed" / video["id"].replace("-", "")).glob("*/master.m3u8")
    )
    assert processed, "no packaged output found for the benchmark clip"
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(processed[-1].parent, site / "media")
    shutil.copy(webapp.WEB / "node_modules" / "hls.js" / "dist" / "hls.min.js", site / "hls.min.js")
    (site / "index.html").write_text(BASELINE_PAGE, encoding="utf-8")

    kinema: list[float] = []
    baseline: list[float] = []
    with serve_directory(site) as static_base:
        browser = playwright_driver.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            # Both pages start playback without a click, the way a viewer's "Play" does.
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            watch = f"{up.base}/watch/{video['id']}?title={video['title_id']}"
            for _ in range(RUNS):
                # Kinema: a signed-in viewer who already picked a profile opens /watch.
                ctx = browser.new_context()
                r = ctx.request.post(
                    f"{up.base}/api/v1/auth/login",
                    data={
                        "email": webapp.ADMIN_EMAIL,
                        "password": webapp.ADMIN_PASSWORD,
                        "device_name": "bench",
                    },
                )
                assert r.ok, r.text()
                ctx.request.put(f"{up.base}/api/v1/progress/{video['id']}", data={"position_s": 0})
                ctx.add_init_script(
                    "localStorage.setItem('kinema.profileChosen', '1');" + TTFF_PROBE
                )
                page = ctx.new_page()
                page.goto(watch)
                page.wait_for_function("() => window.__ttff !== null", timeout=30_000)
                kinema.append(page.evaluate("() => window.__ttff"))
                ctx.close()

                ctx = browser.new_context()
                ctx.add_init_script(TTFF_PROBE)
                page = ctx.new_page()
                page.goto(f"{static_base}/index.html")
                page.wait_for_function("() => window.__ttff !== null", timeout=30_000)
                baseline.append(page.evaluate("() => window.__ttff"))
                ctx.close()
        finally:
            browser.close()

    clip = f"{video['duration_s']:.0f} s clip"
    print(f"\nTime to first frame, Chromium, median of {RUNS} cold runs ({clip}, local stack)")
    print(f"  Kinema watch page (boot + API):        {_median_ms(kinema)}")
    print(f"  plain <video> + hls.js, static files:  {_median_ms(baseline)}")
    print(
        f"  ratio Kinema / baseline: {statistics.median(kinema) / statistics.median(baseline):.2f}"
    )
    # Each Kinema load runs right before its baseline load: the ratio within a pair is
    # steadier than the medians' when the machine's own load drifts during the run.
    paired = [k / b for k, b in zip(kinema, baseline, strict=True)]
    print(f"  median of the {RUNS} paired ratios: {statistics.median(paired):.2f}")
