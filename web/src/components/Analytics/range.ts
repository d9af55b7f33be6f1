// Date ranges of the analytics pages: presets (today, 7 and 30 days) and the inputs'
// YYYY-MM-DD days, as UTC instants (the API's buckets are UTC).
export type Preset = "today" | "7d" | "30d" | "custom";

export function dayStart(day: string): string {
  return `${day}T00:00:00Z`;
}

export function nextDayStart(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The [from, to] days (inclusive) of a preset, ending today (UTC). */
export function presetDays(preset: Exclude<Preset, "custom">, now: Date = new Date()): [string, string] {
  const to = isoDay(now);
  const back = preset === "today" ? 0 : preset === "7d" ? 6 : 29;
  const from = new Date(now);
  from.setUTCDate(from.getUTCDate() - back);
  return [isoDay(from), to];
}

/** Hours for ranges of up to two days, days beyond. */
export function grainFor(from: string, to: string): "hour" | "day" {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  return days <= 2 ? "hour" : "day";
}
