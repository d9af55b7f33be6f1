// An ad break: the ad full-frame with an "Ad · 0:12" countdown and no controls to seek
// with (see hooks/usePreroll), then onDone. Before the title (a pre-roll) the page then
// mounts the title's player at its resume position; at a chapter point (a mid-roll,
// hooks/useMidrolls) the title, held paused and hidden meanwhile, resumes where it was.
import { useRef } from "react";
import { Icon } from "../Icons/Icons";
import { useI18n } from "../../i18n";
import { formatClock } from "../../lib/format";
import type { LinearAd } from "./ads";
import { usePreroll } from "./hooks/usePreroll";
import "./player.css";

export interface AdBreakProps {
  ad: LinearAd;
  onDone: () => void;
  backHref?: string;
  /** A mid-roll: the title continues (not starts) when it ends. */
  midroll?: boolean;
}

export function AdBreak({ ad, onDone, backHref, midroll = false }: AdBreakProps) {
  const { t } = useI18n();
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const { remaining, needsPlay, playing, play } = usePreroll(videoRef, ad, onDone);
  return (
    <div className="player player--ad" data-testid="ad-break" data-break={midroll ? "midroll" : "preroll"} data-playing={playing ? "true" : "false"}>
      <video
        ref={videoRef}
        className="player__video"
        playsInline
        disablePictureInPicture
        aria-label={t("ads.label")}
        onContextMenu={(e) => e.preventDefault()}
      />
      <div className="player__top">
        {backHref ? (
          <a className="player__button player__back" href={backHref} aria-label={t("player.back")} title={t("player.back")}>
            <Icon name="back" size={28} />
          </a>
        ) : null}
      </div>
      <p className="player__ad-badge" role="status" aria-live="off" data-testid="ad-countdown">
        {t("ads.countdown", { time: formatClock(Math.ceil(remaining)) })}
      </p>
      <p className="visually-hidden">{t(midroll ? "ads.noSeekMidroll" : "ads.noSeek")}</p>
      {needsPlay ? (
        <button type="button" className="player__big-play" aria-label={t("player.play")} onClick={play}>
          <Icon name="play" size={56} />
        </button>
      ) : null}
    </div>
  );
}
