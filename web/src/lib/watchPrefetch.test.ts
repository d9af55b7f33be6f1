import { describe, expect, it } from "vitest";
import { takePrefetchedPlayback, watchVideoId } from "./watchPrefetch";

describe("watch prefetch", () => {
  it("recognises watch page paths only", () => {
    expect(watchVideoId("/watch/b916bf87-e701-4a64-8561-73258b8bb5a0")).toBe("b916bf87-e701-4a64-8561-73258b8bb5a0");
    expect(watchVideoId("/watch/b916bf87e7014a64856173258b8bb5a0/")).toBe("b916bf87e7014a64856173258b8bb5a0");
    expect(watchVideoId("/title/b916bf87-e701-4a64-8561-73258b8bb5a0")).toBeNull();
    expect(watchVideoId("/watch/")).toBeNull();
    expect(watchVideoId("/watch/../admin")).toBeNull();
  });

  it("has nothing to hand over when nothing was prefetched", () => {
    expect(takePrefetchedPlayback("b916bf87-e701-4a64-8561-73258b8bb5a0", () => Promise.reject(new Error("unused")))).toBeNull();
  });
});
