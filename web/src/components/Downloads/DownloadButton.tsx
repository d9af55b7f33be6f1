// The Download button of a title or episode: shown only when the plan allows downloads
// (`entitlements.downloads` from /auth/me). It asks the API what it may offer (Standard /
// High within the plan, with sizes), takes a grant, and stores the media with Shaka's
// offline storage, showing progress with a Cancel. Shaka cannot pause a download and
// resume it later (an aborted store is discarded), so Cancel is the only control.
import { useEffect, useRef, useState } from "react";
import { ApiError, errorMessage } from "../../api/client";
import type { DownloadOptions } from "../../api/client";
import { createDownload, deleteDownload, downloadOptions } from "../../api/downloads";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { listStored, prepareStorage, rememberProfile, storeDownload } from "../../lib/offline";
import type { DownloadTask } from "../../lib/offline";
import { fits, formatBytes, storageProblem } from "../../lib/offlineRules";
import { Icon } from "../Icons/Icons";

type Phase =
  | { kind: "idle" }
  | { kind: "choosing"; options: DownloadOptions }
  | { kind: "downloading"; fraction: number }
  | { kind: "done" }
  | { kind: "message"; text: string; error?: boolean };

export function DownloadButton({ videoId, name, compact = false }: { videoId: string; name: string; compact?: boolean }) {
  const { user } = useAuth();
  const { t, lang } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [quality, setQuality] = useState<"standard" | "high">("standard");
  const task = useRef<DownloadTask | null>(null);
  const cancelled = useRef(false);

  useEffect(() => () => void task.current?.cancel().catch(() => undefined), []);

  if (!user?.entitlements.downloads) return null;

  const open = async () => {
    try {
      const stored = await listStored();
      if (stored.some((s) => s.meta.videoId === videoId && s.meta.profileId === user.profile.id)) {
        setPhase({ kind: "message", text: t("downloads.already") });
        return;
      }
      const options = await downloadOptions(videoId);
      if (!options.allowed || options.options.length === 0) {
        setPhase({ kind: "message", text: t("downloads.notInPlan"), error: true });
        return;
      }
      setQuality(options.options[0]!.quality);
      setPhase({ kind: "choosing", options });
    } catch (err) {
      setPhase({ kind: "message", text: t("downloads.failed", { error: errorMessage(err) }), error: true });
    }
  };

  const start = async (options: DownloadOptions) => {
    const chosen = options.options.find((o) => o.quality === quality) ?? options.options[0]!;
    const estimate = await prepareStorage();
    const sizeText = formatBytes(chosen.estimated_bytes, lang);
    if (chosen.estimated_bytes && !fits(chosen.estimated_bytes, estimate)) {
      setPhase({ kind: "message", text: t("downloads.quota", { size: sizeText }), error: true });
      return;
    }
    let grantId: string | null = null;
    try {
      const granted = await createDownload(videoId, chosen.quality);
      grantId = granted.id;
      rememberProfile(user.profile.id);
      cancelled.current = false;
      setPhase({ kind: "downloading", fraction: 0 });
      task.current = await storeDownload(
        granted,
        {
          grantId: granted.id,
          videoId: granted.video_id,
          titleId: granted.title_id,
          title: granted.title,
          quality: chosen.quality,
          height: granted.height,
          profileId: user.profile.id,
          expiresAt: granted.expires_at,
          storedAt: new Date().toISOString(),
        },
        {
          language: lang,
          onProgress: (fraction) => setPhase({ kind: "downloading", fraction }),
          // Shaka's own count, once it has read the manifest: checked against what is left.
          onSize: async (bytes) => fits(bytes, await prepareStorage()),
        },
      );
      await task.current.done;
      task.current = null;
      setPhase({ kind: "done" });
    } catch (err) {
      task.current = null;
      // The grant of a copy that was never stored is given back.
      if (grantId) void deleteDownload(grantId).catch(() => undefined);
      if (cancelled.current) {
        setPhase({ kind: "message", text: t("downloads.cancelled") });
      } else if (err instanceof ApiError) {
        const text =
          err.code === "download_limit" ? t("downloads.limit") : err.code === "downloads_not_in_plan" ? t("downloads.notInPlan") : err.message;
        setPhase({ kind: "message", text, error: true });
      } else {
        const problem = storageProblem(err);
        const text =
          problem === "quota"
            ? t("downloads.quota", { size: sizeText })
            : problem === "unsupported"
              ? t("downloads.unsupported")
              : t("downloads.failed", { error: errorMessage(err) });
        setPhase({ kind: "message", text, error: true });
      }
    }
  };

  const cancel = async () => {
    cancelled.current = true;
    await task.current?.cancel().catch(() => undefined);
  };

  return (
    <div className={`download${compact ? " download--compact" : ""}`} data-testid="download">
      {phase.kind === "downloading" ? (
        <div className="download__progress">
          <label className="download__label" htmlFor={`dl-${videoId}`}>
            {t("downloads.progress", { name })} · {t("downloads.percent", { n: Math.round(phase.fraction * 100) })}
          </label>
          <progress id={`dl-${videoId}`} max={1} value={phase.fraction} data-testid="download-progress" />
          <button type="button" className="btn btn--secondary" onClick={() => void cancel()}>
            {t("downloads.cancel")}
          </button>
        </div>
      ) : phase.kind === "choosing" ? (
        <form
          className="download__choose"
          onSubmit={(e) => {
            e.preventDefault();
            void start(phase.options);
          }}
        >
          <fieldset>
            <legend>{t("downloads.quality")}</legend>
            {phase.options.options.map((o) => (
              <label key={o.quality} className="download__option">
                <input type="radio" name={`quality-${videoId}`} value={o.quality} checked={quality === o.quality} onChange={() => setQuality(o.quality)} />
                {o.quality === "high" ? t("downloads.high", { height: o.height }) : t("downloads.standard", { height: o.height })}
                {o.estimated_bytes ? <span className="download__size"> · {t("downloads.size", { size: formatBytes(o.estimated_bytes, lang) })}</span> : null}
              </label>
            ))}
          </fieldset>
          <p className="download__used">{t("downloads.used", { used: phase.options.used, limit: phase.options.limit })}</p>
          <button type="submit" className="btn btn--primary" data-testid="download-start">
            {t("downloads.start")}
          </button>
          <button type="button" className="btn btn--secondary" onClick={() => setPhase({ kind: "idle" })}>
            {t("downloads.cancel")}
          </button>
        </form>
      ) : (
        <button
          type="button"
          className="btn btn--secondary"
          aria-label={t("downloads.buttonLabel", { name })}
          data-testid="download-button"
          onClick={() => void open()}
        >
          <Icon name="download" /> {compact ? null : t("downloads.button")}
        </button>
      )}
      {phase.kind === "done" ? (
        <p className="download__message" role="status">
          {t("downloads.done")}
        </p>
      ) : null}
      {phase.kind === "message" ? (
        <p className={`download__message${phase.error ? " download__message--error" : ""}`} role={phase.error ? "alert" : "status"}>
          {phase.text}
        </p>
      ) : null}
    </div>
  );
}
