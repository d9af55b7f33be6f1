// Whether a pre-roll plays before the title, and which: asks the API's ad decision
// (VAST 4) only when the playback response says the viewer's plan has ads, so a paid
// plan never sends the request. No ad, an empty VAST, or any failure: the title starts.
import { useCallback, useEffect, useState } from "react";
import { parseVast } from "../ads";
import type { LinearAd } from "../ads";

export type AdPhase = "waiting" | "deciding" | "ad" | "done";

/** The API's ad for a break of `videoId` ("preroll" or a mid-roll point from the
 * playback response's `ad_breaks`); null for no ad (204, an empty VAST, any failure). */
export function requestAd(videoId: string, at: "preroll" | number, signal: AbortSignal): Promise<LinearAd | null> {
  const params = new URLSearchParams({ video: videoId, break: String(at) });
  return fetch(`/api/v1/ads/decision?${params.toString()}`, { credentials: "same-origin", signal })
    .then(async (r) => (r.status === 200 ? parseVast(await r.text(), new DOMParser()) : null))
    .catch(() => null);
}

export function useAdDecision(videoId: string, ads: boolean | null): { phase: AdPhase; ad: LinearAd | null; finish: () => void } {
  const [state, setState] = useState<{ key: string; phase: AdPhase; ad: LinearAd | null }>({ key: "", phase: "waiting", ad: null });
  useEffect(() => {
    if (ads === null) return; // the playback answer is not there yet
    if (!ads) {
      setState({ key: videoId, phase: "done", ad: null });
      return;
    }
    const abort = new AbortController();
    setState({ key: videoId, phase: "deciding", ad: null });
    void requestAd(videoId, "preroll", abort.signal).then((ad) => {
      if (!abort.signal.aborted) setState({ key: videoId, phase: ad ? "ad" : "done", ad });
    });
    return () => abort.abort();
  }, [videoId, ads]);
  const finish = useCallback(() => setState((s) => ({ ...s, phase: "done", ad: null })), []);
  if (state.key !== videoId) return { phase: "waiting", ad: null, finish };
  return { phase: state.phase, ad: state.ad, finish };
}
