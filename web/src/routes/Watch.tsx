// The watch page: full-screen player for one video. It asks the API for signed
// playback URLs and the resume position, renews the stream token for the player, saves
// progress as the player reports it, sends quality-of-experience events, and offers the
// next episode of a series; opened from a shared clip (`?t=…&end=…`) it stops at the
// clip's end. When the viewer's plan has ads, a pre-roll plays first, and mid-rolls at
// the chapter points the API lists (the title paused and hidden meanwhile).
// Over the plan's stream limit it names the devices streaming, with a button to stop
// each; leaving the page frees this device's stream.
import { useCallback, useMemo, useRef, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api, ApiError, unwrap } from "../api/client";
import type { PlaybackEventCreate, TitleDetail, TooManyStreamsPublic } from "../api/client";
import { streamConflictOf } from "../api/devices";
import { ErrorView, Loading } from "../components/Common/Status";
import { StreamLimit } from "../components/Devices/StreamLimit";
import { AdBreak } from "../components/Player/AdBreak";
import { usePlayerSocial } from "../components/Social/PlayerSocial";
import { combineAddons, usePlayerClips } from "../components/Clips/PlayerClips";
import { parseEndParam } from "../components/Clips/clips";
import { parseStartParam } from "../components/Social/social";
import { useWatchParty } from "../components/Party/useWatchParty";
import { Player } from "../components/Player/Player";
import { useAdDecision } from "../components/Player/hooks/useAdDecision";
import { useMidrolls } from "../components/Player/hooks/useMidrolls";
import type { NextEpisode } from "../components/Player/Player";
import { creditsAt, introOf } from "../components/Player/chapters";
import type { QoeReport } from "../components/Player/qoe";
import { absoluteUrl } from "../components/Player/streamToken";
import type { TokenGrant } from "../components/Player/tokenRenewer";
import { useApi } from "../hooks/useApi";
import { fetchPlayback, takePrefetchedPlayback } from "../lib/watchPrefetch";
import { rememberResume } from "../lib/resumePoint";
import { afterFirstFrame } from "../lib/afterFirstFrame";
import type { PlayerSource } from "../components/Player/hooks/types";
import type { ProgressReason } from "../components/Player/hooks/usePlaybackReporting";
import { usePageTitle } from "../hooks/usePageTitle";
import { useStreamRelease } from "../hooks/useStreamRelease";
import { useI18n } from "../i18n";
import type { Translate } from "../i18n";

const NO_BREAKS: number[] = [];

function nextEpisode(detail: TitleDetail | undefined, videoId: string, t: Translate): NextEpisode | null {
  if (!detail || detail.kind !== "series") return null;
  const episodes = detail.seasons.flatMap((s) => s.episodes);
  const index = episodes.findIndex((e) => e.id === videoId);
  if (index < 0) return null;
  const next = episodes.slice(index + 1).find((e) => e.status === "ready");
  if (!next) return null;
  const se = t("title.seasonEpisode", { s: next.season_number ?? 1, e: next.episode_number ?? "?" });
  return { href: `/watch/${next.id}?title=${detail.id}`, label: `${se} ${next.name}`.trim() };
}

function qoePayload(report: QoeReport): Record<string, string | number | boolean | null> {
  return {
    startup_ms: report.startup_ms,
    rebuffer_count: report.rebuffer_count,
    rebuffer_ms: report.rebuffer_ms,
    bitrate_switches: report.bitrate_switches,
    fatal_errors: report.fatal_errors,
    error_codes: report.error_codes.join(","),
    watched_s: report.watched_s,
    average_bitrate: report.average_bitrate,
    ...(report.height !== null ? { height: report.height } : {}),
    ...(report.width !== null ? { width: report.width } : {}),
  };
}

