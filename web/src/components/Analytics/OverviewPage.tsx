// Overview: streams now; plays, watch hours and new subscribers against the period
// before; MRR and churn.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { getOverview, type AnalyticsFilters } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { formatMoney } from "../../lib/format";
import { ErrorView, Loading } from "../Common/Status";
import { CHART_COLORS, ChartBox, StatCard, useFormats } from "./parts";

export function OverviewPage({ filters }: { filters: AnalyticsFilters }) {
  const { t, lang } = useI18n();
  const f = useFormats();
  const state = useApi(() => getOverview(filters), [filters]);
  const o = state.data;
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!o) return <Loading />;
  const rows = [
    { name: t("analytics.plays"), current: o.current.plays, previous: o.previous.plays },
    { name: t("analytics.watchHours"), current: o.current.watch_hours, previous: o.previous.watch_hours },
    { name: t("analytics.newSubscribers"), current: o.current.new_subscribers, previous: o.previous.new_subscribers },
  ];
  return (
    <div aria-busy={state.loading}>
      <dl className="stat-cards">
        <StatCard label={t("analytics.watchingNow")} value={f.n(o.watching_now)} testId="watching-now" />
        <StatCard label={t("analytics.plays")} value={f.n(o.current.plays)} sub={t("analytics.previous", { value: f.n(o.previous.plays) })} testId="plays" />
        <StatCard label={t("analytics.watchHours")} value={f.n(o.current.watch_hours)} sub={t("analytics.previous", { value: f.n(o.previous.watch_hours) })} />
        <StatCard label={t("analytics.newSubscribers")} value={f.n(o.current.new_subscribers)} sub={t("analytics.previous", { value: f.n(o.previous.new_subscribers) })} />
        <StatCard label={t("analytics.mrr")} value={formatMoney(o.mrr_cents, o.currency, lang)} />
        <StatCard label={t("analytics.churn")} value={f.pct(o.churn_rate * 100)} />
      </dl>
      <ChartBox title={`${t("analytics.current")} / ${t("analytics.previousPeriod")}`}>
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" stroke="#333" />
            <XAxis dataKey="name" stroke="#aaa" />
            <YAxis stroke="#aaa" />
            <Tooltip />
            <Legend />
            <Bar dataKey="current" name={t("analytics.current")} fill={CHART_COLORS[0]} isAnimationActive={false} />
            <Bar dataKey="previous" name={t("analytics.previousPeriod")} fill={CHART_COLORS[1]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartBox>
    </div>
  );
}
