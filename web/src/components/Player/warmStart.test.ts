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
    configs: unknown[] = [];
    preloads: [string, number | null][] = [];
    manager = new Manager();
    destroyed = false;
    constructor() {
      Player.made.push(this);
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
  return { Player, Manager };
});
vi.mock("shaka-player", () => ({ default: { Player: fake.Player, polyfill: { installAll: () => {} } } }));

import { adoptWarmPlayer, canWarmStart, discardWarmStart, preloadedOr, startPosition, warmStart } from "./warmStart";

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
});
