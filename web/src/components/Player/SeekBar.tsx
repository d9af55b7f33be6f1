// The seek bar: a native range input (keyboard and screen readers for free) drawn as a
// streaming-service timeline, with a trickplay thumbnail and time over the pointer.
import { useRef, useState } from "react";
import type { PointerEvent } from "react";
import { useI18n } from "../../i18n";
import { clamp, formatClock } from "../../lib/format";
import { thumbnailAt } from "./thumbnails";
import type { ThumbnailCue } from "./thumbnails";

interface SeekBarProps {
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  thumbnails: readonly ThumbnailCue[];
  intro?: { start: number; end: number } | null;
  onSeek: (seconds: number) => void;
}

const PREVIEW_WIDTH = 192;

export function SeekBar({ currentTime, duration, bufferedEnd, thumbnails, intro, onSeek }: SeekBarProps) {
  const { t } = useI18n();
  const trackRef = useRef<HTMLDivElement | null>(null);
  const [hover, setHover] = useState<{ time: number; x: number } | null>(null);
  const [scrub, setScrub] = useState<number | null>(null);
  const total = duration > 0 ? duration : 0;
  const shown = scrub ?? currentTime;
  const pct = (v: number) => (total > 0 ? `${clamp((v / total) * 100, 0, 100)}%` : "0%");

  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const track = trackRef.current;
    if (!track || total <= 0) return;
    const rect = track.getBoundingClientRect();
    const x = clamp(event.clientX - rect.left, 0, rect.width);
    setHover({ time: (x / rect.width) * total, x });
  };

  const cue = hover ? thumbnailAt(thumbnails, hover.time) : null;
  const trackWidth = trackRef.current?.getBoundingClientRect().width ?? 0;
  const previewLeft = hover ? clamp(hover.x, PREVIEW_WIDTH / 2, Math.max(PREVIEW_WIDTH / 2, trackWidth - PREVIEW_WIDTH / 2)) : 0;
  return (
    <div
      className="seekbar"
      ref={trackRef}
      onPointerMove={onPointerMove}
      onPointerLeave={() => setHover(null)}
    >
      <div className="seekbar__rail" aria-hidden="true">
        <div className="seekbar__buffered" style={{ width: pct(bufferedEnd) }} />
        {intro && total > 0 ? (
          <div
            className="seekbar__intro"
            style={{ left: pct(intro.start), width: `calc(${pct(intro.end)} - ${pct(intro.start)})` }}
          />
        ) : null}
        <div className="seekbar__played" style={{ width: pct(shown) }} />
        <div className="seekbar__knob" style={{ left: pct(shown) }} />
      </div>
      <input
        className="seekbar__input"
        type="range"
        min={0}
        max={total || 0}
        step={0.1}
        value={Math.min(shown, total)}
        aria-label={t("player.seek")}
        aria-valuetext={`${formatClock(shown)} / ${formatClock(total)}`}
        onChange={(e) => {
          const value = Number(e.currentTarget.value);
          setScrub(value);
          onSeek(value);
        }}
        onPointerUp={() => setScrub(null)}
        onKeyUp={() => setScrub(null)}
        onBlur={() => setScrub(null)}
      />
      {hover ? (
        <div className="seekbar__preview" style={{ left: previewLeft }} aria-hidden="true">
          {cue && cue.w > 0 ? <SpriteTile cue={cue} /> : null}
          <span className="seekbar__preview-time">{formatClock(hover.time)}</span>
        </div>
      ) : null}
    </div>
  );
}

function SpriteTile({ cue }: { cue: ThumbnailCue }) {
  // The whole sprite, scaled so one tile is the preview's width and shifted so that
  // tile sits in the clipping box.
  const scale = PREVIEW_WIDTH / cue.w;
  return (
    <div
      className="seekbar__thumb"
      data-testid="trickplay-thumb"
      style={{ width: PREVIEW_WIDTH, height: Math.round(cue.h * scale) }}
    >
      <img
        src={cue.url}
        alt=""
        style={{
          transform: `scale(${scale})`,
          transformOrigin: "0 0",
          left: -cue.x * scale,
          top: -cue.y * scale,
        }}
      />
    </div>
  );
}
