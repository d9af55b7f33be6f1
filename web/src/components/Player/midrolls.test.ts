import { describe, expect, it } from "vitest";
import { observe, startMidrolls } from "./midrolls";
import type { MidrollState } from "./midrolls";

const BREAKS = [600, 1200, 1800, 2400];

/** Plays from `from` to `to` in 0.25 s steps; returns the state and every break due. */
function play(state: MidrollState, from: number, to: number, spacing = 300, breaks = BREAKS) {
  const due: Array<[number, number]> = [];
  let s = observe(state, breaks, spacing, from, false).state;
  for (let t = from + 0.25; t <= to + 1e-9; t += 0.25) {
    const r = observe(s, breaks, spacing, t, false);
    s = r.state;
    if (r.due !== null) due.push([r.due, t]);
  }
  return { state: s, due };
}

function seek(state: MidrollState, to: number, spacing = 300) {
  return observe(state, BREAKS, spacing, to, true);
}

describe("mid-roll scheduling", () => {
  it("plays a break when playback crosses its point, once", () => {
    const { state, due } = play(startMidrolls(), 0, 700);
    expect(due).toEqual([[600, 600]]);
    // Seeking back before it and playing over it again: no second break.
    const back = seek(state, 500).state;
    expect(play(back, 500, 700).due).toEqual([]);
  });

  it("starts counting from where playback started, not from 0", () => {
    // Resumed at 1190: the points before it are not crossed; 1200 comes 10 s later but
    // less than the spacing was played: no break, and it is used up.
    const { state, due } = play(startMidrolls(), 1190, 1500);
    expect(due).toEqual([]);
    expect(state.used.has(1200)).toBe(true);
    expect(state.used.has(600)).toBe(false);
    // After 5 minutes played, the next point plays.
    expect(play(state, 1500, 1900).due).toEqual([[1800, 1800]]);
  });

  it("a seek over several points plays at most one, the last crossed", () => {
    let { state } = play(startMidrolls(), 0, 400);
    const r = seek(state, 2000);
    expect(r.due).toBe(1800);
    state = r.state;
    expect([...state.used].sort((a, b) => a - b)).toEqual([600, 1200, 1800]);
    // The skipped ones never come back; the spacing counts again from this break.
    expect(seek(state, 100).due).toBeNull();
    expect(play(seek(state, 100).state, 100, 1300).due).toEqual([]);
  });

  it("a seek does not count as time played", () => {
    let state = play(startMidrolls(), 0, 10).state;
    state = seek(state, 500).state;
    // 10 s played, then a jump of 490 s: crossing 600 soon after is under the spacing.
    const { due } = play(state, 500, 610);
    expect(due).toEqual([]);
  });

  it("seeking backwards crosses nothing; a large timeupdate step is treated as a seek", () => {
    let state = play(startMidrolls(), 0, 350).state;
    expect(seek(state, 10).due).toBeNull();
    // A jump reported without the seeking flag still counts as no playing time ...
    state = observe(startMidrolls(), BREAKS, 300, 0).state;
    const r = observe(state, BREAKS, 300, 650, false);
    expect(r.due).toBeNull();
    expect(r.state.used.has(600)).toBe(true);
  });

  it("spacing 0 lets a break follow the start at once; no breaks, nothing due", () => {
    expect(play(startMidrolls(), 595, 605, 0).due).toEqual([[600, 600]]);
    expect(play(startMidrolls(), 0, 3000, 0, []).due).toEqual([]);
  });

  it("ignores positions that are not numbers", () => {
    const s = observe(startMidrolls(), BREAKS, 0, Number.NaN);
    expect(s.state.last).toBeNull();
    expect(s.due).toBeNull();
  });
});
