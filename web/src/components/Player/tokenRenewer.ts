// Keeps a playback's stream token fresh: renews it `renewAfterS` seconds after each token
// (the API sets that well before expiry), retries network failures with backoff, and
// reports once, for good, when access is lost (signed out, no longer allowed, video
// re-processed, stream limit reached, or the API unreachable after every retry).
// Timer-driven and free of React and Shaka, so its behaviour is tested with fake timers;
// useStreamToken wires it to the page (visibility) and to Shaka (a request filter).
//
// Each renewal also keeps this device's stream lease alive, so a player left paused must
// stop renewing: `hold()` (after a long pause) lets the lease lapse and frees the stream
// for another device; `resume()` (play again) renews at once, which takes a stream again
// or reports the limit.
import { accessProblemOf, RENEW_ATTEMPTS, renewBackoffMs, statusOf } from "./streamToken";
import type { AccessProblem } from "./streamToken";

export interface TokenGrant {
  token: string;
  /** Seconds from now after which the token should be renewed. */
  renewAfterS: number;
  /** The highest rendition the token (the viewer's plan) allows. */
  maxHeight: number;
}

export interface RenewerHooks {
  /** Ask the API for the next token; rejects with an error carrying `status` on HTTP errors. */
  renew: () => Promise<TokenGrant>;
  /** A new token is in place. */
  onToken?: (next: TokenGrant, previous: TokenGrant) => void;
  /** Renewal failed for good: playback must stop and say why. */
  onLost: (problem: AccessProblem) => void;
}

// How long a media request waits for an overdue token's renewal before it goes out
// with the old token (which is still valid: renewal is due at half its lifetime).
const FRESH_WAIT_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TokenRenewer {
  private grant: TokenGrant;
  private dueAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<boolean> | null = null;
  private done = false;
  private held = false;

  constructor(
    initial: TokenGrant,
    private readonly hooks: RenewerHooks,
  ) {
    this.grant = initial;
    this.schedule(initial.renewAfterS);
  }

  get token(): string {
    return this.grant.token;
  }

  /** Past the time the token should have been renewed (timers sleep with the laptop). */
  get overdue(): boolean {
    return !this.done && Date.now() >= this.dueAt;
  }

  /** Renew now (joining a renewal already under way); true when a new token is in place. */
  renewNow(): Promise<boolean> {
    if (this.done) return Promise.resolve(false);
    if (!this.inflight) {
      this.inflight = this.attempt().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  /** Resolves once the token is not overdue, or after a short wait for its renewal. */
  whenFresh(): Promise<void> {
    if (!this.overdue) return Promise.resolve();
    return Promise.race([this.renewNow().then(() => undefined), sleep(FRESH_WAIT_MS)]);
  }

  /** The page became visible again: catch up on a renewal the timer missed. */
  onVisible(): void {
    if (this.overdue && !this.held) void this.renewNow();
  }

  /** Whether timed renewals are held (playback paused for long). */
  get holding(): boolean {
    return this.held;
  }

  /** No timed renewals until `resume()`: the stream lease lapses. A media request that
   *  finds the token overdue still renews it (the viewer is seeking, say). */
  hold(): void {
    if (this.done || this.held) return;
    this.held = true;
    this.clearTimer();
  }

  /** Playback goes on after a hold: renew now (true when a new token is in place). */
  resume(): Promise<boolean> {
    if (this.done) return Promise.resolve(false);
    if (!this.held) return Promise.resolve(true);
    this.held = false;
    return this.renewNow();
  }

  /** No more renewals (the player unmounted or got another source). */
  stop(): void {
    this.done = true;
    this.clearTimer();
  }

  private schedule(afterS: number): void {
    const delay = Math.max(1, afterS) * 1000;
    this.dueAt = Date.now() + delay;
    this.clearTimer();
    if (this.held) return;
    this.timer = setTimeout(() => void this.renewNow(), delay);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async attempt(): Promise<boolean> {
    for (let n = 0; ; n++) {
      let problem: AccessProblem | "retry";
      try {
        const next = await this.hooks.renew();
        if (this.done) return false;
        const previous = this.grant;
        this.grant = next;
        this.schedule(next.renewAfterS);
        this.hooks.onToken?.(next, previous);
        return true;
      } catch (error) {
        if (this.done) return false;
        problem = accessProblemOf(statusOf(error));
      }
      if (problem === "retry" && n + 1 < RENEW_ATTEMPTS) {
        await sleep(renewBackoffMs(n));
        if (this.done) return false;
        continue;
      }
      this.stop();
      this.hooks.onLost(problem === "retry" ? "network" : problem);
      return false;
    }
  }
}
