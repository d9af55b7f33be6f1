// The one door to Shaka Player. It owns the shaka.Player lifecycle for a <video> and its
// container, mirrors the media element and Shaka's tracks into React state, and exposes
// the actions the controls need. The Player component renders; this hook decides.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import shaka from "shaka-player";
import { QoeTracker } from "../components/Player/qoe";
import { qualityOptions } from "../components/Player/tracks";
import type { QualityOption } from "../components/Player/tracks";
import type { QoeReport } from "../components/Player/qoe";
import { clamp } from "../lib/format";

export interface PlayerSource {
  /** HLS master playlist (preferred), DASH manifest (fallback). */
  hls: string | null;
  dash: string | null;
  /** Seconds to start at (the saved resume position). */
  startAt: number;
  /** WebVTT subtitles to add when the manifest does not already carry that language. */
  subtitles?: ReadonlyArray<{ url: string; language: string; label: string }>;
}

export interface AudioOption {
  key: string;
  language: string;
  label: string;
  active: boolean;
  track: shaka.extern.AudioTrack;
}

export interface TextOption {
  id: number;
  language: string;
  label: string;
}

export interface PlayerError {
  code: number;
  category: number;
  message: string;
}

export interface PlayerState {
  ready: boolean;
  /** Loaded and asked to play, but play() has not settled yet (no big play button). */
  starting: boolean;
  playing: boolean;
  buffering: boolean;
  ended: boolean;
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  volume: number;
  muted: boolean;
  rate: number;
  qualities: QualityOption[];
  /** Height chosen by hand, or null for Auto. */
  manualHeight: number | null;
  /** Height of the variant currently streamed. */
  activeHeight: number | null;
  audio: AudioOption[];
  texts: TextOption[];
  activeTextId: number | null;
  pip: boolean;
  pipSupported: boolean;
  fullscreen: boolean;
  remoteAvailable: boolean;
  error: PlayerError | null;
}

export interface PlayerControls {
  play: () => void;
  pause: () => void;
  toggle: () => void;
  seek: (seconds: number) => void;
  seekBy: (delta: number) => void;
  setVolume: (volume: number) => void;
  toggleMute: () => void;
  setRate: (rate: number) => void;
  selectQuality: (height: number | null) => void;
  selectAudio: (key: string) => void;
  selectText: (id: number | null) => void;
  toggleText: () => void;
  togglePip: () => void;
  toggleFullscreen: () => void;
  castOrRemote: () => void;
  retry: () => void;
  qoe: () => QoeReport;
}

export interface UsePlayerOptions {
  source: PlayerSource | null;
  /** Preferred subtitle language, remembered across titles. */
  preferredTextLanguage?: string | null;
  onFatalError?: (error: PlayerError) => void;
}

const VOLUME_KEY = "kinema.volume";
const MUTED_KEY = "kinema.muted";
const TEXT_KEY = "kinema.textLanguage";

let polyfilled = false;

