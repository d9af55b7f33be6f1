// Downloads: what this browser stores for the current profile (title, quality, size,
// expiry), played with no network. Online, each copy's grant is checked first: renewed,
// or deleted with the reason said (revoked, plan, expired, unavailable). Offline, a
// copy's expiry (renewed expiry, cut to 48 hours after its first offline play) is
// checked before it plays; its first offline play is remembered and reported when online.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { checkDownload, deleteDownload, reportOfflinePlay } from "../api/downloads";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { formatDateTime } from "../lib/format";
import { downloadState, lastProfile, listStored, loadShaka, rememberProfile, removeStored, setDownloadState } from "../lib/offline";
import type { StoredDownload } from "../lib/offline";
import { effectiveExpiry, formatBytes, isExpired } from "../lib/offlineRules";

type Removal = "revoked" | "plan" | "expired" | "unavailable" | "unknown";

/** One online check: report an offline play not yet reported, then renew or delete. */
async function onlineCheck(item: StoredDownload): Promise<Removal | null> {
  const id = item.meta.grantId;
  try {
    const state = downloadState(id);
    if (state.firstOfflinePlayAt && !state.reported) {
      await reportOfflinePlay(id, state.firstOfflinePlayAt);
      setDownloadState(id, { reported: true });
    }
    const answer = await checkDownload(id);
    if (answer.verdict === "keep") {
      setDownloadState(id, { expiresAt: answer.download.expires_at });
      return null;
    }
    await removeStored(item.offlineUri, id);
    return (answer.reason ?? "unknown") as Removal;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      await removeStored(item.offlineUri, id);
      return "unknown";
    }
    return null; // offline or a passing failure: the next check decides
  }
}

function OfflinePlayer({ item, onClose }: { item: StoredDownload; onClose: () => void }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let player: { destroy: () => Promise<unknown> } | null = null;
    let gone = false;
    void (async () => {
      try {
        const shaka = await loadShaka();
        const p = new shaka.Player();
        player = p;
        if (gone || !video.current) return;
        await p.attach(video.current);
        await p.load(item.offlineUri);
        await video.current.play().catch(() => undefined);
      } catch (err) {
        if (!gone) setError(String((err as { code?: unknown })?.code ?? err));
      }
    })();
    return () => {
      gone = true;
      void player?.destroy();
    };
  }, [item.offlineUri]);
  return (
    <div className="downloads__player" data-testid="offline-player">
      <video ref={video} controls playsInline className="downloads__video" aria-label={item.meta.title} />
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

export function DownloadsPage() {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  usePageTitle(t("downloads.title"));
  const [items, setItems] = useState<StoredDownload[] | null>(null);
  const [notices, setNotices] = useState<string[]>([]);
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

  const load = useCallback(async () => {
    if (user) rememberProfile(user.profile.id);
    const stored = (await listStored().catch(() => [] as StoredDownload[])).filter((s) => !profileId || s.meta.profileId === profileId);
    if (user && navigator.onLine) {
      const said: string[] = [];
      const kept: StoredDownload[] = [];
      for (const item of stored) {
        const removed = await onlineCheck(item);
        if (removed) said.push(t(`downloads.removed.${removed}` as MessageKey, { name: item.meta.title }));
        else kept.push(item);
      }
      setNotices(said);
      setItems(kept);
    } else {
      setItems(stored);
    }
  }, [user, profileId, t]);

  useEffect(() => {
    void load();
  }, [load]);

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
      {notices.map((text) => (
        <p key={text} className="download__message" role="status" data-testid="download-removed">
          {text}
        </p>
      ))}
      {refusal ? (
        <p className="download__message download__message--error" role="alert">
          {refusal}
        </p>
      ) : null}
      {playing ? <OfflinePlayer item={playing} onClose={() => setPlaying(null)} /> : null}
      {items === null ? null : items.length === 0 ? (
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
