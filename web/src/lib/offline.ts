// This browser's downloads: Shaka's offline storage (IndexedDB) holds the media and the
// metadata written at download (`DownloadMeta`); localStorage holds what changes later
// (renewed expiry, first offline play) and the downloads paused on their way (their
// segments wait in Cache Storage, see downloadResume.ts). Shaka is imported on first use, so pages that
// never download do not load it.
import type shakaNs from "shaka-player";
import type { DownloadPublic } from "../api/client";
import { cachedBytes, deleteCache, forgetRoot, registerDownloadScheme, resumeSupported, setRoot } from "./downloadCache";
import { bytesNeeded, parsePausedMap, schemeUri, shownProgress, splitMediaUrl } from "./downloadResume";
import type { PausedDownload } from "./downloadResume";
import { parseMeta } from "./offlineRules";
import type { DownloadMeta, DownloadState } from "./offlineRules";
import { pickTracks } from "./offlineTracks";

type Shaka = typeof shakaNs;

let loaded: Promise<Shaka> | null = null;

export function loadShaka(): Promise<Shaka> {
  loaded ??= import("shaka-player").then(({ default: shaka }) => {
    shaka.polyfill.installAll();
    return shaka;
  });
  return loaded;
}

export interface StoredDownload {
  offlineUri: string;
  meta: DownloadMeta;
  size: number;
  duration: number;
}

const STATE_KEY = "kinema.downloads";
const PROFILE_KEY = "kinema.lastProfile";

function readStates(): Record<string, DownloadState> {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(STATE_KEY) ?? "{}");
    return parsed && typeof parsed === "object" ? (parsed as Record<string, DownloadState>) : {};
  } catch {
    return {};
  }
}

export function downloadState(grantId: string): DownloadState {
  return readStates()[grantId] ?? {};
}

export function setDownloadState(grantId: string, change: DownloadState | null): void {
  const states = readStates();
  if (change === null) delete states[grantId];
  else states[grantId] = { ...states[grantId], ...change };
  window.localStorage.setItem(STATE_KEY, JSON.stringify(states));
}

/** The profile last signed in here: offline, the Downloads page shows its copies. */
export function rememberProfile(profileId: string): void {
  window.localStorage.setItem(PROFILE_KEY, profileId);
}

export function lastProfile(): string | null {
  return window.localStorage.getItem(PROFILE_KEY);
}

const HELD_KEY = "kinema.downloadsHeld";

/** Whether this browser may hold downloads (stored, or on their way), so the app-wide
 *  online check loads Shaka only where there is something to check. With no record (a
 *  browser from before it was kept), any sign of downloads here counts. */
export function mayHoldDownloads(): boolean {
  const held = window.localStorage.getItem(HELD_KEY);
  if (held === null) return lastProfile() !== null || Object.keys(pausedDownloads()).length > 0;
  return held !== "0";
}

/** The record ``mayHoldDownloads`` reads (the time of the last download started here). */
export function heldRecord(): string | null {
  return window.localStorage.getItem(HELD_KEY);
}

/** Record that nothing is held here, unless a download started since ``seen`` was read. */
export function noteNoneHeld(seen: string | null): void {
  if (heldRecord() === seen) window.localStorage.setItem(HELD_KEY, "0");
}

export async function offlineSupported(): Promise<boolean> {
  const shaka = await loadShaka();
  return shaka.offline.Storage.support();
}

export async function listStored(): Promise<StoredDownload[]> {
  const shaka = await loadShaka();
  const storage = new shaka.offline.Storage();
  try {
    const items = await storage.list();
    const out: StoredDownload[] = [];
    for (const item of items) {
      const meta = parseMeta(item.appMetadata);
      if (!meta || !item.offlineUri || item.isIncomplete) continue;
      out.push({ offlineUri: item.offlineUri, meta, size: item.size, duration: item.duration });
    }
    return out;
  } finally {
    await storage.destroy();
  }
}

export async function removeStored(offlineUri: string, grantId: string): Promise<void> {
  const shaka = await loadShaka();
  const storage = new shaka.offline.Storage();
  try {
    await storage.remove(offlineUri);
  } finally {
    await storage.destroy();
  }
  setDownloadState(grantId, null);
}

/** How a store ended: stored, paused (its segments kept for a resume), or cancelled. */
export type DownloadOutcome = { kind: "stored"; item: StoredDownload } | { kind: "paused"; fraction: number } | { kind: "cancelled" };

export interface DownloadTask {
  done: Promise<DownloadOutcome>;
  /** Stop and keep what arrived (null when this browser cannot keep it). */
  pause: (() => Promise<void>) | null;
  /** Stop and discard everything (the caller gives the grant back). */
  cancel: () => Promise<void>;
}

const PAUSED_KEY = "kinema.pausedDownloads";

