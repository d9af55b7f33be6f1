// Mounted once for the whole app: the online check of this browser's downloads when the
// app starts signed in and online, and each time the network comes back, whatever the
// page (see lib/offlineCheck.ts).
import { useEffect } from "react";
import { useAuth } from "../../hooks/useAuth";
import { mayHoldDownloads } from "../../lib/offline";
import { checkDownloads, checkWhenOnline, whenOnline } from "../../lib/offlineCheck";

export function useDownloadChecks(): void {
  const { user, loading, refresh } = useAuth();
  const profileId = user?.profile.id ?? null;
  useEffect(() => {
    if (!profileId) return;
    void checkDownloads(profileId);
    return checkWhenOnline(profileId);
  }, [profileId]);
  // Opened offline (Downloads plays with no network), the app could not learn who is
  // signed in: when the network is back it asks again, and the check above follows.
  useEffect(() => {
    if (profileId || loading) return;
    return whenOnline(() => {
      if (navigator.onLine && mayHoldDownloads()) void refresh().catch(() => undefined);
    });
  }, [profileId, loading, refresh]);
}
