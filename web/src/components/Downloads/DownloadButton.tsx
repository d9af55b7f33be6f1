// The Download button of a title or episode: shown only when the plan allows downloads
// (`entitlements.downloads` from /auth/me). It asks the API what it may offer (Standard /
// High within the plan, with sizes), takes a grant, and stores the media with Shaka's
// offline storage, showing progress with Pause/Resume and Cancel (see useDownloadRun).
// A paused download of this title (or one a reload stopped) shows paused, ready to resume.
import { useEffect, useState } from "react";
import { errorMessage } from "../../api/client";
import type { DownloadOptions } from "../../api/client";
import { createDownload, downloadOptions } from "../../api/downloads";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { bytesNeeded } from "../../lib/downloadResume";
import { resumeSupported } from "../../lib/downloadCache";
import { listStored, pausedDownloads, prepareStorage, rememberProfile } from "../../lib/offline";
import { fits, formatBytes } from "../../lib/offlineRules";
import { Icon } from "../Icons/Icons";
import { DownloadProgress } from "./DownloadProgress";
import { useDownloadRun } from "./useDownloadRun";

/** This profile's paused download of ``videoId`` in this browser, if any. */
function pausedOf(videoId: string, profileId: string | undefined) {
  return Object.values(pausedDownloads()).find((p) => p.meta.videoId === videoId && p.meta.profileId === profileId) ?? null;
}

export function DownloadButton({ videoId, name, compact = false }: { videoId: string; name: string; compact?: boolean }) {
  const { user } = useAuth();
  const { t, lang } = useI18n();
  const { phase, setPhase, run, pause, resume, cancel, refuse } = useDownloadRun();
  const [options, setOptions] = useState<DownloadOptions | null>(null);
  const [quality, setQuality] = useState<"standard" | "high">("standard");
  const profileId = user?.profile.id;

  // A download paused here (or stopped by a reload) shows as paused, ready to resume.
  useEffect(() => {
    const paused = pausedOf(videoId, profileId);
    if (paused) setPhase((p) => (p.kind === "idle" ? { kind: "paused", fraction: paused.fraction } : p));
  }, [videoId, profileId, setPhase]);

  if (!user?.entitlements.downloads) return null;

  const open = async () => {
    try {
      const stored = await listStored();
      if (stored.some((s) => s.meta.videoId === videoId && s.meta.profileId === user.profile.id)) {
        setPhase({ kind: "message", text: t("downloads.already") });
        return;
      }
      const offered = await downloadOptions(videoId);
      if (!offered.allowed || offered.options.length === 0) {
        setPhase({ kind: "message", text: t("downloads.notInPlan"), error: true });
        return;
      }
      setQuality(offered.options[0]!.quality);
      setOptions(offered);
    } catch (err) {
      setPhase({ kind: "message", text: t("downloads.failed", { error: errorMessage(err) }), error: true });
    }
  };

  const start = async (offered: DownloadOptions) => {
    setOptions(null);
    const chosen = offered.options.find((o) => o.quality === quality) ?? offered.options[0]!;
    const estimate = await prepareStorage();
    if (chosen.estimated_bytes && !fits(bytesNeeded(chosen.estimated_bytes, 0, resumeSupported()), estimate)) {
      setPhase({ kind: "message", text: t("downloads.quota", { size: formatBytes(chosen.estimated_bytes, lang) }), error: true });
      return;
    }
    let granted;
    try {
      granted = await createDownload(videoId, chosen.quality);
    } catch (err) {
      refuse(err); // the plan's limit, or no downloads in the plan: nothing to store
      return;
    }
    rememberProfile(user.profile.id);
    await run(granted, {
      grantId: granted.id,
      videoId: granted.video_id,
      titleId: granted.title_id,
      title: granted.title,
      quality: chosen.quality,
      height: granted.height,
      profileId: user.profile.id,
      expiresAt: granted.expires_at,
      storedAt: new Date().toISOString(),
    });
  };

  const paused = phase.kind === "paused" ? pausedOf(videoId, profileId) : null;
  return (
    <div className={`download${compact ? " download--compact" : ""}`} data-testid="download">
      {phase.kind === "downloading" || phase.kind === "paused" ? (
        <DownloadProgress
          id={videoId}
          name={name}
          phase={phase}
          onPause={() => void pause()}
          onResume={() => paused && void resume(paused)}
          onCancel={() => void cancel(paused ?? undefined)}
        />
      ) : options ? (
        <form
          className="download__choose"
          onSubmit={(e) => {
            e.preventDefault();
            void start(options);
          }}
        >
          <fieldset>
            <legend>{t("downloads.quality")}</legend>
            {options.options.map((o) => (
              <label key={o.quality} className="download__option">
                <input type="radio" name={`quality-${videoId}`} value={o.quality} checked={quality === o.quality} onChange={() => setQuality(o.quality)} />
                {o.quality === "high" ? t("downloads.high", { height: o.height }) : t("downloads.standard", { height: o.height })}
                {o.estimated_bytes ? <span className="download__size"> · {t("downloads.size", { size: formatBytes(o.estimated_bytes, lang) })}</span> : null}
              </label>
            ))}
          </fieldset>
          <p className="download__used">{t("downloads.used", { used: options.used, limit: options.limit })}</p>
          <button type="submit" className="btn btn--primary" data-testid="download-start">
            {t("downloads.start")}
          </button>
          <button type="button" className="btn btn--secondary" onClick={() => setOptions(null)}>
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
