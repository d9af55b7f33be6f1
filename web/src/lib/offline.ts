// This browser's downloads: Shaka's offline storage (IndexedDB) holds the media and the
// metadata written at download (`DownloadMeta`); localStorage holds what changes later
// (renewed expiry, first offline play). Shaka is imported on first use, so pages that
// never download do not load it.
import type shakaNs from "shaka-player";
import type { DownloadPublic } from "../api/client";
import { parseMeta } from "./offlineRules";
import type { DownloadMeta, DownloadState } from "./offlineRules";

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

export interface DownloadTask {
  done: Promise<StoredDownload>;
  cancel: () => Promise<void>;
}

/** Store a granted download: the video rung the grant allows (the manifest is already
 *  filtered to it; the tallest variant is taken), the audio in ``language`` when there
 *  is one, and every subtitle track. ``onSize`` decides, once Shaka knows the size,
 *  whether to go on. */
export async function storeDownload(
  granted: DownloadPublic,
  meta: DownloadMeta,
  opts: { language: string; onProgress: (fraction: number) => void; onSize: (bytes: number) => Promise<boolean> },
): Promise<DownloadTask> {
  const shaka = await loadShaka();
  const storage = new shaka.offline.Storage();
  storage.configure({
    offline: {
      progressCallback: (_content: unknown, progress: number) => opts.onProgress(progress),
      downloadSizeCallback: opts.onSize,
      trackSelectionCallback: (tracks: shakaNs.extern.TrackList) => Promise.resolve(pickTracks(tracks, opts.language)),
    },
  });
  const manifest = granted.hls_url ?? granted.dash_url;
  if (!manifest) throw new Error("the grant has no media URL");
  const text = granted.subtitles.map((s) => ({
    uri: s.url,
    language: s.language,
    kind: "subtitle",
    mime: "text/vtt",
    label: s.label,
  }));
  const operation = storage.store(manifest, { ...meta }, null, null, text as unknown as shakaNs.extern.ExtraText[]);
  const done = (async () => {
    try {
      const content = (await operation.promise) as shakaNs.extern.StoredContent;
      return { offlineUri: content.offlineUri ?? "", meta, size: content.size, duration: content.duration };
    } finally {
      await storage.destroy();
    }
  })();
  return { done, cancel: () => operation.abort() };
}

function pickTracks(tracks: shakaNs.extern.TrackList, language: string): shakaNs.extern.TrackList {
  const variants = tracks.filter((t) => t.type === "variant");
  const base = (l: string | null | undefined) => (l ?? "").toLowerCase().split("-")[0];
  const inLanguage = variants.filter((t) => base(t.language) === base(language));
  const pool = inLanguage.length ? inLanguage : variants;
  const best = pool.reduce<shakaNs.extern.Track | null>(
    (a, t) => (!a || (t.height ?? 0) > (a.height ?? 0) || ((t.height ?? 0) === (a.height ?? 0) && t.bandwidth > a.bandwidth) ? t : a),
    null,
  );
  return [...(best ? [best] : []), ...tracks.filter((t) => t.type === "text")];
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
