// Keeps one <video> in step with the party: applies the group's state (scheduled starts
// at a shared instant, pauses, rates, drift correction through ./sync's Corrector) and
// turns what the viewer does with the player's own controls (play, pause, seek, speed)
// into party commands. What this hook does to the video itself is remembered as "ours"
// and never echoed back. A member without control who pauses or seeks is put back where
// the group is (the server refused the command). Audio and subtitle choices are never
// touched: each member keeps their own.
import { useEffect, useRef, useState } from "react";
import type { PartySocket } from "./usePartySocket";
import { localNow } from "./usePartySocket";
import { SPEEDS } from "../Player/Player";
import { Corrector, DEAD_BAND_S, expectedPosition, moving } from "./sync";

const TICK_MS = 200;
const QUIET_MS = 1000;
/** How far ahead of a moving group a joining player waits for it (s of media at 1x). */
const JOIN_AHEAD_S = 1.0;
const HOLD_TOLERANCE_S = 0.05;
const STALL_REPORT_MS = 400;
/** A seek the viewer makes closer than this to where the group is, is not a command
 * (Shaka's own small gap jumps look the same). */
const USER_SEEK_MIN_S = 0.5;

export interface PartyProbe {
  sample: () => {
    serverMs: number;
    expected: number;
    current: number;
    rate: number;
    paused: boolean;
    seeks: number;
  } | null;
}
type PartyWindow = Window & { __kinemaParty?: PartyProbe };

export interface PartySyncInfo {
  /** The browser refused to start playback by itself: a click is needed. */
  blocked: boolean;
  resume: () => void;
  corrector: Corrector;
}

