// Playing one linear ad in its own <video> with its own Shaka player (the creative is
// HLS like every title), firing the VAST pixels (impression at the first frame, start,
// quartiles, complete) and holding the viewer to the ad's own pace: any seek ahead of
// what has played is undone. The title's player is not even mounted meanwhile, so its
// progress and resume position cannot move. Ends (onDone) when the ad ends or fails.
import { useCallback, useEffect, useRef, useState } from "react";
import type { RefObject } from "react";
import shaka from "shaka-player";
import { clampSeek, dueQuartiles } from "../ads";
import type { AdEventName, LinearAd } from "../ads";
import { absoluteUrl } from "../streamToken";
import { installPolyfills } from "./shakaConfig";

function ping(urls: ReadonlyArray<string> | undefined): void {
  for (const url of urls ?? []) {
    void fetch(absoluteUrl(url, window.location.origin), { credentials: "omit", keepalive: true }).catch(() => {});
  }
}

export function usePreroll(videoRef: RefObject<HTMLVideoElement | null>, ad: LinearAd, onDone: () => void) {
  const [remaining, setRemaining] = useState(Number.isFinite(ad.durationS) ? ad.durationS : 0);
  const [needsPlay, setNeedsPlay] = useState(false);
  const [playing, setPlaying] = useState(false);
  const doneRef = useRef(onDone);
  doneRef.current = onDone;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    installPolyfills();
    const player = new shaka.Player();
    const sent = new Set<AdEventName>();
    let impressed = false;
    let furthest = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      doneRef.current();
    };
    const duration = () => (Number.isFinite(video.duration) && video.duration > 0 ? video.duration : ad.durationS);
    const fire = (name: AdEventName) => {
      if (sent.has(name)) return;
      sent.add(name);
      ping(ad.tracking[name]);
    };
    const onPlaying = () => {
      setPlaying(true);
      setNeedsPlay(false);
      if (!impressed) {
        impressed = true;
        ping(ad.impressionUrls);
        fire("start");
      }
    };
    const onTime = () => {
      if (!video.seeking) furthest = Math.max(furthest, video.currentTime);
      setRemaining(Math.max(0, duration() - video.currentTime));
      for (const name of dueQuartiles(video.currentTime, duration(), sent)) fire(name);
    };
    const onSeeking = () => {
      const allowed = clampSeek(video.currentTime, furthest + 0.5);
      if (allowed < video.currentTime) video.currentTime = furthest;
    };
    const onEnded = () => {
      for (const name of dueQuartiles(duration(), duration(), sent)) fire(name);
      fire("complete");
      finish();
    };
    const onPause = () => setPlaying(false);
    video.addEventListener("playing", onPlaying);
    video.addEventListener("timeupdate", onTime);
    video.addEventListener("seeking", onSeeking);
    video.addEventListener("ended", onEnded);
    video.addEventListener("pause", onPause);
    player.addEventListener("error", finish);
    const start = async () => {
      try {
        await player.attach(video);
        await player.load(absoluteUrl(ad.mediaUrl, window.location.origin));
      } catch {
        finish(); // an ad that cannot play must not keep the title from starting
        return;
      }
      video.play().catch(() => setNeedsPlay(true));
    };
    void start();
    return () => {
      video.removeEventListener("playing", onPlaying);
      video.removeEventListener("timeupdate", onTime);
      video.removeEventListener("seeking", onSeeking);
      video.removeEventListener("ended", onEnded);
      video.removeEventListener("pause", onPause);
      finished = true;
      void player.destroy();
    };
  }, [videoRef, ad]);

  const play = useCallback(() => {
    void videoRef.current?.play().catch(() => setNeedsPlay(true));
  }, [videoRef]);
  return { remaining, needsPlay, playing, play };
}
