// Devices and streams: the browsers and apps signed in to the account, what each is
// playing, and the stream limit's answer (429 `too_many_streams`, naming the devices that
// hold the streams). Hand-written until the generated schema has these endpoints (see
// billing.ts).
import { ApiError, request } from "./client";

export interface DeviceStreaming {
  video_id: string;
  title: string;
  /** The profile watching. */
  profile: string;
  /** ISO date-time the stream started. */
  since: string;
}

export interface DevicePublic {
  id: string;
  /** Readable name ("Chrome on Linux"), derived by the server, renamable. */
  name: string;
  user_agent: string;
  created_at: string;
  last_seen_at: string;
  /** The device this request came from. */
  current: boolean;
  streaming: DeviceStreaming | null;
}

/** A device holding one of the account's streams, as the 429 names it. */
export interface StreamHolder {
  device_id: string;
  device_name: string;
  title: string;
  profile: string;
}

/** Playback refused because the plan's streams are all in use. */
export interface StreamConflict {
  detail: string;
  streams: StreamHolder[];
}

export const listDevices = () => request<DevicePublic[]>("GET", "/api/v1/devices");

export const renameDevice = (id: string, name: string) =>
  request<DevicePublic>("PATCH", `/api/v1/devices/${encodeURIComponent(id)}`, { name });

/** Sign the device out: its next request is refused with 401. */
export const signOutDevice = (id: string) => request<void>("DELETE", `/api/v1/devices/${encodeURIComponent(id)}`);

/** End the stream another device holds, freeing its place (204). */
export const stopPlaybackOn = (id: string) =>
  request<void>("POST", `/api/v1/devices/${encodeURIComponent(id)}/stop-playback`);

/** Where this device says it stopped playing a video (its stream lease ends). */
export function playbackStopUrl(videoId: string): string {
  return `/api/v1/playback/${encodeURIComponent(videoId)}/stop`;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The stream limit's 429 body, or null when `body` is not one. */
export function parseStreamConflict(body: unknown): StreamConflict | null {
  if (!body || typeof body !== "object") return null;
  const { code, detail, streams } = body as { code?: unknown; detail?: unknown; streams?: unknown };
  if (code !== "too_many_streams") return null;
  const holders: StreamHolder[] = [];
  if (Array.isArray(streams)) {
    for (const item of streams as unknown[]) {
      if (!item || typeof item !== "object") continue;
      const s = item as Record<string, unknown>;
      if (typeof s.device_id !== "string" || !s.device_id) continue;
      holders.push({ device_id: s.device_id, device_name: text(s.device_name), title: text(s.title), profile: text(s.profile) });
    }
  }
  return { detail: text(detail), streams: holders };
}

/** The stream conflict an API error carries, or null. */
export function streamConflictOf(error: unknown): StreamConflict | null {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  return parseStreamConflict(error.body);
}
