import { afterEach, describe, expect, it } from "vitest";
import {
  CAST_SENDER_URL,
  DEFAULT_RECEIVER_APP_ID,
  canLoadCastSdk,
  castLoad,
  castLoadPlan,
  castReceiverAppId,
  loadCastSdk,
  resetCastSdk,
} from "./cast";
import type { CastFrameworkLike, CastSessionLike, ChromeCastLike } from "./cast";

// A stand-in for the page: records the script the loader adds, so a test can play the
// part of Google's SDK (which is not reachable from tests) answering or failing.
function fakePage(opts: { chrome?: boolean; secure?: boolean; online?: boolean } = {}) {
  const scripts: { src: string; async: boolean; onerror: (() => void) | null }[] = [];
  const win: Record<string, unknown> & { navigator: { onLine: boolean } } = {
    isSecureContext: opts.secure ?? true,
    navigator: { onLine: opts.online ?? true },
  };
  if (opts.chrome ?? true) win.chrome = {};
  const doc = {
    createElement: () => {
      const s = { src: "", async: false, onerror: null as (() => void) | null };
      return s;
    },
    head: { appendChild: (s: (typeof scripts)[number]) => scripts.push(s) },
  } as unknown as Pick<Document, "createElement" | "head">;
  return { win, doc, scripts };
}

const framework = {
  CastContext: { getInstance: () => ({}) },
  CastContextEventType: { CAST_STATE_CHANGED: "caststatechanged", SESSION_STATE_CHANGED: "sessionstatechanged" },
  CastState: { NO_DEVICES_AVAILABLE: "NO_DEVICES_AVAILABLE", CONNECTED: "CONNECTED" },
  SessionState: { SESSION_STARTED: "SESSION_STARTED", SESSION_RESUMED: "SESSION_RESUMED", SESSION_ENDED: "SESSION_ENDED" },
} as unknown as CastFrameworkLike;

afterEach(() => resetCastSdk());

describe("receiver app id", () => {
  it("defaults to Google's Default Media Receiver", () => {
    expect(castReceiverAppId(undefined)).toBe(DEFAULT_RECEIVER_APP_ID);
    expect(castReceiverAppId("")).toBe("CC1AD845");
    expect(castReceiverAppId("not an id")).toBe("CC1AD845");
  });
  it("takes a configured app id", () => {
    expect(castReceiverAppId(" 5e1a7f02 ")).toBe("5E1A7F02");
  });
});

describe("loading the sender SDK", () => {
  it("is not attempted where it cannot help", async () => {
    for (const opts of [{ chrome: false }, { secure: false }, { online: false }]) {
      const { win, doc, scripts } = fakePage(opts);
      expect(canLoadCastSdk(win as never)).toBe(false);
      await expect(loadCastSdk(win as never, doc)).resolves.toBeNull();
      expect(scripts).toHaveLength(0);
    }
  });

  it("gives null when the script cannot load (offline): no Cast button", async () => {
    const { win, doc, scripts } = fakePage();
    const pending = loadCastSdk(win as never, doc);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!.src).toBe(CAST_SENDER_URL);
    scripts[0]!.onerror!();
    await expect(pending).resolves.toBeNull();
  });

  it("gives null when the SDK says Cast is unavailable, or never answers", async () => {
    const page = fakePage();
    const pending = loadCastSdk(page.win as never, page.doc);
    (page.win.__onGCastApiAvailable as (a: boolean) => void)(false);
    await expect(pending).resolves.toBeNull();
    const silent = fakePage();
    await expect(loadCastSdk(silent.win as never, silent.doc, 5)).resolves.toBeNull();
  });

  it("gives the framework once the SDK reports itself available, and loads it once", async () => {
    const { win, doc, scripts } = fakePage();
    const first = loadCastSdk(win as never, doc);
    win.cast = { framework };
    (win.chrome as Record<string, unknown>).cast = { AutoJoinPolicy: { ORIGIN_SCOPED: "origin_scoped" } };
    (win.__onGCastApiAvailable as (a: boolean) => void)(true);
    const sdk = await first;
    expect(sdk?.framework).toBe(framework);
    expect(await loadCastSdk(win as never, doc)).toBe(sdk);
    expect(scripts).toHaveLength(1);
  });
});

describe("what the receiver is asked to play", () => {
  it("is the absolute manifest URL, CMAF hints and the current position", () => {
    const plan = castLoadPlan(
      { url: "/api/v1/stream/tok/master.m3u8", kind: "hls", title: "Harbour Lights", subtitle: null, position: 61.8 },
      "http://tv.example:8000/watch/abc?title=1",
    );
    expect(plan).toEqual({
      contentId: "http://tv.example:8000/api/v1/stream/tok/master.m3u8",
      contentType: "application/x-mpegurl",
      hlsSegmentFormat: "fmp4",
      hlsVideoSegmentFormat: "fmp4",
      streamType: "BUFFERED",
      title: "Harbour Lights",
      subtitle: undefined,
      currentTime: 61,
    });
    const dash = castLoadPlan({ url: "https://cdn.example/m.mpd", kind: "dash", title: "T", position: -3 }, "https://a.example/");
    expect(dash.contentType).toBe("application/dash+xml");
    expect(dash.contentId).toBe("https://cdn.example/m.mpd");
    expect(dash.hlsSegmentFormat).toBeUndefined();
    expect(dash.currentTime).toBe(0);
  });

  it("is sent to the session as a LoadRequest", async () => {
    class MediaInfo {
      [k: string]: unknown;
      constructor(
        public contentId: string,
        public contentType: string,
      ) {}
    }
    class LoadRequest {
      [k: string]: unknown;
      constructor(public media: unknown) {}
    }
    class GenericMediaMetadata {
      [k: string]: unknown;
    }
    const chromeCast = { AutoJoinPolicy: { ORIGIN_SCOPED: "o" }, media: { MediaInfo, LoadRequest, GenericMediaMetadata } };
    const sent: unknown[] = [];
    const session: CastSessionLike = {
      loadMedia: (r) => {
        sent.push(r);
        return Promise.resolve();
      },
      getCastDevice: () => ({ friendlyName: "Living room" }),
    };
    await castLoad(
      { framework, chromeCast: chromeCast as unknown as ChromeCastLike },
      session,
      { url: "/m.m3u8", kind: "hls", title: "Ep", subtitle: "S1:E2", position: 12.4 },
      "http://h/",
    );
    const request = sent[0] as { media: Record<string, unknown>; currentTime: number; autoplay: boolean };
    expect(request.currentTime).toBe(12);
    expect(request.autoplay).toBe(true);
    expect(request.media.contentId).toBe("http://h/m.m3u8");
    expect(request.media.hlsSegmentFormat).toBe("fmp4");
    expect(request.media.metadata).toMatchObject({ title: "Ep", subtitle: "S1:E2" });
  });
});
