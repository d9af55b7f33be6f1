// A cold watch page's player, started before React has rendered it. As soon as Shaka has
// loaded and the playback info is in (both are fetched before the first render, see
// lib/watchPrefetch.ts), a Shaka player with no media element yet preloads the source:
// the manifests, the start rung's init segments and its first segments come in while
// React renders the page and the <video>'s MediaSource opens. The Player then adopts
// this Shaka player (useShakaPlayer) and loads the preload (useSourceLoading) instead of
// starting from nothing. A warm start nobody adopts is destroyed after a while.
//
// A watch page served as watch.html goes further (boot/watchBoot.ts): before the app's
// code even runs, `bootPlay` gives the player a <video> of its own, loads and plays, and
// the app starts after the first frame. The Player then adopts the element too
// (`adoptBootVideo`) and skips the load it would have made (`preloadedOr` says LOADED).
// Where the boot could play the first segments itself (quickStart.ts), that <video> is
// already playing when Shaka arrives: Shaka loads beneath it, a moment ahead, and takes
// over on the frame both show (`handOver`).
//
// Only the plain case is warmed: a plan with ads plays a pre-roll first and a watch
// party decides where to start, so those pages load the usual way.
import shaka from "shaka-player";
import type { PlaybackPublic } from "../../api/client";
import { takePrefetched } from "./bootMedia";
import { endBootLease, holdBootLease, releaseBootLease } from "./bootLease";
import { installPolyfills, SHAKA_CONFIG } from "./hooks/shakaConfig";
import { markAutoplay } from "./intent";
import { BOOT_VIDEO_CLASS, bootVideoElement, type QuickStart } from "./quickStart";
import { absoluteUrl } from "./streamToken";
import { canWarmStart, startPosition } from "./warmPolicy";

export { BOOT_VIDEO_CLASS };

/** `preloadedOr`'s answer for a player that already loaded this very source. */
export const LOADED = Symbol("loaded");

/** A player the boot started on its own <video>: what it loaded, and when. */
interface Booted {
  uri: string;
  startAt: number | null;
  /** performance.now() when the load began: a viewing's startup counts from here. */
  loadStartedAt: number;
  /** performance.now() of the element's first `playing`, null before it. */
  firstFrameAt: number | null;
  /** Whether the load succeeded. */
  loaded: Promise<boolean>;
}

/** How a boot went: playing, loaded but autoplay refused, or the load failed. */
export type BootOutcome = "playing" | "refused" | "failed";

// Long enough for the slowest page render; short enough not to hold a stream's buffers.
const UNUSED_MS = 30_000;

/** How far ahead of a quick start (s) Shaka's <video> waits for it: Shaka's load and
 *  seek take a few hundred ms on a slow machine, the quick start's runway 2 segments. */
const HANDOVER_LEAD_S = 0.5;
/** Within this (s) of the frame Shaka waits on, the quick start is there: under a frame. */
const HANDOVER_SLACK_S = 0.03;
/** Waits ahead that may fall behind before the handover takes the quick start's time. */
const HANDOVER_TRIES = 3;

/** What was preloaded: only a load of this very source at this very position uses it. */
interface Preload {
  uri: string;
  startAt: number | null;
  manager: Promise<shaka.media.PreloadManager | null>;
}

let warm: { player: shaka.Player; timer: ReturnType<typeof setTimeout> } | null = null;
// Kept with the player after adoption, until the first load takes (or refuses) it.
const preloads = new WeakMap<shaka.Player, Preload>();
const boots = new WeakMap<shaka.Player, Booted>();
let bootVideo: HTMLVideoElement | null = null;
// A quick start still on top of the booted <video>, until it hands over.
let quickOnTop: QuickStart | null = null;

/** A Shaka player configured as the Player's own, kept for the Player to adopt (and
 *  dropped if nobody does), with the source and start the page's own load will ask for. */
function newWarmPlayer(info: PlaybackPublic, search: string, origin: string): { player: shaka.Player; uri: string; startAt: number | null } {
  installPolyfills();
  const player = new shaka.Player();
  player.configure(SHAKA_CONFIG);
  // The same choice useSourceLoading makes before its load: side-loaded subtitles win.
  player.configure({ manifest: { disableText: info.subtitles.length > 0 } });
  warm = { player, timer: setTimeout(discardWarmStart, UNUSED_MS) };
  return { player, uri: absoluteUrl(info.hls_url ?? "", origin), startAt: startPosition(info, search) };
}

