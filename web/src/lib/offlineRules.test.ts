import { describe, expect, it } from "vitest";
import { effectiveExpiry, fits, formatBytes, isExpired, parseMeta, PLAY_WINDOW_MS, storageProblem } from "./offlineRules";

const META = {
  grantId: "g1",
  videoId: "v1",
  titleId: "t1",
  title: "Sintel",
  quality: "high",
  height: 720,
  profileId: "p1",
  expiresAt: "2026-12-30T00:00:00Z",
  storedAt: "2026-12-01T00:00:00Z",
};

describe("stored download rules", () => {
  it("reads its metadata and refuses what is not one", () => {
    expect(parseMeta(META)?.grantId).toBe("g1");
    expect(parseMeta({ ...META, expiresAt: "soon" })).toBeNull();
    expect(parseMeta(null)).toBeNull();
    expect(parseMeta({ ...META, quality: "ultra" })?.quality).toBe("standard");
  });

  it("expires at the grant's end, or 48 hours after the first offline play", () => {
    const meta = parseMeta(META)!;
    expect(effectiveExpiry(meta, {})).toBe(Date.parse(META.expiresAt));
    expect(effectiveExpiry(meta, { expiresAt: "2027-01-05T00:00:00Z" })).toBe(Date.parse("2027-01-05T00:00:00Z"));
    const played = "2026-12-02T00:00:00Z";
    expect(effectiveExpiry(meta, { firstOfflinePlayAt: played })).toBe(Date.parse(played) + PLAY_WINDOW_MS);
    expect(isExpired(meta, { firstOfflinePlayAt: played }, Date.parse("2026-12-04T00:00:01Z"))).toBe(true);
    expect(isExpired(meta, {}, Date.parse("2026-12-29T00:00:00Z"))).toBe(false);
  });

  it("words storage failures a viewer can act on", () => {
    expect(storageProblem({ code: 9014 })).toBe("quota");
    expect(storageProblem({ code: 3017 })).toBe("quota");
    expect(storageProblem(new DOMException("full", "QuotaExceededError"))).toBe("quota");
    expect(storageProblem({ code: 9001, data: [{ name: "QuotaExceededError" }] })).toBe("quota");
    expect(storageProblem({ code: 9000 })).toBe("unsupported");
    expect(storageProblem(new Error("boom"))).toBe("failed");
  });

  it("compares a size with the storage estimate", () => {
    expect(fits(100, { quota: 1000, usage: 800 })).toBe(true);
    expect(fits(300, { quota: 1000, usage: 800 })).toBe(false);
    expect(fits(300, null)).toBe(true);
  });

  it("formats sizes", () => {
    expect(formatBytes(512, "en")).toBe("512 B");
    expect(formatBytes(1_234_567, "en")).toBe("1.2 MB");
    expect(formatBytes(null, "en")).toBe("");
  });
});
