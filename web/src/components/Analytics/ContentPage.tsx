// Content: top titles by plays with their completion rate; the retention curve of a video
// (the most viewed, or the one picked), its largest drop-offs marked; and artwork test
// results.
import { useState } from "react";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { csvUrl, getContent, type AnalyticsFilters } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { ArtworkResults } from "./ArtworkResults";
import { CHART_COLORS, ChartBox, CsvLink, useFormats } from "./parts";

export function ContentPage({ filters }: { filters: AnalyticsFilters }) {
  const { t } = useI18n();
  const f = useFormats();
  const [videoId, setVideoId] = useState("");
  const state = useApi(() => getContent(filters, videoId), [filters, videoId]);
  const c = state.data;
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!c) return <Loading />;
  const r = c.retention;
  // The videos with a curve in the range; the one picked stays listed when it has none.
  const videos = c.videos.map((v) => ({ value: v.video_id, label: `${v.label} (${f.n(v.views)})` }));
  if (r && !videos.some((o) => o.value === r.video_id)) videos.push({ value: r.video_id, label: r.label });
  return (
    <div aria-busy={state.loading}>
      {c.titles.length === 0 ? (
        <Empty>{t("analytics.empty")}</Empty>
      ) : (
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
      )}
      {r ? (
        <ChartBox
          title={`${t("analytics.retention")} · ${t("analytics.views")}: ${f.n(r.views)}`}
          actions={
            <div className="analytics__actions">
              <label className="analytics__field">
                <span>{t("analytics.video")}</span>
                <select data-testid="retention-video" style={{ maxWidth: "100%" }} value={videoId || r.video_id} onChange={(e) => setVideoId(e.target.value)}>
                  {videos.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </label>
              <CsvLink href={csvUrl("retention", filters, { video_id: r.video_id })} table="retention" />
            </div>
          }
        >
          <p className="analytics__note">{t("analytics.retentionOf")}</p>
          {r.views === 0 ? (
            <Empty>{t("analytics.emptyTable")}</Empty>
          ) : (
            <>
              <ResponsiveContainer width="100%" height={240}>
                <AreaChart data={r.curve}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                  <XAxis dataKey="reach_pct" unit="%" stroke="#aaa" name={t("analytics.reach")} />
                  <YAxis domain={[0, 100]} unit="%" stroke="#aaa" />
                  <Tooltip />
                  {r.drop_offs.map((d) => (
                    <ReferenceArea key={d.from_pct} x1={d.from_pct} x2={d.to_pct} fill={CHART_COLORS[0]} fillOpacity={0.25} ifOverflow="extendDomain" />
                  ))}
                  <Area dataKey="viewers_pct" name={t("analytics.viewers")} stroke={CHART_COLORS[1]} fill={CHART_COLORS[1]} fillOpacity={0.3} isAnimationActive={false} />
                </AreaChart>
              </ResponsiveContainer>
              {r.drop_offs.length > 0 ? (
                <>
                  <p className="analytics__note">{t("analytics.dropOffs")}</p>
                  <ol data-testid="drop-offs">
                    {r.drop_offs.map((d) => (
                      <li key={d.from_pct}>{t("analytics.dropOff", { from: d.from_pct, to: d.to_pct, lost: f.n(d.lost_pct) })}</li>
                    ))}
                  </ol>
                </>
              ) : null}
            </>
          )}
        </ChartBox>
      ) : null}
      <ArtworkResults titleId={filters.title} />
    </div>
  );
}
