// Pure helpers of the moderation panel: list updates after an action and the count line.
import type { MessageKey } from "../../i18n/en";

/** The list without the entry ``id`` (after it was dismissed, deleted or moved). */
export function without<T>(list: readonly T[], id: string, key: (item: T) => string): T[] {
  return list.filter((item) => key(item) !== id);
}

/** A page appended to what is shown, skipping entries already there (offsets can shift
 * when someone else acts on the queue between two pages). */
export function appendUnique<T>(list: readonly T[], page: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set(list.map(key));
  return [...list, ...page.filter((item) => !seen.has(key(item)))];
}

export function reportCountKey(count: number): MessageKey {
  return count === 1 ? "moderation.reportCountOne" : "moderation.reportCount";
}

export const REASON_KEYS: Record<"spam" | "abuse" | "spoiler" | "other", MessageKey> = {
  spam: "social.reason.spam",
  abuse: "social.reason.abuse",
  spoiler: "social.reason.spoiler",
  other: "social.reason.other",
};

export interface Paged<T> {
  items: T[];
  total: number;
  next_offset: number | null;
}

/** A page of a list after its entry ``id`` left it on the server: one fewer in all, and
 * the next page starts one earlier. */
export function dropEntry<T>(page: Paged<T> | undefined, id: string, key: (item: T) => string): Paged<T> {
  if (!page) return { items: [], total: 0, next_offset: null };
  const items = without(page.items, id, key);
  if (items.length === page.items.length) return page;
  const next = page.next_offset == null ? null : Math.max(items.length, page.next_offset - 1);
  return { items, total: Math.max(0, page.total - 1), next_offset: next };
}
