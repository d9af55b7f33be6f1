// A title's page: backdrop, facts, play/resume and My List; for a series, a season
// picker and its episodes, each a real link to the watch page.
import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, ApiError, unwrap } from "../api/client";
import type { VideoSummary } from "../api/client";
import { ErrorView, Loading } from "../components/Common/Status";
import { Icon } from "../components/Icons/Icons";
import { MyListButton } from "../components/Catalog/MyListButton";
import { DownloadButton } from "../components/Downloads/DownloadButton";
import { maturityLabel } from "../components/Catalog/maturity";
import { TitleSocial } from "../components/Social/TitleSocial";
import { MoreLikeThis } from "../components/Discovery/MoreLikeThis";
import { useApi } from "../hooks/useApi";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

function minutes(seconds: number | null | undefined): number | null {
  return seconds ? Math.max(1, Math.round(seconds / 60)) : null;
}

function Episode({ ep, titleId }: { ep: VideoSummary; titleId: string }) {
  const { t } = useI18n();
  const ready = ep.status === "ready";
  const mins = minutes(ep.duration_s);
  const watched = ep.position_s && ep.duration_s ? Math.min(1, ep.position_s / ep.duration_s) : null;
  const body = (
    <>
      <span className="episode__number" aria-hidden="true">
        {ep.episode_number ?? ""}
      </span>
      <span className="episode__text">
        <span className="episode__name">
          {t("title.episode", { n: ep.episode_number ?? "?" })}
          {ep.name ? `: ${ep.name}` : ""}
        </span>
        {ep.description ? <span className="episode__description">{ep.description}</span> : null}
        {watched !== null ? (
          <span className="card__progress episode__progress" aria-hidden="true">
            <span style={{ width: `${Math.round(watched * 100)}%` }} />
          </span>
        ) : null}
      </span>
      <span className="episode__duration">{ready ? (mins ? t("title.minutes", { n: mins }) : "") : t("title.notReady")}</span>
    </>
  );
  return (
    <li className="episode">
      {ready ? (
        <Link className="episode__link" to={`/watch/${ep.id}?title=${titleId}`}>
          {body}
        </Link>
      ) : (
        <div className="episode__link episode__link--disabled">{body}</div>
      )}
      {ready ? (
        <DownloadButton
          videoId={ep.id}
          name={`${t("title.episode", { n: ep.episode_number ?? "?" })}${ep.name ? `: ${ep.name}` : ""}`}
          compact
        />
      ) : null}
    </li>
  );
}

export function TitlePage() {
  const { titleId = "" } = useParams();
  const { t } = useI18n();
  const detail = useApi(() => unwrap(api.GET("/api/v1/titles/{title_id}", { params: { path: { title_id: titleId } } })), [titleId]);
  const [seasonNo, setSeasonNo] = useState<number | null>(null);
  usePageTitle(detail.data?.name);
  if (detail.loading && !detail.data) return <Loading />;
  if (detail.error) {
    if (detail.error instanceof ApiError && (detail.error.status === 404 || detail.error.status === 422)) {
      return <p className="empty">{t("title.notFound")}</p>;
    }
    return <ErrorView error={detail.error} onRetry={detail.reload} />;
  }
  const d = detail.data!;
  const season = d.seasons.find((s) => s.number === seasonNo) ?? d.seasons[0] ?? null;
  // Resume the episode in progress, else the first ready one.
  const episodes = d.seasons.flatMap((s) => s.episodes);
  const inProgress = episodes.find((e) => e.position_s && e.duration_s && e.position_s < e.duration_s * 0.95);
  const playable = d.video?.status === "ready" ? d.video : (inProgress ?? episodes.find((e) => e.status === "ready") ?? null);
  const resuming = Boolean(playable?.position_s && playable.position_s > 5);
  const mins = minutes(d.video?.duration_s);
  return (
    <article className="title-page">
      <div className="title-page__hero">
        {d.poster_url ? <img className="title-page__backdrop" src={d.poster_url} alt="" /> : <div className="title-page__backdrop hero__backdrop--blank" />}
        <div className="hero__shade" />
        <div className="title-page__head">
          <h1>{d.name}</h1>
          <p className="hero__meta">
            {d.year ? <span>{d.year}</span> : null}
            <span className="badge badge--outline">{maturityLabel(d.maturity, t)}</span>
            <span>{d.kind === "series" ? `${t("title.series")} · ${d.seasons.length} ${t("title.seasons").toLowerCase()}` : t("title.movie")}</span>
            {mins ? <span>{t("title.minutes", { n: mins })}</span> : null}
          </p>
          <div className="hero__actions">
            {playable ? (
              <Link className="btn btn--primary btn--large" to={`/watch/${playable.id}?title=${d.id}`} data-testid="play-link">
                <Icon name="play" size={26} /> {resuming ? t("title.resume") : t("title.play")}
                {d.kind === "series" && playable.episode_number != null ? (
                  <span className="btn__extra">
                    {" "}
                    {t("title.seasonEpisode", { s: playable.season_number ?? 1, e: playable.episode_number })}
                  </span>
                ) : null}
              </Link>
            ) : (
              <span className="badge">{t("title.notReady")}</span>
            )}
            <MyListButton titleId={d.id} name={d.name} inList={d.in_my_list} />
            {d.video?.status === "ready" ? <DownloadButton videoId={d.video.id} name={d.name} /> : null}
          </div>
        </div>
      </div>
      <div className="title-page__body">
        <div className="title-page__about">
          {d.description ? <p className="title-page__description">{d.description}</p> : null}
        </div>
        <dl className="title-page__facts">
          {d.genres.length ? (
            <>
              <dt>{t("title.genres")}</dt>
              <dd>
                {d.genres.map((g, i) => (
                  <span key={g.slug}>
                    {i > 0 ? ", " : ""}
                    <Link to={`/genre/${g.slug}`}>{g.name}</Link>
                  </span>
                ))}
              </dd>
            </>
          ) : null}
          {d.tags.length ? (
            <>
              <dt>Tags</dt>
              <dd>{d.tags.join(", ")}</dd>
            </>
          ) : null}
        </dl>
      </div>
      {d.kind === "series" && season ? (
        <section className="episodes" aria-labelledby="episodes-heading">
          <div className="episodes__head">
            <h2 id="episodes-heading">{t("title.episodes")}</h2>
            {d.seasons.length > 1 ? (
              <label className="select">
                <span className="visually-hidden">{t("title.seasons")}</span>
                <select value={season.number} onChange={(e) => setSeasonNo(Number(e.currentTarget.value))}>
                  {d.seasons.map((s) => (
                    <option key={s.number} value={s.number}>
                      {s.name || t("title.season", { n: s.number })}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <span className="episodes__season">{season.name || t("title.season", { n: season.number })}</span>
            )}
          </div>
          <ol className="episodes__list">
            {season.episodes.map((ep) => (
              <Episode key={ep.id} ep={ep} titleId={d.id} />
            ))}
          </ol>
        </section>
      ) : null}
      <MoreLikeThis key={`similar-${d.id}`} titleId={d.id} />
      <TitleSocial key={d.id} titleId={d.id} />
    </article>
  );
}
