// The app-wide online check with the API and Shaka's storage replaced: what it renews,
// what it deletes and the reason it keeps for the viewer, and how it is scheduled.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { listStored } from "./offline";
import { checkDownloads, checkStored, checkWhenOnline, debounce, dismissNotices, oneAtATime, onDownloadsChecked, pendingNotices, takeNotices } from "./offlineCheck";

const api = vi.hoisted(() => ({
  checkDownload: vi.fn(),
  reportOfflinePlay: vi.fn(),
}));
const store = vi.hoisted(() => ({
  stored: [] as { offlineUri: string; meta: Record<string, unknown>; size: number; duration: number }[],
  paused: {} as Record<string, { meta: Record<string, unknown>; fraction: number; pausedAt: string }>,
  states: {} as Record<string, Record<string, unknown>>,
  mayHold: true,
  removed: [] as string[],
  discarded: [] as string[],
}));

vi.mock("../api/downloads", () => api);
vi.mock("./offline", () => ({
  listStored: vi.fn(async () => store.stored),
  pausedDownloads: () => store.paused,
  removeStored: vi.fn(async (uri: string, grantId: string) => {
    store.removed.push(uri);
    store.stored = store.stored.filter((s) => s.offlineUri !== uri);
    delete store.states[grantId];
  }),
  discardPaused: vi.fn(async (grantId: string) => {
    store.discarded.push(grantId);
    delete store.paused[grantId];
  }),
  downloadState: (id: string) => store.states[id] ?? {},
  setDownloadState: (id: string, change: Record<string, unknown>) => {
    store.states[id] = { ...store.states[id], ...change };
  },
  mayHoldDownloads: () => store.mayHold,
  heldRecord: () => null,
  noteNoneHeld: vi.fn(),
}));


function meta(grantId: string, profileId = "p1", title = `Title ${grantId}`) {
  return { grantId, videoId: "v", titleId: "t", title, quality: "standard", height: 360, profileId, expiresAt: "2030-01-01T00:00:00Z", storedAt: "2029-12-01T00:00:00Z" };
}

function copy(grantId: string, profileId = "p1") {
  return { offlineUri: `offline:${grantId}`, meta: meta(grantId, profileId), size: 1, duration: 1 };
}

const keep = (expires: string) => ({ verdict: "keep", reason: null, message: null, download: { expires_at: expires } });
const drop = (reason: string) => ({ verdict: "delete", reason, message: "gone", download: { expires_at: "2020-01-01T00:00:00Z" } });

let win: EventTarget & { localStorage: Storage };

