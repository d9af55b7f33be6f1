"""The Video kind: a source into probe, transcode, package and subtitles Jobs, owned
Rendition objects, a status, and catalog rows.

Pure modules decide (:mod:`.identity` names, :mod:`.jobs` manifests, :mod:`.observed`
what to read, :mod:`.planner` what to do, :mod:`.status` and :mod:`.renditions` what to
write, :mod:`.upserts` what the catalog keeps); :mod:`.reconcile` reads and acts through
the shared doors and :mod:`.outputs` (the object store).
"""
