import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv";
import { filterKind, periodLabel, withChosen } from "./options";

describe("filter options", () => {
  const plans = [
    { value: "family", label: "Family" },
    { value: "studio", label: "Studio" },
  ];
  it("lists what the range holds, and the chosen value when it holds none of it", () => {
    expect(withChosen(plans, "")).toEqual(plans);
    expect(withChosen(plans, "family")).toEqual(plans);
    expect(withChosen(plans, "basic")).toEqual([...plans, { value: "basic", label: "basic" }]);
    expect(withChosen(undefined, "")).toEqual([]);
  });
  it("offers dimension filters only where the figures have them", () => {
    expect(["qoe", "content", "audience"].map(filterKind)).toEqual(["all", "all", "all"]);
    expect(["overview", "business", "pipeline"].map(filterKind)).toEqual(["range", "range", "range"]);
  });
  it("names the compared periods", () => {
    expect(periodLabel("2026-12-03T00:00:00Z", "2026-12-03T15:20:00Z", "en")).toBe("Dec 3 00:00 – 15:20");
    expect(periodLabel("2026-12-02T09:00:00Z", "2026-12-03T00:00:00Z", "en")).toBe("Dec 2 09:00 – 24:00");
    expect(periodLabel("2026-11-20T00:00:00Z", "2026-11-27T00:00:00Z", "en")).toBe("Nov 20 00:00 – Nov 27 00:00");
  });
});

describe("csv", () => {
  it("writes a header even without rows", () => {
    expect(toCsv<{ email: string; plan: string }>(["email", "plan"], [])).toBe("email,plan\r\n");
  });
  it("quotes and guards cells", () => {
    const rows = [{ email: "a@x.io", name: 'Ann "A", B', plan: "=HYPERLINK()", n: -3, none: null }];
    expect(toCsv(["email", "name", "plan", "n", "none"], rows)).toBe('email,name,plan,n,none\r\na@x.io,"Ann ""A"", B",\'=HYPERLINK(),-3,\r\n');
    expect(csvCell(undefined)).toBe("");
    expect(csvCell("+1 555")).toBe("'+1 555");
  });
});
