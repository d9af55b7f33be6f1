// Pure synchronisation logic for watch together, apart from the player and the socket
// so it can be tested on its own:
//
// - ClockSync: the offset between this page's clock and the server's, NTP-style: each
//   ping gives an offset and a round-trip delay; the sample with the lowest delay is the
//   one least distorted by queueing, so it is the one kept (of the last few).
// - expectedPosition: where the group is at a server instant (the server's rule).
// - Corrector: what to do about drift. Under DEAD_BAND nothing; up to SEEK_ABOVE the
//   playback rate is nudged by at most MAX_NUDGE (±5%), proportionally, which closes
//   the gap without a visible jump; above it a seek (the hook rejoins: it waits ready
//   just ahead of the group and starts at the instant the group gets there). Drift is not
//   measured while a seek of ours is under way and for SETTLE_MS after, so the seek's own
//   latency is never taken for drift; a seek that has not ended after SEEK_LOST_MS (a
//   source load abandoned it: no "seeked" will come) is forgotten, so drift is measured
//   again instead of never.
import type { PartyState } from "./protocol";

export const DEAD_BAND_S = 0.06;
export const RELEASE_S = 0.02;
export const SEEK_ABOVE_S = 1.0;
export const MAX_NUDGE = 0.05;
export const SETTLE_MS = 600;
export const SEEK_LOST_MS = 4000;
const KEEP_SAMPLES = 8;
/** Seconds of drift a nudge aims to close per second at most (with MAX_NUDGE the cap). */
const CLOSE_IN_S = 2;

export interface ClockSample {
  offsetMs: number;
  delayMs: number;
}

/** One ping: t0 sent (client), t1 received and t2 answered (server), t3 back (client). */
export function clockSample(t0: number, t1: number, t2: number, t3: number): ClockSample {
  return { offsetMs: (t1 - t0 + (t2 - t3)) / 2, delayMs: t3 - t0 - (t2 - t1) };
}

export class ClockSync {
  private samples: ClockSample[] = [];

  add(sample: ClockSample): void {
    this.samples = [...this.samples, sample].slice(-KEEP_SAMPLES);
  }

  get ready(): boolean {
    return this.samples.length > 0;
  }

  /** The offset of the lowest-delay sample kept: server time = local time + offset. */
  get best(): ClockSample | null {
    if (!this.samples.length) return null;
    return this.samples.reduce((a, b) => (b.delayMs < a.delayMs ? b : a));
  }

  serverNow(localMs: number): number {
    return localMs + (this.best?.offsetMs ?? 0);
  }

  toLocal(serverMs: number): number {
    return serverMs - (this.best?.offsetMs ?? 0);
  }
}

export function moving(state: PartyState): boolean {
  return state.playing && !state.waiting;
}

/** Where the group is at server time `serverMs` (before `at_ms` it holds). */
export function expectedPosition(state: PartyState, serverMs: number): number {
  if (!moving(state) || serverMs <= state.at_ms) return state.position_s;
  return state.position_s + ((serverMs - state.at_ms) / 1000) * state.rate;
}

/** A seek lands `lead` seconds past the expected position: where the group will be when
 * the player plays again. */
export type Correction = { kind: "rate"; rate: number } | { kind: "seek"; lead: number };

export class Corrector {
  nudging = false;
  seeks = 0;
  /** Measured seek latency (s): how long our seeks took to play again, smoothed. */
  seekLatencyS = 0.25;
  private settleUntil = 0;
  private seekStarted: number | null = null;

  /** `drift` = expected − actual (s): positive when this player is behind. */
  decide(drift: number, baseRate: number, nowMs: number): Correction | null {
    if (this.seekStarted !== null && nowMs - this.seekStarted >= SEEK_LOST_MS) this.seekStarted = null;
    if (this.seekStarted !== null || nowMs < this.settleUntil) return null;
    const size = Math.abs(drift);
    if (size > SEEK_ABOVE_S) {
      this.nudging = false;
      this.seeks += 1;
      return { kind: "seek", lead: this.leadS(baseRate) };
    }
    if (size > DEAD_BAND_S || (this.nudging && size > RELEASE_S)) {
      this.nudging = true;
      const nudge = Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, drift / CLOSE_IN_S));
      return { kind: "rate", rate: baseRate * (1 + nudge) };
    }
    this.nudging = false;
    return { kind: "rate", rate: baseRate };
  }

  /** How far ahead of the group's position a seek of ours should land. */
  leadS(baseRate: number): number {
    return Math.min(2, this.seekLatencyS) * baseRate;
  }

  /** A seek of ours began (corrective or to follow the group): stop measuring. */
  seekBegan(nowMs: number): void {
    this.seekStarted = nowMs;
  }

  /** The player plays again after our seek: learn its latency, then settle a moment. */
  seekEnded(nowMs: number): void {
    if (this.seekStarted !== null) {
      const took = (nowMs - this.seekStarted) / 1000;
      this.seekLatencyS = 0.7 * this.seekLatencyS + 0.3 * Math.min(2, took);
    }
    this.seekStarted = null;
    this.settleUntil = nowMs + SETTLE_MS;
  }

  /** Forget a seek that will never report its end (a new source, a reconnect). */
  reset(nowMs: number): void {
    this.seekStarted = null;
    this.nudging = false;
    this.settleUntil = nowMs + SETTLE_MS;
  }
}
