import { describe, expect, it } from "vitest";
import type { PartyState } from "./protocol";
import { ClockSync, Corrector, MAX_NUDGE, SEEK_LOST_MS, SETTLE_MS, clockSample, expectedPosition } from "./sync";

function state(over: Partial<PartyState> = {}): PartyState {
  return {
    id: "p", video_id: "v", host_profile_id: "h", control: "everyone", on_stall: "wait",
    playing: true, waiting: false, position_s: 10, at_ms: 1000, rate: 1, version: 1, members: [],
    ...over,
  };
}

describe("ClockSync", () => {
  it("computes the NTP offset and keeps the lowest-delay sample", () => {
    // Server 500 ms ahead; symmetric 20 ms each way, then a slow asymmetric sample.
    expect(clockSample(0, 520, 521, 41)).toEqual({ offsetMs: 500, delayMs: 40 });
    const clock = new ClockSync();
    clock.add(clockSample(0, 520, 521, 41));
    clock.add(clockSample(100, 900, 901, 400)); // 300 ms queued on the way out
    expect(clock.best?.offsetMs).toBe(500);
    expect(clock.serverNow(1000)).toBe(1500);
    expect(clock.toLocal(1500)).toBe(1000);
  });
});

describe("expectedPosition", () => {
  it("holds before the start instant, then moves at the rate", () => {
    expect(expectedPosition(state(), 900)).toBe(10);
    expect(expectedPosition(state({ rate: 1.5 }), 3000)).toBe(13);
    expect(expectedPosition(state({ playing: false }), 9000)).toBe(10);
    expect(expectedPosition(state({ waiting: true }), 9000)).toBe(10);
  });
});

describe("Corrector", () => {
  it("does nothing in the dead band and nudges at most ±5% up to a second", () => {
    const c = new Corrector();
    expect(c.decide(0.03, 1, 0)).toEqual({ kind: "rate", rate: 1 });
    const small = c.decide(0.08, 1, 0);
    expect(small?.kind).toBe("rate");
    expect(small && small.kind === "rate" && small.rate).toBeCloseTo(1.04);
    expect(c.decide(0.9, 1.5, 0)).toEqual({ kind: "rate", rate: 1.5 * (1 + MAX_NUDGE) });
    expect(c.decide(-0.9, 1, 0)).toEqual({ kind: "rate", rate: 1 - MAX_NUDGE });
    // Hysteresis: once nudging it goes on until the drift is really small.
    expect(c.decide(0.04, 1, 0)).toEqual({ kind: "rate", rate: 1.02 });
    expect(c.decide(0.01, 1, 0)).toEqual({ kind: "rate", rate: 1 });
    expect(c.seeks).toBe(0);
  });

  it("seeks above a second and never measures its own seek as drift", () => {
    const c = new Corrector();
    const seek = c.decide(3, 1, 0);
    expect(seek?.kind).toBe("seek");
    expect(c.seeks).toBe(1);
    c.seekBegan(0);
    expect(c.decide(2.5, 1, 400)).toBeNull(); // still seeking
    c.seekEnded(500);
    expect(c.decide(0.5, 1, 500 + SETTLE_MS - 1)).toBeNull(); // settling
    expect(c.decide(0.5, 1, 500 + SETTLE_MS)?.kind).toBe("rate");
    expect(c.seekLatencyS).toBeGreaterThan(0.25);
  });

  it("forgets a seek whose end never comes (a source load abandoned it)", () => {
    const c = new Corrector();
    c.seekBegan(0);
    expect(c.decide(5, 1.5, SEEK_LOST_MS - 1)).toBeNull();
    expect(c.decide(5, 1.5, SEEK_LOST_MS)?.kind).toBe("seek");
  });
});
