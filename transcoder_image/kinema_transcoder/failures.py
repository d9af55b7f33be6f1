"""What an ffmpeg failure means for the user: one :class:`TranscodeError`, no secrets.

Every ffmpeg run of the transcoder (probe, encode, sprites, quality pass) fails through
:func:`classify_ffmpeg`, so the same stderr always becomes the same error code and line:
a full disk is the output's fault, a refused connection the source's, undecodable data
an unsupported source, anything else a failed encode. Messages end up in ``kinema.json``,
a pod's termination message, a condition and an Event, so a presigned URL's signature
is redacted before it can reach any of them.
"""

from __future__ import annotations

import re

from kinema import ffmpeg
from kinema_transcoder.errors import (
    EncodeFailed,
    OutputFailed,
    SourceUnreachable,
    TranscodeError,
    UnsupportedSource,
)

# The query of a presigned URL carries its signature: it must never reach a message that
# ends up in kinema.json, a pod's termination message, a condition or an Event.
_SIGNED_QUERY = re.compile(r"\?[^\s'\":]*Signature=[^\s'\":&]*(&[^\s'\":]*)?")


def redact_signed_urls(text: str) -> str:
    return _SIGNED_QUERY.sub("?<signed>", text)


def classify_ffmpeg(exc: ffmpeg.FfmpegFailed, source: str, outdir: str) -> TranscodeError:
    text = f"{exc}\n{exc.stderr_tail}"
    detail = redact_signed_urls(str(exc))
    if "No space left on device" in text:
        return OutputFailed(f"no space left on device while writing {outdir}")
    if any(m in text for m in ("Connection refused", "Server returned", "Failed to resolve")):
        return SourceUnreachable(f"cannot read source {source}: {detail}")
    unreadable = ("Invalid data found", "moov atom not found", "Decoder", "decoder", "corrupt")
    if any(m in text for m in unreadable):
        return UnsupportedSource(f"{source} cannot be decoded: {detail}")
    return EncodeFailed(f"encoding {source} failed: {detail}")
