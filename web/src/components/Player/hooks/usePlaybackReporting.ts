// When the player tells the API where the viewer is: every 10 s while playing, on pause,
// on end, and when the page is hidden or left (with a keepalive request, so it survives
// the unload). Quality-of-experience reports go on end, on leave and after a fatal error.
import { useEffect, useRef } from "react";
import type { QoeReport } from "../qoe";

export type ProgressReason = "interval" | "pause" | "ended" | "hide";

export interface ReportingCallbacks {
  onProgress?: (positionS: number, durationS: number, reason: ProgressReason) => void;
  onQoe?: (report: QoeReport, reason: "ended" | "hide" | "error") => void;
}

export const PROGRESS_INTERVAL_MS = 10_000;

export function usePlaybackReporting(
  videoRef: React.RefObject<HTMLVideoElement | null>,
  qoe: () => QoeReport,
  callbacks: ReportingCallbacks,
  active: boolean,
): void {
  const cb = useRef(callbacks);
  cb.current = callbacks;
  const lastSent = useRef<number | null>(null);

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
    let qoeSent = false;
    const sendQoe = (reason: "ended" | "hide" | "error") => {
      if (qoeSent && reason !== "error") return;
      qoeSent = reason !== "error";
      cb.current.onQoe?.(qoe(), reason);
    };
    const timer = window.setInterval(() => {
      if (!video.paused && !video.ended) send("interval");
    }, PROGRESS_INTERVAL_MS);
    const onPause = () => {
      if (!video.ended) send("pause");
    };
    const onEnded = () => {
      send("ended");
      sendQoe("ended");
    };
    const onHide = () => {
      if (document.visibilityState === "hidden") {
        send("hide");
      }
    };
    const onPageHide = () => {
      send("hide");
      sendQoe("hide");
    };
    video.addEventListener("timeupdate", onTime);
    video.addEventListener("pause", onPause);
    video.addEventListener("ended", onEnded);
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", onPageHide);
    return () => {
      window.clearInterval(timer);
      video.removeEventListener("timeupdate", onTime);
      video.removeEventListener("pause", onPause);
      video.removeEventListener("ended", onEnded);
      document.removeEventListener("visibilitychange", onHide);
      window.removeEventListener("pagehide", onPageHide);
      // Leaving the watch page inside the app (no pagehide): save where we were.
      send("hide");
      sendQoe("hide");
    };
  }, [videoRef, qoe, active]);
}
