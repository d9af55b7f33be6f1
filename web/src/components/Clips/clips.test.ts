import { describe, expect, it } from "vitest";
import { clipShareUrl, clipWatchHref, markIn, markOut, parseEndParam, rangeProblem } from "./clips";

describe("clip ranges", () => {
  it("refuses unmarked, short, reversed, long and past-the-end ranges", () => {
    expect(rangeProblem({ start: null, end: 5 }, 100)).toBe("unmarked");
    expect(rangeProblem({ start: 10, end: 10.5 }, 100)).toBe("tooShort");
    expect(rangeProblem({ start: 10, end: 5 }, 100)).toBe("reversed");
    expect(rangeProblem({ start: 0, end: 61 }, 100)).toBe("tooLong");
    expect(rangeProblem({ start: 90, end: 120 }, 100)).toBe("tooLong");
    expect(rangeProblem({ start: 0, end: 60 }, 100)).toBeNull();
  });

  it("keeps a marked range within a minute", () => {
    expect(markIn({ start: null, end: null }, 12.34)).toEqual({ start: 12.3, end: null });
    expect(markIn({ start: 0, end: 80 }, 30)).toEqual({ start: 30, end: 80 });
    expect(markIn({ start: 0, end: 100 }, 20)).toEqual({ start: 20, end: null });
    expect(markOut({ start: 5, end: null }, 90)).toEqual({ start: 30, end: 90 });
    expect(markOut({ start: null, end: null }, 4)).toEqual({ start: 0, end: 4 });
    expect(markOut({ start: 50, end: null }, 40)).toEqual({ start: 30, end: 40 });
  });
});

describe("clip links", () => {
  const clip = { id: "c1", url: "/clip/c1", video_id: "v1", title_id: "t1", start_s: 30, end_s: 75.5 };
  it("plays from the start and stops at the end", () => {
    expect(clipWatchHref(clip)).toBe("/watch/v1?title=t1&t=30&end=75.5&clip=c1");
    expect(clipShareUrl(clip, "https://k.example")).toBe("https://k.example/clip/c1");
  });
  it("reads the end only after the start", () => {
    expect(parseEndParam("75.5", 30)).toBe(75.5);
    expect(parseEndParam("20", 30)).toBeNull();
    expect(parseEndParam("x", null)).toBeNull();
    expect(parseEndParam(null, null)).toBeNull();
  });
});
