// What the player remembers across titles in this browser: volume, mute and the
// subtitle language. Storage may be disabled (private modes, policies): every read has
// a fallback and every write is best effort, because preferences are a convenience.
import { useCallback, useRef } from "react";
import { clamp } from "../../../lib/format";

const VOLUME_KEY = "kinema.volume";
const MUTED_KEY = "kinema.muted";
const TEXT_KEY = "kinema.textLanguage";

function read(key: string): string | null {
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

function remember(key: string, value: string | null): void {
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

/**
 * The preferred subtitle language (`preferred` when given, else the remembered one) as a
 * ref the loader and the controls read, and how to change it (remembered at once).
 */
export function useTextPreference(preferred?: string | null) {
  const ref = useRef<string | null>(preferred ?? read(TEXT_KEY));
  const set = useCallback((language: string | null) => {
    ref.current = language;
    remember(TEXT_KEY, language);
  }, []);
  return { preferredText: ref, setPreferredText: set };
}
