import { describe, expect, it } from "vitest";
import { en } from "../../i18n/en";
import { es } from "../../i18n/es";
import { format } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { reasonText } from "./reason";

const tEn = (key: MessageKey, vars?: Record<string, string | number>) => format(en[key], vars);
const tEs = (key: MessageKey, vars?: Record<string, string | number>) => format(es[key], vars);

describe("reasonText", () => {
  it("words shared genres and tags per language", () => {
    const reason = { kind: "shared" as const, terms: ["heist", "Comedy"], text: "" };
    expect(reasonText(reason, tEn, "en")).toBe("Also a heist comedy");
    expect(reasonText(reason, tEs, "es")).toBe("También: heist, comedy");
    expect(reasonText({ kind: "shared", terms: ["Animation"], text: "" }, tEn, "en")).toBe("Also an animation");
  });

  it("falls back to co-viewing and story reasons, and to nothing", () => {
    expect(reasonText({ kind: "viewers", terms: [], text: "" }, tEn, "en")).toBe("Viewers who watched it also watched this");
    expect(reasonText({ kind: "story", terms: [], text: "" }, tEs, "es")).toBe("Una historia parecida");
    expect(reasonText(null, tEn, "en")).toBeNull();
  });

  it("shows a top pick's note as written (it comes in the language asked for)", () => {
    const note = "Otra comedia de atracos, como The Vault";
    expect(reasonText({ kind: "why", terms: [], text: note }, tEs, "es")).toBe(note);
  });
});
