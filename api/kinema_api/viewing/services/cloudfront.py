"""CloudFront signed cookies, scoped so a viewer's plan still caps what they can fetch.

With ``KINEMA_CLOUDFRONT_DOMAIN`` set, media files come from CloudFront, which checks
signed cookies (a custom policy: one resource pattern and an expiry, signed with the
key group's RSA key, SHA-1, in CloudFront's URL-safe base64). One cookie set covers one
policy, so a plan cap cannot be a single wildcard over the video's output. Instead:

- the HLS master and the DASH MPD are still served by the API behind the signed
  playback URL, filtered to the plan, with their references made absolute on the
  CloudFront domain (media playlists, segments, subtitles);
- each folder the viewer may read (``video/<rung>/`` of every rung at or below the
  cap, ``audio/<track>/``, ``subtitles/``, ``trickplay/``, ``posters/``) gets its own
  cookie set with ``Path`` = that folder and a policy whose resource is that folder's
  ``*``; top-level files (the thumbnails WebVTT) get one set each. Folders never nest,
  so a browser sends exactly one set per request, and no set covers a refused rung's
  folder: guessing a 1080p segment URL on CloudFront gets 403 from CloudFront.

Everything here is pure except :func:`sign`, which only uses the key it is given.
"""

from __future__ import annotations

import base64
import json
import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from io import StringIO

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kinema.errors import ConfigError

POLICY_COOKIE = "CloudFront-Policy"
SIGNATURE_COOKIE = "CloudFront-Signature"
KEY_PAIR_COOKIE = "CloudFront-Key-Pair-Id"
# Output folders every viewer of a video may read (never a video rung's folder).
SHARED_FOLDERS = ("audio", "subtitles", "trickplay", "posters")


def cf_b64(data: bytes) -> str:
    """Base64 with CloudFront's substitutions (``+`` -> ``-``, ``=`` -> ``_``, ``/`` -> ``~``)."""
    return base64.b64encode(data).decode().translate(str.maketrans("+=/", "-_~"))


def cf_b64decode(text: str) -> bytes:
    return base64.b64decode(text.translate(str.maketrans("-_~", "+=/")))


def policy(resource: str, expires: int) -> str:
    """A custom policy: ``resource`` (``*`` wildcards allowed) until ``expires`` (epoch s)."""
    statement = {"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}
    return json.dumps({"Statement": [statement]}, separators=(",", ":"))


@cache
def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            "KINEMA_CLOUDFRONT_PRIVATE_KEY is not an unencrypted PEM private key"
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError("KINEMA_CLOUDFRONT_PRIVATE_KEY must be an RSA key (CloudFront's kind)")
    return key


def sign(policy_text: str, private_key_pem: str) -> str:
    """CloudFront's signature of a policy: RSA PKCS#1 v1.5 over SHA-1, CloudFront base64."""
    key = load_private_key(private_key_pem)
    signature = key.sign(policy_text.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    return cf_b64(signature)


@dataclass(frozen=True, slots=True)
class Cookie:
    name: str
    value: str
    path: str


def cookie_set(
    *, resource: str, path: str, expires: int, key_pair_id: str, private_key_pem: str
) -> list[Cookie]:
    text = policy(resource, expires)
    return [
        Cookie(POLICY_COOKIE, cf_b64(text.encode()), path),
        Cookie(SIGNATURE_COOKIE, sign(text, private_key_pem), path),
        Cookie(KEY_PAIR_COOKIE, key_pair_id, path),
    ]


def readable_scopes(
    *,
    allowed: Iterable[str],
    denied: Iterable[str],
    shared_files: Iterable[str | None] = (),
) -> tuple[list[str], list[str]]:
    """(folders, top-level files) a viewer may read, relative to the output root. Pure.

    ``allowed`` and ``denied`` are the rendition playlists' paths (``video/480p/index.m3u8``)
    at or below and above the plan's cap. A folder is left out when a denied rung's
    folder is inside it (or is it), so no cookie can reach a refused rung.
    """
    denied_dirs = {posixpath.dirname(p) for p in denied if posixpath.dirname(p)}

    def safe(folder: str) -> bool:
        return bool(folder) and not any(
            d == folder or d.startswith(folder + "/") for d in denied_dirs
        )

    folders = sorted(
        {d for d in (posixpath.dirname(p) for p in allowed) if safe(d)}
        | {f for f in SHARED_FOLDERS if safe(f)}
    )
    files = sorted(
        {f for f in shared_files if f and "/" not in f and not f.endswith((".m3u8", ".mpd"))}
    )
    return folders, files


def signed_cookies(
    *,
    domain: str,
    base_path: str,
    folders: Sequence[str],
    files: Sequence[str],
    expires: int,
    key_pair_id: str,
    private_key_pem: str,
) -> list[Cookie]:
    """One cookie set per folder (``Path=/<base>/<folder>/``) and per top-level file."""
    base = "/" + base_path.strip("/")
    # A folder's policy covers everything below it; a file's, that file alone.
    scopes = [(f"{base}/{folder}/", "*") for folder in folders]
    scopes += [(f"{base}/{name}", "") for name in files]
    out: list[Cookie] = []
    for path, wildcard in scopes:
        out += cookie_set(
            resource=f"https://{domain}{path}{wildcard}",
            path=path,
            expires=expires,
            key_pair_id=key_pair_id,
            private_key_pem=private_key_pem,
        )
    return out


def absolute_master(master: str, *, master_path: str, base_url: str) -> str:
    """The (already filtered) HLS master with every URI made absolute under ``base_url``
    (the output root on CloudFront). Pure."""
    folder = posixpath.dirname(master_path)

    def absolute(ref: str) -> str:
        if "://" in ref:
            return ref
        joined = posixpath.normpath(posixpath.join(folder, ref)) if folder else ref
        return f"{base_url.rstrip('/')}/{joined.lstrip('/')}"

    out: list[str] = []
    for line in master.splitlines():
        if line and not line.startswith("#"):
            out.append(absolute(line.strip()))
        elif 'URI="' in line:
            head, _, rest = line.partition('URI="')
            ref, _, tail = rest.partition('"')
            out.append(f'{head}URI="{absolute(ref)}"{tail}')
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def with_base_url(mpd: str, *, mpd_path: str, base_url: str) -> str:
    """The MPD with an MPD-level ``BaseURL`` pointing at the output on CloudFront, so
    its relative segment templates (and subtitle BaseURLs) resolve there. Pure."""
    folder = posixpath.dirname(mpd_path)
    target = f"{base_url.rstrip('/')}/{folder + '/' if folder else ''}"
    for _event, (prefix, uri) in ET.iterparse(StringIO(mpd), events=("start-ns",)):  # noqa: S314
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(mpd)  # noqa: S314 - our own transcoder's output
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    element = ET.Element(f"{{{namespace}}}BaseURL" if namespace else "BaseURL")
    element.text = target
    # Schema order: ProgramInformation first, then BaseURL.
    at = sum(1 for child in root if child.tag.endswith("ProgramInformation"))
    root.insert(at, element)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