/** Start preloading this playback's source (replacing any earlier warm start). */
export function warmStart(info: PlaybackPublic, search: string, origin: string = window.location.origin): void {
  discardWarmStart();
  if (!canWarmStart(info, search)) return;
  const { player, uri, startAt } = newWarmPlayer(info, search, origin);
  // A failed preload is not an error: the page's own load tries again and reports.
  const manager = player.preload(uri, startAt).catch(() => null);
  preloads.set(player, { uri, startAt, manager });
}

let prefetchScheme = false;

/** Serve Shaka what the boot prefetched (bootMedia.ts), in front of its fetch plugin. */
function installPrefetchScheme(): void {
  if (prefetchScheme) return;
  prefetchScheme = true;
  const plugin: shaka.extern.SchemePlugin = (uri, request, type, progress, headers, config) => {
    const network = () => shaka.net.HttpFetchPlugin.parse(uri, request, type, progress, headers, config);
    const data = takePrefetched(uri, request.method, request.headers);
    if (!data) return network();
    const response = (body: ArrayBuffer): shaka.extern.Response => ({
      uri,
      originalUri: uri,
      data: body,
      headers: {},
      status: 200,
      fromCache: true,
      originalRequest: request,
    });
    if (data instanceof ArrayBuffer) return shaka.util.AbortableOperation.completed(response(data));
    // Still on its way (the quick start's runway): wait for it, or fetch it after all.
    return shaka.util.AbortableOperation.notAbortable(data.then(response, () => network().promise));
  };
  for (const scheme of ["http", "https"]) {
    shaka.net.NetworkingEngine.registerScheme(scheme, plugin, shaka.net.NetworkingEngine.PluginPriority.APPLICATION);
  }
}

/** HTMLMediaElement.HAVE_FUTURE_DATA: the current frame and the next are in. */
const HAVE_FUTURE_DATA = 3;

/** Until `video` can play on from where it is (it has the next frames). */
function canPlay(video: HTMLVideoElement): Promise<void> {
  if (video.readyState >= HAVE_FUTURE_DATA && !video.seeking) return Promise.resolve();
  return new Promise((resolve) => video.addEventListener("canplay", () => resolve(), { once: true }));
}

/** Where `from` stands against the frame at `target`: reaching it now ("there"), already
 *  past it ("passed"), or never to reach it by playing on ("stuck": paused, ended, out of
 *  media, or in a hidden page, where animation frames stop). */
function reach(from: HTMLVideoElement, target: number): Promise<"there" | "passed" | "stuck"> {
  return new Promise((resolve) => {
    const check = () => {
      const t = from.currentTime;
      if (t > target + HANDOVER_SLACK_S) resolve("passed");
      else if (t >= target - HANDOVER_SLACK_S) resolve("there");
      else if (from.paused || from.ended || from.readyState < HAVE_FUTURE_DATA || document.hidden) resolve("stuck");
      else requestAnimationFrame(check);
    };
    check();
  });
}

/** Take the quick start's <video> away, `to` in its place (on its frame, playing if it
 *  was): at once, or (`wait`) once `from` has reached the frame `to` waits on. */
async function handOver(quick: QuickStart, to: HTMLVideoElement, wait: boolean): Promise<void> {
  const from = quick.video;
  let there = false;
  for (let tries = 0; wait && tries < HANDOVER_TRIES; tries++) {
    await canPlay(to);
    if (quickOnTop !== quick) return;
    const where = await reach(from, to.currentTime);
    if (quickOnTop !== quick) return;
    there = where === "there";
    if (where !== "passed") break;
    // Shaka's <video> got there too late: wait further ahead.
    to.currentTime = from.currentTime + HANDOVER_LEAD_S;
  }
  if (quickOnTop !== quick) return;
  quickOnTop = null;
  if (!there) to.currentTime = from.currentTime;
  const playing = !from.paused;
  const own = markAutoplay(to);
  const started = playing ? to.play() : Promise.resolve();
  // `to` sits beneath, showing this very frame: taking `from` away reveals it.
  quick.stop();
  await started.finally(own.settle);
}

/**
 * Load and play this playback's source on a <video> of the player's own, shown full
 * window until the Player adopts it. Resolves once playback started, autoplay was
 * refused, or the load failed; the caller then starts the app, whose Player takes over
 * in every case (a failed load is loaded again, and reported, the usual way).
 *
 * With a `quick` start already playing, Shaka loads a moment ahead of it, beneath it,
 * and plays on from the frame where the quick start reaches that moment.
 */
