// My clips: the clips this profile shared, newest first, each with its preview state,
// a link to its page and Delete.
import { useState } from "react";
import { Link } from "react-router-dom";
import { errorMessage } from "../api/client";
import { deleteClip, myClips } from "../api/clips";
import { Empty, ErrorView, Loading } from "../components/Common/Status";
import { useApi } from "../hooks/useApi";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import { formatClock } from "../lib/format";
import "../components/Clips/clips.css";

export function MyClipsPage() {
  const { t } = useI18n();
  const clips = useApi(() => myClips(), []);
  const [error, setError] = useState<string | null>(null);
  usePageTitle(t("clips.mine"));
  const remove = (id: string) => {
    if (!window.confirm(t("clips.confirmDelete"))) return;
    setError(null);
    deleteClip(id).then(
      () => clips.setData((list) => (list ?? []).filter((c) => c.id !== id)),
      (err: unknown) => setError(errorMessage(err)),
    );
  };
  return (
    <div className="page">
      <h1 className="page__title">{t("clips.mine")}</h1>
      {clips.loading ? <Loading /> : null}
      {clips.error ? <ErrorView error={clips.error} onRetry={clips.reload} /> : null}
      {error ? <p role="alert">{error}</p> : null}
      {clips.data ? (
        clips.data.length ? (
          <ul className="my-clips" data-testid="my-clips">
            {clips.data.map((c) => (
              <li key={c.id} className="my-clips__item">
                {c.preview.still_url ? (
                  <img className="my-clips__thumb" src={c.preview.still_url} alt="" loading="lazy" />
                ) : (
                  <span className="my-clips__thumb" aria-hidden="true" />
                )}
                <div className="my-clips__text">
                  <Link to={c.url}>
                    {c.title}
                    {c.episode ? ` · ${c.episode}` : ""}
                  </Link>
                  {c.caption ? <p>{c.caption}</p> : null}
                  <p className="clip-page__meta">
                    {t("clips.range", { from: formatClock(c.start_s), to: formatClock(c.end_s), n: Math.round(c.end_s - c.start_s) })}
                    {" · "}
                    {t(`clips.state.${c.preview.state}`)}
                  </p>
                </div>
                <button type="button" className="btn btn--small btn--ghost" onClick={() => remove(c.id)} aria-label={t("clips.deleteNamed", { title: c.title })}>
                  {t("clips.delete")}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>{t("clips.empty")}</Empty>
        )
      ) : null}
    </div>
  );
}
