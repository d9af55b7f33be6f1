// Stream tokens, pure. Every media URL carries a short-lived token in its path
// (`/api/v1/stream/<token>/master.m3u8`, and every relative URL inside the manifests
// inherits it); the player renews the token while it plays and puts the newest one in
// every request. What a failed renewal means for the viewer is decided here too.

const STREAM_PATH = /\/api\/v1\/stream\/[^/?#]+\//;

/** `uri` with its stream token replaced by `token` (unchanged when it has none). */
export function withToken(uri: string, token: string | null | undefined): string {
  if (!token) return uri;
  return uri.replace(STREAM_PATH, `/api/v1/stream/${token}/`);
}

/** Whether `uri` is a media URL of the stream route (manifest, segment, subtitles...). */
export function isStreamUrl(uri: string): boolean {
  return STREAM_PATH.test(uri);
}

/**
 * `url` made absolute against `origin`: the API gives relative media URLs when it has no
 * public URL configured, and some consumers (a Cast receiver on a TV) need absolute ones.
 */
export function absoluteUrl(url: string, origin: string): string {
  return new URL(url, origin).href;
}

/** Why playback cannot go on, as the viewer is told it. */
export type AccessProblem =
  /** The session ended (signed out, or revoked from another device): sign in again. */
  | "signedOut"
  /** No longer allowed: unpublished, the plan or the profile's limits changed. */
  | "unavailable"
  /** The video was re-processed: the playback info must be loaded again. */
  | "reprocessed"
  /** The account's stream limit is reached: stop playback on another device. */
  | "tooManyStreams"
  /** The API could not be reached, even after retries. */
  | "network";

/**
 * What an HTTP status of the renewal (or of a media request) means: an access problem,
 * or "retry" for what a later attempt can fix (no answer at all: status null, 408, 5xx).
 */
export function accessProblemOf(status: number | null): AccessProblem | "retry" {
  if (status === null || status === 408 || status >= 500) return "retry";
  if (status === 401) return "signedOut";
  if (status === 410) return "reprocessed";
  if (status === 429) return "tooManyStreams";
  return "unavailable";
}

/** The HTTP status carried by an error (an API error has `status`), else null. */
export function statusOf(error: unknown): number | null {
  if (error && typeof error === "object" && "status" in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === "number" && status > 0) return status;
  }
  return null;
}

/** Statuses of a media request that may mean the token or the access behind it is gone. */
export function isAccessStatus(status: number | null): boolean {
  return status === 401 || status === 403 || status === 410 || status === 429;
}

/** Renewal attempts after a network failure before the player gives up. */
export const RENEW_ATTEMPTS = 6;

/** Delay before renewal attempt `attempt` + 1 (2 s, 4 s, 8 s, 16 s, then every 30 s). */
export function renewBackoffMs(attempt: number): number {
  return Math.min(30_000, 2_000 * 2 ** attempt);
}
