// The warm start with Shaka replaced by a recording fake: what it preloads, who gets the
// player, and which load uses the preload.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PlaybackPublic } from "../../api/client";

const fake = vi.hoisted(() => {
  class Manager {
    destroyed = false;
    destroy() {
      this.destroyed = true;
      return Promise.resolve();
    }
  }
  class Player {
    static made: Player[] = [];
    static failLoad = false;
    configs: unknown[] = [];
    preloads: [string, number | null][] = [];
    loads: [string, number | null][] = [];
    media: unknown = null;
    manager = new Manager();
    destroyed = false;
    constructor() {
      Player.made.push(this);
    }
    attach(media: unknown) {
      this.media = media;
      return Promise.resolve();
    }
    getMediaElement() {
      return this.media;
    }
    load(uri: string, startAt: number | null) {
      this.loads.push([uri, startAt]);
      return Player.failLoad ? Promise.reject(new Error("load failed")) : Promise.resolve();
    }
    configure(config: unknown) {
      this.configs.push(config);
    }
    preload(uri: string, startAt: number | null) {
      this.preloads.push([uri, startAt]);
      return Promise.resolve(this.manager);
    }
    destroy() {
      this.destroyed = true;
      return Promise.resolve();
    }
  }
  const schemes = new Map<string, (...args: unknown[]) => unknown>();
  const network = { parse: (...args: unknown[]) => ({ network: args[0], promise: Promise.resolve(`fetched ${String(args[0])}`) }) };
  return { Player, Manager, schemes, network };
});
vi.mock("shaka-player", () => ({
  default: {
    Player: fake.Player,
    polyfill: { installAll: () => {} },
    net: {
      NetworkingEngine: {
        PluginPriority: { APPLICATION: 3 },
        registerScheme: (scheme: string, plugin: (...args: unknown[]) => unknown) => fake.schemes.set(scheme, plugin),
      },
      HttpFetchPlugin: fake.network,
    },
    util: {
      AbortableOperation: {
        completed: (value: unknown) => ({ completed: value }),
        notAbortable: (promise: Promise<unknown>) => ({ promise }),
      },
    },
  },
}));

import { endBootLease, holdBootLease } from "./bootLease";
import { keepPending, keepPrefetched } from "./bootMedia";
import {
  adoptBootVideo,
  adoptWarmPlayer,
  BOOT_VIDEO_CLASS,
  bootPlay,
  bootTimes,
  discardWarmStart,
  isBooted,
  LOADED,
  preloadedOr,
  warmStart,
} from "./warmStart";
import { canWarmStart, startPosition } from "./warmPolicy";

/** Just enough of a <video>, a page and a browser for the boot (the tests run in Node). */
class FakeVideo extends EventTarget {
  className = "";
  playsInline = false;
  volume = 0.5;
  muted = true;
  paused = true;
  removed = false;
  refuse = false;
  currentTime = 0;
  readyState = 0;
  seeking = false;
  ended = false;
  below: FakeVideo[] = [];
  stopped = false;
  before(video: FakeVideo) {
    this.below.push(video);
  }
  classList = { remove: (name: string) => (this.className = this.className.split(" ").filter((c) => c !== name).join(" ")) };
  play() {
    if (this.refuse) return Promise.reject(new Error("NotAllowedError"));
    this.paused = false;
    this.dispatchEvent(new Event("playing"));
    return Promise.resolve();
  }
  remove() {
    this.removed = true;
  }
  /** Shaka's load put this element at `at`, with frames to play on. */
  ready(at: number) {
    this.currentTime = at;
    this.readyState = 4;
    this.dispatchEvent(new Event("canplay"));
  }
}

/** A quick start playing on its own <video> (quickStart.ts), at `at` seconds. */
function quickAt(at: number) {
  const video = new FakeVideo();
  Object.assign(video, { paused: false, readyState: 4, currentTime: at });
  const quick = {
    video: video as unknown as HTMLVideoElement,
    startedAt: 5,
    firstFrameAt: () => 9,
    playing: Promise.resolve(true),
    stop: () => {
      video.stopped = true;
      video.paused = true;
      video.removed = true;
    },
  };
  return { video, quick };
}

