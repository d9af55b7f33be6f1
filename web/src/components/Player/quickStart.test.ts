// The boot's quick start with Media Source Extensions, the network and the <video> faked:
// what it fetches, what it appends where and in which order, where it starts, what it
// keeps for Shaka, and when it gives up.
import { afterEach, describe, expect, it, vi } from "vitest";
import { takePrefetched } from "./bootMedia";
import { quickStart, splitCodecs, trackTypes } from "./quickStart";

const ORIGIN = "https://kinema.example";
const BASE = `${ORIGIN}/api/v1/stream/tok/`;

const MASTER = `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="en",DEFAULT=YES,URI="audio/en/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=4600000,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aac"
video/720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=512000,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="aac"
video/360p/index.m3u8
`;

const MEDIA = `#EXTM3U
#EXT-X-MAP:URI="init.mp4"
#EXTINF:6,
seg_00001.m4s
#EXTINF:6,
seg_00002.m4s
#EXTINF:6,
seg_00003.m4s
#EXT-X-ENDLIST
`;

class FakeBuffer extends EventTarget {
  appended: string[] = [];
  ranges: [number, number][] = [];
  constructor(
    readonly type: string,
    private readonly offset: number,
  ) {
    super();
  }
  get buffered() {
    return { length: this.ranges.length, start: (i: number) => this.ranges[i]![0] };
  }
  appendBuffer(data: ArrayBuffer) {
    const name = new TextDecoder().decode(data);
    this.appended.push(name);
    const segment = /seg_0000(\d)/.exec(name);
    if (segment) this.ranges = [[(Number(segment[1]) - 1) * 6 + this.offset, 99]];
    queueMicrotask(() => this.dispatchEvent(new Event("updateend")));
  }
}

const net = vi.hoisted(() => ({
  asked: [] as string[],
  held: null as Promise<void> | null,
  buffers: [] as FakeBuffer[],
  supported: (type: string) => type.length > 0,
  offset: 0,
}));

class FakeSource extends EventTarget {
  static isTypeSupported(type: string) {
    return net.supported(type);
  }
  addSourceBuffer(type: string) {
    const buffer = new FakeBuffer(type, net.offset);
    net.buffers.push(buffer);
    return buffer;
  }
}

