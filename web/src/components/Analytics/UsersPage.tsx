// Users: search by email or name, open one to see their plan, subscription and signed-in
// devices, and disable the account (signed out everywhere at once) or enable it again.
// The API lets only admins do any of it. The rows shown download as CSV (made here: they
// are the search's answer, at most 50).
import { useState } from "react";
import type { FormEvent } from "react";
import { adminUser, setUserActive, type AdminUserDetail } from "../../api/adminUsers";
import { adminUsers } from "../../api/billing";
import { errorMessage } from "../../api/client";
import { useApi } from "../../hooks/useApi";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { Empty, ErrorView, Loading } from "../Common/Status";
import { downloadCsv, toCsv } from "./csv";

export function UsersPage() {
  const { t } = useI18n();
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const users = useApi(() => adminUsers(query), [query]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery(typed);
  };
  return (
    <div className="users-page">
      <form className="admin-search" role="search" onSubmit={search}>
        <label htmlFor="users-search" className="visually-hidden">
          {t("admin.userSearch")}
        </label>
        <input id="users-search" type="search" data-testid="users-search" placeholder={t("admin.userSearch")} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} />
        <button type="submit" className="btn btn--small">
          {t("admin.search")}
        </button>
        {users.data ? (
          <button
            type="button"
            className="btn btn--small"
            data-testid="csv-users"
            aria-label={t("users.csvOf")}
            onClick={() => downloadCsv("users.csv", toCsv(["email", "display_name", "plan", "status", "standing", "role", "active", "id"], users.data ?? []))}
          >
            {t("users.csv")}
          </button>
        ) : null}
      </form>
      {users.error ? <ErrorView error={users.error} onRetry={users.reload} /> : null}
      {!users.data && !users.error ? <Loading /> : null}
      {users.data && users.data.length === 0 ? <Empty>{t("admin.noUsers")}</Empty> : null}
      {users.data && users.data.length > 0 ? (
        <div className="table-scroll" aria-busy={users.loading}>
          <table className="data-table" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">{t("admin.user")}</th>
                <th scope="col">{t("admin.plan")}</th>
                <th scope="col">{t("admin.subscription")}</th>
                <th scope="col">{t("users.account")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("admin.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id} data-testid="users-row" aria-selected={u.id === selected}>
                  <th scope="row">
                    {u.display_name ? <span className="data-table__main">{u.display_name}</span> : null}
                    <span className="data-table__sub">{u.email}</span>
                  </th>
                  <td>{u.plan}</td>
                  <td>{u.status ?? t("admin.noSubscription")}</td>
                  <td>{u.active ? t("users.active") : <strong className="users__disabled">{t("users.disabled")}</strong>}</td>
                  <td>
                    <button type="button" className="btn btn--small" onClick={() => setSelected(u.id)} aria-label={t("users.openFor", { email: u.email })}>
                      {t("users.open")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {selected ? (
        <UserDetail
          key={selected}
          userId={selected}
          onChanged={(detail) => users.setData((prev) => (prev ?? []).map((u) => (u.id === detail.user.id ? detail.user : u)))}
          onClose={() => setSelected(null)}
        />
      ) : null}
    </div>
  );
}

function UserDetail({ userId, onChanged, onClose }: { userId: string; onChanged: (d: AdminUserDetail) => void; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { user: me } = useAuth();
  const detail = useApi(() => adminUser(userId), [userId]);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const d = detail.data;
  const when = (iso: string) => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

  const toggle = async (active: boolean) => {
    setBusy(true);
    setMessage(null);
    try {
      const saved = await setUserActive(userId, active);
      detail.setData(saved);
      onChanged(saved);
      setMessage({ ok: true, text: t(active ? "users.enabled" : "users.disabledDone", { email: saved.user.email }) });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <section className="panel users__detail" aria-labelledby="user-detail-heading" data-testid="user-detail">
      <div className="panel__head">
        <h2 id="user-detail-heading">{d ? d.user.display_name || d.user.email : t("users.user")}</h2>
        <button type="button" className="btn btn--small" onClick={onClose}>
          {t("users.close")}
        </button>
      </div>
      {detail.error ? <ErrorView error={detail.error} onRetry={detail.reload} /> : null}
      {!d && !detail.error ? <Loading /> : null}
      {d ? (
        <>
          <dl className="stat-cards">
            <div className="stat-card">
              <dt>{t("admin.plan")}</dt>
              <dd data-testid="user-plan">{d.user.plan}</dd>
            </div>
            <div className="stat-card">
              <dt>{t("admin.subscription")}</dt>
              <dd>{d.user.status ?? t("admin.noSubscription")}</dd>
            </div>
            <div className="stat-card">
              <dt>{t("users.account")}</dt>
              <dd data-testid="user-active">{d.user.active ? t("users.active") : t("users.disabled")}</dd>
            </div>
          </dl>
          {message ? (
            <p className={message.ok ? "form-ok" : "form-error"} role={message.ok ? "status" : "alert"}>
              {message.text}
            </p>
          ) : null}
          <div className="analytics__actions">
            {d.user.active ? (
              confirming ? (
                <>
                  <span>{t("users.confirmDisable", { email: d.user.email })}</span>
                  <button type="button" className="btn btn--small btn--danger" disabled={busy} onClick={() => void toggle(false)} data-testid="confirm-disable">
                    {t("users.disable")}
                  </button>
                  <button type="button" className="btn btn--small" onClick={() => setConfirming(false)}>
                    {t("admin.cancel")}
                  </button>
                </>
              ) : (
                <button type="button" className="btn btn--small btn--danger" disabled={busy || d.user.id === me?.id} onClick={() => setConfirming(true)} data-testid="disable-user">
                  {t("users.disable")}
                </button>
              )
            ) : (
              <button type="button" className="btn btn--small" disabled={busy} onClick={() => void toggle(true)} data-testid="enable-user">
                {t("users.enable")}
              </button>
            )}
          </div>
          <h3>{t("users.devices")}</h3>
          {d.devices.length === 0 ? (
            <Empty>{t("users.noDevices")}</Empty>
          ) : (
            <div className="table-scroll">
              <table className="data-table" data-testid="user-devices">
                <thead>
                  <tr>
                    <th scope="col">{t("users.device")}</th>
                    <th scope="col">{t("users.lastSeen")}</th>
                    <th scope="col">{t("users.signedIn")}</th>
                    <th scope="col">{t("users.streaming")}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.devices.map((dev) => (
                    <tr key={dev.id}>
                      <th scope="row">
                        <span className="data-table__main">{dev.name}</span>
                        <span className="data-table__sub">{dev.user_agent}</span>
                      </th>
                      <td>{when(dev.last_seen_at)}</td>
                      <td>{when(dev.created_at)}</td>
                      <td>{dev.streaming ? t("users.yes") : t("users.no")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
