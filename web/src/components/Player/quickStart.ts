// A cold watch page's first frame before Shaka has run at all (boot/watchBoot.ts).
// Evaluating Shaka's 700 KB takes about 100 ms of the page's one thread, and its first
// load about as much again: more than a plain page's hls.js needs for both. So the boot
// plays the start of the stream itself, through Media Source Extensions, on a <video> of
// its own: the master playlist, the start variant's media playlists (the variant Shaka
// would pick, bootMedia.ts), their init segments and a runway of segments from the start
// position on. It fetches each once and keeps it for Shaka too (keepPrefetched). Shaka
// then loads on a second <video> beneath this one and takes over on a frame both show
// (warmStart.ts, bootPlay).
//
// Anything unusual gives up rather than guess: no MSE, no CODECS attribute, a codec the
// browser cannot play, segments whose timestamps are not the playlist's times. The boot
// then loads Shaka the usual way, with whatever this fetched still kept for it.
import { keepPending, parseMaster, runway, startVariant } from "./bootMedia";
import { savedVolume } from "./preferences";

/** The class of a booted <video> until the Player adopts it (full window, in global.css). */
export const BOOT_VIDEO_CLASS = "player__video--boot";

/** Segments appended from the start position on: Shaka loads beneath well within them. */
const RUNWAY_SEGMENTS = 2;

/** How far (s) a segment's own timestamps may sit from its time in the playlist. */
const TIMELINE_SLACK_S = 0.5;

const AUDIO_CODEC = /^(mp4a|ac-3|ec-3|opus|flac|alac)\b/i;

/** A quick start under way on its <video>. */
export interface QuickStart {
  readonly video: HTMLVideoElement;
  /** performance.now() when it began: a viewing's startup counts from here. */
  readonly startedAt: number;
  /** performance.now() of the video's first `playing`, null before it. */
  readonly firstFrameAt: () => number | null;
  /** True once the video plays; false when it cannot (autoplay refused, or given up). */
  readonly playing: Promise<boolean>;
  /** Stop fetching and appending, and take the <video> out of the page (its media
   *  source with it). */
  stop(): void;
}

/** A full-window <video> for the boot, at the viewer's remembered volume. */
export function bootVideoElement(): HTMLVideoElement {
  const video = document.createElement("video");
  video.className = BOOT_VIDEO_CLASS;
  video.playsInline = true;
  const saved = savedVolume();
  video.volume = saved.volume;
  video.muted = saved.muted;
  return video;
}

/** Whether this browser has the Media Source Extensions a quick start needs. */
export function quickStartSupported(): boolean {
  return typeof MediaSource !== "undefined" && typeof MediaSource.isTypeSupported === "function";
}

/** A variant's CODECS list told into its video and audio codecs. */
export function splitCodecs(codecs: readonly string[]): { video: string[]; audio: string[] } {
  return {
    video: codecs.filter((c) => !AUDIO_CODEC.test(c)),
    audio: codecs.filter((c) => AUDIO_CODEC.test(c)),
  };
}

/** The SourceBuffer types for a variant: its video playlist's, and its audio group's
 *  rendition's when it has one (else any audio codec is muxed into the video). */
export function trackTypes(codecs: readonly string[], separateAudio: boolean): { video: string; audio: string | null } | null {
  const { video, audio } = splitCodecs(codecs);
  if (video.length === 0) return null;
  if (!separateAudio) return { video: `video/mp4; codecs="${[...video, ...audio].join(",")}"`, audio: null };
  return { video: `video/mp4; codecs="${video.join(",")}"`, audio: audio.length > 0 ? `audio/mp4; codecs="${audio.join(",")}"` : null };
}

function once(target: EventTarget, type: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException("stopped", "AbortError"));
    // Whichever comes first takes every listener away.
    const listening = new AbortController();
    const settle = (error?: Error) => {
      listening.abort();
      if (error) reject(error);
      else resolve();
    };
    const options = { once: true, signal: listening.signal };
    target.addEventListener(type, () => settle(), options);
    target.addEventListener("error", () => settle(new Error(`${type} failed`)), options);
    signal.addEventListener("abort", () => settle(new DOMException("stopped", "AbortError")), options);
  });
}

async function append(buffer: SourceBuffer, data: ArrayBuffer, signal: AbortSignal): Promise<void> {
  const done = once(buffer, "updateend", signal);
  buffer.appendBuffer(data);
  await done;
}

