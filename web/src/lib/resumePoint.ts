// Where this browser last was in a video, for the next load of its watch page. The API
// hears of it too (a keepalive request when the page goes), but a reloaded watch page
// asks for its playback info at once (watch.html preloads the request), and that may
// reach the API before the save from the page before it. A save from the last minute,
// here, wins over the API's resume point.
import type { PlaybackPublic } from "../api/client";

const KEY = "kinema.resume";
const FRESH_MS = 60_000;
// The API's rule (kinema.catalog.services.viewing): a video watched to 95 % is done,
// and starts again from the beginning.
const COMPLETED_FRACTION = 0.95;

interface Saved {
  videoId: string;
  position: number;
  at: number;
}

/** Remember the position just saved for `videoId` (only the last video is kept). */
export function rememberResume(videoId: string, position: number, duration: number, now: number = Date.now()): void {
  const done = duration > 0 && position >= COMPLETED_FRACTION * duration;
  const saved: Saved = { videoId, position: done ? 0 : position, at: now };
  try {
    window.localStorage.setItem(KEY, JSON.stringify(saved));
  } catch {
    // Storage off: the API's resume point stands.
  }
}

function recent(videoId: string, now: number): Saved | null {
  try {
    const raw = window.localStorage.getItem(KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<Saved>) : null;
    if (!saved || saved.videoId !== videoId || typeof saved.position !== "number" || typeof saved.at !== "number") return null;
    return now - saved.at >= 0 && now - saved.at <= FRESH_MS && saved.position >= 0 ? (saved as Saved) : null;
  } catch {
    return null;
  }
}

/** The playback info with this browser's save of the last minute as its resume point. */
export function withRecentResume<T extends Pick<PlaybackPublic, "resume_position_s">>(info: T, videoId: string, now: number = Date.now()): T {
  const saved = recent(videoId, now);
  return saved ? { ...info, resume_position_s: saved.position } : info;
}
