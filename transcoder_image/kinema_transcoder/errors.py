"""The transcoder's exception tree.

    KinemaError
    └── TranscodeError            a transcode or package run failed
        ├── BadSource             the source is not something we can encode
        │   ├── SourceUnreachable the source (URL, S3 object, path) cannot be read
        │   └── UnsupportedSource no video, absurd size, undecodable codec, corrupt
        ├── BadArguments          a command-line value that cannot work (--chunk 5/4 ...)
        ├── EncodeFailed          ffmpeg failed while encoding (its telling line kept)
        ├── OutputFailed          writing OUTDIR failed (full disk, store refused)
        └── PackageFailed         chunks missing, inconsistent or failed

Each carries one line for the user (what failed, on which input, what to do); the
``code`` is what ``kinema.json``'s error object names. Errors from the core (ffmpeg,
storage, ladder) are wrapped with ``raise ... from`` at the pipeline's edge.
"""

from __future__ import annotations

from kinema.errors import KinemaError


class TranscodeError(KinemaError):
    code = "transcode_failed"


class BadSource(TranscodeError):
    code = "bad_source"


class SourceUnreachable(BadSource):
    code = "source_unreachable"


class UnsupportedSource(BadSource):
    code = "unsupported_source"


class BadArguments(TranscodeError):
    code = "bad_arguments"


class EncodeFailed(TranscodeError):
    code = "encode_failed"


class OutputFailed(TranscodeError):
    code = "output_failed"


class PackageFailed(TranscodeError):
    code = "package_failed"
