// The entry of watch.html, the shell the API serves for /watch/<id>: a cold watch page
// plays before the app runs. This module has no dependency heavier than the API client,
// so it runs as soon as the HTML is in; it asks for the playback info at once, fetches
// what Shaka's first load will need as soon as the answer names it (bootMedia.ts), and
// meanwhile Shaka's chunk loads. Then a player of its own plays on a full-window <video>
// (warmStart.ts, bootPlay) and only after the first frame does the app itself load
// (main.tsx), whose Player adopts that <video> and player.
//
// Anything but the plain case loads the app at once and the usual way: no profile
// picked yet, signed out, a pre-roll to play, a watch party, an error. The app also
// loads if the first frame is slow to come, and its Player then takes over the load.
import { prefetcher } from "../components/Player/bootMedia";
import { canWarmStart, START_ESTIMATE, startPosition } from "../components/Player/warmPolicy";
import { profileChosen } from "../lib/profileChoice";
import { prefetchPlayback, watchVideoId } from "../lib/watchPrefetch";

/** Past this, the app loads even without a first frame (a slow network, say). */
const FIRST_FRAME_WAIT_MS = 2500;

let app: Promise<unknown> | null = null;

function startApp(): void {
  app ??= import("../main");
}

async function boot(videoId: string, search: string): Promise<void> {
  const player = import("../components/Player/warmStart");
  const prefetch = prefetcher();
  const info = await prefetchPlayback(videoId).catch((error: unknown) => {
    prefetch(null);
    throw error;
  });
  if (!canWarmStart(info, search) || !info.hls_url) {
    prefetch(null);
    return;
  }
  prefetch(new URL(info.hls_url, window.location.origin).href, startPosition(info, search), START_ESTIMATE);
  const { bootPlay } = await player;
  await Promise.race([bootPlay(videoId, info, search), new Promise((resolve) => setTimeout(resolve, FIRST_FRAME_WAIT_MS))]);
}

const videoId = watchVideoId(window.location.pathname);
if (videoId && profileChosen()) {
  boot(videoId, window.location.search)
    .catch(() => {})
    .finally(startApp);
} else {
  startApp();
}
