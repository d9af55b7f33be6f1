// What a watch page can fetch later: the title's details (next episode, the episode's
// name), the reaction strip. On a cold load they would compete with the player's own
// requests and the page's scripts for the same CPU and the same API process, and the first
// frame would wait for them; so they wait for it, or for MAX_WAIT_MS when no frame comes
// (playback refused autoplay, an error), whichever is first. Once past, it is past:
// later pages of the same visit fetch at once.
const MAX_WAIT_MS = 2_500;

let gate: Promise<void> | null = null;

/** Resolves once any media element on the page has played (or after a short wait). */
export function afterFirstFrame(doc: EventTarget = document, maxWaitMs: number = MAX_WAIT_MS): Promise<void> {
  gate ??= new Promise<void>((resolve) => {
    const done = () => {
      doc.removeEventListener("playing", done, true);
      clearTimeout(timer);
      resolve();
    };
    // `playing` does not bubble: listen in the capture phase for every <video>.
    doc.addEventListener("playing", done, true);
    const timer = setTimeout(done, maxWaitMs);
  });
  return gate;
}

/** Forget the gate (tests). */
export function resetFirstFrameGate(): void {
  gate = null;
}
