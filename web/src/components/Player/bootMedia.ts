// What a booted watch page fetches before Shaka has even loaded (boot/watchBoot.ts): the
// master playlist, and from it the media playlists, init segments and first segments
// that Shaka's first load will ask for, chosen the way Shaka chooses them. Shaka then
// finds them here (warmStart.ts puts a networking scheme in front of its fetch plugin)
// and its load needs no round trip. A guess that misses costs bytes, never correctness:
// anything not here when Shaka asks is fetched by Shaka as usual.

/** One variant of a master playlist: its bandwidth, media playlist, audio group and
 *  codecs (the CODECS attribute's list, empty when the playlist names none). */
export interface Variant {
  bandwidth: number;
  uri: string;
  audio: string | null;
  codecs: string[];
}

/** A master playlist's variants (in order) and each audio group's default rendition. */
export interface Master {
  variants: Variant[];
  audio: Map<string, string>;
}

function attributes(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of line.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const value = m[2] ?? "";
    out.set(m[1] ?? "", value.startsWith('"') ? value.slice(1, -1) : value);
  }
  return out;
}

export function parseMaster(text: string): Master {
  const variants: Variant[] = [];
  const audio = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.startsWith("#EXT-X-MEDIA:")) {
      const a = attributes(line.slice(13));
      const group = a.get("GROUP-ID");
      const uri = a.get("URI");
      if (a.get("TYPE") !== "AUDIO" || !group || !uri) return;
      // The group's DEFAULT=YES rendition, else its first.
      if (a.get("DEFAULT") === "YES" || !audio.has(group)) audio.set(group, uri);
    } else if (line.startsWith("#EXT-X-STREAM-INF:")) {
      const a = attributes(line.slice(18));
      const uri = lines.slice(i + 1).find((l) => l.trim() && !l.startsWith("#"));
      const bandwidth = Number(a.get("BANDWIDTH"));
      const codecs = (a.get("CODECS") ?? "").split(",").map((c) => c.trim()).filter(Boolean);
      if (uri && Number.isFinite(bandwidth)) variants.push({ bandwidth, uri: uri.trim(), audio: a.get("AUDIO") ?? null, codecs });
    }
  });
  return { variants, audio };
}

/**
 * The variant Shaka's SimpleAbrManager starts on at `estimate` bits/s: by bandwidth, the
 * highest whose bandwidth over 0.95 (its downgrade target) the estimate covers, while
 * the next one up over 0.85 (its upgrade target) stays above it.
 */
export function startVariant(variants: Variant[], estimate: number): Variant | null {
  const sorted = [...variants].sort((a, b) => a.bandwidth - b.bandwidth);
  let chosen = sorted[0] ?? null;
  sorted.forEach((item, i) => {
    const next = sorted.slice(i + 1).find((v) => v.bandwidth !== item.bandwidth);
    const max = next ? next.bandwidth / 0.85 : Infinity;
    if (estimate >= item.bandwidth / 0.95 && estimate <= max && chosen?.bandwidth !== item.bandwidth) chosen = item;
  });
  return chosen;
}

/** A media playlist's segments from the one holding `startAt` (the first when null):
 *  at most `count` of them, each with its start time, and the init segment they need
 *  (null when the playlist has none); URIs are relative to the playlist. */
export function runway(
  text: string,
  startAt: number | null,
  count: number,
): { init: string | null; segments: { uri: string; start: number }[] } {
  let init: string | null = null;
  let time = 0;
  let duration = 0;
  let last: { uri: string; start: number; init: string | null } | null = null;
  let run: { init: string | null; segments: { uri: string; start: number }[] } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#EXT-X-MAP:")) {
      init = attributes(line.slice(11)).get("URI") ?? init;
    } else if (line.startsWith("#EXTINF:")) {
      const parsed = Number.parseFloat(line.slice(8));
      duration = Number.isFinite(parsed) ? parsed : 0;
    } else if (line && !line.startsWith("#")) {
      last = { uri: line, start: time, init };
      time += duration;
      if (!run && (startAt ?? 0) < time) run = { init, segments: [] };
      if (!run) continue;
      // Another init segment would need a reset that a runway does not make.
      if (init !== run.init) break;
      run.segments.push({ uri: last.uri, start: last.start });
      if (run.segments.length >= count) break;
    }
  }
  // Past the end: the last segment, as a player seeking there would fetch.
  if (!run && last) run = { init: last.init, segments: [{ uri: last.uri, start: last.start }] };
  return run ?? { init: null, segments: [] };
}

