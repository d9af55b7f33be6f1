// The online check of this browser's downloads, run app-wide: when the app starts signed
// in and online, and when the network comes back (`online`, debounced), whatever the
// page. Each copy of the profile's (stored, or paused on its way) is renewed, or deleted
// because its grant expired, was revoked (from the Devices page), the plan no longer
// allows downloads or the title is gone. It cannot wait for the Downloads page: the nav
// hides that page once the plan lacks downloads, which is when a copy must go.
//
// What was deleted and why is kept (localStorage, per profile) until the viewer has read
// it: the Downloads page shows and takes it, or the notice above every other page does
// (components/Downloads/DownloadNotices.tsx) until dismissed. One check runs at a time;
// this module is the only place that decides a copy's fate online.
import { ApiError } from "../api/client";
import { checkDownload, reportOfflinePlay } from "../api/downloads";
import type { PausedDownload } from "./downloadResume";
import {
  discardPaused,
  downloadState,
  heldRecord,
  listStored,
  mayHoldDownloads,
  noteNoneHeld,
  pausedDownloads,
  removeStored,
  setDownloadState,
} from "./offline";
import type { StoredDownload } from "./offline";

/** Why a copy was deleted (the API's reasons, and "unknown" for a grant it no longer
 *  knows from this device). */
export type Removal = "revoked" | "plan" | "expired" | "unavailable" | "unknown";

const REASONS: ReadonlySet<string> = new Set<Removal>(["revoked", "plan", "expired", "unavailable", "unknown"]);

export function removalOf(reason: string | null | undefined): Removal {
  return reason && REASONS.has(reason) ? (reason as Removal) : "unknown";
}

/** One stored copy's check: report an offline play not yet reported, then renew it or
 *  delete it. Null when it is kept, or when the check could not answer (offline, a
 *  passing failure: the next check decides). */
export async function checkStored(item: StoredDownload): Promise<Removal | null> {
  const id = item.meta.grantId;
  try {
    const state = downloadState(id);
    if (state.firstOfflinePlayAt && !state.reported) {
      await reportOfflinePlay(id, state.firstOfflinePlayAt);
      setDownloadState(id, { reported: true });
    }
    const answer = await checkDownload(id);
    if (answer.verdict === "keep") {
      setDownloadState(id, { expiresAt: answer.download.expires_at });
      return null;
    }
    await removeStored(item.offlineUri, id);
    return removalOf(answer.reason);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      await removeStored(item.offlineUri, id);
      return "unknown";
    }
    return null;
  }
}

/** A paused download's check: its grant is renewed (it may resume), or it is gone, and
 *  so are its record and resume cache. */
export async function checkPaused(item: PausedDownload): Promise<Removal | null> {
  try {
    const answer = await checkDownload(item.meta.grantId);
    if (answer.verdict === "keep") return null;
    await discardPaused(item.meta.grantId);
    return removalOf(answer.reason);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      await discardPaused(item.meta.grantId);
      return "unknown";
    }
    return null;
  }
}

// --- What was deleted, until read ---

export interface RemovalNotice {
  grantId: string;
  profileId: string;
  title: string;
  reason: Removal;
}

const NOTICES_KEY = "kinema.downloadNotices";

export function parseNotices(raw: string | null): RemovalNotice[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: RemovalNotice[] = [];
  for (const value of parsed as unknown[]) {
    const n = value as Record<string, unknown> | null;
    if (!n || typeof n.grantId !== "string" || typeof n.profileId !== "string") continue;
    out.push({ grantId: n.grantId, profileId: n.profileId, title: typeof n.title === "string" ? n.title : "", reason: removalOf(typeof n.reason === "string" ? n.reason : null) });
  }
  return out;
}

/** ``old`` with ``added``: one notice per grant, the latest reason kept. */
export function mergeNotices(old: readonly RemovalNotice[], added: readonly RemovalNotice[]): RemovalNotice[] {
  const fresh = new Set(added.map((n) => n.grantId));
  return [...old.filter((n) => !fresh.has(n.grantId)), ...added];
}

const listeners = new Set<() => void>();

