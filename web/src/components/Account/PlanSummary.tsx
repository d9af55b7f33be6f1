// "Your plan": the plan and its state in words, Manage billing (the Stripe Billing
// Portal) and Downgrade to Free (cancel at the end of the paid period, after a
// confirmation). Without Stripe it says so, and offers nothing that would change the plan.
import { useState } from "react";
import type { BillingPublic } from "../../api/client";
import { useI18n } from "../../i18n";
import { canDowngrade, describePlanState } from "../../lib/planState";
import { ConfirmDialog } from "../Common/ConfirmDialog";

interface Props {
  billing: BillingPublic;
  /** Go to the Billing Portal (navigates away on success). */
  onManage: () => Promise<void>;
  /** Cancel at period end; resolves with the new billing state shown by the page. */
  onDowngrade: () => Promise<void>;
  busy: boolean;
}

export function PlanSummary({ billing, onManage, onDowngrade, busy }: Props) {
  const { t, lang } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const { entitlements, subscription, plan } = billing;
  const state = describePlanState(entitlements.standing, entitlements.until, subscription, t, lang);
  const paying = billing.enabled && subscription !== null;
  return (
    <section className="panel plan-summary" aria-labelledby="acct-plan" data-testid="plan-summary">
      <h2 id="acct-plan">{t("billing.yourPlan")}</h2>
      <p className="plan-summary__name" data-testid="plan-name">
        {plan.name}
      </p>
      <p className={`plan-summary__state plan-summary__state--${entitlements.standing}`} data-testid="plan-state" data-standing={entitlements.standing}>
        {state}
      </p>
      {billing.enabled ? (
        paying ? (
          <div className="form-actions">
            <button type="button" className="btn btn--primary" disabled={busy} onClick={() => void onManage()}>
              {t("billing.manage")}
            </button>
            {canDowngrade(entitlements.standing) ? (
              <button type="button" className="btn" disabled={busy} onClick={() => setConfirming(true)}>
                {t("billing.downgrade")}
              </button>
            ) : null}
          </div>
        ) : null
      ) : (
        <p className="hint" data-testid="billing-off">
          {t("billing.off")}
        </p>
      )}
      {confirming ? (
        <ConfirmDialog
          title={t("billing.downgradeTitle")}
          confirmLabel={t("billing.downgrade")}
          cancelLabel={t("billing.keep", { plan: plan.name })}
          onConfirm={onDowngrade}
          onClose={() => setConfirming(false)}
          danger
        >
          <p>{t("billing.downgradeBody", { plan: plan.name })}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
