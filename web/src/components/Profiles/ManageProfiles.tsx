// Manage profiles: edit one (name, avatar, maturity), lock or unlock it with a PIN (each
// PIN change asks for the account password), or delete it after a confirmation. Profiles
// beyond the plan's count stay listed, marked as not in the plan.
import { useState } from "react";
import type { FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import type { ProfilePublic } from "../../api/client";
import { useI18n } from "../../i18n";
import { ConfirmDialog } from "../Common/ConfirmDialog";
import { maturityLabel } from "../Catalog/maturity";
import { Icon } from "../Icons/Icons";
import { PinField, profileError } from "./PinField";
import { ProfileForm } from "./ProfileForm";
import type { ProfileFields } from "./ProfileForm";
import { avatarColor, isSelectable } from "./profileRules";

type Editing = { kind: "pin"; profile: ProfilePublic; remove: boolean } | { kind: "edit"; profile: ProfilePublic } | null;

interface Props {
  profiles: ProfilePublic[];
  onChanged: () => void;
  onDone: () => void;
}

export function ManageProfiles({ profiles, onChanged, onDone }: Props) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<ProfilePublic | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const open = (next: Editing) => {
    setEditing(next);
    setError(null);
    setSaved(null);
  };
  const done = (message: string) => {
    setSaved(message);
    setEditing(null);
    onChanged();
  };
  const saveProfile = async (profile: ProfilePublic, fields: ProfileFields) => {
    setError(null);
    try {
      await unwrap(
        api.PATCH("/api/v1/profiles/{profile_id}", {
          params: { path: { profile_id: profile.id } },
          body: { name: fields.name, avatar: fields.avatar, max_maturity: fields.max_maturity },
        }),
      );
      done(t("profiles.saved", { name: fields.name }));
    } catch (err) {
      setError(profileError(err, t));
    }
  };
  const remove = async (profile: ProfilePublic) => {
    await unwrap(api.DELETE("/api/v1/profiles/{profile_id}", { params: { path: { profile_id: profile.id } } }));
    done(t("profiles.deleted", { name: profile.name }));
  };

  return (
    <section className="profiles__manage-panel" aria-label={t("profiles.manageTitle")}>
      {saved ? (
        <p className="form-ok" role="status">
          {saved}
        </p>
      ) : null}
      <ul className="profiles__rows">
        {profiles.map((p, i) => (
          <li key={p.id} className="profiles__row" data-testid="manage-profile" data-selectable={isSelectable(p) ? "true" : "false"}>
            <span className="profiles__row-name">
              <span className="profiles__row-avatar" style={{ background: avatarColor(p.avatar, i) }} aria-hidden="true">
                {p.name.slice(0, 1).toUpperCase()}
              </span>
              {p.has_pin ? <Icon name="lock" size={18} /> : null} {p.name}
              {p.is_kids ? <span className="badge">{t("profiles.kids")}</span> : null}
              <span className="badge badge--outline">{maturityLabel(p.max_maturity, t)}</span>
              {isSelectable(p) ? null : <span className="badge badge--outline">{t("profiles.notInPlanBadge")}</span>}
            </span>
            <span className="profiles__row-actions">
              <button type="button" className="btn btn--small" onClick={() => open({ kind: "edit", profile: p })} aria-label={t("profiles.editLabel", { name: p.name })}>
                {t("profiles.edit")}
              </button>
              <button type="button" className="btn btn--small" onClick={() => open({ kind: "pin", profile: p, remove: false })}>
                {p.has_pin ? t("profiles.changePin") : t("profiles.setPin")}
              </button>
              {p.has_pin ? (
                <button type="button" className="btn btn--small" onClick={() => open({ kind: "pin", profile: p, remove: true })}>
                  {t("profiles.removePin")}
                </button>
              ) : null}
              {profiles.length > 1 ? (
                <button type="button" className="btn btn--small btn--danger" onClick={() => setDeleting(p)} aria-label={t("profiles.deleteLabel", { name: p.name })}>
                  {t("profiles.delete")}
                </button>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
      {editing?.kind === "edit" ? (
        <>
          {error ? <p className="form-error" role="alert">{error}</p> : null}
          <ProfileForm key={editing.profile.id} profile={editing.profile} onSubmit={(f) => saveProfile(editing.profile, f)} onCancel={() => setEditing(null)} />
        </>
      ) : null}
      {editing?.kind === "pin" ? (
        <PinForm
          key={`${editing.profile.id}-${editing.remove}`}
          profile={editing.profile}
          remove={editing.remove}
          onSaved={done}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={t("profiles.deleteTitle", { name: deleting.name })}
          confirmLabel={t("profiles.delete")}
          cancelLabel={t("profiles.cancel")}
          danger
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p>{t("profiles.deleteBody")}</p>
        </ConfirmDialog>
      ) : null}
      <div className="form-actions profiles__done">
        <button type="button" className="btn btn--primary" onClick={onDone}>
          {t("profiles.done")}
        </button>
      </div>
    </section>
  );
}

/** Set or remove a profile's PIN; the PIN and the password live only in this form. */
function PinForm({ profile, remove, onSaved, onCancel }: { profile: ProfilePublic; remove: boolean; onSaved: (message: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [pin, setPin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = { pin: remove ? null : pin, password };
    setPin("");
    setPassword("");
    try {
      await unwrap(api.PUT("/api/v1/profiles/{profile_id}/pin", { params: { path: { profile_id: profile.id } }, body }));
      onSaved(remove ? t("profiles.pinRemoved", { name: profile.name }) : t("profiles.pinSaved", { name: profile.name }));
    } catch (err) {
      setError(profileError(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="profiles__form" onSubmit={(e) => void save(e)} aria-labelledby="pin-heading">
      <h2 id="pin-heading">{remove ? t("profiles.removePinFor", { name: profile.name }) : t("profiles.setPinFor", { name: profile.name })}</h2>
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      {remove ? null : <PinField id="new-pin" label={t("profiles.newPin")} value={pin} onChange={setPin} />}
      <div className="field">
        <label htmlFor="account-password">{t("profiles.accountPassword")}</label>
        <input
          id="account-password"
          type="password"
          required
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          autoFocus={remove}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {remove ? t("profiles.removePin") : t("profiles.savePin")}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t("profiles.cancel")}
        </button>
      </div>
    </form>
  );
}
