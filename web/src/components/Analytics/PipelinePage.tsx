// Pipeline: transcode jobs of the range by state, encode speed (× real time), failures
// with their reasons, and the storage each video's renditions use.
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { csvUrl, getPipeline, type AnalyticsFilters } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { formatBytes } from "../../lib/format";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { CHART_COLORS, ChartBox, CsvLink, StatCard, useFormats } from "./parts";

const STATE_COLORS: Record<string, string> = {
  queued: "#f5c518",
  running: "#4aa3df",
  succeeded: "#46d369",
  failed: "#e50914",
  cancelled: "#888",
};
const STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
type JobState = (typeof STATES)[number];

export function PipelinePage({ filters }: { filters: AnalyticsFilters }) {
  const { t, lang } = useI18n();
  const f = useFormats();
  const state = useApi(() => getPipeline(filters), [filters]);
  const p = state.data;
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!p) return <Loading />;
  const total = p.states.reduce((n, s) => n + s.jobs, 0);
  const speeds = p.jobs
    .filter((j) => j.speed_x_realtime !== null)
    .map((j, i) => ({ name: `${j.title} #${i + 1}`, speed: j.speed_x_realtime }));
  const storage = new Map<string, { title: string; bytes: number }>();
  for (const j of p.jobs) storage.set(j.video_id, { title: j.title, bytes: j.storage_bytes });
  const stored = [...storage.values()].filter((s) => s.bytes > 0).sort((a, b) => b.bytes - a.bytes).slice(0, 12);
  const failures = p.jobs.filter((j) => j.status === "failed");
  const stateLabel = (status: string) => ((STATES as readonly string[]).includes(status) ? t(`analytics.state.${status as JobState}`) : status);
  const speed = (v: number | null) => (v === null ? "—" : `${f.n(v)}×`);
  const when = (iso: string | null) => (iso ? new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short" }).format(new Date(iso)) : "—");
  return (
    <div aria-busy={state.loading}>
      <dl className="stat-cards">
        <StatCard label={t("analytics.jobs")} value={f.n(total)} testId="pipeline-jobs" />
        <StatCard label={t("analytics.queue")} value={f.n(p.queued_now)} sub={t("analytics.runningNow", { value: f.n(p.running_now) })} testId="queue-now" />
        <StatCard label={t("analytics.medianSpeed")} value={speed(p.median_speed_x_realtime)} testId="median-speed" />
        <StatCard label={t("analytics.failures")} value={f.n(p.failures)} />
      </dl>
      {total === 0 ? (
        <Empty>{t("analytics.emptyPipeline")}</Empty>
      ) : (
        <>
          <ChartBox title={t("analytics.jobsByState")}>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={p.states.map((s) => ({ ...s, label: stateLabel(s.status) }))}>
                <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                <XAxis dataKey="label" stroke="#aaa" />
                <YAxis allowDecimals={false} stroke="#aaa" />
                <Tooltip />
                <Bar dataKey="jobs" name={t("analytics.jobs")} isAnimationActive={false}>
                  {p.states.map((s) => (
                    <Cell key={s.status} fill={STATE_COLORS[s.status] ?? CHART_COLORS[4]} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </ChartBox>
          <ChartBox title={t("analytics.encodeSpeed")}>
            {speeds.length === 0 ? (
              <Empty>{t("analytics.emptyTable")}</Empty>
            ) : (
              <ResponsiveContainer width="100%" height={Math.max(160, 30 * speeds.length)}>
                <BarChart data={speeds} layout="vertical" margin={{ left: 24 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                  <XAxis type="number" stroke="#aaa" unit="×" />
                  <YAxis type="category" dataKey="name" width={140} stroke="#aaa" />
                  <Tooltip />
                  <Bar dataKey="speed" name={t("analytics.speed")} fill={CHART_COLORS[1]} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            )}
          </ChartBox>
          <ChartBox title={t("analytics.storage")}>
            {stored.length === 0 ? (
              <Empty>{t("analytics.emptyTable")}</Empty>
            ) : (
              <ResponsiveContainer width="100%" height={Math.max(160, 30 * stored.length)}>
                <BarChart data={stored.map((s) => ({ ...s, mb: Math.round((s.bytes / 1e6) * 10) / 10 }))} layout="vertical" margin={{ left: 24 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#333" />
                  <XAxis type="number" stroke="#aaa" unit=" MB" />
                  <YAxis type="category" dataKey="title" width={140} stroke="#aaa" />
                  <Tooltip />
                  <Bar dataKey="mb" name={t("analytics.storageMb")} fill={CHART_COLORS[2]} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            )}
          </ChartBox>
          <ChartBox title={t("analytics.failuresByReason")}>
            {failures.length === 0 ? (
              <Empty>{t("analytics.noFailures")}</Empty>
            ) : (
              <ul className="analytics__failures" data-testid="pipeline-failures">
                {failures.map((j, i) => (
                  <li key={`${j.video_id}-${i}`}>
                    <strong>{j.title}</strong> <span className="data-table__sub">{when(j.finished_at)}</span>
                    <code>{j.error ?? t("analytics.noReason")}</code>
                  </li>
                ))}
              </ul>
            )}
          </ChartBox>
          <ChartBox title={t("analytics.jobList")} actions={<CsvLink href={csvUrl("jobs", filters)} table="jobs" />}>
            <div className="table-scroll">
              <table className="data-table" data-testid="jobs-table">
                <thead>
                  <tr>
                    <th scope="col">{t("analytics.by.title")}</th>
                    <th scope="col">{t("analytics.state")}</th>
                    <th scope="col">{t("analytics.speed")}</th>
                    <th scope="col">{t("analytics.storageCol")}</th>
                    <th scope="col">{t("analytics.finished")}</th>
                  </tr>
                </thead>
                <tbody>
                  {p.jobs.map((j, i) => (
                    <tr key={`${j.video_id}-${i}`}>
                      <th scope="row">{j.title}</th>
                      <td>{stateLabel(j.status)}</td>
                      <td>{speed(j.speed_x_realtime)}</td>
                      <td>{j.storage_bytes ? formatBytes(j.storage_bytes) : "—"}</td>
                      <td>{when(j.finished_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </ChartBox>
        </>
      )}
    </div>
  );
}
