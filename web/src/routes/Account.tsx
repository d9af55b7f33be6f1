// Account: who you are; your plan and its state in words; the plans side by side with
// Upgrade (Stripe Checkout) or Change (the Billing Portal); invoices; the devices signed
// in; recently watched. Stripe sends the viewer back to `/account?checkout=success|cancel`;
// after a success the plan is asked for again until Stripe's webhook has moved it.
// On a kids profile none of the account management shows (the API refuses it to kids
// profiles): a note says to switch to an adult profile instead.
import { useCallback, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, ApiError, errorMessage, unwrap } from "../api/client";
import type { BillingPublic, PlanPublic } from "../api/client";
import { cancelSubscription, getBilling, openPortal, startCheckout } from "../api/billing";
import { Invoices } from "../components/Account/Invoices";
import { PlanSummary } from "../components/Account/PlanSummary";
import { PlanTable } from "../components/Account/PlanTable";
import { ErrorView, Loading } from "../components/Common/Status";
import { DeviceList } from "../components/Devices/DeviceList";
import { useApi } from "../hooks/useApi";
import type { ApiState } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import type { Translate } from "../i18n";

// After Checkout: ask again every 2 s, for up to 30 s, until the webhook has landed.
const CONFIRM_EVERY_MS = 2_000;
const CONFIRM_TRIES = 15;

function billingError(err: unknown, t: Translate): string {
  if (err instanceof ApiError && err.code === "billing_off") return t("billing.offError");
  return errorMessage(err);
}

export function AccountPage() {
  const { t, lang } = useI18n();
  const { user, isKids } = useAuth();
  const history = useApi(() => unwrap(api.GET("/api/v1/history", { params: { query: { limit: 10 } } })), []);
  usePageTitle(t("account.title"));
  if (!user) return <Loading />;
  return (
    <div className="page account">
      <h1 className="page__title">{t("account.title")}</h1>
      <section className="panel" aria-labelledby="acct-who">
        <h2 id="acct-who">{user.display_name || user.email}</h2>
        <dl className="facts">
          <dt>{t("account.email")}</dt>
          <dd>{user.email}</dd>
          <dt>{t("account.role")}</dt>
          <dd>{user.role}</dd>
          <dt>{t("account.profiles")}</dt>
          <dd>
            {user.profile.name} · <Link to="/profiles">{t("nav.profiles")}</Link>
          </dd>
        </dl>
      </section>
      {isKids ? (
        <p className="panel account__kids-note" data-testid="kids-note">
          {t("account.kidsNote")}
        </p>
      ) : (
        <>
          <BillingSections />
          <DeviceList />
        </>
      )}
      <section className="panel" aria-labelledby="acct-history">
        <h2 id="acct-history">{t("account.history")}</h2>
        {history.error ? <ErrorView error={history.error} onRetry={history.reload} /> : null}
        <ul className="history">
          {history.data?.map((h) => (
            <li key={`${h.video.id}-${h.watched_at}`}>
              <Link to={`/title/${h.title.id}`}>{h.title.name}</Link>
              {h.video.episode_number != null ? ` · ${t("title.seasonEpisode", { s: h.video.season_number ?? 1, e: h.video.episode_number })}` : ""}
              <span className="history__when"> · {new Date(h.watched_at).toLocaleDateString(lang)}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** Plan, comparison and invoices: one billing state, loaded once, shared. */
function BillingSections() {
  const { t } = useI18n();
  const { refresh } = useAuth();
  const billing = useApi(getBilling, []);
  const [params, setParams] = useSearchParams();
  const returned = params.get("checkout");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  useConfirmCheckout(returned === "success", billing, refresh);

  // Both go to a Stripe page: the button stays busy until the browser leaves.
  const go = async (open: () => Promise<{ url: string }>) => {
    setBusy(true);
    setMessage(null);
    try {
      const { url } = await open();
      window.location.assign(url);
    } catch (err) {
      setMessage(billingError(err, t));
      setBusy(false);
    }
  };
  const upgrade = (plan: PlanPublic) => void go(() => startCheckout(plan.slug));
  const manage = () => go(openPortal);
  const downgrade = async () => {
    // Errors stay in the confirmation dialog, which shows them.
    billing.setData(await cancelSubscription());
    await refresh().catch(() => {});
  };
  const dismiss = () => {
    const next = new URLSearchParams(params);
    next.delete("checkout");
    setParams(next, { replace: true });
  };

  return (
    <>
      {returned === "success" || returned === "cancel" ? (
        <div className={`panel notice ${returned === "success" ? "notice--ok" : ""}`} role="status" data-testid="checkout-return">
          <p>{returned === "success" ? t("billing.checkoutSuccess") : t("billing.checkoutCancel")}</p>
          <button type="button" className="btn btn--small" onClick={dismiss}>
            {t("common.close")}
          </button>
        </div>
      ) : null}
      {message ? (
        <p className="form-error" role="alert">
          {message}
        </p>
      ) : null}
      {billing.loading && !billing.data ? <Loading /> : null}
      {billing.error ? <ErrorView error={billing.error} onRetry={billing.reload} /> : null}
      {billing.data ? (
        <>
          <PlanSummary billing={billing.data} onManage={manage} onDowngrade={downgrade} busy={busy} />
          <PlanTable billing={billing.data} onUpgrade={upgrade} onChange={() => void manage()} busy={busy} />
          {billing.data.enabled ? <Invoices /> : null}
        </>
      ) : null}
    </>
  );
}

/** Back from Checkout: Stripe's webhook may land a moment after the viewer does, so the
 *  billing state is asked for again until a subscription is running (or time is up). */
function useConfirmCheckout(active: boolean, billing: ApiState<BillingPublic>, refresh: () => Promise<void>) {
  const { data, setData } = billing;
  const standing = data?.entitlements.standing;
  const settled = standing === "trialing" || standing === "active";
  const [tries, setTries] = useState(0);
  const poll = useCallback(async () => {
    const next = await getBilling();
    setData(next);
    if (next.subscription !== null) await refresh();
  }, [setData, refresh]);
  useEffect(() => {
    if (!active || data === undefined || settled || tries >= CONFIRM_TRIES) return;
    const timer = window.setTimeout(() => {
      setTries((n) => n + 1);
      void poll().catch(() => {});
    }, CONFIRM_EVERY_MS);
    return () => window.clearTimeout(timer);
  }, [active, data, settled, tries, poll]);
}
