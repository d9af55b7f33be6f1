// Live processing status over Server-Sent Events (GET /api/v1/admin/videos/events).
// Returns whether the stream is connected; callers poll only while it is not, so a
// proxy that buffers or drops event streams falls back to polling by itself. EventSource
// reconnects on its own after an error.
import { useEffect, useState } from "react";
import type { AdminVideoPublic } from "../../api/client";

export const EVENTS_URL = "/api/v1/admin/videos/events";

type Update = (prev: AdminVideoPublic[] | undefined) => AdminVideoPublic[];

export interface VideoEventHandlers {
  // The list as shown now (read when an event arrives).
  getVideos: () => readonly AdminVideoPublic[] | undefined;
  setVideos: (update: Update) => void;
  // A video the list does not have yet appeared: reload the list (it is sorted by the API).
  onUnknown: () => void;
}

export function mergeVideo(videos: readonly AdminVideoPublic[] | undefined, video: AdminVideoPublic): AdminVideoPublic[] | null {
  if (!videos) return null;
  const at = videos.findIndex((v) => v.id === video.id);
  if (at < 0) return null;
  const next = videos.slice();
  next[at] = video;
  return next;
}

export function useVideoEvents(enabled: boolean, { getVideos, setVideos, onUnknown }: VideoEventHandlers): boolean {
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    const source = new EventSource(EVENTS_URL, { withCredentials: true });
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    source.addEventListener("video", (event) => {
      const video = JSON.parse((event as MessageEvent<string>).data) as AdminVideoPublic;
      const shown = getVideos();
      if (shown === undefined) return; // the first load is still on its way
      if (!shown.some((v) => v.id === video.id)) {
        onUnknown();
        return;
      }
      setVideos((prev) => mergeVideo(prev, video) ?? prev ?? []);
    });
    source.addEventListener("deleted", (event) => {
      const { id } = JSON.parse((event as MessageEvent<string>).data) as { id: string };
      setVideos((prev) => (prev ?? []).filter((v) => v.id !== id));
    });
    return () => {
      source.close();
      setLive(false);
    };
  }, [enabled, getVideos, setVideos, onUnknown]);
  return live;
}
