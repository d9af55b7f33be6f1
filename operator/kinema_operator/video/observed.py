"""What reconciliation knows about one Video, and what it still has to read. Pure.

:class:`Observed` is the snapshot :func:`~kinema_operator.video.planner.decide` decides
from. The reconciler fills it in steps, and the functions here tell it each time what
the next step needs, so the code that reads the cluster and the store never works
anything out for itself:

1. :func:`target`: the output the spec names now (its digests and store key), from the
   Video alone;
2. the Jobs of the Video are listed, and :func:`jobs_of` sorts out those of the target
   (the same sorting :func:`decide` starts from);
3. :func:`probe_to_read`: whether the probe Job left a ``probe.json`` worth reading;
4. :func:`reads`: which failed Jobs' pods, whether ``kinema.json`` and whether the
   Rendition objects are needed. A Video whose output is live and current needs only
   its Jobs; everything else is read only once the step that needs it has come.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kinema.ladder import chunk_count
from kinema.media import ProbeSummary
from kinema.output import TranscodeReport
from kinema.resources.ladder import LadderSpec
from kinema.resources.video import VideoPhase, VideoSpec, VideoStatus
from kinema_operator.video.identity import (
    Step,
    digest,
    legacy_digest,
    output_digest,
    output_key,
    subtitles_digest,
)
from kinema_operator.video.views import JobView


@dataclass(frozen=True)
class LadderChoice:
    name: str  # a Ladder's name, or "builtin:<name>"
    spec: LadderSpec


@dataclass(frozen=True)
class Observed:
    """Everything :func:`decide` may look at, read fresh from the cluster and store."""

    namespace: str
    name: str
    generation: int
    spec: VideoSpec
    status: VideoStatus
    ladder: LadderChoice
    digest: str
    source_url: str
    output_url: str
    public_base: str  # where players reach output_url (a CDN/edge URL or output_url)
    subtitles: tuple[tuple[str, str], ...] = ()
    jobs: tuple[JobView, ...] = ()
    probe: ProbeSummary | None = None
    probe_error: str = ""
    failures: Mapping[str, str] = field(default_factory=dict)
    report: TranscodeReport | None = None
    report_error: str = ""
    renditions: Mapping[str, str] = field(default_factory=dict)  # object name -> digest
    media_digest: str = ""  # identity.digest of the spec; "" means ``digest`` itself
    subtitles_digest: str = ""  # identity.subtitles_digest of the spec
    legacy_digest: str = ""  # identity.legacy_digest of the spec (older operators' digest)
    reuse_url: str = ""  # the live output of another digest (its unchanged rungs are copied)


@dataclass(frozen=True)
class Target:
    """The output a Video's spec names now: its digests and its key in the store."""

    digest: str  # names the output prefix and its Jobs
    media: str
    subtitles: str
    legacy: str
    key: str


def target(
    namespace: str, name: str, spec: VideoSpec, ladder: LadderSpec, status: VideoStatus
) -> Target:
    media = digest(spec, ladder)
    legacy = legacy_digest(spec, ladder)
    chosen = output_digest(status.digest, status.media_digest, media, legacy)
    return Target(
        digest=chosen,
        media=media,
        subtitles=subtitles_digest(spec),
        legacy=legacy,
        key=output_key(namespace, name, chosen),
    )


@dataclass(frozen=True)
class TargetJobs:
    """The Jobs that work on one output, by role."""

    current: Mapping[Step, JobView]  # its probe, transcode and package Jobs
    subtitle_jobs: tuple[JobView, ...]  # its subtitles Jobs, for any subtitle set
    subtitles_job: JobView | None  # the subtitles Job writing the wanted set
    # A subtitles Job for another set that may still be writing: the output's subtitles
    # are unknown until it is stopped and the wanted set written again.
    interrupted: bool
    stale: tuple[str, ...]  # Jobs of other outputs or other subtitle sets, to delete


def jobs_of(jobs: Iterable[JobView], output: str, subtitles: str) -> TargetJobs:
    """Sort ``jobs`` by what they do for ``output`` and its ``subtitles`` set."""
    found = tuple(jobs)
    current: dict[Step, JobView] = {
        j.step: j
        for j in found
        if j.digest == output and j.step is not None and j.step is not Step.SUBTITLES
    }
    subtitle_jobs = tuple(j for j in found if j.digest == output and j.step is Step.SUBTITLES)
    return TargetJobs(
        current=current,
        subtitle_jobs=subtitle_jobs,
        subtitles_job=next((j for j in subtitle_jobs if j.subtitles == subtitles), None),
        interrupted=any(j.subtitles != subtitles and not j.finished for j in subtitle_jobs),
        stale=tuple(
            sorted(
                j.name
                for j in found
                if j.digest != output or (j.step is Step.SUBTITLES and j.subtitles != subtitles)
            )
        ),
    )


def output_subtitles(status: VideoStatus, output: str, subtitles: str, legacy: str) -> str | None:
    """The subtitles digest of the output named ``output`` (None: unknown or not made).

    A status from an older operator has no subtitles digest; its output lists the
    spec's ``subtitles`` exactly when its one digest is the spec's ``legacy`` digest.
    """
    if status.digest != output:
        return None
    if status.subtitles_digest:
        return status.subtitles_digest
    if status.media_digest is None and legacy and status.digest == legacy:
        return subtitles
    return None


def is_live(status: VideoStatus, output: Target) -> bool:
    """The target output is published, Ready and lists the wanted subtitles."""
    return (
        status.phase is VideoPhase.READY
        and status.digest == output.digest
        and status.published_digest == output.digest
        and output_subtitles(status, output.digest, output.subtitles, output.legacy)
        == output.subtitles
    )


def known_probe(status: VideoStatus, output: Target) -> ProbeSummary | None:
    """The probe summary the status keeps for the target output."""
    return status.probe if status.digest == output.digest else None


def probe_to_read(status: VideoStatus, output: Target, jobs: TargetJobs) -> bool:
    """Whether ``probe.json`` should be read: the probe Job is done, its result unknown."""
    probe_job = jobs.current.get(Step.PROBE)
    return known_probe(status, output) is None and probe_job is not None and probe_job.complete


@dataclass(frozen=True)
class Reads:
    """What else :func:`decide` needs read, once the Jobs and the probe are known."""

    pods_of: tuple[str, ...] = ()  # failed Jobs whose pods say why they failed
    report: bool = False  # kinema.json, to publish it (a failed read fails the Video)
    relocate: bool = False  # kinema.json again, to move a live output's URLs
    renditions: bool = False  # the Video's Rendition objects


def reads(
    status: VideoStatus,
    output: Target,
    jobs: TargetJobs,
    ladder: LadderSpec,
    probe: ProbeSummary | None,
    public_base: str,
) -> Reads:
    if is_live(status, output):
        # Published before its Distribution had a domain (or the domain changed): the
        # report is read again so decide can point status.manifests there.
        moved = status.manifests is not None and not status.manifests.hls.startswith(
            f"{public_base}/"
        )
        return Reads(relocate=moved)
    working = [*jobs.current.values(), *([jobs.subtitles_job] if jobs.subtitles_job else [])]
    report = False
    if probe is not None:
        chunks = chunk_count(probe.duration, ladder)
        final = jobs.current.get(Step.PACKAGE if chunks > 1 else Step.TRANSCODE)
        rewritten = jobs.subtitles_job is not None and jobs.subtitles_job.complete
        report = rewritten or (final is not None and final.complete)
    return Reads(
        pods_of=tuple(j.name for j in working if j.failed_final),
        report=report,
        renditions=True,
    )
