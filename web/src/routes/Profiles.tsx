// "Who's watching?": choose the profile this session watches as (a locked one asks for
// its PIN), add one, and, from an adult profile, manage them (edit, PIN, delete). The
// plan's profile count holds: past it, adding is not offered, and profiles the plan no
// longer covers (after a downgrade) stay listed but cannot be picked, with a note why.
// A PIN lives only in this page's state while typed: it goes to the API in a request
// body, never into the URL or storage, and the field is emptied after each try.
import { useState } from "react";
import type { FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { api, ApiError, unwrap } from "../api/client";
import type { ProfilePublic } from "../api/client";
import { ErrorView, Loading } from "../components/Common/Status";
import { Icon } from "../components/Icons/Icons";
import { LanguageSelect, Logo } from "../components/Layout/AppShell";
import { ManageProfiles } from "../components/Profiles/ManageProfiles";
import { PinField, profileError } from "../components/Profiles/PinField";
import { ProfileForm } from "../components/Profiles/ProfileForm";
import type { ProfileFields } from "../components/Profiles/ProfileForm";
import { avatarColor, isSelectable, profileSlots } from "../components/Profiles/profileRules";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

export function ProfilesPage() {
  const { t } = useI18n();
  const { user, chooseProfile, isKids } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get("next");
  const target = next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/profiles") ? next : "/";
  const profiles = useApi(() => unwrap(api.GET("/api/v1/profiles")), []);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The locked profile being unlocked, and its PIN as typed.
  const [unlocking, setUnlocking] = useState<ProfilePublic | null>(null);
  const [pin, setPin] = useState("");
  const [managing, setManaging] = useState(false);
  usePageTitle(t("profiles.title"));
  const allowed = user?.entitlements.profiles ?? 1;
  const slots = profileSlots(profiles.data ?? [], allowed);

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
      else setError(profileError(err, t, allowed));
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
      setError(profileError(err, t, allowed));
    }
  };
  const create = async (fields: ProfileFields) => {
    setError(null);
    try {
      await unwrap(api.POST("/api/v1/profiles", { body: fields }));
      setAdding(false);
      profiles.reload();
    } catch (err) {
      setError(profileError(err, t, allowed));
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
        {slots.overPlan ? (
          <p className="hint profiles__note" id="profiles-over-plan" data-testid="profiles-over-plan">
            {t("profiles.overPlan", { n: allowed })}
          </p>
        ) : null}
        {managing && profiles.data ? (
          <ManageProfiles profiles={profiles.data} onChanged={profiles.reload} onDone={() => setManaging(false)} />
        ) : (
          <ul className="profiles__list">
            {profiles.data?.map((p, i) => {
              const selectable = isSelectable(p);
              return (
                <li key={p.id}>
                  <button
                    type="button"
                    className="profile-tile"
                    onClick={() => void pick(p)}
                    disabled={!selectable}
                    aria-describedby={selectable ? undefined : "profiles-over-plan"}
                    data-testid="profile-tile"
                    data-locked={p.has_pin ? "true" : "false"}
                    data-selectable={selectable ? "true" : "false"}
                  >
                    <span className="profile-tile__avatar" style={{ background: avatarColor(p.avatar, i) }} aria-hidden="true">
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
                    {selectable ? null : <span className="badge badge--outline">{t("profiles.notInPlanBadge")}</span>}
                  </button>
                </li>
              );
            })}
            {profiles.data && !isKids && slots.canAdd ? (
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
        {profiles.data && !isKids && !managing && !slots.canAdd && !slots.overPlan ? (
          <p className="hint profiles__note" data-testid="profiles-limit">
            {t("profiles.limitReached", { n: allowed })}
          </p>
        ) : null}
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
        {adding && !isKids && !managing ? <ProfileForm onSubmit={create} onCancel={() => setAdding(false)} /> : null}
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
