"""Helpers of the cluster-mode API tests: uploads, and the Video objects they become."""

from __future__ import annotations

import uuid
from typing import Any

from kubernetes import client as k8s

from kinema.catalog.models import Video
from kinema.resources.common import GROUP, VERSION
from kinema_api.context import AppContext
from tests.utils.factories import make_completed_upload


def upload(
    ctx: AppContext, data: bytes = b"not really a movie", filename: str = "movie.mp4"
) -> str:
    """A completed upload of ``data``; its id."""
    with ctx.sessions() as s:
        upload_id = make_completed_upload(s, ctx.store, data=data, filename=filename)
        s.commit()
    return str(upload_id)


def video_object(custom: k8s.CustomObjectsApi, ctx: AppContext, video_id: str) -> Any:
    """The Video resource behind the catalog video ``video_id``."""
    with ctx.sessions() as s:
        row = s.get(Video, uuid.UUID(video_id))
        assert row is not None and row.resource_name
        namespace, _, name = row.resource_name.partition("/")
    return custom.get_namespaced_custom_object(GROUP, VERSION, namespace, "videos", name)


def video_objects(custom: k8s.CustomObjectsApi, namespace: str) -> list[Any]:
    found: Any = custom.list_namespaced_custom_object(GROUP, VERSION, namespace, "videos")
    items: list[Any] = found["items"]
    return items