function readNumber(key: string, fallback: number): number {
  try {
    const raw = localStorage.getItem(key);
    const value = raw === null ? NaN : Number(raw);
    return Number.isFinite(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

function remember(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Preferences are a convenience; ignore disabled storage.
  }
}

const initialState: PlayerState = {
  ready: false,
  starting: false,
  playing: false,
  buffering: true,
  ended: false,
  currentTime: 0,
  duration: 0,
  bufferedEnd: 0,
  volume: 1,
  muted: false,
  rate: 1,
  qualities: [],
  manualHeight: null,
  activeHeight: null,
  audio: [],
  texts: [],
  activeTextId: null,
  pip: false,
  pipSupported: false,
  fullscreen: false,
  remoteAvailable: false,
  error: null,
};

function toPlayerError(detail: unknown): PlayerError {
  if (detail instanceof shaka.util.Error) {
    return {
      code: Number(detail.code),
      category: Number(detail.category),
      message: `Shaka error ${String(detail.code)}`,
    };
  }
  const message = detail instanceof Error ? detail.message : String(detail);
  return { code: 0, category: 0, message };
}

export function usePlayer(options: UsePlayerOptions) {
  const { source, onFatalError } = options;
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const containerRef = useRef<HTMLDivElement | null>(null);
  const playerRef = useRef<shaka.Player | null>(null);
  const qoeRef = useRef(new QoeTracker());
  const [state, setState] = useState<PlayerState>(initialState);
  const [attempt, setAttempt] = useState(0);
  const resumeAtRef = useRef<number | null>(null);
  const onFatalRef = useRef(onFatalError);
  onFatalRef.current = onFatalError;
  const preferredTextRef = useRef<string | null>(
    options.preferredTextLanguage ?? (() => {
      try {
        return localStorage.getItem(TEXT_KEY);
      } catch {
        return null;
      }
    })(),
  );

  const patch = useCallback((update: Partial<PlayerState>) => {
    setState((prev) => ({ ...prev, ...update }));
  }, []);

  const refreshTracks = useCallback(() => {
    const player = playerRef.current;
    if (!player) return;
    const variants = player.getVariantTracks();
    const active = variants.find((t) => t.active) ?? null;
    const audio: AudioOption[] = player.getAudioTracks().map((a, i) => ({
      key: `${a.language}|${a.label ?? ""}|${a.channelsCount ?? ""}|${i}`,
      language: a.language,
      label: a.label ?? a.language,
      active: a.active,
      track: a,
    }));
    const textTracks = player.getTextTracks();
    const activeText = textTracks.find((t) => t.active) ?? null;
    const manual = !player.getConfiguration().abr.enabled;
    setState((prev) => ({
      ...prev,
      qualities: qualityOptions(variants),
      activeHeight: active?.height ?? null,
      manualHeight: manual ? (prev.manualHeight ?? active?.height ?? null) : null,
      audio,
      texts: textTracks.map((t) => ({
        id: t.id,
        language: t.language,
        label: t.label || t.language,
      })),
      // Shaka keeps a text stream "active" while hidden; the hook's own record of
      // whether captions are shown is authoritative, so keep it unless the track vanished.
      activeTextId:
        prev.activeTextId !== null && textTracks.some((t) => t.id === prev.activeTextId)
          ? prev.activeTextId
          : null,
    }));
    return activeText;
  }, []);

  // Create the Shaka player once per mounted <video>.
  useEffect(() => {
    const video = videoRef.current;
    const container = containerRef.current;
    if (!video || !container) return;
    if (!polyfilled) {
      shaka.polyfill.installAll();
      polyfilled = true;
    }
    const player = new shaka.Player(null, container);
    playerRef.current = player;
    const volume = clamp(readNumber(VOLUME_KEY, 1), 0, 1);
    video.volume = volume;
    video.muted = readNumber(MUTED_KEY, 0) === 1;
    patch({
      volume,
      muted: video.muted,
      pipSupported: "pictureInPictureEnabled" in document && document.pictureInPictureEnabled,
    });
    player.configure({
      streaming: {
        // Resilient on flaky networks, and fatal errors still surface quickly.
        retryParameters: { maxAttempts: 4, baseDelay: 500, backoffFactor: 2, timeout: 30000 },
        bufferingGoal: 30,
        rebufferingGoal: 1,
      },
      manifest: { retryParameters: { maxAttempts: 3, baseDelay: 500, timeout: 15000 } },
      // Start on a modest rung (about 1 Mb/s): the first frame needs only a small first
      // segment. The browser's own guess (Network Information) is coarse and often
      // optimistic. The first upgrade waits 2 s: Shaka switches as soon as 128 KB have
      // measured the line, which is usually while the first segment is still arriving,
      // and that segment would then be thrown away and fetched again at the new rung.
      abr: {
        enabled: true,
        defaultBandwidthEstimate: 1_000_000,
        useNetworkInformation: false,
        minTimeToSwitch: 2,
      },
    });
    const onError = (event: Event) => {
      const detail = (event as unknown as { detail: unknown }).detail;
      if (detail instanceof shaka.util.Error && detail.severity !== shaka.util.Error.Severity.CRITICAL) {
        return;
      }
      const err = toPlayerError(detail);
      qoeRef.current.fatal(err.code);
      patch({ error: err, buffering: false });
      onFatalRef.current?.(err);
    };
    const onBuffering = (event: Event) => {
      const buffering = Boolean((event as unknown as { buffering: boolean }).buffering);
      qoeRef.current.buffering(performance.now(), buffering);
      patch({ buffering });
    };
    const onVariant = (event: Event) => {
      const next = (event as unknown as { newTrack?: shaka.extern.Track }).newTrack;
      if (next) qoeRef.current.bandwidth(performance.now(), next.bandwidth);
      refreshTracks();
    };
    const onTracks = () => refreshTracks();
    player.addEventListener("error", onError);
    player.addEventListener("buffering", onBuffering);
    player.addEventListener("adaptation", onVariant);
    player.addEventListener("variantchanged", onVariant);
    player.addEventListener("trackschanged", onTracks);
    player.addEventListener("textchanged", onTracks);
    player.addEventListener("audiotrackschanged", onTracks);
    void player.attach(video);

    const media = (name: string, fn: () => void) => {
      video.addEventListener(name, fn);
      return () => video.removeEventListener(name, fn);
    };
    const offs = [
      media("playing", () => {
        qoeRef.current.playing(performance.now());
        patch({ playing: true, ended: false, buffering: false });
      }),
      media("pause", () => {
        qoeRef.current.paused(performance.now());
        patch({ playing: false });
      }),
      media("ended", () => {
        qoeRef.current.paused(performance.now());
        patch({ playing: false, ended: true });
      }),
      media("timeupdate", () => {
        const buffered = video.buffered;
        patch({
          currentTime: video.currentTime,
          bufferedEnd: buffered.length ? buffered.end(buffered.length - 1) : 0,
        });
      }),
      media("durationchange", () => patch({ duration: Number.isFinite(video.duration) ? video.duration : 0 })),
      media("volumechange", () => {
        patch({ volume: video.volume, muted: video.muted });
        remember(VOLUME_KEY, String(video.volume));
        remember(MUTED_KEY, video.muted ? "1" : "0");
      }),
      media("ratechange", () => patch({ rate: video.playbackRate })),
      media("enterpictureinpicture", () => patch({ pip: true })),
      media("leavepictureinpicture", () => patch({ pip: false })),
    ];
    const onFullscreen = () => patch({ fullscreen: document.fullscreenElement === container });
    document.addEventListener("fullscreenchange", onFullscreen);

    // Remote Playback API (Chrome's cast-to-device, AirPlay in Safari).
    let remoteWatch: number | null = null;
    const remote = (video as HTMLVideoElement & { remote?: RemotePlayback }).remote;
    if (remote && typeof remote.watchAvailability === "function") {
      remote
        .watchAvailability((available) => patch({ remoteAvailable: available }))
        .then((id) => {
          remoteWatch = id;
        })
        .catch(() => {
          // Not available for MSE playback in this browser: no cast button.
        });
    }
    return () => {
      offs.forEach((off) => off());
      document.removeEventListener("fullscreenchange", onFullscreen);
      if (remote && remoteWatch !== null) void remote.cancelWatchAvailability(remoteWatch).catch(() => {});
      playerRef.current = null;
      void player.destroy();
    };
  }, [patch, refreshTracks]);

  // Load (or reload after retry) the source.
  const hls = source?.hls ?? null;
  const dash = source?.dash ?? null;
  const startAt = source?.startAt ?? 0;
  const subtitlesRef = useRef(source?.subtitles ?? []);
  subtitlesRef.current = source?.subtitles ?? [];
  useEffect(() => {
    const player = playerRef.current;
    const video = videoRef.current;
    if (!player || !video || (!hls && !dash)) return;
    let cancelled = false;
    const from = resumeAtRef.current ?? startAt;
    resumeAtRef.current = null;
    qoeRef.current = new QoeTracker();
    qoeRef.current.loadStarted(performance.now());
    patch({ error: null, ready: false, buffering: true, ended: false });
    // When the API lists the subtitle files, play them as side-loaded WebVTT and ignore
    // the manifest's copies: Shaka defers in-manifest HLS text until the next video
    // append that carries a timestamp offset, so captions switched on mid-playback could
    // stay blank until a seek; side-loaded tracks are timed on their own.
    player.configure({ manifest: { disableText: subtitlesRef.current.length > 0 } });
    const load = async () => {
      const candidates = [hls, dash].filter((u): u is string => Boolean(u));
      let lastError: unknown = null;
      for (const uri of candidates) {
        try {
          await player.load(uri, from > 0 ? from : null);
          lastError = null;
          break;
        } catch (err) {
          if (cancelled) return;
          // LOAD_INTERRUPTED: a newer load replaced this one; nothing to report.
          if (err instanceof shaka.util.Error && err.code === shaka.util.Error.Code.LOAD_INTERRUPTED) return;
          lastError = err;
        }
      }
      if (cancelled) return;
      if (lastError !== null) {
        const e = toPlayerError(lastError);
        qoeRef.current.fatal(e.code);
        patch({ error: e, buffering: false });
        onFatalRef.current?.(e);
        return;
      }
      const active = player.getVariantTracks().find((t) => t.active);
      if (active) qoeRef.current.bandwidth(performance.now(), active.bandwidth);
      refreshTracks();
      patch({ ready: true, starting: true, duration: Number.isFinite(video.duration) ? video.duration : 0 });
      // Play first, then fetch the side-loaded subtitles: the first frame must not wait
      // for caption files that may never be switched on.
      const started = video.play().then(
        () => patch({ starting: false }),
        // Autoplay with sound can be refused (no user gesture yet): the big play button
        // shows, as on the big streaming sites, rather than starting muted.
        () => patch({ starting: false, playing: false, buffering: false }),
      );
      const inManifest = new Set(player.getTextTracks().map((t) => t.language));
      // Side-loaded tracks need a known duration, which load() has established.
      for (const sub of subtitlesRef.current) {
        if (inManifest.has(sub.language)) continue;
        try {
          await player.addTextTrackAsync(sub.url, sub.language, "subtitles", "text/vtt", undefined, sub.label);
          inManifest.add(sub.language);
        } catch {
          // A missing subtitle file must not stop playback.
        }
        if (cancelled) return;
      }
      if (cancelled) return;
      const preferred = preferredTextRef.current;
      if (preferred) {
        const track = player.getTextTracks().find((t) => t.language === preferred);
        if (track) {
          player.selectTextTrack(track);
          patch({ activeTextId: track.id });
        }
      } else {
        player.selectTextTrack(null);
      }
      refreshTracks();
      await started;
    };
    void load();
    return () => {
      cancelled = true;
    };
  }, [hls, dash, startAt, attempt, patch, refreshTracks]);

  const controls: PlayerControls = {
    play: useCallback(() => {
      void videoRef.current?.play().catch(() => {});
    }, []),
    pause: useCallback(() => videoRef.current?.pause(), []),
    toggle: useCallback(() => {
      const video = videoRef.current;
      if (!video) return;
      if (video.paused || video.ended) void video.play().catch(() => {});
      else video.pause();
    }, []),
    seek: useCallback((seconds: number) => {
      const video = videoRef.current;
      if (!video) return;
      const end = Number.isFinite(video.duration) ? video.duration : seconds;
      video.currentTime = clamp(seconds, 0, Math.max(0, end - 0.1));
    }, []),
    seekBy: useCallback((delta: number) => {
      const video = videoRef.current;
      if (!video) return;
      const end = Number.isFinite(video.duration) ? video.duration : video.currentTime + delta;
      video.currentTime = clamp(video.currentTime + delta, 0, Math.max(0, end - 0.1));
    }, []),
    setVolume: useCallback((volume: number) => {
      const video = videoRef.current;
      if (!video) return;
      video.volume = clamp(volume, 0, 1);
      if (video.volume > 0 && video.muted) video.muted = false;
    }, []),
    toggleMute: useCallback(() => {
      const video = videoRef.current;
      if (video) video.muted = !video.muted;
    }, []),
    setRate: useCallback(
      (rate: number) => {
        const video = videoRef.current;
        if (!video) return;
        video.playbackRate = clamp(rate, 0.25, 4);
        // Now, not on ratechange: a controlled radio must see its new value this render.
        patch({ rate: video.playbackRate });
      },
      [patch],
    ),
    selectQuality: useCallback(
      (height: number | null) => {
        const player = playerRef.current;
        if (!player) return;
        if (height === null) {
          player.configure({ abr: { enabled: true } });
          patch({ manualHeight: null });
          return;
        }
        const option = qualityOptions(player.getVariantTracks()).find((q) => q.height === height);
        const track = player.getVariantTracks().find((t) => t.id === option?.id);
        if (!track) return;
        player.configure({ abr: { enabled: false } });
        // Clearing the buffer makes the choice visible now, not after 30 s of old rung.
        player.selectVariantTrack(track, true);
        patch({ manualHeight: height });
      },
      [patch],
    ),
    selectAudio: useCallback(
      (key: string) => {
        const player = playerRef.current;
        const option = state.audio.find((a) => a.key === key);
        if (player && option) player.selectAudioTrack(option.track);
      },
      [state.audio],
    ),
    selectText: useCallback(
      (id: number | null) => {
        const player = playerRef.current;
        if (!player) return;
        const track = id === null ? null : player.getTextTracks().find((t) => t.id === id) ?? null;
        player.selectTextTrack(track);
        preferredTextRef.current = track?.language ?? null;
        remember(TEXT_KEY, track?.language ?? null);
        patch({ activeTextId: track ? track.id : null });
      },
      [patch],
    ),
    toggleText: useCallback(() => {
      const player = playerRef.current;
      if (!player) return;
      setState((prev) => {
        const tracks = player.getTextTracks();
        if (prev.activeTextId !== null) {
          player.selectTextTrack(null);
          remember(TEXT_KEY, null);
          preferredTextRef.current = null;
          return { ...prev, activeTextId: null };
        }
        const uiLang = document.documentElement.lang;
        const pick =
          tracks.find((t) => t.language === preferredTextRef.current) ??
          tracks.find((t) => t.language.startsWith(uiLang)) ??
          tracks[0];
        if (!pick) return prev;
        player.selectTextTrack(pick);
        preferredTextRef.current = pick.language;
        remember(TEXT_KEY, pick.language);
        return { ...prev, activeTextId: pick.id };
      });
    }, []),
    togglePip: useCallback(() => {
      const video = videoRef.current;
      if (!video) return;
      if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => {});
      else void video.requestPictureInPicture().catch(() => {});
    }, []),
    toggleFullscreen: useCallback(() => {
      const container = containerRef.current;
      if (!container) return;
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
      else void container.requestFullscreen().catch(() => {});
    }, []),
    castOrRemote: useCallback(() => {
      const video = videoRef.current as (HTMLVideoElement & {
        remote?: RemotePlayback;
        webkitShowPlaybackTargetPicker?: () => void;
      }) | null;
      if (!video) return;
      if (video.webkitShowPlaybackTargetPicker) video.webkitShowPlaybackTargetPicker();
      else if (video.remote) void video.remote.prompt().catch(() => {});
    }, []),
    retry: useCallback(() => {
      const video = videoRef.current;
      resumeAtRef.current = video && video.currentTime > 0 ? video.currentTime : null;
      setAttempt((n) => n + 1);
    }, []),
    qoe: useCallback(() => qoeRef.current.report(performance.now()), []),
  };

  // Each action is memoized above; keep the object identity stable too, so effects that
  // depend on `controls` (keyboard shortcuts) do not re-subscribe on every time update.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stable = useMemo(() => controls, Object.values(controls));
  return { videoRef, containerRef, playerRef, state, controls: stable };
}
