import { describe, expect, it } from "vitest";
import { shortcutFor } from "./usePlayerShortcuts";

describe("shortcutFor", () => {
  it.each([
    [" ", { kind: "toggle" }],
    ["k", { kind: "toggle" }],
    ["j", { kind: "seekBy", delta: -10 }],
    ["L", { kind: "seekBy", delta: 10 }],
    ["ArrowLeft", { kind: "seekBy", delta: -5 }],
    ["ArrowRight", { kind: "seekBy", delta: 5 }],
    ["ArrowUp", { kind: "volumeBy", delta: 0.1 }],
    ["ArrowDown", { kind: "volumeBy", delta: -0.1 }],
    ["f", { kind: "fullscreen" }],
    ["m", { kind: "mute" }],
    ["c", { kind: "captions" }],
    ["x", null],
  ])("%j", (key, action) => {
    expect(shortcutFor(key)).toEqual(action);
  });
});
