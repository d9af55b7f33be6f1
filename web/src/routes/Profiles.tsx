// "Who's watching?": choose the profile this session watches as (a locked one asks for
// its PIN), add one, and, from an adult profile, lock or unlock profiles with a PIN.
// A PIN lives only in this page's state while typed: it goes to the API in a request
// body, never into the URL or storage, and the field is emptied after each try.
import { useState } from "react";
import type { FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { api, ApiError, errorMessage, unwrap } from "../api/client";
import type { ProfilePublic } from "../api/client";
import { ErrorView, Loading } from "../components/Common/Status";
import { Icon } from "../components/Icons/Icons";
import { LanguageSelect, Logo } from "../components/Layout/AppShell";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";
import type { Translate } from "../i18n";

const COLORS = ["#e50914", "#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#eb5757"];
const PIN_PATTERN = "[0-9]{4,6}";

/** The viewer-facing line for a failed profile request. */
function profileError(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    if (err.code === "wrong_pin") return t("profiles.wrongPin");
    if (err.code === "wrong_password") return t("profiles.wrongPassword");
    if (err.code === "kids_profile") return t("account.kidsNote");
    if (err.status === 429) return t("profiles.tooManyTries");
  }
  return errorMessage(err);
}

function PinField({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (pin: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="pin-input"
        type="password"
        inputMode="numeric"
        pattern={PIN_PATTERN}
        minLength={4}
        maxLength={6}
        required
        autoComplete="off"
        value={value}
        aria-describedby={`${id}-hint`}
        // Digits only, as typed or pasted.
        onChange={(e) => onChange(e.currentTarget.value.replace(/\D/g, "").slice(0, 6))}
        autoFocus
      />
      <p className="hint" id={`${id}-hint`}>
        {t("profiles.pinHint")}
      </p>
    </div>
  );
}

export function ProfilesPage() {
  const { t } = useI18n();
  const { chooseProfile, isKids } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get("next");
  const target = next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/profiles") ? next : "/";
  const profiles = useApi(() => unwrap(api.GET("/api/v1/profiles")), []);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState("");
  const [kids, setKids] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The locked profile being unlocked, and its PIN as typed.
  const [unlocking, setUnlocking] = useState<ProfilePublic | null>(null);
  const [pin, setPin] = useState("");
  const [managing, setManaging] = useState(false);
  usePageTitle(t("profiles.title"));

  const pick = async (profile: ProfilePublic) => {
    setError(null);
    if (profile.has_pin) {
      setPin("");
      setUnlocking(profile);
      return;
    }
    try {
      await chooseProfile(profile.id);
      navigate(target, { replace: true });
    } catch (err) {
      // Locked since the list was loaded.
      if (err instanceof ApiError && err.code === "pin_required") setUnlocking(profile);
      else setError(profileError(err, t));
    }
  };
  const unlock = async (event: FormEvent) => {
    event.preventDefault();
    if (!unlocking) return;
    const typed = pin;
    setPin("");
    try {
      await chooseProfile(unlocking.id, typed);
      navigate(target, { replace: true });
    } catch (err) {
      setError(profileError(err, t));
    }
  };
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await unwrap(api.POST("/api/v1/profiles", { body: { name, is_kids: kids } }));
      setAdding(false);
      setName("");
      setKids(false);
      profiles.reload();
    } catch (err) {
      setError(profileError(err, t));
    }
  };

  return (
    <div className="profiles">
      <header className="auth__header">
        <Logo />
        <LanguageSelect id="profiles-lang" />
      </header>
      <main id="main" className="profiles__main">
        <h1>{managing ? t("profiles.manageTitle") : t("profiles.title")}</h1>
        {error && !unlocking ? <p className="form-error" role="alert">{error}</p> : null}
        {profiles.loading ? <Loading /> : null}
        {profiles.error ? <ErrorView error={profiles.error} onRetry={profiles.reload} /> : null}
        {managing && profiles.data ? (
          <ManageProfiles profiles={profiles.data} onChanged={profiles.reload} onDone={() => setManaging(false)} />
        ) : (
          <ul className="profiles__list">
            {profiles.data?.map((p, i) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="profile-tile"
                  onClick={() => void pick(p)}
                  data-testid="profile-tile"
                  data-locked={p.has_pin ? "true" : "false"}
                >
                  <span className="profile-tile__avatar" style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true">
                    {p.name.slice(0, 1).toUpperCase()}
                  </span>
                  <span className="profile-tile__name">
                    {p.has_pin ? (
                      <span className="profile-tile__lock">
                        <Icon name="lock" size={18} />
                      </span>
                    ) : null}
                    {p.name}
                    {p.has_pin ? <span className="visually-hidden"> {t("profiles.locked")}</span> : null}
                  </span>
                  {p.is_kids ? <span className="badge">{t("profiles.kids")}</span> : null}
                </button>
              </li>
            ))}
            {profiles.data && !isKids ? (
              <li>
                <button type="button" className="profile-tile profile-tile--add" onClick={() => setAdding(true)} aria-expanded={adding}>
                  <span className="profile-tile__avatar" aria-hidden="true">
                    <Icon name="plus" size={56} />
                  </span>
                  <span className="profile-tile__name">{t("profiles.add")}</span>
                </button>
              </li>
            ) : null}
          </ul>
        )}
        {unlocking ? (
          <form className="profiles__form" onSubmit={(e) => void unlock(e)} aria-labelledby="unlock-heading">
            <h2 id="unlock-heading">{t("profiles.enterPin", { name: unlocking.name })}</h2>
            {error ? <p className="form-error" role="alert">{error}</p> : null}
            <PinField id="profile-pin" label={t("profiles.pin")} value={pin} onChange={setPin} />
            <div className="form-actions">
              <button type="submit" className="btn btn--primary">
                {t("profiles.unlock")}
              </button>
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setUnlocking(null);
                  setPin("");
                  setError(null);
                }}
              >
                {t("profiles.cancel")}
              </button>
            </div>
          </form>
        ) : null}
        {adding && !isKids && !managing ? (
          <form className="profiles__form" onSubmit={(e) => void create(e)}>
            <div className="field">
              <label htmlFor="profile-name">{t("profiles.name")}</label>
              <input id="profile-name" required maxLength={60} value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus />
            </div>
            <label className="checkbox">
              <input type="checkbox" checked={kids} onChange={(e) => setKids(e.currentTarget.checked)} /> {t("profiles.kids")}
            </label>
            <div className="form-actions">
              <button type="submit" className="btn btn--primary">{t("profiles.create")}</button>
              <button type="button" className="btn" onClick={() => setAdding(false)}>{t("profiles.cancel")}</button>
            </div>
          </form>
        ) : null}
        {profiles.data && !unlocking && !adding ? (
          isKids ? (
            <p className="hint profiles__note">{t("account.kidsNote")}</p>
          ) : managing ? null : (
            <button type="button" className="btn profiles__manage" onClick={() => setManaging(true)}>
              {t("profiles.manage")}
            </button>
          )
        ) : null}
      </main>
    </div>
  );
}

