// A reloaded watch page resumes where this browser just was, even before the API has
// the save of the page before it.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { rememberResume, withRecentResume } from "./resumePoint";

describe("resume point", () => {
  beforeEach(() => {
    const store = new Map<string, string>();
    vi.stubGlobal("window", {
      localStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v) },
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it("takes this browser's save of the last minute, for the same video only", () => {
    rememberResume("v1", 16.5, 30, 1_000);
    expect(withRecentResume({ resume_position_s: 3 }, "v1", 1_000 + 59_000).resume_position_s).toBe(16.5);
    expect(withRecentResume({ resume_position_s: 3 }, "v1", 1_000 + 61_000).resume_position_s).toBe(3);
    expect(withRecentResume({ resume_position_s: 3 }, "v2", 2_000).resume_position_s).toBe(3);
  });

  it("starts a video watched to the end from the beginning, as the API does", () => {
    rememberResume("v1", 29, 30, 1_000);
    expect(withRecentResume({ resume_position_s: 12 }, "v1", 2_000).resume_position_s).toBe(0);
  });

  it("leaves the API's point when storage is off or holds junk", () => {
    vi.stubGlobal("window", { localStorage: { getItem: () => "{not json", setItem: () => { throw new Error("off"); } } });
    rememberResume("v1", 10, 30, 1_000);
    expect(withRecentResume({ resume_position_s: 3 }, "v1", 2_000).resume_position_s).toBe(3);
  });
});
