// Add or edit a profile: name, avatar, kids (chosen when the profile is made; the API
// does not change it later) and the highest maturity rating it sees.
import { useId, useState } from "react";
import type { FormEvent } from "react";
import type { Maturity, ProfilePublic } from "../../api/client";
import { useI18n } from "../../i18n";
import { maturityLabel } from "../Catalog/maturity";
import { AVATARS, defaultMaturity, maturityChoices } from "./profileRules";

export interface ProfileFields {
  name: string;
  avatar: string | null;
  is_kids: boolean;
  max_maturity: Maturity;
}

interface Props {
  /** The profile edited; none: a new one. */
  profile?: ProfilePublic;
  onSubmit: (fields: ProfileFields) => Promise<void>;
  onCancel: () => void;
}

export function ProfileForm({ profile, onSubmit, onCancel }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState(profile?.name ?? "");
  const [avatar, setAvatar] = useState<string | null>(profile?.avatar ?? null);
  const [kids, setKids] = useState(profile?.is_kids ?? false);
  const [maturity, setMaturity] = useState<Maturity>(profile?.max_maturity ?? defaultMaturity(false));
  const [busy, setBusy] = useState(false);
  const choices = maturityChoices(kids);

  const toggleKids = (next: boolean) => {
    setKids(next);
    // The rating follows the kind of profile: a kids one cannot keep 18+.
    setMaturity(defaultMaturity(next));
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit({ name: name.trim(), avatar, is_kids: kids, max_maturity: maturity });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="profiles__form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-heading`} data-testid="profile-form">
      <h2 id={`${id}-heading`}>{profile ? t("profiles.editTitle", { name: profile.name }) : t("profiles.add")}</h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>{t("profiles.name")}</label>
        <input id={`${id}-name`} required maxLength={60} value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus />
      </div>
      <fieldset className="avatar-picker">
        <legend>{t("profiles.avatar")}</legend>
        {AVATARS.map((a) => (
          <label key={a.id} className="avatar-picker__option">
            <input type="radio" name={`${id}-avatar`} value={a.id} checked={avatar === a.id} onChange={() => setAvatar(a.id)} />
            <span className="avatar-picker__swatch" style={{ background: a.color }} aria-hidden="true">
              {(name || "?").slice(0, 1).toUpperCase()}
            </span>
            <span className="visually-hidden">{t(a.label)}</span>
          </label>
        ))}
      </fieldset>
      {profile ? (
        profile.is_kids ? (
          <p className="hint">{t("profiles.kidsFixed")}</p>
        ) : null
      ) : (
        <div className="field">
          <label className="checkbox">
            <input type="checkbox" checked={kids} onChange={(e) => toggleKids(e.currentTarget.checked)} aria-describedby={`${id}-kids-hint`} /> {t("profiles.kids")}
          </label>
          <p className="hint" id={`${id}-kids-hint`}>
            {t("profiles.kidsHint")}
          </p>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-maturity`}>{t("profiles.maturity")}</label>
        <select
          id={`${id}-maturity`}
          value={maturity}
          onChange={(e) => setMaturity(e.currentTarget.value as Maturity)}
          aria-describedby={`${id}-maturity-hint`}
        >
          {choices.map((m) => (
            <option key={m} value={m}>
              {maturityLabel(m, t)}
            </option>
          ))}
        </select>
        <p className="hint" id={`${id}-maturity-hint`}>
          {t("profiles.maturityHint")}
        </p>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn--primary" disabled={busy || !name.trim()}>
          {profile ? t("profiles.save") : t("profiles.create")}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t("profiles.cancel")}
        </button>
      </div>
    </form>
  );
}