export function bootPlay(
  videoId: string,
  info: PlaybackPublic,
  search: string,
  origin: string = window.location.origin,
  quick: QuickStart | null = null,
): Promise<BootOutcome> {
  dropWarmStart();
  holdBootLease(videoId);
  installPrefetchScheme();
  const video = bootVideoElement();
  if (quick) {
    quickOnTop = quick;
    quick.video.before(video);
  } else {
    document.body.append(video);
  }
  const { player, uri, startAt } = newWarmPlayer(info, search, origin);
  const loadStartedAt = quick?.startedAt ?? performance.now();
  const attached = player.attach(video);
  const from = quick ? quick.video.currentTime + HANDOVER_LEAD_S : startAt;
  const loaded = attached
    .then(() => player.load(uri, from))
    .then(
      () => true,
      () => false,
    );
  const boot: Booted = { uri, startAt, loadStartedAt, firstFrameAt: quick?.firstFrameAt() ?? null, loaded };
  video.addEventListener("playing", () => (boot.firstFrameAt ??= performance.now()), { once: true });
  boots.set(player, boot);
  bootVideo = video;
  if (quick) {
    return loaded.then(async (ok) => {
      if (!ok) {
        endQuickStart();
        return "failed";
      }
      return handOver(quick, video, true).then(
        () => "playing" as const,
        () => "refused" as const,
      );
    });
  }
  // Asked to play once the media source is attached, while Shaka loads (as a plain page
  // plays once its manifest is parsed): the first frame then shows as soon as its data
  // is appended, not after the load's promise chain has settled.
  const own = markAutoplay(video);
  const started = attached
    .then(() => video.play())
    .then(
      () => "playing" as const,
      () => "refused" as const,
    )
    .finally(own.settle);
  return loaded.then((ok) => {
    if (ok) return started;
    own.settle();
    return "failed";
  });
}

/** Drop a quick start still on top (its <video> and what it holds). */
function endQuickStart(): void {
  const quick = quickOnTop;
  quickOnTop = null;
  quick?.stop();
}

/** Whether a booted player is waiting for the Player (or playing in its place). */
export function isBooted(): boolean {
  return bootVideo !== null;
}

/** The booted <video>, once, for the Player to put in its place (null when none). A
 *  quick start still on top hands over to it there and then. */
export function adoptBootVideo(): HTMLVideoElement | null {
  const video = bootVideo;
  bootVideo = null;
  if (quickOnTop && video) void handOver(quickOnTop, video, false).catch(() => {});
  video?.classList.remove(BOOT_VIDEO_CLASS);
  return video;
}

/** When the booted load of `player` began and (live: read it later) when its first
 *  frame showed, for the viewing's QoE; null for a player the boot did not start. */
export function bootTimes(player: shaka.Player): { readonly loadStartedAt: number; readonly firstFrameAt: number | null } | null {
  return boots.get(player) ?? null;
}

/** The warm player, once, taken out of the warm slot (null when there is none). */
function takeWarmPlayer(): shaka.Player | null {
  const w = warm;
  warm = null;
  if (!w) return null;
  clearTimeout(w.timer);
  return w.player;
}

/** The warm player, once, for the Player to adopt (null when there is none). */
export function adoptWarmPlayer(): shaka.Player | null {
  const player = takeWarmPlayer();
  if (player) endBootLease();
  return player;
}

/**
 * What to give `player.load` for this source: the preload when it was made by this
 * player for the same URI and start, else the URI. Asked once per player: a later load
 * (a retry, a new token) starts afresh.
 */
export async function preloadedOr(
  player: shaka.Player,
  uri: string,
  startAt: number | null,
): Promise<string | shaka.media.PreloadManager | typeof LOADED> {
  const boot = boots.get(player);
  boots.delete(player);
  if (boot) return (await boot.loaded) && boot.uri === uri && boot.startAt === startAt ? LOADED : uri;
  const preload = preloads.get(player);
  preloads.delete(player);
  if (!preload) return uri;
  const manager = await preload.manager;
  if (!manager) return uri;
  if (preload.uri !== uri || preload.startAt !== startAt) {
    void manager.destroy();
    return uri;
  }
  return manager;
}

/** Drop a warm start nobody adopted (and a booted <video> with it), keeping the lease. */
function dropWarmStart(): void {
  void takeWarmPlayer()?.destroy();
  endQuickStart();
  adoptBootVideo()?.remove();
}

/** Drop a warm start nobody adopted (and a booted <video> with it), and free the
 *  stream the boot held. */
export function discardWarmStart(): void {
  dropWarmStart();
  releaseBootLease();
}
