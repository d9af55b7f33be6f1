// Admin: upload, then follow processing live. Status changes are pushed over Server-Sent
// Events; while that stream is not connected the list polls every 2 s while a video is
// queued or processing, and every 15 s otherwise. Below: subscription figures, and the
// users with their plans (set by hand here while billing is off). The Ads panel lists
// the ad creatives and marks, edits and unmarks them.
import { useCallback, useEffect, useRef } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { getBilling } from "../api/billing";
import { AdsPanel } from "../components/Admin/AdsPanel";
import { ArtworkPanel } from "../components/Admin/ArtworkPanel";
import { BillingStatsPanel } from "../components/Admin/BillingStatsPanel";
import { ModerationPanel } from "../components/Admin/ModerationPanel";
import { UsersPanel } from "../components/Admin/UsersPanel";
import { ErrorView, Loading } from "../components/Common/Status";
import { UploadForm } from "../components/Admin/UploadForm";
import { VideoTable } from "../components/Admin/VideoTable";
import { useVideoEvents } from "../components/Admin/useVideoEvents";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

export default function AdminPage() {
  const { t } = useI18n();
  const { user, isKids } = useAuth();
  // On a kids profile the API refuses admin routes: ask for nothing, say why.
  const isAdmin = user?.role === "admin" && !isKids;
  const videos = useApi(() => (isAdmin ? unwrap(api.GET("/api/v1/admin/videos", { params: { query: { limit: 200 } } })) : Promise.resolve([])), [isAdmin]);
  const billing = useApi(() => (isAdmin ? getBilling() : Promise.resolve(null)), [isAdmin]);
  usePageTitle(t("admin.title"));
  const busy = videos.data?.some((v) => v.status === "queued" || v.status === "processing" || v.status === "uploading") ?? false;
  const { setData, reload } = videos;
  const shown = useRef(videos.data);
  shown.current = videos.data;
  const getVideos = useCallback(() => shown.current, []);
  const live = useVideoEvents(isAdmin, { getVideos, setVideos: setData, onUnknown: reload });
  useEffect(() => {
    if (!isAdmin || live) return;
    const timer = window.setInterval(() => {
      void unwrap(api.GET("/api/v1/admin/videos", { params: { query: { limit: 200 } } }))
        .then(setData)
        .catch(() => {});
    }, busy ? 2000 : 15000);
    return () => window.clearInterval(timer);
  }, [isAdmin, live, busy, setData]);
  if (isKids) return <p className="empty">{t("account.kidsNote")}</p>;
  if (!isAdmin) return <p className="empty">{t("admin.forbidden")}</p>;
  return (
    <div className="page admin">
      <div className="analytics__head">
        <h1 className="page__title">{t("admin.title")}</h1>
        <Link to="/admin/analytics" className="btn btn--small" data-testid="open-analytics">
          {t("analytics.open")}
        </Link>
      </div>
      <UploadForm onCreated={videos.reload} />
      <section className="panel" aria-labelledby="videos-heading" data-live={live ? "true" : "false"}>
        <div className="panel__head">
          <h2 id="videos-heading">{t("admin.videos")}</h2>
          <button type="button" className="btn btn--small" onClick={videos.reload}>
            {t("admin.refresh")}
          </button>
        </div>
        {videos.loading && !videos.data ? <Loading /> : null}
        {videos.error ? <ErrorView error={videos.error} onRetry={videos.reload} /> : null}
        {videos.data ? <VideoTable videos={videos.data} onChanged={videos.reload} /> : null}
      </section>
      <AdsPanel videos={videos.data} onChanged={videos.reload} />
      <ArtworkPanel />
      <BillingStatsPanel />
      {billing.error ? <ErrorView error={billing.error} onRetry={billing.reload} /> : null}
      {billing.data ? <UsersPanel plans={billing.data.plans} billingEnabled={billing.data.enabled} /> : null}
      <ModerationPanel />
    </div>
  );
}
