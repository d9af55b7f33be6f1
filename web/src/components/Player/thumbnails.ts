// Trickplay thumbnails: a WebVTT file whose cues point at regions of sprite images
// (`sprite.jpg#xywh=x,y,w,h`). Parsing is pure so the seek bar only does lookups.

export interface ThumbnailCue {
  start: number;
  end: number;
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export function parseVttTime(text: string): number {
  const parts = text.trim().split(":");
  let seconds = 0;
  for (const part of parts) seconds = seconds * 60 + Number(part.replace(",", "."));
  return seconds;
}

/** Parse a thumbnails WebVTT; image URLs are resolved against `baseUrl`, and the
 * VTT's own query string (a signed-URL token) is carried to relative image URLs that
 * have none, so sprites load under the same signature. */
export function parseThumbnailsVtt(text: string, baseUrl: string): ThumbnailCue[] {
  const cues: ThumbnailCue[] = [];
  const base = new URL(baseUrl, typeof window === "undefined" ? undefined : window.location.href);
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const arrow = line.indexOf("-->");
    if (arrow < 0) continue;
    const start = parseVttTime(line.slice(0, arrow));
    const end = parseVttTime((line.slice(arrow + 3).trim().split(/\s+/)[0] ?? "0"));
    const target = (lines[i + 1] ?? "").trim();
    if (!target) continue;
    const [path = "", fragment = ""] = target.split("#");
    const url = new URL(path, base);
    if (!/^[a-z]+:/i.test(path) && !url.search && base.search) url.search = base.search;
    const match = /xywh=(\d+),(\d+),(\d+),(\d+)/.exec(fragment);
    const [x, y, w, h] = match ? match.slice(1).map(Number) : [0, 0, 0, 0];
    cues.push({ start, end, url: url.toString(), x: x ?? 0, y: y ?? 0, w: w ?? 0, h: h ?? 0 });
  }
  return cues;
}

export function thumbnailAt(cues: readonly ThumbnailCue[], time: number): ThumbnailCue | null {
  let lo = 0;
  let hi = cues.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const cue = cues[mid]!;
    if (time < cue.start) hi = mid - 1;
    else if (time >= cue.end) lo = mid + 1;
    else return cue;
  }
  return null;
}