export function usePartySync(
  party: PartySocket,
  video: HTMLVideoElement | null,
  videoId: string,
  canControl: boolean,
): PartySyncInfo {
  const [blocked, setBlocked] = useState(false);
  const corrector = useRef(new Corrector()).current;
  const ours = useRef({ play: 0, pause: 0, seekTo: null as number | null });
  const latest = useRef({ party, canControl, videoId });
  latest.current = { party, canControl, videoId };
  const tickRef = useRef<() => void>(() => {});

  useEffect(() => {
    if (!video) return;
    corrector.reset(localNow());
    let startTimer: number | undefined;
    let stallTimer: number | undefined;
    let stallSent = false;
    let engaged = false;
    let joinAt: number | null = null;
    let firstSync = true;
    // The browser refused to play without a click: wait for it rather than seek again.
    let refused = false;
    // A play or pause right after engaging is the player's own start-up (autoplay), not
    // the viewer's: not a command.
    let quietUntil = 0;
    const user = () => engaged;
    const userToggle = () => engaged && localNow() >= quietUntil;

    const group = () => {
      const { party: p, videoId: id } = latest.current;
      return p.state && p.state.video_id === id ? p.state : null;
    };
    const doPlay = () => {
      if (!video.paused) return;
      ours.current.play += 1;
      video.play().then(
        () => setBlocked(false),
        () => {
          ours.current.play = Math.max(0, ours.current.play - 1);
          refused = true;
          setBlocked(true);
        },
      );
    };
    const doPause = () => {
      if (video.paused) return;
      ours.current.pause += 1;
      video.pause();
    };
    const doSeek = (to: number) => {
      const target = Math.max(0, Number.isFinite(video.duration) ? Math.min(to, video.duration - 0.1) : to);
      ours.current.seekTo = target;
      corrector.seekBegan(localNow());
      video.currentTime = target;
    };
    // The rate this hook set last. A rate the viewer picked is told apart from ours and
    // Shaka's by value, not by event order: a tick may run between the viewer's change
    // and its event.
    let lastRate = video.playbackRate;
    const userRate = (): number | null => {
      const s = group();
      const rate = video.playbackRate;
      const picked = (SPEEDS as readonly number[]).includes(rate);
      if (!user() || !s || !picked || Math.abs(rate - lastRate) < 1e-4 || Math.abs(rate - s.rate) < 1e-4) return null;
      return rate;
    };
    const doRate = (rate: number) => {
      // Shaka holds the rate at 0 while it buffers and puts it back after: leave it be.
      if (video.playbackRate === 0 || Math.abs(video.playbackRate - rate) < 1e-4) return;
      const picked = userRate();
      if (picked !== null) {
        lastRate = picked;
        command({ type: "rate", rate: picked });
        return;
      }
      lastRate = rate;
      video.playbackRate = rate;
    };

    // Sent even without control: the server decides, and its refusal is what the viewer
    // is shown; meanwhile the player goes back to the group's state.
    const command = (frame: Parameters<PartySocket["send"]>[0]) => {
      latest.current.party.send(frame);
      if (!latest.current.canControl) window.setTimeout(tick, 0);
    };
    const tick = () => {
      const s = group();
      if (!s || !engaged || video.readyState < 1) return;
      const { clock } = latest.current.party;
      const now = localNow();
      const server = clock.serverNow(now);
      window.clearTimeout(startTimer);
      if (moving(s) && server < s.at_ms) {
        // A start scheduled for a shared instant: hold at the position until then.
        doPause();
        if (!video.seeking && Math.abs(video.currentTime - s.position_s) > HOLD_TOLERANCE_S) doSeek(s.position_s);
        doRate(s.rate);
        startTimer = window.setTimeout(tick, Math.max(0, clock.toLocal(s.at_ms) - now));
        return;
      }
      if (!moving(s)) {
        doPause();
        doRate(s.rate);
        if (!video.seeking && Math.abs(video.currentTime - s.position_s) > HOLD_TOLERANCE_S) doSeek(s.position_s);
        return;
      }
      const expected = expectedPosition(s, server);
      if (Number.isFinite(video.duration) && expected >= video.duration) return; // the end: next episode's business
      if (video.paused) {
        // Joining a moving group (a late joiner, the end of a stall, a resumed page):
        // wait, ready, at a point just ahead of the group, and start at the instant the
        // group gets there, instead of starting now and correcting a startup's worth of
        // drift afterwards.
        doRate(s.rate);
        if (refused) return;
        const gap = joinAt === null ? -1 : joinAt - expected;
        if (gap < 0.05 || gap > JOIN_AHEAD_S * s.rate + 0.5) {
          if (Math.abs(expected - video.currentTime) <= HOLD_TOLERANCE_S) {
            doPlay();
            return;
          }
          joinAt = expected + JOIN_AHEAD_S * s.rate;
          doSeek(joinAt);
          return;
        }
        if (video.seeking || video.readyState < 3) return;
        startTimer = window.setTimeout(
          () => {
            joinAt = null;
            doPlay();
          },
          (gap / s.rate) * 1000,
        );
        return;
      }
      joinAt = null;
      if (video.seeking) return;
      if (firstSync) {
        // Joining (the player started on its own before the party's state was applied):
        // more than the dead band off is rejoined exactly, not nudged for seconds.
        firstSync = false;
        if (Math.abs(expected - video.currentTime) > DEAD_BAND_S) {
          joinAt = null;
          doPause();
          window.setTimeout(tick, 0);
          return;
        }
      }
      const correction = corrector.decide(expected - video.currentTime, s.rate, now);
      if (correction?.kind === "seek") {
        // Far off (over a second): stop, and rejoin at a point just ahead (the paused
        // branch above), rather than seek while playing and guess the seek's latency.
        joinAt = null;
        doPause();
        window.setTimeout(tick, 0);
      }
      else if (correction?.kind === "rate") doRate(correction.rate);
    };
    tickRef.current = tick;

    // The viewer's own actions, told apart from ours.
    const onPlay = () => {
      refused = false;
      if (ours.current.play > 0) ours.current.play -= 1;
      else if (userToggle() && group() && !moving(group()!)) command({ type: "play" });
    };
    const onPause = () => {
      if (ours.current.pause > 0) ours.current.pause -= 1;
      else if (userToggle() && !video.ended && group()?.playing) command({ type: "pause", position_s: video.currentTime });
    };
    const onSeeking = () => {
      const target = ours.current.seekTo;
      if (target !== null && Math.abs(video.currentTime - target) < 0.25) {
        ours.current.seekTo = null;
        return;
      }
      const s = group();
      if (!user() || !s) return;
      const expected = expectedPosition(s, latest.current.party.clock.serverNow(localNow()));
      if (Math.abs(video.currentTime - expected) < USER_SEEK_MIN_S) return;
      corrector.seekBegan(localNow());
      command({ type: "seek", position_s: video.currentTime });
    };
    const onSeeked = () => corrector.seekEnded(localNow());
    const onRate = () => {
      // A viewer picks a speed from the menu (SPEEDS); any other rate is Shaka's (0 while
      // buffering, then back to what it had, a nudge of ours included), never a command.
      const picked = userRate();
      if (picked !== null) {
        lastRate = picked;
        command({ type: "rate", rate: picked });
      }
    };
    // A stalled player holds the group (or not: the party's setting, on the server).
    const onWaiting = () => {
      window.clearTimeout(stallTimer);
      stallTimer = window.setTimeout(() => {
        const s = group();
        if (s && moving(s) && video.readyState < 3 && !stallSent) {
          stallSent = true;
          latest.current.party.send({ type: "stall", stalled: true });
        }
      }, STALL_REPORT_MS);
    };
    const onReady = () => {
      window.clearTimeout(stallTimer);
      if (!engaged && video.readyState >= 2) {
        engaged = true; // the first sync: a late joiner goes to the group's position
        quietUntil = localNow() + QUIET_MS;
        window.setTimeout(tick, 0);
      }
      if (stallSent) {
        stallSent = false;
        latest.current.party.send({ type: "stall", stalled: false });
      }
    };
    const events: [string, () => void][] = [
      ["play", onPlay],
      ["pause", onPause],
      ["seeking", onSeeking],
      ["seeked", onSeeked],
      ["ratechange", onRate],
      ["waiting", onWaiting],
      ["playing", onReady],
      ["canplay", onReady],
      ["loadeddata", onReady],
    ];
    events.forEach(([name, fn]) => video.addEventListener(name, fn));
    if (video.readyState >= 2) onReady();
    const timer = window.setInterval(tick, TICK_MS);
    // Read by the browser tests and the drift benchmark: this player against the group.
    const probe: PartyProbe = {
      sample: () => {
        const s = group();
        if (!s) return null;
        const serverMs = latest.current.party.clock.serverNow(localNow());
        return {
          serverMs,
          expected: expectedPosition(s, serverMs),
          current: video.currentTime,
          rate: video.playbackRate,
          paused: video.paused,
          seeks: corrector.seeks,
        };
      },
    };
    (window as PartyWindow).__kinemaParty = probe;
    return () => {
      if ((window as PartyWindow).__kinemaParty === probe) delete (window as PartyWindow).__kinemaParty;
      window.clearInterval(timer);
      window.clearTimeout(startTimer);
      window.clearTimeout(stallTimer);
      events.forEach(([name, fn]) => video.removeEventListener(name, fn));
      tickRef.current = () => {};
    };
  }, [video, corrector]);

  // A new state applies at once, not at the next tick.
  useEffect(() => {
    tickRef.current();
  }, [party.state]);

  const resume = () => {
    if (!video) return;
    video.play().then(() => setBlocked(false), () => setBlocked(true));
  };
  return { blocked, resume, corrector };
}
