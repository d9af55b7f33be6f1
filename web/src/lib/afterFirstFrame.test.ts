import { afterEach, describe, expect, it, vi } from "vitest";
import { afterFirstFrame, resetFirstFrameGate } from "./afterFirstFrame";

describe("afterFirstFrame", () => {
  afterEach(() => {
    resetFirstFrameGate();
    vi.useRealTimers();
  });

  it("waits for the first playing event of any media element", async () => {
    // The page: `playing` reaches it in the capture phase from any <video>.
    const page = new EventTarget();
    let passed = false;
    const gate = afterFirstFrame(page).then(() => {
      passed = true;
    });
    await Promise.resolve();
    expect(passed).toBe(false);
    page.dispatchEvent(new Event("playing"));
    await gate;
    expect(passed).toBe(true);
    // Past is past: a later caller does not wait again.
    await afterFirstFrame(page);
  });

  it("gives up waiting when no frame comes", async () => {
    vi.useFakeTimers();
    let passed = false;
    const gate = afterFirstFrame(new EventTarget(), 1000).then(() => {
      passed = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(passed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await gate;
    expect(passed).toBe(true);
  });
});
