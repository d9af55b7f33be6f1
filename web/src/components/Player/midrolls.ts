// Mid-roll scheduling (pure: unit-tested). The API lists the break points (chapter
// starts, spaced; `ad_breaks` in the playback response); this decides, from the title's
// positions as the player reports them, when one is due:
// - a break is due when the position crosses its point going forward, by playing or by
//   a seek; a seek over several plays at most one, the last one crossed, and every point
//   crossed is used up (each plays at most once a session, skipped ones stay skipped);
// - only once `spacingS` seconds of the title have played (seeks do not count) since the
//   session started or the last break; a point crossed sooner is used up, no ad;
// - nothing before playback started (the first position is the starting point, so a
//   title resumed at 40:00 does not "cross" the points before it).

export interface MidrollState {
  /** Points played or passed over: never again this session. */
  used: ReadonlySet<number>;
  /** The title position last seen; null before playback started. */
  last: number | null;
  /** Seconds of the title played (not seeked) since the start or the last break. */
  played: number;
}

/** A step between two positions larger than this is a seek, not playing. */
export const MAX_PLAY_STEP_S = 2;

export function startMidrolls(): MidrollState {
  return { used: new Set(), last: null, played: 0 };
}

/** The state after the title reached `position`, and the break point due there (null:
 * none). `seeking` is the media element's flag: a seek's step never counts as played. */
export function observe(
  state: MidrollState,
  breaks: ReadonlyArray<number>,
  spacingS: number,
  position: number,
  seeking = false,
): { state: MidrollState; due: number | null } {
  if (!Number.isFinite(position)) return { state, due: null };
  if (state.last === null) return { state: { ...state, last: position }, due: null };
  const from = state.last;
  const step = position - from;
  const played = state.played + (!seeking && step > 0 && step <= MAX_PLAY_STEP_S ? step : 0);
  const crossed = breaks.filter((at) => from < at && at <= position && !state.used.has(at));
  if (crossed.length === 0) return { state: { ...state, last: position, played }, due: null };
  const used = new Set(state.used);
  for (const at of crossed) used.add(at);
  const last = Math.max(...crossed);
  if (played < spacingS) return { state: { used, last: position, played }, due: null };
  return { state: { used, last: position, played: 0 }, due: last };
}
