import { describe, expect, it } from "vitest";
import { PlaybackViews, QoeTracker } from "./qoe";
import type { QoeReport, ViewEnd } from "./qoe";

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

  it("reports the picture's width with its height (the API names the rung from both)", () => {
    const q = new QoeTracker();
    q.variant(536, 1280); // a 2.39:1 film's 720 rung
    expect(q.report(1)).toMatchObject({ height: 536, width: 1280 });
    q.variant(720);
    expect(q.report(2)).toMatchObject({ height: 720, width: null });
  });
});

/** The viewings a player reports: every start and every end, in order. */
function recorder() {
  const sent: Array<["start", QoeReport] | [ViewEnd, QoeReport]> = [];
  const views = new PlaybackViews(() => ({
    onStart: (r) => sent.push(["start", r]),
    onEnd: (r, reason) => sent.push([reason, r]),
  }));
  /** The report of the i-th thing sent. */
  const report = (i: number): QoeReport => {
    const entry = sent[i];
    if (!entry) throw new Error(`nothing sent at ${i}`);
    return entry[1];
  };
  return { views, sent, report };
}

describe("PlaybackViews", () => {
  it("reports a load that fails as a start failure, and the retry as a viewing of its own", () => {
    const { views, sent, report } = recorder();
    views.begin(1000, "0|a.m3u8|");
    // player.load rejects: the player never becomes ready, the error ends the viewing.
    views.fatal(3000, 1002);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toBe("error");
    expect(report(0)).toMatchObject({ startup_ms: null, fatal_errors: 1, error_codes: [1002] });
    // Retry: the failed viewing is not reported again, nor read from the new tracker.
    views.begin(5000, "1|a.m3u8|");
    views.playing(5400);
    views.end(9400, "hide");
    expect(sent.map(([r]) => r)).toEqual(["error", "start", "hide"]);
    expect(report(1).startup_ms).toBe(400);
    expect(report(2)).toMatchObject({ startup_ms: 400, fatal_errors: 0, watched_s: 4 });
  });

  it("reports a viewer who leaves before the manifest loads (an exit before video start)", () => {
    const { views, sent } = recorder();
    views.begin(0, "0|a.m3u8|");
    views.end(2500, "hide"); // unmounted or page left: never ready, still reported
    views.end(2600, "hide");
    expect(sent).toEqual([["hide", expect.objectContaining({ startup_ms: null, fatal_errors: 0 })]]);
  });

  it("reports a playback failure once, from its own tracker, and a reload as a new viewing", () => {
    const { views, sent, report } = recorder();
    views.begin(0, "0|a.m3u8|");
    views.playing(500);
    views.fatal(4500, 3016); // a fatal error mid-way: playback stops
    views.begin(6000, "1|a.m3u8|"); // Retry
    expect(sent.map(([r]) => r)).toEqual(["start", "error"]);
    expect(report(1)).toMatchObject({ startup_ms: 500, fatal_errors: 1, watched_s: 4 });
    // A reload without an error (a new source) ends the viewing as left.
    views.playing(6300);
    views.begin(8000, "1|b.m3u8|");
    expect(sent.map(([r]) => r)).toEqual(["start", "error", "start", "hide"]);
    expect(report(3)).toMatchObject({ startup_ms: 300, fatal_errors: 0 });
  });

  it("goes on with the viewing when the same load starts again (the player reloading on its own), one start", () => {
    const { views, sent, report } = recorder();
    views.begin(0, "0|a.m3u8|");
    views.begin(5, "0|a.m3u8|"); // StrictMode runs the load effect twice; a renewed token reloads
    views.playing(700);
    views.current.paused(800);
    views.playing(900);
    views.end(1900, "ended");
    expect(sent.map(([r]) => r)).toEqual(["start", "ended"]);
    expect(report(0).startup_ms).toBe(700);
  });

  it("reports nothing for a player that never loaded a source", () => {
    const { views, sent } = recorder();
    views.playing(10);
    views.fatal(20, 1001);
    views.end(30, "hide");
    expect(sent).toEqual([]);
  });
});
