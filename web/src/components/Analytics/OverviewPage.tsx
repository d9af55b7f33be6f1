// Overview: streams now; plays, watch hours and new subscribers of the range cut at now,
// against as many hours just before it (each period's instants shown); MRR and churn.
// The range alone applies: none of these figures has a title, plan, browser or rung.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { getOverview, type AnalyticsFilters } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { formatMoney } from "../../lib/format";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { periodLabel } from "./options";
import { CHART_COLORS, ChartBox, StatCard, useFormats } from "./parts";

export function OverviewPage({ filters }: { filters: AnalyticsFilters }) {
  const { t, lang } = useI18n();
  const f = useFormats();
  const state = useApi(() => getOverview(filters), [filters]);
  const o = state.data;
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!o) return <Loading />;
  const { current: c, previous: p } = o;
  const rows = [
    { name: t("analytics.plays"), current: c.plays, previous: p.plays },
    { name: t("analytics.watchHours"), current: c.watch_hours, previous: p.watch_hours },
    { name: t("analytics.newSubscribers"), current: c.new_subscribers, previous: p.new_subscribers },
  ];
  const quiet = rows.every((r) => r.current === 0 && r.previous === 0);
  const previous = (value: number) => t("analytics.previous", { value: f.n(value) });
  return (
    <div aria-busy={state.loading}>
      {state.loading ? <Loading /> : null}
      <p className="analytics__note" data-testid="overview-periods">
        {t("analytics.comparing", { current: periodLabel(c.start, c.end, lang), previous: periodLabel(p.start, p.end, lang) })}
      </p>
      <dl className="stat-cards">
        <StatCard label={t("analytics.watchingNow")} value={f.n(o.watching_now)} testId="watching-now" />
        <StatCard label={t("analytics.plays")} value={f.n(c.plays)} sub={previous(p.plays)} testId="plays" />
        <StatCard label={t("analytics.watchHours")} value={f.n(c.watch_hours)} sub={previous(p.watch_hours)} />
        <StatCard label={t("analytics.newSubscribers")} value={f.n(c.new_subscribers)} sub={previous(p.new_subscribers)} />
        <StatCard label={t("analytics.mrr")} value={formatMoney(o.mrr_cents, o.currency, lang)} />
        <StatCard label={t("analytics.churn")} value={f.pct(o.churn_rate * 100)} />
      </dl>
      {quiet ? (
        <Empty>
          <span data-testid="overview-empty">{t("analytics.emptyOverview")}</span>
        </Empty>
      ) : (
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
      )}
    </div>
  );
}
