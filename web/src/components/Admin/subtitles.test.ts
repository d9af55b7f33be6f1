import { describe, expect, it } from "vitest";
import { checkTrack, MAX_SUBTITLE_BYTES, sameTracks, subtitlesToSend, tracksOf, withoutTrack, withTrack } from "./subtitles";
import type { SubtitleTrack } from "./subtitles";

const srt = (name = "movie.fr.srt", bytes = 40) => new File(["x".repeat(bytes)], name);
const attached: SubtitleTrack[] = tracksOf([{ language: "en", label: null, upload_id: "u-en", filename: "movie.en.vtt" }]);

describe("checkTrack", () => {
  it("accepts a new language with an .srt or .vtt file", () => {
    expect(checkTrack(attached, "fr", srt())).toBeNull();
    expect(checkTrack(attached, "pt-BR", srt("a.VTT"))).toBeNull();
  });
  it("refuses what the API would refuse", () => {
    expect(checkTrack(attached, "French", srt())).toBe("admin.subtitleBadLanguage");
    expect(checkTrack(attached, "", srt())).toBe("admin.subtitleBadLanguage");
    expect(checkTrack(attached, "en", srt())).toBe("admin.subtitleDuplicate");
    expect(checkTrack(attached, "fr", null)).toBe("admin.subtitleNoFile");
    expect(checkTrack(attached, "fr", srt("movie.mp4"))).toBe("admin.subtitleBadFile");
    expect(checkTrack(attached, "fr", srt("big.srt", MAX_SUBTITLE_BYTES + 1))).toBe("admin.subtitleTooLarge");
  });
});

describe("the track list", () => {
  it("adds, removes and tells a changed list from an unchanged one", () => {
    const added = withTrack(attached, "fr", "  ", srt());
    expect(added.map((t) => [t.language, t.label, t.filename])).toEqual([
      ["en", null, "movie.en.vtt"],
      ["fr", null, "movie.fr.srt"],
    ]);
    expect(sameTracks(added, attached)).toBe(false);
    expect(sameTracks(withoutTrack(added, "fr"), attached)).toBe(true);
    expect(sameTracks(withoutTrack(attached, "en"), attached)).toBe(false);
  });

  it("uploads only the new files and keeps the order and labels", async () => {
    const tracks = withTrack(attached, "fr", "Français", srt());
    const sent: string[] = [];
    const body = await subtitlesToSend(tracks, (file) => {
      sent.push(file.name);
      return Promise.resolve({ id: "u-fr" });
    });
    expect(sent).toEqual(["movie.fr.srt"]);
    expect(body).toEqual([
      { language: "en", upload_id: "u-en" },
      { language: "fr", upload_id: "u-fr", label: "Français" },
    ]);
  });
});
