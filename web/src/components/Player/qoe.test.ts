import { describe, expect, it } from "vitest";
import { QoeTracker } from "./qoe";

describe("QoeTracker", () => {
  it("measures startup, rebuffers after the first frame, switches and watch time", () => {
    const q = new QoeTracker();
    q.loadStarted(1000);
    q.buffering(1100, true); // before the first frame: startup, not a rebuffer
    q.bandwidth(1200, 500_000);
    q.playing(1800);
    q.buffering(5000, true);
    q.buffering(5600, false);
    q.bandwidth(6000, 1_000_000);
    q.bandwidth(6500, 1_000_000); // same rung again: not a switch
    q.paused(9800);
    q.fatal(1001);
    const r = q.report(10_000);
    expect(r.startup_ms).toBe(800);
    expect(r.rebuffer_count).toBe(1);
    expect(r.rebuffer_ms).toBe(600);
    expect(r.bitrate_switches).toBe(1);
    expect(r.fatal_errors).toBe(1);
    expect(r.error_codes).toEqual([1001]);
    expect(r.watched_s).toBe(8);
    // 4.8 s at 500k then 4 s at 1M over the 9 s since load started.
    expect(r.average_bitrate).toBe(Math.round((500_000 * 4800 + 1_000_000 * 4000) / 9000));
  });

  it("reports nothing started when playback never began", () => {
    const r = new QoeTracker().report(5);
    expect(r.startup_ms).toBeNull();
    expect(r.watched_s).toBe(0);
    expect(r.average_bitrate).toBeNull();
    expect(r.height).toBeNull();
  });

  it("reports the height of the variant playing now", () => {
    const q = new QoeTracker();
    q.variant(undefined); // Shaka gave no height (audio-only): unknown
    expect(q.report(1).height).toBeNull();
    q.variant(720);
    q.variant(0); // nonsense keeps the last known one
    expect(q.report(2).height).toBe(720);
    q.variant(1080);
    expect(q.report(3).height).toBe(1080);
  });
});
