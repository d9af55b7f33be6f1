"""The Video spec's chapters reach the catalog through the operator's metadata upsert."""

from __future__ import annotations

from kinema.resources.video import Chapters, VideoSpec
from kinema_operator.video.upserts import metadata_upsert

SPEC = VideoSpec.model_validate({"source": "s3://media/raw/clip.mp4", "title": "Clip"})


def test_chapters_are_copied_and_cleared() -> None:
    none = metadata_upsert("ns", "clip", SPEC, 1)
    assert none.chapters == (None, None, None)  # a spec without chapters clears them
    with_intro = SPEC.model_copy(
        update={"chapters": Chapters(intro_start_seconds=3, intro_end_seconds=40.5)}
    )
    assert metadata_upsert("ns", "clip", with_intro, 1).chapters == (3, 40.5, None)
