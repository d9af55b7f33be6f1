// The pure half of pausing and resuming a download (the I/O half is downloadCache.ts and
// offline.ts). Shaka's `storage.store()` can only be aborted, and an aborted store is
// discarded, so the app keeps what already arrived itself: a download's requests go to
// a URI scheme of our own, `kinema-dl://<grant id>/<path>`, whose plugin fetches
// `<the grant's signed root>/<path>` and keeps every whole segment in a Cache Storage
// cache of that grant. Resuming stores again from the start; the plugin answers the
// segments it already has from the cache, so only the rest crosses the network.
import type { DownloadMeta } from "./offlineRules";
import { parseMeta } from "./offlineRules";

export const SCHEME = "kinema-dl";

/** A grant's media URL, cut into its signed root (`…/api/v1/offline/<token>`, which
 *  changes at every renewal) and the path under it (which does not). */
export function splitMediaUrl(url: string): { root: string; path: string } | null {
  const m = /^(.*\/api\/v1\/offline\/[^/?#]+)\/([^#]+)$/.exec(url);
  return m ? { root: m[1]!, path: m[2]! } : null;
}

/** What a download asks Shaka to store: the same path under the grant's own scheme, so
 *  relative URIs in its manifests resolve back to the scheme. */
export function schemeUri(grantId: string, path: string): string {
  return `${SCHEME}://${encodeURIComponent(grantId)}/${path.replace(/^\/+/, "")}`;
}

export function parseSchemeUri(uri: string): { grantId: string; path: string } | null {
  const m = new RegExp(`^${SCHEME}://([^/?#]+)/([^#]*)$`, "i").exec(uri);
  if (!m || !m[2]) return null;
  try {
    return { grantId: decodeURIComponent(m[1]!), path: m[2] };
  } catch {
    return null;
  }
}

/** One Cache Storage cache per grant: deleting the download deletes it whole. */
export function cacheName(grantId: string): string {
  return `kinema-dl-${grantId}`;
}

/** The cache's key for a path (Cache Storage keys are http(s) URLs; this one is never
 *  fetched). Token-free, so a renewed grant still finds what arrived before. */
export function cacheKey(origin: string, path: string): string {
  return `${origin.replace(/\/+$/, "")}/__kinema-dl__/${path.replace(/^\/+/, "")}`;
}

/** Whether a request's answer is a whole file worth keeping (or answerable) from the
 *  cache: segments only (manifests are fetched fresh at each resume, so a plan or
 *  grant change is seen), and never a byte range. */
export function cacheable(isSegment: boolean, headers: Record<string, string> | undefined): boolean {
  if (!isSegment) return false;
  return !Object.keys(headers ?? {}).some((h) => h.toLowerCase() === "range");
}

/** The bar never goes back: on resume Shaka counts from 0 again (racing through the
 *  cached segments), so what is shown is the larger of where it paused and Shaka's. */
export function shownProgress(resumedFrom: number, reported: number): number {
  const clamp = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
  return Math.max(clamp(resumedFrom), clamp(reported));
}

/** Room a download needs: Shaka's copy (`total`) plus the resume cache's copy of what
 *  has not arrived yet (what has is already in the browser's usage). The cache copy is
 *  deleted when the store completes. */
export function bytesNeeded(total: number, cached: number, caching: boolean): number {
  if (!caching) return total;
  return Math.max(0, total + Math.max(0, total - Math.max(0, cached)));
}

/** A download that is not running in this tab: paused by the viewer, or stopped by a
 *  reload or a closed tab. Kept in localStorage; its segments are in its cache. */
export interface PausedDownload {
  meta: DownloadMeta;
  fraction: number;
  pausedAt: string;
}

export function parsePaused(value: unknown): PausedDownload | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const meta = parseMeta(v.meta);
  if (!meta) return null;
  const fraction = typeof v.fraction === "number" ? shownProgress(0, v.fraction) : 0;
  const pausedAt = typeof v.pausedAt === "string" && !Number.isNaN(Date.parse(v.pausedAt)) ? v.pausedAt : meta.storedAt;
  return { meta, fraction, pausedAt };
}

/** Every readable paused download in a stored map, keyed by grant id; a record whose
 *  key is not its own grant's is dropped. */
export function parsePausedMap(text: string | null): Record<string, PausedDownload> {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? "{}");
  } catch {
    return {};
  }
  const out: Record<string, PausedDownload> = {};
  if (!raw || typeof raw !== "object") return out;
  for (const [id, value] of Object.entries(raw as Record<string, unknown>)) {
    const paused = parsePaused(value);
    if (paused && paused.meta.grantId === id) out[id] = paused;
  }
  return out;
}
