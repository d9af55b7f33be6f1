// Downloads: what this browser stores for the current profile (title, quality, size,
// expiry), played with no network. Online, the page waits for the online check (run
// app-wide, lib/offlineCheck.ts: each copy renewed, or deleted with the reason said:
// revoked, plan, expired, unavailable) and shows what it deleted; it follows later checks
// (the network coming back) too. Offline, a copy's expiry (renewed expiry, cut to 48
// hours after its first offline play) is checked before it plays; its first offline play
// is remembered and reported when online. Downloads on their way that are paused (or were
// stopped by a reload) are listed too, with Resume and Cancel; their grants are checked
// like the stored copies'.
import { useCallback, useEffect, useRef, useState } from "react";
import { deleteDownload } from "../api/downloads";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import type shakaNs from "shaka-player";
import { DownloadProgress } from "../components/Downloads/DownloadProgress";
import { useDownloadRun } from "../components/Downloads/useDownloadRun";
import type { PausedDownload } from "../lib/downloadResume";
import { downloadState, lastProfile, listStored, loadShaka, pausedDownloads, rememberProfile, removeStored, setDownloadState } from "../lib/offline";
import type { StoredDownload } from "../lib/offline";
import { checkDownloads, mergeNotices, onDownloadsChecked, takeNotices } from "../lib/offlineCheck";
import type { RemovalNotice } from "../lib/offlineCheck";
import { effectiveExpiry, formatBytes, isExpired } from "../lib/offlineRules";
import { subtitleFor } from "../lib/offlineTracks";

