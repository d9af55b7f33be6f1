// Artwork A/B tests (docs/artwork.md): impressions from title cards, and the admin's tests.
import { api, unwrap } from "./client";
import type { components } from "./schema";

export type ArtworkTestPublic = components["schemas"]["ArtworkTestPublic"];
export type VariantStats = components["schemas"]["VariantStats"];
export type ArtworkUploadPublic = components["schemas"]["ArtworkUploadPublic"];

/** Cards seen by this profile. `keepalive` lets a batch outlive the page it was sent from. */
export async function postImpressions(titleIds: string[]): Promise<void> {
  await unwrap(api.POST("/api/v1/artwork/impressions", { body: { title_ids: titleIds }, keepalive: true }));
}

export const listArtworkTests = () => unwrap(api.GET("/api/v1/admin/artwork/tests", { params: { query: { limit: 50 } } }));
export const startArtworkTest = (titleId: string) =>
  unwrap(api.POST("/api/v1/admin/artwork/tests", { body: { title_id: titleId } }));
export const endArtworkTest = (testId: string, winnerId: string | null) =>
  unwrap(api.POST("/api/v1/admin/artwork/tests/{test_id}/end", { params: { path: { test_id: testId } }, body: { winner_id: winnerId } }));

/** The images admins uploaded for a title (variants of its next test). */
export const listArtworkUploads = (titleId: string) =>
  unwrap(api.GET("/api/v1/admin/titles/{title_id}/artwork", { params: { path: { title_id: titleId } } }));
/** Make a completed upload (a JPEG or PNG) one of the title's artwork images. */
export const addArtworkUpload = (titleId: string, uploadId: string) =>
  unwrap(api.POST("/api/v1/admin/titles/{title_id}/artwork", { params: { path: { title_id: titleId } }, body: { upload_id: uploadId } }));
export const deleteArtworkUpload = (titleId: string, name: string) =>
  unwrap(api.DELETE("/api/v1/admin/titles/{title_id}/artwork/{name}", { params: { path: { title_id: titleId, name } } }));
