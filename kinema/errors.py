"""The core's exception tree.

    KinemaError                  every error Kinema raises on purpose
    ├── ConfigError              settings that cannot work (bad URL, placeholder secret)
    ├── MediaToolError           ffmpeg/ffprobe missing or failing
    │   └── EncoderUnavailable   an encoder failed its trial encode
    └── StripeSyncError          mirroring plans into Stripe failed (kinema.billing)
        ├── StripeRejected       Stripe refused the request (the key, the parameters)
        └── StripeUnavailable    network, rate limit, Stripe's own errors: a retry may work
    └── RecommendInputError      a `kinema recommend` input file that cannot be read

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


class StripeSyncError(KinemaError):
    """A Stripe call made to mirror a plan into Stripe failed."""


class StripeRejected(StripeSyncError):
    """Stripe refused the request: the key or the plan must change before a retry helps."""


class StripeUnavailable(StripeSyncError):
    """Stripe could not be reached or failed on its side; a later retry may succeed."""


class RecommendInputError(KinemaError):
    """A ``kinema recommend`` input file is missing, empty or malformed."""