export function pausedDownloads(): Record<string, PausedDownload> {
  return parsePausedMap(window.localStorage.getItem(PAUSED_KEY));
}

function writePaused(grantId: string, record: PausedDownload | null): void {
  const all = pausedDownloads();
  if (record === null) delete all[grantId];
  else all[grantId] = record;
  window.localStorage.setItem(PAUSED_KEY, JSON.stringify(all));
}

/** Forget a paused download here: its record and its resume cache (the grant is the
 *  caller's to give back). */
export async function discardPaused(grantId: string): Promise<void> {
  writePaused(grantId, null);
  await deleteCache(grantId);
}

/** Store a granted download: the video rung the grant allows (the manifest is already
 *  filtered to it; the tallest variant is taken), the audio in ``language`` when there
 *  is one, and every subtitle track. ``onSize`` decides, once Shaka knows the size,
 *  whether to go on (given the bytes the download still needs, resume cache included).
 *  ``resumedFrom`` is the fraction a resumed download had reached: what is already in
 *  its cache is answered from there, and the bar does not go back. Until it ends, a
 *  record of it is kept (a reload or a closed tab leaves it paused, not lost). */
export async function storeDownload(
  granted: DownloadPublic,
  meta: DownloadMeta,
  opts: {
    language: string;
    resumedFrom?: number;
    onProgress: (fraction: number) => void;
    onSize: (bytesNeeded: number) => Promise<boolean>;
  },
): Promise<DownloadTask> {
  const shaka = await loadShaka();
  const manifest = granted.hls_url ?? granted.dash_url;
  if (!manifest) throw new Error("the grant has no media URL");
  const split = splitMediaUrl(manifest);
  const resumable = resumeSupported() && split !== null;
  const id = meta.grantId;
  window.localStorage.setItem(HELD_KEY, new Date().toISOString());
  let fraction = shownProgress(opts.resumedFrom ?? 0, 0);
  let stopping: "pause" | "cancel" | null = null;
  const remember = () => writePaused(id, { meta, fraction, pausedAt: new Date().toISOString() });
  if (resumable) {
    registerDownloadScheme(shaka);
    setRoot(id, split.root);
    remember();
  }
  const cached = resumable ? await cachedBytes(id) : 0;
  const storage = new shaka.offline.Storage();
  storage.configure({
    offline: {
      progressCallback: (_content: unknown, progress: number) => {
        fraction = shownProgress(fraction, progress);
        if (resumable && stopping === null) remember();
        opts.onProgress(fraction);
      },
      downloadSizeCallback: (bytes: number) => opts.onSize(bytesNeeded(bytes, cached, resumable)),
      trackSelectionCallback: (tracks: shakaNs.extern.TrackList) => Promise.resolve(pickTracks(tracks, opts.language)),
    },
  });
  // Through the download scheme when it can be resumed; else the signed URLs as they are.
  const via = (url: string) => {
    const parts = resumable ? splitMediaUrl(url) : null;
    return parts && parts.root === split?.root ? schemeUri(id, parts.path) : url;
  };
  const text = granted.subtitles.map((s) => ({
    uri: via(s.url),
    language: s.language,
    kind: "subtitle",
    mime: "text/vtt",
    label: s.label,
  }));
  const operation = storage.store(via(manifest), { ...meta }, null, null, text as unknown as shakaNs.extern.ExtraText[]);
  const done = (async (): Promise<DownloadOutcome> => {
    try {
      const content = (await operation.promise) as shakaNs.extern.StoredContent;
      await discardPaused(id);
      return { kind: "stored", item: { offlineUri: content.offlineUri ?? "", meta, size: content.size, duration: content.duration } };
    } catch (err) {
      if (stopping === "pause") return { kind: "paused", fraction };
      if (stopping === "cancel") return { kind: "cancelled" };
      // A failure keeps nothing: the grant is given back, so is its cache.
      await discardPaused(id);
      throw err;
    } finally {
      forgetRoot(id);
      await storage.destroy();
    }
  })();
  const stop = async (how: "pause" | "cancel") => {
    stopping ??= how;
    if (how === "pause") remember();
    await operation.abort();
    if (how === "cancel") await discardPaused(id);
  };
  return { done, pause: resumable ? () => stop("pause") : null, cancel: () => stop("cancel") };
}

/** Ask the browser to keep this site's storage under pressure; and what is left. */
export async function prepareStorage(): Promise<{ quota?: number; usage?: number } | null> {
  if (!navigator.storage) return null;
  try {
    if (navigator.storage.persist && !(await navigator.storage.persisted())) await navigator.storage.persist();
  } catch {
    // Refused or unsupported: the copy may be evicted under pressure, nothing more.
  }
  try {
    return await navigator.storage.estimate();
  } catch {
    return null;
  }
}
