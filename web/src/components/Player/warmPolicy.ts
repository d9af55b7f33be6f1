// Which watch pages start their player before the app renders, and from where: shared by
// the boot script (no Shaka, no React) and the warm start itself (warmStart.ts).
import type { PlaybackPublic } from "../../api/client";
import { parseStartParam } from "../Social/social";

/** Shaka's first bandwidth estimate (bits/s): a modest rung, whose first segment is small.
 *  Also what the boot's prefetch assumes Shaka will start on (bootMedia.ts). */
export const START_ESTIMATE = 1_000_000;

/** Where the player starts: `?t=` (a comment's moment, a clip) over the resume point,
 *  as the watch page decides; null for the beginning, as useSourceLoading passes it. */
export function startPosition(info: Pick<PlaybackPublic, "resume_position_s">, search: string): number | null {
  const from = parseStartParam(new URLSearchParams(search).get("t")) ?? info.resume_position_s;
  return from > 0 ? from : null;
}

/** Whether a page may start warm: HLS, no pre-roll, not in a party. */
export function canWarmStart(info: Pick<PlaybackPublic, "hls_url" | "ads">, search: string): boolean {
  return Boolean(info.hls_url) && info.ads !== true && !new URLSearchParams(search).has("party");
}
