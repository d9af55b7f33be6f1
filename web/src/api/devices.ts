// Devices and streams: the browsers and apps signed in to the account, what each is
// playing, and the stream limit's answer (429 `too_many_streams`, `TooManyStreamsPublic`,
// naming the devices that hold the streams). Calls through the typed client; the types
// are the generated ones (`DevicePublic`, `StreamHolder`, `TooManyStreamsPublic`).
import { api, ApiError, unwrap } from "./client";
import type { paths, StreamHolder, TooManyStreamsPublic } from "./client";

export const listDevices = () => unwrap(api.GET("/api/v1/devices"));

const device = (id: string) => ({ params: { path: { device_id: id } } });

export const renameDevice = (id: string, name: string) => unwrap(api.PATCH("/api/v1/devices/{device_id}", { ...device(id), body: { name } }));

/** Sign the device out: its next request is refused with 401. */
export const signOutDevice = (id: string) => unwrap(api.DELETE("/api/v1/devices/{device_id}", device(id)));

/** End the stream another device holds, freeing its place (204). */
export const stopPlaybackOn = (id: string) => unwrap(api.POST("/api/v1/devices/{device_id}/stop-playback", device(id)));

// `navigator.sendBeacon` takes a URL, not a client call: the path is checked against the
// schema here, and filled in by hand.
const PLAYBACK_STOP = "/api/v1/playback/{video_id}/stop" satisfies keyof paths;

/** Where this device says it stopped playing a video (its stream lease ends). */
export function playbackStopUrl(videoId: string): string {
  return PLAYBACK_STOP.replace("{video_id}", encodeURIComponent(videoId));
}

/** Tell the API this device stopped playing `videoId`; `beacon` for a page going away. */
export function releaseStream(videoId: string, beacon: boolean): void {
  const url = playbackStopUrl(videoId);
  if (beacon && typeof navigator.sendBeacon === "function" && navigator.sendBeacon(url)) return;
  // keepalive: the request survives the page, like a beacon, where beacons are refused.
  void fetch(url, { method: "POST", credentials: "same-origin", keepalive: true }).catch(() => {});
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");
const textOrNull = (value: unknown): string | null => (typeof value === "string" && value ? value : null);

/** The stream limit's 429 body, or null when `body` is not one. An error body reaches
 *  the UI untyped (`ApiError.body`), so it is checked here rather than trusted. */
export function parseStreamConflict(body: unknown): TooManyStreamsPublic | null {
  if (!body || typeof body !== "object") return null;
  const { code, detail, streams } = body as { code?: unknown; detail?: unknown; streams?: unknown };
  if (code !== "too_many_streams") return null;
  const holders: StreamHolder[] = [];
  if (Array.isArray(streams)) {
    for (const item of streams as unknown[]) {
      if (!item || typeof item !== "object") continue;
      const s = item as Record<string, unknown>;
      if (typeof s.device_id !== "string" || !s.device_id) continue;
      holders.push({ device_id: s.device_id, device_name: text(s.device_name), title: textOrNull(s.title), profile: textOrNull(s.profile) });
    }
  }
  return { code, detail: text(detail), streams: holders };
}

/** The stream conflict an API error carries, or null. */
export function streamConflictOf(error: unknown): TooManyStreamsPublic | null {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  return parseStreamConflict(error.body);
}
