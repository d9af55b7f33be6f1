// Artwork test results on the Content page, from the admin artwork API (docs/artwork.md):
// per test, each variant's impressions, takes, take rate and chance of being the best.
// Narrowed to the title filter when one is chosen; ending or starting tests stays on the
// title's admin page.
import { listArtworkTests } from "../../api/artwork";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { ChartBox, useFormats } from "./parts";

export function ArtworkResults({ titleId }: { titleId: string }) {
  const { t } = useI18n();
  const f = useFormats();
  const state = useApi(listArtworkTests, []);
  const tests = (state.data ?? []).filter((test) => !titleId || test.title_id === titleId);
  return (
    <ChartBox title={t("analytics.artwork")}>
      <div data-testid="artwork-tests">
        {state.error ? <ErrorView error={state.error} onRetry={state.reload} /> : null}
        {!state.data && !state.error ? <Loading /> : null}
        {state.data && tests.length === 0 ? <Empty>{t("analytics.noArtworkTests")}</Empty> : null}
        {tests.map((test) => (
          <div key={test.id} className="table-scroll" data-testid="artwork-test">
            <table className="data-table">
              <caption>
                {test.title_name} · {t(test.state === "ended" ? "analytics.artworkEnded" : "analytics.artworkRunning")}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("analytics.variant")}</th>
                  <th scope="col">{t("analytics.impressions")}</th>
                  <th scope="col">{t("analytics.takes")}</th>
                  <th scope="col">{t("analytics.takeRate")}</th>
                  <th scope="col">{t("analytics.pBest")}</th>
                </tr>
              </thead>
              <tbody>
                {test.variants.map((v, i) => (
                  <tr key={v.id}>
                    <th scope="row">
                      {`${i + 1}. ${v.source}`}
                      {v.is_winner ? ` · ${t("analytics.winner")}` : v.id === test.leader_id && test.state !== "ended" ? ` · ${t("analytics.leader")}` : ""}
                    </th>
                    <td>{f.n(v.impressions)}</td>
                    <td>{f.n(v.takes)}</td>
                    <td>{f.pct(v.take_rate * 100)}</td>
                    <td>{f.pct(v.p_best * 100)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
    </ChartBox>
  );
}
