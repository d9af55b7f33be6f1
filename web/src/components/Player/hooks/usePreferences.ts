// The subtitle language preference as a hook (the stored preferences: ../preferences.ts).
import { useCallback, useRef } from "react";
import { read, remember, TEXT_KEY } from "../preferences";

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
