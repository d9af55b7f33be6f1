import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ANSWER_WAIT_MS, PartyFollower, STALL_REPORT_MS, TICK_MS } from "./follower";
import type { MediaLike } from "./follower";
import type { ClientFrame, PartyState } from "./protocol";
import { ClockSync, Corrector } from "./sync";
import { markAutoplay, markRatePick } from "../Player/intent";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

/** A <video> stand-in: events are queued (as the browser does), seeks land at once. */
class FakeVideo extends EventTarget implements MediaLike {
  paused = false;
  seeking = false;
  ended = false;
  readyState = 4;
  duration = 90;
  seeks: number[] = [];
  /** The viewer's own track choices (the follower must leave them alone). */
  audioTracks = [
    { language: "en", enabled: false },
    { language: "es", enabled: true },
  ];
  textTracks = [{ language: "fr", mode: "showing" }];
  private time = 0;
  private rate = 1;
  private seekedTimer: ReturnType<typeof setTimeout> | undefined;

  get currentTime(): number {
    return this.time;
  }
  set currentTime(to: number) {
    this.time = to;
    this.seeks.push(to);
    this.seeking = true;
    this.emit("seeking");
    this.seekedTimer = setTimeout(() => {
      this.seeking = false;
      this.dispatchEvent(new Event("seeked"));
    }, 50);
  }
  get playbackRate(): number {
    return this.rate;
  }
  set playbackRate(rate: number) {
    this.rate = rate;
    this.emit("ratechange");
  }
  private pendingPlay: ((err: Error) => void) | null = null;
  private queued = new Set<ReturnType<typeof setTimeout>>();
  /** Plays wait this long for data before they resolve (a pause meanwhile aborts them). */
  playDelayMs = 0;
  /** The next play() is followed at once by a source load (before its event comes). */
  loadAfterNextPlay = false;

  play(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    this.paused = false;
    this.emit("play");
    if (!this.playDelayMs) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => {
      this.pendingPlay = reject;
      setTimeout(() => {
        this.pendingPlay = null;
        resolve();
      }, this.playDelayMs);
    });
    if (this.loadAfterNextPlay) {
      this.loadAfterNextPlay = false;
      this.load();
    }
    return promise;
  }
  /** The media element's load algorithm: queued events are dropped, a seek under way is
   * abandoned (no "seeked"), a pending play is rejected, the element is paused without a
   * "pause" event, and "emptied" is fired. */
  load(): void {
    this.queued.forEach((id) => clearTimeout(id));
    this.queued.clear();
    clearTimeout(this.seekedTimer);
    this.seeking = false;
    this.time = 0;
    this.paused = true;
    this.emit("emptied");
    const reject = this.pendingPlay;
    this.pendingPlay = null;
    if (reject) setTimeout(() => reject(new DOMException("new load", "AbortError")), 0);
  }
  pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.emit("pause");
      const reject = this.pendingPlay;
      this.pendingPlay = null;
      if (reject) setTimeout(() => reject(new DOMException("interrupted by pause()", "AbortError")), 0);
    }
  }
  /** The player starts by itself (its autoplay, marked as Shaka's is): not the viewer. */
  autoplay(): void {
    const own = markAutoplay(this);
    void this.play().then(own.settle, own.settle);
  }
  /** Time passes for a playing element. */
  advance(ms: number): void {
    if (!this.paused && !this.seeking) this.time += (ms / 1000) * this.rate;
  }
  private emit(name: string): void {
    const id = setTimeout(() => {
      this.queued.delete(id);
      this.dispatchEvent(new Event(name));
    }, 0);
    this.queued.add(id);
  }
}

const T0 = 1_000_000;

function groupState(over: Partial<PartyState> = {}): PartyState {
  return {
    id: "p", video_id: "v", host_profile_id: "h", control: "everyone", on_stall: "wait",
    playing: true, waiting: false, position_s: 30.166, at_ms: T0, rate: 1.5, version: 4, members: [],
    ...over,
  };
}

/** How far the follower's player is from the group now (s), null before it syncs. */
function drift(follower: PartyFollower): number | null {
  const s = follower.sample();
  return s && Math.abs(s.expected - s.current);
}

function setup(
  state: PartyState,
  currentTime: number,
  onBlocked: (blocked: boolean) => void = () => {},
  wrap: (video: FakeVideo) => MediaLike = (video) => video,
) {
  const video = new FakeVideo();
  video.currentTime = currentTime;
  video.seeks = [];
  const sent: ClientFrame[] = [];
  const party = { state, clock: new ClockSync(), send: (f: ClientFrame) => sent.push(f) };
  party.clock.add({ offsetMs: 0, delayMs: 1 });
  const follower = new PartyFollower(wrap(video), new Corrector(), {
    party: () => party,
    videoId: () => "v",
    canControl: () => true,
    speeds: SPEEDS,
    onBlocked,
    now: () => Date.now(),
  });
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      video.advance(10);
      vi.advanceTimersByTime(10);
    }
  };
  return { video, sent, party, follower, run };
}

