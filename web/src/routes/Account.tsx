// Account: who you are, your plan (and the others you could switch to), the devices
// signed in to the account, recently watched. On a kids profile the plan and the devices
// are not shown (the API refuses account actions to kids profiles): a note says to
// switch to an adult profile instead.
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, errorMessage, unwrap } from "../api/client";
import type { PlanPublic } from "../api/client";
import type { ApiState } from "../hooks/useApi";
import { ErrorView, Loading } from "../components/Common/Status";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import { qualityLabel } from "../lib/format";

function price(plan: PlanPublic, lang: string, free: string): string {
  if (plan.price_cents === 0) return free;
  return new Intl.NumberFormat(lang, { style: "currency", currency: plan.currency.toUpperCase() }).format(plan.price_cents / 100);
}

export function AccountPage() {
  const { t, lang } = useI18n();
  const { user, refresh, isKids } = useAuth();
  const plans = useApi(() => (isKids ? Promise.resolve([]) : unwrap(api.GET("/api/v1/auth/plans"))), [isKids]);
  const history = useApi(() => unwrap(api.GET("/api/v1/history", { params: { query: { limit: 10 } } })), []);
  const [message, setMessage] = useState<string | null>(null);
  usePageTitle(t("account.title"));
  if (!user) return <Loading />;
  // A paid plan goes through Stripe Checkout; Free cancels at the period's end. Without
  // Stripe keys both answer billing_off (only an admin sets plans then).
  const change = async (slug: string) => {
    try {
      const free = plans.data?.find((p) => p.slug === slug)?.price_cents === 0;
      if (free) {
        await unwrap(api.POST("/api/v1/billing/cancel"));
      } else {
        const { url } = await unwrap(api.POST("/api/v1/billing/checkout", { body: { plan: slug } }));
        window.location.assign(url);
        return;
      }
      await refresh();
      setMessage(null);
    } catch (err) {
      setMessage(errorMessage(err));
    }
  };
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
          <PlansSection plans={plans} current={user.plan.slug} message={message} onChoose={(slug) => void change(slug)} />
          <DevicesSection />
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

function PlansSection({
  plans,
  current,
  message,
  onChoose,
}: {
  plans: ApiState<PlanPublic[]>;
  current: string;
  message: string | null;
  onChoose: (slug: string) => void;
}) {
  const { t, lang } = useI18n();
  return (
    <section className="panel" aria-labelledby="acct-plans">
      <h2 id="acct-plans">{t("account.plans")}</h2>
      {message ? <p className="form-error" role="alert">{message}</p> : null}
      {plans.loading ? <Loading /> : null}
      {plans.error ? <ErrorView error={plans.error} onRetry={plans.reload} /> : null}
      <ul className="plans">
        {plans.data?.map((plan) => {
          const isCurrent = plan.slug === current;
          return (
            <li key={plan.slug} className={`plan${isCurrent ? " plan--current" : ""}`} data-testid="plan">
              <h3>{plan.name}</h3>
              <p className="plan__price">
                {plan.price_cents === 0 ? t("account.free") : t("account.perInterval", { price: price(plan, lang, t("account.free")), interval: plan.interval })}
              </p>
              <dl className="facts">
                <dt>{t("account.maxQuality")}</dt>
                <dd>{qualityLabel(plan.max_height)}</dd>
                <dt>{t("account.streams")}</dt>
                <dd>{plan.concurrent_streams}</dd>
                <dt>{t("account.profiles")}</dt>
                <dd>{plan.max_profiles}</dd>
              </dl>
              {isCurrent ? (
                <p className="badge">{t("account.current")}</p>
              ) : (
                <button type="button" className="btn" onClick={() => onChoose(plan.slug)}>
                  {t("account.choose", { name: plan.name })}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The devices signed in to this account; any other one can be signed out from here. */
function DevicesSection() {
  const { t, lang } = useI18n();
  const sessions = useApi(() => unwrap(api.GET("/api/v1/auth/sessions")), []);
  const [message, setMessage] = useState<string | null>(null);
  const signOut = async (id: string) => {
    try {
      await unwrap(api.DELETE("/api/v1/auth/sessions/{session_id}", { params: { path: { session_id: id } } }));
      setMessage(null);
      sessions.reload();
    } catch (err) {
      setMessage(errorMessage(err));
    }
  };
  return (
    <section className="panel" aria-labelledby="acct-devices" data-testid="devices">
      <h2 id="acct-devices">{t("account.devices")}</h2>
      {message ? <p className="form-error" role="alert">{message}</p> : null}
      {sessions.loading && !sessions.data ? <Loading /> : null}
      {sessions.error ? <ErrorView error={sessions.error} onRetry={sessions.reload} /> : null}
      <ul className="devices">
        {sessions.data?.map((s) => (
          <li key={s.id} className="devices__item">
            <span>
              <strong>{s.device_name || s.kind}</strong>
              {s.current ? <span className="badge devices__current">{t("account.thisDevice")}</span> : null}
              <span className="history__when">
                {" · "}
                {t("account.lastActive", { when: new Date(s.last_seen_at).toLocaleDateString(lang) })}
              </span>
            </span>
            {s.current ? null : (
              <button type="button" className="btn btn--small" onClick={() => void signOut(s.id)}>
                {t("account.signOutDevice")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
