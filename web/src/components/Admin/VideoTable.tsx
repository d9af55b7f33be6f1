// Videos and their live processing status (pushed over Server-Sent Events, or polled),
// with metadata editing, re-transcode and delete. A ready video whose re-transcode
// failed says so: its previous output is still what viewers get.
import { useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router-dom";
import { api, errorMessage, unwrap } from "../../api/client";
import type { AdminVideoPublic, VideoStatus } from "../../api/client";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { SubtitlesField } from "./SubtitlesField";
import { SuggestionsPanel } from "./SuggestionsPanel";
import { sameTracks, subtitlesToSend, tracksOf } from "./subtitles";
import type { SubtitleTrack } from "./subtitles";
import { uploadFile } from "./uploader";

const STATUS_KEYS: Record<VideoStatus, MessageKey> = {
  draft: "status.draft",
  uploading: "status.uploading",
  queued: "status.queued",
  processing: "status.processing",
  ready: "status.ready",
  failed: "status.failed",
};

type Chapters = NonNullable<AdminVideoPublic["chapters"]>;

/** A number input's text as seconds: "" is unset; anything else must be a number. */
function seconds(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

function secondsText(value: number | null | undefined): string {
  return value == null ? "" : String(value);
}

function EditRow({ video, onDone }: { video: AdminVideoPublic; onDone: (saved: boolean) => void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState(video.title);
  const [published, setPublished] = useState(video.published);
  const [description, setDescription] = useState("");
  const [genres, setGenres] = useState("");
  // Description and genres come from a second request: until it answers (or if it
  // fails) only what the admin typed is sent, so nothing stored is overwritten by "".
  const [loaded, setLoaded] = useState(false);
  const typed = useRef({ description: false, genres: false });
  const [introStart, setIntroStart] = useState(secondsText(video.chapters?.intro_start_s));
  const [introEnd, setIntroEnd] = useState(secondsText(video.chapters?.intro_end_s));
  const [creditsStart, setCreditsStart] = useState(secondsText(video.chapters?.credits_start_s));
  const [subtitles, setSubtitles] = useState<SubtitleTrack[]>(() => tracksOf(video.subtitles));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // The admin list has no description or genres: read them from the title.
    void unwrap(api.GET("/api/v1/titles/{title_id}", { params: { path: { title_id: video.title_id } } }))
      .then((d) => {
        if (!typed.current.description) {
          setDescription(d.kind === "movie" ? d.description : (d.seasons.flatMap((s) => s.episodes).find((e) => e.id === video.id)?.description ?? d.description));
        }
        if (!typed.current.genres) setGenres(d.genres.map((g) => g.name).join(", "));
        setLoaded(true);
      })
      .catch(() => {});
  }, [video.title_id, video.id]);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const chapters: Chapters = {
      intro_start_s: seconds(introStart),
      intro_end_s: seconds(introEnd),
      credits_start_s: seconds(creditsStart),
    };
    const hadChapters = video.chapters != null;
    const hasChapters = Object.values(chapters).some((v) => v !== null);
    setSaving(true);
    try {
      // Only a changed list is sent: on a ready video it rewrites the subtitle tracks.
      const changedSubtitles = !sameTracks(subtitles, tracksOf(video.subtitles));
      const sidecars = changedSubtitles
        ? await subtitlesToSend(subtitles, (f) => uploadFile(f, () => {}, new AbortController().signal))
        : null;
      await unwrap(
        api.PATCH("/api/v1/admin/videos/{video_id}", {
          params: { path: { video_id: video.id } },
          body: {
            title,
            published,
            ...(loaded || typed.current.description ? { description } : {}),
            ...(loaded || typed.current.genres
              ? { genres: genres.split(",").map((g) => g.trim()).filter(Boolean) }
              : {}),
            ...(hadChapters || hasChapters ? { chapters } : {}),
            ...(sidecars ? { subtitles: sidecars } : {}),
          },
        }),
      );
      onDone(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  const secondsField = (id: string, label: MessageKey, value: string, set: (v: string) => void) => (
    <div className="field">
      <label htmlFor={`${id}-${video.id}`}>{t(label)}</label>
      <input id={`${id}-${video.id}`} type="number" min={0} step="0.1" inputMode="decimal" value={value} onChange={(e) => set(e.currentTarget.value)} />
    </div>
  );
  return (
    <tr className="video-table__edit">
      <td colSpan={5}>
        <form onSubmit={(e) => void save(e)} aria-label={t("admin.editTitle", { name: video.title })} className="form-grid">
          <div className="field">
            <label htmlFor={`e-title-${video.id}`}>{t("admin.titleName")}</label>
            <input id={`e-title-${video.id}`} value={title} onChange={(e) => setTitle(e.currentTarget.value)} />
          </div>
          <div className="field">
            <label htmlFor={`e-genres-${video.id}`}>{t("admin.genres")}</label>
            <input
              id={`e-genres-${video.id}`}
              value={genres}
              onChange={(e) => {
                typed.current.genres = true;
                setGenres(e.currentTarget.value);
              }}
            />
          </div>
          <div className="field field--wide">
            <label htmlFor={`e-desc-${video.id}`}>{t("admin.description")}</label>
            <textarea
              id={`e-desc-${video.id}`}
              rows={3}
              value={description}
              onChange={(e) => {
                typed.current.description = true;
                setDescription(e.currentTarget.value);
              }}
            />
          </div>
          {secondsField("e-intro-start", "admin.introStart", introStart, setIntroStart)}
          {secondsField("e-intro-end", "admin.introEnd", introEnd, setIntroEnd)}
          {secondsField("e-credits", "admin.creditsStart", creditsStart, setCreditsStart)}
          <SubtitlesField idPrefix={`e-${video.id}`} tracks={subtitles} onChange={setSubtitles} disabled={saving} />
          <label className="checkbox">
            <input type="checkbox" checked={published} onChange={(e) => setPublished(e.currentTarget.checked)} /> {t("admin.published")}
          </label>
          {error ? <p className="form-error" role="alert">{error}</p> : null}
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={saving}>{t("admin.save")}</button>
            <button type="button" className="btn" onClick={() => onDone(false)}>{t("profiles.cancel")}</button>
          </div>
        </form>
        <SuggestionsPanel
          titleId={video.title_id}
          onAccepted={(s) => {
            // Keep the form in step, so saving it does not drop an accepted genre.
            if (s.kind !== "genre") return;
            setGenres((g) => {
              const names = g.split(",").map((x) => x.trim()).filter(Boolean);
              return names.some((x) => x.toLowerCase() === s.value.toLowerCase()) ? g : [...names, s.value].join(", ");
            });
          }}
        />
      </td>
    </tr>
  );
}

export function VideoTable({ videos, onChanged }: { videos: readonly AdminVideoPublic[]; onChanged: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setError(null);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  if (!videos.length) return <p className="empty">{t("admin.noVideos")}</p>;
  return (
    <>
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      <div className="table-scroll">
        <table className="video-table">
          <thead>
            <tr>
              <th scope="col">{t("admin.titleName")}</th>
              <th scope="col">{t("admin.status")}</th>
              <th scope="col">{t("admin.progress")}</th>
              <th scope="col">{t("admin.renditions")}</th>
              <th scope="col">{t("admin.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {videos.map((v) => {
              const pct = Math.round((v.status === "ready" ? 1 : v.progress) * 100);
              const name = v.kind === "series" ? `${v.title} · ${t("title.seasonEpisode", { s: v.season_number ?? 1, e: v.episode_number ?? "?" })}` : v.title;
              return [
                <tr key={v.id} data-testid="admin-video" data-video-id={v.id} data-status={v.status}>
                  <th scope="row">
                    <Link to={`/title/${v.title_id}`}>{name}</Link>
                    {!v.published ? <span className="badge badge--outline">draft</span> : null}
                  </th>
                  <td>
                    <span className={`status status--${v.status}`}>{t(STATUS_KEYS[v.status])}</span>
                    {v.job?.stage && v.status !== "ready" ? <span className="status__stage"> · {v.job.stage}</span> : null}
                    {v.retranscode_failed ? (
                      <p className="status__error" data-testid="retranscode-failed">
                        {t("admin.retranscodeFailed")}
                      </p>
                    ) : null}
                    {v.error ? <p className="status__error">{v.error}</p> : null}
                  </td>
                  <td>
                    <progress max={100} value={pct} aria-label={t("admin.processingOf", { name, pct })} />
                    <span className="video-table__pct">{pct}%</span>
                  </td>
                  <td>{v.renditions.join(", ")}</td>
                  <td className="video-table__actions">
                    {v.status === "ready" ? (
                      <Link className="btn btn--small" to={`/watch/${v.id}?title=${v.title_id}`}>
                        {t("admin.watch")}
                      </Link>
                    ) : null}
                    <button type="button" className="btn btn--small" aria-expanded={editing === v.id} onClick={() => setEditing(editing === v.id ? null : v.id)}>
                      {t("admin.edit")}
                    </button>
                    <button
                      type="button"
                      className="btn btn--small"
                      onClick={() => void act(() => unwrap(api.POST("/api/v1/admin/videos/{video_id}/transcode", { params: { path: { video_id: v.id } }, body: {} })))}
                    >
                      {t("admin.retranscode")}
                    </button>
                    <button
                      type="button"
                      className="btn btn--small btn--danger"
                      onClick={() => {
                        if (window.confirm(t("admin.confirmDelete", { name }))) {
                          void act(() => unwrap(api.DELETE("/api/v1/admin/videos/{video_id}", { params: { path: { video_id: v.id } } })));
                        }
                      }}
                    >
                      {t("admin.delete")}
                    </button>
                  </td>
                </tr>,
                editing === v.id ? (
                  <EditRow
                    key={`${v.id}-edit`}
                    video={v}
                    onDone={(saved) => {
                      setEditing(null);
                      if (saved) onChanged();
                    }}
                  />
                ) : null,
              ];
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
