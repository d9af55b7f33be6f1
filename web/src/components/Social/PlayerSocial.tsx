// The social parts of the player, drawn through its `addons`: the reaction density strip
// above the seek bar, an emoji picker in the control bar (a reaction at the current
// moment, floating up over the video), a comments panel for the video playing (comments
// pinned to the current moment, times that seek), and the rating prompt at the end.
// Kids profiles get the strip, the picker and the rating, never the comments.
import { useCallback, useEffect, useRef, useState } from "react";
import type { Emoji } from "../../api/client";
import { reactAt, reactionDensity } from "../../api/social";
import { useApi } from "../../hooks/useApi";
import { afterFirstFrame } from "../../lib/afterFirstFrame";
import { useAuth } from "../../hooks/useAuth";
import { Icon } from "../Icons/Icons";
import { useI18n } from "../../i18n";
import { formatClock } from "../../lib/format";
import { Popover } from "../Player/Popover";
import type { PlayerAddons, PlayerView } from "../Player/Player";
import { Comments } from "./Comments";
import { RatingSummaryView, StarPicker } from "./Ratings";
import { EMOJI, glyphOf, stripBars } from "./social";
import type { StripBar } from "./social";
import { rateTitle, ratingSummary } from "../../api/social";
import { errorMessage } from "../../api/client";
import "./social.css";

const BUCKETS = 100;
const FLOAT_MS = 1600;

function ReactionStrip({ bars, duration }: { bars: readonly StripBar[]; duration: number }) {
  const { t } = useI18n();
  if (!bars.some((b) => b.total > 0) || duration <= 0) return null;
  return (
    <div className="reaction-strip" role="img" aria-label={t("social.strip")} data-testid="reaction-strip">
      {bars.map((b, i) =>
        b.total > 0 ? (
          <span
            key={i}
            className="reaction-strip__bar"
            data-total={b.total}
            title={t("social.stripBucket", { n: b.total, from: formatClock(b.startS), to: formatClock(b.endS) })}
            style={{
              left: `${Math.min(100, (b.startS / duration) * 100)}%`,
              width: `${Math.max(0.4, ((b.endS - b.startS) / duration) * 100)}%`,
              height: `${Math.max(12, Math.round(b.height * 100))}%`,
            }}
          >
            {b.height >= 0.6 && b.top ? <span className="reaction-strip__glyph">{glyphOf(b.top)}</span> : null}
          </span>
        ) : null,
      )}
    </div>
  );
}

function EndRating({ titleId, titleName, onClose }: { titleId: string; titleName: string; onClose: () => void }) {
  const { t } = useI18n();
  const summary = useApi(() => ratingSummary(titleId), [titleId]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const rate = (score: number) =>
    rateTitle(titleId, score).then(
      () => {
        setDone(true);
        summary.reload();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  return (
    <div className="end-rating" role="dialog" aria-labelledby="end-rating-title" data-testid="end-rating">
      <p id="end-rating-title" className="end-rating__title">
        {t("ratings.endPrompt", { title: titleName })}
      </p>
      <StarPicker value={summary.data?.mine ?? null} onPick={(n) => void rate(n)} label={t("ratings.rate")} />
      {done ? <p role="status">{t("ratings.saved")}</p> : null}
      {done && summary.data ? <RatingSummaryView summary={summary.data} /> : null}
      {error ? <p role="alert">{error}</p> : null}
      <button type="button" className="btn btn--small" onClick={onClose}>
        {t("common.close")}
      </button>
    </div>
  );
}

interface Float {
  id: number;
  glyph: string;
  left: number;
}

/** The player's social addons for one video (`titleId` and `titleName` for the rating
 *  prompt; without a title the prompt is left out). */
export function usePlayerSocial({ videoId, titleId, titleName }: { videoId: string; titleId: string | null; titleName: string }) {
  const { t } = useI18n();
  const { isKids } = useAuth();
  // The reaction strip waits for the first frame (it would compete with the player).
  const density = useApi(() => afterFirstFrame().then(() => reactionDensity(videoId, BUCKETS)), [videoId]);
  const [commentsOpen, setCommentsOpen] = useState(false);
  const [ratingClosed, setRatingClosed] = useState(false);
  const [floats, setFloats] = useState<Float[]>([]);
  const [reactError, setReactError] = useState<string | null>(null);
  const nextId = useRef(0);
  const timers = useRef<number[]>([]);
  useEffect(() => () => timers.current.forEach((id) => window.clearTimeout(id)), []);
  useEffect(() => {
    setCommentsOpen(false);
    setRatingClosed(false);
  }, [videoId]);

  const react = useCallback(
    (emoji: Emoji, at: number) => {
      const id = nextId.current++;
      setFloats((f) => [...f, { id, glyph: glyphOf(emoji), left: 20 + Math.random() * 60 }]);
      timers.current.push(window.setTimeout(() => setFloats((f) => f.filter((x) => x.id !== id)), FLOAT_MS));
      setReactError(null);
      reactAt(videoId, emoji, Math.max(0, at)).then(
        () => density.reload(),
        (err: unknown) => setReactError(errorMessage(err)),
      );
    },
    [videoId, density],
  );

  return useCallback(
    (view: PlayerView): PlayerAddons => ({
      timeline: <ReactionStrip bars={stripBars(density.data)} duration={view.duration > 0 ? view.duration : (density.data?.duration_s ?? 0)} />,
      bar: (
        <>
          <Popover label={t("social.react")} icon={<span className="player__emoji-icon" aria-hidden="true">☺</span>}>
            <div className="emoji-picker" role="group" aria-label={t("social.react")} data-testid="emoji-picker">
              {EMOJI.map((e) => (
                <button
                  key={e.name}
                  type="button"
                  className="emoji-picker__button"
                  aria-label={t("social.reactWith", { emoji: t(`social.emoji.${e.name}`) })}
                  title={t(`social.emoji.${e.name}`)}
                  onClick={() => react(e.name, view.currentTime)}
                >
                  {e.glyph}
                </button>
              ))}
            </div>
            {reactError ? <p role="alert">{reactError}</p> : null}
          </Popover>
          {!isKids ? (
            <button
              type="button"
              className="player__button"
              aria-label={commentsOpen ? t("social.closeComments") : t("social.openComments")}
              title={t("social.openComments")}
              aria-expanded={commentsOpen}
              onClick={() => setCommentsOpen((o) => !o)}
              data-testid="comments-toggle"
            >
              <Icon name="comments" size={28} />
            </button>
          ) : null}
        </>
      ),
      overlay: (
        <>
          <div className="reaction-floats" aria-hidden="true">
            {floats.map((f) => (
              <span key={f.id} className="reaction-float" style={{ left: `${f.left}%` }}>
                {f.glyph}
              </span>
            ))}
          </div>
          {commentsOpen && !isKids ? (
            <aside className="player-comments" aria-label={t("social.comments")}>
              <button type="button" className="player__button player-comments__close" aria-label={t("social.closeComments")} onClick={() => setCommentsOpen(false)}>
                ✕
              </button>
              <Comments target={{ kind: "video", id: videoId }} player={{ videoId, seek: view.seek, currentTime: view.currentTime }} headingLevel={2} />
            </aside>
          ) : null}
          {view.ended && titleId && !ratingClosed ? <EndRating titleId={titleId} titleName={titleName} onClose={() => setRatingClosed(true)} /> : null}
        </>
      ),
    }),
    [t, density.data, react, reactError, isKids, commentsOpen, floats, videoId, titleId, titleName, ratingClosed],
  );
}
