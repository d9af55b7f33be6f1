// The boot's prefetch, off the page's thread (bootMedia.ts, startPrefetch): fetch the
// master playlist and what Shaka's first load will want from it, and send each body to
// the page as it arrives.
import { prefetchStart } from "./bootMedia";
import type { WorkerMessage } from "./bootMedia";

interface Job {
  masterUrl: string;
  startAt: number | null;
  estimate: number;
}

const post = (message: WorkerMessage) => self.postMessage(message);
const fetched = new Map<string, Promise<ArrayBuffer>>();

function get(url: string): Promise<ArrayBuffer> {
  let body = fetched.get(url);
  if (!body) {
    body = fetch(url, { credentials: "same-origin" }).then(async (r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const data = await r.arrayBuffer();
      // The page gets a copy: this one may still be parsed here.
      post({ url, data: data.slice(0) });
      return data;
    });
    fetched.set(url, body);
  }
  return body;
}

self.onmessage = (event: MessageEvent<Job>) => {
  const { masterUrl, startAt, estimate } = event.data;
  prefetchStart(get, masterUrl, startAt, estimate)
    .catch(() => {})
    .finally(() => post({ done: true }));
};
