"""``kinema transcode``, ``kinema package``, ``kinema subtitles`` and ``kinema probe``.

Registered on the core CLI through the ``kinema.commands`` entry point. Exit status 0
means the output is complete (or the chunk is done); anything else prints ONE line on
stderr saying what failed and why, and ``kinema.json`` holds the same error. Progress
goes to stdout: a bar on a terminal, JSON lines otherwise (see ``progress.py``).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from kinema.errors import KinemaError
from kinema.resources.ladder import (
    EncoderPreference,
    LadderError,
    LadderSpec,
    Strategy,
    load_ladder,
)
from kinema.storage import open_url
from kinema_transcoder import clip_preview, packaging, pertitle, pipeline, resubtitle
from kinema_transcoder.encoders import choose_encoders
from kinema_transcoder.errors import BadArguments, TranscodeError
from kinema_transcoder.progress import Reporter
from kinema_transcoder.sink import Sink
from kinema_transcoder.sources import open_source


def parse_chunk(value: str | None) -> tuple[int, int] | None:
    """``"2/4"`` -> ``(2, 4)``: chunk index (0-based) of a count."""
    if value is None:
        return None
    index, sep, count = value.partition("/")
    if not sep or not index.strip().isdigit() or not count.strip().isdigit():
        raise BadArguments(f"--chunk {value!r}: expected I/N, e.g. 0/4")
    i, n = int(index), int(count)
    if n < 1 or not 0 <= i < n:
        raise BadArguments(f"--chunk {value!r}: I must be between 0 and N-1")
    return i, n


MAX_LABEL = 100
LABEL_HELP = "LANG=LABEL: the name players show for that sidecar; repeatable."


def parse_subtitle(value: str) -> tuple[str, str]:
    """``"fr=subs/movie.fr.srt"`` -> ``("fr", "subs/movie.fr.srt")``."""
    language, sep, path = value.partition("=")
    if not sep or not language.strip() or not path.strip():
        raise BadArguments(f"--subtitle {value!r}: expected LANG=PATH, e.g. fr=movie.fr.srt")
    return language.strip(), path.strip()


def parse_labels(values: list[str] | None, sidecars: list[tuple[str, str]]) -> dict[str, str]:
    """``["fr=Français (SDH)"]`` -> ``{"fr": "Français (SDH)"}``, for languages given
    with ``--subtitle``."""
    labels: dict[str, str] = {}
    languages = {language for language, _ in sidecars}
    for value in values or []:
        language, sep, label = value.partition("=")
        language, label = language.strip(), " ".join(label.split())
        if not sep or not language or not label:
            raise BadArguments(
                f"--subtitle-label {value!r}: expected LANG=LABEL, e.g. fr=Français (SDH)"
            )
        if language not in languages:
            raise BadArguments(f"--subtitle-label {value!r}: no --subtitle {language}=... given")
        if len(label) > MAX_LABEL:
            raise BadArguments(f"--subtitle-label {value!r}: at most {MAX_LABEL} characters")
        labels[language] = label
    return labels


def _fail(exc: KinemaError) -> typer.Exit:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2 if isinstance(exc, BadArguments) else 1)


def transcode_command(
    src: Annotated[str, typer.Argument(help="Source: a path, s3://bucket/key or https:// URL.")],
    outdir: Annotated[str, typer.Argument(help="Output folder: a path or s3://bucket/prefix.")],
    ladder: Annotated[str, typer.Option(help="Built-in ladder name or YAML file.")] = "default",
    encoder: Annotated[
        EncoderPreference | None,
        typer.Option(help="auto, cpu or nvenc (default: the ladder's preference)."),
    ] = None,
    subtitle: Annotated[
        list[str] | None, typer.Option(help="LANG=PATH (SRT or WebVTT); repeatable.")
    ] = None,
    subtitle_label: Annotated[list[str] | None, typer.Option(help=LABEL_HELP)] = None,
    chunk: Annotated[str | None, typer.Option(help="Encode slice I of N (I/N).")] = None,
    quality: Annotated[bool, typer.Option("--quality/--no-quality", help="PSNR/SSIM.")] = True,
    vmaf: Annotated[bool, typer.Option(help="Also measure VMAF (slower).")] = False,
    reuse: Annotated[
        str | None,
        typer.Option(
            help="A complete earlier output of SRC (path or s3:// prefix): copy the rungs, "
            "audio and pictures whose settings did not change instead of encoding them."
        ),
    ] = None,
    revision: Annotated[
        int,
        typer.Option(min=0, help="The source's revision: outputs of another are not reused."),
    ] = 0,
    json_progress: Annotated[
        bool | None,
        typer.Option("--json-progress/--bar", help="JSON lines or a bar (default: by TTY)."),
    ] = None,
) -> None:
    """Encode SRC into CMAF renditions with HLS and DASH manifests in OUTDIR."""
    try:
        sidecars = [parse_subtitle(s) for s in subtitle or []]
        job = pipeline.Job(
            source=src,
            outdir=outdir,
            ladder=ladder,
            encoder=encoder,
            subtitles=sidecars,
            subtitle_labels=parse_labels(subtitle_label, sidecars),
            chunk=parse_chunk(chunk),
            quality=quality,
            vmaf=vmaf,
            reuse=reuse,
            revision=revision,
        )
        pipeline.transcode(job, Reporter(json_lines=json_progress))
    except TranscodeError as exc:
        raise _fail(exc) from None


def package_command(
    outdir: Annotated[str, typer.Argument(help="The OUTDIR every chunk wrote to.")],
    json_progress: Annotated[bool | None, typer.Option("--json-progress/--bar")] = None,
) -> None:
    """Stitch the chunks of a --chunk I/N run into final manifests."""
    try:
        packaging.package(outdir, Reporter(json_lines=json_progress))
    except TranscodeError as exc:
        raise _fail(exc) from None


def subtitles_command(
    outdir: Annotated[str, typer.Argument(help="A complete output: a path or s3://bucket/prefix.")],
    subtitle: Annotated[
        list[str] | None,
        typer.Option(help="LANG=URI (SRT or WebVTT); repeatable. None removes every sidecar."),
    ] = None,
    subtitle_label: Annotated[list[str] | None, typer.Option(help=LABEL_HELP)] = None,
    json_progress: Annotated[bool | None, typer.Option("--json-progress/--bar")] = None,
) -> None:
    """Replace the sidecar subtitles of OUTDIR and rewrite its manifests (no re-encode)."""
    try:
        sidecars = [parse_subtitle(s) for s in subtitle or []]
        labels = parse_labels(subtitle_label, sidecars)
        reporter = Reporter(json_lines=json_progress)
        resubtitle.replace_subtitles(outdir, sidecars, reporter, labels=labels)
    except TranscodeError as exc:
        raise _fail(exc) from None


def probe_command(
    src: Annotated[str, typer.Argument(help="A path, s3:// or https:// URL.")],
    out: Annotated[
        str | None,
        typer.Option(help="Also store the JSON at this path or s3:// URL (a probe Job's result)."),
    ] = None,
    ladder: Annotated[
        str | None,
        typer.Option(
            help="With a perTitle ladder and --out, also decide the per-title ladder once "
            "and store it (pertitle.json) beside --out, for every chunk of the encode."
        ),
    ] = None,
    revision: Annotated[int, typer.Option(min=0, help="The source's revision.")] = 0,
) -> None:
    """Print what Kinema reads from SRC as JSON (the probe summary and the default plan)."""
    try:
        source = open_source(src)
        summary = pipeline.probe_source(source.input, src, source.input_options)
        found = {"probe": json.loads(summary.model_dump_json(by_alias=True))}
        if summary.video is not None:
            plan = pipeline.plan_for(summary, load_ladder("default"), src)
            found["plan"] = json.loads(plan.model_dump_json(by_alias=True))
        text = json.dumps(found, indent=2) + "\n"
        if out is not None:
            store_json(out, text)
            if ladder is not None and summary.video is not None:
                spec = pipeline.load_job_ladder(pipeline.Job(src, "", ladder=ladder))
                if spec.strategy == Strategy.PER_TITLE:
                    decide_and_store(src, out.rsplit("/", 1)[0] or ".", spec, revision)
    except KinemaError as exc:
        raise _fail(exc) from None
    sys.stdout.write(text)


def decide_and_store(src: str, outdir: str, spec: LadderSpec, revision: int) -> None:
    """Measure the per-title decision for SRC and store it in OUTDIR (``pertitle.json``)."""
    source = open_source(src)
    summary = pipeline.probe_source(source.input, src, source.input_options)
    plan = pipeline.plan_for(summary, spec, src)
    encoders = choose_encoders(spec.encoder, {r.codec for r in plan.rungs})
    decision = pipeline.measure_decision(src, summary, spec, plan, encoders, revision)
    sink = Sink(outdir)
    try:
        pertitle.store_decision(sink, decision)
        sink.flush()
    finally:
        sink.close()


def pertitle_command(
    src: Annotated[str, typer.Argument(help="Source: a path, s3://bucket/key or https:// URL.")],
    outdir: Annotated[str, typer.Argument(help="The output folder the encode will write.")],
    ladder: Annotated[str, typer.Option(help="Built-in ladder name or YAML file.")] = "pertitle",
    revision: Annotated[int, typer.Option(min=0, help="The source's revision.")] = 0,
) -> None:
    """Decide SRC's per-title ladder (test encodes + VMAF) and store it in OUTDIR, so
    every ``--chunk I/N`` of the encode uses the same decision."""
    try:
        spec = pipeline.load_job_ladder(pipeline.Job(src, outdir, ladder=ladder))
        if spec.strategy != Strategy.PER_TITLE:
            raise BadArguments(f"ladder {ladder!r} is not a perTitle ladder (strategy: fixed)")
        decide_and_store(src, outdir, spec, revision)
    except (KinemaError, LadderError) as exc:
        raise _fail(exc) from None
    sys.stdout.write(f"stored {outdir.rstrip('/')}/{pertitle.DECISION_FILE}\n")


def store_json(url: str, text: str) -> None:
    """Write ``text`` at ``url`` (a local path or ``s3://bucket/key``) through the store."""
    store, key = open_url(url)
    try:
        store.put_bytes(text.encode(), key, content_type="application/json")
    finally:
        store.close()


def clip_preview_command(
    output: Annotated[str, typer.Argument(help="A published output: a path or s3:// prefix.")],
    dest: Annotated[str, typer.Argument(help="Where preview.mp4 and still.jpg go (same).")],
    start: Annotated[float, typer.Option(help="Clip start, seconds into the video.")],
    end: Annotated[float, typer.Option(help="Clip end, seconds (at most 60 s after start).")],
    max_height: Annotated[int, typer.Option(min=90, max=1080, help="Tallest preview.")] = (
        clip_preview.DEFAULT_MAX_HEIGHT
    ),
) -> None:
    """Cut a shared clip's preview MP4 and still from a published output."""
    try:
        clip_preview.make_preview(
            output, start_s=start, end_s=end, dest=dest, max_height=max_height
        )
    except KinemaError as exc:  # TranscodeError, and the store's own errors
        raise _fail(exc) from None


def register(app: typer.Typer) -> None:
    app.command("transcode")(transcode_command)
    app.command("package")(package_command)
    app.command("subtitles")(subtitles_command)
    app.command("probe")(probe_command)
    app.command("clip-preview")(clip_preview_command)
    app.command("pertitle")(pertitle_command)
