import { describe, expect, it } from "vitest";
import { parseThumbnailsVtt, parseVttTime, thumbnailAt } from "./thumbnails";

const VTT = `WEBVTT

00:00:00.000 --> 00:00:05.000
trickplay/sheet_000_001.jpg#xywh=0,0,240,136

00:00:05.000 --> 00:00:10.000
trickplay/sheet_000_001.jpg#xywh=240,0,240,136

01:00.000 --> 01:05,500
https://cdn.example/other.jpg#xywh=0,136,240,136
`;

describe("thumbnails", () => {
  it("parses WebVTT times with and without hours", () => {
    expect(parseVttTime("00:01:02.500")).toBe(62.5);
    expect(parseVttTime("01:05,500")).toBe(65.5);
  });

  it("resolves sprites against the VTT and keeps its signature query", () => {
    const cues = parseThumbnailsVtt(VTT, "http://h/api/v1/stream/TOKEN/thumbnails.vtt?sig=abc");
    expect(cues).toHaveLength(3);
    expect(cues[1]).toEqual({
      start: 5,
      end: 10,
      url: "http://h/api/v1/stream/TOKEN/trickplay/sheet_000_001.jpg?sig=abc",
      x: 240,
      y: 0,
      w: 240,
      h: 136,
    });
    expect(cues[2]?.url).toBe("https://cdn.example/other.jpg");
  });

  it("finds the cue covering a time, or none", () => {
    const cues = parseThumbnailsVtt(VTT, "http://h/t.vtt");
    expect(thumbnailAt(cues, 0)?.x).toBe(0);
    expect(thumbnailAt(cues, 7.2)?.x).toBe(240);
    expect(thumbnailAt(cues, 30)).toBeNull();
    expect(thumbnailAt([], 1)).toBeNull();
  });
});
