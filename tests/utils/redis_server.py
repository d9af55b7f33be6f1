"""A throwaway ``redis-server`` on a free loopback port with an append-only file.

Persistence is on (AOF, fsync every second, flushed on a clean SIGTERM shutdown) so that
``restart()`` can prove what production relies on: data written before a restart is
there after it, and clients reconnect to the same port.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.utils import binaries
from tests.utils.ports import free_port
from tests.utils.procs import ServiceProcess

DATABASES = 64


def redis_command(redis_server: Path, data_dir: Path, port: int) -> list[str]:
    return [
        str(redis_server),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--daemonize",
        "no",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--databases",
        str(DATABASES),
        "--logfile",
        "",
    ]


@dataclass
class RedisServer:
    """A running redis-server; ``url`` is database 0."""

    process: ServiceProcess
    host: str
    port: int
    timeout: float = 20

    def __post_init__(self) -> None:
        # Database 0 is the session's shared one; tests borrow 1..DATABASES-1 in turn.
        self._next_db = itertools.cycle(range(1, DATABASES))

    @property
    def url(self) -> str:
        return self.url_for(0)

    def url_for(self, db: int) -> str:
        return f"redis://{self.host}:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        """A new client (close it, or use it as a context manager)."""
        return redis.Redis(host=self.host, port=self.port, db=db, socket_timeout=5)

    def borrow_db(self) -> int:
        """The next scratch database number, emptied before it is handed out."""
        db = next(self._next_db)
        with self.client(db) as conn:
            conn.flushdb()
        return db

    def flush(self, db: int) -> None:
        with self.client(db) as conn:
            conn.flushdb()

    def _ping(self) -> bool:
        with self.client() as conn:
            return bool(conn.ping())

    def start(self) -> None:
        self.process.start()
        self.process.wait_ready(self._ping, timeout=self.timeout)

    def restart(self) -> None:
        """Stop the server cleanly and start it again on the same port and data dir."""
        self.process.stop()
        self.start()

    def stop(self) -> None:
        self.process.stop()


def start_redis(work_dir: Path) -> RedisServer:
    """Start redis-server with its data and log under ``work_dir``."""
    executable = binaries.system_binary("redis-server")
    port = free_port()
    data_dir = work_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    process = ServiceProcess(
        name="redis-server",
        argv=redis_command(executable, data_dir, port),
        log_path=work_dir / "redis.log",
    )
    server = RedisServer(process, "127.0.0.1", port)
    server.start()
    return server
