// Shared clips: make one, read one (signed out too), list this profile's, delete.
import { api, unwrap } from "./client";
import type { ClipCreate, ClipPublic } from "./client";

export function createClip(body: ClipCreate): Promise<ClipPublic> {
  return unwrap(api.POST("/api/v1/clips", { body }));
}

export function getClip(clipId: string): Promise<ClipPublic> {
  return unwrap(api.GET("/api/v1/clips/{clip_id}", { params: { path: { clip_id: clipId } } }));
}

export function myClips(): Promise<ClipPublic[]> {
  return unwrap(api.GET("/api/v1/clips"));
}

export async function deleteClip(clipId: string): Promise<void> {
  await unwrap(api.DELETE("/api/v1/clips/{clip_id}", { params: { path: { clip_id: clipId } } }));
}
