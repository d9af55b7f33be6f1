import { describe, expect, it } from "vitest";
import {
  bytesNeeded,
  cacheable,
  cacheKey,
  cacheName,
  parsePaused,
  parsePausedMap,
  parseSchemeUri,
  schemeUri,
  shownProgress,
  splitMediaUrl,
} from "./downloadResume";

const META = {
  grantId: "g1",
  videoId: "v1",
  titleId: "t1",
  title: "Harbour Lights",
  quality: "standard",
  height: 360,
  profileId: "p1",
  expiresAt: "2026-12-30T10:00:00Z",
  storedAt: "2026-12-03T10:00:00Z",
};

describe("download resume", () => {
  it("splits a grant's media URL into its signed root and the path under it", () => {
    expect(splitMediaUrl("http://h:8080/api/v1/offline/abc.def/v1/hls/master.m3u8?x=1")).toEqual({
      root: "http://h:8080/api/v1/offline/abc.def",
      path: "v1/hls/master.m3u8?x=1",
    });
    expect(splitMediaUrl("/api/v1/offline/tok/a.vtt")).toEqual({ root: "/api/v1/offline/tok", path: "a.vtt" });
    expect(splitMediaUrl("http://h/api/v1/stream/tok/master.m3u8")).toBeNull();
    expect(splitMediaUrl("http://h/api/v1/offline/tok")).toBeNull();
  });

  it("round-trips the download scheme, and the path is all a cache key holds", () => {
    const uri = schemeUri("grant 1", "/v1/hls/360p/seg_00001.m4s");
    expect(uri).toBe("kinema-dl://grant%201/v1/hls/360p/seg_00001.m4s");
    expect(parseSchemeUri(uri)).toEqual({ grantId: "grant 1", path: "v1/hls/360p/seg_00001.m4s" });
    // A relative URI resolved against the manifest stays in the scheme.
    expect(parseSchemeUri(new URL("360p/init.mp4", "kinema-dl://g1/v1/hls/master.m3u8").href)).toEqual({
      grantId: "g1",
      path: "v1/hls/360p/init.mp4",
    });
    expect(parseSchemeUri("https://h/x")).toBeNull();
    expect(parseSchemeUri("kinema-dl://g1/")).toBeNull();
    expect(parseSchemeUri("kinema-dl://%E0%A4%A/x")).toBeNull();
    // Renewing the grant changes the token, not the key: what arrived is still found.
    const before = splitMediaUrl("http://h/api/v1/offline/OLD/v1/seg_1.m4s")!;
    const after = splitMediaUrl("http://h/api/v1/offline/NEW/v1/seg_1.m4s")!;
    expect(cacheKey("http://h/", before.path)).toBe(cacheKey("http://h", after.path));
    expect(cacheKey("http://h", "/a/b")).toBe("http://h/__kinema-dl__/a/b");
    expect(cacheName("g1")).not.toBe(cacheName("g2"));
  });

  it("keeps whole segments only", () => {
    expect(cacheable(true, {})).toBe(true);
    expect(cacheable(true, undefined)).toBe(true);
    expect(cacheable(false, {})).toBe(false); // manifests: fetched fresh at each resume
    expect(cacheable(true, { Range: "bytes=0-99" })).toBe(false);
    expect(cacheable(true, { range: "bytes=0-99" })).toBe(false);
  });

  it("never moves the bar back, and clamps what Shaka reports", () => {
    expect(shownProgress(0.4, 0.1)).toBe(0.4);
    expect(shownProgress(0.4, 0.7)).toBe(0.7);
    expect(shownProgress(0, 1.5)).toBe(1);
    expect(shownProgress(Number.NaN, -1)).toBe(0);
  });

  it("counts the room a download needs, resume cache included", () => {
    expect(bytesNeeded(100, 0, false)).toBe(100);
    expect(bytesNeeded(100, 0, true)).toBe(200);
    expect(bytesNeeded(100, 60, true)).toBe(140); // 60 already in the browser's usage
    expect(bytesNeeded(100, 500, true)).toBe(100);
  });

  it("reads paused records, dropping broken ones", () => {
    expect(parsePaused({ meta: META, fraction: 0.42, pausedAt: "2026-12-03T11:00:00Z" })).toMatchObject({
      fraction: 0.42,
      pausedAt: "2026-12-03T11:00:00Z",
      meta: { grantId: "g1", quality: "standard" },
    });
    expect(parsePaused({ meta: META, fraction: 7, pausedAt: "never" })).toMatchObject({ fraction: 1, pausedAt: META.storedAt });
    expect(parsePaused({ meta: { title: "no grant" }, fraction: 0.1 })).toBeNull();
    expect(parsePaused(null)).toBeNull();
    const map = parsePausedMap(JSON.stringify({ g1: { meta: META, fraction: 0.5 }, other: { meta: META, fraction: 0.5 }, bad: 3 }));
    expect(Object.keys(map)).toEqual(["g1"]);
    expect(parsePausedMap("{not json")).toEqual({});
    expect(parsePausedMap(null)).toEqual({});
  });
});
