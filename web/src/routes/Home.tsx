// Home: a hero for the newest title, then Continue Watching, the personal rows (Top
// picks, Because you watched: loaded on their own), My List, Recently Added, Trending
// and one row per genre, in the order the API gives them.
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import type { RowPublic, TitleCard as TitleCardData } from "../api/client";
import { Empty, ErrorView, Loading } from "../components/Common/Status";
import { Icon } from "../components/Icons/Icons";
import { Row } from "../components/Catalog/Row";
import { TitleCard } from "../components/Catalog/TitleCard";
import { MyListButton } from "../components/Catalog/MyListButton";
import { DiscoveryRows } from "../components/Discovery/DiscoveryRows";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { maturityLabel } from "../components/Catalog/maturity";

const ROW_NAMES: Record<string, MessageKey> = {
  "my-list": "row.my_list",
  recent: "row.recently_added",
  trending: "row.trending",
};

function Hero({ card }: { card: TitleCardData }) {
  const { t } = useI18n();
  const detail = useApi(() => unwrap(api.GET("/api/v1/titles/{title_id}", { params: { path: { title_id: card.id } } })), [card.id]);
  const d = detail.data;
  const playId = d?.video?.id ?? d?.seasons[0]?.episodes[0]?.id ?? null;
  return (
    <section className="hero" aria-labelledby="hero-title">
      {card.poster_url ? <img className="hero__backdrop" src={card.poster_url} alt="" /> : <div className="hero__backdrop hero__backdrop--blank" />}
      <div className="hero__shade" />
      <div className="hero__content">
        <h1 id="hero-title" className="hero__title">
          {card.name}
        </h1>
        <p className="hero__meta">
          {card.year ? <span>{card.year}</span> : null}
          <span className="badge badge--outline">{maturityLabel(card.maturity, t)}</span>
          <span>{card.genres.map((g) => g.name).join(" · ")}</span>
        </p>
        {d?.description ? <p className="hero__description">{d.description}</p> : null}
        <div className="hero__actions">
          {playId ? (
            <Link className="btn btn--primary btn--large" to={`/watch/${playId}?title=${card.id}`}>
              <Icon name="play" size={26} /> {t("home.play")}
            </Link>
          ) : null}
          <Link className="btn btn--secondary btn--large" to={`/title/${card.id}`}>
            <Icon name="info" size={24} /> {t("home.moreInfo")}
          </Link>
          {d ? <MyListButton titleId={d.id} name={d.name} inList={d.in_my_list} /> : null}
        </div>
      </div>
    </section>
  );
}

export function HomePage() {
  const { t } = useI18n();
  const { user } = useAuth();
  // The viewer's own rows and the shared ones at once: the shared rows are the same for
  // every profile with this maturity limit, so the API answers them from its hot cache.
  const home = useApi(async () => {
    const [own, shared] = await Promise.all([
      unwrap(api.GET("/api/v1/browse/home", { params: { query: { shared: false } } })),
      unwrap(api.GET("/api/v1/browse/rows")),
    ]);
    return { continue_watching: own.continue_watching, rows: [...own.rows, ...shared] };
  }, []);
  usePageTitle(t("nav.home"));
  if (home.loading && !home.data) return <Loading />;
  if (home.error) return <ErrorView error={home.error} onRetry={home.reload} />;
  const data = home.data!;
  const rowName = (row: RowPublic) => {
    const key = ROW_NAMES[row.key];
    return key ? t(key) : row.name;
  };
  const heroRow = data.rows.find((r) => r.key === "recent") ?? data.rows.find((r) => r.items.length > 0);
  const hero = heroRow?.items[0];
  const nothing = data.rows.every((r) => r.items.length === 0) && data.continue_watching.length === 0;
  return (
    <div className="home">
      {hero ? <Hero card={hero} /> : <div className="hero-spacer" />}
      {nothing ? (
        <Empty>
          {t("home.empty")} {user?.role === "admin" ? <Link to="/admin">{t("home.emptyAdmin")}</Link> : null}
        </Empty>
      ) : null}
      <div className="rows">
        {data.continue_watching.length > 0 ? (
          <Row name={t("row.continue_watching")} testId="row-continue">
            {data.continue_watching.map((item) => (
              <li key={item.video.id}>
                <TitleCard
                  title={item.title}
                  href={`/watch/${item.video.id}?title=${item.title.id}`}
                  progress={item.duration_s ? item.position_s / item.duration_s : null}
                  subtitle={item.video.episode_number != null ? `${t("title.season", { n: item.video.season_number ?? 1 })} · ${t("title.episode", { n: item.video.episode_number })}` : null}
                />
              </li>
            ))}
          </Row>
        ) : null}
        {nothing ? null : <DiscoveryRows />}
        {data.rows
          .filter((row) => row.items.length > 0)
          .map((row) => (
            <Row
              key={row.key}
              name={rowName(row)}
              testId={`row-${row.key}`}
              href={row.key.startsWith("genre:") ? `/genre/${row.key.slice(6)}` : row.key === "my-list" ? "/my-list" : undefined}
            >
              {row.items.map((item) => (
                <li key={item.id}>
                  <TitleCard title={item} />
                </li>
              ))}
            </Row>
          ))}
      </div>
    </div>
  );
}
