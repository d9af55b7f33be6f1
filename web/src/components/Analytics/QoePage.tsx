// Quality of experience: startup time, rebuffering, exits before start, failures,
// bitrate; over time, broken down by title, plan, browser or rung, and failures by code.
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { csvUrl, getQoe, type AnalyticsFilters, type Dimension } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { CHART_COLORS, ChartBox, CsvLink, StatCard, useFormats } from "./parts";

const DIMENSIONS: Dimension[] = ["title", "plan", "browser", "rung"];

export function QoePage({ filters }: { filters: AnalyticsFilters }) {
  const { t } = useI18n();
  const f = useFormats();
  const [by, setBy] = useState<Dimension>("title");
  const state = useApi(() => getQoe(filters, by), [filters, by]);
  const q = state.data;
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!q) return <Loading />;
  const s = q.summary;
  const hourly = filters.grain === "hour";
  const series = q.series.map((p) => ({ ...p, when: f.when(p.bucket, hourly) }));
  return (
    <div aria-busy={state.loading}>
      <dl className="stat-cards">
        <StatCard label={t("analytics.startupP50")} value={f.ms(s.startup_p50_ms)} testId="startup-p50" />
        <StatCard label={t("analytics.startupP95")} value={f.ms(s.startup_p95_ms)} />
        <StatCard label={t("analytics.rebuffer")} value={f.pct(s.rebuffer_pct)} sub={`${f.n(s.rebuffer_per_minute)} / min`} />
        <StatCard label={t("analytics.ebvs")} value={f.pct(s.ebvs_pct)} />
        <StatCard label={t("analytics.startFailures")} value={f.pct(s.start_failure_pct)} />
        <StatCard label={t("analytics.playbackFailures")} value={f.pct(s.playback_failure_pct)} />
        <StatCard label={t("analytics.bitrate")} value={f.kbps(s.average_bitrate)} sub={`${t("analytics.switches")}: ${f.n(s.switches_per_view)}`} />
        <StatCard label={t("analytics.views")} value={f.n(s.views)} testId="views" />
      </dl>
      {s.views === 0 && s.plays === 0 ? (
        <Empty>{t("analytics.empty")}</Empty>
      ) : (
        <>
          <ChartBox title={t("analytics.series")} actions={<CsvLink href={csvUrl("qoe_series", filters)} table="qoe_series" />}>
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={series}>
                <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                <XAxis dataKey="when" stroke="#aaa" />
                <YAxis yAxisId="ms" stroke="#aaa" />
                <YAxis yAxisId="pct" orientation="right" stroke="#aaa" />
                <Tooltip />
                <Legend />
                <Line yAxisId="ms" dataKey="startup_p50_ms" name={t("analytics.startupP50")} stroke={CHART_COLORS[0]} isAnimationActive={false} />
                <Line yAxisId="ms" dataKey="startup_p95_ms" name={t("analytics.startupP95")} stroke={CHART_COLORS[2]} isAnimationActive={false} />
                <Line yAxisId="pct" dataKey="rebuffer_pct" name={t("analytics.rebuffer")} stroke={CHART_COLORS[1]} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </ChartBox>
          <ChartBox
            title={t("analytics.breakdown")}
            actions={
              <div className="analytics__actions">
                <label className="analytics__field">
                  <span>{t("analytics.by")}</span>
                  <select data-testid="breakdown-by" value={by} onChange={(e) => setBy(e.target.value as Dimension)}>
                    {DIMENSIONS.map((d) => (
                      <option key={d} value={d}>
                        {t(`analytics.by.${d}`)}
                      </option>
                    ))}
                  </select>
                </label>
                <CsvLink href={csvUrl("qoe_breakdown", filters, { by })} table="qoe_breakdown" />
              </div>
            }
          >
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={q.breakdown}>
                <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                <XAxis dataKey="label" stroke="#aaa" />
                <YAxis stroke="#aaa" />
                <Tooltip />
                <Legend />
                <Bar dataKey="startup_p50_ms" name={t("analytics.startupP50")} fill={CHART_COLORS[0]} isAnimationActive={false} />
                <Bar dataKey="startup_p95_ms" name={t("analytics.startupP95")} fill={CHART_COLORS[2]} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
            <div className="table-scroll">
              <table className="data-table" data-testid="breakdown-table">
                <thead>
                  <tr>
                    <th scope="col">{t(`analytics.by.${by}`)}</th>
                    <th scope="col">{t("analytics.plays")}</th>
                    <th scope="col">{t("analytics.startupP50")}</th>
                    <th scope="col">{t("analytics.rebuffer")}</th>
                    <th scope="col">{t("analytics.ebvs")}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.breakdown.map((g) => (
                    <tr key={g.key}>
                      <th scope="row">{g.label}</th>
                      <td>{f.n(g.plays)}</td>
                      <td>{f.ms(g.startup_p50_ms)}</td>
                      <td>{f.pct(g.rebuffer_pct)}</td>
                      <td>{f.pct(g.ebvs_pct)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </ChartBox>
          <ChartBox title={t("analytics.errors")} actions={<CsvLink href={csvUrl("errors", filters)} table="errors" />}>
            {q.errors.length === 0 ? (
              <Empty>{t("analytics.emptyTable")}</Empty>
            ) : (
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t("analytics.code")}</th>
                    <th scope="col">{t("analytics.startFailures")}</th>
                    <th scope="col">{t("analytics.playbackFailures")}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.errors.map((e) => (
                    <tr key={e.code}>
                      <th scope="row">{e.code}</th>
                      <td>{f.n(e.start_failures)}</td>
                      <td>{f.n(e.playback_failures)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </ChartBox>
        </>
      )}
    </div>
  );
}
