// Keeps one media element in step with the party, apart from React so it can be driven
// in tests with a stand-in element and fake timers (usePartySync wires it to the page).
//
// It applies the group's state (scheduled starts at a shared instant, pauses, rates,
// drift correction through ./sync's Corrector) and turns what the viewer does with the
// player's own controls (play, pause, seek, speed) into party commands. What it does to
// the element itself is remembered as "ours" and never echoed back. A member without
// control who pauses or seeks is put back where the group is (the server refused the
// command). Audio and subtitle choices are never touched: each member keeps their own.
//
// A command of ours is in flight until the server answers with a newer state: meanwhile
// the state it has is older than what the viewer just did, so it is not applied (a pause
// would otherwise be taken for "behind a moving group" and the player would jump ahead
// to rejoin it, a speed pick undone for a moment, a seek chased back).
import type { ClientFrame, PartyState } from "./protocol";
import type { ClockSync } from "./sync";
import { Corrector, DEAD_BAND_S, expectedPosition, moving } from "./sync";
import { takeAutoplay, takeRatePick } from "../Player/intent";

export const TICK_MS = 200;
const QUIET_MS = 1000;
/** How far ahead of a moving group a joining player waits for it (s of media at 1x). */
const JOIN_AHEAD_S = 1.0;
const HOLD_TOLERANCE_S = 0.05;
/** How long a player must stay without data after "waiting" before it holds the group
 * (a blip shorter than this is not worth a "waiting for …" for everyone). */
export const STALL_REPORT_MS = 400;
/** A seek the viewer makes closer than this to where the group is, is not a command
 * (Shaka's own small gap jumps look the same). */
const USER_SEEK_MIN_S = 0.5;
/** How long a command of ours waits for the server's answer before the group's state
 * applies again (a refusal, or a command that changed nothing, gets no new state). */
export const ANSWER_WAIT_MS = 2000;
/** How long an element event we caused may take to come. One that never comes (a source
 * load drops the element's queued events, and a play() it cuts short is rejected before
 * its "play" event) must not swallow the viewer's next play or pause as ours. */
export const EXPECT_MS = 3000;
/** How many of its recent actions the follower keeps for the browser tests' messages. */
const TRAIL = 40;

interface Expected {
  until: number;
}

/** What the follower needs of a <video> (an HTMLVideoElement is one). */
export interface MediaLike extends EventTarget {
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  readonly seeking: boolean;
  readonly ended: boolean;
  readonly readyState: number;
  readonly duration: number;
  play(): Promise<void>;
  pause(): void;
}

export interface PartyLink {
  state: PartyState | null;
  clock: ClockSync;
  send: (frame: ClientFrame) => void;
}

export interface FollowerDeps {
  /** The party socket as of now (its state changes under the follower). */
  party: () => PartyLink;
  videoId: () => string;
  canControl: () => boolean;
  /** The speeds the player's menu offers: a rate among them is the viewer's pick. */
  speeds: readonly number[];
  onBlocked: (blocked: boolean) => void;
  now: () => number;
}

export interface PartySample {
  serverMs: number;
  expected: number;
  current: number;
  rate: number;
  paused: boolean;
  seeks: number;
}

export class PartyFollower {
  private ours = { play: [] as Expected[], pause: [] as Expected[], seekTo: null as number | null };
  private readonly trailLog: string[] = [];
  private startTimer: ReturnType<typeof setTimeout> | undefined;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private interval: ReturnType<typeof setInterval> | undefined;
  private stallSent = false;
  private engaged = false;
  private joinAt: number | null = null;
  private firstSync = true;
  // The browser refused to play without a click: wait for it rather than seek again.
  private refused = false;
  // A pause right after engaging is the player's start-up, not the viewer's: not a
  // command. (Its own autoplay is marked by the player: ../Player/intent.)
  private quietUntil = 0;
  /** A command of ours in flight: the version the group had when we sent it, and what
   * the group's state looks like once the server has applied it. */
  private awaiting: { version: number; until: number; applied: (s: PartyState) => boolean } | null = null;
  private readonly events: [string, () => void][];

