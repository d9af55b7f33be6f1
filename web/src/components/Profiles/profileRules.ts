// Profile rules the pages need before asking the API: avatars, which maturity ratings a
// profile may be given (kids profiles go up to 7+, as the server enforces), and how the
// plan's profile count limits adding and picking. Pure, so they are unit-tested.
import type { Maturity, ProfilePublic } from "../../api/client";
import type { MessageKey } from "../../i18n/en";
import { MATURITIES } from "../Catalog/maturity";

/** The avatars to pick from: stored by id in the profile's `avatar`. */
export const AVATARS = [
  { id: "red", color: "#e50914", label: "profiles.avatar.red" },
  { id: "blue", color: "#2f80ed", label: "profiles.avatar.blue" },
  { id: "green", color: "#27ae60", label: "profiles.avatar.green" },
  { id: "orange", color: "#f2994a", label: "profiles.avatar.orange" },
  { id: "purple", color: "#9b51e0", label: "profiles.avatar.purple" },
  { id: "pink", color: "#eb5757", label: "profiles.avatar.pink" },
] as const satisfies readonly { id: string; color: string; label: MessageKey }[];

export type AvatarId = (typeof AVATARS)[number]["id"];

/** The avatar's colour; a profile without one of ours gets one by its place in the list. */
export function avatarColor(avatar: string | null | undefined, index: number): string {
  const known = AVATARS.find((a) => a.id === avatar);
  if (known) return known.color;
  return AVATARS[((index % AVATARS.length) + AVATARS.length) % AVATARS.length]!.color;
}

/** Ratings a profile may be limited to: a kids profile sees 7+ at most. */
export function maturityChoices(isKids: boolean): Maturity[] {
  return isKids ? MATURITIES.filter((m) => m === "all" || m === "7+") : [...MATURITIES];
}

export function defaultMaturity(isKids: boolean): Maturity {
  return isKids ? "7+" : "18+";
}

export interface ProfileSlots {
  /** Another profile fits in the plan. */
  canAdd: boolean;
  /** There are more profiles than the plan allows: some cannot be picked. */
  overPlan: boolean;
}

/** What the plan's profile count (`allowed`) means for this list. */
export function profileSlots(profiles: readonly ProfilePublic[], allowed: number): ProfileSlots {
  return {
    canAdd: profiles.length < allowed,
    overPlan: profiles.length > allowed || profiles.some((p) => !p.selectable),
  };
}

/** Whether the profile may be picked (the API says, on every profile it answers). */
export function isSelectable(profile: ProfilePublic): boolean {
  return profile.selectable;
}
