"""Everything a running API holds: settings, database, object store, cache, keys.

Built once at start-up (``create_app``) and reached by routes through ``deps.py``;
tests build one against the harness's real services.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.db import create_db_engine, session_factory
from kinema.settings import Settings, signing_secret
from kinema.storage import ObjectStore, store_from_settings
from kinema_api.cache import Cache, cache_from_url
from kinema_api.hotstore import HotStore
from kinema_api.identity import IdentityMemo
from kinema_api.keys import derive_key
from kinema_api.kube import VideoResources, load_api_client


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: ObjectStore
    cache: Cache
    playback_key: bytes
    # Woken when a transcode job is queued, so an in-process worker pool starts at once.
    jobs_queued: threading.Event = field(default_factory=threading.Event)
    # Set when a clip is made: wakes the preview worker (embedded mode).
    clips_queued: threading.Event = field(default_factory=threading.Event)
    # Set when a title is published or an admin asks to tag it again.
    tagging_queued: threading.Event = field(default_factory=threading.Event)
    # Set when the server is stopping: long-lived responses (event streams) end.
    stopping: threading.Event = field(default_factory=threading.Event)
    # Per (video, generation, max height): files only reachable through refused rungs.
    forbidden_cache: dict[tuple[str, int, int], frozenset[str]] = field(default_factory=dict)
    # The hot cache's copies in this process (kinema_api.catalog.services.hot).
    hot: HotStore = field(default_factory=HotStore)
    # Bearer tokens seen lately -> the maturity limit they browse with (the fast path).
    identities: IdentityMemo = field(default_factory=IdentityMemo)
    on_close: list[Callable[[], None]] = field(default_factory=list)
    # Progress reports' group commit (viewing.services.progress_writer), made at the first
    # report; typed loosely because this layer may not import a service.
    progress_writer: object | None = None
    # Cluster mode: admin actions become Video resources; None means the embedded pool.
    videos: VideoResources | None = None

    def close(self) -> None:
        self.stopping.set()
        for hook in self.on_close:
            hook()
        self.cache.close()
        if self.videos is not None:
            self.videos.close()
        self.store.close()
        self.engine.dispose()


def video_resources(settings: Settings) -> VideoResources | None:
    """The cluster's Video objects when ``KINEMA_MODE=cluster``, else None."""
    if settings.mode != "cluster":
        return None
    api, pod_namespace = load_api_client(settings.kubeconfig)
    return VideoResources(api, settings.namespace or pod_namespace or "default")


def build_context(settings: Settings, *, create_secret: bool = False) -> AppContext:
    """``create_secret``: make the data directory's signing secret when there is none
    (``kinema up``); otherwise an unset ``KINEMA_SECRET_KEY`` with no stored secret is
    refused before anything is opened."""
    playback_key = derive_key(signing_secret(settings, create=create_secret), "playback")
    engine = create_db_engine(settings.resolved_database_url)
    return AppContext(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        store=store_from_settings(settings),
        cache=cache_from_url(settings.redis_url),
        playback_key=playback_key,
        videos=video_resources(settings),
    )
