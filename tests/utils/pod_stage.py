"""The containers of kwok's pods, played from outputs the real transcoder made once.

Pods on kwok's nodes never run: kwok only moves their status. For the operator to go on
after a Job, what the Job's container would have left must be where it reads it: the
probe step's ``probe.json``, the transcode's segments, manifests and ``kinema.json``
(the operator reads the two JSON files and lists the output folder when it prunes). So:

1. :func:`record_outputs` runs the real ``kinema probe``, ``kinema transcode --chunk
   I/N`` (each chunk) and ``kinema package`` once, on a real source in the object store,
   with the Ladder the Videos use, and keeps what each command wrote (and removed) under
   its output folder, as bytes;
2. :class:`PodStage` follows the pods of a namespace; for each pod kwok has made Running
   it reads the container's arguments as the transcoder's CLI would (the step, the
   source, the output folder, ``--chunk $(JOB_COMPLETION_INDEX)/N``), writes that
   step's recorded objects under the pod's own output folder, and then marks the
   container as exited (the ``kwok.kinema.dev/exit-code`` annotation). kwok's
   ``pod-complete`` Stage, which waits for that mark, then reports the pod Succeeded as
   a kubelet would, and the Job controller counts it.

The operator thus reads outputs the transcoder really wrote, byte for byte, only not
encoded again for every Video. Arguments the recording does not cover (``--reuse``,
``--subtitle``, another source or chunk count) are an error, not a guess.

Why the mark and not a kwok delay: a delay cannot know when the objects are written,
and a pod reported Succeeded before its output exists would make the operator fail the
Video for a missing ``probe.json``, which a real container never causes. Why not write
the pod's status here: kwok is the kubelet of these nodes, and its Stage is the one
place their pods' statuses are made.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tests.utils.kube_cluster import KubeCluster
from tests.utils.kube_watch import Watcher
from tests.utils.kwok_cluster import EXIT_ANNOTATION

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
INDEX_VARIABLE = "$(JOB_COMPLETION_INDEX)"
PROBE_FILE = "probe.json"


@dataclass(frozen=True)
class StepOutput:
    """What one command left under its output folder: new or changed objects, and
    objects it removed (keys relative to the folder)."""

    puts: Mapping[str, bytes]
    deletes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedOutputs:
    """Each step's output for one source and ladder: ``probe``, ``transcode`` (one per
    chunk) and ``package`` (when there are several chunks)."""

    source: str
    chunks: int
    steps: Mapping[tuple[str, int], StepOutput]

    def output(self, step: str, index: int) -> StepOutput:
        return self.steps[(step, index)]

    @property
    def objects(self) -> int:
        """Objects one Video's output holds once every step ran."""
        keys: set[str] = set()
        for out in self.steps.values():
            keys |= set(out.puts)
            keys -= set(out.deletes)
        return len(keys)


def _split(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise ValueError(f"{url} is not an s3:// URL")
    bucket, _, key = url.removeprefix("s3://").partition("/")
    return bucket, key.rstrip("/")


def _snapshot(s3: S3Client, bucket: str, prefix: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/"):
        for obj in page.get("Contents", []):
            found[obj["Key"][len(prefix) + 1 :]] = obj["ETag"]
    return found


def _run_step(
    s3: S3Client, bucket: str, prefix: str, argv: list[str], env: Mapping[str, str]
) -> StepOutput:
    before = _snapshot(s3, bucket, prefix)
    done = subprocess.run(argv, env=dict(env), capture_output=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:2])} failed ({done.returncode}): {done.stderr.decode()[-2000:]}"
        )
    after = _snapshot(s3, bucket, prefix)
    changed = sorted(k for k, tag in after.items() if before.get(k) != tag)
    puts = {k: s3.get_object(Bucket=bucket, Key=f"{prefix}/{k}")["Body"].read() for k in changed}
    return StepOutput(puts=puts, deletes=tuple(sorted(set(before) - set(after))))


def record_outputs(
    kinema: Path,
    source: str,
    ladder_file: Path,
    root: str,
    chunks: int,
    s3: S3Client,
    env: Mapping[str, str],
) -> RecordedOutputs:
    """Run the real transcoder's steps on ``source`` into ``root`` (an ``s3://``
    folder of the test's own) as the Jobs would, and keep what each step wrote."""
    bucket, prefix = _split(root)
    ladder = ["--ladder", str(ladder_file)]
    steps: dict[tuple[str, int], StepOutput] = {}
    steps[("probe", 0)] = _run_step(
        s3, bucket, prefix, [str(kinema), "probe", source, "--out", f"{root}/{PROBE_FILE}"], env
    )
    for index in range(chunks):
        argv = [str(kinema), "transcode", source, root, "--json-progress"]
        argv += ["--chunk", f"{index}/{chunks}", *ladder]
        steps[("transcode", index)] = _run_step(s3, bucket, prefix, argv, env)
    if chunks > 1:
        argv = [str(kinema), "package", root, "--json-progress"]
        steps[("package", 0)] = _run_step(s3, bucket, prefix, argv, env)
    written = [set(steps[("transcode", i)].puts) for i in range(chunks)]
    for i, keys in enumerate(written):
        for j in range(i):
            if keys & written[j]:
                # Chunk pods run at once in a cluster: their outputs must not overlap.
                raise RuntimeError(f"chunks {j} and {i} both write {sorted(keys & written[j])}")
    return RecordedOutputs(source=source, chunks=chunks, steps=steps)


