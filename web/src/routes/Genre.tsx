import { useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { Empty, ErrorView, Loading } from "../components/Common/Status";
import { TitleGrid } from "../components/Catalog/Grid";
import { useApi } from "../hooks/useApi";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

export function GenrePage() {
  const { slug = "" } = useParams();
  const { t } = useI18n();
  const genres = useApi(() => unwrap(api.GET("/api/v1/genres")), []);
  const titles = useApi(() => unwrap(api.GET("/api/v1/titles", { params: { query: { genre: slug, limit: 100 } } })), [slug]);
  const name = genres.data?.find((g) => g.slug === slug)?.name ?? slug;
  usePageTitle(name);
  return (
    <div className="page">
      <h1 className="page__title">{name}</h1>
      {titles.loading ? <Loading /> : null}
      {titles.error ? <ErrorView error={titles.error} onRetry={titles.reload} /> : null}
      {titles.data ? titles.data.length ? <TitleGrid titles={titles.data} label={name} /> : <Empty>{t("home.empty")}</Empty> : null}
    </div>
  );
}
