import { describe, expect, it } from "vitest";
import { dayStart, grainFor, nextDayStart, presetDays } from "./range";

describe("analytics ranges", () => {
  const now = new Date("2026-12-03T15:30:00Z");
  it("ends presets today, in UTC days", () => {
    expect(presetDays("today", now)).toEqual(["2026-12-03", "2026-12-03"]);
    expect(presetDays("7d", now)).toEqual(["2026-11-27", "2026-12-03"]);
    expect(presetDays("30d", now)).toEqual(["2026-11-04", "2026-12-03"]);
  });
  it("makes an end-exclusive range of instants", () => {
    expect(dayStart("2026-12-01")).toBe("2026-12-01T00:00:00Z");
    expect(nextDayStart("2026-12-31")).toBe("2027-01-01T00:00:00.000Z");
  });
  it("charts hours for short ranges", () => {
    expect(grainFor("2026-12-03", "2026-12-03")).toBe("hour");
    expect(grainFor("2026-12-02", "2026-12-03")).toBe("hour");
    expect(grainFor("2026-11-27", "2026-12-03")).toBe("day");
  });
});
