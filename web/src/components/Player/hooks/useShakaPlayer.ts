// The shaka.Player of one mounted <video>: created with Kinema's configuration and
// request filter, attached, destroyed on unmount, and its events (errors, buffering,
// adaptation, track changes) turned into player state and QoE facts. Loading a source is
// useSourceLoading's job.
import { useCallback, useEffect, useRef } from "react";
import type { Dispatch, MutableRefObject, RefObject, SetStateAction } from "react";
import shaka from "shaka-player";
import type { PlaybackViews } from "../qoe";
import { adoptWarmPlayer } from "../warmStart";
import { qualityOptions } from "../tracks";
import { installPolyfills, isCritical, SHAKA_CONFIG, toPlayerError } from "./shakaConfig";
import type { AudioOption, PatchState, PlayerError, PlayerState } from "./types";

interface Options {
  videoRef: RefObject<HTMLVideoElement | null>;
  containerRef: RefObject<HTMLDivElement | null>;
  playerRef: MutableRefObject<shaka.Player | null>;
  views: PlaybackViews;
  setState: Dispatch<SetStateAction<PlayerState>>;
  patch: PatchState;
  /** Show a fatal error (overlay, QoE, the page). */
  showError: (error: PlayerError) => void;
  /** Runs on every request before it goes out (stable: registered once). */
  requestFilter: shaka.extern.RequestFilter | null;
  /** Sees every error first, fatal or not; true when it took care of it. */
  intercept: (detail: unknown) => boolean;
}

export function useShakaPlayer(options: Options) {
  const { videoRef, containerRef, playerRef, views, setState, patch, showError, requestFilter, intercept } = options;
  const interceptRef = useRef(intercept);
  interceptRef.current = intercept;

  /** Mirror Shaka's variant, audio and text tracks into state. */
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
    const manual = !player.getConfiguration().abr.enabled;
    views.current.variant(active?.height, active?.width);
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
  }, [playerRef, views, setState]);

  /** A fatal error, unless the interceptor takes care of it. */
  const fail = useCallback(
    (detail: unknown) => {
      if (!interceptRef.current(detail)) showError(toPlayerError(detail));
    },
    [showError],
  );

  // Create the Shaka player once per mounted <video>.
  useEffect(() => {
    const video = videoRef.current;
    const container = containerRef.current;
    if (!video || !container) return;
    installPolyfills();
    // A cold watch page started its player before this render (warmStart.ts): take it,
    // with the <video> the Player adopted when it was booted.
    const warm = adoptWarmPlayer();
    const player = warm ?? new shaka.Player(null, container);
    if (warm) warm.setVideoContainer(container);
    playerRef.current = player;
    player.configure(SHAKA_CONFIG);
    if (requestFilter) player.getNetworkingEngine()?.registerRequestFilter(requestFilter);
    const onError = (event: Event) => {
      const detail = (event as unknown as { detail: unknown }).detail;
      if (interceptRef.current(detail)) return;
      if (isCritical(detail)) showError(toPlayerError(detail));
    };
    const onBuffering = (event: Event) => {
      const buffering = Boolean((event as unknown as { buffering: boolean }).buffering);
      views.current.buffering(performance.now(), buffering);
      patch({ buffering });
    };
    const onVariant = (event: Event) => {
      const next = (event as unknown as { newTrack?: shaka.extern.Track }).newTrack;
      if (next) {
        views.current.bandwidth(performance.now(), next.bandwidth);
        views.current.variant(next.height, next.width);
      }
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
    if (player.getMediaElement() === video) {
      // A booted player, attached (and maybe playing) already: attaching again would
      // unload. It loaded with no container, so Shaka gave it the browser's own text
      // tracks (<track src="data:..."> elements, which the page's CSP refuses); a new
      // factory makes Shaka build its text displayer again, in the container.
      const factory = player.getConfiguration().textDisplayFactory;
      player.configure({ textDisplayFactory: (p: shaka.Player) => factory(p) });
    } else {
      void player.attach(video);
    }
    return () => {
      playerRef.current = null;
      void player.destroy();
    };
  }, [videoRef, containerRef, playerRef, views, patch, refreshTracks, showError, requestFilter]);

  return { refreshTracks, fail };
}
