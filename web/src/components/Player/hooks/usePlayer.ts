// The one door to Shaka Player for the Player component: it owns a shaka.Player for a
// <video> and its container, mirrors the media element and Shaka's tracks into React
// state, keeps the stream token fresh, and exposes the actions the controls need. The
// Player renders; this decides.
//
// Composed of focused hooks, each with one job: useShakaPlayer (the player's lifecycle,
// configuration and events), useMediaState (the <video> element and the page),
// useSourceLoading (loading and reloading a source), usePlaybackAccess (the stream
// token, and stopping when access ends), usePlayerControls (the actions) and
// usePreferences (what is remembered across titles). Quality of experience is counted per
// viewing (one load attempt) by PlaybackViews; its start and end reports go to the
// `onViewStart`/`onViewEnd` options.
import { useCallback, useRef, useState } from "react";
import type shaka from "shaka-player";
import { PlaybackViews } from "../qoe";
import type { ViewListener } from "../qoe";
import type { TokenGrant } from "../tokenRenewer";
import { initialPlayerState } from "./types";
import type { PlayerError, PlayerSource, PlayerState } from "./types";
import { useMediaState } from "./useMediaState";
import { usePlaybackAccess } from "./usePlaybackAccess";
import { usePlayerControls } from "./usePlayerControls";
import { useTextPreference } from "./usePreferences";
import { useShakaPlayer } from "./useShakaPlayer";
import { useSourceLoading } from "./useSourceLoading";

export type { AudioOption, PlayerControls, PlayerError, PlayerSource, PlayerState, TextOption } from "./types";

export interface UsePlayerOptions {
  source: PlayerSource | null;
  /** Preferred subtitle language, remembered across titles. */
  preferredTextLanguage?: string | null;
  onFatalError?: (error: PlayerError) => void;
  /** Ask the API for the next stream token (renewal needs `source.token` too). */
  renewToken?: (() => Promise<TokenGrant>) | null;
  /** Fetch the source again (new URLs, access checked afresh): Retry after access ended. */
  reloadSource?: (() => void) | null;
  /** A viewing's first frame (send the `start` event). */
  onViewStart?: ViewListener["onStart"];
  /** A viewing's one QoE report: at the end, when left, at a fatal error, before a retry. */
  onViewEnd?: ViewListener["onEnd"];
}

export function usePlayer(options: UsePlayerOptions) {
  const { source, onFatalError } = options;
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const containerRef = useRef<HTMLDivElement | null>(null);
  const playerRef = useRef<shaka.Player | null>(null);
  const listener = useRef<ViewListener>({});
  listener.current = { onStart: options.onViewStart, onEnd: options.onViewEnd };
  const [views] = useState(() => new PlaybackViews(() => listener.current));
  const resumeAtRef = useRef<number | null>(null);
  // The viewer's own retries: each load after one is a new viewing. The player's own
  // reloads (a renewed token, a lower plan cap) go on with the viewing playing.
  const retries = useRef(0);
  const [state, setState] = useState<PlayerState>(initialPlayerState);
  const [attempt, setAttempt] = useState(0);
  const { preferredText, setPreferredText } = useTextPreference(options.preferredTextLanguage);

  const patch = useCallback((update: Partial<PlayerState>) => {
    setState((prev) => ({ ...prev, ...update }));
  }, []);
  const onFatalRef = useRef(onFatalError);
  onFatalRef.current = onFatalError;
  /** Stop on a fatal error: end the viewing as failed, show it, tell the page. */
  const showError = useCallback(
    (error: PlayerError) => {
      views.fatal(performance.now(), error.code);
      patch({ error, buffering: false });
      onFatalRef.current?.(error);
    },
    [patch, views],
  );
  /** Load the source again, from where the video is (or where it was stopped). */
  const reloadHere = useCallback(() => {
    const video = videoRef.current;
    if (video && video.currentTime > 0) resumeAtRef.current = video.currentTime;
    setAttempt((n) => n + 1);
  }, []);

  const { stream, intercept } = usePlaybackAccess({
    source,
    renewToken: options.renewToken ?? null,
    videoRef,
    playerRef,
    resumeAtRef,
    patch,
    showError,
    reloadHere,
  });
  // Media listeners first: on unmount they go before the player is destroyed.
  useMediaState({ videoRef, containerRef, views, patch });
  const { refreshTracks, fail } = useShakaPlayer({
    videoRef,
    containerRef,
    playerRef,
    views,
    setState,
    patch,
    showError,
    requestFilter: stream.requestFilter,
    intercept,
  });
  useSourceLoading({ source, attempt, retries, videoRef, playerRef, views, resumeAtRef, preferredText, patch, refreshTracks, fail });

  // Retry after access ended fetches the source again (a new token, access re-checked);
  // after any other error it loads the same source again.
  const reloadSource = options.reloadSource ?? null;
  const accessLost = Boolean(state.error?.access);
  const reload = useCallback(() => {
    retries.current += 1;
    if (accessLost && reloadSource) {
      const video = videoRef.current;
      if (video && video.currentTime > 0) resumeAtRef.current = video.currentTime;
      reloadSource();
    } else {
      reloadHere();
    }
  }, [accessLost, reloadSource, reloadHere]);
  const controls = usePlayerControls({
    videoRef,
    containerRef,
    playerRef,
    views,
    audio: state.audio,
    preferredText,
    setPreferredText,
    setState,
    patch,
    reload,
  });
  return { videoRef, containerRef, playerRef, views, state, controls, streamToken: stream.token, currentToken: stream.current };
}
