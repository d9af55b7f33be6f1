import { describe, expect, it } from "vitest";
import { absoluteUrl, accessProblemOf, isStreamUrl, renewBackoffMs, statusOf, withToken } from "./streamToken";

describe("withToken", () => {
  it.each([
    ["/api/v1/stream/old.sig/master.m3u8", "/api/v1/stream/new.sig/master.m3u8"],
    ["https://tv.example.com/api/v1/stream/old.sig/video/720p/seg_00001.m4s", "https://tv.example.com/api/v1/stream/new.sig/video/720p/seg_00001.m4s"],
    ["http://127.0.0.1:8000/api/v1/stream/a-b_c.d_e/subs/en.vtt?x=1", "http://127.0.0.1:8000/api/v1/stream/new.sig/subs/en.vtt?x=1"],
    // The caching edge (`kinema up --edge`) on its own origin: the token is swapped there too.
    ["http://127.0.0.1:8001/api/v1/stream/old.sig/480p/seg_00002.m4s", "http://127.0.0.1:8001/api/v1/stream/new.sig/480p/seg_00002.m4s"],
    ["https://cdn.example.com/media/abc/video/720p/seg_00001.m4s", "https://cdn.example.com/media/abc/video/720p/seg_00001.m4s"],
    ["/api/v1/playback/123", "/api/v1/playback/123"],
  ])("%s", (uri, expected) => {
    expect(withToken(uri, "new.sig")).toBe(expected);
  });

  it("leaves the URL alone without a token", () => {
    expect(withToken("/api/v1/stream/old/master.m3u8", null)).toBe("/api/v1/stream/old/master.m3u8");
  });

  it("knows stream URLs", () => {
    expect(isStreamUrl("http://h/api/v1/stream/t/seg.m4s")).toBe(true);
    expect(isStreamUrl("http://h/api/v1/playback/x/renew")).toBe(false);
  });
});

describe("absoluteUrl", () => {
  it("resolves relative media URLs against the page's origin and keeps absolute ones", () => {
    expect(absoluteUrl("/api/v1/stream/t/master.m3u8", "http://127.0.0.1:8000")).toBe("http://127.0.0.1:8000/api/v1/stream/t/master.m3u8");
    expect(absoluteUrl("https://tv.example.com/api/v1/stream/t/master.m3u8", "http://127.0.0.1:8000")).toBe("https://tv.example.com/api/v1/stream/t/master.m3u8");
  });
});

describe("accessProblemOf", () => {
  it.each([
    [401, "signedOut"],
    [403, "unavailable"],
    [404, "unavailable"],
    [410, "reprocessed"],
    [429, "tooManyStreams"],
    [null, "retry"],
    [408, "retry"],
    [502, "retry"],
    [503, "retry"],
  ] as const)("%s → %s", (status, problem) => {
    expect(accessProblemOf(status)).toBe(problem);
  });
});

describe("statusOf", () => {
  it("reads an API error's status, and nothing from a network failure", () => {
    expect(statusOf({ status: 429, code: "too_many_requests" })).toBe(429);
    expect(statusOf(new TypeError("Failed to fetch"))).toBeNull();
    expect(statusOf(null)).toBeNull();
  });
});

describe("renewBackoffMs", () => {
  it("doubles from 2 s and stays at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5].map(renewBackoffMs)).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
