"""``kinema_operator.heap``: freed heap in the middle of glibc's arena stays resident
until :func:`trim` gives it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema_operator import heap


def _rss_anon_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(not heap.available(), reason="this C library has no malloc_trim")
def test_trim_gives_freed_heap_back() -> None:
    heap.trim()
    # 200 MB in blocks malloc serves from its heap (over Python's 512-byte small-object
    # limit, under the mmap threshold); every 50th is kept, so the freed ones lie between
    # live blocks and malloc cannot simply shrink its heap from the top.
    blocks = [bytes(1000 + n % 7) for n in range(200_000)]
    kept = blocks[::50]
    del blocks
    before = _rss_anon_kb()
    heap.trim()
    after = _rss_anon_kb()
    assert kept  # still alive: they pin the heap's layout
    assert before - after > 100_000, (before, after)
