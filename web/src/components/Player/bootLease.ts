// The boot's hold on a stream (boot/watchBoot.ts, warmStart.bootPlay): the playback
// request leased the stream, and until the Player takes over (the watch page then frees
// it when left), the boot frees it itself if the page is left, or at once when it drops
// its start. Held from the playback answer on, so a page closed during the quick start
// does not keep a device slot until the lease expires.
import { releaseStream } from "../../api/devices";

let lease: { videoId: string; onPageHide: () => void } | null = null;

/** Hold `videoId`'s stream for the boot (holding it again keeps the one hold). */
export function holdBootLease(videoId: string): void {
  if (lease?.videoId === videoId) return;
  endBootLease();
  const onPageHide = () => releaseStream(videoId, true);
  window.addEventListener("pagehide", onPageHide);
  lease = { videoId, onPageHide };
}

/** The watch page took over: leaving it is now the watch page's to report. */
export function endBootLease(): void {
  if (lease) window.removeEventListener("pagehide", lease.onPageHide);
  lease = null;
}

/** The boot dropped its start: free the stream now. */
export function releaseBootLease(): void {
  const held = lease;
  endBootLease();
  if (held) releaseStream(held.videoId, false);
}
