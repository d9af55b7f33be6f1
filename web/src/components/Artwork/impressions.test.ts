import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DWELL_MS, FLUSH_MS, ImpressionTracker } from "./impressions";

class FakeObserver {
  callback: IntersectionObserverCallback;
  watched = new Set<Element>();
  constructor(callback: IntersectionObserverCallback) {
    this.callback = callback;
  }
  observe(el: Element) {
    this.watched.add(el);
  }
  unobserve(el: Element) {
    this.watched.delete(el);
  }
  show(el: Element, ratio: number) {
    const entry = { target: el, isIntersecting: ratio > 0, intersectionRatio: ratio } as IntersectionObserverEntry;
    this.callback([entry], this as unknown as IntersectionObserver);
  }
}

function setup() {
  const sent: string[][] = [];
  let observer: FakeObserver | null = null;
  const tracker = new ImpressionTracker(
    async (ids) => {
      sent.push(ids);
    },
    (cb) => {
      observer = new FakeObserver(cb);
      return observer as unknown as IntersectionObserver;
    },
  );
  const stops = new Map<string, () => void>();
  const card = (id: string) => {
    const el = { id } as unknown as Element;
    stops.set(id, tracker.observe(el, id));
    return el;
  };
  return { sent, tracker, card, unmount: (id: string) => stops.get(id)?.(), observer: () => observer! };
}

describe("ImpressionTracker", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts a card half visible for a second, once, in a batch", () => {
    const { sent, card, observer } = setup();
    const a = card("a");
    const b = card("b");
    observer().show(a, 0.6);
    observer().show(b, 1);
    vi.advanceTimersByTime(DWELL_MS);
    observer().show(a, 0);
    observer().show(a, 0.9);
    vi.advanceTimersByTime(DWELL_MS);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(FLUSH_MS);
    expect(sent).toEqual([["a", "b"]]);
    expect(observer().watched.size).toBe(0);
  });

  it("does not count a card that was less than half visible or left too soon", () => {
    const { sent, tracker, card, observer } = setup();
    const a = card("a");
    const b = card("b");
    observer().show(a, 0.4);
    observer().show(b, 0.8);
    vi.advanceTimersByTime(DWELL_MS - 100);
    observer().show(b, 0.2);
    vi.advanceTimersByTime(DWELL_MS * 3);
    tracker.flush();
    expect(sent).toEqual([]);
  });

  it("forgets unmounted cards", () => {
    const { sent, tracker, card, unmount, observer } = setup();
    const a = card("a");
    const b = card("b");
    observer().show(a, 1);
    observer().show(b, 1);
    unmount("b");
    vi.advanceTimersByTime(DWELL_MS);
    tracker.flush();
    expect(sent).toEqual([["a"]]);
  });
});
