import { describe, expect, it } from "vitest";
import { menuSpeed } from "./intent";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

describe("menuSpeed", () => {
  it("shows a nudged rate as the speed chosen, and any other rate as it is", () => {
    expect(menuSpeed(1.5, SPEEDS)).toBe(1.5);
    expect(menuSpeed(1.5 * 1.05, SPEEDS)).toBe(1.5); // watch together closing drift
    expect(menuSpeed(1.5 * 0.95, SPEEDS)).toBe(1.5);
    expect(menuSpeed(0.98, SPEEDS)).toBe(1);
    expect(menuSpeed(1.1, SPEEDS)).toBe(1.1); // no menu speed: nothing checked
  });
});
