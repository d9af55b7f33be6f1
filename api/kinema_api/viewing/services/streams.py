"""The plan's device limit at playback: this device's stream lease taken or refreshed,
a refusal that names the devices streaming (429 ``too_many_streams``), and the lease
ended when the player stops.

The leases themselves (one per login session, short-lived, changed one request at a
time per account) are :mod:`kinema.catalog.services.streams`.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import StreamLease, Video
from kinema.catalog.services import streams
from kinema.catalog.services.streams import StreamInfo
from kinema_api.accounts.services.auth import Viewer
from kinema_api.accounts.services.user_agents import device_name
from kinema_api.errors import TooManyRequests
from kinema_api.viewing.schemas import StreamHolder


class TooManyStreams(TooManyRequests):
    """Every device the plan allows is streaming; the body's ``streams`` names them."""

    code = "too_many_streams"


def video_label(video: Video) -> str:
    """ "Title", or "Series: Episode" for a video named apart from its title."""
    title = video.title.name
    return title if not video.name or video.name == title else f"{title}: {video.name}"


def visible_label(viewer: Viewer, video: Video | None) -> str | None:
    """What another device plays, as this viewer may learn it: nothing about a title
    above the current profile's maturity limit, or unpublished (to a non-admin)."""
    if video is None:
        return None
    title = video.title
    if not title.published and not viewer.is_admin:
        return None
    if title.maturity.level > viewer.profile.max_maturity.level:
        return None
    return video_label(video)


def device_label(info: StreamInfo) -> str:
    return info.device_name or device_name(info.user_agent)


def holders(session: Session, *, viewer: Viewer, leases: list[StreamLease]) -> list[StreamHolder]:
    return [
        StreamHolder(
            device_id=info.lease.session_id or info.lease.id,
            device_name=device_label(info),
            title=visible_label(viewer, info.video),
            profile=info.profile.name if info.profile is not None else None,
        )
        for info in streams.describe(session, leases)
    ]


def take(session: Session, *, viewer: Viewer, video: Video) -> None:
    """Take or refresh this device's lease on ``video``, or raise :class:`TooManyStreams`.

    A refusal commits: a lease the device lost to a smaller plan stays lost.
    """
    allowed = viewer.entitlements
    slot = streams.open_stream(
        session,
        user_id=viewer.user.id,
        session_id=viewer.session.id,
        profile_id=viewer.profile.id,
        video_id=video.id,
        limit=allowed.devices,
    )
    if slot.lease is not None:
        return
    streaming = holders(session, viewer=viewer, leases=slot.others)
    session.commit()
    raise TooManyStreams(
        refusal(plan=allowed.plan.name, devices=allowed.devices, streaming=streaming),
        extra={"streams": [h.model_dump(mode="json") for h in streaming]},
    )


def refusal(*, plan: str, devices: int, streaming: list[StreamHolder]) -> str:
    """The 429's one line: the limit, and the devices to stop playback on."""
    names = ", ".join(
        f"{h.device_name} ({h.profile})" if h.profile else h.device_name for h in streaming
    )
    limit = f"the {plan} plan allows {devices} stream(s) at once"
    if not names:
        return f"{limit}; none is free now, try again in a minute"
    return f"{limit}; streaming now on: {names}. Stop playback on one of them to watch here"


def stop(session: Session, *, viewer: Viewer, video_id: uuid.UUID) -> None:
    """This device stopped playing ``video_id``: its slot is free at once."""
    streams.end_streams(session, session_id=viewer.session.id, video_id=video_id)
    session.commit()
