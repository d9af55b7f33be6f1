"""Which sources a transcode may read: public addresses only, ``s3://`` from named buckets.

The address rule is pure and tested one address at a time; ``check_url`` is given the
DNS answer it would get, so a name with a private record is tested without one existing.
"""

from __future__ import annotations

import ipaddress

import pytest

from kinema.settings import Settings
from kinema_transcoder.errors import SourceUnreachable
from kinema_transcoder.netguard import check_url, refusal
from kinema_transcoder.sources import check_bucket, open_source, read_text


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "private"),  # the metadata endpoint over IPv6 (AWS Nitro)
        ("0.0.0.0", "unspecified"),  # noqa: S104 - the address under test, not a bind
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("192.0.2.10", "private"),  # documentation range
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("::7f00:1", "reserved"),  # IPv4-compatible 127.0.0.1 (deprecated form)
        ("2001:db8::1", "private"),  # documentation range
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("100.63.255.255", None),  # just below the shared range
        ("172.32.0.1", None),  # just above 172.16.0.0/12
        ("::ffff:8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_classification(address: str, reason: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


def _resolver(answers: dict[str, list[str]]):
    def resolve(host: str) -> list[str]:
        return answers[host]

    return resolve


def test_a_public_name_passes() -> None:
    resolve = _resolver({"cdn.example.com": ["93.184.216.34", "2606:2800:220:1::1"]})
    check_url("https://cdn.example.com/movie.mp4", allow_private=False, resolve=resolve)


def test_a_name_with_any_private_record_is_refused() -> None:
    resolve = _resolver({"mixed.example.com": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(SourceUnreachable) as caught:
        check_url("https://mixed.example.com/m.mp4", allow_private=False, resolve=resolve)
    assert str(caught.value) == (
        "source https://mixed.example.com/m.mp4 refused: mixed.example.com resolves to "
        "10.0.0.7, which is a private address; set KINEMA_ALLOW_PRIVATE_SOURCES=true to "
        "fetch sources from private networks"
    )


def test_the_metadata_endpoint_is_refused_by_address() -> None:
    resolve = _resolver({"169.254.169.254": ["169.254.169.254"]})
    url = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    with pytest.raises(SourceUnreachable, match=r"169\.254\.169\.254 is a link-local address"):
        check_url(url, allow_private=False, resolve=resolve)


def test_a_redirect_hop_names_the_source_and_the_target() -> None:
    resolve = _resolver({"::1": ["::1"]})
    with pytest.raises(SourceUnreachable) as caught:
        check_url(
            "http://[::1]:8080/x",
            allow_private=False,
            origin="https://cdn.example.com/m.mp4",
            resolve=resolve,
        )
    message = str(caught.value)
    assert message.startswith(
        "source https://cdn.example.com/m.mp4 refused: it redirects to http://[::1]:8080/x, "
        "and ::1 is a loopback address"
    ), message


def test_allowing_private_sources_skips_the_lookup() -> None:
    def no_dns(host: str) -> list[str]:
        raise AssertionError(f"looked up {host}")

    check_url("http://10.0.0.7/m.mp4", allow_private=True, resolve=no_dns)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://files.example.com/m.mp4", "gopher://x/", "http:///m.mp4"]
)
def test_only_http_urls_with_a_host(url: str) -> None:
    with pytest.raises(SourceUnreachable, match="only http:// and https:// URLs"):
        check_url(url, allow_private=True, resolve=_resolver({}))


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    def nxdomain(host: str) -> list[str]:
        raise OSError(-2, "Name or service not known")

    with pytest.raises(SourceUnreachable, match=r"cannot reach .*nowhere\.invalid does not"):
        check_url("https://nowhere.invalid/m.mp4", allow_private=False, resolve=nxdomain)


# s3:// sources ------------------------------------------------------------------------

# Nothing listens on port 9: a request would fail with "cannot read source", so a
# "refused: bucket" message shows the check came before any network call.
_SETTINGS = Settings(
    storage_url="s3://media/kinema",
    source_buckets=" archive , ingest,",
    s3_endpoint_url="http://127.0.0.1:9",
)


@pytest.mark.parametrize("url", ["s3://media/raw/m.mp4", "s3://archive/m.mkv", "s3://ingest/a/b"])
def test_configured_and_storage_buckets_are_allowed(url: str) -> None:
    check_bucket(url, _SETTINGS)


def test_an_unknown_bucket_is_refused_before_any_request() -> None:
    with pytest.raises(SourceUnreachable) as caught:
        open_source("s3://someone-elses/raw/m.mp4", _SETTINGS)
    assert str(caught.value) == (
        "source s3://someone-elses/raw/m.mp4 refused: bucket someone-elses is not one sources "
        "may come from (allowed: archive, ingest, media); add it to KINEMA_SOURCE_BUCKETS to "
        "read sources from it"
    )


def test_an_unknown_bucket_is_refused_for_subtitles_too() -> None:
    with pytest.raises(SourceUnreachable, match=r"refused: bucket other .*KINEMA_SOURCE_BUCKETS"):
        read_text("s3://other/subs/fr.srt", _SETTINGS)


def test_without_any_bucket_configured_every_bucket_is_refused() -> None:
    with pytest.raises(SourceUnreachable, match=r"\(allowed: none\)"):
        check_bucket("s3://media/raw/m.mp4", Settings(storage_url=None, source_buckets=""))
