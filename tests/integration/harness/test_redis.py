"""Redis from the harness: pub/sub across connections, isolation, survival of a restart."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from tests.utils.redis_server import RedisServer

pytestmark = pytest.mark.integration


def _next_message(pubsub: redis.client.PubSub, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message: dict[str, Any] | None = pubsub.get_message(
            ignore_subscribe_messages=True, timeout=0.2
        )
        if message is not None:
            return message
    raise AssertionError(f"no message within {timeout}s")


def _publish_and_receive(url: str, channel: str, payload: bytes) -> bytes:
    with redis.Redis.from_url(url) as sub, redis.Redis.from_url(url) as pub:
        pubsub = sub.pubsub()
        try:
            pubsub.subscribe(channel)
            confirmation = pubsub.get_message(timeout=5)
            assert confirmation is not None
            assert confirmation["type"] == "subscribe"
            assert pub.publish(channel, payload) == 1
            data = _next_message(pubsub)["data"]
        finally:
            pubsub.close()
    assert isinstance(data, bytes)
    return data


def test_pub_sub(redis_url: str) -> None:
    assert _publish_and_receive(redis_url, "kinema:progress", b"42%") == b"42%"


def test_each_test_gets_an_empty_database(redis_url: str, redis_server: RedisServer) -> None:
    with redis.Redis.from_url(redis_url) as conn:
        assert conn.dbsize() == 0
        conn.set("mine", "1")
    with redis_server.client(0) as shared:
        assert shared.get("mine") is None


def test_restart_keeps_data_and_service(redis_server: RedisServer) -> None:
    db = redis_server.borrow_db()
    url = redis_server.url_for(db)
    try:
        with redis.Redis.from_url(url) as conn:
            conn.set("survivor", "still here")
            conn.rpush("queue", "a", "b")
            old_pid = redis_server.process.pid
            old_run_id = conn.info("server")["run_id"]
        redis_server.restart()
        assert redis_server.process.pid != old_pid
        with redis.Redis.from_url(url) as conn:
            assert conn.info("server")["run_id"] != old_run_id
            assert conn.get("survivor") == b"still here"
            assert conn.lrange("queue", 0, -1) == [b"a", b"b"]
        assert _publish_and_receive(url, "after-restart", b"ok") == b"ok"
    finally:
        redis_server.flush(db)
