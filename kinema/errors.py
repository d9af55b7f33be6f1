"""The core's exception tree.

    KinemaError                  every error Kinema raises on purpose
    ├── ConfigError              settings that cannot work (bad URL, placeholder secret)
    └── MediaToolError           ffmpeg/ffprobe missing or failing
        └── EncoderUnavailable   an encoder failed its trial encode

Components derive their own trees from ``KinemaError``; third-party errors are wrapped
with ``raise ... from`` so a user sees one line: what failed, on which input, what to do.
"""


class KinemaError(Exception):
    """Base of every error Kinema raises on purpose."""


class ConfigError(KinemaError):
    """The configured settings cannot work."""


class MediaToolError(KinemaError):
    """ffmpeg or ffprobe is missing or failed."""


class EncoderUnavailable(MediaToolError):
    """An encoder is listed by ffmpeg but cannot open on this machine."""