beforeEach(() => {
  const memory = new Map<string, string>();
  const localStorage = {
    getItem: (k: string) => memory.get(k) ?? null,
    setItem: (k: string, v: string) => void memory.set(k, v),
    removeItem: (k: string) => void memory.delete(k),
  } as Storage;
  win = Object.assign(new EventTarget(), { localStorage });
  vi.stubGlobal("window", win);
  vi.stubGlobal("navigator", { onLine: true });
  Object.assign(store, { stored: [], paused: {}, states: {}, mayHold: true, removed: [], discarded: [] });
  api.checkDownload.mockReset();
  api.reportOfflinePlay.mockReset();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("checkStored", () => {
  it("renews a kept copy's expiry", async () => {
    api.checkDownload.mockResolvedValue(keep("2031-01-01T00:00:00Z"));
    expect(await checkStored(copy("g1") as never)).toBeNull();
    expect(store.states.g1).toEqual({ expiresAt: "2031-01-01T00:00:00Z" });
    expect(store.removed).toEqual([]);
  });

  it.each(["revoked", "plan", "expired", "unavailable"])("deletes a copy whose grant says %s, and says so", async (reason) => {
    api.checkDownload.mockResolvedValue(drop(reason));
    expect(await checkStored(copy("g1") as never)).toBe(reason);
    expect(store.removed).toEqual(["offline:g1"]);
  });

  it("deletes a copy the API no longer knows from here", async () => {
    api.checkDownload.mockRejectedValue(new ApiError(404, "not_found", "no download"));
    expect(await checkStored(copy("g1") as never)).toBe("unknown");
    expect(store.removed).toEqual(["offline:g1"]);
  });

  it("keeps a copy when the check cannot answer", async () => {
    api.checkDownload.mockRejectedValue(new TypeError("Failed to fetch"));
    expect(await checkStored(copy("g1") as never)).toBeNull();
    expect(store.removed).toEqual([]);
  });

  it("reports a first offline play before the check", async () => {
    store.states.g1 = { firstOfflinePlayAt: "2029-12-02T00:00:00Z" };
    api.reportOfflinePlay.mockResolvedValue({});
    api.checkDownload.mockResolvedValue(keep("2029-12-04T00:00:00Z"));
    await checkStored(copy("g1") as never);
    expect(api.reportOfflinePlay).toHaveBeenCalledWith("g1", "2029-12-02T00:00:00Z");
    expect(store.states.g1).toMatchObject({ reported: true, expiresAt: "2029-12-04T00:00:00Z" });
  });
});

describe("checkDownloads", () => {
  it("deletes the profile's revoked and out-of-plan copies and keeps why until read", async () => {
    store.stored = [copy("kept"), copy("revoked"), copy("other", "p2")];
    store.paused = { planned: { meta: meta("planned"), fraction: 0.4, pausedAt: "2029-12-01T00:00:00Z" } };
    const answers: Record<string, unknown> = { kept: keep("2031-01-01T00:00:00Z"), revoked: drop("revoked"), planned: drop("plan") };
    api.checkDownload.mockImplementation(async (id: string) => answers[id]);
    const heard = vi.fn();
    const stop = onDownloadsChecked(heard);

    await checkDownloads("p1");

    // Another profile's copy is that profile's to check (the API answers for the session's).
    expect(api.checkDownload.mock.calls.map(([id]) => id).sort()).toEqual(["kept", "planned", "revoked"]);
    expect(store.stored.map((s) => s.meta.grantId)).toEqual(["kept", "other"]);
    expect(store.discarded).toEqual(["planned"]);
    expect(heard).toHaveBeenCalled();
    const notices = pendingNotices("p1");
    expect(notices.map((n) => [n.title, n.reason])).toEqual([
      ["Title revoked", "revoked"],
      ["Title planned", "plan"],
    ]);
    expect(pendingNotices("p2")).toEqual([]);
    // Read once: the Downloads page takes them, and they are gone.
    expect(takeNotices("p1")).toHaveLength(2);
    expect(pendingNotices("p1")).toEqual([]);
    stop();
  });

  it("keeps notices of earlier checks until dismissed", async () => {
    store.stored = [copy("a")];
    api.checkDownload.mockResolvedValue(drop("expired"));
    await checkDownloads("p1");
    store.stored = [copy("b")];
    api.checkDownload.mockResolvedValue(drop("revoked"));
    await checkDownloads("p1");
    expect(pendingNotices("p1").map((n) => n.grantId)).toEqual(["a", "b"]);
    dismissNotices("p1");
    expect(pendingNotices("p1")).toEqual([]);
  });

  it("does nothing offline, nor where nothing was ever downloaded", async () => {
    store.stored = [copy("a")];
    vi.mocked(listStored).mockClear();
    vi.stubGlobal("navigator", { onLine: false });
    await checkDownloads("p1");
    vi.stubGlobal("navigator", { onLine: true });
    store.mayHold = false;
    await checkDownloads("p1");
    expect(listStored).not.toHaveBeenCalled();
    expect(api.checkDownload).not.toHaveBeenCalled();
  });

  it("checks again when the network comes back, once for a burst of events", async () => {
    vi.useFakeTimers();
    store.stored = [copy("a")];
    api.checkDownload.mockResolvedValue(drop("plan"));
    const stop = checkWhenOnline("p1", 1000);
    win.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(500);
    win.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(999);
    expect(api.checkDownload).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(10);
    expect(api.checkDownload).toHaveBeenCalledTimes(1);
    expect(pendingNotices("p1").map((n) => n.reason)).toEqual(["plan"]);
    stop();
    win.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(2000);
    expect(api.checkDownload).toHaveBeenCalledTimes(1);
  });
});

describe("oneAtATime", () => {
  function gate() {
    const runs: { key: string; finish: () => void }[] = [];
    const run = (key: string) => new Promise<void>((resolve) => runs.push({ key, finish: resolve }));
    return { runs, request: oneAtATime(run) };
  }

  it("joins a run on its way", async () => {
    const { runs, request } = gate();
    const a = request("p1");
    const b = request("p1");
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    await Promise.all([a, b]);
    expect(runs).toHaveLength(1);
  });

  it("runs once more after it for fresh requests, shared by all of them", async () => {
    const { runs, request } = gate();
    const first = request("p1");
    const fresh = [request("p1", true), request("p1", true), request("p1", true)];
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    await first;
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    runs[1]!.finish();
    await Promise.all(fresh);
    expect(runs).toHaveLength(2);
  });

  it("never runs two at once, and a failed run does not stop the next", async () => {
    let active = 0;
    let most = 0;
    const request = oneAtATime(async (key) => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 1));
      active -= 1;
      if (key === "bad") throw new Error("boom");
    });
    await Promise.all([request("bad"), request("p1", true), request("p2"), request("p1", true)]);
    expect(most).toBe(1);
  });
});

describe("debounce", () => {
  it("calls once, after the last fire", () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 100);
    d.fire();
    vi.advanceTimersByTime(60);
    d.fire();
    vi.advanceTimersByTime(60);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(40);
    expect(fn).toHaveBeenCalledTimes(1);
    d.fire();
    d.cancel();
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
