// Subscriptions at a glance: subscribers per plan, monthly recurring revenue, and last
// month's churn. Numbers only; the analytics dashboard will chart the same API.
import { billingStats } from "../../api/billing";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { formatMoney, monthName } from "../../lib/format";
import { ErrorView, Loading } from "../Common/Status";

export function BillingStatsPanel() {
  const { t, lang } = useI18n();
  const stats = useApi(billingStats, []);
  const s = stats.data;
  const percent = (rate: number) => new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 }).format(rate);
  return (
    <section className="panel" aria-labelledby="stats-heading" data-testid="billing-stats">
      <div className="panel__head">
        <h2 id="stats-heading">{t("admin.billingStats")}</h2>
        <button type="button" className="btn btn--small" onClick={stats.reload}>
          {t("admin.refresh")}
        </button>
      </div>
      {stats.loading && !s ? <Loading /> : null}
      {stats.error ? <ErrorView error={stats.error} onRetry={stats.reload} /> : null}
      {s ? (
        <>
          <dl className="stat-cards">
            <div className="stat-card">
              <dt>{t("admin.mrr")}</dt>
              <dd data-testid="mrr">{formatMoney(s.mrr_cents, s.currency, lang)}</dd>
            </div>
            <div className="stat-card">
              <dt>{t("admin.churn", { month: monthName(s.churn.month, lang) })}</dt>
              <dd data-testid="churn">
                {s.churn.at_start === 0 ? "—" : percent(s.churn.rate)}
                <span className="stat-card__sub">{t("admin.churnDetail", { canceled: s.churn.canceled, total: s.churn.at_start })}</span>
              </dd>
            </div>
          </dl>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t("admin.plan")}</th>
                <th scope="col">{t("admin.subscribers")}</th>
              </tr>
            </thead>
            <tbody>
              {s.plans.map((p) => (
                <tr key={p.slug} data-testid="plan-subscribers">
                  <th scope="row">{p.name}</th>
                  <td>{new Intl.NumberFormat(lang).format(p.subscribers)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
