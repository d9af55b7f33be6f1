// The plan comparison: one column per plan (price a month, best quality, screens at once,
// profiles, downloads, ads), the current one marked. With billing on, each other paid
// plan has one button: Upgrade (to Stripe Checkout) when no subscription is live, else
// Change (to the Billing Portal, where Stripe prorates). With billing off: no buttons.
import type { BillingPublic, PlanPublic } from "../../api/client";
import { useI18n } from "../../i18n";
import type { Translate } from "../../i18n";
import { formatMoney, qualityLabel } from "../../lib/format";
import { hasLiveSubscription } from "../../lib/planState";

export function planPrice(plan: PlanPublic, t: Translate, lang: string): string {
  if (plan.price_cents === 0) return t("billing.free");
  const price = formatMoney(plan.price_cents, plan.currency, lang);
  return t(plan.interval === "year" ? "billing.perYear" : "billing.perMonth", { price });
}

interface Props {
  billing: BillingPublic;
  onUpgrade: (plan: PlanPublic) => void;
  onChange: (plan: PlanPublic) => void;
  busy: boolean;
}

export function PlanTable({ billing, onUpgrade, onChange, busy }: Props) {
  const { t, lang } = useI18n();
  const plans = [...billing.plans].sort((a, b) => a.price_cents - b.price_cents);
  const current = billing.entitlements.plan;
  const live = hasLiveSubscription(billing.entitlements.standing);
  const yesNo = (v: boolean) => (v ? t("billing.yes") : t("billing.no"));
  const rows: { label: string; cell: (p: PlanPublic) => string }[] = [
    { label: t("billing.price"), cell: (p) => planPrice(p, t, lang) },
    { label: t("billing.quality"), cell: (p) => qualityLabel(p.max_height) },
    { label: t("billing.devices"), cell: (p) => String(p.concurrent_streams) },
    { label: t("billing.profiles"), cell: (p) => String(p.max_profiles) },
    { label: t("billing.downloads"), cell: (p) => (p.downloads ? t("downloads.planLimit", { n: p.download_limit }) : yesNo(false)) },
    { label: t("billing.ads"), cell: (p) => (p.ads ? t("billing.withAds") : t("billing.noAds")) },
  ];
  const action = (p: PlanPublic) => {
    // Downgrading is under "Your plan", with a confirmation.
    if (p.slug === current || p.price_cents === 0) return null;
    if (live) {
      return (
        <button type="button" className="btn btn--small" disabled={busy} onClick={() => onChange(p)}>
          {t("billing.change", { name: p.name })}
        </button>
      );
    }
    return (
      <button type="button" className="btn btn--primary btn--small" disabled={busy} onClick={() => onUpgrade(p)}>
        {t("billing.upgrade", { name: p.name })}
      </button>
    );
  };
  return (
    <section className="panel" aria-labelledby="acct-plans">
      <h2 id="acct-plans">{t("account.plans")}</h2>
      <div className="table-scroll">
        <table className="plan-table" data-testid="plan-table">
          <caption className="visually-hidden">{t("billing.comparison")}</caption>
          <thead>
            <tr>
              <td />
              {plans.map((p) => (
                <th key={p.slug} scope="col" className={p.slug === current ? "plan-table__current" : undefined} data-plan={p.slug}>
                  <span className="plan-table__name">{p.name}</span>
                  {p.slug === current ? (
                    <span className="badge badge--accent">{t("billing.current")}</span>
                  ) : billing.enabled && p.trial_days > 0 && !live ? (
                    <span className="plan-table__trial">{t("billing.trial", { n: p.trial_days })}</span>
                  ) : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                {plans.map((p) => (
                  <td key={p.slug} className={p.slug === current ? "plan-table__current" : undefined}>
                    {row.cell(p)}
                  </td>
                ))}
              </tr>
            ))}
            {billing.enabled ? (
              <tr className="plan-table__actions">
                <td />
                {plans.map((p) => (
                  <td key={p.slug} className={p.slug === current ? "plan-table__current" : undefined}>
                    {action(p)}
                  </td>
                ))}
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
