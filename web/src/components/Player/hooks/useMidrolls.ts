// Mid-rolls at the title's chapter points (the API's `ad_breaks`), for plans with ads.
// Watches the title's <video> (handed over by the Player) and, when a break is due
// (../midrolls), pauses the title, remembers its position and asks the API for the
// break's ad. While the ad plays the page hides the title and shows AdBreak; the title
// is held paused where it was (a play or a seek on it is undone), so its progress
// reports, which read the title's own element, still say the title's position. Then
// the title resumes from exactly that position. No ad at that break: it resumes at once.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { LinearAd } from "../ads";
import { observe, startMidrolls } from "../midrolls";
import type { MidrollState } from "../midrolls";
import { requestAd } from "./useAdDecision";

export type MidrollPhase = "idle" | "deciding" | "ad";

const DECISION_TIMEOUT_MS = 5000;

export interface Midrolls {
  /** Give the hook the title's media element (compose with other consumers). */
  onVideoElement: (video: HTMLVideoElement | null) => void;
  phase: MidrollPhase;
  ad: LinearAd | null;
  /** The ad ended or failed: the title resumes. */
  finish: () => void;
}

export function useMidrolls(videoId: string, breakList: ReadonlyArray<number>, spacingS: number, enabled: boolean): Midrolls {
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  // The same points from a reloaded playback response are the same schedule.
  const key = breakList.join(",");
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const breaks = useMemo(() => breakList.slice(), [key]);
  // What this playback session has played or passed over (kept across player remounts
  // and token renewals, new for another video).
  const session = useRef<{ videoId: string; state: MidrollState }>({ videoId, state: startMidrolls() });
  if (session.current.videoId !== videoId) session.current = { videoId, state: startMidrolls() };
  const [phase, setPhase] = useState<MidrollPhase>("idle");
  const [ad, setAd] = useState<LinearAd | null>(null);
  // The title position held during a break (null: no break now).
  const hold = useRef<number | null>(null);

  const resume = useCallback(() => {
    const at = hold.current;
    hold.current = null;
    setAd(null);
    setPhase("idle");
    if (!video || at === null) return;
    if (Math.abs(video.currentTime - at) > 0.05) video.currentTime = at;
    void video.play().catch(() => {});
  }, [video]);

  useEffect(() => {
    if (!video || !enabled || breaks.length === 0) return;
    const current = session.current;
    // Playback (re)starts here: positions count from its first frame, not from 0.
    let state: MidrollState = { ...current.state, last: null };
    let started = false;
    const save = (next: MidrollState) => {
      state = next;
      current.state = next;
    };
    const abort = new AbortController();
    let giveUp: number | undefined;
    let pending = false; // a decision asked and not answered
    const begin = (at: number) => {
      hold.current = video.currentTime;
      video.pause();
      // A hidden element cannot stay fullscreen: leave it for the ad.
      if (document.fullscreenElement?.contains(video)) void document.exitFullscreen().catch(() => {});
      setPhase("deciding");
      let settled = false;
      pending = true;
      // A decision that does not come keeps the title waiting no longer than this.
      giveUp = window.setTimeout(() => {
        if (settled) return;
        settled = true;
        pending = false;
        resume();
      }, DECISION_TIMEOUT_MS);
      void requestAd(videoId, at, abort.signal).then((found) => {
        if (abort.signal.aborted || settled) return;
        settled = true;
        pending = false;
        window.clearTimeout(giveUp);
        if (found) {
          setAd(found);
          setPhase("ad");
        } else resume();
      });
    };
    const onPlaying = () => {
      if (hold.current !== null) return;
      if (!started) {
        started = true;
        save(observe(state, breaks, spacingS, video.currentTime).state);
      }
    };
    const onTime = () => {
      if (!started || hold.current !== null) return;
      const r = observe(state, breaks, spacingS, video.currentTime, video.seeking);
      save(r.state);
      if (r.due !== null) begin(r.due);
    };
    // During a break the title stays paused where it was.
    const onPlay = () => {
      if (hold.current !== null) video.pause();
    };
    const onSeeking = () => {
      const at = hold.current;
      if (at !== null && Math.abs(video.currentTime - at) > 0.05) video.currentTime = at;
    };
    video.addEventListener("playing", onPlaying);
    video.addEventListener("timeupdate", onTime);
    video.addEventListener("play", onPlay);
    video.addEventListener("seeking", onSeeking);
    return () => {
      abort.abort();
      window.clearTimeout(giveUp);
      // Torn down while asking: nobody would answer, so let the title go.
      if (pending) {
        hold.current = null;
        setPhase("idle");
      }
      video.removeEventListener("playing", onPlaying);
      video.removeEventListener("timeupdate", onTime);
      video.removeEventListener("play", onPlay);
      video.removeEventListener("seeking", onSeeking);
    };
  }, [video, enabled, breaks, spacingS, videoId, resume]);

  return { onVideoElement: setVideo, phase, ad, finish: resume };
}
