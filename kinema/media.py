"""What a media file holds, as Kinema reads it: the probe summary.

``summarize_probe`` turns ffprobe's JSON (``-show_format -show_streams``) into a small
typed :class:`ProbeSummary` that the ladder planner, the transcoder's ``kinema.json``,
the operator's Video status and the API all read. It is pure (no subprocess here) so it
is tested on captured ffprobe output; running ffprobe is the transcoder's job.

Field names serialize in camelCase (``displayWidth``) because the summary also lands in
the Video resource's status.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field
from pydantic.alias_generators import to_camel

# Transfer characteristics that mean HDR: PQ (HDR10, Dolby Vision base) and HLG.
HDR_TRANSFERS = frozenset({"smpte2084", "arib-std-b67"})
# Subtitle codecs ffmpeg can turn into WebVTT; bitmap ones (PGS, DVB) cannot.
TEXT_SUBTITLE_CODECS = frozenset({"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"})
# A relative difference between r_frame_rate and avg_frame_rate above this means VFR.
_VFR_TOLERANCE = 0.01


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class VideoInfo(_Model):
    """The first video stream (attached pictures such as cover art are skipped)."""

    index: int
    codec: str
    profile: str | None = None
    width: int = Field(description="Coded width in pixels, before rotation.")
    height: int = Field(description="Coded height in pixels, before rotation.")
    sample_aspect_ratio: str = Field(default="1:1", description="Pixel shape, W:H.")
    rotation: int = Field(default=0, description="Display rotation in degrees (0, 90, 180 or 270).")
    pix_fmt: str | None = None
    bit_depth: int = 8
    frame_rate: str = Field(description="Frame rate as a fraction, e.g. 30000/1001.")
    vfr: bool = Field(default=False, description="Variable frame rate detected.")
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_space: str | None = None
    bit_rate: int | None = None
    frames: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def display_width(self) -> int:
        return self._shown()[0]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def display_height(self) -> int:
        return self._shown()[1]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fps(self) -> float:
        return round(float(parse_rate(self.frame_rate)), 3)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hdr(self) -> bool:
        return self.color_transfer in HDR_TRANSFERS

    def _shown(self) -> tuple[int, int]:
        """Size as displayed: square pixels, then rotated."""
        sar = parse_rate(self.sample_aspect_ratio.replace(":", "/"), default=Fraction(1))
        width = round(self.width * sar) if sar > 0 else self.width
        if self.rotation in (90, 270):
            return self.height, width
        return width, self.height


class AudioInfo(_Model):
    index: int
    codec: str
    channels: int
    sample_rate: int | None = None
    language: str | None = None
    title: str | None = None
    default: bool = False


class SubtitleInfo(_Model):
    index: int
    codec: str
    language: str | None = None
    title: str | None = None
    text: bool = Field(description="A text track that can become WebVTT.")


class ProbeSummary(_Model):
    format_name: str
    duration: float = Field(description="Seconds.")
    size: int | None = Field(default=None, description="Bytes.")
    bit_rate: int | None = None
    video: VideoInfo | None = None
    audio: list[AudioInfo] = Field(default_factory=list)
    subtitles: list[SubtitleInfo] = Field(default_factory=list)


def parse_rate(text: str | None, default: Fraction = Fraction(0)) -> Fraction:
    """``"30000/1001"`` -> Fraction; ``"0/0"``, empty or junk -> ``default``."""
    if not text:
        return default
    try:
        num, _, den = text.partition("/")
        value = Fraction(int(num), int(den or "1"))
    except (ValueError, ZeroDivisionError):
        return default
    return value if value > 0 else default


def _rotation(stream: dict[str, Any]) -> int:
    """Rotation from the display matrix side data (ffprobe >= 5) or the legacy tag."""
    raw: Any = None
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            raw = side["rotation"]
            break
    if raw is None:
        raw = (stream.get("tags") or {}).get("rotate")
    try:
        degrees = round(float(raw)) if raw is not None else 0
    except (TypeError, ValueError):
        return 0
    # Only quarter turns change the displayed size; snap and normalize to 0..270.
    return (round(degrees / 90) * 90) % 360


def _bit_depth(stream: dict[str, Any]) -> int:
    raw = stream.get("bits_per_raw_sample")
    if raw and str(raw).isdigit():
        return int(raw)
    pix_fmt = str(stream.get("pix_fmt") or "")
    for depth in (16, 14, 12, 10, 9):
        if f"p{depth}" in pix_fmt:
            return depth
    return 8


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _video(stream: dict[str, Any]) -> VideoInfo:
    avg = parse_rate(stream.get("avg_frame_rate"))
    real = parse_rate(stream.get("r_frame_rate"))
    rate = avg or real
    vfr = bool(avg and real and abs(avg - real) / real > _VFR_TOLERANCE)
    return VideoInfo(
        index=int(stream["index"]),
        codec=str(stream.get("codec_name") or "unknown"),
        profile=stream.get("profile"),
        width=int(stream.get("width") or 0),
        height=int(stream.get("height") or 0),
        sample_aspect_ratio=_sar(stream.get("sample_aspect_ratio")),
        rotation=_rotation(stream),
        pix_fmt=stream.get("pix_fmt"),
        bit_depth=_bit_depth(stream),
        frame_rate=f"{rate.numerator}/{rate.denominator}" if rate else "0/1",
        vfr=vfr,
        color_transfer=stream.get("color_transfer"),
        color_primaries=stream.get("color_primaries"),
        color_space=stream.get("color_space"),
        bit_rate=_int(stream.get("bit_rate")),
        frames=_int(stream.get("nb_frames")),
    )


def _sar(raw: Any) -> str:
    text = str(raw or "1:1")
    num, _, den = text.partition(":")
    if not (num.isdigit() and den.isdigit()) or int(num) == 0 or int(den) == 0:
        return "1:1"
    return text


def summarize_probe(data: dict[str, Any]) -> ProbeSummary:
    """Reduce ffprobe's ``-show_format -show_streams -of json`` output to a summary."""
    fmt = data.get("format") or {}
    streams: list[dict[str, Any]] = list(data.get("streams") or [])
    video: VideoInfo | None = None
    audio: list[AudioInfo] = []
    subtitles: list[SubtitleInfo] = []
    durations: list[float] = []
    for stream in streams:
        kind = stream.get("codec_type")
        tags = stream.get("tags") or {}
        disposition = stream.get("disposition") or {}
        language = tags.get("language")
        language = None if language in (None, "und") else str(language)
        if kind == "video" and video is None and not disposition.get("attached_pic"):
            video = _video(stream)
            durations.append(_float(stream.get("duration")) or 0.0)
        elif kind == "audio":
            audio.append(
                AudioInfo(
                    index=int(stream["index"]),
                    codec=str(stream.get("codec_name") or "unknown"),
                    channels=int(stream.get("channels") or 0),
                    sample_rate=_int(stream.get("sample_rate")),
                    language=language,
                    title=tags.get("title"),
                    default=bool(disposition.get("default")),
                )
            )
        elif kind == "subtitle":
            codec = str(stream.get("codec_name") or "unknown")
            subtitles.append(
                SubtitleInfo(
                    index=int(stream["index"]),
                    codec=codec,
                    language=language,
                    title=tags.get("title"),
                    text=codec in TEXT_SUBTITLE_CODECS,
                )
            )
    duration = _float(fmt.get("duration")) or max(durations, default=0.0)
    return ProbeSummary(
        format_name=str(fmt.get("format_name") or "unknown"),
        duration=round(duration, 6),
        size=_int(fmt.get("size")),
        bit_rate=_int(fmt.get("bit_rate")),
        video=video,
        audio=audio,
        subtitles=subtitles,
    )
