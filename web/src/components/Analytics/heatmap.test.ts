import { describe, expect, it } from "vitest";
import { heatGrid, weekdayNames } from "./heatmap";

describe("heatGrid", () => {
  it("places cells by weekday and hour, scaled to the busiest", () => {
    const grid = heatGrid([
      { weekday: 0, hour: 21, plays: 8, watch_hours: 4 },
      { weekday: 6, hour: 3, plays: 2, watch_hours: 1 },
    ]);
    expect(grid).toHaveLength(7);
    expect(grid.every((row) => row.length === 24)).toBe(true);
    expect(grid[0]?.[21]).toMatchObject({ plays: 8, level: 1 });
    expect(grid[6]?.[3]).toMatchObject({ plays: 2, level: 0.25 });
    expect(grid[3]?.[12]).toMatchObject({ plays: 0, level: 0 });
  });

  it("is all zeros without plays", () => {
    expect(heatGrid([]).flat().every((c) => c.level === 0 && c.plays === 0)).toBe(true);
  });

  it("names weekdays from Monday", () => {
    expect(weekdayNames("en")[0]).toBe("Mon");
    expect(weekdayNames("es")[6]?.toLowerCase()).toContain("dom");
  });
});
