// Sidecar subtitle files (SRT or WebVTT, one per language) attached to a video in the
// admin forms. A track is either attached already (it has an upload id) or waiting for
// its file to go up through the same upload API as the video, which happens when the
// form is saved. The checks mirror the API's, so most mistakes never leave the browser.
import type { SubtitleFilePublic, SubtitleIn } from "../../api/client";
import type { MessageKey } from "../../i18n/en";

/** The API's rule for subtitle languages (BCP 47 tags such as fr, pt-BR). */
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const MAX_SUBTITLE_BYTES = 5 * 1024 * 1024;
export const SUBTITLE_ACCEPT = ".srt,.vtt";

export type SubtitleTrack =
  | { language: string; label: string | null; upload_id: string; filename: string }
  | { language: string; label: string | null; file: File; filename: string };

export function tracksOf(attached: readonly SubtitleFilePublic[] | undefined): SubtitleTrack[] {
  return (attached ?? []).map((s) => ({ language: s.language, label: s.label ?? null, upload_id: s.upload_id, filename: s.filename }));
}

/** Why `file` cannot be added as `language` to `tracks`; null when it can. */
export function checkTrack(tracks: readonly SubtitleTrack[], language: string, file: File | null): MessageKey | null {
  if (!LANGUAGE_TAG.test(language)) return "admin.subtitleBadLanguage";
  if (tracks.some((t) => t.language.toLowerCase() === language.toLowerCase())) return "admin.subtitleDuplicate";
  if (!file) return "admin.subtitleNoFile";
  if (!/\.(srt|vtt)$/i.test(file.name)) return "admin.subtitleBadFile";
  if (file.size > MAX_SUBTITLE_BYTES) return "admin.subtitleTooLarge";
  return null;
}

export function withTrack(tracks: readonly SubtitleTrack[], language: string, label: string, file: File): SubtitleTrack[] {
  return [...tracks, { language, label: label.trim() || null, file, filename: file.name }];
}

export function withoutTrack(tracks: readonly SubtitleTrack[], language: string): SubtitleTrack[] {
  return tracks.filter((t) => t.language !== language);
}

/** Whether two lists give the same tracks (an unchanged list is not sent). */
export function sameTracks(a: readonly SubtitleTrack[], b: readonly SubtitleTrack[]): boolean {
  const key = (t: SubtitleTrack) => `${t.language}\u0000${"upload_id" in t ? t.upload_id : "new"}\u0000${t.label ?? ""}`;
  const ka = a.map(key).sort();
  const kb = b.map(key).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** The API's `subtitles` for `tracks`, uploading the files not sent yet (in order). */
export async function subtitlesToSend(
  tracks: readonly SubtitleTrack[],
  upload: (file: File) => Promise<{ id: string }>,
): Promise<SubtitleIn[]> {
  const out: SubtitleIn[] = [];
  for (const t of tracks) {
    const uploadId = "upload_id" in t ? t.upload_id : (await upload(t.file)).id;
    out.push({ language: t.language, upload_id: uploadId, ...(t.label ? { label: t.label } : {}) });
  }
  return out;
}