async function play(video: HTMLVideoElement, masterUrl: string, startAt: number | null, estimate: number, signal: AbortSignal): Promise<void> {
  const fetched = new Map<string, Promise<ArrayBuffer>>();
  const get = (url: string): Promise<ArrayBuffer> => {
    let body = fetched.get(url);
    if (!body) {
      body = fetch(url, { credentials: "same-origin", signal }).then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status} for ${url}`);
        return r.arrayBuffer();
      });
      fetched.set(url, body);
      // Shaka gets its own copy (appending does not detach, but Shaka may parse in place),
      // and waits for one still on its way rather than fetch it twice.
      keepPending(url, body.then((data) => data.slice(0)));
    }
    return body;
  };
  const text = (url: string) => get(url).then((b) => new TextDecoder().decode(b));

  const master = parseMaster(await text(masterUrl));
  const variant = startVariant(master.variants, estimate);
  const audioUri = variant?.audio ? master.audio.get(variant.audio) : undefined;
  const types = variant ? trackTypes(variant.codecs, audioUri !== undefined) : null;
  if (!variant || !types) throw new Error("the master playlist names no playable variant");
  const tracks = [{ uri: variant.uri, type: types.video }];
  if (audioUri && types.audio) tracks.push({ uri: audioUri, type: types.audio });
  if (!tracks.every((t) => MediaSource.isTypeSupported(t.type))) throw new Error("a codec this browser cannot play");
  // Playlists and media come in while the media source opens.
  const runways = tracks.map(async ({ uri }) => {
    const playlist = new URL(uri, masterUrl).href;
    const { init, segments } = runway(await text(playlist), startAt, RUNWAY_SEGMENTS);
    const [first, ...rest] = segments.map((s) => new URL(s.uri, playlist).href);
    if (!init || !first) throw new Error("a media playlist without an init segment or segments");
    const start = [get(new URL(init, playlist).href), get(first)];
    // The rest of the runway only once the first segment is in: on a slow link it
    // would otherwise share the bandwidth that first frame waits for.
    const more = start[1]!.then(() => rest.map(get));
    more.catch(() => {});
    return { start, more, time: segments[0]?.start ?? 0 };
  });
  runways.forEach((r) => r.catch(() => {}));

  const source = new MediaSource();
  const objectUrl = URL.createObjectURL(source);
  video.src = objectUrl;
  await once(source, "sourceopen", signal);
  URL.revokeObjectURL(objectUrl);
  // Every SourceBuffer is added before anything is appended to any of them.
  const buffers = tracks.map((t) => source.addSourceBuffer(t.type));
  let first = 0;
  const feeds = buffers.map(async (buffer, i) => {
    const { start, more, time } = await runways[i]!;
    for (const body of start) await append(buffer, await body, signal);
    // Shaka will place segments by the playlist's times: so must this.
    if (buffer.buffered.length === 0 || Math.abs(buffer.buffered.start(0) - time) > TIMELINE_SLACK_S) {
      throw new Error("segment timestamps that are not the playlist's times");
    }
    first = Math.max(first, buffer.buffered.start(0));
    return async () => {
      for (const body of await more) await append(buffer, await body, signal);
    };
  });
  const fillUps = await Promise.all(feeds);
  // From the start position, or from where both tracks have media (a gap of a few ms
  // before the first frame would otherwise hold playback).
  video.currentTime = Math.max(startAt ?? 0, first);
  fillUps.forEach((fillUp) => void fillUp().catch(() => {}));
  await video.play();
}

/**
 * Play the start of `masterUrl` (from `startAt`, on the variant Shaka would pick at
 * `estimate` bits/s) on `video`, which the caller has put in the page (the caller also
 * checked `quickStartSupported`). Same-origin sources only: the boot does not
 * second-guess cookies or CORS.
 */
export function quickStart(video: HTMLVideoElement, masterUrl: string, startAt: number | null, estimate: number): QuickStart {
  const startedAt = performance.now();
  const controller = new AbortController();
  let firstFrameAt: number | null = null;
  video.addEventListener("playing", () => (firstFrameAt ??= performance.now()), { once: true });
  const sameOrigin = new URL(masterUrl).origin === window.location.origin;
  const started = sameOrigin ? play(video, masterUrl, startAt, estimate, controller.signal) : Promise.reject(new Error("not a same-origin source"));
  // play() settles as its `playing` event fires: true means the first frame is up.
  const playing = started.then(
    () => true,
    () => false,
  );
  return {
    video,
    startedAt,
    firstFrameAt: () => firstFrameAt,
    playing,
    stop: () => {
      controller.abort();
      video.pause();
      video.removeAttribute("src");
      video.load();
      video.remove();
    },
  };
}
