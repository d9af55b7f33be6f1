// The boot's guesses at what Shaka's first load asks for, on a master playlist as
// Kinema writes it, and the handover of what was fetched.
import { describe, expect, it } from "vitest";
import { keepPending, keepPrefetched, parseMaster, prefetchStart, runway, startSegments, startVariant, takePrefetched } from "./bootMedia";

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS

#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="es",NAME="es",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="audio/es/index.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en/index.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",URI="subs/en.m3u8"

#EXT-X-STREAM-INF:BANDWIDTH=5012269,AVERAGE-BANDWIDTH=4597793,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="aac"
video/720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2263900,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=960x540,AUDIO="aac"
video/540p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=527023,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,AUDIO="aac"
video/360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=293756,CODECS="avc1.4d400d,mp4a.40.2",RESOLUTION=416x234,AUDIO="aac"
video/234p/index.m3u8

#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1603600,CODECS="avc1.64001f",RESOLUTION=1280x720,URI="video/720p/iframes.m3u8"
`;

const MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:6
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:6.016,
seg_00001.m4s
#EXTINF:5.994667,
seg_00002.m4s
#EXTINF:3.264,
seg_00003.m4s
#EXT-X-ENDLIST
`;

describe("boot prefetch", () => {
  it("reads the variants and each audio group's default rendition", () => {
    const master = parseMaster(MASTER);
    expect(master.variants.map((v) => [v.bandwidth, v.uri, v.audio])).toEqual([
      [5012269, "video/720p/index.m3u8", "aac"],
      [2263900, "video/540p/index.m3u8", "aac"],
      [527023, "video/360p/index.m3u8", "aac"],
      [293756, "video/234p/index.m3u8", "aac"],
    ]);
    expect(master.audio).toEqual(new Map([["aac", "audio/en/index.m3u8"]]));
  });

  it("starts where Shaka's ABR starts for the estimate", () => {
    const { variants } = parseMaster(MASTER);
    expect(startVariant(variants, 1_000_000)?.uri).toBe("video/360p/index.m3u8");
    expect(startVariant(variants, 3_000_000)?.uri).toBe("video/540p/index.m3u8");
    expect(startVariant(variants, 100_000)?.uri).toBe("video/234p/index.m3u8"); // the lowest
    expect(startVariant(variants, 50_000_000)?.uri).toBe("video/720p/index.m3u8");
    expect(startVariant([], 1_000_000)).toBeNull();
  });

  it("names the init segment and the segment holding the start position", () => {
    expect(startSegments(MEDIA, null)).toEqual(["init.mp4", "seg_00001.m4s"]);
    expect(startSegments(MEDIA, 6.5)).toEqual(["init.mp4", "seg_00002.m4s"]);
    expect(startSegments(MEDIA, 12.1)).toEqual(["init.mp4", "seg_00003.m4s"]);
    expect(startSegments(MEDIA, 99)).toEqual(["init.mp4", "seg_00003.m4s"]); // past the end: the last
  });

  it("names a runway of segments from the start position, with their times", () => {
    expect(runway(MEDIA, null, 2)).toEqual({
      init: "init.mp4",
      segments: [
        { uri: "seg_00001.m4s", start: 0 },
        { uri: "seg_00002.m4s", start: 6.016 },
      ],
    });
    expect(runway(MEDIA, 7, 5).segments.map((s) => s.uri)).toEqual(["seg_00002.m4s", "seg_00003.m4s"]);
    expect(runway(MEDIA, 99, 2).segments).toEqual([{ uri: "seg_00003.m4s", start: 12.010667 }]);
    // A runway never crosses into another init segment.
    const switched = MEDIA.replace("seg_00002.m4s", '#EXT-X-MAP:URI="init2.mp4"\nseg_00002.m4s');
    expect(runway(switched, null, 3)).toEqual({ init: "init.mp4", segments: [{ uri: "seg_00001.m4s", start: 0 }] });
    expect(runway(switched, 7, 3).init).toBe("init2.mp4");
    expect(runway("#EXTM3U\n", null, 2)).toEqual({ init: null, segments: [] });
  });

  it("reads each variant's codecs", () => {
    expect(parseMaster(MASTER).variants[2]?.codecs).toEqual(["avc1.4d401e", "mp4a.40.2"]);
    expect(parseMaster("#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8").variants[0]?.codecs).toEqual([]);
  });

  it("fetches the start variant's and its audio's playlists and start segments", async () => {
    const asked: string[] = [];
    const body = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
    const get = (url: string) => {
      asked.push(url);
      if (url.endsWith("master.m3u8")) return Promise.resolve(body(MASTER));
      if (url.endsWith("index.m3u8")) return Promise.resolve(body(MEDIA));
      return Promise.resolve(new ArrayBuffer(4));
    };
    await prefetchStart(get, "https://k.example/api/v1/stream/tok/master.m3u8", 7, 1_000_000);
    const base = "https://k.example/api/v1/stream/tok/";
    expect(asked.sort()).toEqual(
      [
        "master.m3u8",
        "video/360p/index.m3u8", "video/360p/init.mp4", "video/360p/seg_00002.m4s",
        "audio/en/index.m3u8", "audio/en/init.mp4", "audio/en/seg_00002.m4s",
      ].map((p) => base + p).sort(),
    );
  });

  it("hands a body over once, and only to a plain GET", () => {
    const data = new ArrayBuffer(8);
    keepPrefetched("https://k.example/a.m4s", data);
    expect(takePrefetched("https://k.example/a.m4s", "GET", { Range: "bytes=0-1" })).toBeNull();
    expect(takePrefetched("https://k.example/a.m4s", "HEAD", {})).toBeNull();
    expect(takePrefetched("https://k.example/a.m4s", "GET", {})).toBe(data);
    expect(takePrefetched("https://k.example/a.m4s", "GET", {})).toBeNull();
  });

  it("hands over a body still on its way as a promise, and forgets a failed one", async () => {
    let arrive: (data: ArrayBuffer) => void = () => {};
    const body = new Promise<ArrayBuffer>((resolve) => (arrive = resolve));
    keepPending("https://k.example/b.m4s", body);
    expect(takePrefetched("https://k.example/b.m4s", "GET", {})).toBe(body);
    expect(takePrefetched("https://k.example/b.m4s", "GET", {})).toBeNull();
    // Not taken before it arrived: then it is kept as a body.
    const later = new Promise<ArrayBuffer>((resolve) => (arrive = resolve));
    keepPending("https://k.example/c.m4s", later);
    const data = new ArrayBuffer(2);
    arrive(data);
    await later;
    expect(takePrefetched("https://k.example/c.m4s", "GET", {})).toBe(data);
    const failed = Promise.reject(new Error("HTTP 503"));
    keepPending("https://k.example/d.m4s", failed);
    await failed.catch(() => {});
    expect(takePrefetched("https://k.example/d.m4s", "GET", {})).toBeNull();
  });
});
