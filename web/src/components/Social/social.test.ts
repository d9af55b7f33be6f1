import { describe, expect, it } from "vitest";
import type { CommentPublic, DensityPublic, RatingSummaryPublic } from "../../api/client";
import { acceptableText, appendPage, distribution, EMOJI, formatAverage, glyphOf, momentHref, parseStartParam, replaceComment, stripBars, withReactions } from "./social";

function comment(id: string, body = "hi"): CommentPublic {
  return {
    id,
    title_id: "t1",
    video_id: "v1",
    parent_id: null,
    position_s: null,
    body,
    author: { name: "Ana", avatar: null },
    created_at: "2026-12-03T00:00:00Z",
    edited_at: null,
    deleted: false,
    reply_count: 0,
    reactions: [],
    my_reactions: [],
    mine: false,
  };
}

describe("social helpers", () => {
  it("knows the API's eight emoji, in its order, with glyphs", () => {
    expect(EMOJI.map((e) => e.name)).toEqual(["like", "love", "laugh", "wow", "sad", "scary", "fire", "clap"]);
    expect(glyphOf("fire")).toBe("🔥");
    expect(new Set(EMOJI.map((e) => e.glyph)).size).toBe(8);
  });

  it("accepts text the API accepts", () => {
    expect(acceptableText("  hello\nthere\t! ", 2000)).toBe(true);
    expect(acceptableText("<script>alert(1)</script>", 2000)).toBe(true);
    expect(acceptableText("   \n\t ", 2000)).toBe(false);
    expect(acceptableText("\u00a0\u3000", 2000)).toBe(false);
    expect(acceptableText("bell\u0007", 2000)).toBe(false);
    expect(acceptableText("x".repeat(2001), 2000)).toBe(false);
    expect(acceptableText(` ${"x".repeat(2000)} `, 2000)).toBe(true);
  });

  it("links to a moment of a video and reads it back", () => {
    expect(momentHref("v 1", "t1", 751.9)).toBe("/watch/v%201?title=t1&t=751");
    expect(parseStartParam("751")).toBe(751);
    expect(parseStartParam("12.5")).toBe(12.5);
    expect(parseStartParam(null)).toBeNull();
    expect(parseStartParam("-3")).toBeNull();
    expect(parseStartParam("abc")).toBeNull();
    expect(parseStartParam("")).toBeNull();
  });

  it("scales the density strip to the busiest bucket", () => {
    const density: DensityPublic = {
      video_id: "v1",
      duration_s: 30,
      bucket_s: 10,
      max_total: 4,
      buckets: [
        { start_s: 0, end_s: 10, total: 0, reactions: [] },
        { start_s: 10, end_s: 20, total: 4, reactions: [{ emoji: "laugh", count: 3 }, { emoji: "like", count: 1 }] },
        { start_s: 20, end_s: 30, total: 1, reactions: [{ emoji: "clap", count: 1 }] },
      ],
    };
    const bars = stripBars(density);
    expect(bars.map((b) => b.height)).toEqual([0, 1, 0.25]);
    expect(bars.map((b) => b.top)).toEqual([null, "laugh", "clap"]);
    expect(stripBars(undefined)).toEqual([]);
    expect(stripBars({ ...density, max_total: 0, buckets: [{ start_s: 0, end_s: 30, total: 0, reactions: [] }] })[0]?.height).toBe(0);
  });

  it("fills the rating distribution from 5 down to 1", () => {
    const summary: RatingSummaryPublic = {
      title_id: "t1",
      average: 4.25,
      count: 4,
      distribution: [{ score: 5, count: 2 }, { score: 4, count: 1 }, { score: 2, count: 1 }],
      mine: null,
    };
    expect(distribution(summary)).toEqual([
      { score: 5, count: 2, percent: 50 },
      { score: 4, count: 1, percent: 25 },
      { score: 3, count: 0, percent: 0 },
      { score: 2, count: 1, percent: 25 },
      { score: 1, count: 0, percent: 0 },
    ]);
    expect(distribution(null).every((s) => s.count === 0 && s.percent === 0)).toBe(true);
    expect(formatAverage(4.25, "en")).toBe("4.3");
    expect(formatAverage(4, "es")).toBe("4,0");
    expect(formatAverage(null, "en")).toBeNull();
  });

  it("updates lists without duplicates", () => {
    const list = [comment("a"), comment("b")];
    expect(replaceComment(list, comment("b", "edited")).map((c) => c.body)).toEqual(["hi", "edited"]);
    expect(appendPage(list, [comment("b"), comment("c")]).map((c) => c.id)).toEqual(["a", "b", "c"]);
    const reacted = withReactions(list[0]!, [{ emoji: "love", count: 2 }], ["love"]);
    expect(reacted.reactions).toEqual([{ emoji: "love", count: 2 }]);
    expect(reacted.my_reactions).toEqual(["love"]);
    expect(list[0]!.reactions).toEqual([]);
  });
});
