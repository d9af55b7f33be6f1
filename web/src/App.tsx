// Routes. Pages that need an account redirect to /login (then back); a signed-in viewer
// picks a profile first, as on the big streaming services. Pages are split per route
// so the player (Shaka is large) loads only when something is watched.
import { lazy, Suspense, useEffect } from "react";
import type { ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { AppShell } from "./components/Layout/AppShell";
import { useDownloadChecks } from "./components/Downloads/useDownloadChecks";
import { Loading } from "./components/Common/Status";
import { useAuth } from "./hooks/useAuth";
import { useI18n } from "./i18n";
import { LoginPage, SignupPage } from "./routes/Auth";
import { ProfilesPage } from "./routes/Profiles";
import { HomePage } from "./routes/Home";
import { TitlePage } from "./routes/Title";
import { SearchPage } from "./routes/Search";
import { MyListPage } from "./routes/MyList";
import { GenrePage } from "./routes/Genre";
import { AccountPage } from "./routes/Account";
import { DevicesPage } from "./routes/Devices";
import { DownloadsPage } from "./routes/Downloads";
import { MyClipsPage } from "./routes/MyClips";
import { NotFoundPage } from "./routes/NotFound";
import { loadedWatchPage, loadWatchPage } from "./lib/watchPrefetch";

const LazyWatchPage = lazy(loadWatchPage);

function WatchPage() {
  // Usually loaded already: main.tsx starts the download before the first render.
  const Loaded = loadedWatchPage();
  return Loaded ? <Loaded /> : <LazyWatchPage />;
}
const AdminPage = lazy(() => import("./routes/Admin"));
const ClipPage = lazy(() => import("./routes/Clip"));
const AnalyticsPage = lazy(() => import("./routes/Analytics"));

function RequireAuth({ children, needsProfile = true }: { children: ReactNode; needsProfile?: boolean }) {
  const { user, loading, profileChosen } = useAuth();
  const location = useLocation();
  const next = encodeURIComponent(location.pathname + location.search);
  if (loading) return <Loading />;
  if (!user) return <Navigate to={`/login?next=${next}`} replace />;
  if (needsProfile && !profileChosen) return <Navigate to={`/profiles?next=${next}`} replace />;
  return <>{children}</>;
}

function Shell({ children }: { children: ReactNode }) {
  return (
    <RequireAuth>
      <AppShell>{children}</AppShell>
    </RequireAuth>
  );
}

/** A clip's page is open to everyone: signed in, inside the usual frame; signed out, alone
 *  (with a sign-in prompt). */
function ClipRoute() {
  const { user, loading } = useAuth();
  if (loading) return <Loading />;
  if (user) return <AppShell><ClipPage /></AppShell>;
  return <ClipPage />;
}

/** Downloads open with no network: signed in, the usual frame; offline (the session
 *  check cannot answer), the page alone with what this browser stores. */
function DownloadsRoute() {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Loading />;
  if (user) return <Shell><DownloadsPage /></Shell>;
  if (navigator.onLine) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  return (
    <main id="main" className="offline-shell">
      <DownloadsPage />
    </main>
  );
}

function DocumentTitle() {
  // Each page sets its own title through usePageTitle; this resets it between routes.
  const location = useLocation();
  const { t } = useI18n();
  useEffect(() => {
    document.title = t("app.name");
    window.scrollTo(0, 0);
  }, [location.pathname, t]);
  return null;
}

/** The online check of this browser's downloads runs whatever the page. */
function DownloadChecks() {
  useDownloadChecks();
  return null;
}

export function App() {
  return (
    <>
      <DocumentTitle />
      <DownloadChecks />
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/signup" element={<SignupPage />} />
          <Route
            path="/profiles"
            element={
              <RequireAuth needsProfile={false}>
                <ProfilesPage />
              </RequireAuth>
            }
          />
          <Route path="/" element={<Shell><HomePage /></Shell>} />
          <Route path="/title/:titleId" element={<Shell><TitlePage /></Shell>} />
          <Route path="/search" element={<Shell><SearchPage /></Shell>} />
          <Route path="/my-list" element={<Shell><MyListPage /></Shell>} />
          <Route path="/genre/:slug" element={<Shell><GenrePage /></Shell>} />
          <Route path="/account" element={<Shell><AccountPage /></Shell>} />
          <Route path="/devices" element={<Shell><DevicesPage /></Shell>} />
          <Route path="/downloads" element={<DownloadsRoute />} />
          <Route path="/clips" element={<Shell><MyClipsPage /></Shell>} />
          <Route path="/clip/:clipId" element={<ClipRoute />} />
          <Route path="/admin" element={<Shell><AdminPage /></Shell>} />
          <Route path="/admin/analytics" element={<Shell><AnalyticsPage /></Shell>} />
          <Route
            path="/watch/:videoId"
            element={
              <RequireAuth>
                <WatchPage />
              </RequireAuth>
            }
          />
          <Route path="*" element={<Shell><NotFoundPage /></Shell>} />
        </Routes>
      </Suspense>
    </>
  );
}
