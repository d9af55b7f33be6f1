// Artwork A/B tests (docs/artwork.md): impressions from title cards, and the admin's tests.
import { api, unwrap } from "./client";
import type { components } from "./schema";

export type ArtworkTestPublic = components["schemas"]["ArtworkTestPublic"];
export type VariantStats = components["schemas"]["VariantStats"];

/** Cards seen by this profile. `keepalive` lets a batch outlive the page it was sent from. */
export async function postImpressions(titleIds: string[]): Promise<void> {
  await unwrap(api.POST("/api/v1/artwork/impressions", { body: { title_ids: titleIds }, keepalive: true }));
}

export const listArtworkTests = () => unwrap(api.GET("/api/v1/admin/artwork/tests", { params: { query: { limit: 50 } } }));
export const startArtworkTest = (titleId: string) =>
  unwrap(api.POST("/api/v1/admin/artwork/tests", { body: { title_id: titleId } }));
export const endArtworkTest = (testId: string, winnerId: string | null) =>
  unwrap(api.POST("/api/v1/admin/artwork/tests/{test_id}/end", { params: { path: { test_id: testId } }, body: { winner_id: winnerId } }));
