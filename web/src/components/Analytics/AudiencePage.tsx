// Audience: when people watch (weekday × hour heatmap, in the browser's time zone), binge
// sessions, new vs returning profiles over time, and devices (browser and system).
import { useMemo } from "react";
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { browserTimeZone, csvUrl, getAudience, type AnalyticsFilters } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { heatGrid, weekdayNames } from "./heatmap";
import { CHART_COLORS, ChartBox, CsvLink, StatCard, useFormats } from "./parts";

export function AudiencePage({ filters }: { filters: AnalyticsFilters }) {
  const { t, lang } = useI18n();
  const f = useFormats();
  const tz = useMemo(browserTimeZone, []);
  const state = useApi(() => getAudience(filters, tz), [filters, tz]);
  const a = state.data;
  const grid = useMemo(() => (a ? heatGrid(a.heatmap) : []), [a]);
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!a) return <Loading />;
  const s = a.summary;
  const hourly = filters.grain === "hour";
  const series = a.series.map((p) => ({ ...p, when: f.when(p.bucket, hourly) }));
  const devices = a.devices.map((d) => ({ ...d, device: `${d.browser} · ${d.os}` }));
  const days = weekdayNames(lang);
  return (
    <div aria-busy={state.loading}>
      <dl className="stat-cards">
        <StatCard label={t("analytics.plays")} value={f.n(s.plays)} testId="audience-plays" />
        <StatCard label={t("analytics.watchHours")} value={f.n(s.watch_hours)} />
        <StatCard label={t("analytics.bingeSessions")} value={f.n(s.binge_sessions)} sub={s.videos_per_binge !== null ? t("analytics.videosPerBinge", { value: f.n(s.videos_per_binge) }) : undefined} testId="binge-sessions" />
        <StatCard label={t("analytics.bingeShare")} value={f.pct(s.binge_share_pct)} />
        <StatCard label={t("analytics.activeProfiles")} value={f.n(s.active_profiles)} testId="active-profiles" />
        <StatCard label={t("analytics.newProfiles")} value={f.n(s.new_profiles)} sub={`${t("analytics.returningProfiles")}: ${f.n(s.returning_profiles)}`} />
      </dl>
      {s.plays === 0 && s.active_profiles === 0 ? (
        <Empty>{t("analytics.empty")}</Empty>
      ) : (
        <>
          <ChartBox title={t("analytics.heatmap")} actions={<CsvLink href={csvUrl("heatmap", filters, { tz })} table="heatmap" />}>
            <p className="analytics__note">{t("analytics.heatmapNote", { tz })}</p>
            <div className="table-scroll">
              <table className="heatmap" data-testid="heatmap">
                <thead>
                  <tr>
                    <td />
                    {(grid[0] ?? []).map((c) => (
                      <th key={c.hour} scope="col">
                        {c.hour % 3 === 0 ? c.hour : ""}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {grid.map((row, day) => (
                    <tr key={day}>
                      <th scope="row">{days[day] ?? day}</th>
                      {row.map((c) => (
                        <td
                          key={c.hour}
                          className="heatmap__cell"
                          style={{ backgroundColor: c.plays ? `rgba(229, 9, 20, ${0.15 + 0.85 * c.level})` : undefined }}
                          title={t("analytics.heatCell", { day: days[day] ?? day, hour: c.hour, plays: c.plays })}
                          aria-label={t("analytics.heatCell", { day: days[day] ?? day, hour: c.hour, plays: c.plays })}
                        />
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </ChartBox>
          <ChartBox title={t("analytics.profilesOverTime")} actions={<CsvLink href={csvUrl("audience", filters)} table="audience" />}>
            <ResponsiveContainer width="100%" height={260}>
              <ComposedChart data={series}>
                <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                <XAxis dataKey="when" stroke="#aaa" />
                <YAxis allowDecimals={false} stroke="#aaa" />
                <Tooltip />
                <Legend />
                <Bar dataKey="new_profiles" stackId="p" name={t("analytics.newProfiles")} fill={CHART_COLORS[3]} isAnimationActive={false} />
                <Bar dataKey="returning_profiles" stackId="p" name={t("analytics.returningProfiles")} fill={CHART_COLORS[1]} isAnimationActive={false} />
                <Line dataKey="binge_sessions" name={t("analytics.bingeSessions")} stroke={CHART_COLORS[0]} isAnimationActive={false} />
              </ComposedChart>
            </ResponsiveContainer>
          </ChartBox>
          <ChartBox title={t("analytics.devices")} actions={<CsvLink href={csvUrl("devices", filters)} table="devices" />}>
            {devices.length === 0 ? (
              <Empty>{t("analytics.emptyTable")}</Empty>
            ) : (
              <>
                <ResponsiveContainer width="100%" height={Math.max(160, 36 * devices.length)}>
                  <BarChart data={devices} layout="vertical" margin={{ left: 24 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                    <XAxis type="number" allowDecimals={false} stroke="#aaa" />
                    <YAxis type="category" dataKey="device" width={130} stroke="#aaa" />
                    <Tooltip />
                    <Bar dataKey="plays" name={t("analytics.plays")} fill={CHART_COLORS[4]} isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
                <div className="table-scroll">
                  <table className="data-table" data-testid="devices-table">
                    <thead>
                      <tr>
                        <th scope="col">{t("analytics.browser")}</th>
                        <th scope="col">{t("analytics.os")}</th>
                        <th scope="col">{t("analytics.plays")}</th>
                        <th scope="col">{t("analytics.views")}</th>
                        <th scope="col">{t("analytics.watchHours")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {a.devices.map((d) => (
                        <tr key={`${d.browser}|${d.os}`}>
                          <th scope="row">{d.browser}</th>
                          <td>{d.os}</td>
                          <td>{f.n(d.plays)}</td>
                          <td>{f.n(d.views)}</td>
                          <td>{f.n(d.watch_hours)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </ChartBox>
        </>
      )}
    </div>
  );
}
