"""Turn ffmpeg's per-GOP pieces into numbered CMAF segments, as they complete.

ffmpeg's hls muxer writes one ``moof``+``mdat`` piece per GOP (``piece_00000.m4s``...)
and names each in its own ``ff.m3u8`` once the piece is complete. A
:class:`Segmenter` picks those up while ffmpeg runs (the pipeline polls it on every
progress report), joins pieces into segments of ``segment_frames`` frames, moves them
to the chunk's true place on the timeline (``tfdt`` shift) and writes
``seg_NNNNN.m4s`` into the rendition's output folder, where the sink uploads it. The
segment list it keeps (durations, sizes, fragment byte ranges) is everything the
manifests need, so packaging never re-reads a segment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kinema_transcoder import mp4
from kinema_transcoder.report import FragmentRecord, RenditionRecord, SegmentRecord

SEGMENT_NAME = "seg_{:05d}.m4s"
INIT_NAME = "init.mp4"


def listed_pieces(playlist: Path) -> list[str]:
    """Piece names ffmpeg has finished, in order (``temp_file`` makes listing atomic)."""
    try:
        text = playlist.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass
class Segmenter:
    """One rendition's pieces -> segments.

    ``segment_frames`` groups video pieces by frame count (segment boundaries are
    keyframes by construction); ``None`` makes every piece a segment (audio, where the
    muxer already cuts at the segment length). ``shift_ticks`` moves a chunk's
    timeline to its place; ``first_number`` numbers its first segment.
    """

    name: str
    work_dir: Path
    out_dir: Path
    segment_frames: int | None
    first_number: int = 1
    shift_start: tuple[int, int] = (0, 1)  # chunk start in seconds as a fraction
    sequence_offset: int = 0
    strip_edit_list: bool = True
    write_init: bool = True
    on_file: Callable[[Path], None] | None = None
    record: RenditionRecord | None = None
    _done: int = 0  # pieces consumed
    _pending: list[tuple[bytes, mp4.SegmentInfo]] = field(default_factory=list)
    _shift: int | None = None
    init_data: bytes = b""

    def _init(self) -> RenditionRecord | None:
        if self.record is not None:
            return self.record
        path = self.work_dir / INIT_NAME
        if not path.exists() or not listed_pieces(self.work_dir / "ff.m3u8"):
            return None
        data = path.read_bytes()
        if self.strip_edit_list:
            data = mp4.drop_boxes(data)
        info = mp4.read_init(data)
        self.init_data = data
        num, den = self.shift_start
        self._shift = (num * info.timescale) // den if num else 0
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.write_init:
            (self.out_dir / INIT_NAME).write_bytes(data)
            if self.on_file:
                self.on_file(self.out_dir / INIT_NAME)
        self.record = RenditionRecord(
            name=self.name,
            timescale=info.timescale,
            codec=info.codec,
            width=info.width,
            height=info.height,
            init_sha256=hashlib.sha256(data).hexdigest(),
        )
        return self.record

    def poll(self) -> int:
        """Consume newly completed pieces; returns how many segments were written."""
        if self._init() is None:
            return 0
        names = listed_pieces(self.work_dir / "ff.m3u8")
        written = 0
        for name in names[self._done :]:
            piece = self.work_dir / name
            data = bytearray(piece.read_bytes())
            mp4.shift_segment(data, self._shift or 0, self.sequence_offset)
            self._pending.append((bytes(data), mp4.read_segment(data)))
            piece.unlink()
            self._done += 1
            if self.segment_frames is None:
                # Audio: one piece per segment, but hold the newest back so a sliver
                # left at the very end can join its predecessor (see finish()).
                if len(self._pending) > 1:
                    held = self._pending.pop()
                    self._emit()
                    self._pending = [held]
                    written += 1
            elif self._frames() >= self.segment_frames:
                self._emit()
                written += 1
        return written

    def finish(self) -> RenditionRecord:
        """Flush the last (possibly short) segment once ffmpeg has exited."""
        self.poll()
        if self._pending and not self._merge_sliver():
            self._emit()
        if self.record is None:
            raise mp4.Mp4Error(f"{self.name}: ffmpeg wrote no init segment or no media")
        return self.record

    def _merge_sliver(self) -> bool:
        """Append a final audio piece under a quarter of the previous segment to it.

        The AAC encoder's flush leaves a few milliseconds after the last full segment;
        as a segment of its own it would only inflate the peak bitrate."""
        record = self.record
        if self.segment_frames is not None or record is None or not record.segments:
            return False
        if len(self._pending) != 1:
            return False
        data, info = self._pending[0]
        prev = record.segments[-1]
        if info.duration * 4 >= prev.duration:
            return False
        prev_path = self.out_dir / prev.uri
        with prev_path.open("ab") as out:
            out.write(data)
        moved = [
            FragmentRecord(
                offset=prev.size + f.offset,
                size=f.size,
                decode_time=f.decode_time,
                duration=f.duration,
                samples=f.samples,
                sync=f.first_sample_sync,
                iframe_end=prev.size + f.first_sample_end,
            )
            for f in info.fragments
        ]
        record.segments[-1] = prev.model_copy(
            update={
                "duration": prev.duration + info.duration,
                "size": prev.size + len(data),
                "fragments": [*prev.fragments, *moved],
            }
        )
        self._pending = []
        if self.on_file:
            self.on_file(prev_path)
        return True

    def _frames(self) -> int:
        return sum(info.samples for _, info in self._pending)

    def _emit(self) -> None:
        record = self.record
        if record is None:  # pragma: no cover - _init ran before any piece was read
            raise mp4.Mp4Error(f"{self.name}: segment before init")
        number = self.first_number + len(record.segments)
        name = SEGMENT_NAME.format(number)
        data = b"".join(chunk for chunk, _ in self._pending)
        fragments: list[FragmentRecord] = []
        offset = 0
        for chunk, info in self._pending:
            for frag in info.fragments:
                fragments.append(
                    FragmentRecord(
                        offset=offset + frag.offset,
                        size=frag.size,
                        decode_time=frag.decode_time,
                        duration=frag.duration,
                        samples=frag.samples,
                        sync=frag.first_sample_sync,
                        iframe_end=offset + frag.first_sample_end,
                    )
                )
            offset += len(chunk)
        path = self.out_dir / name
        path.write_bytes(data)
        record.segments.append(
            SegmentRecord(
                number=number,
                uri=name,
                decode_time=fragments[0].decode_time,
                duration=sum(f.duration for f in fragments),
                size=len(data),
                starts_with_keyframe=fragments[0].sync,
                fragments=fragments,
            )
        )
        self._pending = []
        if self.on_file:
            self.on_file(path)
