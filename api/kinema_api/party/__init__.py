"""Watch together: parties that play one video in sync for up to eight members.

The server holds each party's authoritative state (:mod:`.services.sync`, pure); members
talk to it over a WebSocket (:mod:`.services.connection`); the state and the fan-out live
in a store (:mod:`.services.store`): in process in the embedded default, in Redis (a key
per party and a pub/sub channel) when ``KINEMA_REDIS_URL`` is set, so members connected
to different API replicas share one party. See docs/watch-together.md.
"""
