"""Which network addresses a source URL may reach.

A Video's ``https://`` source is chosen by whoever writes the Video, but the transcoder
fetches it from inside the cluster, where loopback, private and link-local addresses
lead to things no Video author should read: the cloud metadata endpoint
(169.254.169.254, which hands out the node's credentials), the kube-apiserver, in-cluster
services. So every host a source URL names, on every redirect hop, is resolved and each
of its addresses must be public, unless ``KINEMA_ALLOW_PRIVATE_SOURCES`` says the
deployment trusts its Video authors (and tests, whose servers listen on 127.0.0.1).

Shaped in two layers: :func:`refusal` is pure (one address in, the reason it is not
public or None out) and unit-tested with one-line cases; :func:`check_url` adds the DNS
lookup, through a ``resolve`` argument so the pure rule can be tested against any
answer. Following redirects, which needs HTTP, lives in :mod:`kinema_transcoder.sources`.

A host's addresses are all checked, not just the first: a name with one public and one
private record would otherwise reach the private one whenever the resolver or the
client's address selection prefers it. What this cannot stop is a name that resolves to
a public address here and to a private one when ffmpeg looks it up a moment later (DNS
rebinding); an egress NetworkPolicy on the Jobs is the layer that covers that.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

import httpx

from kinema_transcoder.errors import SourceUnreachable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]

ALLOW_SETTING = "KINEMA_ALLOW_PRIVATE_SOURCES"

# 100.64.0.0/10 is neither "private" nor "global" to Python: name it ourselves.
_SHARED = ipaddress.ip_network("100.64.0.0/10")
# NAT64's well-known prefix maps IPv4 addresses into IPv6 (RFC 6052): a gateway turns
# 64:ff9b::a9fe:a9fe into 169.254.169.254.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: Address) -> str | None:
    """Why a source may not be fetched from ``address`` (``"loopback"``, ``"private"``...),
    or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return refusal(inner)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _SHARED, "carrier-grade NAT"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        # Whatever else IANA marks as not globally reachable (documentation, benchmarking,
        # Teredo, ...): only the public internet is a source nobody needs to vouch for.
        (not address.is_global, "non-public"),
    )
    return next((reason for hit, reason in checks if hit), None)


def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def first_refused(addresses: Iterable[str]) -> tuple[str, str] | None:
    """The first address that is refused and why, or None when all are public."""
    for text in addresses:
        try:
            # A link-local IPv6 answer may carry its interface (fe80::1%eth0).
            address = ipaddress.ip_address(text.partition("%")[0])
        except ValueError:
            return text, "unparseable"
        reason = refusal(address)
        if reason is not None:
            return text, reason
    return None


def check_url(
    url: str, *, allow_private: bool, origin: str | None = None, resolve: Resolver = resolve
) -> None:
    """Refuse ``url`` unless it is http(s) and its host has only public addresses.

    ``origin`` is the source's own URL when ``url`` is where it redirected to. Raises
    :class:`SourceUnreachable` with one line naming the source, the address and the
    setting that would allow it; with ``allow_private`` only the scheme is checked.
    """
    refused = f"source {origin or url} refused: " + (
        f"it redirects to {url}, and " if origin else ""
    )
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise SourceUnreachable(f"{refused}that is not a valid URL ({exc})") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise SourceUnreachable(f"{refused}only http:// and https:// URLs with a host are fetched")
    if allow_private:
        return
    host = parsed.raw_host.decode("ascii")
    try:
        addresses = resolve(host)
    except (OSError, UnicodeError) as exc:
        raise SourceUnreachable(
            f"cannot reach source {origin or url}: {host} does not resolve ({exc})"
        ) from exc
    if not addresses:
        raise SourceUnreachable(f"cannot reach source {origin or url}: {host} has no address")
    found = first_refused(addresses)
    if found is not None:
        address, reason = found
        at = host if address == host else f"{host} resolves to {address}, which"
        article = "an" if reason[0] in "aeiou" else "a"
        raise SourceUnreachable(
            f"{refused}{at} is {article} {reason} address; "
            f"set {ALLOW_SETTING}=true to fetch sources from private networks"
        )