/** Called after every check and whenever the notices change; returns the unsubscribe. */
export function onDownloadsChecked(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function changed(): void {
  for (const listener of [...listeners]) listener();
}

/** The stored notices as they are (a stable value for `useSyncExternalStore`). */
export function noticesSnapshot(): string | null {
  return window.localStorage.getItem(NOTICES_KEY);
}

function writeNotices(notices: readonly RemovalNotice[]): void {
  if (notices.length) window.localStorage.setItem(NOTICES_KEY, JSON.stringify(notices));
  else window.localStorage.removeItem(NOTICES_KEY);
}

export function pendingNotices(profileId: string): RemovalNotice[] {
  return parseNotices(noticesSnapshot()).filter((n) => n.profileId === profileId);
}

/** The profile's notices, now read: they are forgotten. */
export function takeNotices(profileId: string): RemovalNotice[] {
  const all = parseNotices(noticesSnapshot());
  const mine = all.filter((n) => n.profileId === profileId);
  if (mine.length) {
    writeNotices(all.filter((n) => n.profileId !== profileId));
    changed();
  }
  return mine;
}

export function dismissNotices(profileId: string): void {
  takeNotices(profileId);
}

// --- Running it ---

/** ``run`` one key at a time. A request while the same key runs joins it, unless
 *  ``fresh`` (the run may have started before what the caller knows, e.g. the network
 *  coming back): then one more run follows it, shared by every such request meanwhile. */
export function oneAtATime(run: (key: string) => Promise<void>): (key: string, fresh?: boolean) => Promise<void> {
  let running: { key: string; done: Promise<void> } | null = null;
  let queued: { key: string; done: Promise<void> } | null = null;
  const request = (key: string, fresh = false): Promise<void> => {
    if (running && running.key === key && !fresh) return running.done;
    if (!running) {
      const entry: { key: string; done: Promise<void> } = { key, done: Promise.resolve() };
      running = entry;
      entry.done = run(key)
        .catch(() => undefined)
        .then(() => {
          if (running === entry) running = null;
        });
      return entry.done;
    }
    if (queued && queued.key === key) return queued.done;
    const entry: { key: string; done: Promise<void> } = { key, done: Promise.resolve() };
    const before = (queued ?? running).done;
    queued = entry;
    entry.done = before.then(() => {
      if (queued === entry) queued = null;
      return request(key);
    });
    return entry.done;
  };
  return request;
}

/** ``fire`` calls ``fn`` once ``ms`` after the last ``fire``. */
export function debounce(fn: () => void, ms: number): { fire: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return {
    fire: () => {
      cancel();
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    cancel,
  };
}

/** One check of ``profileId``'s copies in this browser (a copy of another profile is
 *  that profile's to check: the API answers for the session's profile only). */
async function runCheck(profileId: string): Promise<void> {
  try {
    if (!mayHoldDownloads()) return;
    const seen = heldRecord();
    const all = await listStored().catch(() => [] as StoredDownload[]);
    const paused = Object.values(pausedDownloads());
    if (all.length === 0 && paused.length === 0) {
      noteNoneHeld(seen);
      return;
    }
    const storedIds = new Set(all.map((s) => s.meta.grantId));
    const removed: RemovalNotice[] = [];
    const note = (meta: { grantId: string; title: string }, reason: Removal | null) => {
      if (reason) removed.push({ grantId: meta.grantId, profileId, title: meta.title, reason });
    };
    for (const item of all.filter((s) => s.meta.profileId === profileId)) {
      note(item.meta, await checkStored(item));
    }
    for (const item of paused.filter((p) => p.meta.profileId === profileId && !storedIds.has(p.meta.grantId))) {
      note(item.meta, await checkPaused(item));
    }
    if (removed.length) writeNotices(mergeNotices(parseNotices(noticesSnapshot()), removed));
  } finally {
    changed();
  }
}

const requestCheck = oneAtATime(runCheck);

/** Check ``profileId``'s downloads now (joining a check already on its way), when online. */
export function checkDownloads(profileId: string, opts: { fresh?: boolean } = {}): Promise<void> {
  if (!navigator.onLine) return Promise.resolve();
  return requestCheck(profileId, opts.fresh);
}

/** Call ``fn`` when the network comes back (debounced by ``ms``: a flapping connection
 *  calls it once). Returns the unsubscribe. */
export function whenOnline(fn: () => void, ms = 1000): () => void {
  const later = debounce(fn, ms);
  window.addEventListener("online", later.fire);
  return () => {
    window.removeEventListener("online", later.fire);
    later.cancel();
  };
}

/** Check ``profileId``'s downloads each time the network comes back. */
export function checkWhenOnline(profileId: string, ms = 1000): () => void {
  return whenOnline(() => void checkDownloads(profileId, { fresh: true }), ms);
}
