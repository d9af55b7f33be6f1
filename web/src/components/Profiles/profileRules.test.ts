import { describe, expect, it } from "vitest";
import type { ProfilePublic } from "../../api/client";
import { AVATARS, avatarColor, defaultMaturity, isSelectable, maturityChoices, profileSlots } from "./profileRules";

const profile = (name: string, selectable = true): ProfilePublic => ({
  id: name,
  name,
  avatar: null,
  has_pin: false,
  is_kids: false,
  max_maturity: "18+",
  selectable,
});

describe("profile rules", () => {
  it("colours a profile by its avatar, else by its place in the list", () => {
    expect(avatarColor("blue", 0)).toBe("#2f80ed");
    expect(avatarColor(null, 0)).toBe(AVATARS[0].color);
    expect(avatarColor("https://example.com/me.png", 7)).toBe(AVATARS[1].color);
  });

  it("limits a kids profile to 7+", () => {
    expect(maturityChoices(true)).toEqual(["all", "7+"]);
    expect(maturityChoices(false)).toEqual(["all", "7+", "13+", "16+", "18+"]);
    expect(maturityChoices(true)).toContain(defaultMaturity(true));
    expect(defaultMaturity(false)).toBe("18+");
  });

  it.each([
    [[profile("a")], 2, { canAdd: true, overPlan: false }],
    [[profile("a"), profile("b")], 2, { canAdd: false, overPlan: false }],
    [[profile("a"), profile("b"), profile("c")], 2, { canAdd: false, overPlan: true }],
    // After a downgrade the API marks what cannot be picked, whatever the count says.
    [[profile("a", true), profile("b", false)], 6, { canAdd: true, overPlan: true }],
  ])("%j with %i allowed", (profiles, allowed, slots) => {
    expect(profileSlots(profiles, allowed)).toEqual(slots);
  });

  it("lets a profile be picked when the API says so", () => {
    expect(isSelectable(profile("a", true))).toBe(true);
    expect(isSelectable(profile("a", false))).toBe(false);
  });
});
