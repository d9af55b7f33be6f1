import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TokenRenewer } from "./tokenRenewer";
import type { TokenGrant } from "./tokenRenewer";
import type { AccessProblem } from "./streamToken";

const grant = (token: string, renewAfterS = 300, maxHeight = 1080): TokenGrant => ({ token, renewAfterS, maxHeight });
const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("TokenRenewer", () => {
  it("renews after renewAfterS, then after the new token's renewAfterS", async () => {
    const renew = vi.fn<() => Promise<TokenGrant>>().mockResolvedValueOnce(grant("t2", 100)).mockResolvedValueOnce(grant("t3", 100));
    const tokens: string[] = [];
    const renewer = new TokenRenewer(grant("t1", 300), { renew, onToken: (next) => tokens.push(next.token), onLost: () => {} });
    await vi.advanceTimersByTimeAsync(299_000);
    expect(renew).not.toHaveBeenCalled();
    expect(renewer.token).toBe("t1");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(renewer.token).toBe("t2");
    await vi.advanceTimersByTimeAsync(100_000);
    expect(renewer.token).toBe("t3");
    expect(tokens).toEqual(["t2", "t3"]);
    renewer.stop();
  });

  it("joins a renewal already under way", async () => {
    let resolve: (g: TokenGrant) => void = () => {};
    const renew = vi.fn(() => new Promise<TokenGrant>((r) => (resolve = r)));
    const renewer = new TokenRenewer(grant("t1"), { renew, onLost: () => {} });
    const a = renewer.renewNow();
    const b = renewer.renewNow();
    resolve(grant("t2"));
    expect(await a).toBe(true);
    expect(await b).toBe(true);
    expect(renew).toHaveBeenCalledTimes(1);
    renewer.stop();
  });

  it.each([
    [401, "signedOut"],
    [403, "unavailable"],
    [410, "reprocessed"],
    [429, "tooManyStreams"],
  ] as const)("stops for good on HTTP %i (%s), without retrying", async (status, problem) => {
    const renew = vi.fn(() => Promise.reject(httpError(status)));
    const lost: AccessProblem[] = [];
    const renewer = new TokenRenewer(grant("t1", 60), { renew, onLost: (p) => lost.push(p) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lost).toEqual([problem]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(await renewer.renewNow()).toBe(false);
  });

  it("retries network failures with backoff, then keeps the new token", async () => {
    const renew = vi
      .fn<() => Promise<TokenGrant>>()
      .mockRejectedValueOnce(new TypeError("Failed to fetch"))
      .mockRejectedValueOnce(httpError(503))
      .mockResolvedValueOnce(grant("t2"));
    const lost: AccessProblem[] = [];
    const renewer = new TokenRenewer(grant("t1", 60), { renew, onLost: (p) => lost.push(p) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renew).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(renew).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(renew).toHaveBeenCalledTimes(3);
    expect(renewer.token).toBe("t2");
    expect(lost).toEqual([]);
    renewer.stop();
  });

  it("gives up after the last network retry", async () => {
    const renew = vi.fn(() => Promise.reject(new TypeError("Failed to fetch")));
    const lost: AccessProblem[] = [];
    new TokenRenewer(grant("t1", 60), { renew, onLost: (p) => lost.push(p) });
    // Attempts at 60 s, then 2, 4, 8, 16 and 30 s after each failure: the sixth at 120 s.
    await vi.advanceTimersByTimeAsync(119_000);
    expect(renew).toHaveBeenCalledTimes(5);
    expect(lost).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(renew).toHaveBeenCalledTimes(6);
    expect(lost).toEqual(["network"]);
  });

  it("is overdue when the timer slept through the renewal, and catches up on visibility", async () => {
    const renew = vi.fn(() => Promise.resolve(grant("t2")));
    const renewer = new TokenRenewer(grant("t1", 60), { renew, onLost: () => {} });
    expect(renewer.overdue).toBe(false);
    renewer.onVisible();
    expect(renew).not.toHaveBeenCalled();
    // The clock moves on without the timer firing (a suspended tab or laptop).
    vi.setSystemTime(Date.now() + 61_000);
    expect(renewer.overdue).toBe(true);
    await renewer.whenFresh();
    expect(renew).toHaveBeenCalledTimes(1);
    expect(renewer.token).toBe("t2");
    expect(renewer.overdue).toBe(false);
    renewer.stop();
  });

  it("drops an answer that arrives after stop()", async () => {
    let resolve: (g: TokenGrant) => void = () => {};
    const onToken = vi.fn();
    const renewer = new TokenRenewer(grant("t1"), { renew: () => new Promise((r) => (resolve = r)), onToken, onLost: () => {} });
    const pending = renewer.renewNow();
    renewer.stop();
    resolve(grant("t2"));
    expect(await pending).toBe(false);
    expect(onToken).not.toHaveBeenCalled();
    expect(renewer.token).toBe("t1");
  });

  it("stops renewing while held (a long pause lets the stream lease lapse)", async () => {
    const renew = vi.fn(() => Promise.resolve(grant("t2", 60)));
    const renewer = new TokenRenewer(grant("t1", 60), { renew, onLost: () => {} });
    renewer.hold();
    expect(renewer.holding).toBe(true);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(renew).not.toHaveBeenCalled();
    // Coming back to the tab is no reason to take a stream again either.
    renewer.onVisible();
    expect(renew).not.toHaveBeenCalled();
    renewer.stop();
  });

  it("renews at once on resume after a hold, then on its timer again", async () => {
    const renew = vi.fn(() => Promise.resolve(grant("t2", 60)));
    const renewer = new TokenRenewer(grant("t1", 300), { renew, onLost: () => {} });
    renewer.hold();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await renewer.resume()).toBe(true);
    expect(renew).toHaveBeenCalledTimes(1);
    expect(renewer.holding).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renew).toHaveBeenCalledTimes(2);
    renewer.stop();
  });

  it("does not renew on resume without a hold", async () => {
    const renew = vi.fn(() => Promise.resolve(grant("t2")));
    const renewer = new TokenRenewer(grant("t1", 300), { renew, onLost: () => {} });
    expect(await renewer.resume()).toBe(true);
    expect(renew).not.toHaveBeenCalled();
    renewer.stop();
  });

  it("reports the stream limit when the renewal on resume is refused", async () => {
    const lost: AccessProblem[] = [];
    const renewer = new TokenRenewer(grant("t1", 300), { renew: () => Promise.reject(httpError(429)), onLost: (p) => lost.push(p) });
    renewer.hold();
    expect(await renewer.resume()).toBe(false);
    expect(lost).toEqual(["tooManyStreams"]);
  });
});
