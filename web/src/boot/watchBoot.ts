// The entry of watch.html, the shell the API serves for /watch/<id>: a cold watch page
// plays before the app runs. This module has no dependency heavier than the API client,
// so it runs as soon as the HTML is in, and asks for the playback info at once. With the
// answer, it plays the first segments itself on a full-window <video> (quickStart.ts):
// Shaka's chunk is meanwhile downloaded and compiled, but only evaluated after that first
// frame. Then a Shaka player loads beneath and takes over (warmStart.ts, bootPlay), and
// only after that does the app itself load (main.tsx), whose Player adopts the <video>
// and player. A browser without Media Source Extensions (or a source on another origin)
// instead has a worker fetch what Shaka's first load needs (bootMedia.ts) while Shaka
// loads, and Shaka plays the first frame.
//
// Anything but the plain case loads the app at once and the usual way: no profile
// picked yet, signed out, a pre-roll to play, a watch party, an error. The app also
// loads if the first frame is slow to come, and its Player then takes over the load.
import { endBootLease, holdBootLease } from "../components/Player/bootLease";
import { prefetcher } from "../components/Player/bootMedia";
import { bootVideoElement, quickStart, quickStartSupported } from "../components/Player/quickStart";
import type { QuickStart } from "../components/Player/quickStart";
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
  const quick = quickStartSupported();
  // Without a quick start, Shaka is evaluated while the playback info is on its way.
  const shaka = quick ? null : import("../components/Player/warmStart");
  const prefetch = quick ? null : prefetcher();
  const info = await prefetchPlayback(videoId).catch((error: unknown) => {
    prefetch?.(null);
    throw error;
  });
  if (!canWarmStart(info, search) || !info.hls_url) {
    prefetch?.(null);
    return;
  }
  holdBootLease(videoId);
  const master = new URL(info.hls_url, window.location.origin).href;
  const startAt = startPosition(info, search);
  prefetch?.(master, startAt, START_ESTIMATE);
  let late = false;
  let handed = false;
  // Set by play(), read after the race (typed so, not narrowed to its first value).
  let started = null as QuickStart | null;
  const play = async (): Promise<void> => {
    if (quick) {
      const video = bootVideoElement();
      document.body.append(video);
      started = quickStart(video, master, startAt, START_ESTIMATE);
      if (!(await started.playing)) {
        started.stop();
        started = null;
      }
    }
    const { bootPlay } = await (shaka ?? import("../components/Player/warmStart"));
    // Too late: the app has started, and its Player loads on its own.
    if (late) return;
    handed = true;
    await bootPlay(videoId, info, search, window.location.origin, started);
  };
  const wait = new Promise<void>((resolve) =>
    setTimeout(() => {
      late = true;
      resolve();
    }, FIRST_FRAME_WAIT_MS),
  );
  await Promise.race([play(), wait]);
  // A quick start that never got to Shaka goes: the app's Player loads on its own, and
  // the watch page frees the stream when left.
  if (late && !handed) {
    endBootLease();
    started?.stop();
  }
}

const videoId = watchVideoId(window.location.pathname);
if (videoId && profileChosen()) {
  boot(videoId, window.location.search)
    .catch(() => {})
    .finally(startApp);
} else {
  startApp();
}
