// Which qualities the menu offers, from Shaka's variant list (pure: unit-tested).

export interface QualityOption {
  /** Variant id of the best variant at this height. */
  id: number;
  height: number;
  bandwidth: number;
}

/** The fields of a Shaka variant track this module reads. */
export interface VariantLike {
  id: number;
  active: boolean;
  height: number | null;
  bandwidth: number;
  audioId: number | null;
  language: string;
}

/** One option per height: the highest-bandwidth variant at that height among those with
 * the active variant's audio language (so picking a rung never changes the language),
 * highest first. */
export function qualityOptions(tracks: readonly VariantLike[]): QualityOption[] {
  const active = tracks.find((t) => t.active);
  const byHeight = new Map<number, QualityOption>();
  for (const t of tracks) {
    if (!t.height) continue;
    if (active && t.audioId !== active.audioId && t.language !== active.language) continue;
    const seen = byHeight.get(t.height);
    if (!seen || t.bandwidth > seen.bandwidth) {
      byHeight.set(t.height, { id: t.id, height: t.height, bandwidth: t.bandwidth });
    }
  }
  return [...byHeight.values()].sort((a, b) => b.height - a.height);
}
