// The downloads the online check deleted here, and why, in a toast over any page but
// Downloads (which shows and takes them itself): the check runs app-wide, and once the
// plan lacks downloads the nav no longer leads to that page. Shown until dismissed.
import { useMemo, useSyncExternalStore } from "react";
import type { CSSProperties } from "react";
import { useLocation } from "react-router-dom";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { dismissNotices, noticesSnapshot, onDownloadsChecked, parseNotices } from "../../lib/offlineCheck";

// Fixed at the bottom, above the page and clear of the fixed header.
const TOAST: CSSProperties = {
  position: "fixed",
  right: 16,
  bottom: 16,
  zIndex: 60,
  maxWidth: "min(520px, calc(100vw - 32px))",
  margin: 0,
  boxShadow: "0 8px 24px rgba(0, 0, 0, 0.5)",
};

export function DownloadNotices() {
  const { user } = useAuth();
  const { t } = useI18n();
  const { pathname } = useLocation();
  const raw = useSyncExternalStore(onDownloadsChecked, noticesSnapshot);
  const profileId = user?.profile.id ?? null;
  const notices = useMemo(() => parseNotices(raw).filter((n) => n.profileId === profileId), [raw, profileId]);
  if (!profileId || notices.length === 0 || pathname === "/downloads") return null;
  return (
    <section className="panel notice" style={TOAST} role="status" aria-label={t("downloads.noticeHeading")} data-testid="downloads-notice">
      <div>
        {notices.map((n) => (
          <p key={n.grantId} data-testid="download-removed-notice">
            {t(`downloads.removed.${n.reason}`, { name: n.title })}
          </p>
        ))}
      </div>
      <button type="button" className="btn btn--secondary btn--small" onClick={() => dismissNotices(profileId)} data-testid="downloads-notice-dismiss">
        {t("downloads.noticeDismiss")}
      </button>
    </section>
  );
}
