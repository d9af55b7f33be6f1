import { api, unwrap } from "../api/client";
import { Empty, ErrorView, Loading } from "../components/Common/Status";
import { TitleGrid } from "../components/Catalog/Grid";
import { useApi } from "../hooks/useApi";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

export function MyListPage() {
  const { t } = useI18n();
  const list = useApi(() => unwrap(api.GET("/api/v1/my-list")), []);
  usePageTitle(t("myList.title"));
  return (
    <div className="page">
      <h1 className="page__title">{t("myList.title")}</h1>
      {list.loading ? <Loading /> : null}
      {list.error ? <ErrorView error={list.error} onRetry={list.reload} /> : null}
      {list.data ? list.data.length ? <TitleGrid titles={list.data} label={t("myList.title")} /> : <Empty>{t("myList.empty")}</Empty> : null}
    </div>
  );
}
