"""Running ``wrk`` (Debian's package, installed by scripts/bootstrap) and reading its
report: requests per second, latency percentiles, and answers that were not 2xx/3xx."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    per_s: float
    p50_s: float
    p99_s: float
    bad: int  # non-2xx/3xx answers
    errors: int  # connect, read, write and timeout errors

    def __add__(self, other: WrkResult) -> WrkResult:
        """Two runs side by side (one per server): counts add up, latencies the worse."""
        return WrkResult(
            requests=self.requests + other.requests,
            per_s=self.per_s + other.per_s,
            p50_s=max(self.p50_s, other.p50_s),
            p99_s=max(self.p99_s, other.p99_s),
            bad=self.bad + other.bad,
            errors=self.errors + other.errors,
        )


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _seconds(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if m is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse(report: str) -> WrkResult:
    def number(pattern: str, default: str | None = None) -> str:
        m = re.search(pattern, report)
        if m is None:
            if default is None:
                raise ValueError(f"wrk report without {pattern!r}:\n{report}")
            return default
        return m.group(1)

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", report))
    return WrkResult(
        requests=int(number(r"(\d+) requests in")),
        per_s=float(number(r"Requests/sec:\s+([\d.]+)")),
        p50_s=_seconds(number(r"\n\s+50%\s+(\S+)")),
        p99_s=_seconds(number(r"\n\s+99%\s+(\S+)")),
        bad=int(number(r"Non-2xx or 3xx responses: (\d+)", "0")),
        errors=errors,
    )


def lua_rotating(path: Path, *, method: str, urls: list[str], tokens: list[str], body: str) -> Path:
    """A wrk script whose requests go round every pair of ``urls`` and bearer ``tokens``
    (many viewers, not one; each URL with each token in turn), each with ``body`` as
    JSON."""
    quoted = ", ".join(f'"{u}"' for u in urls)
    toks = ", ".join(f'"{t}"' for t in tokens)
    path.write_text(
        f"""
local urls = {{{quoted}}}
local tokens = {{{toks}}}
local n = 0
request = function()
  n = n + 1
  local headers = {{}}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. tokens[(math.floor(n / #urls) % #tokens) + 1]
  return wrk.format("{method}", urls[(n % #urls) + 1], headers, '{body}')
end
"""
    )
    return path


def start_wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    cpu: int | None = None,
) -> subprocess.Popen[str]:
    """``wrk`` on one thread (pinned to ``cpu`` when the machine has more than one)."""
    wrk = wrk_path()
    assert wrk is not None, "wrk is not installed: run scripts/bootstrap"
    # A slow answer is a latency, not an error: wrk's own timeout is 2 s.
    cmd = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "20s"]
    cmd.append("--latency")
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if cpu is not None and (os.cpu_count() or 1) > 1 and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen[str]) -> WrkResult:
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    return parse(out)
