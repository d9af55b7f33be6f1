import { describe, expect, it } from "vitest";
import type { Standing } from "../api/client";
import { en } from "../i18n/en";
import { es } from "../i18n/es";
import { format } from "../i18n";
import type { Translate } from "../i18n";
import { canDowngrade, describePlanState, hasLiveSubscription, planStateWords } from "./planState";

const tEn: Translate = (key, vars) => format(en[key], vars);
const tEs: Translate = (key, vars) => format(es[key], vars);
// Midday UTC: the same calendar day in every time zone the tests may run in.
const NOW = new Date("2024-11-20T12:00:00Z");
const noSub = null;
const say = (standing: Standing, until: string | null, t: Translate = tEn, lang = "en") =>
  describePlanState(standing, until, noSub, t, lang, NOW);

describe("plan state in words", () => {
  it.each<[Standing, string | null, string]>([
    ["free", null, "Free plan"],
    ["trialing", "2024-12-09T12:00:00Z", "Trial ends Dec 9"],
    ["active", "2025-01-02T12:00:00Z", "Renews Jan 2, 2025"],
    ["canceling", "2024-12-02T12:00:00Z", "Cancels on Dec 2"],
    ["past_due", "2024-12-05T12:00:00Z", "Payment failed — update your card by Dec 5"],
    ["lapsed", null, "Payment failed — on the Free plan until you update your card"],
    ["canceled", "2024-12-02T12:00:00Z", "Canceled — ends on Dec 2"],
    ["ended", null, "Free plan — your subscription ended"],
  ])("%s until %s: %s", (standing, until, words) => {
    expect(say(standing, until)).toBe(words);
  });

  it("words a plan without an end (set by an admin) without a date", () => {
    expect(say("active", null)).toBe("Active");
    expect(say("trialing", null)).toBe("Free trial");
    expect(say("past_due", null)).toBe("Payment failed — update your card");
  });

  it("ignores a date where the standing names none", () => {
    expect(planStateWords("free", "2024-12-09T12:00:00Z")).toEqual({ key: "billing.state.free", date: null });
  });

  it("takes the grace end from the subscription when the entitlements have no date", () => {
    const sub = { grace_until: "2024-12-05T12:00:00Z", trial_end: null, current_period_end: "2024-12-01T12:00:00Z" };
    expect(describePlanState("past_due", null, sub, tEn, "en", NOW)).toBe("Payment failed — update your card by Dec 5");
    expect(describePlanState("canceling", null, sub, tEn, "en", NOW)).toBe("Cancels on Dec 1");
  });

  it("writes dates the way the UI language does", () => {
    expect(say("trialing", "2024-12-09T12:00:00Z", tEs, "es")).toBe("La prueba termina el 9 dic");
    expect(say("active", "2025-01-02T12:00:00Z", tEs, "es")).toBe("Se renueva el 2 ene 2025");
  });

  it("treats an unreadable date as none", () => {
    expect(say("active", "not a date")).toBe("Active");
  });
});

describe("what the viewer may do about the plan", () => {
  it.each<[Standing, boolean, boolean]>([
    ["free", false, false],
    ["trialing", true, true],
    ["active", true, true],
    ["canceling", true, false],
    ["past_due", true, true],
    ["lapsed", true, true],
    ["canceled", false, false],
    ["ended", false, false],
  ])("%s: live subscription %s, can downgrade %s", (standing, live, downgrade) => {
    expect(hasLiveSubscription(standing)).toBe(live);
    expect(canDowngrade(standing)).toBe(downgrade);
  });
});
