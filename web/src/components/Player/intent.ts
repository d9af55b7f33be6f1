// What the viewer asked for, told apart from what the player and Shaka do by themselves,
// for addons that turn the viewer's actions into something more (watch together makes
// them commands for the whole party):
//
// - The player starts playback by itself once a source has loaded (autoplay). It marks
//   the element before it calls play() and settles the mark when that call settles; the
//   first "play" event while a mark is open is the player's own, not a click.
// - A speed the viewer picks from the player's menu is marked before the rate is set;
//   any other rate change (Shaka puts its own rate back on a load, holds 0 while it
//   buffers) is never the viewer's.
interface Mark {
  taken: boolean;
}

const marks = new WeakMap<object, Mark[]>();

/** The player is about to start `media` by itself: call `settle` when play() settles. */
export function markAutoplay(media: object): { settle: () => void } {
  const mark: Mark = { taken: false };
  marks.set(media, [...(marks.get(media) ?? []), mark]);
  return {
    // A mark its event did not take goes too: a refused autoplay fires no "play" event,
    // and the viewer's next click must count.
    settle: () => marks.set(media, (marks.get(media) ?? []).filter((m) => m !== mark)),
  };
}

/** Whether a "play" event on `media` is the player's own start (the mark is then taken). */
export function takeAutoplay(media: object): boolean {
  const open = (marks.get(media) ?? []).find((m) => !m.taken);
  if (!open) return false;
  open.taken = true;
  return true;
}

const ratePicks = new WeakMap<object, number>();

/** The viewer picked `rate` from the player's menu (called just before it is set). */
export function markRatePick(media: object, rate: number): void {
  ratePicks.set(media, rate);
}

/** Whether the element's rate now, `rate`, is the viewer's latest pick not yet taken
 * (it is then taken). */
export function takeRatePick(media: object, rate: number): boolean {
  const picked = ratePicks.get(media);
  if (picked === undefined || Math.abs(picked - rate) > 1e-4) return false;
  ratePicks.delete(media);
  return true;
}

/** The menu's speed for the element's rate: a rate within 6% of a menu speed shows as
 * that speed. Watch together nudges the rate by up to 5% to close drift, and the speed
 * the viewer chose stays checked meanwhile. */
export function menuSpeed(rate: number, speeds: readonly number[]): number {
  const near = speeds.find((s) => Math.abs(rate - s) <= 0.06 * s);
  return near ?? rate;
}
