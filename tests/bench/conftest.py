"""Benchmarks' printed figures are repeated in the run's closing summary, so the numbers
appear in CI logs too (benchmarks assert nothing about speed; they print ratios)."""

from __future__ import annotations

import pytest

_figures: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "tests/bench/" in report.nodeid and report.capstdout:
        _figures.append((report.nodeid, report.capstdout))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for nodeid, text in _figures:
        terminalreporter.section(f"benchmark: {nodeid}")
        terminalreporter.write(text)
