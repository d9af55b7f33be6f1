// Keyboard shortcuts of the watch page, as on the big streaming sites: space/k play-pause,
// j/l ±10 s, arrows ±5 s, up/down volume, f full screen, m mute, c captions. Keys typed
// into form fields, and keys a focused control already handles (space on a button, arrows
// on a slider), are left alone.
import { useEffect } from "react";
import type { PlayerControls, PlayerState } from "./types";

export type ShortcutAction =
  | { kind: "toggle" }
  | { kind: "seekBy"; delta: number }
  | { kind: "volumeBy"; delta: number }
  | { kind: "fullscreen" }
  | { kind: "mute" }
  | { kind: "captions" };

export function shortcutFor(key: string): ShortcutAction | null {
  switch (key) {
    case " ":
    case "k":
    case "K":
      return { kind: "toggle" };
    case "j":
    case "J":
      return { kind: "seekBy", delta: -10 };
    case "l":
    case "L":
      return { kind: "seekBy", delta: 10 };
    case "ArrowLeft":
      return { kind: "seekBy", delta: -5 };
    case "ArrowRight":
      return { kind: "seekBy", delta: 5 };
    case "ArrowUp":
      return { kind: "volumeBy", delta: 0.1 };
    case "ArrowDown":
      return { kind: "volumeBy", delta: -0.1 };
    case "f":
    case "F":
      return { kind: "fullscreen" };
    case "m":
    case "M":
      return { kind: "mute" };
    case "c":
    case "C":
      return { kind: "captions" };
    default:
      return null;
  }
}

function handledByTarget(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    if (type === "range") return key.startsWith("Arrow") || key === "Home" || key === "End";
    if (type === "radio" || type === "checkbox") return key === " " || key.startsWith("Arrow");
    return true;
  }
  if (key === " " || key === "Enter") {
    return tag === "BUTTON" || tag === "A" || target.getAttribute("role") === "button";
  }
  return false;
}

export function usePlayerShortcuts(
  controls: PlayerControls,
  state: Pick<PlayerState, "volume">,
  onActivity: () => void,
  enabled = true,
): void {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (handledByTarget(event.target, event.key)) return;
      const action = shortcutFor(event.key);
      if (!action) return;
      event.preventDefault();
      onActivity();
      switch (action.kind) {
        case "toggle":
          controls.toggle();
          break;
        case "seekBy":
          controls.seekBy(action.delta);
          break;
        case "volumeBy":
          controls.setVolume(Math.round((state.volume + action.delta) * 10) / 10);
          break;
        case "fullscreen":
          controls.toggleFullscreen();
          break;
        case "mute":
          controls.toggleMute();
          break;
        case "captions":
          controls.toggleText();
          break;
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [controls, state.volume, onActivity, enabled]);
}
