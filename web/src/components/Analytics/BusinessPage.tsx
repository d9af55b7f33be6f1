// Business: subscribers and trials per plan, MRR, churn, new subscribers, failed payments,
// and what Claude cost this month against its cap.
// The range alone applies (new subscribers in it); billing has no browser or rung.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { csvUrl, getBusiness, type AnalyticsFilters } from "../../api/analytics";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { formatMoney } from "../../lib/format";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { CHART_COLORS, ChartBox, CsvLink, StatCard, useFormats } from "./parts";

export function BusinessPage({ filters }: { filters: AnalyticsFilters }) {
  const { t, lang } = useI18n();
  const f = useFormats();
  const state = useApi(() => getBusiness(filters), [filters]);
  const b = state.data;
  if (state.error) return <ErrorView error={state.error} onRetry={state.reload} />;
  if (!b) return <Loading />;
  const usd = (dollars: number) => formatMoney(Math.round(dollars * 100), "usd", lang);
  const nobody = b.plans.every((p) => p.subscribers === 0 && p.trials === 0);
  return (
    <div aria-busy={state.loading}>
      {state.loading ? <Loading /> : null}
      <dl className="stat-cards">
        <StatCard label={t("analytics.mrr")} value={formatMoney(b.mrr_cents, b.currency, lang)} testId="business-mrr" />
        <StatCard label={t("analytics.churn")} value={f.pct(b.churn_rate * 100)} sub={`${t("analytics.canceled")}: ${f.n(b.churn_canceled)}`} />
        <StatCard label={t("analytics.newSubscribers")} value={f.n(b.new_subscribers)} />
        <StatCard label={t("analytics.failedPayments")} value={f.n(b.failed_payments)} />
        <StatCard
          label={t("analytics.claudeSpent")}
          value={usd(b.claude_spent_usd)}
          sub={b.claude_cap_usd > 0 ? t("analytics.claudeCap", { cap: usd(b.claude_cap_usd) }) : t("analytics.claudeOff")}
          testId="business-claude"
        />
      </dl>
      <ChartBox title={t("analytics.plans")} actions={<CsvLink href={csvUrl("plans", filters)} table="plans" />}>
        {nobody ? (
          <Empty>
            <span data-testid="business-empty">{t("analytics.emptyBusiness")}</span>
          </Empty>
        ) : (
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={b.plans}>
              <CartesianGrid strokeDasharray="3 3" stroke="#333" />
              <XAxis dataKey="name" stroke="#aaa" />
              <YAxis allowDecimals={false} stroke="#aaa" />
              <Tooltip />
              <Legend />
              <Bar dataKey="subscribers" name={t("analytics.subscribers")} fill={CHART_COLORS[0]} isAnimationActive={false} />
              <Bar dataKey="trials" name={t("analytics.trials")} fill={CHART_COLORS[3]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
        <div className="table-scroll">
          <table className="data-table" data-testid="plans-table">
            <thead>
              <tr>
                <th scope="col">{t("analytics.plan")}</th>
                <th scope="col">{t("analytics.subscribers")}</th>
                <th scope="col">{t("analytics.trials")}</th>
              </tr>
            </thead>
            <tbody>
              {b.plans.map((p) => (
                <tr key={p.slug}>
                  <th scope="row">{p.name}</th>
                  <td>{f.n(p.subscribers)}</td>
                  <td>{f.n(p.trials)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ChartBox>
    </div>
  );
}
