// The admin Ads panel's pure parts (unit-tested): datetime-local values to and from the
// API's ISO instants, which videos may be marked, and what to tell the admin about an
// API refusal.
import { ApiError } from "../../api/client";
import type { AdCreativePublic, AdminVideoPublic } from "../../api/client";

const pad = (n: number) => String(n).padStart(2, "0");

/** An API instant as a `<input type="datetime-local">` value in the browser's zone;
 * "" for none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the browser's zone) as an ISO instant; null when empty or
 * not a date. */
export function fromLocalInput(value: string): string | null {
  if (!value.trim()) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Both ends given and the start not before the end. */
export function windowInvalid(startsAt: string | null, endsAt: string | null): boolean {
  return startsAt !== null && endsAt !== null && new Date(startsAt).getTime() >= new Date(endsAt).getTime();
}

/** Videos an admin may mark: ready, a film's (an episode would hide its series), not
 * an ad already. */
export function markable(videos: ReadonlyArray<AdminVideoPublic>, creatives: ReadonlyArray<AdCreativePublic>): AdminVideoPublic[] {
  const taken = new Set(creatives.map((c) => c.video_id));
  return videos.filter((v) => v.status === "ready" && v.kind === "movie" && !taken.has(v.id));
}

/** Which message explains an API refusal (the i18n key and its values). */
export type RefusalKey = "adsAdmin.err.conflict" | "adsAdmin.err.invalid" | "adsAdmin.err.validation" | "adsAdmin.err.notFound";

export function refusal(err: unknown): { key: RefusalKey; detail?: string } | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 409 && err.code === "conflict") return { key: "adsAdmin.err.conflict" };
  if (err.status === 409) return { key: "adsAdmin.err.invalid", detail: err.message };
  if (err.status === 422) return { key: "adsAdmin.err.validation" };
  if (err.status === 404) return { key: "adsAdmin.err.notFound" };
  return null;
}
