"""Keys derived from the signing secret, one per purpose.

Below every layer that uses them: the context derives the playback key at start-up,
and the playback services sign and verify tokens with it.
"""

from __future__ import annotations

import hashlib
import hmac


def derive_key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"kinema:{purpose}".encode(), hashlib.sha256).digest()
