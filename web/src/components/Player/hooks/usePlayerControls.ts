// The actions the Player's buttons, menus and keyboard shortcuts call. Each is memoized
// and the object keeps its identity while they do, so effects that depend on it (the
// keyboard shortcuts) do not re-subscribe on every time update.
import { useCallback, useMemo } from "react";
import type { Dispatch, RefObject, SetStateAction } from "react";
import type shaka from "shaka-player";
import { clamp } from "../../../lib/format";
import type { PlaybackViews } from "../qoe";
import { qualityOptions } from "../tracks";
import type { AudioOption, PatchState, PlayerControls, PlayerState } from "./types";
import { markRatePick } from "../intent";

interface Options {
  videoRef: RefObject<HTMLVideoElement | null>;
  containerRef: RefObject<HTMLDivElement | null>;
  playerRef: RefObject<shaka.Player | null>;
  views: PlaybackViews;
  audio: readonly AudioOption[];
  preferredText: RefObject<string | null>;
  setPreferredText: (language: string | null) => void;
  setState: Dispatch<SetStateAction<PlayerState>>;
  patch: PatchState;
  /** Load the source again, from where the video is (after an error). */
  reload: () => void;
}

export function usePlayerControls(options: Options): PlayerControls {
  const { videoRef, containerRef, playerRef, views, audio, preferredText, setPreferredText, setState, patch, reload } =
    options;

  const controls: PlayerControls = {
    play: useCallback(() => {
      void videoRef.current?.play().catch(() => {});
    }, [videoRef]),
    pause: useCallback(() => videoRef.current?.pause(), [videoRef]),
    toggle: useCallback(() => {
      const video = videoRef.current;
      if (!video) return;
      if (video.paused || video.ended) void video.play().catch(() => {});
      else video.pause();
    }, [videoRef]),
    seek: useCallback(
      (seconds: number) => {
        const video = videoRef.current;
        if (!video) return;
        const end = Number.isFinite(video.duration) ? video.duration : seconds;
        video.currentTime = clamp(seconds, 0, Math.max(0, end - 0.1));
      },
      [videoRef],
    ),
    seekBy: useCallback(
      (delta: number) => {
        const video = videoRef.current;
        if (!video) return;
        const end = Number.isFinite(video.duration) ? video.duration : video.currentTime + delta;
        video.currentTime = clamp(video.currentTime + delta, 0, Math.max(0, end - 0.1));
      },
      [videoRef],
    ),
    setVolume: useCallback(
      (volume: number) => {
        const video = videoRef.current;
        if (!video) return;
        video.volume = clamp(volume, 0, 1);
        if (video.volume > 0 && video.muted) video.muted = false;
      },
      [videoRef],
    ),
    toggleMute: useCallback(() => {
      const video = videoRef.current;
      if (video) video.muted = !video.muted;
    }, [videoRef]),
    setRate: useCallback(
      (rate: number) => {
        const video = videoRef.current;
        if (!video) return;
        const to = clamp(rate, 0.25, 4);
        if (Math.abs(video.playbackRate - to) > 1e-4) markRatePick(video, to);
        // Through Shaka when a stream is loaded (trickPlay, without trick-play tracks):
        // its rate controller then knows the pick at once. Set on the element alone, the
        // pick is undone when Shaka re-applies its old rate before the "ratechange" event
        // reaches it (it does when buffering ends, as after a seek).
        const player = playerRef.current;
        if (player?.getAssetUri()) player.trickPlay(to, false);
        else video.playbackRate = to;
        // Now, not on ratechange: a controlled radio must see its new value this render
        // (the element's own rate is 0 while Shaka buffers).
        patch({ rate: to });
      },
      [videoRef, playerRef, patch],
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
      [playerRef, patch],
    ),
    selectAudio: useCallback(
      (key: string) => {
        const player = playerRef.current;
        const option = audio.find((a) => a.key === key);
        if (player && option) player.selectAudioTrack(option.track);
      },
      [playerRef, audio],
    ),
    selectText: useCallback(
      (id: number | null) => {
        const player = playerRef.current;
        if (!player) return;
        const track = id === null ? null : (player.getTextTracks().find((t) => t.id === id) ?? null);
        player.selectTextTrack(track);
        setPreferredText(track?.language ?? null);
        patch({ activeTextId: track ? track.id : null });
      },
      [playerRef, setPreferredText, patch],
    ),
    toggleText: useCallback(() => {
      const player = playerRef.current;
      if (!player) return;
      setState((prev) => {
        const tracks = player.getTextTracks();
        if (prev.activeTextId !== null) {
          player.selectTextTrack(null);
          setPreferredText(null);
          return { ...prev, activeTextId: null };
        }
        const uiLang = document.documentElement.lang;
        const pick =
          tracks.find((t) => t.language === preferredText.current) ??
          tracks.find((t) => t.language.startsWith(uiLang)) ??
          tracks[0];
        if (!pick) return prev;
        player.selectTextTrack(pick);
        setPreferredText(pick.language);
        return { ...prev, activeTextId: pick.id };
      });
    }, [playerRef, preferredText, setPreferredText, setState]),
    togglePip: useCallback(() => {
      const video = videoRef.current;
      if (!video) return;
      if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => {});
      else void video.requestPictureInPicture().catch(() => {});
    }, [videoRef]),
    toggleFullscreen: useCallback(() => {
      const container = containerRef.current;
      if (!container) return;
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
      else void container.requestFullscreen().catch(() => {});
    }, [containerRef]),
    castOrRemote: useCallback(() => {
      const video = videoRef.current as
        | (HTMLVideoElement & {
            remote?: RemotePlayback;
            webkitShowPlaybackTargetPicker?: () => void;
          })
        | null;
      if (!video) return;
      if (video.webkitShowPlaybackTargetPicker) video.webkitShowPlaybackTargetPicker();
      else if (video.remote) void video.remote.prompt().catch(() => {});
    }, [videoRef]),
    retry: useCallback(() => reload(), [reload]),
    qoe: useCallback(() => views.current.report(performance.now()), [views]),
  };

  // Each action is memoized above; keep the object identity stable too.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => controls, Object.values(controls));
}