function OfflinePlayer({ item, onClose }: { item: StoredDownload; onClose: () => void }) {
  const { t, lang } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const playerRef = useRef<shakaNs.Player | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [texts, setTexts] = useState<shakaNs.extern.TextTrack[]>([]);
  const [textId, setTextId] = useState<number | null>(null);
  useEffect(() => {
    let player: shakaNs.Player | null = null;
    let gone = false;
    void (async () => {
      try {
        const shaka = await loadShaka();
        const p = new shaka.Player();
        player = p;
        if (gone || !video.current) return;
        await p.attach(video.current);
        await p.load(item.offlineUri);
        playerRef.current = p;
        // The stored subtitles: the app's language when there is one, shown from the start.
        const tracks = p.getTextTracks();
        const pick = subtitleFor(tracks, lang);
        if (pick) p.selectTextTrack(pick);
        setTexts(tracks);
        setTextId(pick?.id ?? null);
        await video.current.play().catch(() => undefined);
      } catch (err) {
        if (!gone) setError(String((err as { code?: unknown })?.code ?? err));
      }
    })();
    return () => {
      gone = true;
      playerRef.current = null;
      void player?.destroy();
    };
  }, [item.offlineUri, lang]);
  const chooseText = (value: string) => {
    const p = playerRef.current;
    const track = texts.find((tr) => String(tr.id) === value) ?? null;
    p?.selectTextTrack(track);
    setTextId(track?.id ?? null);
  };
  return (
    <div className="downloads__player" data-testid="offline-player">
      <video ref={video} controls playsInline className="downloads__video" aria-label={item.meta.title} />
      {texts.length ? (
        <label className="downloads__subtitles">
          {t("downloads.subtitles")}{" "}
          <select value={textId === null ? "" : String(textId)} onChange={(e) => chooseText(e.target.value)} data-testid="offline-subtitles">
            <option value="">{t("downloads.subtitlesOff")}</option>
            {texts.map((tr) => (
              <option key={tr.id} value={String(tr.id)}>
                {tr.label || tr.language}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {error ? (
        <p role="alert" className="download__message download__message--error">
          {error}
        </p>
      ) : null}
      <button type="button" className="btn btn--secondary" onClick={onClose}>
        {t("downloads.close")}
      </button>
    </div>
  );
}

/** A paused download (or one a reload stopped): its bar where it stopped, Resume and
 *  Cancel. Resumed here, it becomes a stored copy (``onStored``). */
function PausedRow({ paused, onStored }: { paused: PausedDownload; onStored: () => void }) {
  const { t } = useI18n();
  const { phase, pause, resume, cancel } = useDownloadRun({ kind: "paused", fraction: paused.fraction });
  useEffect(() => {
    if (phase.kind === "done") onStored();
  }, [phase.kind, onStored]);
  const quality = paused.meta.quality === "high" ? t("downloads.qualityHigh") : t("downloads.qualityStandard");
  return (
    <tr data-testid="download-paused-row" data-state={phase.kind}>
      <th scope="row">{paused.meta.title}</th>
      <td>
        {quality} ({paused.meta.height}p)
      </td>
      <td colSpan={3} className="downloads__run">
        {phase.kind === "downloading" || phase.kind === "paused" ? (
          <DownloadProgress
            id={paused.meta.grantId}
            name={paused.meta.title}
            phase={phase}
            onPause={() => void pause()}
            onResume={() => void resume(paused)}
            onCancel={() => void cancel(paused)}
          />
        ) : phase.kind === "message" ? (
          <p className={`download__message${phase.error ? " download__message--error" : ""}`} role={phase.error ? "alert" : "status"}>
            {phase.text}
          </p>
        ) : (
          t("downloads.done")
        )}
      </td>
    </tr>
  );
}

export function DownloadsPage() {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  usePageTitle(t("downloads.title"));
  const [items, setItems] = useState<StoredDownload[] | null>(null);
  const [paused, setPaused] = useState<PausedDownload[]>([]);
  const [notices, setNotices] = useState<RemovalNotice[]>([]);
  const [playing, setPlaying] = useState<StoredDownload | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [online, setOnline] = useState(() => navigator.onLine);
  const profileId = user?.profile.id ?? lastProfile();

  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);

  /** What is stored and paused here now, and what the online checks deleted meanwhile. */
  const list = useCallback(async () => {
    const stored = (await listStored().catch(() => [] as StoredDownload[])).filter((s) => !profileId || s.meta.profileId === profileId);
    const storedIds = new Set(stored.map((s) => s.meta.grantId));
    // Downloads on their way, paused (or stopped by a reload); a finished one is stored.
    const waiting = Object.values(pausedDownloads()).filter((p) => (!profileId || p.meta.profileId === profileId) && !storedIds.has(p.meta.grantId));
    setItems(stored);
    setPaused(waiting);
    // A copy a check deleted while it played stops playing.
    setPlaying((p) => (p && !stored.some((s) => s.offlineUri === p.offlineUri) ? null : p));
    const said = user ? takeNotices(user.profile.id) : [];
    if (said.length) setNotices((shown) => mergeNotices(shown, said));
  }, [user, profileId]);

  const load = useCallback(async () => {
    if (user) {
      rememberProfile(user.profile.id);
      await checkDownloads(user.profile.id);
    }
    await list();
  }, [user, list]);

  useEffect(() => {
    void load();
  }, [load]);

  // A check run elsewhere (the network came back) may have deleted copies listed here.
  useEffect(() => onDownloadsChecked(() => void list()), [list]);

  const onStored = useCallback(() => void load(), [load]);

  const play = (item: StoredDownload) => {
    const state = downloadState(item.meta.grantId);
    if (isExpired(item.meta, state, Date.now())) {
      setRefusal(t("downloads.expiredPlay"));
      return;
    }
    setRefusal(null);
    // The 48-hour window starts at the first play with no network.
    if (!navigator.onLine && !state.firstOfflinePlayAt) {
      setDownloadState(item.meta.grantId, { firstOfflinePlayAt: new Date().toISOString() });
    }
    setPlaying(item);
  };

  const remove = async (item: StoredDownload) => {
    if (playing?.offlineUri === item.offlineUri) setPlaying(null);
    await removeStored(item.offlineUri, item.meta.grantId);
    if (navigator.onLine) {
      await deleteDownload(item.meta.grantId).catch(() => undefined);
    }
    setItems((list) => (list ?? []).filter((i) => i.offlineUri !== item.offlineUri));
  };

  return (
    <div className="page downloads-page" data-testid="downloads-page">
      <h1 className="page__title">{t("downloads.title")}</h1>
      {!online ? (
        <p className="panel downloads__offline" role="status" data-testid="offline-note">
          {t("downloads.offline")}
        </p>
      ) : null}
      {notices.map((n) => (
        <p key={n.grantId} className="download__message" role="status" data-testid="download-removed">
          {t(`downloads.removed.${n.reason}`, { name: n.title })}
        </p>
      ))}
      {refusal ? (
        <p className="download__message download__message--error" role="alert">
          {refusal}
        </p>
      ) : null}
      {playing ? <OfflinePlayer item={playing} onClose={() => setPlaying(null)} /> : null}
      {items === null ? null : items.length === 0 && paused.length === 0 ? (
        <p className="empty">{t("downloads.empty")}</p>
      ) : (
        <table className="downloads__table" data-testid="downloads-table">
          <thead>
            <tr>
              <th scope="col">{t("downloads.colTitle")}</th>
              <th scope="col">{t("downloads.colQuality")}</th>
              <th scope="col">{t("downloads.colSize")}</th>
              <th scope="col">{t("downloads.colExpiry")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("downloads.play")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {paused.map((p) => (
              <PausedRow key={p.meta.grantId} paused={p} onStored={onStored} />
            ))}
            {items.map((item) => {
              const state = downloadState(item.meta.grantId);
              const expired = isExpired(item.meta, state, Date.now());
              return (
                <tr key={item.offlineUri} data-testid="download-row">
                  <th scope="row">{item.meta.title}</th>
                  <td>
                    {item.meta.quality === "high" ? t("downloads.qualityHigh") : t("downloads.qualityStandard")} ({item.meta.height}p)
                  </td>
                  <td>{formatBytes(item.size, lang)}</td>
                  <td>
                    {expired
                      ? t("downloads.expired")
                      : t("downloads.expires", { when: formatDateTime(new Date(effectiveExpiry(item.meta, state)), lang) })}
                  </td>
                  <td className="downloads__actions">
                    <button
                      type="button"
                      className="btn btn--primary"
                      aria-label={t("downloads.playLabel", { name: item.meta.title })}
                      data-testid="download-play"
                      onClick={() => play(item)}
                    >
                      {t("downloads.play")}
                    </button>
                    <button
                      type="button"
                      className="btn btn--secondary"
                      aria-label={t("downloads.deleteLabel", { name: item.meta.title })}
                      onClick={() => void remove(item)}
                    >
                      {t("downloads.delete")}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
