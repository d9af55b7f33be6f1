"""Run the edge's nginx next to ``kinema up`` (embedded mode).

nginx is looked up on ``PATH`` (and in ``/usr/sbin``, where Debian's ``nginx-light``
puts it, often missing from a user's ``PATH``); its configuration, temporary files and
pid live in the data directory (``edge/run``), its cache in ``edge/cache``. The cached
token checks are wiped at every start (a rotated secret must not outlive a restart in
them); cached media is kept, as its keys name the output generation.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from kinema.edge.config import EdgeConfig, render
from kinema.errors import KinemaError

SEARCH = ("/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin")


class EdgeUnavailable(KinemaError):
    """nginx is missing, refuses the configuration, or does not start."""


def find_nginx() -> str:
    path = os.pathsep.join([os.environ.get("PATH", ""), *SEARCH])
    found = shutil.which("nginx", path=path)
    if found is None:
        raise EdgeUnavailable(
            "the edge needs nginx, which is not installed (Debian: apt-get install "
            "nginx-light); start without --edge to serve media from the API directly"
        )
    return found


class Edge:
    """One nginx process: :meth:`start` writes the configuration, checks it with
    ``nginx -t`` and waits until it answers; :meth:`stop` ends it gracefully."""

    def __init__(self, config: EdgeConfig, *, nginx: str | None = None) -> None:
        if config.user is None and os.geteuid() == 0:
            # Started as root, nginx would run its workers as "nobody", who cannot read
            # a private data directory: run them as the account starting it.
            config = config.model_copy(update={"user": pwd.getpwuid(os.geteuid()).pw_name})
        self.config = config
        self.nginx = nginx or find_nginx()
        self.run_dir = Path(config.run_dir)
        self.conf = self.run_dir / "nginx.conf"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.config.listen_host}:{self.config.listen_port}"

    def _command(self, *extra: str) -> list[str]:
        early_log = str(self.run_dir / "error.log")
        return [self.nginx, "-p", str(self.run_dir), "-c", str(self.conf), "-e", early_log, *extra]

    def start(self, timeout_s: float = 15.0) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        cache = Path(self.config.cache_dir)
        shutil.rmtree(cache / "auth", ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(render(self.config))
        check = subprocess.run(
            self._command("-t", "-q"), capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise EdgeUnavailable(f"nginx refused the edge configuration: {check.stderr.strip()}")
        self.proc = subprocess.Popen(
            self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise EdgeUnavailable(f"nginx exited at start: {err.strip()}")
            if self.healthy():
                return
            time.sleep(0.05)
        self.stop()
        raise EdgeUnavailable(f"nginx did not answer on {self.url} within {timeout_s:.0f} s")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/edge-health", timeout=1) as answer:  # noqa: S310
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout_s: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGQUIT)  # graceful: finish the responses in flight
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
