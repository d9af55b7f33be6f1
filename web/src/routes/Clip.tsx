// A shared clip's page, `/clip/<id>`: open to everyone. The server put the clip's card
// (OpenGraph/Twitter tags) in the HTML; here the preview plays (muted, looping) with its
// title and caption. Signed out, a sign-in prompt; signed in, "Play clip" opens the
// title at the clip's start on the watch page, which stops at its end and checks the
// viewer's own plan as for any title. The preview is polled while it is being made.
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { ApiError, errorMessage } from "../api/client";
import { deleteClip, getClip } from "../api/clips";
import { clipShareUrl, clipWatchHref } from "../components/Clips/clips";
import { ErrorView, Loading } from "../components/Common/Status";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import { formatClock } from "../lib/format";
import "../components/Clips/clips.css";

const POLL_MS = 3000;

export default function ClipPage() {
  const { clipId = "" } = useParams();
  const { t } = useI18n();
  const { user } = useAuth();
  const navigate = useNavigate();
  const clip = useApi(() => getClip(clipId), [clipId, user?.profile.id]);
  const [copied, setCopied] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const c = clip.data;
  usePageTitle(c?.title ?? t("clips.clip"));

  const pending = c?.preview.state === "pending";
  const { reload } = clip;
  useEffect(() => {
    if (!pending) return;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [pending, reload, c]);

  if (clip.loading && !c) return <main id="main" className="clip-page"><Loading /></main>;
  if (clip.error) {
    const status = clip.error instanceof ApiError ? clip.error.status : null;
    return (
      <main id="main" className="clip-page">
        {status === 404 ? (
          <p className="empty">{t("clips.notFound")}</p>
        ) : status === 403 ? (
          <p className="empty">{t("clips.notForProfile")}</p>
        ) : (
          <ErrorView error={clip.error} onRetry={clip.reload} />
        )}
        <Link to="/">{t("clips.home")}</Link>
      </main>
    );
  }
  if (!c) return null;
  const remove = () => {
    if (!window.confirm(t("clips.confirmDelete"))) return;
    deleteClip(c.id).then(
      () => navigate("/clips"),
      (err: unknown) => setActionError(errorMessage(err)),
    );
  };
  const copy = () =>
    void navigator.clipboard.writeText(clipShareUrl(c, window.location.origin)).then(
      () => setCopied(true),
      () => setActionError(t("clips.copyFailed")),
    );
  return (
    <main id="main" className="clip-page" data-testid="clip-page">
      {c.preview.state === "ready" && c.preview.video_url ? (
        <video
          className="clip-page__media"
          src={c.preview.video_url}
          poster={c.preview.still_url ?? undefined}
          controls
          muted
          loop
          autoPlay
          playsInline
          data-testid="clip-preview"
        />
      ) : (
        <div className="clip-page__pending" role="status" data-testid="clip-preview-state">
          {c.preview.state === "failed" ? t("clips.previewFailed") : t("clips.previewPending")}
        </div>
      )}
      <h1 className="page__title">
        {c.title}
        {c.episode ? ` · ${c.episode}` : ""}
      </h1>
      {c.caption ? <p className="clip-page__caption" data-testid="clip-caption">{c.caption}</p> : null}
      <p className="clip-page__meta">
        {t("clips.range", { from: formatClock(c.start_s), to: formatClock(c.end_s), n: Math.round(c.end_s - c.start_s) })}
      </p>
      <div className="clip-page__actions">
        {user ? (
          c.playable ? (
            <Link className="btn" to={clipWatchHref(c)} data-testid="clip-play">
              {t("clips.play")}
            </Link>
          ) : null
        ) : (
          <div className="clip-page__signin" data-testid="clip-signin">
            <p>{t("clips.signInPrompt")}</p>
            <a className="btn" href={`/login?next=${encodeURIComponent(`/clip/${c.id}`)}`}>
              {t("clips.signIn")}
            </a>{" "}
            <a className="btn btn--secondary" href={`/signup?next=${encodeURIComponent(`/clip/${c.id}`)}`}>
              {t("clips.signUp")}
            </a>
          </div>
        )}
        <button type="button" className="btn btn--secondary" onClick={copy}>
          {t("clips.copy")}
        </button>
        {copied ? <span role="status">{t("clips.copied")}</span> : null}
        {c.can_delete ? (
          <button type="button" className="btn btn--ghost" onClick={remove}>
            {t("clips.delete")}
          </button>
        ) : null}
      </div>
      {actionError ? <p role="alert">{actionError}</p> : null}
    </main>
  );
}
