// When the player tells the API where the viewer is: every 10 s while playing, on pause,
// on end, and when the page is hidden or left (with a keepalive request, so it survives
// the unload); only once a source has loaded (`active`).
//
// And when a viewing's quality-of-experience report goes: at the end of the video, when
// the page is left and when the player unmounts; whether or not the source ever loaded,
// so exits before the manifest loaded and start failures are counted too. (A fatal error
// and a retry end the viewing in usePlayer; PlaybackViews sends each report once.)
import { useEffect, useRef } from "react";
import type { PlaybackViews } from "../qoe";

export type ProgressReason = "interval" | "pause" | "ended" | "hide";

export interface ReportingCallbacks {
  onProgress?: (positionS: number, durationS: number, reason: ProgressReason) => void;
}

export const PROGRESS_INTERVAL_MS = 10_000;

export function usePlaybackReporting(
  videoRef: React.RefObject<HTMLVideoElement | null>,
  views: PlaybackViews,
  callbacks: ReportingCallbacks,
  active: boolean,
): void {
  const cb = useRef(callbacks);
  cb.current = callbacks;
  const lastSent = useRef<number | null>(null);
  // The progress saver of the loaded source, while there is one: the end and leave
  // handlers below save the position first, so the report's reach includes it.
  const progress = useRef<((reason: ProgressReason) => void) | null>(null);
  const pendingEnd = useRef<number | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !active) return;
    // Remembered from timeupdate, because by unmount Shaka may already have detached
    // the element and reset its currentTime.
    let position = 0;
    let duration = 0;
    const onTime = () => {
      if (video.currentTime > 0) position = video.currentTime;
      if (Number.isFinite(video.duration)) duration = video.duration;
    };
    const send = (reason: ProgressReason) => {
      onTime();
      // Nothing watched yet, or nothing moved since the last save: skip the request.
      if (position <= 0 && reason !== "ended") return;
      if (reason === "interval" && lastSent.current !== null && Math.abs(lastSent.current - position) < 0.5) return;
      lastSent.current = position;
      cb.current.onProgress?.(position, duration, reason);
    };
    progress.current = send;
    const timer = window.setInterval(() => {
      if (!video.paused && !video.ended) send("interval");
    }, PROGRESS_INTERVAL_MS);
    const onPause = () => {
      if (!video.ended) send("pause");
    };
    const onHide = () => {
      if (document.visibilityState === "hidden") {
        send("hide");
      }
    };
    video.addEventListener("timeupdate", onTime);
    video.addEventListener("pause", onPause);
    document.addEventListener("visibilitychange", onHide);
    return () => {
      window.clearInterval(timer);
      video.removeEventListener("timeupdate", onTime);
      video.removeEventListener("pause", onPause);
      document.removeEventListener("visibilitychange", onHide);
      // Leaving the watch page inside the app (no pagehide): save where we were, once.
      if (progress.current === send) {
        progress.current = null;
        send("hide");
      }
    };
  }, [videoRef, active]);

  // The end of the video and leaving the page, for both; and the viewing's report on
  // unmount. Not gated on `active`, which a failed load never sets.
  useEffect(() => {
    if (pendingEnd.current !== null) {
      window.clearTimeout(pendingEnd.current);
      pendingEnd.current = null;
    }
    const video = videoRef.current;
    const onEnded = () => {
      progress.current?.("ended");
      views.end(performance.now(), "ended");
    };
    const onPageHide = () => {
      progress.current?.("hide");
      views.end(performance.now(), "hide");
    };
    video?.addEventListener("ended", onEnded);
    window.addEventListener("pagehide", onPageHide);
    return () => {
      video?.removeEventListener("ended", onEnded);
      window.removeEventListener("pagehide", onPageHide);
      const flush = progress.current;
      progress.current = null;
      flush?.("hide");
      // A moment later: the same player mounted again at once (React's StrictMode runs
      // effects twice) cancels it and goes on with the viewing.
      const now = performance.now();
      pendingEnd.current = window.setTimeout(() => {
        pendingEnd.current = null;
        views.end(now, "hide");
      }, 0);
    };
  }, [videoRef, views]);
}
