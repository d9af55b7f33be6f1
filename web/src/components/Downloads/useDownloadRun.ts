// One download's run, shared by the title page's Download button and the Downloads
// page's paused rows: start (after a grant), pause (keeps what arrived and the grant),
// resume (the online check first: a fresh signed root, or the reason the copy may not
// be finished), cancel (discards everything and gives the grant back). Leaving the page
// pauses a running download instead of losing it.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, errorMessage } from "../../api/client";
import type { DownloadPublic } from "../../api/client";
import { checkDownload, deleteDownload } from "../../api/downloads";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import type { PausedDownload } from "../../lib/downloadResume";
import { discardPaused, prepareStorage, storeDownload } from "../../lib/offline";
import type { DownloadTask } from "../../lib/offline";
import { fits, formatBytes, storageProblem } from "../../lib/offlineRules";
import type { DownloadMeta } from "../../lib/offlineRules";

export type RunPhase =
  | { kind: "idle" }
  | { kind: "downloading"; fraction: number; pausable: boolean }
  | { kind: "paused"; fraction: number; note?: string }
  | { kind: "done" }
  | { kind: "message"; text: string; error?: boolean };

export function useDownloadRun(initial: RunPhase = { kind: "idle" }) {
  const { t, lang } = useI18n();
  const [phase, setPhase] = useState<RunPhase>(initial);
  const task = useRef<DownloadTask | null>(null);

  // Leaving the page pauses (or, where nothing can be kept, cancels) a running download.
  useEffect(
    () => () => {
      const running = task.current;
      if (!running) return;
      void (running.pause ?? running.cancel)().catch(() => undefined);
    },
    [],
  );

  const fail = useCallback(
    (err: unknown, sizeText: string) => {
      if (err instanceof ApiError) {
        const text =
          err.code === "download_limit" ? t("downloads.limit") : err.code === "downloads_not_in_plan" ? t("downloads.notInPlan") : err.message;
        setPhase({ kind: "message", text, error: true });
        return;
      }
      const problem = storageProblem(err);
      const text =
        problem === "quota"
          ? t("downloads.quota", { size: sizeText })
          : problem === "unsupported"
            ? t("downloads.unsupported")
            : t("downloads.failed", { error: errorMessage(err) });
      setPhase({ kind: "message", text, error: true });
    },
    [t],
  );

  /** Store a granted download from ``from`` (0, or where a paused one stopped). */
  const run = useCallback(
    async (granted: DownloadPublic, meta: DownloadMeta, from = 0) => {
      const sizeText = formatBytes(granted.estimated_bytes, lang);
      setPhase({ kind: "downloading", fraction: from, pausable: false });
      let pausable = false;
      try {
        const started = await storeDownload(granted, meta, {
          language: lang,
          resumedFrom: from,
          onProgress: (fraction) => setPhase({ kind: "downloading", fraction, pausable }),
          // Shaka's own count, once it has read the manifest: checked against what is left.
          onSize: async (bytes) => fits(bytes, await prepareStorage()),
        });
        task.current = started;
        pausable = started.pause !== null;
        setPhase((p) => (p.kind === "downloading" ? { ...p, pausable } : p));
        const outcome = await started.done;
        task.current = null;
        if (outcome.kind === "stored") setPhase({ kind: "done" });
        else if (outcome.kind === "paused") setPhase({ kind: "paused", fraction: outcome.fraction });
        else {
          void deleteDownload(meta.grantId).catch(() => undefined);
          setPhase({ kind: "message", text: t("downloads.cancelled") });
        }
      } catch (err) {
        task.current = null;
        // The grant of a copy that was never stored is given back.
        void deleteDownload(meta.grantId).catch(() => undefined);
        fail(err, sizeText);
      }
    },
    [lang, t, fail],
  );

  const pause = useCallback(async () => {
    await task.current?.pause?.().catch(() => undefined);
  }, []);

  /** Cancel the running download, or a paused one (its grant and cache go). */
  const cancel = useCallback(
    async (paused?: PausedDownload) => {
      if (task.current) {
        await task.current.cancel().catch(() => undefined);
        return;
      }
      if (paused) {
        await discardPaused(paused.meta.grantId);
        await deleteDownload(paused.meta.grantId).catch(() => undefined);
        setPhase({ kind: "message", text: t("downloads.cancelled") });
      }
    },
    [t],
  );

  /** Resume a paused download: its grant is checked (and renewed) first. */
  const resume = useCallback(
    async (paused: PausedDownload) => {
      setPhase({ kind: "downloading", fraction: paused.fraction, pausable: false });
      let answer;
      try {
        answer = await checkDownload(paused.meta.grantId);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          await discardPaused(paused.meta.grantId);
          setPhase({ kind: "message", text: t("downloads.removed.unknown", { name: paused.meta.title }), error: true });
        } else {
          // Offline, or a passing failure: still paused, saying why it did not resume.
          setPhase({ kind: "paused", fraction: paused.fraction, note: t("downloads.failed", { error: errorMessage(err) }) });
        }
        return;
      }
      if (answer.verdict !== "keep") {
        await discardPaused(paused.meta.grantId);
        const reason = answer.reason ?? "unknown";
        setPhase({ kind: "message", text: t(`downloads.removed.${reason}` as MessageKey, { name: paused.meta.title }), error: true });
        return;
      }
      await run(answer.download, { ...paused.meta, expiresAt: answer.download.expires_at }, paused.fraction);
    },
    [run, t],
  );

  /** Say why a grant was refused (the plan's limit, no downloads in the plan). */
  const refuse = useCallback((err: unknown) => fail(err, ""), [fail]);

  return { phase, setPhase, run, pause, resume, cancel, refuse };
}
