import type shakaNs from "shaka-player";
import { describe, expect, it } from "vitest";
import { pickTracks, sameLanguage, subtitleFor } from "./offlineTracks";

type Track = shakaNs.extern.Track;

function track(id: number, type: string, language: string, height: number | null = null, bandwidth = 0): Track {
  return { id, type, language, height, bandwidth } as Track;
}

const text = (id: number, language: string) => ({ id, language }) as shakaNs.extern.TextTrack;

describe("sameLanguage", () => {
  it.each([
    ["en", "en-GB", true],
    ["EN", "eng", true],
    ["es-419", "spa", true],
    ["es", "en", false],
    ["", "", false],
    [null, "en", false],
  ])("%s ~ %s is %s", (a, b, same) => {
    expect(sameLanguage(a, b)).toBe(same);
  });
});

describe("pickTracks", () => {
  const tracks = [
    track(1, "variant", "en", 360, 800_000),
    track(2, "variant", "es", 360, 800_000),
    track(3, "variant", "es", 360, 1_200_000),
    track(4, "variant", "es", 240, 2_000_000),
    track(5, "text", "en"),
    track(6, "text", "es"),
    track(7, "image", "und"),
  ];

  it("keeps the viewer's audio (tallest, then highest bandwidth) and every subtitle track", () => {
    expect(pickTracks(tracks, "es").map((t) => t.id)).toEqual([3, 5, 6]);
    expect(pickTracks(tracks, "en-US").map((t) => t.id)).toEqual([1, 5, 6]);
  });

  it("matches a three-letter audio language", () => {
    const ffmpeg = [track(1, "variant", "eng", 360), track(2, "variant", "spa", 360), track(3, "text", "spa")];
    expect(pickTracks(ffmpeg, "es").map((t) => t.id)).toEqual([2, 3]);
  });

  it("takes the best variant of any language when none is the viewer's", () => {
    expect(pickTracks(tracks, "fr").map((t) => t.id)).toEqual([3, 5, 6]);
  });

  it("keeps the subtitles even with no variant", () => {
    expect(pickTracks([track(5, "text", "en")], "en").map((t) => t.id)).toEqual([5]);
  });
});

describe("subtitleFor", () => {
  it("shows the app's language first, else nothing", () => {
    const texts = [text(1, "spa"), text(2, "en")];
    expect(subtitleFor(texts, "es")?.id).toBe(1);
    expect(subtitleFor(texts, "en")?.id).toBe(2);
    expect(subtitleFor(texts, "fr")).toBeNull();
    expect(subtitleFor([], "en")).toBeNull();
  });
});
