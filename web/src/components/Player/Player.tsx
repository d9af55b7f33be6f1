// The Kinema player: Shaka (through usePlayer) under custom controls. Everything a
// viewer touches is a real button, slider or radio with a name, so the player works
// from the keyboard and with a screen reader, not only with a mouse.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";
import { Icon } from "../Icons/Icons";
import { useI18n } from "../../i18n";
import { formatClock, qualityLabel } from "../../lib/format";
import { usePlayer } from "./hooks/usePlayer";
import type { PlayerSource } from "./hooks/usePlayer";
import { usePlayerShortcuts } from "./hooks/usePlayerShortcuts";
import { usePlaybackReporting } from "./hooks/usePlaybackReporting";
import { useCast } from "./hooks/useCast";
import { useVideoElement } from "./hooks/useVideoElement";
import type { ReportingCallbacks } from "./hooks/usePlaybackReporting";
import type { QoeReport, ViewEnd } from "./qoe";
import { ErrorOverlay } from "./ErrorOverlay";
import { SeekBar } from "./SeekBar";
import { Popover, RadioGroup } from "./Popover";
import { absoluteUrl, withToken } from "./streamToken";
import { parseThumbnailsVtt } from "./thumbnails";
import type { ThumbnailCue } from "./thumbnails";
import type { TokenGrant } from "./tokenRenewer";
import { menuSpeed } from "./intent";
import "./player.css";

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;
const HIDE_CONTROLS_MS = 3000;
const NEXT_COUNTDOWN_S = 10;

export interface NextEpisode {
  href: string;
  label: string;
  /** Seconds into this video where the countdown starts (credits); else at the end. */
  at?: number | null;
}

export interface PlayerProps extends ReportingCallbacks {
  title: string;
  subtitle?: string | null;
  source: PlayerSource | null;
  thumbnailsUrl?: string | null;
  intro?: { start: number; end: number } | null;
  next?: NextEpisode | null;
  backHref?: string;
  onBack?: () => void;
  onNext?: (next: NextEpisode) => void;
  /** A viewing's first frame: startup time in ms since its load began, and the picture
   *  size playing (a retry is a new viewing, with its own start). */
  onStarted?: (startupMs: number | null, height: number | null, width: number | null) => void;
  /** A viewing's one QoE report: at the end, when left (even before the source loaded),
   *  at a fatal error, and before a retry's new viewing. */
  onQoe?: (report: QoeReport, reason: ViewEnd) => void;
  /** Ask the API for the next stream token (see PlayerSource.token). */
  renewToken?: () => Promise<TokenGrant>;
  /** Fetch the source again (new URLs, access re-checked): Retry after access ended. */
  onReloadSource?: () => void;
  /** What to show when the stream limit stopped playback (the devices holding it). */
  streamLimit?: (retry: () => void) => ReactNode;
  /** Extras of other features (reactions, comments): drawn over the seek bar, in the
   *  control bar and over the video, from the player's current view. */
  addons?: (view: PlayerView) => PlayerAddons;
  /** The <video> element, for a page that keeps it in step with others (watch together). */
  onVideoElement?: (video: HTMLVideoElement | null) => void;
  /** Drawn over the video, inside the player (so it stays in full screen). */
  overlay?: ReactNode;
}

/** What the player tells its addons: where it is, and ways to seek, play and pause. */
export interface PlayerView {
  currentTime: number;
  duration: number;
  playing: boolean;
  ended: boolean;
  seek: (seconds: number) => void;
  play: () => void;
  pause: () => void;
}

export interface PlayerAddons {
  /** Above the seek bar, across its width. */
  timeline?: ReactNode;
  /** In the control bar, before the subtitles button. */
  bar?: ReactNode;
  /** Over the video (panels, prompts). */
  overlay?: ReactNode;
}

