// The Audience heatmap's grid: the API's 7 × 24 cells (weekday 0 = Monday) as rows of
// hours, each with its share of the busiest cell (0..1) for the colour.
export interface Cell {
  weekday: number;
  hour: number;
  plays: number;
  watch_hours: number;
}

export interface GridCell extends Cell {
  level: number;
}

export function heatGrid(cells: Cell[]): GridCell[][] {
  const max = Math.max(0, ...cells.map((c) => c.plays));
  const rows: GridCell[][] = Array.from({ length: 7 }, (_, weekday) =>
    Array.from({ length: 24 }, (_, hour) => ({ weekday, hour, plays: 0, watch_hours: 0, level: 0 })),
  );
  for (const c of cells) {
    const row = rows[c.weekday];
    if (!row || c.hour < 0 || c.hour > 23) continue;
    row[c.hour] = { ...c, level: max > 0 ? c.plays / max : 0 };
  }
  return rows;
}

/** Localised short weekday names, Monday first. */
export function weekdayNames(lang: string): string[] {
  const monday = Date.UTC(2024, 0, 1); // a Monday
  const format = new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" });
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(monday + i * 86_400_000)));
}
