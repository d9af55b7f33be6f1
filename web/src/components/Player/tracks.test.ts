import { describe, expect, it } from "vitest";
import { qualityOptions } from "./tracks";

const v = (id: number, height: number | null, bandwidth: number, language = "en", audioId = 1, active = false) => ({
  id,
  height,
  bandwidth,
  language,
  audioId,
  active,
});

describe("qualityOptions", () => {
  it("offers one option per height, best variant first, for the active audio", () => {
    const options = qualityOptions([
      v(1, 360, 500_000, "en", 1, true),
      v(2, 720, 3_000_000),
      v(3, 720, 4_000_000),
      v(4, 1080, 6_000_000, "es", 2),
      v(5, null, 96_000),
    ]);
    expect(options).toEqual([
      { id: 3, height: 720, bandwidth: 4_000_000 },
      { id: 1, height: 360, bandwidth: 500_000 },
    ]);
  });
});
