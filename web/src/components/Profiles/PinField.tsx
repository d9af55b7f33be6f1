// The PIN input shared by unlocking a profile and setting its PIN, and the viewer-facing
// line for a failed profile request.
import { ApiError, errorMessage } from "../../api/client";
import { useI18n } from "../../i18n";
import type { Translate } from "../../i18n";

const PIN_PATTERN = "[0-9]{4,6}";

/** The viewer-facing line for a failed profile request. */
export function profileError(err: unknown, t: Translate, allowed?: number): string {
  if (err instanceof ApiError) {
    if (err.code === "wrong_pin") return t("profiles.wrongPin");
    if (err.code === "wrong_password") return t("profiles.wrongPassword");
    if (err.code === "kids_profile") return t("account.kidsNote");
    if (err.code === "profile_over_plan") return allowed ? t("profiles.overPlan", { n: allowed }) : t("profiles.notInPlan");
    if (err.status === 429) return t("profiles.tooManyTries");
  }
  return errorMessage(err);
}

export function PinField({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (pin: string) => void }) {
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
