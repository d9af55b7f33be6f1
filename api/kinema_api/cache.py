"""Cache, counters and the progress hot path: Redis in a cluster, in-process embedded.

Redis is never the only copy of anything: callers write the database too, so a Redis
outage or restart degrades speed, not data. Redis failures are wrapped in
:class:`CacheUnavailable` and callers treat them as a cache miss.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod

import redis

from kinema.errors import KinemaError


class CacheUnavailable(KinemaError):
    """Redis could not be reached."""


class Cache(ABC):
    @abstractmethod
    def get(self, key: str) -> str | None: ...

    @abstractmethod
    def set(self, key: str, value: str, *, ttl_s: int | None = None) -> None: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def hit(self, key: str, *, window_s: int) -> int:
        """Count one event in the current fixed window of ``window_s``; returns the count."""

    def hit_many(self, keys: list[str], *, window_s: int) -> list[int]:
        """:meth:`hit` for each key in turn (a key may repeat); the counts, in order."""
        return [self.hit(key, window_s=window_s) for key in keys]

    def set_many(self, values: dict[str, str], *, ttl_s: int | None = None) -> None:
        for key, value in values.items():
            self.set(key, value, ttl_s=ttl_s)

    def close(self) -> None:
        return None


class MemoryCache(Cache):
    """One process's cache (``kinema up``)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            value, expires = item
            if expires is not None and expires < time.monotonic():
                del self._data[key]
                return None
            return value

    def set(self, key: str, value: str, *, ttl_s: int | None = None) -> None:
        with self._lock:
            expires = time.monotonic() + ttl_s if ttl_s else None
            self._data[key] = (value, expires)
            if len(self._data) > 100_000:
                self._evict()

    def _evict(self) -> None:
        now = time.monotonic()
        for k in [k for k, (_, e) in self._data.items() if e is not None and e < now]:
            del self._data[k]
        while len(self._data) > 90_000:
            self._data.pop(next(iter(self._data)))

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def hit(self, key: str, *, window_s: int) -> int:
        bucket = f"{key}:{int(time.time() // window_s)}"
        with self._lock:
            value, _ = self._data.get(bucket, ("0", None))
            count = int(value) + 1
            self._data[bucket] = (str(count), time.monotonic() + window_s)
            if len(self._data) > 100_000:
                self._evict()
            return count


class RedisCache(Cache):
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, decode_responses=True
        )
        self.url = url

    def _fail(self, exc: Exception) -> CacheUnavailable:
        return CacheUnavailable(f"redis at {self.url} is unavailable: {exc}")

    def get(self, key: str) -> str | None:
        try:
            value = self._client.get(key)
        except redis.RedisError as exc:
            raise self._fail(exc) from exc
        return None if value is None else str(value)

    def set(self, key: str, value: str, *, ttl_s: int | None = None) -> None:
        try:
            self._client.set(key, value, ex=ttl_s)
        except redis.RedisError as exc:
            raise self._fail(exc) from exc

    def delete(self, key: str) -> None:
        try:
            self._client.delete(key)
        except redis.RedisError as exc:
            raise self._fail(exc) from exc

    def hit(self, key: str, *, window_s: int) -> int:
        bucket = f"{key}:{int(time.time() // window_s)}"
        try:
            pipe = self._client.pipeline()
            pipe.incr(bucket)
            pipe.expire(bucket, window_s + 1)
            count, _ = pipe.execute()
        except redis.RedisError as exc:
            raise self._fail(exc) from exc
        return int(count)

    def hit_many(self, keys: list[str], *, window_s: int) -> list[int]:
        """One round trip for the lot."""
        if not keys:
            return []
        window = int(time.time() // window_s)
        try:
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.incr(f"{key}:{window}")
            for key in set(keys):
                pipe.expire(f"{key}:{window}", window_s + 1)
            counts = pipe.execute()[: len(keys)]
        except redis.RedisError as exc:
            raise self._fail(exc) from exc
        return [int(c) for c in counts]

    def set_many(self, values: dict[str, str], *, ttl_s: int | None = None) -> None:
        """One round trip for the lot."""
        if not values:
            return
        try:
            pipe = self._client.pipeline(transaction=False)
            for key, value in values.items():
                pipe.set(key, value, ex=ttl_s)
            pipe.execute()
        except redis.RedisError as exc:
            raise self._fail(exc) from exc

    def close(self) -> None:
        self._client.close()


def cache_from_url(url: str | None) -> Cache:
    return RedisCache(url) if url else MemoryCache()
