import { describe, expect, it } from "vitest";
import { en } from "./en";
import { es } from "./es";
import { format, pickLanguage } from "./index";

describe("i18n", () => {
  it("picks the saved language, else the browser's, else English", () => {
    expect(pickLanguage("es", ["en-US"])).toBe("es");
    expect(pickLanguage(null, ["fr-FR", "es-MX", "en"])).toBe("es");
    expect(pickLanguage("klingon", ["de"])).toBe("en");
  });

  it("fills placeholders and leaves unknown ones", () => {
    expect(format("Season {n} of {m}", { n: 2 })).toBe("Season 2 of {m}");
  });

  it("translates every key, keeping the placeholders", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(es[key], key).toBeTruthy();
      expect(holes(es[key]), key).toEqual(holes(en[key]));
    }
  });
});
