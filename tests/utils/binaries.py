"""Where the harness finds the executables of the services it starts.

* Go-built services (kube-apiserver, etcd, versitygw, stripe-mock, ...) live in
  ``${KINEMA_CACHE:-~/.cache/kinema}/bin/``, put there by ``scripts/bootstrap``.
* PostgreSQL's server binaries are not on PATH on Debian: they live in
  ``/usr/lib/postgresql/<major>/bin/``; the newest major wins.
* ``redis-server`` and ``chromium`` come from Debian packages on PATH.

Every lookup either returns an existing executable or raises ``BinaryNotFound`` whose
message names the binary and says to run ``scripts/bootstrap``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.utils.errors import BinaryNotFound

CHROMIUM = Path("/usr/bin/chromium")
POSTGRES_ROOT = Path("/usr/lib/postgresql")


def cache_dir() -> Path:
    """Kinema's download and build cache (``KINEMA_CACHE`` overrides the default)."""
    configured = os.environ.get("KINEMA_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "kinema"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def go_binary(name: str) -> Path:
    """A binary from the Go-built tool cache, e.g. ``go_binary("etcd")``."""
    path = cache_dir() / "bin" / name
    if not _executable(path):
        raise BinaryNotFound(name, str(path.parent))
    return path


def _postgres_major(bin_dir: Path) -> int:
    try:
        return int(bin_dir.parent.name)
    except ValueError:
        return -1


def postgres_binary(name: str) -> Path:
    """A PostgreSQL server binary (``initdb``, ``postgres``) of the newest installed major."""
    candidates = sorted(POSTGRES_ROOT.glob("*/bin"), key=_postgres_major, reverse=True)
    for bin_dir in candidates:
        if _executable(bin_dir / name):
            return bin_dir / name
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    raise BinaryNotFound(name, f"{POSTGRES_ROOT}/*/bin and PATH")


def system_binary(name: str) -> Path:
    """A binary installed by a Debian package, found on PATH."""
    found = shutil.which(name)
    if not found:
        raise BinaryNotFound(name, "PATH")
    return Path(found)


def chromium() -> Path:
    """Debian's Chromium, which Playwright drives instead of a downloaded browser."""
    if _executable(CHROMIUM):
        return CHROMIUM
    return system_binary("chromium")
