import { describe, expect, it } from "vitest";
import { uploadName } from "./uploader";

describe("uploadName", () => {
  it("keeps ordinary names", () => {
    expect(uploadName("Película (2024).mkv")).toBe("Película (2024).mkv");
  });
  it("trims edge whitespace and replaces folders and control characters", () => {
    expect(uploadName("  movie.mp4 \u00a0")).toBe("movie.mp4");
    expect(uploadName("a/b\\c\u0085.mp4")).toBe("a_b_c_.mp4");
  });
  it("never sends an empty or over-long name", () => {
    expect(uploadName(" \t ")).toBe("upload");
    expect(uploadName("x".repeat(300))).toHaveLength(255);
  });
});
