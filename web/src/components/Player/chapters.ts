// The playback API's chapter marks as the player wants them (pure: unit-tested).

export interface ChapterMarks {
  intro_start_s?: number | null;
  intro_end_s?: number | null;
  credits_start_s?: number | null;
}

/** The intro band to offer "Skip intro" over, or null. A missing start means 0. */
export function introOf(chapters: ChapterMarks | null | undefined): { start: number; end: number } | null {
  const end = chapters?.intro_end_s;
  if (end == null || !Number.isFinite(end)) return null;
  const start = chapters?.intro_start_s ?? 0;
  return Number.isFinite(start) && end > start && start >= 0 ? { start, end } : null;
}

/** Where the next-episode countdown starts (the end credits), or null for the end. */
export function creditsAt(chapters: ChapterMarks | null | undefined): number | null {
  const at = chapters?.credits_start_s;
  return at != null && Number.isFinite(at) && at > 0 ? at : null;
}
