// The pure parts of the social UI: the emoji set and its glyphs, the text rules the API
// applies, links to a moment of a video, the density strip's scaling, the rating
// distribution's shares and small list updates. Kept apart from React for unit tests.
import type { CommentPublic, DensityPublic, Emoji, ReactionCount, RatingSummaryPublic } from "../../api/client";

/** The API's emoji names in its order (ties in counts are listed in this order). */
export const EMOJI: readonly { name: Emoji; glyph: string }[] = [
  { name: "like", glyph: "👍" },
  { name: "love", glyph: "❤️" },
  { name: "laugh", glyph: "😂" },
  { name: "wow", glyph: "😮" },
  { name: "sad", glyph: "😢" },
  { name: "scary", glyph: "😱" },
  { name: "fire", glyph: "🔥" },
  { name: "clap", glyph: "👏" },
];

export function glyphOf(name: Emoji): string {
  return EMOJI.find((e) => e.name === name)?.glyph ?? "";
}

export const COMMENT_MAX = 2000;
export const REVIEW_MAX = 5000;

// The API's spaces and control characters (api/kinema_api/social/schemas.py).
// eslint-disable-next-line no-control-regex -- the API's rule is about control characters
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
// eslint-disable-next-line no-control-regex -- as above
const VISIBLE = /[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\x00-\x08\x0e-\x1b\x7f-\x9f]/;

/** Whether the API will take `text` as a comment or review body of at most `max`
 *  characters (after trimming): a visible character and no control characters. */
export function acceptableText(text: string, max: number): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && trimmed.length <= max && VISIBLE.test(trimmed) && !CONTROL.test(trimmed);
}

/** The watch page at a comment's moment, as a link. */
export function momentHref(videoId: string, titleId: string, positionS: number): string {
  const at = Math.max(0, Math.floor(positionS));
  return `/watch/${encodeURIComponent(videoId)}?title=${encodeURIComponent(titleId)}&t=${at}`;
}

/** The `t` query parameter of the watch page: seconds to start at, or null. */
export function parseStartParam(value: string | null): number | null {
  if (value === null || !/^\d+(\.\d+)?$/.test(value.trim())) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : null;
}

export interface StripBar {
  startS: number;
  endS: number;
  /** 0–1 of the tallest bucket. */
  height: number;
  total: number;
  top: Emoji | null;
}

/** The density strip's bars: each bucket's share of the busiest one, and its most
 *  used emoji (the API lists them most first). */
export function stripBars(density: DensityPublic | null | undefined): StripBar[] {
  if (!density) return [];
  const max = density.max_total;
  return density.buckets.map((b) => ({
    startS: b.start_s,
    endS: b.end_s,
    height: max > 0 ? b.total / max : 0,
    total: b.total,
    top: b.reactions[0]?.emoji ?? null,
  }));
}

export interface Share {
  score: number;
  count: number;
  /** 0–100, of all ratings. */
  percent: number;
}

/** Ratings 5 down to 1, each with its count and share (missing scores count 0). */
export function distribution(summary: RatingSummaryPublic | null | undefined): Share[] {
  const counts = new Map((summary?.distribution ?? []).map((d) => [d.score, d.count]));
  const total = summary?.count ?? 0;
  return [5, 4, 3, 2, 1].map((score) => {
    const count = counts.get(score) ?? 0;
    return { score, count, percent: total > 0 ? Math.round((count / total) * 100) : 0 };
  });
}

/** The average to one decimal in the UI language, or null without ratings. */
export function formatAverage(average: number | null | undefined, lang: string): string | null {
  if (average === null || average === undefined) return null;
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(average);
}

/** A comment list with one comment replaced (by id); others untouched. */
export function replaceComment(list: readonly CommentPublic[], updated: CommentPublic): CommentPublic[] {
  return list.map((c) => (c.id === updated.id ? updated : c));
}

/** A comment with new reaction counts and the profile's own emoji. */
export function withReactions(comment: CommentPublic, reactions: ReactionCount[], mine: Emoji[]): CommentPublic {
  return { ...comment, reactions, my_reactions: mine };
}

/** Append a page to a list, skipping items already there (offset pages can repeat one
 *  when the order changes between two requests). */
export function appendPage<T extends { id: string }>(list: readonly T[], page: readonly T[]): T[] {
  const seen = new Set(list.map((item) => item.id));
  return [...list, ...page.filter((item) => !seen.has(item.id))];
}
