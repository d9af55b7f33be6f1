// Pure clip rules of the web app: a marked range (in/out, 1–60 s, within the video),
// the watch link that plays a clip, and the link to share.
import type { ClipPublic } from "../../api/client";

export const MAX_CLIP_S = 60;
export const MIN_CLIP_S = 1;

export type RangeProblem = "unmarked" | "tooShort" | "tooLong" | "reversed" | null;

export interface MarkedRange {
  start: number | null;
  end: number | null;
}

/** Why a marked range cannot be shared (null: it can). */
export function rangeProblem(range: MarkedRange, duration: number): RangeProblem {
  if (range.start === null || range.end === null) return "unmarked";
  if (range.end < range.start) return "reversed";
  const length = range.end - range.start;
  if (length < MIN_CLIP_S) return "tooShort";
  if (length > MAX_CLIP_S + 1e-6) return "tooLong";
  if (duration > 0 && range.end > duration + 0.5) return "tooLong";
  return null;
}

/** Marking "in" at `at`: a mark "out" more than a minute later moves to within one. */
export function markIn(range: MarkedRange, at: number): MarkedRange {
  const start = Math.max(0, round1(at));
  const end = range.end !== null && range.end > start && range.end - start <= MAX_CLIP_S ? range.end : null;
  return { start, end };
}

/** Marking "out" at `at` (with no "in", the minute before it). */
export function markOut(range: MarkedRange, at: number): MarkedRange {
  const end = round1(at);
  const start = range.start !== null && range.start < end ? Math.max(range.start, end - MAX_CLIP_S) : Math.max(0, end - Math.min(10, MAX_CLIP_S));
  return { start: round1(start), end };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The watch page's link for a clip: starts at its start, stops at its end. */
export function clipWatchHref(clip: Pick<ClipPublic, "video_id" | "title_id" | "start_s" | "end_s" | "id">): string {
  const q = new URLSearchParams({ title: clip.title_id, t: String(clip.start_s), end: String(clip.end_s), clip: clip.id });
  return `/watch/${clip.video_id}?${q.toString()}`;
}

/** The absolute link to share. */
export function clipShareUrl(clip: Pick<ClipPublic, "url">, origin: string): string {
  return new URL(clip.url, origin).toString();
}

/** `?end=75.5` on the watch page: where a clip stops (a number after the start). */
export function parseEndParam(value: string | null, start: number | null): number | null {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return null;
  const end = Number(value);
  if (!Number.isFinite(end)) return null;
  return start === null || end > start ? end : null;
}
