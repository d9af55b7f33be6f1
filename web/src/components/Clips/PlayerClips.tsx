// Clips in the player, drawn through its `addons`: a "Clip" button in the control bar
// whose panel marks a range (in/out, at most a minute) at the current moment, takes an
// optional caption and shares it (the link to copy); and, when the page was opened
// from a clip (`?t=…&end=…`), the clip's range over the seek bar and a stop at its end
// with "Replay clip" and "Keep watching". Kids profiles make no clips.
import { Fragment, useCallback, useEffect, useState } from "react";
import type { ClipPublic } from "../../api/client";
import { errorMessage } from "../../api/client";
import { createClip } from "../../api/clips";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { formatClock } from "../../lib/format";
import { Popover } from "../Player/Popover";
import type { PlayerAddons, PlayerView } from "../Player/Player";
import { clipShareUrl, markIn, markOut, rangeProblem } from "./clips";
import type { MarkedRange } from "./clips";
import "./clips.css";

export interface ClipRange {
  start: number;
  end: number;
}

function ClipStop({ view, range }: { view: PlayerView; range: ClipRange }) {
  const { t } = useI18n();
  const [stopped, setStopped] = useState(false);
  const [free, setFree] = useState(false);
  const { currentTime, playing, pause } = view;
  useEffect(() => {
    if (free || stopped) return;
    if (playing && currentTime >= range.end - 0.05) {
      pause();
      setStopped(true);
    }
  }, [free, stopped, playing, currentTime, range.end, pause]);
  if (!stopped) return null;
  return (
    <div className="clip-ended" role="dialog" aria-labelledby="clip-ended-title" data-testid="clip-ended">
      <p id="clip-ended-title">{t("clips.ended")}</p>
      <div className="clip-ended__actions">
        <button
          type="button"
          className="btn"
          onClick={() => {
            view.seek(range.start);
            setStopped(false);
            view.play();
          }}
        >
          {t("clips.replay")}
        </button>
        <button
          type="button"
          className="btn btn--secondary"
          onClick={() => {
            setFree(true);
            setStopped(false);
            view.play();
          }}
        >
          {t("clips.keepWatching")}
        </button>
      </div>
    </div>
  );
}

function ClipPanel({ view, videoId }: { view: PlayerView; videoId: string }) {
  const { t } = useI18n();
  const [range, setRange] = useState<MarkedRange>({ start: null, end: null });
  const [caption, setCaption] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shared, setShared] = useState<ClipPublic | null>(null);
  const [copied, setCopied] = useState(false);
  const problem = rangeProblem(range, view.duration);
  const share = () => {
    if (problem || range.start === null || range.end === null) return;
    setBusy(true);
    setError(null);
    createClip({ video_id: videoId, start_s: range.start, end_s: range.end, caption: caption.trim() || null }).then(
      (clip) => {
        setShared(clip);
        setBusy(false);
      },
      (err: unknown) => {
        setError(errorMessage(err));
        setBusy(false);
      },
    );
  };
  const url = shared ? clipShareUrl(shared, window.location.origin) : "";
  const copy = () =>
    void navigator.clipboard.writeText(url).then(
      () => setCopied(true),
      () => setError(t("clips.copyFailed")),
    );
  return (
    <div className="clip-panel" data-testid="clip-panel">
      <div className="clip-panel__marks">
        <button type="button" className="btn btn--small" onClick={() => setRange((r) => markIn(r, view.currentTime))} data-testid="clip-in">
          {t("clips.markIn")}
        </button>
        <button type="button" className="btn btn--small" onClick={() => setRange((r) => markOut(r, view.currentTime))} data-testid="clip-out">
          {t("clips.markOut")}
        </button>
      </div>
      <p className="clip-panel__range" aria-live="polite" data-testid="clip-range">
        {range.start !== null && range.end !== null
          ? t("clips.range", { from: formatClock(range.start), to: formatClock(range.end), n: Math.round(range.end - range.start) })
          : t("clips.markHint")}
      </p>
      {problem && problem !== "unmarked" ? <p className="clip-panel__problem">{t(`clips.problem.${problem}`)}</p> : null}
      <label className="clip-panel__caption">
        {t("clips.caption")}
        <input type="text" maxLength={280} value={caption} onChange={(e) => setCaption(e.target.value)} />
      </label>
      <button type="button" className="btn" disabled={problem !== null || busy} onClick={share} data-testid="clip-share">
        {busy ? t("clips.sharing") : t("clips.share")}
      </button>
      {error ? <p role="alert">{error}</p> : null}
      {shared ? (
        <div className="clip-panel__link">
          <input type="text" readOnly value={url} aria-label={t("clips.link")} data-testid="clip-link" onFocus={(e) => e.target.select()} />
          <button type="button" className="btn btn--small" onClick={copy}>
            {t("clips.copy")}
          </button>
          {copied ? <span role="status">{t("clips.copied")}</span> : null}
        </div>
      ) : null}
    </div>
  );
}

/** The player's clip addons for one video; `range` when the page plays a clip. */
export function usePlayerClips({ videoId, range }: { videoId: string; range: ClipRange | null }) {
  const { t } = useI18n();
  const { isKids } = useAuth();
  return useCallback(
    (view: PlayerView): PlayerAddons => ({
      timeline:
        range && view.duration > 0 ? (
          <div
            className="clip-marker"
            data-testid="clip-marker"
            aria-hidden="true"
            style={{ left: `${(range.start / view.duration) * 100}%`, width: `${((range.end - range.start) / view.duration) * 100}%` }}
          />
        ) : null,
      bar: isKids ? null : (
        <Popover label={t("clips.make")} icon={<span className="player__emoji-icon" aria-hidden="true">✂</span>}>
          <ClipPanel view={view} videoId={videoId} />
        </Popover>
      ),
      overlay: range ? <ClipStop view={view} range={range} /> : null,
    }),
    [t, isKids, videoId, range],
  );
}

/** Several features' addons drawn together, in order. */
export function combineAddons(...parts: ((view: PlayerView) => PlayerAddons)[]) {
  return (view: PlayerView): PlayerAddons => {
    const all = parts.map((part) => part(view));
    return {
      timeline: <>{all.map((a, i) => <Fragment key={i}>{a.timeline}</Fragment>)}</>,
      bar: <>{all.map((a, i) => <Fragment key={i}>{a.bar}</Fragment>)}</>,
      overlay: <>{all.map((a, i) => <Fragment key={i}>{a.overlay}</Fragment>)}</>,
    };
  };
}