/** A media playlist's init segment and the segment holding `startAt` (the first when
 *  null), as URIs relative to the playlist. */
export function startSegments(text: string, startAt: number | null): string[] {
  const { init, segments } = runway(text, startAt, 1);
  return [...(init ? [init] : []), ...segments.map((s) => s.uri)];
}

/** The body of each URL fetched so far, by URL (null: the fetch failed). */
export type Fetched = (url: string) => Promise<ArrayBuffer>;

/** Fetch what Shaka's first load of `masterUrl` from `startAt` will ask for, at a
 *  bandwidth estimate of `estimate` bits/s, with `get` (which fetches a URL once). */
export async function prefetchStart(get: Fetched, masterUrl: string, startAt: number | null, estimate: number): Promise<void> {
  const text = (url: string) => get(url).then((b) => new TextDecoder().decode(b));
  const master = parseMaster(await text(masterUrl));
  const variant = startVariant(master.variants, estimate);
  if (!variant) return;
  const audio = variant.audio ? master.audio.get(variant.audio) : undefined;
  await Promise.all(
    [variant.uri, audio].map(async (uri) => {
      if (!uri) return;
      const playlist = new URL(uri, masterUrl).href;
      const segments = startSegments(await text(playlist), startAt);
      await Promise.all(segments.map((segment) => get(new URL(segment, playlist).href).catch(() => null)));
    }),
  );
}

// The page's side: the prefetch runs in a worker (bootWorker.ts), whose fetches and
// parsing go on while the page's one thread is busy evaluating Shaka; each body comes
// back as a message and waits here for Shaka to ask.
const cache = new Map<string, ArrayBuffer>();
const pending = new Map<string, Promise<ArrayBuffer>>();

/** A message from the worker: a body fetched, or the prefetch is over. */
export type WorkerMessage = { url: string; data: ArrayBuffer } | { done: true };

/**
 * A worker ready to prefetch (made early, so that its start-up overlaps the playback
 * request): call the result with the master playlist to prefetch from, or with null to
 * let it go. Same-origin sources only (no cookies or CORS to second-guess).
 */
export function prefetcher(): (masterUrl: string | null, startAt?: number | null, estimate?: number) => void {
  let worker: Worker | null = new Worker(new URL("./bootWorker.ts", import.meta.url), { type: "module" });
  const stop = () => {
    worker?.terminate();
    worker = null;
  };
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
    if ("done" in event.data) stop();
    else keepPrefetched(event.data.url, event.data.data);
  };
  worker.onerror = stop;
  return (masterUrl, startAt = null, estimate = 0) => {
    if (!masterUrl || new URL(masterUrl).origin !== window.location.origin) stop();
    else worker?.postMessage({ masterUrl, startAt, estimate });
  };
}

/** Keep a prefetched body until Shaka asks for `url`. */
export function keepPrefetched(url: string, data: ArrayBuffer): void {
  pending.delete(url);
  cache.set(url, data);
}

/** Keep a body still on its way for Shaka: asked for before it is in, Shaka waits for
 *  it rather than fetching it a second time. A failed fetch is forgotten. */
export function keepPending(url: string, body: Promise<ArrayBuffer>): void {
  pending.set(url, body);
  body.then(
    (data) => {
      if (pending.get(url) === body) keepPrefetched(url, data);
    },
    () => {
      if (pending.get(url) === body) pending.delete(url);
    },
  );
}

/** The prefetched body for a plain GET of `uri`, once: the body, a promise of a body
 *  still on its way, or null when there is none. */
export function takePrefetched(uri: string, method: string, headers: Record<string, string>): ArrayBuffer | Promise<ArrayBuffer> | null {
  if (method !== "GET" || Object.keys(headers).some((h) => h.toLowerCase() === "range")) return null;
  const body = cache.get(uri) ?? pending.get(uri) ?? null;
  cache.delete(uri);
  pending.delete(uri);
  return body;
}
