// How Kinema configures Shaka Player, and how Shaka's errors become the player's. Kept
// apart from the hooks so the choices below are in one place and read as data.
import shaka from "shaka-player";
import type { PlayerError } from "./types";
import { START_ESTIMATE } from "../warmPolicy";

export const SHAKA_CONFIG = {
  streaming: {
    // Resilient on flaky networks, and fatal errors still surface quickly.
    retryParameters: { maxAttempts: 4, baseDelay: 500, backoffFactor: 2, timeout: 30000 },
    bufferingGoal: 30,
    rebufferingGoal: 1,
  },
  manifest: { retryParameters: { maxAttempts: 3, baseDelay: 500, timeout: 15000 } },
  // Start on a modest rung (about 1 Mb/s): the first frame needs only a small first
  // segment. The browser's own guess (Network Information) is coarse and often
  // optimistic. The first upgrade waits 2 s: Shaka switches as soon as 128 KB have
  // measured the line, which is usually while the first segment is still arriving,
  // and that segment would then be thrown away and fetched again at the new rung.
  abr: {
    enabled: true,
    defaultBandwidthEstimate: START_ESTIMATE,
    useNetworkInformation: false,
    minTimeToSwitch: 2,
  },
} as const;

let polyfilled = false;

/** Shaka's polyfills, installed once per page before the first player. */
export function installPolyfills(): void {
  if (polyfilled) return;
  shaka.polyfill.installAll();
  polyfilled = true;
}

export function toPlayerError(detail: unknown): PlayerError {
  if (detail instanceof shaka.util.Error) {
    return {
      code: Number(detail.code),
      category: Number(detail.category),
      message: `Shaka error ${String(detail.code)}`,
    };
  }
  const message = detail instanceof Error ? detail.message : String(detail);
  return { code: 0, category: 0, message };
}

/** Whether a Shaka error event is one playback cannot go on after. */
export function isCritical(detail: unknown): boolean {
  return !(detail instanceof shaka.util.Error && detail.severity !== shaka.util.Error.Severity.CRITICAL);
}

/** A load that a newer load replaced: nothing to report. */
export function isLoadInterrupted(error: unknown): boolean {
  return error instanceof shaka.util.Error && error.code === shaka.util.Error.Code.LOAD_INTERRUPTED;
}

/** The HTTP status and URI of a failed request behind a Shaka error, else null. */
export function httpFailure(detail: unknown): { status: number; uri: string } | null {
  if (!(detail instanceof shaka.util.Error) || detail.code !== shaka.util.Error.Code.BAD_HTTP_STATUS) return null;
  // BAD_HTTP_STATUS data: [uri, status, responseText, headers, requestType, responseUri].
  const [uri, status] = detail.data as [unknown, unknown];
  return typeof uri === "string" && typeof status === "number" ? { status, uri } : null;
}
