"""The harness's own behaviour: start-up failures carry the log, missing binaries name
the fix, stops really stop, ports are free."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.utils import binaries
from tests.utils.errors import BinaryNotFound, ServiceStartError
from tests.utils.ports import free_port, is_listening
from tests.utils.procs import ServiceProcess

pytestmark = pytest.mark.integration


def test_early_exit_reports_status_and_log_tail(tmp_path: Path) -> None:
    proc = ServiceProcess(
        "broken",
        ["sh", "-c", "echo 'config line 3: bad value' >&2; exit 3"],
        log_path=tmp_path / "broken.log",
    )
    proc.start()
    with pytest.raises(ServiceStartError) as failed:
        proc.wait_ready(lambda: False, timeout=10)
    message = str(failed.value)
    assert "broken exited with status 3" in message
    assert "config line 3: bad value" in message


def test_readiness_timeout_stops_the_process(tmp_path: Path) -> None:
    proc = ServiceProcess("sleeper", ["sleep", "60"], log_path=tmp_path / "sleeper.log")
    proc.start()
    pid = proc.pid
    assert pid is not None

    def probe() -> bool:
        raise ConnectionRefusedError("nothing listens")

    with pytest.raises(ServiceStartError, match=r"not ready within 1s.*nothing listens"):
        proc.wait_ready(probe, timeout=1)
    assert not proc.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_stop_escalates_to_kill(tmp_path: Path) -> None:
    proc = ServiceProcess(
        "stubborn",
        ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"],
        log_path=tmp_path / "stubborn.log",
    )
    proc.start()
    proc.wait_ready(lambda: "ready" in proc.log_tail(), timeout=10)
    proc.stop(timeout=1)
    assert not proc.running


def test_services_die_with_a_killed_test_run(tmp_path: Path) -> None:
    # A Python parent starts a service, reports its pid, and is SIGKILLed: the parent-
    # death signal must take the service down with it, leaving nothing running.
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from tests.utils.procs import ServiceProcess
        p = ServiceProcess("orphan", ["sleep", "60"], log_path=Path({str(tmp_path)!r}) / "o.log")
        p.start()
        print(p.pid, flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    for _ in range(50):
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return
        subprocess.run(["sleep", "0.1"], check=True)
    pytest.fail(f"service {child_pid} outlived its killed parent")


def test_missing_binary_names_it_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KINEMA_CACHE", str(tmp_path))
    with pytest.raises(BinaryNotFound) as missing:
        binaries.go_binary("kube-apiserver")
    assert "kube-apiserver" in str(missing.value)
    assert "run scripts/bootstrap" in str(missing.value)


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = {free_port() for _ in range(20)}
    assert len(ports) == 20
    port = ports.pop()
    assert not is_listening(port)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        assert is_listening(port)
