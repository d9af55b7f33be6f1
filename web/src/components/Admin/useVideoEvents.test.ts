import { describe, expect, it } from "vitest";
import type { AdminVideoPublic } from "../../api/client";
import { mergeVideo } from "./useVideoEvents";

const video = (id: string, progress: number): AdminVideoPublic =>
  ({ id, title: id, status: "processing", progress, renditions: [], retranscode_failed: false }) as unknown as AdminVideoPublic;

describe("mergeVideo", () => {
  it("replaces the pushed video in place", () => {
    const list = [video("a", 0.1), video("b", 0.2)];
    const merged = mergeVideo(list, video("b", 0.7));
    expect(merged?.map((v) => [v.id, v.progress])).toEqual([
      ["a", 0.1],
      ["b", 0.7],
    ]);
    expect(list[1]?.progress).toBe(0.2);
  });

  it("says when the video is not in the list (or there is no list yet)", () => {
    expect(mergeVideo([video("a", 0)], video("z", 0))).toBeNull();
    expect(mergeVideo(undefined, video("a", 0))).toBeNull();
  });
});