/** Lock or unlock profiles with a PIN; each change asks for the account password. */
function ManageProfiles({ profiles, onChanged, onDone }: { profiles: ProfilePublic[]; onChanged: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<{ profile: ProfilePublic; remove: boolean } | null>(null);
  const [pin, setPin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const open = (profile: ProfilePublic, remove: boolean) => {
    setEditing({ profile, remove });
    setPin("");
    setPassword("");
    setError(null);
    setSaved(null);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    setBusy(true);
    setError(null);
    const body = { pin: editing.remove ? null : pin, password };
    setPin("");
    setPassword("");
    try {
      await unwrap(api.PUT("/api/v1/profiles/{profile_id}/pin", { params: { path: { profile_id: editing.profile.id } }, body }));
      setSaved(editing.remove ? t("profiles.pinRemoved", { name: editing.profile.name }) : t("profiles.pinSaved", { name: editing.profile.name }));
      setEditing(null);
      onChanged();
    } catch (err) {
      setError(profileError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="profiles__manage-panel" aria-label={t("profiles.manageTitle")}>
      {saved ? (
        <p className="form-ok" role="status">
          {saved}
        </p>
      ) : null}
      <ul className="profiles__rows">
        {profiles.map((p) => (
          <li key={p.id} className="profiles__row" data-testid="manage-profile">
            <span className="profiles__row-name">
              {p.has_pin ? <Icon name="lock" size={18} /> : null} {p.name}
              {p.is_kids ? <span className="badge">{t("profiles.kids")}</span> : null}
            </span>
            <span className="profiles__row-actions">
              <button type="button" className="btn btn--small" onClick={() => open(p, false)}>
                {p.has_pin ? t("profiles.changePin") : t("profiles.setPin")}
              </button>
              {p.has_pin ? (
                <button type="button" className="btn btn--small" onClick={() => open(p, true)}>
                  {t("profiles.removePin")}
                </button>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
      {editing ? (
        <form className="profiles__form" onSubmit={(e) => void save(e)} aria-labelledby="pin-heading">
          <h2 id="pin-heading">
            {editing.remove ? t("profiles.removePinFor", { name: editing.profile.name }) : t("profiles.setPinFor", { name: editing.profile.name })}
          </h2>
          {error ? <p className="form-error" role="alert">{error}</p> : null}
          {editing.remove ? null : <PinField id="new-pin" label={t("profiles.newPin")} value={pin} onChange={setPin} />}
          <div className="field">
            <label htmlFor="account-password">{t("profiles.accountPassword")}</label>
            <input
              id="account-password"
              type="password"
              required
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoFocus={editing.remove}
            />
          </div>
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={busy}>
              {editing.remove ? t("profiles.removePin") : t("profiles.savePin")}
            </button>
            <button type="button" className="btn" onClick={() => setEditing(null)}>
              {t("profiles.cancel")}
            </button>
          </div>
        </form>
      ) : null}
      <div className="form-actions profiles__done">
        <button type="button" className="btn btn--primary" onClick={onDone}>
          {t("profiles.done")}
        </button>
      </div>
    </section>
  );
}
