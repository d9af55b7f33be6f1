// The <video> element and the page around it, mirrored into player state: play/pause/
// end, time and buffer, volume (restored from and saved to preferences), rate, Picture-
// in-Picture, full screen, and whether the Remote Playback API has a device to offer.
import { useEffect } from "react";
import type { RefObject } from "react";
import type { PlaybackViews } from "../qoe";
import { rememberVolume, savedVolume } from "../preferences";
import type { PatchState } from "./types";

interface Options {
  videoRef: RefObject<HTMLVideoElement | null>;
  containerRef: RefObject<HTMLDivElement | null>;
  views: PlaybackViews;
  patch: PatchState;
}

export function useMediaState({ videoRef, containerRef, views, patch }: Options): void {
  useEffect(() => {
    const video = videoRef.current;
    const container = containerRef.current;
    if (!video || !container) return;
    const saved = savedVolume();
    video.volume = saved.volume;
    video.muted = saved.muted;
    patch({
      volume: saved.volume,
      muted: video.muted,
      pipSupported: "pictureInPictureEnabled" in document && document.pictureInPictureEnabled,
    });

    const media = (name: string, fn: () => void) => {
      video.addEventListener(name, fn);
      return () => video.removeEventListener(name, fn);
    };
    const offs = [
      media("playing", () => {
        views.playing(performance.now());
        patch({ playing: true, ended: false, buffering: false });
      }),
      media("pause", () => {
        views.current.paused(performance.now());
        patch({ playing: false });
      }),
      media("ended", () => {
        views.current.paused(performance.now());
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
        rememberVolume(video.volume, video.muted);
      }),
      // Shaka holds the element's rate at 0 while it buffers and puts the chosen one back
      // after: the menu keeps showing the chosen speed meanwhile (a pick made during a
      // stall stays checked instead of showing no speed at all).
      media("ratechange", () => {
        if (video.playbackRate > 0) patch({ rate: video.playbackRate });
      }),
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
    };
  }, [videoRef, containerRef, views, patch]);
}
