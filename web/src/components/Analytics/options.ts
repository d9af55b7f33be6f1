// The filters' options: the values the API found in the range's rollups
// (GET /admin/analytics/dimensions), plus the value chosen now when the new range has
// none of it, so a select never silently shows "All" while a filter still applies.
export interface Option {
  value: string;
  label: string;
}

export function withChosen(options: readonly Option[] | undefined, chosen: string): Option[] {
  const list = [...(options ?? [])];
  if (chosen && !list.some((o) => o.value === chosen)) list.push({ value: chosen, label: chosen });
  return list;
}

/** Which filters a page honours: Overview and Business (figures from billing and stream
 *  leases) and Pipeline (transcode jobs) take the date range only. */
export type FilterKind = "range" | "all";
export function filterKind(page: string): FilterKind {
  return page === "qoe" || page === "content" || page === "audience" ? "all" : "range";
}

/** A label for a period [start, end) in UTC, e.g. "3 Dec 00:00 – 15:20". */
export function periodLabel(start: string, end: string, lang: string): string {
  const s = new Date(start);
  const e = new Date(end);
  const day = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" });
  const time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
  const sameDay = s.toISOString().slice(0, 10) === e.toISOString().slice(0, 10);
  const endOfDay = e.getTime() - s.getTime() <= 86_400_000 && e.toISOString().slice(11) === "00:00:00.000Z";
  const tail = sameDay || endOfDay ? (endOfDay ? "24:00" : time.format(e)) : `${day.format(e)} ${time.format(e)}`;
  return `${day.format(s)} ${time.format(s)} – ${tail}`;
}
