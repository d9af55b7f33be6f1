import { describe, expect, it } from "vitest";
import { clampSeek, dueQuartiles, parseVastDuration } from "./ads";
import type { AdEventName } from "./ads";

describe("ads", () => {
  it("reads VAST durations", () => {
    expect(parseVastDuration("00:00:15.000")).toBe(15);
    expect(parseVastDuration("01:02:05.5")).toBe(3725.5);
    expect(parseVastDuration("15s")).toBeNaN();
  });

  it("sends each quartile once, when reached", () => {
    const sent = new Set<AdEventName>();
    expect(dueQuartiles(1, 20, sent)).toEqual([]);
    expect(dueQuartiles(5, 20, sent)).toEqual(["firstQuartile"]);
    sent.add("firstQuartile");
    expect(dueQuartiles(16, 20, sent)).toEqual(["midpoint", "thirdQuartile"]);
    expect(dueQuartiles(16, 0, new Set())).toEqual([]);
  });

  it("never lets the ad jump ahead", () => {
    expect(clampSeek(30, 4.2)).toBe(4.2);
    expect(clampSeek(2, 4.2)).toBe(2);
  });
});
