// The personal home rows: "Top picks for <profile>" and "Because you watched <title>",
// loaded apart from the rest of the home page (their own loading and empty states). The
// API serves lists the recommender's training job stored; nothing is computed here.
import { api, unwrap } from "../../api/client";
import type { DiscoveryRow } from "../../api/client";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Empty, Loading } from "../Common/Status";
import { Row } from "../Catalog/Row";
import { TitleCard } from "../Catalog/TitleCard";
import { reasonText } from "./reason";

function rowName(row: DiscoveryRow, t: ReturnType<typeof useI18n>["t"]): string {
  if (row.kind === "top_picks") return t("discovery.topPicks", { name: row.profile_name });
  return t("discovery.because", { title: row.seed?.name ?? "" });
}

export function DiscoveryRows() {
  const { t, lang } = useI18n();
  // The language chosen asks for the top picks' notes in it.
  const rows = useApi(() => unwrap(api.GET("/api/v1/discovery/home", { params: { query: { lang } } })), [lang]);
  if (rows.loading && !rows.data) {
    return (
      <section className="row discovery-loading" data-testid="discovery-loading">
        <Loading label={t("discovery.loading")} />
      </section>
    );
  }
  // The rest of the home page still works; a failed personal row just stays out.
  if (rows.error || !rows.data) return null;
  return (
    <>
      {rows.data.rows.map((row) => (
        <Row key={row.key} name={rowName(row, t)} testId={row.kind === "top_picks" ? "row-top-picks" : "row-because"}>
          {row.items.length === 0 ? (
            <li className="row__empty">
              <Empty>{t("discovery.emptyPicks")}</Empty>
            </li>
          ) : (
            row.items.map((item) => (
              <li key={item.title.id}>
                <TitleCard title={item.title} subtitle={reasonText(item.reason, t, lang)} />
              </li>
            ))
          )}
        </Row>
      ))}
    </>
  );
}
