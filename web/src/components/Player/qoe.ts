// Playback quality accounting, kept apart from Shaka and the DOM: the hook feeds it
// timestamped facts (load started, first frame, buffering on/off, bitrate change, fatal
// error) and it produces the report the API stores as a playback analytics event.

export interface QoeReport {
  startup_ms: number | null;
  rebuffer_count: number;
  rebuffer_ms: number;
  bitrate_switches: number;
  fatal_errors: number;
  error_codes: number[];
  watched_s: number;
  average_bitrate: number | null;
  /** The height of the variant playing now (the rung the API breaks figures down by). */
  height: number | null;
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

  /** The variant playing now: its height is sent with the start event and the report. */
  variant(height: number | null | undefined): void {
    if (typeof height === "number" && height > 0) this.height = Math.round(height);
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
    };
  }
}
