// Content: top titles by plays with their completion rate, and the retention curve of
// the most watched video (share of viewers still there at each 5 % of it).
import { Area, AreaChart, Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { csvUrl, getContent, type AnalyticsFilters } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { CHART_COLORS, ChartBox, CsvLink, useFormats } from "./parts";

export function ContentPage({ filters }: { filters: AnalyticsFilters }) {
  const { t } = useI18n();
  const f = useFormats();
  const state = useApi(() => getContent(filters), [filters]);
  const c = state.data;
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!c) return <Loading />;
  if (c.titles.length === 0) return <Empty>{t("analytics.empty")}</Empty>;
  return (
    <div aria-busy={state.loading}>
      <ChartBox title={t("analytics.topTitles")} actions={<CsvLink href={csvUrl("titles", filters)} table="titles" />}>
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={c.titles} layout="vertical" margin={{ left: 24 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#333" />
            <XAxis type="number" stroke="#aaa" />
            <YAxis type="category" dataKey="title" width={120} stroke="#aaa" />
            <Tooltip />
            <Bar dataKey="plays" name={t("analytics.plays")} fill={CHART_COLORS[0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        <div className="table-scroll">
          <table className="data-table" data-testid="titles-table">
            <thead>
              <tr>
                <th scope="col">{t("analytics.by.title")}</th>
                <th scope="col">{t("analytics.plays")}</th>
                <th scope="col">{t("analytics.watchHours")}</th>
                <th scope="col">{t("analytics.completion")}</th>
              </tr>
            </thead>
            <tbody>
              {c.titles.map((row) => (
                <tr key={row.title_id}>
                  <th scope="row">{row.title}</th>
                  <td>{f.n(row.plays)}</td>
                  <td>{f.n(row.watch_hours)}</td>
                  <td>{f.pct(row.completion_pct)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ChartBox>
      {c.retention ? (
        <ChartBox
          title={`${t("analytics.retention")} · ${t("analytics.views")}: ${f.n(c.retention.views)}`}
          actions={<CsvLink href={csvUrl("retention", filters, { video_id: c.retention.video_id })} table="retention" />}
        >
          <p className="analytics__note">{t("analytics.retentionOf")}</p>
          <ResponsiveContainer width="100%" height={240}>
            <AreaChart data={c.retention.curve}>
              <CartesianGrid strokeDasharray="3 3" stroke="#333" />
              <XAxis dataKey="reach_pct" unit="%" stroke="#aaa" name={t("analytics.reach")} />
              <YAxis domain={[0, 100]} unit="%" stroke="#aaa" />
              <Tooltip />
              <Area dataKey="viewers_pct" name={t("analytics.viewers")} stroke={CHART_COLORS[1]} fill={CHART_COLORS[1]} fillOpacity={0.3} isAnimationActive={false} />
            </AreaChart>
          </ResponsiveContainer>
        </ChartBox>
      ) : null}
    </div>
  );
}