@dataclass(frozen=True)
class Work:
    """What a transcoder container was asked to do, read from its arguments."""

    step: str
    source: str  # "" for package
    output: str  # the output folder's s3:// URL
    index: int = 0
    chunks: int = 1


def container_work(args: list[str], index: int | None) -> Work:
    """The step, source, output folder and chunk of a Job's container, from its args.

    ``$(JOB_COMPLETION_INDEX)`` is replaced by ``index`` as the kubelet would. Options
    the recorded outputs do not cover raise ``ValueError``.
    """
    expanded = [a.replace(INDEX_VARIABLE, str(index)) if index is not None else a for a in args]
    if not expanded:
        raise ValueError("the container has no arguments")
    step, rest = expanded[0], expanded[1:]
    options: dict[str, str] = {}
    positional: list[str] = []
    flags = {"--json-progress"}
    valued = {"--out", "--chunk"}
    at = 0
    while at < len(rest):
        arg = rest[at]
        if arg in flags:
            at += 1
        elif arg in valued and at + 1 < len(rest):
            options[arg] = rest[at + 1]
            at += 2
        elif arg.startswith("--"):
            raise ValueError(f"{step}: {arg} is not covered by the recorded outputs")
        else:
            positional.append(arg)
            at += 1
    if step == "probe" and len(positional) == 1 and options.get("--out", "").endswith(PROBE_FILE):
        output = options["--out"][: -len(PROBE_FILE)].rstrip("/")
        return Work(step, positional[0], output)
    if step == "transcode" and len(positional) == 2 and "--chunk" in options:
        chunk, _, count = options["--chunk"].partition("/")
        return Work(step, positional[0], positional[1], int(chunk), int(count))
    if step == "package" and len(positional) == 1:
        return Work(step, "", positional[0])
    raise ValueError(f"unexpected transcoder arguments: {args}")


@dataclass
class PodStage:
    """Plays the containers of the Job pods that kwok runs in ``namespace`` on ``nodes``.

    Use as a context manager; :meth:`raise_errors` re-raises what went wrong in a
    worker. ``played`` counts the containers played, by step.
    """

    cluster: KubeCluster
    namespace: str
    recorded: RecordedOutputs
    s3: S3Client
    nodes: Iterable[str]
    workers: int = 8
    played: Counter[str] = field(default_factory=Counter)
    errors: list[BaseException] = field(default_factory=list)
    busy_s: float = 0.0

    def __post_init__(self) -> None:
        self._nodes = frozenset(self.nodes)
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="pod-stage")
        self._http = httpx.Client(
            base_url=self.cluster.server,
            verify=self.cluster.ssl_context(),
            timeout=30,
            limits=httpx.Limits(max_connections=self.workers),
        )
        self._watch = Watcher(
            self.cluster,
            f"/api/v1/namespaces/{self.namespace}/pods",
            self._on_pod,
            name="pod-stage-watch",
        )

    def __enter__(self) -> PodStage:
        self._watch.start()
        self._watch.wait_synced()
        return self

    def __exit__(self, *exc: object) -> None:
        self._watch.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._http.close()

    def raise_errors(self) -> None:
        self._watch.raise_errors()
        if self.errors:
            raise self.errors[0]

    def _on_pod(self, type_: str, pod: dict[str, Any]) -> None:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        if type_ == "DELETED" or (meta.get("annotations") or {}).get(EXIT_ANNOTATION):
            return
        if (pod.get("status") or {}).get("phase") != "Running":
            return
        if spec.get("nodeName") not in self._nodes or meta.get("deletionTimestamp"):
            return
        with self._lock:
            if meta["uid"] in self._seen:
                return
            self._seen.add(meta["uid"])
        self._pool.submit(self._play, pod)

    def _play(self, pod: dict[str, Any]) -> None:
        started = time.monotonic()
        try:
            self._write_output(pod)
            self._exit(pod["metadata"]["name"])
        except Exception as exc:  # kept for raise_errors()
            self.errors.append(exc)
        with self._lock:
            self.busy_s += time.monotonic() - started

    def _write_output(self, pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        index = (meta.get("annotations") or {}).get(INDEX_ANNOTATION)
        container = pod["spec"]["containers"][0]
        work = container_work(
            list(container.get("args") or []), int(index) if index is not None else None
        )
        recorded = self.recorded
        if work.step != "package" and work.source != recorded.source:
            raise ValueError(f"pod {meta['name']} reads {work.source}, not {recorded.source}")
        if work.step == "transcode" and work.chunks != recorded.chunks:
            raise ValueError(
                f"pod {meta['name']} encodes {work.chunks} chunks, not {recorded.chunks}"
            )
        output = recorded.output(work.step, work.index)
        bucket, prefix = _split(work.output)
        for key, body in output.puts.items():
            self.s3.put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=body)
        if output.deletes:
            objects: Any = [{"Key": f"{prefix}/{k}"} for k in output.deletes]
            self.s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        with self._lock:
            self.played[work.step] += 1

    def _exit(self, name: str) -> None:
        """Mark the container as exited with status 0: kwok's pod-complete Stage then
        makes the pod Succeeded."""
        response = self._http.patch(
            f"/api/v1/namespaces/{self.namespace}/pods/{name}",
            content=json.dumps({"metadata": {"annotations": {EXIT_ANNOTATION: "0"}}}),
            headers={"Content-Type": "application/merge-patch+json"},
        )
        response.raise_for_status()
