"""Which encoder runs each codec: NVENC only when a trial encode proves it works.

A GPU node is not proof of NVENC (an H100 decodes with NVDEC but has no encoder
engine), so ``auto`` opens the NVENC encoder on one real frame and falls back to the CPU
encoder when that fails, recording the reason for ``kinema.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kinema.ffmpeg import EncoderTrial, trial_encode
from kinema.resources.ladder import Codec, EncoderPreference
from kinema_transcoder.args import CPU_ENCODERS, NVENC_ENCODERS
from kinema_transcoder.errors import BadArguments
from kinema_transcoder.report import EncoderChoice

Trial = Callable[[str], EncoderTrial]


def choose_encoders(
    preference: EncoderPreference, codecs: Iterable[Codec], trial: Trial = trial_encode
) -> EncoderChoice:
    wanted = sorted(set(codecs), key=lambda c: c.value)
    if preference is EncoderPreference.CPU:
        return EncoderChoice(
            requested=preference.value,
            video={c.value: CPU_ENCODERS[c] for c in wanted},
            reason="CPU encoding requested",
        )
    trials = {c: trial(NVENC_ENCODERS[c]) for c in wanted}
    failed = {c: t for c, t in trials.items() if not t.available}
    if not failed:
        return EncoderChoice(
            requested=preference.value,
            video={c.value: NVENC_ENCODERS[c] for c in wanted},
            reason="NVENC passed a one-frame trial encode",
        )
    why = "; ".join(f"{t.encoder}: {t.reason}" for t in failed.values())
    if preference is EncoderPreference.NVENC:
        raise BadArguments(
            f"--encoder nvenc, but NVENC does not work here ({why}); use auto or cpu"
        )
    return EncoderChoice(
        requested=preference.value,
        video={c.value: CPU_ENCODERS[c] for c in wanted},
        reason=f"NVENC unavailable ({why}); using the CPU encoders",
    )