/** Frames: each call moves the quick start's clock on and runs the frame callbacks. */
function frames(video: FakeVideo) {
  const waiting: (() => void)[] = [];
  vi.stubGlobal("requestAnimationFrame", (fn: () => void) => waiting.push(fn));
  return (at: number) => {
    video.currentTime = at;
    waiting.splice(0).forEach((fn) => fn());
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const page = vi.hoisted(() => ({ videos: [] as unknown[], beacons: [] as string[], fetches: [] as string[], pagehide: new EventTarget() }));

function fakeBrowser(): void {
  page.videos = [];
  page.beacons = [];
  page.fetches = [];
  page.pagehide = new EventTarget();
  vi.stubGlobal("document", {
    createElement: () => {
      const video = new FakeVideo();
      page.videos.push(video);
      return video;
    },
    body: { append: () => {} },
  });
  vi.stubGlobal("window", {
    location: { origin: ORIGIN },
    addEventListener: (type: string, fn: EventListener) => page.pagehide.addEventListener(type, fn),
    removeEventListener: (type: string, fn: EventListener) => page.pagehide.removeEventListener(type, fn),
  });
  vi.stubGlobal("navigator", { sendBeacon: (url: string) => page.beacons.push(url) > 0 });
  vi.stubGlobal("fetch", (url: string) => {
    page.fetches.push(url);
    return Promise.resolve(new Response(null, { status: 204 }));
  });
}

const ORIGIN = "https://kinema.example";

function info(over: Partial<PlaybackPublic> = {}): PlaybackPublic {
  return {
    hls_url: "/api/v1/stream/tok/master.m3u8",
    dash_url: "/api/v1/stream/tok/manifest.mpd",
    ads: false,
    resume_position_s: 0,
    subtitles: [],
    ...over,
  } as PlaybackPublic;
}

describe("warm start", () => {
  afterEach(() => {
    discardWarmStart();
    fake.Player.made = [];
  });

  it("starts where the page will: ?t= over the resume point, null at the beginning", () => {
    expect(startPosition(info({ resume_position_s: 42 }), "")).toBe(42);
    expect(startPosition(info({ resume_position_s: 42 }), "?t=75.5&end=80")).toBe(75.5);
    expect(startPosition(info(), "?title=x")).toBeNull();
  });

  it("warms only plain HLS playback: no pre-roll, no party", () => {
    expect(canWarmStart(info(), "")).toBe(true);
    expect(canWarmStart(info({ ads: true }), "")).toBe(false);
    expect(canWarmStart(info(), "?party=abc")).toBe(false);
    warmStart(info({ ads: true }), "", ORIGIN);
    expect(fake.Player.made).toHaveLength(0);
    expect(adoptWarmPlayer()).toBeNull();
  });

  it("preloads the absolute HLS URL from the start position, once for one player", async () => {
    warmStart(info({ resume_position_s: 12, subtitles: [{ url: "/s.vtt", language: "en", label: "English" }] as PlaybackPublic["subtitles"] }), "", ORIGIN);
    const made = fake.Player.made[0]!;
    expect(made.preloads).toEqual([[`${ORIGIN}/api/v1/stream/tok/master.m3u8`, 12]]);
    // Side-loaded subtitles: the manifest's text is off, as the page's own load sets it.
    expect(made.configs).toContainEqual({ manifest: { disableText: true } });
    const player = adoptWarmPlayer();
    expect(player).toBe(made);
    expect(adoptWarmPlayer()).toBeNull();
    const uri = `${ORIGIN}/api/v1/stream/tok/master.m3u8`;
    expect(await preloadedOr(player as never, uri, 12)).toBe(made.manager);
    // Asked once: a retry loads the URI afresh.
    expect(await preloadedOr(player as never, uri, 12)).toBe(uri);
  });

  it("loads the URI, and drops the preload, when the page wants another start", async () => {
    warmStart(info({ resume_position_s: 12 }), "", ORIGIN);
    const player = adoptWarmPlayer() as unknown as InstanceType<typeof fake.Player>;
    const uri = `${ORIGIN}/api/v1/stream/tok/master.m3u8`;
    expect(await preloadedOr(player as never, uri, 30)).toBe(uri);
    expect(player.manager.destroyed).toBe(true);
  });

  it("destroys a warm player nobody adopted", () => {
    vi.useFakeTimers();
    try {
      warmStart(info(), "", ORIGIN);
      const made = fake.Player.made[0]!;
      vi.advanceTimersByTime(30_000);
      expect(made.destroyed).toBe(true);
      expect(adoptWarmPlayer()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  describe("boot (before the app)", () => {
    const uri = `${ORIGIN}/api/v1/stream/tok/master.m3u8`;
    afterEach(() => {
      discardWarmStart();
      fake.Player.failLoad = false;
      vi.unstubAllGlobals();
    });

    it("plays on a <video> of its own, which the Player adopts with the loaded player", async () => {
      fakeBrowser();
      const outcome = bootPlay("vid-1", info({ resume_position_s: 12 }), "", ORIGIN);
      expect(isBooted()).toBe(true);
      const video = page.videos[0] as FakeVideo;
      expect(video.className).toBe(BOOT_VIDEO_CLASS);
      // The remembered volume (none stored: full, not muted), not the element's default.
      expect([video.volume, video.muted, video.playsInline]).toEqual([1, false, true]);
      expect(await outcome).toBe("playing");
      const made = fake.Player.made[0]!;
      expect(made.media).toBe(video);
      expect(made.loads).toEqual([[uri, 12]]);

      expect(adoptBootVideo()).toBe(video);
      expect(video.className).toBe("");
      expect(adoptBootVideo()).toBeNull();
      const player = adoptWarmPlayer();
      expect(player).toBe(made);
      const times = bootTimes(player as never)!;
      expect(times.firstFrameAt).not.toBeNull();
      expect(times.firstFrameAt!).toBeGreaterThanOrEqual(times.loadStartedAt);
      // The Player's own load of the same source and start is already done.
      expect(await preloadedOr(player as never, uri, 12)).toBe(LOADED);
      expect(await preloadedOr(player as never, uri, 12)).toBe(uri);
      // Adopted: leaving the page is the watch page's to report, not the boot's.
      page.pagehide.dispatchEvent(new Event("pagehide"));
      expect(page.beacons).toEqual([]);
    });

    it("reports a refused autoplay and a failed load, and then the Player loads afresh", async () => {
      fakeBrowser();
      const first = bootPlay("vid-1", info(), "", ORIGIN);
      (page.videos[0] as FakeVideo).refuse = true;
      expect(await first).toBe("refused");
      discardWarmStart();
      fake.Player.failLoad = true;
      expect(await bootPlay("vid-1", info(), "", ORIGIN)).toBe("failed");
      expect(await preloadedOr(adoptWarmPlayer() as never, uri, null)).toBe(uri);
      // Another start than the boot's: loaded again too.
      fake.Player.failLoad = false;
      void bootPlay("vid-1", info(), "", ORIGIN);
      expect(await preloadedOr(adoptWarmPlayer() as never, uri, 30)).toBe(uri);
    });

    it("frees the stream when the page is left before the app took over, or when dropped", async () => {
      fakeBrowser();
      await bootPlay("vid-1", info(), "", ORIGIN);
      page.pagehide.dispatchEvent(new Event("pagehide"));
      expect(page.beacons).toEqual(["/api/v1/playback/vid-1/stop"]);
      const video = page.videos[0] as FakeVideo;
      const made = fake.Player.made[0]!;
      discardWarmStart();
      expect([video.removed, made.destroyed, isBooted()]).toEqual([true, true, false]);
      expect(page.fetches).toEqual(["/api/v1/playback/vid-1/stop"]);
    });

    it("takes over from a quick start beneath it, a moment ahead, on the frame both show", async () => {
      fakeBrowser();
      const { video: quick, quick: started } = quickAt(1);
      const frame = frames(quick);
      const outcome = bootPlay("vid-1", info({ resume_position_s: 0.9 }), "", ORIGIN, started);
      const shaka = page.videos[0] as FakeVideo;
      expect(quick.below).toEqual([shaka]);
      await settle();
      const made = fake.Player.made[0]!;
      expect(made.loads).toEqual([[uri, 1.5]]);
      shaka.ready(1.5);
      await settle();
      frame(1.2);
      expect([quick.removed, shaka.paused]).toEqual([false, true]);
      frame(1.49);
      expect(await outcome).toBe("playing");
      expect([quick.removed, quick.stopped, shaka.paused, shaka.currentTime]).toEqual([true, true, false, 1.5]);
      // The viewing's startup is the quick start's; the Player's load is already done.
      expect(adoptBootVideo()).toBe(shaka);
      const player = adoptWarmPlayer();
      expect(bootTimes(player as never)).toMatchObject({ loadStartedAt: 5, firstFrameAt: 9 });
      expect(await preloadedOr(player as never, uri, 0.9)).toBe(LOADED);
    });

    it("waits further ahead when Shaka is late, and hands over at once when the app asks", async () => {
      fakeBrowser();
      const { video: quick, quick: started } = quickAt(1);
      const frame = frames(quick);
      void bootPlay("vid-1", info(), "", ORIGIN, started);
      await settle();
      // The quick start is past 1.5 s before Shaka's element is ready there.
      quick.currentTime = 1.8;
      const shaka = page.videos[0] as FakeVideo;
      shaka.ready(1.5);
      await settle();
      expect(shaka.currentTime).toBe(2.3);
      frame(2.0);
      expect(quick.removed).toBe(false);
      // The app's Player adopts Shaka's <video> now: it plays on from the quick start's frame.
      expect(adoptBootVideo()).toBe(shaka);
      await settle();
      expect([quick.removed, shaka.paused, shaka.currentTime]).toEqual([true, false, 2.0]);
    });

    it("hands over at once when the quick start will not get there by playing on", async () => {
      fakeBrowser();
      const { video: quick, quick: started } = quickAt(1);
      frames(quick);
      const outcome = bootPlay("vid-1", info(), "", ORIGIN, started);
      await settle();
      // The viewer paused it (a media key): Shaka's <video> takes its frame, paused too.
      quick.paused = true;
      const shaka = page.videos[0] as FakeVideo;
      shaka.ready(1.5);
      await outcome;
      expect([quick.removed, shaka.paused, shaka.currentTime]).toEqual([true, true, 1]);
    });

    it("drops the quick start when Shaka's load fails, and the Player loads afresh", async () => {
      fakeBrowser();
      fake.Player.failLoad = true;
      const { video: quick, quick: started } = quickAt(1);
      expect(await bootPlay("vid-1", info(), "", ORIGIN, started)).toBe("failed");
      expect([quick.removed, quick.stopped]).toEqual([true, true]);
      expect(await preloadedOr(adoptWarmPlayer() as never, uri, null)).toBe(uri);
    });

    it("keeps the hold the boot took with the playback answer: one release, not two", async () => {
      fakeBrowser();
      holdBootLease("vid-1");
      await bootPlay("vid-1", info(), "", ORIGIN);
      expect(page.fetches).toEqual([]); // bootPlay dropped no start of its own
      page.pagehide.dispatchEvent(new Event("pagehide"));
      expect(page.beacons).toEqual(["/api/v1/playback/vid-1/stop"]);
      discardWarmStart();
      expect(page.fetches).toEqual(["/api/v1/playback/vid-1/stop"]);
      // The watch page took over: nothing more from the boot.
      holdBootLease("vid-2");
      endBootLease();
      page.pagehide.dispatchEvent(new Event("pagehide"));
      discardWarmStart();
      expect([page.beacons.length, page.fetches.length]).toEqual([1, 1]);
    });

    it("serves Shaka what was prefetched, once, and the network for the rest", async () => {
      fakeBrowser();
      await bootPlay("vid-1", info(), "", ORIGIN);
      const plugin = fake.schemes.get("https")!;
      const data = new ArrayBuffer(3);
      keepPrefetched(`${ORIGIN}/seg.m4s`, data);
      const request = { method: "GET", headers: {} };
      const hit = plugin(`${ORIGIN}/seg.m4s`, request) as { completed: { data: ArrayBuffer; fromCache: boolean } };
      expect(hit.completed.data).toBe(data);
      expect(hit.completed.fromCache).toBe(true);
      expect(plugin(`${ORIGIN}/seg.m4s`, request)).toMatchObject({ network: `${ORIGIN}/seg.m4s` });
      // A body still on its way is waited for; one that fails is fetched after all.
      keepPending(`${ORIGIN}/next.m4s`, Promise.resolve(data));
      const waited = plugin(`${ORIGIN}/next.m4s`, request) as { promise: Promise<{ data: ArrayBuffer }> };
      expect((await waited.promise).data).toBe(data);
      const failing = Promise.reject(new Error("HTTP 503"));
      keepPending(`${ORIGIN}/gone.m4s`, failing);
      const retried = plugin(`${ORIGIN}/gone.m4s`, request) as { promise: Promise<unknown> };
      expect(await retried.promise).toBe(`fetched ${ORIGIN}/gone.m4s`);
    });
  });
});
