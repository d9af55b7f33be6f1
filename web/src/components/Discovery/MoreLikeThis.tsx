// "More like this" on a title page: similar titles, each with why it is listed.
import { api, unwrap } from "../../api/client";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Empty, Loading } from "../Common/Status";
import { Row } from "../Catalog/Row";
import { TitleCard } from "../Catalog/TitleCard";
import { reasonText } from "./reason";

export function MoreLikeThis({ titleId }: { titleId: string }) {
  const { t, lang } = useI18n();
  const similar = useApi(
    () => unwrap(api.GET("/api/v1/titles/{title_id}/similar", { params: { path: { title_id: titleId } } })),
    [titleId],
  );
  const items = similar.data?.items ?? [];
  return (
    <Row name={t("discovery.moreLikeThis")} testId="row-more-like-this">
      {similar.loading && !similar.data ? (
        <li className="row__empty">
          <Loading label={t("discovery.loading")} />
        </li>
      ) : items.length === 0 ? (
        <li className="row__empty">
          <Empty>{t("discovery.emptySimilar")}</Empty>
        </li>
      ) : (
        items.map((item) => (
          <li key={item.title.id}>
            <TitleCard title={item.title} subtitle={reasonText(item.reason, t, lang)} />
          </li>
        ))
      )}
    </Row>
  );
}
