// Count a title card's impression for artwork tests (signed-in adult profiles only).
import { useEffect } from "react";
import type { RefObject } from "react";
import { postImpressions } from "../../api/artwork";
import { impressionTracker } from "./impressions";

export function useImpression(ref: RefObject<Element | null>, titleId: string, enabled: boolean): void {
  useEffect(() => {
    const element = ref.current;
    if (!enabled || !element || typeof IntersectionObserver === "undefined") return;
    return impressionTracker(postImpressions).observe(element, titleId);
  }, [ref, titleId, enabled]);
}