  constructor(
    private readonly video: MediaLike,
    readonly corrector: Corrector,
    private readonly deps: FollowerDeps,
  ) {
    this.events = [
      ["play", this.onPlay],
      ["pause", this.onPause],
      ["seeking", this.onSeeking],
      ["seeked", this.onSeeked],
      ["ratechange", this.onRate],
      ["waiting", this.onWaiting],
      ["playing", this.onReady],
      ["canplay", this.onReady],
      ["loadeddata", this.onReady],
      ["emptied", this.onEmptied],
    ];
  }

  start(): void {
    this.corrector.reset(this.deps.now());
    this.events.forEach(([name, fn]) => this.video.addEventListener(name, fn));
    if (this.video.readyState >= 2) this.onReady();
    this.interval = setInterval(this.tick, TICK_MS);
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.startTimer);
    clearTimeout(this.stallTimer);
    this.events.forEach(([name, fn]) => this.video.removeEventListener(name, fn));
  }

  /** This player against the group, on the shared clock (the tests' and bench's probe). */
  sample(): PartySample | null {
    const s = this.group();
    if (!s) return null;
    const serverMs = this.deps.party().clock.serverNow(this.deps.now());
    return {
      serverMs,
      expected: expectedPosition(s, serverMs),
      current: this.video.currentTime,
      rate: this.video.playbackRate,
      paused: this.video.paused,
      seeks: this.corrector.seeks,
    };
  }

  /** What this follower did and saw lately, oldest first (the browser tests print it). */
  trail(): string[] {
    return [...this.trailLog];
  }

  private note(what: string): void {
    const s = this.deps.party().state;
    this.trailLog.push(`${Math.round(this.deps.now())} v${s?.version ?? "-"} ${what}`);
    if (this.trailLog.length > TRAIL) this.trailLog.shift();
  }

  private expectEvent(kind: "play" | "pause"): Expected {
    const mark = { until: this.deps.now() + EXPECT_MS };
    this.ours[kind].push(mark);
    return mark;
  }

  /** Whether an event of this kind is one we caused (and then it is accounted for). */
  private ourEvent(kind: "play" | "pause"): boolean {
    const now = this.deps.now();
    this.ours[kind] = this.ours[kind].filter((mark) => mark.until > now);
    return this.ours[kind].shift() !== undefined;
  }

  private group(): PartyState | null {
    const s = this.deps.party().state;
    return s && s.video_id === this.deps.videoId() ? s : null;
  }

  /** A command of ours is still unanswered (see the module's comment). */
  private unanswered(s: PartyState, now: number): boolean {
    const a = this.awaiting;
    // A newer state is not always the answer: another member's stall or a state sent
    // for some other reason may come first, and applying it would undo what we asked.
    if (a && ((s.version > a.version && a.applied(s)) || now >= a.until)) this.awaiting = null;
    return this.awaiting !== null;
  }

  private user(): boolean {
    return this.engaged;
  }

  private userToggle(): boolean {
    return this.engaged && this.deps.now() >= this.quietUntil;
  }

  private doPlay(): void {
    const video = this.video;
    if (!video.paused) return;
    const mark = this.expectEvent("play");
    this.note("play");
    video.play().then(
      () => this.deps.onBlocked(false),
      (err: unknown) => {
        // Its "play" event, if it has not come, never will.
        this.ours.play = this.ours.play.filter((m) => m !== mark);
        const name = typeof err === "object" && err !== null && "name" in err ? String(err.name) : "?";
        this.note(`play refused: ${name}`);
        // A play cut short by a pause (the viewer's, or ours) or a new source is no
        // refusal: the group's next state applies as usual. Anything else
        // (NotAllowedError: autoplay without a click) waits for one.
        if (name === "AbortError") return;
        this.refused = true;
        this.deps.onBlocked(true);
      },
    );
  }

  private doPause(): void {
    if (this.video.paused) return;
    this.expectEvent("pause");
    this.note("pause");
    this.video.pause();
  }

  private doSeek(to: number): void {
    const video = this.video;
    const target = Math.max(0, Number.isFinite(video.duration) ? Math.min(to, video.duration - 0.1) : to);
    this.ours.seekTo = target;
    this.note(`seek ${target.toFixed(2)}`);
    this.corrector.seekBegan(this.deps.now());
    video.currentTime = target;
  }

  /** The speed the viewer just picked from the player's menu, when it is not the
   * group's: the player marks a pick (../Player/intent), so the rate Shaka puts back on a
   * load, or holds at 0 while it buffers, is never taken for one. A tick may run between
   * the pick and its event: whichever comes first takes it. */
  private userRate(): number | null {
    const s = this.group();
    const rate = this.video.playbackRate;
    if (!this.user() || !s || !this.deps.speeds.includes(rate) || !takeRatePick(this.video, rate)) return null;
    return Math.abs(rate - s.rate) < 1e-4 ? null : rate;
  }

  private doRate(rate: number): void {
    // Shaka holds the rate at 0 while it buffers and puts it back after: leave it be.
    if (this.video.playbackRate === 0 || Math.abs(this.video.playbackRate - rate) < 1e-4) return;
    const picked = this.userRate();
    if (picked !== null) {
      this.command({ type: "rate", rate: picked });
      return;
    }
    // The group's speed, not a nudge (those are at most 5%): worth a line in the trail.
    if (Math.abs(this.video.playbackRate - rate) > 0.1) this.note(`rate ${rate} (was ${this.video.playbackRate})`);
    this.video.playbackRate = rate;
  }

  // Sent even without control: the server decides, and its refusal is what the viewer
  // is shown; meanwhile the player goes back to the group's state.
  private command(frame: ClientFrame): void {
    this.note(`send ${JSON.stringify(frame)}`);
    this.deps.party().send(frame);
    const s = this.group();
    if (!this.deps.canControl()) setTimeout(this.tick, 0);
    else if (s) this.awaiting = { version: s.version, until: this.deps.now() + ANSWER_WAIT_MS, applied: applied(frame) };
  }

  readonly tick = (): void => {
    const video = this.video;
    const s = this.group();
    if (!s || !this.engaged || video.readyState < 1) return;
    const { clock } = this.deps.party();
    const now = this.deps.now();
    if (this.unanswered(s, now)) return;
    const server = clock.serverNow(now);
    clearTimeout(this.startTimer);
    if (moving(s) && server < s.at_ms) {
      // A start scheduled for a shared instant: hold at the position until then.
      this.doPause();
      if (!video.seeking && Math.abs(video.currentTime - s.position_s) > HOLD_TOLERANCE_S) this.doSeek(s.position_s);
      this.doRate(s.rate);
      this.startTimer = setTimeout(this.tick, Math.max(0, clock.toLocal(s.at_ms) - now));
      return;
    }
    if (!moving(s)) {
      this.doPause();
      this.doRate(s.rate);
      if (!video.seeking && Math.abs(video.currentTime - s.position_s) > HOLD_TOLERANCE_S) this.doSeek(s.position_s);
      return;
    }
    const expected = expectedPosition(s, server);
    if (Number.isFinite(video.duration) && expected >= video.duration) return; // the end: next episode's business
    if (video.paused) {
      // Joining a moving group (a late joiner, the end of a stall, a resumed page):
      // wait, ready, at a point just ahead of the group, and start at the instant the
      // group gets there, instead of starting now and correcting a startup's worth of
      // drift afterwards.
      this.doRate(s.rate);
      if (this.refused) return;
      const gap = this.joinAt === null ? -1 : this.joinAt - expected;
      if (gap < 0.05 || gap > JOIN_AHEAD_S * s.rate + 0.5) {
        if (Math.abs(expected - video.currentTime) <= HOLD_TOLERANCE_S) {
          this.doPlay();
          return;
        }
        this.joinAt = expected + JOIN_AHEAD_S * s.rate;
        this.doSeek(this.joinAt);
        return;
      }
      if (video.seeking || video.readyState < 3) return;
      this.startTimer = setTimeout(
        () => {
          this.joinAt = null;
          this.doPlay();
        },
        (gap / s.rate) * 1000,
      );
      return;
    }
    this.joinAt = null;
    if (video.seeking) return;
    if (this.firstSync) {
      // Joining (the player started on its own before the party's state was applied):
      // more than the dead band off is rejoined exactly, not nudged for seconds.
      this.firstSync = false;
      if (Math.abs(expected - video.currentTime) > DEAD_BAND_S) {
        this.doPause();
        setTimeout(this.tick, 0);
        return;
      }
    }
    const correction = this.corrector.decide(expected - video.currentTime, s.rate, now);
    if (correction?.kind === "seek") {
      // Far off (over a second): stop, and rejoin at a point just ahead (the paused
      // branch above), rather than seek while playing and guess the seek's latency.
      this.joinAt = null;
      this.doPause();
      setTimeout(this.tick, 0);
    } else if (correction?.kind === "rate") this.doRate(correction.rate);
  };

  // The viewer's own actions, told apart from ours.
  private readonly onPlay = (): void => {
    this.refused = false;
    const s = this.group();
    if (this.ourEvent("play")) this.note("event play: ours");
    else if (takeAutoplay(this.video)) this.note("event play: the player's autoplay");
    else if (this.user() && s && !moving(s)) this.command({ type: "play" });
    else if (s && moving(s) && this.joinAt !== null) {
      // Waiting, ahead of a moving group, for the instant it gets there: a play that is
      // not ours (the player resuming by itself after our pause) would start a join's
      // lead early, and a lead under a second is only nudged back, for many seconds.
      this.note("event play: held until the group gets here");
      this.doPause();
      setTimeout(this.tick, 0);
    } else this.note(`event play: not a command (${this.user() ? "group moving" : "not engaged"})`);
  };

  private readonly onPause = (): void => {
    if (this.ourEvent("pause")) this.note("event pause: ours");
    else if (this.userToggle() && !this.video.ended && this.group()?.playing)
      this.command({ type: "pause", position_s: this.video.currentTime });
    else this.note("event pause: not a command");
  };

  private readonly onSeeking = (): void => {
    const video = this.video;
    const target = this.ours.seekTo;
    if (target !== null && Math.abs(video.currentTime - target) < 0.25) {
      this.ours.seekTo = null;
      return;
    }
    const s = this.group();
    if (!this.user() || !s) return;
    const expected = expectedPosition(s, this.deps.party().clock.serverNow(this.deps.now()));
    if (Math.abs(video.currentTime - expected) < USER_SEEK_MIN_S) return;
    this.corrector.seekBegan(this.deps.now());
    this.command({ type: "seek", position_s: video.currentTime });
  };

  private readonly onSeeked = (): void => this.corrector.seekEnded(this.deps.now());

  private readonly onRate = (): void => {
    // Only a speed the viewer picked from the menu is a command; any other rate is
    // Shaka's or ours (a nudge).
    const picked = this.userRate();
    if (picked !== null) this.command({ type: "rate", rate: picked });
  };

  // A new source (the player reloads, or loads the next episode in this element): a seek
  // of ours it abandoned will never report its end, and a start we timed is for the old
  // one. Forget both, so drift is measured again and the next tick rejoins the group. The
  // player may start the new source by itself before that tick, from its start and at 1x:
  // that is a join like the first one, rejoined exactly rather than nudged for seconds.
  private readonly onEmptied = (): void => {
    this.note("source reset");
    clearTimeout(this.startTimer);
    this.ours.seekTo = null;
    this.joinAt = null;
    this.firstSync = true;
    this.corrector.reset(this.deps.now());
  };

  // A stalled player holds the group (or not: the party's setting, on the server).
  private readonly onWaiting = (): void => {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      const s = this.group();
      if (s && moving(s) && this.video.readyState < 3 && !this.stallSent) {
        this.stallSent = true;
        this.deps.party().send({ type: "stall", stalled: true });
      }
    }, STALL_REPORT_MS);
  };

  private readonly onReady = (): void => {
    clearTimeout(this.stallTimer);
    if (!this.engaged && this.video.readyState >= 2) {
      this.engaged = true; // the first sync: a late joiner goes to the group's position
      this.quietUntil = this.deps.now() + QUIET_MS;
      setTimeout(this.tick, 0);
    }
    if (this.stallSent) {
      this.stallSent = false;
      this.deps.party().send({ type: "stall", stalled: false });
    }
  };
}

/** Whether a group state already reflects a command (the server applied it). */
function applied(frame: ClientFrame): (s: PartyState) => boolean {
  switch (frame.type) {
    case "rate":
      return (s) => Math.abs(s.rate - frame.rate) < 1e-4;
    case "pause":
      return (s) => !s.playing;
    case "play":
      return (s) => s.playing;
    case "seek":
      return (s) => Math.abs(s.position_s - frame.position_s) < 0.5;
    default:
      return () => true;
  }
}
