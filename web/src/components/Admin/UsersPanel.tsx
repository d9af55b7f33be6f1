// Users and their plans. With billing off (no Stripe), an admin is the only way to change
// a plan, so each user has a plan picker here; with billing on, plans move only through
// Stripe, and this lists them read-only.
import { useState } from "react";
import type { FormEvent } from "react";
import { ApiError, errorMessage } from "../../api/client";
import type { AdminUserPublic, PlanPublic } from "../../api/client";
import { adminUsers, setUserPlan } from "../../api/billing";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { ErrorView, Loading } from "../Common/Status";

interface Props {
  plans: PlanPublic[];
  billingEnabled: boolean;
}

export function UsersPanel({ plans, billingEnabled }: Props) {
  const { t } = useI18n();
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const users = useApi(() => adminUsers(query), [query]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const planName = (slug: string) => plans.find((p) => p.slug === slug)?.name ?? slug;

  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery(typed);
  };
  const save = async (user: AdminUserPublic, plan: string) => {
    setMessage(null);
    try {
      // The answer is the user as the list shows it: the plan, and the subscription and
      // standing that come with it.
      const saved = await setUserPlan(user.id, plan);
      setMessage({ ok: true, text: t("admin.planSaved", { email: user.email, plan: planName(saved.plan) }) });
      users.setData((prev) => (prev ?? []).map((u) => (u.id === saved.id ? saved : u)));
    } catch (err) {
      const text = err instanceof ApiError && err.code === "billing_on" ? t("admin.billingOnNote") : errorMessage(err);
      setMessage({ ok: false, text });
    }
  };

  return (
    <section className="panel" aria-labelledby="users-heading" data-testid="admin-users">
      <h2 id="users-heading">{t("admin.users")}</h2>
      <p className="hint">{billingEnabled ? t("admin.billingOnNote") : t("admin.billingOffNote")}</p>
      <form className="admin-search" role="search" onSubmit={search}>
        <label htmlFor="user-search" className="visually-hidden">
          {t("admin.userSearch")}
        </label>
        <input id="user-search" type="search" placeholder={t("admin.userSearch")} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} />
        <button type="submit" className="btn btn--small">
          {t("admin.search")}
        </button>
      </form>
      {message ? (
        <p className={message.ok ? "form-ok" : "form-error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      {users.loading && !users.data ? <Loading /> : null}
      {users.error ? <ErrorView error={users.error} onRetry={users.reload} /> : null}
      {users.data && users.data.length === 0 ? <p className="empty">{t("admin.noUsers")}</p> : null}
      {users.data && users.data.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t("admin.user")}</th>
                <th scope="col">{t("admin.role")}</th>
                <th scope="col">{t("admin.plan")}</th>
                <th scope="col">{t("admin.subscription")}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id} data-testid="admin-user">
                  <th scope="row">
                    {u.display_name ? <span className="data-table__main">{u.display_name}</span> : null}
                    <span className="data-table__sub">{u.email}</span>
                  </th>
                  <td>{u.role}</td>
                  <td>
                    {billingEnabled ? (
                      planName(u.plan)
                    ) : (
                      <PlanPicker user={u} plans={plans} onSave={(plan) => save(u, plan)} />
                    )}
                  </td>
                  <td>{u.status ?? t("admin.noSubscription")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function PlanPicker({ user, plans, onSave }: { user: AdminUserPublic; plans: PlanPublic[]; onSave: (plan: string) => Promise<void> }) {
  const { t } = useI18n();
  const [plan, setPlan] = useState(user.plan);
  const [busy, setBusy] = useState(false);
  const id = `plan-${user.id}`;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        void onSave(plan).finally(() => setBusy(false));
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        {t("admin.planFor", { email: user.email })}
      </label>
      <select id={id} value={plan} onChange={(e) => setPlan(e.currentTarget.value)}>
        {plans.map((p) => (
          <option key={p.slug} value={p.slug}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="submit" className="btn btn--small" disabled={busy || plan === user.plan} aria-label={t("admin.setPlanFor", { email: user.email })}>
        {t("admin.setPlan")}
      </button>
    </form>
  );
}