export default function WatchPage() {
  const { videoId = "" } = useParams();
  const [params] = useSearchParams();
  const titleId = params.get("title");
  // `?t=751`: start at that moment (a comment's "at 12:31" on the title page).
  const startParam = parseStartParam(params.get("t"));
  // `?end=75.5` (a shared clip): the player stops there, with Replay and Keep watching.
  const endParam = parseEndParam(params.get("end"), startParam);
  const clipRange = useMemo(
    () => (startParam !== null && endParam !== null ? { start: startParam, end: endParam } : null),
    [startParam, endParam],
  );
  const navigate = useNavigate();
  const { t } = useI18n();
  const playback = useApi(() => {
    const fresh = () => fetchPlayback(videoId);
    return takePrefetchedPlayback(videoId, fresh) ?? fresh();
  }, [videoId]);
  // The title's details (next episode, the episode's name) are not needed for the first
  // frame: fetched after it.
  const detail = useApi(
    () =>
      titleId
        ? afterFirstFrame().then(() => unwrap(api.GET("/api/v1/titles/{title_id}", { params: { path: { title_id: titleId } } })))
        : Promise.resolve(undefined),
    [titleId],
  );
  const p = playback.data;
  // A pre-roll first when the plan has ads (asked only then); the title's player mounts
  // after it, so the title starts at its own resume point and saves no progress meanwhile.
  const preroll = useAdDecision(videoId, p ? p.ads === true : null);
  // Watch together: `?party=<id>` keeps this player in step with the party's members.
  const party = useWatchParty(videoId, titleId);
  // Mid-rolls at the API's break points; none in a party (a break would pause the whole
  // group) nor in a shared clip's range.
  const midroll = useMidrolls(
    videoId,
    p?.ad_breaks ?? NO_BREAKS,
    p?.ad_break_spacing_s ?? 0,
    p?.ads === true && !party.partyId && !clipRange,
  );
  const partyVideo = party.onVideoElement;
  const midrollVideo = midroll.onVideoElement;
  const onVideoElement = useCallback(
    (video: HTMLVideoElement | null) => {
      partyVideo(video);
      midrollVideo(video);
    },
    [partyVideo, midrollVideo],
  );
  usePageTitle(p?.title);
  // Playback granted means a stream is held for this device until the page lets it go.
  useStreamRelease(videoId, p !== undefined);
  // Who holds the streams, when a renewal was refused for the limit (the player stops
  // and shows them).
  const [conflict, setConflict] = useState<TooManyStreamsPublic | null>(null);

  // Media URLs are relative when the server has no public URL configured: made absolute
  // here, once, so every consumer (Shaka, the thumbnails, Cast) gets the same ones.
  const source = useMemo<PlayerSource | null>(() => {
    if (!p) return null;
    const origin = window.location.origin;
    const abs = (url: string | null) => (url ? absoluteUrl(url, origin) : null);
    return {
      hls: abs(p.hls_url),
      dash: abs(p.dash_url),
      startAt: startParam ?? p.resume_position_s,
      subtitles: p.subtitles.map((s) => ({ url: absoluteUrl(s.url, origin), language: s.language, label: s.label })),
      token: { token: p.token, renewAfterS: p.renew_after_s, maxHeight: p.max_height },
    };
  }, [p, startParam]);
  const thumbnailsUrl = p?.thumbnails_url ? absoluteUrl(p.thumbnails_url, window.location.origin) : null;

  const renewToken = useCallback(async (): Promise<TokenGrant> => {
    try {
      const renewal = await unwrap(
        api.POST("/api/v1/playback/{video_id}/renew", { params: { path: { video_id: videoId } } }),
      );
      return { token: renewal.token, renewAfterS: renewal.renew_after_s, maxHeight: renewal.max_height };
    } catch (err) {
      const refused = streamConflictOf(err);
      if (refused) setConflict(refused);
      throw err;
    }
  }, [videoId]);
  const streamLimit = useCallback((retry: () => void) => <StreamLimit conflict={conflict} onRetry={retry} />, [conflict]);

  const sendEvent = useCallback(
    (body: PlaybackEventCreate, keepalive = false) => {
      void api
        .POST("/api/v1/playback/{video_id}/events", { params: { path: { video_id: videoId } }, body, keepalive })
        .catch(() => {});
    },
    [videoId],
  );

  // How far this viewing got, for the report's completion and retention figures.
  const reach = useRef({ furthest: 0, duration: 0 });
  const onProgress = useCallback(
    (position: number, duration: number, reason: ProgressReason) => {
      reach.current = { furthest: Math.max(reach.current.furthest, position), duration };
      rememberResume(videoId, position, duration);
      void api
        .PUT("/api/v1/progress/{video_id}", {
          params: { path: { video_id: videoId } },
          body: { position_s: Math.round(position * 10) / 10, duration_s: duration > 0 ? duration : null },
          keepalive: reason === "hide",
        })
        .catch(() => {});
    },
    [videoId],
  );

  const onQoe = useCallback(
    (report: QoeReport, reason: "ended" | "hide" | "error") => {
      const kind = reason === "error" ? "error" : "end";
      const { furthest, duration } = reach.current;
      const payload = { ...qoePayload(report), ...(duration > 0 ? { duration_s: duration } : {}) };
      sendEvent({ kind, payload, position_s: duration > 0 ? Math.min(furthest, duration) : null }, reason !== "error");
    },
    [sendEvent],
  );

  // Chapter marks from the API: "Skip intro" over the intro, and the next-episode
  // countdown from the start of the end credits (else at the end of the video).
  const intro = useMemo(() => introOf(p?.chapters), [p?.chapters]);
  const following = nextEpisode(detail.data, videoId, t);
  const credits = creditsAt(p?.chapters);
  const next = following && credits !== null ? { ...following, at: credits } : following;
  const backHref = titleId ? `/title/${titleId}` : "/";
  const episode = detail.data?.seasons.flatMap((s) => s.episodes).find((e) => e.id === videoId);
  const subtitle = episode
    ? `${t("title.seasonEpisode", { s: episode.season_number ?? 1, e: episode.episode_number ?? "?" })}${episode.name ? ` · ${episode.name}` : ""}`
    : null;

  const social = usePlayerSocial({ videoId, titleId, titleName: detail.data?.name ?? p?.title ?? "" });
  const clips = usePlayerClips({ videoId, range: clipRange });
  const addons = useMemo(() => combineAddons(social, clips), [social, clips]);

  if (playback.error) {
    const status = playback.error instanceof ApiError ? playback.error.status : null;
    let message: React.ReactNode = <ErrorView error={playback.error} onRetry={playback.reload} />;
    if (status === 404) message = <p className="empty">{t("title.notFound")}</p>;
    else if (status === 401)
      message = (
        <div className="error-view" role="alert">
          <p>{t("player.access.signedOut")}</p>
          {/* A full page load, so the app forgets the ended session. */}
          <a className="btn" href={`/login?next=${encodeURIComponent(`/watch/${videoId}${window.location.search}`)}`}>
            {t("player.signIn")}
          </a>
        </div>
      );
    else if (status === 429)
      message = (
        <div className="error-view" role="alert">
          <StreamLimit conflict={streamConflictOf(playback.error)} onRetry={playback.reload} />
        </div>
      );
    return (
      <main id="main" className="watch watch--message">
        {message}
      </main>
    );
  }
  return (
    <main id="main" className="watch">
      {!p || preroll.phase === "waiting" || preroll.phase === "deciding" ? (
        <Loading />
      ) : preroll.phase === "ad" && preroll.ad ? (
        <AdBreak key={`ad-${videoId}`} ad={preroll.ad} onDone={preroll.finish} backHref={backHref} />
      ) : (
        <>
          <div className="watch__title" hidden={midroll.phase === "ad"} data-testid="title-player">
            <Player
              key={videoId}
              title={detail.data?.name ?? p.title}
              subtitle={subtitle}
              source={source}
              thumbnailsUrl={thumbnailsUrl}
              intro={intro}
              next={party.canStartEpisode ? next : null}
              backHref={backHref}
              onBack={() => (window.history.length > 1 ? navigate(-1) : navigate(backHref))}
              onNext={(n) => {
                // In a party the next episode starts for everyone (the page follows the group).
                const nextId = new URL(n.href, window.location.origin).pathname.split("/").pop() ?? "";
                if (!party.startEpisode(nextId)) navigate(n.href);
              }}
              onVideoElement={onVideoElement}
              overlay={party.overlay}
              onProgress={onProgress}
              onQoe={onQoe}
              onStarted={(startupMs, height, width) =>
                sendEvent({
                  kind: "start",
                  payload: { startup_ms: startupMs, ...(height !== null ? { height } : {}), ...(width !== null ? { width } : {}) },
                  position_s: null,
                })
              }
              renewToken={renewToken}
              onReloadSource={playback.reload}
              streamLimit={streamLimit}
              addons={addons}
            />
          </div>
          {midroll.phase === "ad" && midroll.ad ? (
            <AdBreak key={`midroll-${videoId}`} ad={midroll.ad} onDone={midroll.finish} backHref={backHref} midroll />
          ) : null}
        </>
      )}
    </main>
  );
}
