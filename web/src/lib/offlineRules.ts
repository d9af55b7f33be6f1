// The rules a stored download follows in this browser, pure so they are tested apart
// from Shaka and IndexedDB: what the app keeps beside each copy, when it may play
// offline, and how a storage failure is worded.

/** Kept with the copy in Shaka's storage (`appMetadata`), written once at download. */
export interface DownloadMeta {
  grantId: string;
  videoId: string;
  titleId: string;
  title: string;
  quality: "standard" | "high";
  height: number;
  profileId: string;
  expiresAt: string; // ISO time the grant ends (as granted)
  storedAt: string;
}

/** What changes after download, kept in localStorage per grant: the renewed expiry and
 *  the first offline play (Shaka's stored metadata cannot be rewritten in place). */
export interface DownloadState {
  expiresAt?: string;
  firstOfflinePlayAt?: string;
  reported?: boolean;
}

export const PLAY_WINDOW_MS = 48 * 3600 * 1000;

export function parseMeta(value: unknown): DownloadMeta | null {
  if (!value || typeof value !== "object") return null;
  const m = value as Record<string, unknown>;
  const text = (k: string) => (typeof m[k] === "string" ? (m[k] as string) : null);
  const grantId = text("grantId");
  const expiresAt = text("expiresAt");
  if (!grantId || !expiresAt || Number.isNaN(Date.parse(expiresAt))) return null;
  return {
    grantId,
    videoId: text("videoId") ?? "",
    titleId: text("titleId") ?? "",
    title: text("title") ?? "",
    quality: m.quality === "high" ? "high" : "standard",
    height: typeof m.height === "number" ? m.height : 0,
    profileId: text("profileId") ?? "",
    expiresAt,
    storedAt: text("storedAt") ?? expiresAt,
  };
}

/** When the copy stops playing: the grant's expiry (renewed or not), cut to 48 hours
 *  after the first offline play. */
export function effectiveExpiry(meta: DownloadMeta, state: DownloadState): number {
  let end = Date.parse(state.expiresAt ?? meta.expiresAt);
  if (state.firstOfflinePlayAt) end = Math.min(end, Date.parse(state.firstOfflinePlayAt) + PLAY_WINDOW_MS);
  return end;
}

export function isExpired(meta: DownloadMeta, state: DownloadState, now: number): boolean {
  return effectiveExpiry(meta, state) <= now;
}

export type StorageProblem = "quota" | "unsupported" | "failed";

/** Shaka's storage errors and the browser's quota errors, as the three things a viewer
 *  can act on. Shaka codes: 9014 STORAGE_LIMIT_REACHED (our size check said no), 3017
 *  QUOTA_EXCEEDED_ERROR, 9001 INDEXED_DB_ERROR (often a full disk underneath). */
export function storageProblem(error: unknown): StorageProblem {
  const e = error as { code?: unknown; name?: unknown; data?: unknown[] } | null;
  if (e && typeof e === "object") {
    if (e.code === 9014 || e.code === 3017 || e.name === "QuotaExceededError") return "quota";
    if (e.code === 9001 && Array.isArray(e.data) && e.data.some((d) => String((d as { name?: unknown })?.name ?? d).includes("Quota"))) {
      return "quota";
    }
    if (e.code === 9000) return "unsupported";
  }
  return "failed";
}

/** Whether ``size`` more bytes fit in what the browser says is left. */
export function fits(size: number, estimate: { quota?: number; usage?: number } | null): boolean {
  if (!estimate || estimate.quota === undefined) return true; // no estimate: let the browser say
  return size <= estimate.quota - (estimate.usage ?? 0);
}

export function formatBytes(bytes: number | null | undefined, lang: string): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "";
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value >= 100 || unit === 0 ? 0 : 1;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
