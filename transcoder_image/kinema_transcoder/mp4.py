"""Just enough ISO-BMFF (MP4) to read and fix CMAF segments, in pure Python.

ffmpeg writes each rendition as ``init.mp4`` (``ftyp`` + ``moov``) and media segments
(``moof`` + ``mdat`` pairs). The manifests need what is inside: the track timescale and
codec configuration from the init segment; from every media segment its decode start
(``tfdt``), duration, sample count, which samples are sync samples, and the byte range
of each fragment (for I-frame playlists). Reading that from the files themselves, not
from ffmpeg's own playlists, means the HLS and DASH manifests describe exactly the
bytes that were written.

:func:`shift_segment` rewrites ``tfdt`` (and the ``mfhd`` sequence number) in place so a
slice encoded by one ``--chunk`` pod lands at its true place on the timeline.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

# Sample flags: bit 16 is sample_is_non_sync_sample; 24..25 sample_depends_on (2 = I).
_NON_SYNC = 0x00010000
_CONTAINERS = frozenset(
    {b"moov", b"trak", b"edts", b"mdia", b"minf", b"stbl", b"moof", b"traf", b"mvex"}
)


class Mp4Error(ValueError):
    """Bytes that are not the MP4 structure we expect."""


@dataclass(frozen=True, slots=True)
class Box:
    type: bytes
    start: int  # offset of the box header in the buffer
    header: int  # header length (8 or 16)
    size: int  # total size including header

    @property
    def body(self) -> int:
        return self.start + self.header

    @property
    def end(self) -> int:
        return self.start + self.size


def iter_boxes(data: bytes | bytearray, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """Top-level boxes in ``data[start:end]``."""
    stop = len(data) if end is None else end
    pos = start
    while pos + 8 <= stop:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > stop:
                raise Mp4Error(f"truncated large box header at {pos}")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:
            size = stop - pos
        if size < header or pos + size > stop:
            raise Mp4Error(f"box {kind!r} at {pos} runs past the end ({size} bytes)")
        yield Box(kind, pos, header, size)
        pos += size
    if pos != stop:
        raise Mp4Error(f"{stop - pos} stray bytes at the end")


def find(
    data: bytes | bytearray, path: list[bytes], start: int = 0, end: int | None = None
) -> list[Box]:
    """Every box matching ``path`` (e.g. ``[b"moov", b"trak", b"mdia", b"mdhd"]``)."""
    found: list[Box] = []
    for box in iter_boxes(data, start, end):
        if box.type != path[0]:
            continue
        if len(path) == 1:
            found.append(box)
        elif box.type in _CONTAINERS:
            found.extend(find(data, path[1:], box.body, box.end))
    return found


@dataclass(frozen=True, slots=True)
class InitInfo:
    timescale: int
    handler: str  # "vide", "soun", ...
    codec: str  # RFC 6381 codec string, e.g. avc1.64001f or mp4a.40.2
    width: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class Fragment:
    """One ``moof`` + ``mdat`` pair."""

    offset: int  # byte offset of the moof in the segment file
    size: int  # moof + mdat bytes
    decode_time: int  # tfdt, in track timescale
    duration: int
    samples: int
    first_sample_sync: bool
    first_sample_size: int
    # moof + mdat header + the first sample: the bytes an I-frame playlist points at.
    first_sample_end: int
    sync_samples: tuple[int, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    fragments: tuple[Fragment, ...]
    size: int

    @property
    def decode_time(self) -> int:
        return self.fragments[0].decode_time

    @property
    def duration(self) -> int:
        return sum(f.duration for f in self.fragments)

    @property
    def samples(self) -> int:
        return sum(f.samples for f in self.fragments)

    @property
    def starts_with_sync(self) -> bool:
        return self.fragments[0].first_sample_sync


def _full_box(data: bytes | bytearray, box: Box) -> tuple[int, int]:
    version_flags = struct.unpack_from(">I", data, box.body)[0]
    return version_flags >> 24, version_flags & 0xFFFFFF


def read_init(data: bytes) -> InitInfo:
    """Timescale, handler and codec string of the single track in an init segment."""
    mdhd = find(data, [b"moov", b"trak", b"mdia", b"mdhd"])
    hdlr = find(data, [b"moov", b"trak", b"mdia", b"hdlr"])
    stsd = find(data, [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd"])
    if not (mdhd and hdlr and stsd):
        raise Mp4Error("not an init segment: no moov/trak/mdia with mdhd, hdlr and stsd")
    version, _ = _full_box(data, mdhd[0])
    offset = mdhd[0].body + (20 if version == 1 else 12)
    (timescale,) = struct.unpack_from(">I", data, offset)
    handler = data[hdlr[0].body + 8 : hdlr[0].body + 12].decode("ascii", "replace")
    entry = next(iter_boxes(data, stsd[0].body + 8, stsd[0].end))
    codec, width, height = _codec_string(data, entry)
    return InitInfo(timescale=timescale, handler=handler, codec=codec, width=width, height=height)


def _codec_string(data: bytes, entry: Box) -> tuple[str, int, int]:
    fourcc = entry.type.decode("ascii", "replace")
    if fourcc in ("avc1", "avc3", "hvc1", "hev1", "av01"):
        width, height = struct.unpack_from(">HH", data, entry.body + 24)
        children = entry.body + 78  # VisualSampleEntry fields
        for child in iter_boxes(data, children, entry.end):
            body = data[child.body : child.end]
            if child.type == b"avcC" and len(body) >= 4:
                return f"{fourcc}.{body[1]:02x}{body[2]:02x}{body[3]:02x}", width, height
            if child.type == b"hvcC" and len(body) >= 13:
                return _hevc_string(fourcc, body), width, height
            if child.type == b"av1C" and len(body) >= 3:
                return _av1_string(body), width, height
        return fourcc, width, height
    if fourcc == "mp4a":
        for child in iter_boxes(data, entry.body + 28, entry.end):
            if child.type == b"esds":
                aot = _aac_object_type(data[child.body : child.end])
                return f"mp4a.40.{aot}", 0, 0
        return "mp4a.40.2", 0, 0
    return fourcc, 0, 0


def _aac_object_type(esds: bytes) -> int:
    # Walk ES_Descriptor (3) -> DecoderConfigDescriptor (4) -> DecoderSpecificInfo (5).
    pos = 4
    while pos < len(esds):
        tag = esds[pos]
        pos += 1
        length = 0
        for _ in range(4):
            byte = esds[pos]
            pos += 1
            length = (length << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        if tag == 3:
            pos += 3
        elif tag == 4:
            pos += 13
        elif tag == 5:
            return esds[pos] >> 3 if pos < len(esds) else 2
        else:
            pos += length
    return 2


def _hevc_string(fourcc: str, body: bytes) -> str:
    profile_space = body[1] >> 6
    tier = "H" if body[1] & 0x20 else "L"
    profile_idc = body[1] & 0x1F
    compat = int.from_bytes(body[2:6], "big")
    compat_rev = int(f"{compat:032b}"[::-1], 2)
    level = body[12]
    constraints = body[6:12].rstrip(b"\x00")
    parts = [
        fourcc,
        ("ABC"[profile_space - 1] if profile_space else "") + str(profile_idc),
        f"{compat_rev:x}",
        f"{tier}{level}",
    ]
    parts.extend(f"{b:x}" for b in constraints)
    return ".".join(parts)


def _av1_string(body: bytes) -> str:
    profile = body[1] >> 5
    level = body[1] & 0x1F
    tier = "H" if body[2] & 0x80 else "M"
    high_bitdepth = bool(body[2] & 0x40)
    twelve = bool(body[2] & 0x20)
    depth = 12 if twelve else (10 if high_bitdepth else 8)
    return f"av01.{profile}.{level:02d}{tier}.{depth:02d}"


def read_segment(data: bytes | bytearray) -> SegmentInfo:
    """Timing and sync information of every fragment in a media segment."""
    fragments: list[Fragment] = []
    boxes = list(iter_boxes(data))
    for i, box in enumerate(boxes):
        if box.type != b"moof":
            continue
        mdat = boxes[i + 1] if i + 1 < len(boxes) and boxes[i + 1].type == b"mdat" else None
        if mdat is None:
            raise Mp4Error(f"moof at {box.start} is not followed by an mdat")
        fragments.append(_fragment(data, box, mdat))
    if not fragments:
        raise Mp4Error("no moof box: not a media segment")
    return SegmentInfo(fragments=tuple(fragments), size=len(data))


@dataclass(frozen=True, slots=True)
class _Sample:
    duration: int
    size: int
    flags: int
    offset: int  # composition time offset: presentation minus decode time


def _track_run(data: bytes | bytearray, traf: Box) -> tuple[int, list[_Sample]]:
    """A ``traf``'s decode time (``tfdt``) and samples (every ``trun``, with the
    ``tfhd`` defaults filled in)."""
    default_duration = 0
    default_size = 0
    default_flags = 0
    decode_time = 0
    samples: list[_Sample] = []
    for child in iter_boxes(data, traf.body, traf.end):
        version, box_flags = _full_box(data, child)
        pos = child.body + 4
        if child.type == b"tfhd":
            pos += 4  # track_ID
            if box_flags & 0x01:
                pos += 8
            if box_flags & 0x02:
                pos += 4
            if box_flags & 0x08:
                (default_duration,) = struct.unpack_from(">I", data, pos)
                pos += 4
            if box_flags & 0x10:
                (default_size,) = struct.unpack_from(">I", data, pos)
                pos += 4
            if box_flags & 0x20:
                (default_flags,) = struct.unpack_from(">I", data, pos)
        elif child.type == b"tfdt":
            fmt = ">Q" if version == 1 else ">I"
            (decode_time,) = struct.unpack_from(fmt, data, pos)
        elif child.type == b"trun":
            (count,) = struct.unpack_from(">I", data, pos)
            pos += 4
            if box_flags & 0x01:
                pos += 4
            first_flags = None
            if box_flags & 0x04:
                (first_flags,) = struct.unpack_from(">I", data, pos)
                pos += 4
            for n in range(count):
                duration, size, sample_flags = default_duration, default_size, default_flags
                offset = 0
                if box_flags & 0x100:
                    (duration,) = struct.unpack_from(">I", data, pos)
                    pos += 4
                if box_flags & 0x200:
                    (size,) = struct.unpack_from(">I", data, pos)
                    pos += 4
                if box_flags & 0x400:
                    (sample_flags,) = struct.unpack_from(">I", data, pos)
                    pos += 4
                if box_flags & 0x800:
                    (offset,) = struct.unpack_from(">i" if version else ">I", data, pos)
                    pos += 4
                if n == 0 and first_flags is not None:
                    sample_flags = first_flags
                samples.append(_Sample(duration, size, sample_flags, offset))
    return decode_time, samples


def _fragment(data: bytes | bytearray, moof: Box, mdat: Box) -> Fragment:
    trafs = find(data, [b"traf"], moof.body, moof.end)
    if len(trafs) != 1:
        raise Mp4Error(f"expected one track per fragment, found {len(trafs)}")
    decode_time, samples = _track_run(data, trafs[0])
    if not samples:
        raise Mp4Error(f"fragment at {moof.start} has no samples")
    sync = tuple(i for i, sample in enumerate(samples) if not sample.flags & _NON_SYNC)
    return Fragment(
        offset=moof.start,
        size=moof.size + mdat.size,
        decode_time=decode_time,
        duration=sum(sample.duration for sample in samples),
        samples=len(samples),
        first_sample_sync=0 in sync,
        first_sample_size=samples[0].size,
        first_sample_end=mdat.body + samples[0].size,
        sync_samples=sync,
    )


def shift_segment(data: bytearray, ticks: int, sequence_offset: int = 0) -> None:
    """Add ``ticks`` to every ``tfdt`` and ``sequence_offset`` to every ``mfhd``, in place."""
    for moof in (b for b in iter_boxes(data) if b.type == b"moof"):
        for mfhd in find(data, [b"mfhd"], moof.body, moof.end):
            (seq,) = struct.unpack_from(">I", data, mfhd.body + 4)
            struct.pack_into(">I", data, mfhd.body + 4, seq + sequence_offset)
        for tfdt in find(data, [b"traf", b"tfdt"], moof.body, moof.end):
            version, _ = _full_box(data, tfdt)
            pos = tfdt.body + 4
            if version == 1:
                (value,) = struct.unpack_from(">Q", data, pos)
                struct.pack_into(">Q", data, pos, value + ticks)
            else:
                (value,) = struct.unpack_from(">I", data, pos)
                if value + ticks >= 1 << 32:
                    raise Mp4Error("tfdt overflows a version-0 box; cannot shift in place")
                struct.pack_into(">I", data, pos, value + ticks)


def drop_boxes(data: bytes, drop: frozenset[bytes] = frozenset({b"edts"})) -> bytes:
    """``data`` without the boxes named in ``drop`` (anywhere under moov/trak), with
    every enclosing box's size fixed. Used to remove edit lists from video init
    segments: with negative composition offsets the first frame is presented at its
    decode time, and CMAF players then need no edit list to line tracks up."""
    return _rebuild(data, 0, len(data), drop)


def _rebuild(data: bytes, start: int, end: int, drop: frozenset[bytes]) -> bytes:
    out = bytearray()
    for box in iter_boxes(data, start, end):
        if box.type in drop:
            continue
        if box.type in (b"moov", b"trak"):
            body = _rebuild(data, box.body, box.end, drop)
            out += struct.pack(">I4s", len(body) + 8, box.type) + body
        else:
            out += data[box.start : box.end]
    return bytes(out)


def display_prefix(fragment: bytes) -> list[int]:
    """For each sample of a one-track ``moof`` + ``mdat`` fragment, in decode order, its
    place in display order (from the durations and composition offsets in ``trun``)."""
    moof, _ = _fragment_boxes(fragment)
    return _display_places(_track_run(fragment, _one_run(fragment, moof)[0])[1])


def _display_places(samples: list[_Sample]) -> list[int]:
    dts, times = 0, []
    for sample in samples:
        times.append(dts + sample.offset)
        dts += sample.duration
    place = [0] * len(samples)
    for rank, i in enumerate(sorted(range(len(samples)), key=lambda i: times[i])):
        place[i] = rank
    return place


def keep_for_display(fragment: bytes, frames: int) -> tuple[bytes, int]:
    """The fragment cut to its shortest decode-order prefix that holds its first
    ``frames`` frames in display order, and how many samples that prefix has.

    Any prefix decodes (a frame only references frames decoded before it). ``trun``
    loses the entries cut, ``traf``/``moof`` shrink with it (and ``data_offset``, which
    counts from the ``moof``), ``mdat`` keeps the kept samples' bytes. A fragment with
    more in its ``traf`` than ``tfhd``/``tfdt``/``trun`` is returned whole."""
    moof, mdat = _fragment_boxes(fragment)
    traf, trun = _one_run(fragment, moof)
    samples = _track_run(fragment, traf)[1]
    place = _display_places(samples)
    keep, seen = 0, 0
    needed = min(frames, len(place))
    while seen < needed:
        if place[keep] < needed:
            seen += 1
        keep += 1
    kinds = {b.type for b in iter_boxes(fragment, traf.body, traf.end)}
    if keep == len(place) or not kinds <= {b"tfhd", b"tfdt", b"trun"}:
        return fragment, len(place)
    _, flags = _full_box(fragment, trun)
    head = 8 + (4 if flags & 0x01 else 0) + (4 if flags & 0x04 else 0)
    entry = 4 * bin(flags & 0xF00).count("1")
    if flags & 0x01:
        (data_offset,) = struct.unpack_from(">i", fragment, trun.body + 8)
        if moof.start + data_offset != mdat.body:
            return fragment, len(place)
    cut = (len(place) - keep) * entry
    out = bytearray(fragment[: trun.body + head + keep * entry])
    out += fragment[trun.end : moof.end]
    struct.pack_into(">I", out, trun.body + 4, keep)
    for box in (moof, traf, trun):
        _resize(out, box, -cut)
    if flags & 0x01:
        struct.pack_into(">i", out, trun.body + 8, mdat.body - cut - moof.start)
    payload = sum(sample.size for sample in samples[:keep])
    out += struct.pack(">I4s", 8 + payload, b"mdat")
    out += fragment[mdat.body : mdat.body + payload]
    return bytes(out), keep


def _fragment_boxes(fragment: bytes) -> tuple[Box, Box]:
    boxes = list(iter_boxes(fragment))
    if [b.type for b in boxes] != [b"moof", b"mdat"] or boxes[1].header != 8:
        raise Mp4Error("expected exactly one moof and one mdat")
    return boxes[0], boxes[1]


def _one_run(fragment: bytes, moof: Box) -> tuple[Box, Box]:
    """The ``traf`` and ``trun`` of a fragment with one track and one track run."""
    trafs = find(fragment, [b"traf"], moof.body, moof.end)
    truns = find(fragment, [b"traf", b"trun"], moof.body, moof.end)
    if len(trafs) != 1 or len(truns) != 1:
        raise Mp4Error("expected one track run per fragment")
    return trafs[0], truns[0]


def _resize(data: bytearray, box: Box, delta: int) -> None:
    if box.header != 8:
        raise Mp4Error(f"cannot resize a large-size {box.type!r} box")
    struct.pack_into(">I", data, box.start, box.size + delta)
