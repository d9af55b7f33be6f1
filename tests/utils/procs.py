"""Run one service process for the length of a test session.

``ServiceProcess`` is the single runner every service module uses: it starts an argv
(built elsewhere by a pure ``*_command`` function), sends its stdout and stderr to a log
file, polls a readiness probe until it passes or a deadline expires, and stops the
process with its preferred signal, then SIGKILL. Whenever start-up fails the error
carries the tail of the log, because that is where the reason is.

Children get a parent-death signal (Linux ``prctl``), so a test run killed with SIGKILL
or by a timeout does not leave servers running behind it.
"""

from __future__ import annotations

import ctypes
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.utils.errors import ServiceStartError

_PR_SET_PDEATHSIG = 1
# The running interpreter already links libc; loaded once here, not in the forked child.
_libc: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(sig: int) -> Callable[[], None]:
    def set_death_signal() -> None:
        if _libc is not None:
            _libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)

    return set_death_signal


@dataclass(frozen=True)
class RunAs:
    """Which account a process runs as (PostgreSQL refuses to run as root)."""

    user: str
    group: str


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file, or a note that there is none."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def run_checked(
    argv: Sequence[str],
    *,
    what: str,
    run_as: RunAs | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> str:
    """Run a short set-up command (``initdb``) to completion; its output on failure."""
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=dict(env) if env is not None else None,
            user=run_as.user if run_as else None,
            group=run_as.group if run_as else None,
            extra_groups=[] if run_as else None,
        )
    except subprocess.TimeoutExpired as exc:
        raise ServiceStartError(f"{what} did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        raise ServiceStartError(
            f"{what} failed with exit status {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


@dataclass
class ServiceProcess:
    """One long-running service process, its log, and how to stop it."""

    name: str
    argv: Sequence[str]
    log_path: Path
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    run_as: RunAs | None = None
    stop_signal: int = signal.SIGTERM
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    def start(self) -> None:
        """Start the process (appending to its log, so a restart keeps the history)."""
        if self.running:
            raise ServiceStartError(f"{self.name} is already running")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                list(self.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=dict(self.env) if self.env is not None else None,
                user=self.run_as.user if self.run_as else None,
                group=self.run_as.group if self.run_as else None,
                extra_groups=[] if self.run_as else None,
                preexec_fn=_die_with_parent(self.stop_signal),
            )

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def log_tail(self, lines: int = 40) -> str:
        return tail(self.log_path, lines)

    def failure(self, reason: str) -> ServiceStartError:
        """An error saying why the service failed, with the tail of its log."""
        return ServiceStartError(
            f"{self.name} {reason}\ncommand: {shlex.join(self.argv)}\n"
            f"--- last lines of {self.log_path} ---\n{self.log_tail()}"
        )

    def wait_ready(
        self, probe: Callable[[], bool], *, timeout: float = 30, interval: float = 0.1
    ) -> None:
        """Poll ``probe`` until it returns True; fail if the process dies or time runs out.

        A probe that raises counts as "not ready yet": services refuse connections until
        they listen, and the last such error is reported if the deadline passes.
        """
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while True:
            if self._proc is None:
                raise ServiceStartError(f"{self.name} was never started")
            code = self._proc.poll()
            if code is not None:
                raise self.failure(f"exited with status {code} during start-up")
            try:
                if probe():
                    return
            except Exception as exc:  # any probe error means "not yet"
                last_error = exc
            if time.monotonic() >= deadline:
                detail = f" (last probe error: {last_error!r})" if last_error else ""
                self.stop()
                raise self.failure(f"was not ready within {timeout:.0f}s{detail}")
            time.sleep(interval)

    def stop(self, timeout: float = 15) -> None:
        """Stop with the service's own signal, then SIGKILL if it lingers."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                proc.send_signal(self.stop_signal)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)
            except ProcessLookupError:
                proc.wait(timeout=timeout)
        self._proc = None


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1
) -> None:
    """Poll a condition that has no process behind it (a Kubernetes object appearing)."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception as exc:  # retried until the deadline
            last_error = exc
        time.sleep(interval)
    detail = f" (last error: {last_error!r})" if last_error else ""
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
