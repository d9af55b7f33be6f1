// Google Cast, sender side. The receiver is a Cast Web Receiver (by default Google's
// Default Media Receiver, which plays HLS with its own Shaka Player); the sender hands it
// the signed manifest URL and the current position, and the TV fetches the stream itself.
//
// Why not shaka.cast.CastProxy: it speaks Shaka's private message namespace and needs a
// custom receiver app running shaka.cast.CastReceiver, so it cannot drive the Default
// Media Receiver; Shaka also plans to remove shaka.cast.* in favour of plain CAF
// receivers (shaka-player#4214, #10297). The sender SDK is loaded from Google only on a
// watch page, after playback has started, in browsers that can cast (Chrome), and never
// matters for playback: offline it simply fails and no Cast button is shown.

/** Google's Default Media Receiver (chrome.cast.media.DEFAULT_MEDIA_RECEIVER_APP_ID). */
export const DEFAULT_RECEIVER_APP_ID = "CC1AD845";
export const CAST_SENDER_URL = "https://www.gstatic.com/cv/js/sender/v1/cast_sender.js?loadCastFramework=1";
const LOAD_TIMEOUT_MS = 15_000;

/** The receiver app: `VITE_CAST_RECEIVER_APP_ID` at build time, else the default one. */
export function castReceiverAppId(configured: string | undefined = import.meta.env.VITE_CAST_RECEIVER_APP_ID): string {
  const id = configured?.trim() ?? "";
  return /^[A-Z0-9]{8}$/i.test(id) ? id.toUpperCase() : DEFAULT_RECEIVER_APP_ID;
}

// --- the small part of the Cast sender SDK (cast.framework, chrome.cast) we use ---------

export interface CastSessionLike {
  loadMedia(request: unknown): Promise<unknown>;
  getCastDevice(): { friendlyName: string };
}

export interface CastContextLike {
  setOptions(options: { receiverApplicationId: string; autoJoinPolicy: string }): void;
  getCastState(): string;
  getCurrentSession(): CastSessionLike | null;
  requestSession(): Promise<unknown>;
  addEventListener(type: string, listener: (event: { castState?: string; sessionState?: string }) => void): void;
  removeEventListener(type: string, listener: (event: { castState?: string; sessionState?: string }) => void): void;
}

export interface CastFrameworkLike {
  CastContext: { getInstance(): CastContextLike };
  CastContextEventType: { CAST_STATE_CHANGED: string; SESSION_STATE_CHANGED: string };
  CastState: { NO_DEVICES_AVAILABLE: string; CONNECTED: string };
  SessionState: { SESSION_STARTED: string; SESSION_RESUMED: string; SESSION_ENDED: string };
}

export interface ChromeCastLike {
  AutoJoinPolicy: { ORIGIN_SCOPED: string };
  media: {
    MediaInfo: new (contentId: string, contentType: string) => Record<string, unknown>;
    LoadRequest: new (mediaInfo: unknown) => Record<string, unknown>;
    GenericMediaMetadata: new () => Record<string, unknown>;
  };
}

export interface CastSdk {
  framework: CastFrameworkLike;
  chromeCast: ChromeCastLike;
}

interface CastWindow {
  isSecureContext?: boolean;
  navigator: { onLine?: boolean; userAgent?: string };
  chrome?: { cast?: ChromeCastLike };
  cast?: { framework?: CastFrameworkLike };
  __onGCastApiAvailable?: (available: boolean, reason?: string) => void;
}

/** Whether loading the sender SDK can be useful here: Chrome-family, secure, online. */
export function canLoadCastSdk(win: CastWindow): boolean {
  return Boolean(win.isSecureContext) && win.navigator.onLine !== false && typeof win.chrome === "object";
}

function sdkOf(win: CastWindow): CastSdk | null {
  const framework = win.cast?.framework;
  const chromeCast = win.chrome?.cast;
  return framework && chromeCast ? { framework, chromeCast } : null;
}

let loading: Promise<CastSdk | null> | null = null;

/**
 * Load the sender SDK once (null when it cannot load or reports no Cast support). Never
 * rejects: Cast is an extra, and playback must not notice that it failed.
 */
export function loadCastSdk(
  win: CastWindow = window as unknown as CastWindow,
  doc: Pick<Document, "createElement" | "head"> = document,
  timeoutMs = LOAD_TIMEOUT_MS,
): Promise<CastSdk | null> {
  if (loading) return loading;
  const ready = sdkOf(win);
  if (ready) return (loading = Promise.resolve(ready));
  if (!canLoadCastSdk(win)) return Promise.resolve(null);
  loading = new Promise<CastSdk | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    const done = (sdk: CastSdk | null) => {
      clearTimeout(timer);
      resolve(sdk);
    };
    win.__onGCastApiAvailable = (available) => done(available ? sdkOf(win) : null);
    const script = doc.createElement("script");
    script.src = CAST_SENDER_URL;
    script.async = true;
    script.onerror = () => done(null);
    doc.head.appendChild(script);
  }).then((sdk) => {
    if (!sdk) loading = null; // offline now, maybe not later: allow another try
    return sdk;
  });
  return loading;
}

/** Forget a loaded SDK (tests). */
export function resetCastSdk(): void {
  loading = null;
}

export interface CastMedia {
  /** Manifest URL as the page knows it (may be relative); the receiver needs it absolute. */
  url: string;
  kind: "hls" | "dash";
  title: string;
  subtitle?: string | null;
  /** Seconds into the video where the TV starts. */
  position: number;
}

/** What the receiver is asked to play: a plain description of a LoadRequest (pure). */
export function castLoadPlan(media: CastMedia, pageUrl: string) {
  return {
    contentId: new URL(media.url, pageUrl).href,
    contentType: media.kind === "hls" ? "application/x-mpegurl" : "application/dash+xml",
    // Kinema packages CMAF: without this hint the receiver expects MPEG-TS segments.
    hlsSegmentFormat: media.kind === "hls" ? "fmp4" : undefined,
    hlsVideoSegmentFormat: media.kind === "hls" ? "fmp4" : undefined,
    streamType: "BUFFERED",
    title: media.title,
    subtitle: media.subtitle ?? undefined,
    currentTime: Math.max(0, Math.floor(media.position)),
  };
}

/** Ask the session's receiver to play `media` from its position. */
export function castLoad(sdk: CastSdk, session: CastSessionLike, media: CastMedia, pageUrl: string): Promise<unknown> {
  const plan = castLoadPlan(media, pageUrl);
  const info = new sdk.chromeCast.media.MediaInfo(plan.contentId, plan.contentType);
  info.streamType = plan.streamType;
  if (plan.hlsSegmentFormat) {
    info.hlsSegmentFormat = plan.hlsSegmentFormat;
    info.hlsVideoSegmentFormat = plan.hlsVideoSegmentFormat;
  }
  const metadata = new sdk.chromeCast.media.GenericMediaMetadata();
  metadata.title = plan.title;
  if (plan.subtitle) metadata.subtitle = plan.subtitle;
  info.metadata = metadata;
  const request = new sdk.chromeCast.media.LoadRequest(info);
  request.currentTime = plan.currentTime;
  request.autoplay = true;
  return session.loadMedia(request);
}
