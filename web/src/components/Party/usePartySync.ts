// Keeps the watch page's <video> in step with the party through a PartyFollower
// (./follower: the group's state applied, the viewer's own controls turned into
// commands), re-created when the element changes. In builds made for the browser tests
// (VITE_KINEMA_TEST_HOOKS=1, see tests/e2e/web/webapp.py) the follower's probe is
// exposed as `window.__kinemaParty`; production builds leave it out.
import { useEffect, useRef, useState } from "react";
import type { PartySocket } from "./usePartySocket";
import { localNow } from "./usePartySocket";
import { SPEEDS } from "../Player/Player";
import { Corrector } from "./sync";
import { PartyFollower } from "./follower";
import type { PartySample } from "./follower";

export interface PartyProbe {
  sample: () => PartySample | null;
  /** The follower's recent actions, for the tests' failure messages. */
  trail: () => string[];
}
type PartyWindow = Window & { __kinemaParty?: PartyProbe };

/** Whether this build carries the browser tests' hooks (never a production build). */
export const TEST_HOOKS = import.meta.env.VITE_KINEMA_TEST_HOOKS === "1";

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
  const latest = useRef({ party, canControl, videoId });
  latest.current = { party, canControl, videoId };
  const tickRef = useRef<() => void>(() => {});

  useEffect(() => {
    if (!video) return;
    const follower = new PartyFollower(video, corrector, {
      party: () => latest.current.party,
      videoId: () => latest.current.videoId,
      canControl: () => latest.current.canControl,
      speeds: SPEEDS,
      onBlocked: setBlocked,
      now: localNow,
    });
    follower.start();
    tickRef.current = follower.tick;
    const probe: PartyProbe = { sample: () => follower.sample(), trail: () => follower.trail() };
    // Every mention of the probe sits behind TEST_HOOKS, a constant the build replaces:
    // the minifier drops them all from a production build (tests/unit/web checks this).
    if (TEST_HOOKS) (window as PartyWindow).__kinemaParty = probe;
    return () => {
      if (TEST_HOOKS && (window as PartyWindow).__kinemaParty === probe) delete (window as PartyWindow).__kinemaParty;
      follower.stop();
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
