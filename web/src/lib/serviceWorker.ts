// The service worker that keeps the app shell for offline use (see vite.config.ts). Its
// install precaches every built file, about 2 MB, the player and the admin pages
// included: on a cold watch page that download ran beside the player's first segments
// and held the first frame back. So it is registered once the page is done with its
// own start: on a watch page after the first frame, elsewhere after the load event, and
// then when the browser is idle.
import { afterFirstFrame } from "./afterFirstFrame";
import { watchVideoId } from "./watchPrefetch";

const IDLE_TIMEOUT_MS = 2_000;

function loaded(): Promise<void> {
  if (document.readyState === "complete") return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("load", () => resolve(), { once: true }));
}

function whenIdle(run: () => void): void {
  if (typeof requestIdleCallback === "function") requestIdleCallback(run, { timeout: IDLE_TIMEOUT_MS });
  else setTimeout(run, 0);
}

/** Register `/sw.js` (a production build writes it) once the page has started. */
export function registerServiceWorker(pathname: string): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  const started = watchVideoId(pathname) ? afterFirstFrame() : loaded();
  void started.then(() =>
    whenIdle(() => {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
        // No offline shell (a private window, storage refused): the app works online.
      });
    }),
  );
}
