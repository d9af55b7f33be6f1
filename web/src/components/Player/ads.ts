// Pre-roll ads: reading the API's VAST 4 answer, and which tracking pixels are due.
// Pure (the VAST is parsed with the browser's DOMParser handed in), so the quartile
// rules are tested without a browser.

export type AdEventName = "start" | "firstQuartile" | "midpoint" | "thirdQuartile" | "complete";

export interface LinearAd {
  /** The creative's HLS master (signed, short-lived). */
  mediaUrl: string;
  durationS: number;
  title: string;
  impressionUrls: string[];
  tracking: Partial<Record<AdEventName, string[]>>;
}

const VAST_NS = "http://www.iab.com/VAST";

/** "HH:MM:SS(.mmm)" to seconds; NaN when malformed. */
export function parseVastDuration(text: string): number {
  const m = /^\s*(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** The first InLine linear ad with an HLS MediaFile, or null (an empty VAST, or one we
 * cannot play: then the title starts at once). */
export function parseVast(xml: string, parser: DOMParser): LinearAd | null {
  const doc = parser.parseFromString(xml, "application/xml");
  if (doc.getElementsByTagName("parsererror").length > 0) return null;
  const all = (parent: Element | Document, tag: string) => Array.from(parent.getElementsByTagNameNS(VAST_NS, tag));
  const text = (el: Element | undefined) => (el?.textContent ?? "").trim();
  const inline = all(doc, "InLine")[0];
  if (!inline) return null;
  const linear = all(inline, "Linear")[0];
  if (!linear) return null;
  const media = all(linear, "MediaFile").find((m) => /mpegurl/i.test(m.getAttribute("type") ?? ""));
  const mediaUrl = text(media);
  if (!mediaUrl) return null;
  const tracking: Partial<Record<AdEventName, string[]>> = {};
  for (const el of all(linear, "Tracking")) {
    const name = el.getAttribute("event") as AdEventName | null;
    const url = text(el);
    if (!name || !url) continue;
    (tracking[name] ??= []).push(url);
  }
  return {
    mediaUrl,
    durationS: parseVastDuration(text(all(linear, "Duration")[0])),
    title: text(all(inline, "AdTitle")[0]),
    impressionUrls: all(inline, "Impression").map(text).filter(Boolean),
    tracking,
  };
}

const QUARTILES: ReadonlyArray<[AdEventName, number]> = [
  ["firstQuartile", 0.25],
  ["midpoint", 0.5],
  ["thirdQuartile", 0.75],
];

/** The progress events reached at `position` of `duration` and not sent yet. */
export function dueQuartiles(position: number, duration: number, sent: ReadonlySet<AdEventName>): AdEventName[] {
  if (!(duration > 0)) return [];
  return QUARTILES.filter(([name, at]) => !sent.has(name) && position >= at * duration).map(([name]) => name);
}

/** Where the ad may be: never ahead of what has played (no seeking past the ad). */
export function clampSeek(target: number, furthest: number): number {
  return Math.min(target, furthest);
}
