// Frees this device's stream as soon as playback ends, so another device can start at
// once instead of waiting for the lease to expire: a beacon on `pagehide` (the tab
// closed or navigated away; a beacon outlives the page), and a request when the player
// goes away inside the app (back, another episode).
import { useEffect } from "react";
import { releaseStream } from "../api/devices";

/** While `holding` (playback was granted for `videoId`), release the stream on leave. */
export function useStreamRelease(videoId: string, holding: boolean): void {
  useEffect(() => {
    if (!holding || !videoId) return;
    const onPageHide = () => releaseStream(videoId, true);
    window.addEventListener("pagehide", onPageHide);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      releaseStream(videoId, false);
    };
  }, [videoId, holding]);
}
