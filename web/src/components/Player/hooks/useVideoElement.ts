// The Player's <video>, made here rather than rendered by React, so that a watch page
// started before the app ran (boot/watchBoot.ts) keeps playing on the element it already
// has: that element is adopted into the player's slot (a move within the document, which
// does not interrupt playback), anywhere else a new one is made.
import { useLayoutEffect, useRef } from "react";
import type { RefObject } from "react";
import { adoptBootVideo } from "../warmStart";

interface Handlers {
  click: () => void;
  dblclick: () => void;
}

/** Fills `videoRef` before any effect reads it; returns the ref of the slot to render. */
export function useVideoElement(videoRef: RefObject<HTMLVideoElement | null>, handlers: Handlers): RefObject<HTMLDivElement | null> {
  const slotRef = useRef<HTMLDivElement | null>(null);
  // Kept across an effect run twice (React's StrictMode): the same element comes back.
  const elementRef = useRef<HTMLVideoElement | null>(null);
  const latest = useRef(handlers);
  latest.current = handlers;

  useLayoutEffect(() => {
    const slot = slotRef.current;
    if (!slot) return;
    const video = (elementRef.current ??= adoptBootVideo() ?? document.createElement("video"));
    video.classList.add("player__video");
    video.playsInline = true;
    if (video.parentNode !== slot) slot.replaceChildren(video);
    videoRef.current = video;
    const click = () => latest.current.click();
    const dblclick = () => latest.current.dblclick();
    video.addEventListener("click", click);
    video.addEventListener("dblclick", dblclick);
    return () => {
      video.removeEventListener("click", click);
      video.removeEventListener("dblclick", dblclick);
      videoRef.current = null;
    };
  }, [videoRef]);

  return slotRef;
}
