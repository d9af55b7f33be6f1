"""Where parties live and how their events reach every member's connection.

- :class:`MemoryPartyStore` (the embedded default): a dict behind a lock, and events
  handed to each subscriber's event loop. Everything is lost when the process stops.
- :class:`RedisPartyStore` (``KINEMA_REDIS_URL``): one key per party holding its state
  as JSON (expiring ``TTL_S`` after the last change), updated with an optimistic
  transaction (WATCH/MULTI) that also PUBLISHes the new state on the party's channel, so
  every API replica forwards changes in the order they were made. Parties survive an API
  restart (members reconnect and resync); a Redis restart without persistence ends them.

Events are JSON-ready dicts: ``{"type": "state", "state": {...}}`` after each change,
and chat and reactions as they come. Updates are synchronous (a WebSocket handler runs
them on a worker thread); listening is asynchronous.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import redis
import redis.asyncio as aioredis

from kinema_api.errors import NotFoundError, Unavailable
from kinema_api.party.schemas import PartyState

TTL_S = 12 * 3600
Event = dict[str, Any]
Change = Callable[[PartyState], PartyState]


class PartyGone(NotFoundError):
    code = "party_not_found"


def state_event(state: PartyState) -> Event:
    return {"type": "state", "state": state.model_dump(mode="json")}


class PartyStore(ABC):
    @abstractmethod
    def create(self, state: PartyState) -> None: ...

    @abstractmethod
    def get(self, party_id: str) -> PartyState | None: ...

    @abstractmethod
    def update(self, party_id: str, change: Change) -> PartyState:
        """Apply ``change`` atomically and publish the new state when it differs.
        Raises :class:`PartyGone`, or whatever ``change`` raises (nothing is written)."""

    @abstractmethod
    def publish(self, party_id: str, event: Event) -> None: ...

    @abstractmethod
    def listen(self, party_id: str) -> Any:
        """``async with store.listen(id) as events: async for event in events``; the
        subscription is in place when the block is entered."""

    def close(self) -> None:
        return None


class MemoryPartyStore(PartyStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parties: dict[str, PartyState] = {}
        self._touched: dict[str, float] = {}
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event]]]]
        self._subscribers = {}

    def create(self, state: PartyState) -> None:
        with self._lock:
            # Parties nobody has been in for TTL_S end (Redis expires its keys the same way).
            now = time.monotonic()
            for old in [p for p, t in self._touched.items() if now - t > TTL_S]:
                if not self._parties[old].members:
                    del self._parties[old], self._touched[old]
            self._parties[state.id] = state
            self._touched[state.id] = now

    def get(self, party_id: str) -> PartyState | None:
        with self._lock:
            return self._parties.get(party_id)

    def update(self, party_id: str, change: Change) -> PartyState:
        with self._lock:
            state = self._parties.get(party_id)
            if state is None:
                raise PartyGone(f"no party {party_id}")
            new = change(state)
            if new is not state:
                self._parties[party_id] = new
                self._touched[party_id] = time.monotonic()
                self._deliver(party_id, state_event(new))
            return new

    def publish(self, party_id: str, event: Event) -> None:
        with self._lock:
            self._deliver(party_id, event)

    def _deliver(self, party_id: str, event: Event) -> None:
        for loop, queue in self._subscribers.get(party_id, set()):
            loop.call_soon_threadsafe(queue.put_nowait, event)

    @asynccontextmanager
    async def listen(self, party_id: str) -> AsyncIterator[AsyncIterator[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.setdefault(party_id, set()).add(entry)

        async def events() -> AsyncIterator[Event]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            with self._lock:
                subscribers = self._subscribers.get(party_id, set())
                subscribers.discard(entry)
                if not subscribers:
                    self._subscribers.pop(party_id, None)


class RedisPartyStore(PartyStore):
    def __init__(self, url: str) -> None:
        self.url = url
        self._client = redis.Redis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, decode_responses=True
        )

    @staticmethod
    def _key(party_id: str) -> str:
        return f"kinema:party:{party_id}"

    @staticmethod
    def _channel(party_id: str) -> str:
        return f"kinema:party:{party_id}:events"

    def _fail(self, exc: Exception) -> Unavailable:
        return Unavailable(f"redis at {self.url} is unavailable: {exc}")

    def create(self, state: PartyState) -> None:
        try:
            self._client.set(self._key(state.id), state.model_dump_json(), ex=TTL_S)
        except redis.RedisError as exc:
            raise self._fail(exc) from exc

    def get(self, party_id: str) -> PartyState | None:
        try:
            raw = self._client.get(self._key(party_id))
        except redis.RedisError as exc:
            raise self._fail(exc) from exc
        return None if raw is None else PartyState.model_validate_json(str(raw))

    def update(self, party_id: str, change: Change) -> PartyState:
        key = self._key(party_id)
        try:
            with self._client.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        raw = pipe.get(key)
                        if raw is None:
                            raise PartyGone(f"no party {party_id}")
                        state = PartyState.model_validate_json(str(raw))
                        new = change(state)
                        if new is state:
                            pipe.unwatch()
                            return state
                        pipe.multi()
                        pipe.set(key, new.model_dump_json(), ex=TTL_S)
                        pipe.publish(self._channel(party_id), json.dumps(state_event(new)))
                        pipe.execute()
                        return new
                    except redis.WatchError:
                        continue  # another replica changed it first: apply to theirs
        except redis.RedisError as exc:
            raise self._fail(exc) from exc

    def publish(self, party_id: str, event: Event) -> None:
        try:
            self._client.publish(self._channel(party_id), json.dumps(event))
        except redis.RedisError as exc:
            raise self._fail(exc) from exc

    @asynccontextmanager
    async def listen(self, party_id: str) -> AsyncIterator[AsyncIterator[Event]]:
        # One subscription per connection: a party has at most a few members per replica.
        client = aioredis.Redis.from_url(self.url, decode_responses=True)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(self._channel(party_id))
        except redis.RedisError as exc:
            await client.aclose()
            raise self._fail(exc) from exc

        async def events() -> AsyncIterator[Event]:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if message is not None and message["type"] == "message":
                    yield json.loads(message["data"])

        try:
            yield events()
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call, unused-ignore]  # typed from redis 8
            await client.aclose()

    def close(self) -> None:
        self._client.close()


def store_from_url(url: str | None) -> PartyStore:
    return RedisPartyStore(url) if url else MemoryPartyStore()
