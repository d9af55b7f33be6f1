// Impressions for artwork tests: a title card counts once it has been at least half
// visible for a second, once per card per page view; ids are sent in batches. The
// server keeps only those of titles under test, at most one per profile a day.
export const MIN_RATIO = 0.5;
export const DWELL_MS = 1000;
export const FLUSH_MS = 3000;
export const MAX_BATCH = 100;

type Send = (titleIds: string[]) => Promise<void>;
type ObserverFactory = (callback: IntersectionObserverCallback, options: IntersectionObserverInit) => IntersectionObserver;

export class ImpressionTracker {
  private readonly ids = new WeakMap<Element, string>();
  private readonly dwell = new Map<Element, ReturnType<typeof setTimeout>>();
  private readonly queue = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private observer: IntersectionObserver | null = null;
  private stopped = false;

  constructor(
    private readonly send: Send,
    private readonly makeObserver: ObserverFactory = (cb, opts) => new IntersectionObserver(cb, opts),
  ) {}

  /** Watch one card; returns the function that stops watching it (on unmount). */
  observe(element: Element, titleId: string): () => void {
    if (this.stopped) return () => {};
    this.observer ??= this.makeObserver((entries) => this.onChange(entries), { threshold: [0, MIN_RATIO] });
    this.ids.set(element, titleId);
    this.observer.observe(element);
    return () => this.forget(element);
  }

  /** Send what is queued now (the page is being hidden or left). */
  flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    while (this.queue.size && !this.stopped) {
      const batch = [...this.queue].slice(0, MAX_BATCH);
      for (const id of batch) this.queue.delete(id);
      this.send(batch).catch((err: unknown) => {
        // Signed out (or refused): stop counting for this page instead of retrying.
        if (err && typeof err === "object" && "status" in err && (err.status === 401 || err.status === 403)) this.stopped = true;
      });
    }
  }

  private onChange(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const element = entry.target;
      const visible = entry.isIntersecting && entry.intersectionRatio >= MIN_RATIO;
      const pending = this.dwell.get(element);
      if (visible && pending === undefined) {
        this.dwell.set(element, setTimeout(() => this.seen(element), DWELL_MS));
      } else if (!visible && pending !== undefined) {
        clearTimeout(pending);
        this.dwell.delete(element);
      }
    }
  }

  private seen(element: Element): void {
    const id = this.ids.get(element);
    this.forget(element); // once per card per page view
    if (id === undefined) return;
    this.queue.add(id);
    if (this.queue.size >= MAX_BATCH) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private forget(element: Element): void {
    const pending = this.dwell.get(element);
    if (pending !== undefined) clearTimeout(pending);
    this.dwell.delete(element);
    this.observer?.unobserve(element);
  }
}

let shared: ImpressionTracker | null = null;

/** The page's tracker (created on first use; flushes when the page is hidden). */
export function impressionTracker(send: Send): ImpressionTracker {
  if (!shared) {
    const tracker = new ImpressionTracker(send);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") tracker.flush();
    });
    shared = tracker;
  }
  return shared;
}
