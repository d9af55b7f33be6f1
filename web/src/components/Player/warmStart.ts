// A cold watch page's player, started before React has rendered it. As soon as Shaka has
// loaded and the playback info is in (both are fetched before the first render, see
// lib/watchPrefetch.ts), a Shaka player with no media element yet preloads the source:
// the manifests, the start rung's init segments and its first segments come in while
// React renders the page and the <video>'s MediaSource opens. The Player then adopts
// this Shaka player (useShakaPlayer) and loads the preload (useSourceLoading) instead of
// starting from nothing. A warm start nobody adopts is destroyed after a while.
//
// Only the plain case is warmed: a plan with ads plays a pre-roll first and a watch
// party decides where to start, so those pages load the usual way.
import shaka from "shaka-player";
import type { PlaybackPublic } from "../../api/client";
import { parseStartParam } from "../Social/social";
import { installPolyfills, SHAKA_CONFIG } from "./hooks/shakaConfig";
import { absoluteUrl } from "./streamToken";

// Long enough for the slowest page render; short enough not to hold a stream's buffers.
const UNUSED_MS = 30_000;

/** What was preloaded: only a load of this very source at this very position uses it. */
interface Preload {
  uri: string;
  startAt: number | null;
  manager: Promise<shaka.media.PreloadManager | null>;
}

let warm: { player: shaka.Player; timer: ReturnType<typeof setTimeout> } | null = null;
// Kept with the player after adoption, until the first load takes (or refuses) it.
const preloads = new WeakMap<shaka.Player, Preload>();

/** Where the player starts: `?t=` (a comment's moment, a clip) over the resume point,
 *  as the watch page decides; null for the beginning, as useSourceLoading passes it. */
export function startPosition(info: Pick<PlaybackPublic, "resume_position_s">, search: string): number | null {
  const from = parseStartParam(new URLSearchParams(search).get("t")) ?? info.resume_position_s;
  return from > 0 ? from : null;
}

/** Whether a page may start warm: HLS, no pre-roll, not in a party. */
export function canWarmStart(info: Pick<PlaybackPublic, "hls_url" | "ads">, search: string): boolean {
  return Boolean(info.hls_url) && info.ads !== true && !new URLSearchParams(search).has("party");
}

/** Start preloading this playback's source (replacing any earlier warm start). */
export function warmStart(info: PlaybackPublic, search: string, origin: string = window.location.origin): void {
  discardWarmStart();
  if (!canWarmStart(info, search) || !info.hls_url) return;
  installPolyfills();
  const player = new shaka.Player();
  player.configure(SHAKA_CONFIG);
  // The same choice useSourceLoading makes before its load: side-loaded subtitles win.
  player.configure({ manifest: { disableText: info.subtitles.length > 0 } });
  const uri = absoluteUrl(info.hls_url, origin);
  const startAt = startPosition(info, search);
  // A failed preload is not an error: the page's own load tries again and reports.
  const manager = player.preload(uri, startAt).catch(() => null);
  preloads.set(player, { uri, startAt, manager });
  warm = { player, timer: setTimeout(discardWarmStart, UNUSED_MS) };
}

/** The warm player, once, for the Player to adopt (null when there is none). */
export function adoptWarmPlayer(): shaka.Player | null {
  const w = warm;
  warm = null;
  if (!w) return null;
  clearTimeout(w.timer);
  return w.player;
}

/**
 * What to give `player.load` for this source: the preload when it was made by this
 * player for the same URI and start, else the URI. Asked once per player: a later load
 * (a retry, a new token) starts afresh.
 */
export async function preloadedOr(player: shaka.Player, uri: string, startAt: number | null): Promise<string | shaka.media.PreloadManager> {
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

/** Drop a warm start nobody adopted. */
export function discardWarmStart(): void {
  const w = adoptWarmPlayer();
  if (w) void w.destroy();
}
