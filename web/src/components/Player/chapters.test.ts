import { describe, expect, it } from "vitest";
import { creditsAt, introOf } from "./chapters";

describe("chapter marks", () => {
  it("gives the intro band when it has an end after its start", () => {
    expect(introOf({ intro_start_s: 5, intro_end_s: 65, credits_start_s: null })).toEqual({ start: 5, end: 65 });
    expect(introOf({ intro_start_s: null, intro_end_s: 40 })).toEqual({ start: 0, end: 40 });
    expect(introOf({ intro_start_s: 50, intro_end_s: 40 })).toBeNull();
    expect(introOf({ intro_start_s: 10, intro_end_s: null })).toBeNull();
    expect(introOf(null)).toBeNull();
    expect(introOf(undefined)).toBeNull();
  });

  it("gives the credits start for the next-episode countdown", () => {
    expect(creditsAt({ credits_start_s: 1250.5 })).toBe(1250.5);
    expect(creditsAt({ credits_start_s: null })).toBeNull();
    expect(creditsAt({ credits_start_s: 0 })).toBeNull();
    expect(creditsAt(null)).toBeNull();
  });
});