export function Player(props: PlayerProps) {
  const { title, subtitle, source, thumbnailsUrl, intro, next, backHref, onBack, onNext } = props;
  const { t } = useI18n();
  const { videoRef, containerRef, views, state, controls, streamToken, currentToken } = usePlayer({
    source,
    renewToken: props.renewToken,
    reloadSource: props.onReloadSource,
    // usePlayer keeps the latest of these each render: no refs needed here.
    onViewStart: (report) => props.onStarted?.(report.startup_ms, report.height, report.width),
    onViewEnd: (report, reason) => props.onQoe?.(report, reason),
  });
  const [idle, setIdle] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [thumbnails, setThumbnails] = useState<ThumbnailCue[]>([]);
  const [countdown, setCountdown] = useState<number | null>(null);
  const [countdownCancelled, setCountdownCancelled] = useState(false);
  const idleTimer = useRef<number | null>(null);

  const onVideoElement = useRef(props.onVideoElement);
  onVideoElement.current = props.onVideoElement;
  useEffect(() => {
    onVideoElement.current?.(videoRef.current);
    return () => onVideoElement.current?.(null);
  }, [videoRef]);

  usePlaybackReporting(videoRef, views, { onProgress: props.onProgress }, state.ready);

  const activity = useCallback(() => {
    setIdle(false);
    if (idleTimer.current !== null) window.clearTimeout(idleTimer.current);
    idleTimer.current = window.setTimeout(() => setIdle(true), HIDE_CONTROLS_MS);
  }, []);
  useEffect(() => () => {
    if (idleTimer.current !== null) window.clearTimeout(idleTimer.current);
  }, []);
  const videoSlot = useVideoElement(videoRef, {
    click: () => {
      controls.toggle();
      activity();
    },
    dblclick: () => controls.toggleFullscreen(),
  });
  usePlayerShortcuts(controls, state, activity);

  // Google Cast: the sender SDK loads only once playback has settled (never ahead of the
  // first frame), and the receiver gets the manifest and the position of that moment.
  const { cast, startCast } = useCast({
    enabled: state.ready && !state.starting,
    media: () => {
      const url = source?.hls ?? source?.dash ?? null;
      if (!url) return null;
      return {
        // The TV fetches the stream itself: an absolute URL, with the newest token.
        url: absoluteUrl(withToken(url, currentToken()), window.location.origin),
        kind: source?.hls ? "hls" : "dash",
        title,
        subtitle: subtitle ?? null,
        position: videoRef.current?.currentTime ?? 0,
      };
    },
    onCasting: controls.pause,
  });

  // Trickplay sprites wait until the video is loaded: they must not compete with the
  // manifest and first segments for the first frame.
  const thumbsWanted = state.ready;
  useEffect(() => {
    if (!thumbnailsUrl || !thumbsWanted) {
      setThumbnails([]);
      return;
    }
    const abort = new AbortController();
    const url = withToken(thumbnailsUrl, currentToken());
    fetch(url, { signal: abort.signal, credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((text) => setThumbnails(parseThumbnailsVtt(text, url)))
      .catch(() => setThumbnails([]));
    return () => abort.abort();
  }, [thumbnailsUrl, thumbsWanted, currentToken]);
  // Sprites load when the seek bar is hovered, maybe long after the VTT: with the newest token.
  const trickplay = useMemo(
    () => (streamToken ? thumbnails.map((cue) => ({ ...cue, url: withToken(cue.url, streamToken) })) : thumbnails),
    [thumbnails, streamToken],
  );

  // Next-episode countdown: from the credits marker (or the end) down to zero.
  const inCredits =
    Boolean(next) &&
    state.ready &&
    (state.ended || (next?.at != null && state.duration > 0 && state.currentTime >= next.at));
  useEffect(() => {
    if (!inCredits || countdownCancelled) {
      setCountdown(null);
      return;
    }
    setCountdown(NEXT_COUNTDOWN_S);
    const timer = window.setInterval(() => {
      setCountdown((n) => (n === null ? null : Math.max(0, n - 1)));
    }, 1000);
    return () => window.clearInterval(timer);
  }, [inCredits, countdownCancelled]);
  useEffect(() => {
    if (countdown === 0 && next) onNext?.(next);
  }, [countdown, next, onNext]);
  useEffect(() => setCountdownCancelled(false), [next?.href]);

  const showIntro = Boolean(intro) && intro!.end > intro!.start && state.currentTime >= intro!.start && state.currentTime < intro!.end - 0.5;
  const controlsHidden = idle && state.playing && !menuOpen;
  const activeQuality = state.qualities.find((q) => q.height === state.activeHeight);
  const remaining = Math.max(0, state.duration - state.currentTime);
  const addons = props.addons?.({
    currentTime: state.currentTime,
    duration: state.duration,
    playing: state.playing,
    ended: state.ended,
    seek: controls.seek,
    play: controls.play,
    pause: controls.pause,
  });

  return (
    <div
      ref={containerRef}
      className={`player${controlsHidden ? " player--idle" : ""}`}
      onPointerMove={activity}
      onPointerDown={activity}
      onFocus={activity}
      data-testid="player"
      data-ready={state.ready ? "true" : "false"}
      data-playing={state.playing ? "true" : "false"}
      data-error={state.error ? String(state.error.code) : undefined}
    >
      <div ref={videoSlot} className="player__video-slot" />

      {props.overlay}

      {state.buffering && !state.error ? (
        <div className="player__spinner" role="status" aria-label={t("player.loading")}>
          <span />
        </div>
      ) : null}

      {!state.playing && state.ready && !state.starting && !state.error && countdown === null ? (
        <button type="button" className="player__big-play" aria-label={t("player.play")} onClick={controls.play}>
          <Icon name="play" size={56} />
        </button>
      ) : null}

      {state.error ? (
        <ErrorOverlay
          error={state.error}
          onRetry={controls.retry}
          canReload={Boolean(props.onReloadSource)}
          backHref={backHref}
          streamLimit={props.streamLimit}
        />
      ) : null}

      <div className="player__top">
        {backHref || onBack ? (
          <a
            className="player__button player__back"
            href={backHref ?? "#"}
            aria-label={t("player.back")}
            title={t("player.back")}
            onClick={(e) => {
              if (onBack) {
                e.preventDefault();
                onBack();
              }
            }}
          >
            <Icon name="back" size={28} />
          </a>
        ) : null}
        <div className="player__heading">
          <h1 className="player__title">{title}</h1>
          {subtitle ? <p className="player__subtitle">{subtitle}</p> : null}
        </div>
      </div>

      {cast.device ? (
        <p className="player__casting" role="status">
          {t("player.castingTo", { device: cast.device })}
        </p>
      ) : null}

      {showIntro ? (
        <button type="button" className="player__skip btn" onClick={() => controls.seek(intro!.end)}>
          {t("player.skipIntro")}
        </button>
      ) : null}

      {countdown !== null && next ? (
        <div className="player__next" role="status" aria-live="polite">
          <p className="player__next-label">{next.label}</p>
          <p>{t("player.nextIn", { n: countdown })}</p>
          <div className="player__next-actions">
            <a
              className="btn btn--primary"
              href={next.href}
              onClick={(e) => {
                if (onNext) {
                  e.preventDefault();
                  onNext(next);
                }
              }}
            >
              <Icon name="play" size={20} /> {t("player.playNow")}
            </a>
            <button type="button" className="btn" onClick={() => setCountdownCancelled(true)}>
              {t("player.cancel")}
            </button>
          </div>
        </div>
      ) : null}

      {addons?.overlay}

      <div className="player__controls" aria-label={t("player.settings")} role="group">
        {addons?.timeline}
        <div className="player__timeline">
          <SeekBar
            currentTime={state.currentTime}
            duration={state.duration}
            bufferedEnd={state.bufferedEnd}
            thumbnails={trickplay}
            intro={intro ?? null}
            onSeek={controls.seek}
          />
          <span className="player__remaining" aria-hidden="true">
            {formatClock(remaining)}
          </span>
        </div>
        <div className="player__bar">
          <button
            type="button"
            className="player__button"
            aria-label={state.playing ? t("player.pause") : t("player.play")}
            title={`${state.playing ? t("player.pause") : t("player.play")} (k)`}
            onClick={controls.toggle}
            data-testid="play-toggle"
          >
            <Icon name={state.playing ? "pause" : "play"} size={30} />
          </button>
          <button type="button" className="player__button" aria-label={t("player.rewind")} title={`${t("player.rewind")} (j)`} onClick={() => controls.seekBy(-10)}>
            <Icon name="rewind" size={28} />
          </button>
          <button type="button" className="player__button" aria-label={t("player.forward")} title={`${t("player.forward")} (l)`} onClick={() => controls.seekBy(10)}>
            <Icon name="forward" size={28} />
          </button>
          <div className="player__volume">
            <button
              type="button"
              className="player__button"
              aria-label={state.muted ? t("player.unmute") : t("player.mute")}
              title={`${state.muted ? t("player.unmute") : t("player.mute")} (m)`}
              onClick={controls.toggleMute}
            >
              <Icon name={state.muted || state.volume === 0 ? "muted" : "volume"} size={28} />
            </button>
            <input
              className="player__volume-slider"
              type="range"
              min={0}
              max={1}
              step={0.05}
              value={state.muted ? 0 : state.volume}
              aria-label={t("player.volume")}
              aria-valuetext={`${Math.round((state.muted ? 0 : state.volume) * 100)}%`}
              onChange={(e) => controls.setVolume(Number(e.currentTarget.value))}
            />
          </div>
          <span className="player__time" aria-live="off">
            {formatClock(state.currentTime)} / {formatClock(state.duration)}
          </span>
          <span className="player__spacer" />
          {next ? (
            <a
              className="player__button"
              href={next.href}
              aria-label={`${t("player.nextEpisode")}: ${next.label}`}
              title={t("player.nextEpisode")}
              onClick={(e) => {
                if (onNext) {
                  e.preventDefault();
                  onNext(next);
                }
              }}
            >
              <Icon name="next" size={28} />
            </a>
          ) : null}
          {addons?.bar}
          <Popover label={t("player.subtitles")} icon={<Icon name="subtitles" size={28} />} onOpenChange={setMenuOpen}>
            {state.audio.length > 1 ? (
              <RadioGroup
                legend={t("player.audio")}
                name="audio"
                value={state.audio.find((a) => a.active)?.key ?? ""}
                options={state.audio.map((a) => ({ value: a.key, label: a.label }))}
                onChange={controls.selectAudio}
              />
            ) : null}
            <RadioGroup<number>
              legend={t("player.subtitles")}
              name="subtitles"
              value={state.activeTextId ?? -1}
              options={[
                { value: -1, label: t("player.off") },
                ...state.texts.map((tt) => ({ value: tt.id, label: tt.label })),
              ]}
              onChange={(id) => controls.selectText(id === -1 ? null : id)}
            />
          </Popover>
          <Popover label={t("player.settings")} icon={<Icon name="settings" size={28} />} onOpenChange={setMenuOpen}>
            <RadioGroup<number>
              legend={t("player.speed")}
              name="speed"
              value={menuSpeed(state.rate, SPEEDS)}
              options={SPEEDS.map((s) => ({ value: s, label: s === 1 ? t("player.normal") : `${s}x` }))}
              onChange={controls.setRate}
            />
            <RadioGroup<number>
              legend={t("player.quality")}
              name="quality"
              value={state.manualHeight ?? 0}
              options={[
                {
                  value: 0,
                  label:
                    state.manualHeight === null && activeQuality
                      ? t("player.autoWith", { q: qualityLabel(activeQuality.height) })
                      : t("player.auto"),
                },
                ...state.qualities.map((q) => ({ value: q.height, label: qualityLabel(q.height) })),
              ]}
              onChange={(h) => controls.selectQuality(h === 0 ? null : h)}
            />
          </Popover>
          {cast.available || state.remoteAvailable ? (
            <button
              type="button"
              className="player__button"
              aria-label={t("player.cast")}
              title={t("player.cast")}
              aria-pressed={cast.device !== null}
              onClick={cast.available ? startCast : controls.castOrRemote}
              data-testid="cast-button"
            >
              <Icon name="cast" size={26} />
            </button>
          ) : null}
          {state.pipSupported ? (
            <button type="button" className="player__button" aria-label={t("player.pip")} title={t("player.pip")} aria-pressed={state.pip} onClick={controls.togglePip}>
              <Icon name="pip" size={26} />
            </button>
          ) : null}
          <button
            type="button"
            className="player__button"
            aria-label={state.fullscreen ? t("player.exitFullscreen") : t("player.fullscreen")}
            title={`${state.fullscreen ? t("player.exitFullscreen") : t("player.fullscreen")} (f)`}
            onClick={controls.toggleFullscreen}
          >
            <Icon name={state.fullscreen ? "exitFullscreen" : "fullscreen"} size={28} />
          </button>
        </div>
      </div>
      <p className="visually-hidden">{t("player.shortcuts")}</p>
    </div>
  );
}