describe("PartyFollower", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it("does not jump ahead to rejoin the group while the viewer's pause is on its way", () => {
    // The group plays at 1.5x; this player is with it, 0.1 s off (within a nudge).
    const { video, sent, party, follower, run } = setup(groupState(), 30.166);
    follower.start();
    run(1500); // engaged, playing with the group
    expect(video.paused).toBe(false);
    video.seeks = [];

    // The viewer pauses; the server's answer takes longer than a tick.
    video.pause();
    const pausedAt = video.currentTime;
    run(TICK_MS * 3);
    expect(sent).toContainEqual({ type: "pause", position_s: pausedAt });
    // The old (moving) state must not move the player: no seek a second and a half
    // ahead, no play.
    expect(video.seeks).toEqual([]);
    expect(video.paused).toBe(true);
    expect(video.currentTime).toBe(pausedAt);

    // The answer: the group paused where the viewer did; the player stays there.
    party.state = groupState({ playing: false, position_s: pausedAt, at_ms: Date.now(), version: 5 });
    follower.tick();
    run(TICK_MS * 3);
    expect(video.paused).toBe(true);
    expect(video.currentTime).toBe(pausedAt);
    follower.stop();
  });

  it("keeps the viewer's speed pick until the server answers it", () => {
    const { video, sent, follower, run } = setup(groupState({ rate: 1 }), 30.166);
    follower.start();
    run(1500);
    markRatePick(video, 1.5); // the viewer picks 1.5x from the player's menu
    video.playbackRate = 1.5;
    run(TICK_MS * 3);
    expect(sent).toContainEqual({ type: "rate", rate: 1.5 });
    expect(video.playbackRate).toBe(1.5);
    follower.stop();
  });

  it("a newer state that is not the answer (another member's stall) does not undo the pick", () => {
    const { video, sent, party, follower, run } = setup(groupState({ rate: 1 }), 30.166);
    follower.start();
    run(1500);
    markRatePick(video, 1.5);
    video.playbackRate = 1.5;
    run(TICK_MS);
    expect(sent).toContainEqual({ type: "rate", rate: 1.5 });
    // Before the server applies the pick, a state for another reason comes (newer, still 1x).
    party.state = groupState({ rate: 1, version: 5, at_ms: Date.now(), position_s: video.currentTime });
    run(TICK_MS * 3);
    expect(video.playbackRate).toBe(1.5);
    // Then the answer: the group plays at 1.5x.
    party.state = groupState({ rate: 1.5, version: 6, at_ms: Date.now(), position_s: video.currentTime });
    run(TICK_MS * 3);
    expect(video.playbackRate).toBeCloseTo(1.5, 1);
    expect(sent.filter((f) => f.type === "rate")).toEqual([{ type: "rate", rate: 1.5 }]);
    follower.stop();
  });

  it("a rate Shaka puts back on a new page is no command: the group's rate stays", () => {
    // A page that joined a 1.5x group (a late joiner, the next episode).
    const { video, sent, follower, run } = setup(groupState({ rate: 1.5 }), 30.166);
    follower.start();
    run(1500);
    expect(video.playbackRate).toBeCloseTo(1.5, 1);
    // Shaka's load sets the rate it keeps (1x): one of the menu's speeds, not a pick.
    video.playbackRate = 1;
    run(TICK_MS * 3);
    expect(sent.filter((f) => f.type === "rate")).toEqual([]);
    expect(video.playbackRate).toBeCloseTo(1.5, 1);
    follower.stop();
  });

  it("a play the viewer's pause cut short is no refusal: the next play of the group starts it", async () => {
    const blocked: boolean[] = [];
    const { video, party, follower, run } = setup(groupState({ playing: false, position_s: 30 }), 30, (b) => blocked.push(b));
    follower.start();
    run(1500);
    // The group plays; this player starts, but its data is slow to come.
    video.playDelayMs = 2000;
    party.state = groupState({ position_s: 30, at_ms: Date.now() + 400, version: 5 });
    follower.tick();
    run(600);
    expect(video.paused).toBe(false);
    // The viewer pauses before the play could resolve: the browser aborts it.
    video.pause();
    run(50);
    await Promise.resolve();
    run(TICK_MS * 2);
    party.state = groupState({ playing: false, position_s: video.currentTime, at_ms: Date.now(), version: 6 });
    follower.tick();
    run(TICK_MS * 2);
    // The group plays again: so does this player, without a click.
    video.playDelayMs = 0;
    party.state = groupState({ position_s: video.currentTime, at_ms: Date.now() + 400, version: 7 });
    follower.tick();
    run(3000);
    expect(blocked).not.toContain(true);
    expect(video.paused).toBe(false);
    follower.stop();
  });

  it("a play of ours whose event a source load dropped does not swallow the viewer's next play", async () => {
    const { video, sent, party, follower, run } = setup(groupState({ playing: false, position_s: 30 }), 30);
    follower.start();
    run(1500);
    // The group plays; this player's play() is cut short by a load before its event.
    video.playDelayMs = 2000;
    video.loadAfterNextPlay = true;
    party.state = groupState({ position_s: 30, at_ms: Date.now() + 400, version: 5 });
    follower.tick();
    run(600);
    await Promise.resolve();
    party.state = groupState({ playing: false, position_s: video.currentTime, at_ms: Date.now(), version: 6 });
    follower.tick();
    run(TICK_MS * 2);
    expect(video.paused).toBe(true);
    // The viewer presses play: that is a command for the group.
    video.playDelayMs = 0;
    void video.play();
    run(50);
    expect(sent).toContainEqual({ type: "play" });
    expect(follower.trail().join("\n")).toContain('send {"type":"play"}');
    follower.stop();
  });

  it("a seek of ours that a source load abandoned does not stop drift correction", () => {
    const { video, follower, run } = setup(groupState({ position_s: 30, at_ms: T0 }), 0);
    run(100); // the stand-in's own set-up seek, before the follower listens
    // The player started by itself, far from the group: the follower stops it and
    // seeks ahead of the group to join it; the player reloads before that seek ends
    // (no "seeked" will come), then starts by itself again, at 1x, from 0.
    follower.start();
    run(20);
    expect(video.seeks.length, follower.trail().join("\n")).toBeGreaterThan(0);
    video.load();
    run(20);
    video.autoplay();
    video.playbackRate = 1;
    run(3000);
    expect(drift(follower)).toBeLessThan(0.3);
    expect(follower.trail().join("\n")).toContain("source reset");
    follower.stop();
  });

  it("a new source that starts by itself behind the group is rejoined exactly, not nudged", () => {
    // The next episode: the group plays it at 1.5x from 0, and this page started with it.
    // Then its player loaded the source again and started by itself from 0 at 1x, under a
    // second behind: below a seek's threshold, where a 5% nudge would take a dozen seconds.
    const { video, follower, run } = setup(groupState({ position_s: 0, at_ms: T0 + 100, rate: 1.5 }), 0);
    video.paused = true;
    run(100);
    follower.start();
    run(200);
    expect(video.paused, follower.trail().join("\n")).toBe(false);
    video.load();
    run(30);
    video.autoplay();
    video.playbackRate = 1;
    run(3000);
    expect(drift(follower), follower.trail().join("\n")).toBeLessThan(0.1);
    follower.stop();
  });

  it("the player's own autoplay is no command; the viewer's click a moment later is", () => {
    const { video, sent, follower, run } = setup(groupState({ playing: false, position_s: 30 }), 30);
    video.paused = true;
    follower.start();
    // The source loaded: the player starts by itself (its play() resolves once playing).
    video.playDelayMs = 100;
    video.autoplay();
    run(300);
    expect(sent).toEqual([]);
    expect(video.paused).toBe(true); // the group is paused: the follower put it back
    // Well within a second of the page becoming ready, the viewer presses play.
    void video.play();
    run(50);
    expect(sent).toEqual([{ type: "play" }]);
    follower.stop();
  });

  it("a play that is not ours while a joiner waits ahead of the group starts it with the group, not early", () => {
    // A late joiner: the group has played 20 s at 1x from 30 s; this page started by itself at 0.
    const { video, follower, run } = setup(groupState({ at_ms: T0 - 20_000, rate: 1, position_s: 30 }), 0);
    vi.advanceTimersByTime(100); // the stand-in's own set-up seek is done before the page joins
    vi.setSystemTime(T0);
    video.paused = true;
    follower.start();
    video.autoplay();
    for (let i = 0; i < 100 && video.seeks.length === 0; i++) run(10);
    expect(video.seeks.length, follower.trail().join("\n")).toBe(1); // it went just ahead of the group
    run(60);
    void video.play(); // the player resumes by itself (no mark): not ours, not a command
    run(3000);
    const expected = 30 + (Date.now() - (T0 - 20_000)) / 1000;
    expect(Math.abs(video.currentTime - expected), follower.trail().join("\n")).toBeLessThan(0.1);
    expect(video.playbackRate).toBe(1);
    follower.stop();
  });

  it("goes back to the group when no answer comes (a refused command)", () => {
    const { video, follower, run } = setup(groupState(), 30.166);
    follower.start();
    run(1500);
    video.pause();
    run(ANSWER_WAIT_MS + TICK_MS * 5);
    // The group still plays: the player rejoins it.
    expect(video.seeks.length, follower.trail().join("\n")).toBeGreaterThan(0);
    run(3000);
    expect(video.paused).toBe(false);
    follower.stop();
  });

  it("reports its own stall once STALL_REPORT_MS has passed without data, and its end", () => {
    const { video, sent, follower, run } = setup(groupState(), 30.166);
    follower.start();
    run(1500);
    const stalls = () => sent.filter((f) => f.type === "stall");
    // The player runs out of data: "waiting", and not enough to play on.
    video.readyState = 2;
    video.dispatchEvent(new Event("waiting"));
    vi.advanceTimersByTime(STALL_REPORT_MS - 10);
    expect(stalls()).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(stalls()).toEqual([{ type: "stall", stalled: true }]);
    vi.advanceTimersByTime(STALL_REPORT_MS * 3); // still stalled: said once
    expect(stalls()).toEqual([{ type: "stall", stalled: true }]);
    // Data again: the player can play, and the group hears it at once.
    video.readyState = 4;
    video.dispatchEvent(new Event("playing"));
    expect(stalls()).toEqual([
      { type: "stall", stalled: true },
      { type: "stall", stalled: false },
    ]);
    follower.stop();
  });

  it("a wait shorter than STALL_REPORT_MS, or while the group is paused, holds nobody", () => {
    const { video, sent, party, follower, run } = setup(groupState(), 30.166);
    follower.start();
    run(1500);
    // A blip: ready again (with or without an event) before the report is due.
    video.readyState = 1;
    video.dispatchEvent(new Event("waiting"));
    vi.advanceTimersByTime(STALL_REPORT_MS / 2);
    video.readyState = 4;
    video.dispatchEvent(new Event("canplay"));
    vi.advanceTimersByTime(STALL_REPORT_MS * 2);
    video.readyState = 2;
    video.dispatchEvent(new Event("waiting"));
    vi.advanceTimersByTime(STALL_REPORT_MS / 2);
    video.readyState = 3;
    vi.advanceTimersByTime(STALL_REPORT_MS * 2);
    // Buffering while the group is paused keeps nobody waiting.
    party.state = groupState({ playing: false, position_s: video.currentTime, at_ms: Date.now(), version: 5 });
    follower.tick();
    video.readyState = 1;
    video.dispatchEvent(new Event("waiting"));
    vi.advanceTimersByTime(STALL_REPORT_MS * 2);
    expect(sent.filter((f) => f.type === "stall")).toEqual([]);
    follower.stop();
  });

  it("following the group never touches the audio or subtitle tracks", () => {
    // Every property the follower reads or sets on the element, through a proxy.
    const read = new Set<string>();
    const written = new Set<string>();
    const watch = (target: FakeVideo): MediaLike =>
      new Proxy(target, {
        get(t, prop) {
          if (typeof prop === "string") read.add(prop);
          const value: unknown = Reflect.get(t, prop, t);
          return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(t) : value;
        },
        set(t, prop, value) {
          if (typeof prop === "string") written.add(prop);
          return Reflect.set(t, prop, value, t);
        },
      });
    // A late joiner far from a moving group: it rejoins, then the group seeks, changes
    // speed, pauses, plays, a member stalls, and the next episode loads in the element.
    const { video, party, follower, run } = setup(groupState({ at_ms: T0 - 20_000 }), 0, () => {}, watch);
    follower.start();
    run(3000);
    const step = (over: Partial<PartyState>) => {
      party.state = groupState({ version: (party.state.version ?? 0) + 1, at_ms: Date.now(), ...over });
      follower.tick();
      run(1500);
    };
    step({ position_s: 60 });
    step({ position_s: video.currentTime, rate: 1 });
    step({ playing: false, position_s: video.currentTime });
    step({ position_s: video.currentTime, at_ms: Date.now() + 400 });
    step({ position_s: video.currentTime, waiting: true, playing: true });
    video.load();
    step({ position_s: 0 });
    expect(video.seeks.length).toBeGreaterThan(1); // it did follow the group
    const tracks = [...read, ...written].filter((p) => /track|audio|text|subtitle|caption|lang/i.test(p));
    expect(tracks).toEqual([]);
    expect([...written].sort()).toEqual(["currentTime", "playbackRate"]);
    expect(video.audioTracks.map((t) => t.enabled)).toEqual([false, true]);
    expect(video.textTracks[0]?.mode).toBe("showing");
    follower.stop();
  });
});
