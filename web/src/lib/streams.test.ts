import { describe, expect, it } from "vitest";
import { en } from "../i18n/en";
import { es } from "../i18n/es";
import { format } from "../i18n";
import type { Translate } from "../i18n";
import { holderWords, streamingWords } from "./streams";

const tEn: Translate = (key, vars) => format(en[key], vars);
const tEs: Translate = (key, vars) => format(es[key], vars);

describe("a device's stream in words", () => {
  it.each<[string | null, string | null, string]>([
    ["Big Buck Bunny", "Ana", "Streaming now: Big Buck Bunny (Ana)"],
    ["Big Buck Bunny", null, "Streaming now: Big Buck Bunny"],
    [null, "Ana", "Streaming now (Ana)"],
    [null, null, "Streaming now"],
  ])("title %s, profile %s: %s", (title, profile, words) => {
    expect(streamingWords({ title, profile }, tEn)).toBe(words);
  });

  it("never shows a placeholder or null, in either language", () => {
    for (const t of [tEn, tEs]) {
      for (const title of ["Sintel", null]) {
        for (const profile of ["Ana", null]) {
          const words = streamingWords({ title, profile }, t);
          expect(words).not.toMatch(/\{|null/);
        }
      }
    }
  });
});

describe("a stream holder in words", () => {
  it.each<[string | null, string | null, string]>([
    ["Sintel", "Ana", "Chrome on Linux is playing Sintel (Ana)"],
    ["Sintel", null, "Chrome on Linux is playing Sintel"],
    [null, "Ana", "Chrome on Linux"],
    [null, null, "Chrome on Linux"],
  ])("title %s, profile %s: %s", (title, profile, words) => {
    expect(holderWords({ title, profile }, "Chrome on Linux", tEn)).toBe(words);
  });
});
