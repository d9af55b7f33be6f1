// Whether this viewer may still stream what is playing, and what happens when not. The
// stream token is renewed while playing (useStreamToken); when a renewal fails for good,
// or a media request answers 401/403/410/429 and a renewal confirms the problem,
// playback stops with an overlay that says why. When the renewal succeeds instead (a
// token went stale, the plan's cap went down), playback reloads from where it was, at
// most once a minute, so a persistent refusal still ends in an error, not a loop.
// Paused for longer than PAUSE_HOLD_MS, the player stops renewing, so the stream lease
// lapses and another device may stream; playing again renews first.
import { useCallback, useEffect, useRef } from "react";
import type { MutableRefObject, RefObject } from "react";
import type shaka from "shaka-player";
import { accessProblemOf, isAccessStatus, isStreamUrl } from "../streamToken";
import type { AccessProblem } from "../streamToken";
import type { TokenGrant } from "../tokenRenewer";
import { httpFailure, toPlayerError } from "./shakaConfig";
import type { PatchState, PlayerError, PlayerSource } from "./types";
import { useStreamToken } from "./useStreamToken";

const RECOVER_WINDOW_MS = 60_000;
/** A pause longer than this gives the account's stream back. */
export const PAUSE_HOLD_MS = 3 * 60_000;
const NETWORK_CATEGORY = 1; // shaka.util.Error.Category.NETWORK
const ACCESS_CODES: Record<AccessProblem, number> = {
  signedOut: 401,
  unavailable: 403,
  reprocessed: 410,
  tooManyStreams: 429,
  network: 0,
};

export function accessError(problem: AccessProblem): PlayerError {
  return { code: ACCESS_CODES[problem], category: NETWORK_CATEGORY, message: problem, access: problem };
}

interface Options {
  source: PlayerSource | null;
  renewToken: (() => Promise<TokenGrant>) | null;
  videoRef: RefObject<HTMLVideoElement | null>;
  playerRef: RefObject<shaka.Player | null>;
  resumeAtRef: MutableRefObject<number | null>;
  patch: PatchState;
  showError: (error: PlayerError) => void;
  /** Load the source again from where the video is. */
  reloadHere: () => void;
}

export function usePlaybackAccess(options: Options) {
  const { source, renewToken, videoRef, playerRef, resumeAtRef, patch, showError, reloadHere } = options;
  const lostRef = useRef(false);
  const checkingRef = useRef(false);
  const lastRecoverRef = useRef<number | null>(null);

  const stop = useCallback(
    (problem: AccessProblem) => {
      if (lostRef.current) return;
      lostRef.current = true;
      const video = videoRef.current;
      if (video && video.currentTime > 0) resumeAtRef.current = video.currentTime;
      video?.pause();
      patch({ playing: false });
      showError(accessError(problem));
      // Nothing more is fetched with a token that no longer works.
      void playerRef.current?.unload().catch(() => {});
    },
    [videoRef, playerRef, resumeAtRef, patch, showError],
  );

  const stream = useStreamToken({
    grant: source?.token ?? null,
    renew: renewToken,
    onLost: stop,
    // The plan's cap went down: reload, so the manifests list only what it allows now.
    onToken: (next, previous) => {
      if (next.maxHeight < previous.maxHeight) reloadHere();
    },
  });

  // A new source (a new token) is a new chance.
  const sourceToken = source?.token?.token ?? null;
  useEffect(() => {
    lostRef.current = false;
    lastRecoverRef.current = null;
  }, [sourceToken]);

  // A long pause (or a video never started) holds renewals; play resumes them.
  const { hold, resume } = stream;
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let timer: number | null = null;
    const clear = () => {
      if (timer !== null) window.clearTimeout(timer);
      timer = null;
    };
    const onPause = () => {
      clear();
      timer = window.setTimeout(hold, PAUSE_HOLD_MS);
    };
    const onPlay = () => {
      clear();
      void resume();
    };
    if (video.paused) onPause();
    video.addEventListener("pause", onPause);
    video.addEventListener("play", onPlay);
    return () => {
      clear();
      video.removeEventListener("pause", onPause);
      video.removeEventListener("play", onPlay);
    };
  }, [videoRef, hold, resume]);

  const { renewing, renewNow } = stream;
  /** Takes over media requests refused with 401/403/410/429 (see the module comment). */
  const intercept = useCallback(
    (detail: unknown): boolean => {
      const failure = httpFailure(detail);
      if (!failure || !isAccessStatus(failure.status) || !isStreamUrl(failure.uri)) return false;
      if (lostRef.current || checkingRef.current) return true;
      const problem = accessProblemOf(failure.status);
      if (!renewing) {
        stop(problem === "retry" ? "unavailable" : problem);
        return true;
      }
      checkingRef.current = true;
      patch({ buffering: true });
      void renewNow().then((renewed) => {
        checkingRef.current = false;
        if (!renewed) {
          // The renewal said why (onLost); if it could not even try, say what the
          // request said.
          stop(problem === "retry" ? "unavailable" : problem);
          return;
        }
        const now = performance.now();
        if (lastRecoverRef.current !== null && now - lastRecoverRef.current < RECOVER_WINDOW_MS) {
          showError(toPlayerError(detail));
          return;
        }
        lastRecoverRef.current = now;
        reloadHere();
      });
      return true;
    },
    [renewing, renewNow, stop, patch, showError, reloadHere],
  );

  return { stream, intercept };
}
