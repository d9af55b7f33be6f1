// Upload a video and describe it: the file goes up resumably with a real progress bar
// (pause/resume survive reloads), then its sidecar subtitle files, then the API creates
// the title and queues the transcode.
import { useRef, useState } from "react";
import type { FormEvent } from "react";
import { api, errorMessage, unwrap } from "../../api/client";
import type { Maturity } from "../../api/client";
import { useI18n } from "../../i18n";
import { formatBytes } from "../../lib/format";
import { MATURITIES, maturityLabel } from "../Catalog/maturity";
import { Icon } from "../Icons/Icons";
import { SubtitlesField } from "./SubtitlesField";
import { subtitlesToSend } from "./subtitles";
import type { SubtitleTrack } from "./subtitles";
import { abortUpload, fingerprint, UploadAborted, uploadFile } from "./uploader";
import type { UploadProgress } from "./uploader";

type Phase = "idle" | "uploading" | "paused" | "creating" | "done" | "error";

export function UploadForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [genres, setGenres] = useState("");
  const [year, setYear] = useState("");
  const [maturity, setMaturity] = useState<Maturity>("13+");
  const [kind, setKind] = useState<"movie" | "series">("movie");
  const [season, setSeason] = useState("1");
  const [episode, setEpisode] = useState("1");
  const [subtitles, setSubtitles] = useState<SubtitleTrack[]>([]);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [phase, setPhase] = useState<Phase>("idle");
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const fileInputRef = useRef<HTMLInputElement | null>(null);
  const resumable = file ? localStorage.getItem(fingerprint(file)) !== null : false;

  const run = async () => {
    if (!file) return;
    const controller = new AbortController();
    abortRef.current = controller;
    setPhase("uploading");
    setError(null);
    try {
      const upload = await uploadFile(file, setProgress, controller.signal);
      // Subtitle files are small: they go up after the video, without a bar of their own.
      const sidecars = await subtitlesToSend(subtitles, (f) => uploadFile(f, () => {}, controller.signal));
      setPhase("creating");
      const common = {
        title: title.trim() || file.name.replace(/\.[^.]+$/, ""),
        description,
        year: year ? Number(year) : null,
        maturity,
        genres: genres.split(",").map((g) => g.trim()).filter(Boolean),
        published: true,
        upload_id: upload.id,
        subtitles: sidecars,
      };
      await unwrap(
        api.POST("/api/v1/admin/videos", {
          body:
            kind === "movie"
              ? { ...common, kind: "movie" }
              : { ...common, kind: "series", season_number: Number(season), episode_number: Number(episode) },
        }),
      );
      setPhase("done");
      // Ready for the next file; the bar and the message stay until then.
      setFile(null);
      setTitle("");
      setDescription("");
      setSubtitles([]);
      if (fileInputRef.current) fileInputRef.current.value = "";
      onCreated();
    } catch (err) {
      if (err instanceof UploadAborted) {
        setPhase("paused");
        return;
      }
      setError(errorMessage(err));
      setPhase("error");
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };
  const busy = phase === "uploading" || phase === "creating";
  const pct = progress && progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0;

  return (
    <form className="panel upload-form" onSubmit={submit} aria-labelledby="upload-heading">
      <h2 id="upload-heading">
        <Icon name="upload" size={24} /> {t("admin.upload")}
      </h2>
      <div className="form-grid">
        <div className="field field--wide">
          <label htmlFor="up-file">{t("admin.file")}</label>
          <input
            id="up-file"
            ref={fileInputRef}
            type="file"
            accept="video/*,.mkv,.mov,.mp4,.webm"
            required
            disabled={busy}
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setProgress(null);
              setPhase("idle");
              setError(null);
            }}
          />
          {resumable && phase === "idle" ? <p className="hint">{t("admin.resumable")}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="up-kind">{t("admin.kind")}</label>
          <select id="up-kind" value={kind} disabled={busy} onChange={(e) => setKind(e.currentTarget.value as "movie" | "series")}>
            <option value="movie">{t("admin.movie")}</option>
            <option value="series">{t("admin.episodeOf")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="up-title">{kind === "movie" ? t("admin.titleName") : t("admin.seriesName")}</label>
          <input id="up-title" value={title} disabled={busy} maxLength={300} onChange={(e) => setTitle(e.currentTarget.value)} />
        </div>
        {kind === "series" ? (
          <>
            <div className="field field--narrow">
              <label htmlFor="up-season">{t("admin.seasonNumber")}</label>
              <input id="up-season" type="number" min={0} value={season} disabled={busy} onChange={(e) => setSeason(e.currentTarget.value)} />
            </div>
            <div className="field field--narrow">
              <label htmlFor="up-episode">{t("admin.episodeNumber")}</label>
              <input id="up-episode" type="number" min={0} value={episode} disabled={busy} onChange={(e) => setEpisode(e.currentTarget.value)} />
            </div>
          </>
        ) : null}
        <div className="field field--wide">
          <label htmlFor="up-description">{t("admin.description")}</label>
          <textarea id="up-description" rows={3} value={description} disabled={busy} onChange={(e) => setDescription(e.currentTarget.value)} />
        </div>
        <div className="field">
          <label htmlFor="up-genres">{t("admin.genres")}</label>
          <input id="up-genres" value={genres} disabled={busy} onChange={(e) => setGenres(e.currentTarget.value)} />
        </div>
        <div className="field field--narrow">
          <label htmlFor="up-year">{t("admin.year")}</label>
          <input id="up-year" type="number" min={1870} max={2200} value={year} disabled={busy} onChange={(e) => setYear(e.currentTarget.value)} />
        </div>
        <div className="field field--narrow">
          <label htmlFor="up-maturity">{t("admin.maturity")}</label>
          <select id="up-maturity" value={maturity} disabled={busy} onChange={(e) => setMaturity(e.currentTarget.value as Maturity)}>
            {MATURITIES.map((m) => (
              <option key={m} value={m}>
                {maturityLabel(m, t)}
              </option>
            ))}
          </select>
        </div>
        <SubtitlesField idPrefix="up" tracks={subtitles} onChange={setSubtitles} disabled={busy} />
      </div>
      {progress ? (
        <div className="upload-progress">
          <label htmlFor="upload-bar">{t("admin.uploadProgress")}</label>
          <progress id="upload-bar" max={100} value={pct} data-testid="upload-progress">
            {pct}%
          </progress>
          <p className="upload-progress__text" aria-live="polite">
            {pct}% · {t("admin.uploaded", { done: formatBytes(progress.loaded), total: formatBytes(progress.total) })}
          </p>
        </div>
      ) : null}
      {phase === "paused" && progress ? <p className="hint">{t("admin.paused", { done: formatBytes(progress.loaded) })}</p> : null}
      {phase === "done" ? (
        <p className="form-ok" role="status">
          {t("admin.uploadDone")}
        </p>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {t("admin.uploadFailed", { error })}
        </p>
      ) : null}
      <div className="form-actions">
        {phase === "uploading" ? (
          <button type="button" className="btn" onClick={() => abortRef.current?.abort()}>
            {t("admin.pause")}
          </button>
        ) : (
          <button type="submit" className="btn btn--primary" disabled={!file || busy}>
            {phase === "paused" || (resumable && phase !== "done") ? t("admin.resume") : t("admin.start")}
          </button>
        )}
        {file && (phase === "paused" || phase === "error" || phase === "uploading") ? (
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => {
              abortRef.current?.abort();
              void abortUpload(file).finally(() => {
                setProgress(null);
                setPhase("idle");
              });
            }}
          >
            {t("admin.cancel")}
          </button>
        ) : null}
      </div>
    </form>
  );
}
