// Download grants (see docs/downloads.md): what a Download button offers, the grant
// that signs a download's URLs for its lifetime, the online check, offline play
// reports and revocation. Types are the generated ones.
import { api, unwrap } from "./client";

const grant = (id: string) => ({ params: { path: { grant_id: id } } });

export const downloadOptions = (videoId: string) =>
  unwrap(api.GET("/api/v1/downloads/options/{video_id}", { params: { path: { video_id: videoId } } }));

export const createDownload = (videoId: string, quality: "standard" | "high") =>
  unwrap(api.POST("/api/v1/downloads", { body: { video_id: videoId, quality } }));

/** The online check: keep (with the renewed grant) or delete, and why. */
export const checkDownload = (id: string) => unwrap(api.POST("/api/v1/downloads/{grant_id}/renew", grant(id)));

export const reportOfflinePlay = (id: string, playedAt: string) =>
  unwrap(api.POST("/api/v1/downloads/{grant_id}/offline-play", { ...grant(id), body: { played_at: playedAt } }));

export const deleteDownload = (id: string) => unwrap(api.DELETE("/api/v1/downloads/{grant_id}", grant(id)));

/** Every device's downloads (the account holder's view, for the Devices page). */
export const accountDownloads = () => unwrap(api.GET("/api/v1/downloads", { params: { query: { account: true } } }));

export const revokeDeviceDownloads = (deviceId: string) =>
  unwrap(api.DELETE("/api/v1/downloads/devices/{device_id}", { params: { path: { device_id: deviceId } } }));
