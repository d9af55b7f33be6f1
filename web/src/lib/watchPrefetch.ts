// Time to first frame on a cold /watch/:id load. Left to React, the page would ask the
// API who is signed in, then download the watch page's code, then the player's (Shaka),
// then the signed playback URLs, one after the other. Called before the first render,
// this starts the code download and the playback request at once, beside the session
// check; the watch page then takes the answer that is already on its way.
import { api, unwrap } from "../api/client";
import type { PlaybackPublic } from "../api/client";
import { withRecentResume } from "./resumePoint";

const WATCH_PATH = /^\/watch\/([0-9a-fA-F-]{8,64})\/?$/;
// An answer older than this is not used (the resume position may have moved on).
const MAX_AGE_MS = 30_000;

interface Pending {
  videoId: string;
  at: number;
  playback: Promise<PlaybackPublic>;
}

let pending: Pending | null = null;

type WatchModule = typeof import("../routes/Watch");
let watchModule: WatchModule | null = null;

/** The watch page's module (and with it Shaka), remembered once it has loaded. */
export function loadWatchPage(): Promise<WatchModule> {
  return import("../routes/Watch").then((module) => (watchModule = module));
}

/**
 * The watch page's component when its module has already loaded, else null. Rendering it
 * directly instead of through React.lazy avoids a suspension that React would reveal only
 * after its fallback throttle (up to 300 ms), which the first frame would wait for.
 */
export function loadedWatchPage(): WatchModule["default"] | null {
  return watchModule?.default ?? null;
}

/** The video id of a watch page path, or null. */
export function watchVideoId(pathname: string): string | null {
  return WATCH_PATH.exec(pathname)?.[1] ?? null;
}

/** A watch page's playback info, resuming where this browser just was (resumePoint.ts). */
export function fetchPlayback(videoId: string): Promise<PlaybackPublic> {
  return unwrap(api.GET("/api/v1/playback/{video_id}", { params: { path: { video_id: videoId } } })).then((info) =>
    withRecentResume(info, videoId),
  );
}

/**
 * Ask for a watch page's playback info now (once: a request already on its way for this
 * video, and fresh, is returned instead). The watch page takes the answer through
 * `takePrefetchedPlayback`.
 */
export function prefetchPlayback(videoId: string, now: number = Date.now()): Promise<PlaybackPublic> {
  if (pending && pending.videoId === videoId && now - pending.at <= MAX_AGE_MS) return pending.playback;
  const playback = fetchPlayback(videoId);
  // Signed out: the router sends the viewer to /login and this answer goes unused.
  playback.catch(() => {});
  pending = { videoId, at: now, playback };
  return playback;
}

/** On a watch page, start fetching its code and its playback info now, and start the
 *  player's preload once both are in (unless the boot script already started a player). */
export function startWatchPrefetch(pathname: string, search: string, now: number = Date.now()): void {
  const videoId = watchVideoId(pathname);
  if (!videoId) return;
  // Same module as the router's lazy import: whichever asks first downloads it.
  void loadWatchPage().catch(() => {});
  const booted = pending?.videoId === videoId;
  const playback = prefetchPlayback(videoId, now);
  if (booted) return;
  // With the code and the answer in, the player starts preloading the source while React
  // renders the page (see components/Player/warmStart.ts).
  void Promise.all([import("../components/Player/warmStart"), playback])
    .then(([warm, info]) => warm.warmStart(info, search))
    .catch(() => {});
}

/**
 * The prefetched playback info for this video, once (null when there is none, it is
 * for another video, or it is stale). A prefetch that failed (say, the viewer was not
 * signed in yet) falls back to `fresh`.
 */
export function takePrefetchedPlayback(
  videoId: string,
  fresh: () => Promise<PlaybackPublic>,
  now: number = Date.now(),
): Promise<PlaybackPublic> | null {
  const p = pending;
  pending = null;
  if (!p || p.videoId !== videoId || now - p.at > MAX_AGE_MS) return null;
  return p.playback.catch(() => fresh());
}
