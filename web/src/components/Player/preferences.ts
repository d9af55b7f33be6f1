// What the player remembers across titles in this browser: volume, mute and the
// subtitle language. Storage may be disabled (private modes, policies): every read has
// a fallback and every write is best effort, because preferences are a convenience.
// No React here: a watch page's boot script sets the volume before the app loads.
import { clamp } from "../../lib/format";

const VOLUME_KEY = "kinema.volume";
const MUTED_KEY = "kinema.muted";
export const TEXT_KEY = "kinema.textLanguage";

export function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function readNumber(key: string, fallback: number): number {
  const raw = read(key);
  const value = raw === null ? NaN : Number(raw);
  return Number.isFinite(value) ? value : fallback;
}

export function remember(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Preferences are a convenience; ignore disabled storage.
  }
}

/** The remembered volume (0..1) and mute switch. */
export function savedVolume(): { volume: number; muted: boolean } {
  return { volume: clamp(readNumber(VOLUME_KEY, 1), 0, 1), muted: readNumber(MUTED_KEY, 0) === 1 };
}

export function rememberVolume(volume: number, muted: boolean): void {
  remember(VOLUME_KEY, String(volume));
  remember(MUTED_KEY, muted ? "1" : "0");
}
