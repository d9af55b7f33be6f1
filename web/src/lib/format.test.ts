import { describe, expect, it } from "vitest";
import { formatDay, formatMoney, monthName, qualityLabel, toDate } from "./format";

describe("display formats", () => {
  it("formats money in the language's style", () => {
    expect(formatMoney(999, "usd", "en")).toBe("$9.99");
    expect(formatMoney(1499, "EUR", "es")).toBe("14,99\u00a0€");
    expect(formatMoney(1999, "not-a-code", "en")).toBe("19.99 NOT-A-CODE");
  });

  it("reads API dates: ISO strings and Unix seconds", () => {
    expect(toDate("2024-12-09T12:00:00Z")?.toISOString()).toBe("2024-12-09T12:00:00.000Z");
    expect(toDate(1733745600)?.toISOString()).toBe("2024-12-09T12:00:00.000Z");
    expect(toDate(null)).toBeNull();
    expect(toDate("")).toBeNull();
    expect(toDate("soon")).toBeNull();
  });

  it("names the day, and the year only when it is not this one", () => {
    const now = new Date("2024-06-01T12:00:00Z");
    expect(formatDay(new Date("2024-12-09T12:00:00Z"), "en", now)).toBe("Dec 9");
    expect(formatDay(new Date("2024-12-09T12:00:00Z"), "es", now)).toBe("9 dic");
    expect(formatDay(new Date("2025-01-02T12:00:00Z"), "en", now)).toBe("Jan 2, 2025");
  });

  it("names a month", () => {
    expect(monthName("2024-11", "en")).toBe("November 2024");
    expect(monthName("2024-11", "es")).toBe("noviembre de 2024");
    expect(monthName("last month", "en")).toBe("last month");
  });

  it("labels qualities as plans do", () => {
    expect(qualityLabel(480)).toBe("480p");
    expect(qualityLabel(2160)).toBe("4K");
  });
});
