// Playback quality accounting, kept apart from Shaka and the DOM: the hooks feed it
// timestamped facts (load started, first frame, buffering on/off, bitrate change, fatal
// error) and it produces the report the API stores as a playback analytics event.
//
// One viewing is one load attempt (PlaybackViews): it begins when a load starts, sends a
// `start` event at its first frame, and ends exactly once, with its own report: at the
// end of the video, when the page is left or the player unmounted, at a fatal error, or
// when a retry or a new source begins the next viewing. A viewing that never got a first
// frame still ends with a report, so the API counts it: a video start failure when it had
// a fatal error, an exit before video start otherwise.

export interface QoeReport {
  startup_ms: number | null;
  rebuffer_count: number;
  rebuffer_ms: number;
  bitrate_switches: number;
  fatal_errors: number;
  error_codes: number[];
  watched_s: number;
  average_bitrate: number | null;
  /** The picture size of the variant playing now, in pixels: the API names the rung it
   *  breaks figures down by after the ladder's size class this fits (1280x536 is 720p). */
  height: number | null;
  width: number | null;
}

export class QoeTracker {
  private loadStartedAt: number | null = null;
  private startupMs: number | null = null;
  private bufferingSince: number | null = null;
  private rebufferCount = 0;
  private rebufferMs = 0;
  private switches = 0;
  private lastBandwidth: number | null = null;
  private bitrateWeighted = 0;
  private bitrateSince: number | null = null;
  private playingSince: number | null = null;
  private watchedMs = 0;
  private readonly errors: number[] = [];
  private height: number | null = null;
  private width: number | null = null;

  loadStarted(now: number): void {
    this.loadStartedAt = now;
  }

  /** The first `playing` event: startup time is measured up to here. */
  playing(now: number): void {
    if (this.startupMs === null && this.loadStartedAt !== null) {
      this.startupMs = Math.max(0, now - this.loadStartedAt);
    }
    this.playingSince ??= now;
  }

  paused(now: number): void {
    if (this.playingSince !== null) {
      this.watchedMs += now - this.playingSince;
      this.playingSince = null;
    }
  }

  /** Buffering before the first frame is startup, not a rebuffer. */
  buffering(now: number, isBuffering: boolean): void {
    if (this.startupMs === null) return;
    if (isBuffering && this.bufferingSince === null) {
      this.bufferingSince = now;
      this.rebufferCount++;
    } else if (!isBuffering && this.bufferingSince !== null) {
      this.rebufferMs += now - this.bufferingSince;
      this.bufferingSince = null;
    }
  }

  /** The variant playing now: its size is sent with the start event and the report. */
  variant(height: number | null | undefined, width?: number | null): void {
    if (typeof height !== "number" || height <= 0) return;
    this.height = Math.round(height);
    this.width = typeof width === "number" && width > 0 ? Math.round(width) : null;
  }

  /** Whether a fatal error was recorded. */
  get failed(): boolean {
    return this.errors.length > 0;
  }

  bandwidth(now: number, bitsPerSecond: number): void {
    if (this.lastBandwidth !== null && this.bitrateSince !== null) {
      this.bitrateWeighted += this.lastBandwidth * (now - this.bitrateSince);
      if (bitsPerSecond !== this.lastBandwidth) this.switches++;
    }
    this.lastBandwidth = bitsPerSecond;
    this.bitrateSince = now;
  }

  fatal(code: number): void {
    this.errors.push(code);
  }

  report(now: number): QoeReport {
    const watched = this.watchedMs + (this.playingSince !== null ? now - this.playingSince : 0);
    const openRebuffer = this.bufferingSince !== null ? now - this.bufferingSince : 0;
    let weighted = this.bitrateWeighted;
    let span = 0;
    if (this.lastBandwidth !== null && this.bitrateSince !== null) {
      weighted += this.lastBandwidth * (now - this.bitrateSince);
    }
    if (this.loadStartedAt !== null) span = now - this.loadStartedAt;
    return {
      startup_ms: this.startupMs === null ? null : Math.round(this.startupMs),
      rebuffer_count: this.rebufferCount,
      rebuffer_ms: Math.round(this.rebufferMs + openRebuffer),
      bitrate_switches: this.switches,
      fatal_errors: this.errors.length,
      error_codes: [...this.errors],
      watched_s: Math.round(watched / 100) / 10,
      average_bitrate: span > 0 && this.lastBandwidth !== null ? Math.round(weighted / span) : null,
      height: this.height,
      width: this.width,
    };
  }
}

export type ViewEnd = "ended" | "hide" | "error";

export interface ViewListener {
  /** A viewing's first frame (its `start` event). */
  onStart?: (report: QoeReport) => void;
  /** A viewing's one report: "error" after a fatal error, "ended" at the end of the video,
   *  "hide" when it was left (page hidden or left, player unmounted, a new load). */
  onEnd?: (report: QoeReport, reason: ViewEnd) => void;
}

/** The viewings of one player, one QoeTracker each. Events go to `current`; a tracker is
 *  replaced only through `begin`, which first ends the viewing before it, so a report
 *  always reads its own viewing's tracker. */
export class PlaybackViews {
  current = new QoeTracker();
  private open = false;
  private started = false;
  private key: string | null = null;

  constructor(private readonly listener: () => ViewListener) {}

  /** A load of `key` (the source and attempt) starts: the open viewing ends and a new one
   *  begins. The same load started again while its viewing is open (an effect run twice,
   *  as React's StrictMode does) goes on with that viewing. */
  begin(now: number, key: string): void {
    if (this.open && key === this.key) return;
    this.end(now, this.current.failed ? "error" : "hide");
    this.current = new QoeTracker();
    this.current.loadStarted(now);
    this.open = true;
    this.started = false;
    this.key = key;
  }

  /** The media element plays: the first time in a viewing is its first frame. */
  playing(now: number): void {
    this.current.playing(now);
    if (!this.open || this.started) return;
    this.started = true;
    this.listener().onStart?.(this.current.report(now));
  }

  /** A fatal error: playback stopped, so the viewing ends as failed. */
  fatal(now: number, code: number): void {
    this.current.fatal(code);
    this.end(now, "error");
  }

  /** The viewing ends (once; later calls do nothing until the next `begin`). */
  end(now: number, reason: ViewEnd): void {
    if (!this.open) return;
    this.open = false;
    this.current.paused(now);
    this.listener().onEnd?.(this.current.report(now), reason);
  }
}
