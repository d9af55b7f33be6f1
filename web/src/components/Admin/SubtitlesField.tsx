// The "Subtitles" section of the admin forms: pick a language and an .srt/.vtt file,
// see the attached tracks, remove one. It only edits the list; the form that holds it
// uploads the new files and sends the list when it is saved.
import { useRef, useState } from "react";
import { useI18n } from "../../i18n";
import { checkTrack, SUBTITLE_ACCEPT, withoutTrack, withTrack } from "./subtitles";
import type { SubtitleTrack } from "./subtitles";

// Suggestions only: any BCP 47 tag the API accepts may be typed.
const COMMON_LANGUAGES = ["en", "es", "fr", "de", "it", "pt", "pt-BR", "nl", "ja", "ko", "zh-Hans", "ar", "hi", "ru"];

export function SubtitlesField({
  idPrefix,
  tracks,
  onChange,
  disabled = false,
}: {
  idPrefix: string;
  tracks: readonly SubtitleTrack[];
  onChange: (tracks: SubtitleTrack[]) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [language, setLanguage] = useState("");
  const [label, setLabel] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement | null>(null);

  const add = () => {
    const tag = language.trim();
    const why = checkTrack(tracks, tag, file);
    if (why || !file) {
      setProblem(t(why ?? "admin.subtitleNoFile"));
      return;
    }
    onChange(withTrack(tracks, tag, label, file));
    setLanguage("");
    setLabel("");
    setFile(null);
    setProblem(null);
    if (fileRef.current) fileRef.current.value = "";
  };

  return (
    <fieldset className="field field--wide subtitles-field" disabled={disabled}>
      <legend>{t("admin.subtitles")}</legend>
      {tracks.length ? (
        <ul className="subtitles-field__list" aria-label={t("admin.subtitles")}>
          {tracks.map((track) => (
            <li key={track.language}>
              <span>
                <strong>{track.language}</strong>
                {track.label ? ` · ${track.label}` : ""} · {track.filename}
                {"file" in track ? ` (${t("admin.subtitleNew")})` : ""}
              </span>
              <button
                type="button"
                className="btn btn--ghost btn--small"
                aria-label={t("admin.subtitleRemove", { language: track.language })}
                onClick={() => onChange(withoutTrack(tracks, track.language))}
              >
                {t("admin.remove")}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">{t("admin.noSubtitles")}</p>
      )}
      <div className="subtitles-field__add">
        <div className="field field--narrow">
          <label htmlFor={`${idPrefix}-sub-lang`}>{t("admin.subtitleLanguage")}</label>
          <input
            id={`${idPrefix}-sub-lang`}
            list={`${idPrefix}-sub-langs`}
            value={language}
            maxLength={35}
            placeholder="fr"
            onChange={(e) => setLanguage(e.currentTarget.value)}
          />
          <datalist id={`${idPrefix}-sub-langs`}>
            {COMMON_LANGUAGES.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </div>
        <div className="field field--narrow">
          <label htmlFor={`${idPrefix}-sub-label`}>{t("admin.subtitleLabel")}</label>
          <input id={`${idPrefix}-sub-label`} value={label} maxLength={100} onChange={(e) => setLabel(e.currentTarget.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-sub-file`}>{t("admin.subtitleFile")}</label>
          <input
            id={`${idPrefix}-sub-file`}
            ref={fileRef}
            type="file"
            accept={SUBTITLE_ACCEPT}
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setProblem(null);
            }}
          />
        </div>
        <button type="button" className="btn" onClick={add}>
          {t("admin.subtitleAdd")}
        </button>
      </div>
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
    </fieldset>
  );
}
