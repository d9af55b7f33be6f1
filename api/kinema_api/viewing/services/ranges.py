"""HTTP Range parsing (pure): one ``bytes=`` range, as players and browsers send."""

from __future__ import annotations

from dataclasses import dataclass


class UnsatisfiableRange(Exception):
    """The range lies outside the object."""


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The range to serve, None for the whole object (absent or ignorable header).

    Multi-range requests are answered with the whole object, which RFC 9110 allows.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if first == "":
            suffix = int(last)
            if suffix <= 0:
                raise UnsatisfiableRange(header)
            start, end = max(0, size - suffix), size - 1
        else:
            start = int(first)
            end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size:
        raise UnsatisfiableRange(header)
    if start < 0 or end < start:
        return None
    return ByteRange(start, min(end, size - 1))
