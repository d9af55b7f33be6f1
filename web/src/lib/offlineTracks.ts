// Which tracks a download keeps and which subtitles an offline play shows first. Pure
// (Shaka's track objects in, a choice out), so they are tested without Shaka running.
import type shakaNs from "shaka-player";

type Track = shakaNs.extern.Track;
type TextTrack = shakaNs.extern.TextTrack;

// The app's languages as their two-letter codes; media from ffmpeg often carries the
// three-letter ones.
const THREE_LETTER: Record<string, string> = { eng: "en", spa: "es" };

function base(language: string | null | undefined): string {
  const code = (language ?? "").toLowerCase().split("-")[0] ?? "";
  return THREE_LETTER[code] ?? code;
}

/** Whether two language tags name the same language ("en-GB" and "eng" do). */
export function sameLanguage(a: string | null | undefined, b: string | null | undefined): boolean {
  const left = base(a);
  return left !== "" && left === base(b);
}

/** What a download stores: one variant (the audio in ``language`` when there is one,
 *  else any; the tallest picture, then the highest bandwidth, the manifest being
 *  already filtered to the grant's height) and every subtitle track. */
export function pickTracks(tracks: readonly Track[], language: string): Track[] {
  const variants = tracks.filter((t) => t.type === "variant");
  const inLanguage = variants.filter((t) => sameLanguage(t.language, language));
  const pool = inLanguage.length ? inLanguage : variants;
  const best = pool.reduce<Track | null>(
    (a, t) => (!a || (t.height ?? 0) > (a.height ?? 0) || ((t.height ?? 0) === (a.height ?? 0) && t.bandwidth > a.bandwidth) ? t : a),
    null,
  );
  return [...(best ? [best] : []), ...tracks.filter((t) => t.type === "text")];
}

/** The stored subtitle track an offline play shows first: the app's language, else none. */
export function subtitleFor(tracks: readonly TextTrack[], language: string): TextTrack | null {
  return tracks.find((t) => sameLanguage(t.language, language)) ?? null;
}
