"""The edge's nginx configuration is rendered from validated values only."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kinema.edge import process
from kinema.edge.config import EdgeConfigError, edge_config, render

GOOD = {"cache_dir": "/var/cache/kinema-edge", "run_dir": "/tmp/kinema-edge"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("origin_host", "api; include /etc/passwd"),
        ("origin_host", "api:8000"),
        ("origin_host", "bad host"),
        ("listen_host", "127.0.0.1 reuseport"),
        ("listen_port", 0),
        ("listen_port", 70000),
        ("origin_port", "8000; }"),
        ("cache_dir", "relative/cache"),
        ("cache_dir", "/var/cache/$host"),
        ("cache_dir", "/var/cache/a b"),
        ("cache_dir", "/var/cache/../../etc"),
        ("run_dir", "/tmp/run;"),
        ("error_log", "syslog:server=evil"),
        ("timing_log", "/tmp/t.log main"),
        ("timing_log", "relative.log"),
        ("segment_ttl", "30d; proxy_pass http://evil"),
        ("manifest_ttl", "0s"),
        ("manifest_ttl", "10"),
        ("inactive", "forever"),
        ("workers", 0),
        ("max_size_mb", -1),
        ("user", "root; daemon on"),
        ("surprise", "value"),
    ],
)
def test_bad_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(EdgeConfigError, match=field):
        edge_config(**{**GOOD, field: value})


def test_good_values_fill_every_placeholder() -> None:
    config = edge_config(
        **GOOD, origin_host="kinema-api.media.svc", origin_port=8000, listen_host="::1"
    )
    text = render(config)
    assert "{{" not in text
    assert "server kinema-api.media.svc:8000;" in text
    assert "listen [::1]:8080;" in text
    # The token never reaches a media cache key; the generation and the height do.
    assert 'proxy_cache_key "s:$kinema_video:$kinema_generation:$kinema_path";' in text
    assert 'proxy_cache_key "m:$kinema_video:$kinema_tag:$kinema_cap:$kinema_path";' in text
    assert text.count("proxy_cache_lock on;") == 3
    assert "proxy_cache_use_stale error timeout updating" in text
    assert "proxy_cache_background_update on;" in text


def test_the_timing_log_is_off_unless_asked_and_never_holds_a_url() -> None:
    assert "access_log off;" in render(edge_config(**GOOD)).split("server {")[0]
    text = render(edge_config(**GOOD, timing_log="/var/log/kinema-edge/timing.log"))
    assert "access_log /var/log/kinema-edge/timing.log kinema_timing;" in text
    assert "access_log /dev/stderr kinema_timing;" in render(
        edge_config(**GOOD, timing_log="stderr")
    )
    (fmt,) = [line for line in text.splitlines() if "log_format kinema_timing" in line]
    # Tokens sit in the path: no variable that carries the URL or the token.
    for variable in ("$request ", "$request_uri", "$uri", "$kinema_token", "$kinema_path",
                     "$args", "$http_referer"):  # fmt: skip
        assert variable not in f"{fmt} ", variable


def test_a_template_and_values_that_disagree_are_a_bug() -> None:
    with pytest.raises(EdgeConfigError, match="missing \\['nope'\\]"):
        render(edge_config(**GOOD), "{{ nope }}")


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/usr/bin")
    if nginx is None:
        pytest.skip("nginx is not installed")
    conf = tmp_path / "nginx.conf"
    (tmp_path / "cache").mkdir()
    conf.write_text(render(edge_config(cache_dir=str(tmp_path / "cache"), run_dir=str(tmp_path))))
    result = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_missing_nginx_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(process, "SEARCH", ())
    with pytest.raises(process.EdgeUnavailable, match="apt-get install nginx-light"):
        process.find_nginx()
