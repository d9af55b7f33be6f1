// Loading a source into the Shaka player: HLS first, DASH as the fallback, from the
// resume position (or from where a retry left off), then play, then the side-loaded
// subtitles and the viewer's preferred subtitle language. Runs again on a new source
// and on every reload (`attempt`). A new source or a viewer's retry begins a new viewing
// for the QoE reports (`views.begin` ends the one before it with its own report).
import { useEffect, useRef } from "react";
import type { MutableRefObject, RefObject } from "react";
import type shaka from "shaka-player";
import type { PlaybackViews } from "../qoe";
import { isLoadInterrupted } from "./shakaConfig";
import type { PatchState, PlayerSource } from "./types";
import { markAutoplay } from "../intent";
import { bootTimes, LOADED, preloadedOr } from "../warmStart";

interface Options {
  source: PlayerSource | null;
  attempt: number;
  /** The viewer's retries: a load on a new count, or of a new source, is a new viewing. */
  retries: RefObject<number>;
  videoRef: RefObject<HTMLVideoElement | null>;
  playerRef: RefObject<shaka.Player | null>;
  views: PlaybackViews;
  /** Where the next load starts instead of the source's position (set by retry). */
  resumeAtRef: MutableRefObject<number | null>;
  preferredText: RefObject<string | null>;
  patch: PatchState;
  refreshTracks: () => void;
  fail: (detail: unknown) => void;
}

export function useSourceLoading(options: Options): void {
  const { source, attempt, retries, videoRef, playerRef, views, resumeAtRef, preferredText, patch, refreshTracks, fail } = options;
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
    // A booted player's viewing began with the boot's load (its startup counts from there).
    const boot = bootTimes(player);
    views.begin(boot?.loadStartedAt ?? performance.now(), `${retries.current}|${hls ?? ""}|${dash ?? ""}`);
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
          const startAt = from > 0 ? from : null;
          // The HLS source may have been preloaded, or loaded, before this page rendered.
          const what = uri === hls ? await preloadedOr(player, uri, startAt) : uri;
          if (cancelled) return;
          if (what !== LOADED) await player.load(what, startAt);
          lastError = null;
          break;
        } catch (err) {
          if (cancelled) return;
          if (isLoadInterrupted(err)) return;
          lastError = err;
        }
      }
      if (cancelled) return;
      if (lastError !== null) {
        fail(lastError);
        return;
      }
      const active = player.getVariantTracks().find((t) => t.active);
      if (active) views.current.bandwidth(performance.now(), active.bandwidth);
      refreshTracks();
      patch({ ready: true, starting: true, duration: Number.isFinite(video.duration) ? video.duration : 0 });
      // Booted and already playing: its first frame, which no listener here saw.
      if (boot?.firstFrameAt != null && !video.paused) {
        views.playing(boot.firstFrameAt);
        patch({ playing: true, buffering: false });
      }
      // Play first, then fetch the side-loaded subtitles: the first frame must not wait
      // for caption files that may never be switched on.
      const own = markAutoplay(video);
      const started = video.play().then(
        () => {
          own.settle();
          patch({ starting: false });
        },
        // Autoplay with sound can be refused (no user gesture yet): the big play button
        // shows, as on the big streaming sites, rather than starting muted.
        () => {
          own.settle();
          patch({ starting: false, playing: false, buffering: false });
        },
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
      const preferred = preferredText.current;
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
  }, [hls, dash, startAt, attempt, retries, videoRef, playerRef, views, resumeAtRef, preferredText, patch, refreshTracks, fail]);
}