class FakeVideo extends EventTarget {
  currentTime = 0;
  refuse = false;
  paused = true;
  source: FakeSource | null = null;
  set src(url: string) {
    this.source = sources.get(url) ?? null;
    queueMicrotask(() => this.source?.dispatchEvent(new Event("sourceopen")));
  }
  play() {
    if (this.refuse) return Promise.reject(new Error("NotAllowedError"));
    this.paused = false;
    this.dispatchEvent(new Event("playing"));
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
  removeAttribute() {}
  load() {}
  remove() {}
}

const sources = new Map<string, FakeSource>();

class FakeURL extends URL {
  static override createObjectURL(source: Blob | MediaSource) {
    const url = `blob:${ORIGIN}/${sources.size}`;
    sources.set(url, source as unknown as FakeSource);
    return url;
  }
  static override revokeObjectURL() {}
}

function fakeBrowser(): void {
  net.asked = [];
  net.buffers = [];
  net.supported = (type) => type.length > 0;
  net.offset = 0;
  net.held = null;
  vi.stubGlobal("window", { location: { origin: ORIGIN } });
  vi.stubGlobal("MediaSource", FakeSource);
  vi.stubGlobal("URL", FakeURL);
  vi.stubGlobal("fetch", (url: string) => {
    net.asked.push(url.slice(BASE.length));
    const text = url.endsWith("master.m3u8") ? MASTER : url.endsWith(".m3u8") ? MEDIA : url.slice(BASE.length);
    const held = net.held && url.includes("seg_") ? net.held : Promise.resolve();
    return held.then(() => new Response(text));
  });
}

function start(startAt: number | null, master = `${BASE}master.m3u8`) {
  const video = new FakeVideo();
  const quick = quickStart(video as unknown as HTMLVideoElement, master, startAt, 1_000_000);
  return { video, quick };
}

describe("quick start", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("tells a variant's video codecs from its audio codecs", () => {
    expect(splitCodecs(["avc1.4d401e", "mp4a.40.2"])).toEqual({ video: ["avc1.4d401e"], audio: ["mp4a.40.2"] });
    expect(trackTypes(["avc1.4d401e", "mp4a.40.2"], true)).toEqual({
      video: 'video/mp4; codecs="avc1.4d401e"',
      audio: 'audio/mp4; codecs="mp4a.40.2"',
    });
    // No audio group: the audio is in the video's segments.
    expect(trackTypes(["hvc1.1.6.L93.B0", "ec-3"], false)).toEqual({ video: 'video/mp4; codecs="hvc1.1.6.L93.B0,ec-3"', audio: null });
    expect(trackTypes(["mp4a.40.2"], true)).toBeNull();
    expect(trackTypes([], false)).toBeNull();
  });

  it("plays the start variant's runway from the start position, and keeps it all for Shaka", async () => {
    fakeBrowser();
    const { video, quick } = start(7);
    expect(await quick.playing).toBe(true);
    expect(video.currentTime).toBe(7);
    expect(quick.firstFrameAt()).toBeGreaterThanOrEqual(quick.startedAt);
    // The variant Shaka starts on at 1 Mbit/s, its audio group's default rendition.
    expect(net.buffers.map((b) => b.type)).toEqual(['video/mp4; codecs="avc1.4d401e"', 'audio/mp4; codecs="mp4a.40.2"']);
    await vi.waitFor(() => expect(net.buffers.every((b) => b.appended.length === 3)).toBe(true));
    expect(net.buffers.map((b) => b.appended)).toEqual([
      ["video/360p/init.mp4", "video/360p/seg_00002.m4s", "video/360p/seg_00003.m4s"],
      ["audio/en/init.mp4", "audio/en/seg_00002.m4s", "audio/en/seg_00003.m4s"],
    ]);
    // Each URL fetched once; Shaka finds every body, once.
    expect(new Set(net.asked).size).toBe(net.asked.length);
    for (const path of net.asked) expect(takePrefetched(BASE + path, "GET", {})).not.toBeNull();
    expect(takePrefetched(`${BASE}master.m3u8`, "GET", {})).toBeNull();
  });

  it("asks for the rest of the runway only once the first segment is in", async () => {
    fakeBrowser();
    let release: () => void = () => {};
    net.held = new Promise((resolve) => (release = resolve));
    const { quick } = start(null);
    await vi.waitFor(() => expect(net.asked).toContain("video/360p/seg_00001.m4s"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(net.asked.filter((a) => a.includes("seg_00002"))).toEqual([]);
    // Shaka asking meanwhile waits for the first segment rather than fetch it again.
    const pending = takePrefetched(`${BASE}video/360p/seg_00001.m4s`, "GET", {});
    expect(pending).toBeInstanceOf(Promise);
    release();
    expect(await quick.playing).toBe(true);
    expect(new TextDecoder().decode(await pending!)).toBe("video/360p/seg_00001.m4s");
    await vi.waitFor(() => expect(net.asked).toContain("video/360p/seg_00002.m4s"));
  });

  it("starts where both tracks have media when there is no start position", async () => {
    fakeBrowser();
    net.offset = 0.04;
    const { video, quick } = start(null);
    expect(await quick.playing).toBe(true);
    expect(video.currentTime).toBe(0.04);
  });

  it("gives up on what it cannot play as Shaka would, and on a refused autoplay", async () => {
    fakeBrowser();
    expect(await start(null, "https://cdn.example/tok/master.m3u8").quick.playing).toBe(false);
    expect(net.asked).toEqual([]); // another origin: not even fetched

    net.supported = (type) => !type.startsWith("audio/");
    expect(await start(null).quick.playing).toBe(false);
    expect(net.buffers).toEqual([]); // nothing appended

    net.supported = () => true;
    net.offset = 10; // segments stamped 10 s away from their playlist times
    expect(await start(null).quick.playing).toBe(false);

    net.offset = 0;
    const refused = start(null);
    refused.video.refuse = true;
    expect(await refused.quick.playing).toBe(false);
    expect(refused.quick.firstFrameAt()).toBeNull();
  });
});
